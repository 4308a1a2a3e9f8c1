"""ServiceRuntime: settings, engine and sessions built on first use, on a real SQLite file, and forgotten on reset."""

from pathlib import Path
from typing import ClassVar

import pytest
from pydantic import Field
from sqlalchemy import event, inspect, text

from grants_shared.runtime import ServiceRuntime
from grants_shared.settings import PlatformSettings, migrate_on_start_setting

URL_ENV = "RUNTIME_TEST_DATABASE_URL"


class CountedSettings(PlatformSettings):
    """Settings with a database URL of their own, counting how often they are read."""

    reads: ClassVar[int] = 0
    database_url: str = Field(validation_alias=URL_ENV)
    migrate_on_start: bool = migrate_on_start_setting("runtime_test")

    def __init__(self) -> None:
        type(self).reads += 1
        super().__init__()

    def db_url(self) -> str:
        """The URL named by RUNTIME_TEST_DATABASE_URL."""
        return self.database_url


@pytest.fixture
def runtime(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> ServiceRuntime[CountedSettings]:
    """A runtime whose environment names a SQLite file in tmp_path; allocation's scripts serve for migrate()."""
    monkeypatch.setenv(URL_ENV, f"sqlite:///{tmp_path / 'first.db'}")
    monkeypatch.setattr(CountedSettings, "reads", 0)
    return ServiceRuntime(CountedSettings, "allocation")


def test_nothing_is_built_until_first_use_and_then_only_once(runtime: ServiceRuntime[CountedSettings]) -> None:
    assert CountedSettings.reads == 0 and runtime.engine.cache_info().currsize == 0
    assert runtime.sessions() is runtime.sessions()
    assert runtime.engine() is runtime.engine() and runtime.settings() is runtime.settings()
    assert CountedSettings.reads == 1
    with runtime.sessions()() as session:
        assert session.get_bind() is runtime.engine()
        assert session.execute(text("select 1")).scalar_one() == 1


def test_migrate_brings_the_database_named_by_the_settings_to_the_newest_schema(
    runtime: ServiceRuntime[CountedSettings], tmp_path: Path
) -> None:
    runtime.migrate()
    assert (tmp_path / "first.db").exists()
    tables = inspect(runtime.engine()).get_table_names()
    assert "alembic_version" in tables and "outbox" in tables
    runtime.migrate()  # already at head: nothing to do, no error


@pytest.mark.parametrize(("setting", "migrated"), [(None, False), ("false", False), ("true", True)])
def test_a_start_migrates_only_when_the_service_says_so(
    runtime: ServiceRuntime[CountedSettings], monkeypatch: pytest.MonkeyPatch, setting: str | None, migrated: bool
) -> None:
    if setting is not None:
        monkeypatch.setenv("RUNTIME_TEST_MIGRATE_ON_START", setting)
    runtime.migrate_on_start()
    assert ("outbox" in inspect(runtime.engine()).get_table_names()) is migrated


def test_reset_disposes_of_the_engine_and_the_next_use_reads_the_environment_again(
    runtime: ServiceRuntime[CountedSettings], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = runtime.engine()
    disposed: list[object] = []
    event.listen(first, "engine_disposed", disposed.append)
    with runtime.sessions()() as session:
        session.execute(text("create table t (n integer)"))
    monkeypatch.setenv(URL_ENV, f"sqlite:///{tmp_path / 'second.db'}")
    runtime.reset()
    assert disposed == [first]
    assert all(cached.cache_info().currsize == 0 for cached in (runtime.settings, runtime.engine, runtime.sessions))
    assert runtime.engine() is not first and runtime.engine().url.database == str(tmp_path / "second.db")
    assert CountedSettings.reads == 2
    runtime.reset()
    runtime.reset()  # nothing built since: nothing to dispose of
    assert disposed == [first] and runtime.engine.cache_info().currsize == 0


def test_clearing_the_settings_alone_rereads_them_and_keeps_the_engine(
    runtime: ServiceRuntime[CountedSettings], monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = runtime.engine()
    monkeypatch.setenv("GRANTS_MAX_DELIVERIES", "9")
    runtime.settings.cache_clear()
    assert runtime.settings().max_deliveries == 9 and runtime.engine() is engine
