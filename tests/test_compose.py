"""docker-compose.yml stays in step with the code: services, commands and environment names."""

import importlib
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic_settings import BaseSettings

from grants_cli.system import SERVICES
from grants_shared.settings import PlatformSettings

ROOT = Path(__file__).resolve().parents[1]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
READ_BY_LIBRARIES = {"OTEL_EXPORTER_OTLP_ENDPOINT"}


def env_names(settings: type[BaseSettings]) -> set[str]:
    """Every environment variable a settings class reads."""
    prefix = settings.model_config.get("env_prefix", "")
    names = set()
    for name, field in settings.model_fields.items():
        alias = field.validation_alias
        names.add(str(alias).upper() if isinstance(alias, str) else f"{prefix}{name}".upper())
    return names


def known_env() -> set[str]:
    names = env_names(PlatformSettings) | READ_BY_LIBRARIES
    for svc in SERVICES:
        names |= env_names(importlib.import_module(f"{svc}.config").Settings)
    names |= env_names(importlib.import_module("sandbox_bank.config").Settings)
    return names


def service(name: str) -> dict[str, Any]:
    return dict(COMPOSE["services"][name])


@pytest.mark.parametrize("svc", SERVICES)
def test_each_service_has_an_api_and_a_worker_whose_commands_exist(svc: str) -> None:
    api, worker = service(f"{svc}-api"), service(f"{svc}-worker")
    target = next(arg for arg in api["command"] if arg.endswith(":create_app"))
    module, attribute = target.split(":")
    assert callable(getattr(importlib.import_module(module), attribute))
    assert worker["command"][:2] == ["python", "-m"]
    assert callable(importlib.import_module(worker["command"][2]).create_app)


def test_every_environment_name_in_compose_is_read_by_the_code() -> None:
    known = known_env()
    for name, spec in COMPOSE["services"].items():
        if "build" not in spec:
            continue
        unknown = set(spec.get("environment") or {}) - known
        assert not unknown, f"{name} sets variables no code reads: {unknown}"


@pytest.mark.parametrize("svc", SERVICES)
def test_each_service_gets_its_own_postgres_database(svc: str) -> None:
    env = service(f"{svc}-worker")["environment"]
    assert env[f"{svc.upper()}_DATABASE_URL"].endswith(f"/{svc}")
    assert f"CREATE DATABASE {svc};" in (ROOT / "deploy/postgres/init.sql").read_text()


def test_migrations_cover_every_service_and_redis_keeps_an_fsynced_aof() -> None:
    assert service("migrate")["command"][3:] == list(SERVICES)
    redis_cmd = service("redis")["command"]
    assert "--appendonly" in redis_cmd and redis_cmd[redis_cmd.index("--appendfsync") + 1] == "always"
    assert service("sandbox-bank")["command"] == ["python", "-m", "sandbox_bank"]
