"""The one UTC helper and column type: every instant read back is aware UTC, whatever the database keeps."""

import os
import uuid
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Column, Engine, Integer, MetaData, Table, create_engine, insert, select

from grants_shared.clock import as_utc, iso, today
from grants_shared.columns import UtcDateTime

LONDON_SUMMER = timezone(timedelta(hours=1))


@given(st.datetimes(timezones=st.timezones()))
def test_as_utc_keeps_the_instant(moment: datetime) -> None:
    assert as_utc(moment).timestamp() == moment.timestamp()  # == across zones is False for a fold (PEP 495)
    assert as_utc(moment).utcoffset() == timedelta(0)


def test_a_naive_moment_is_taken_as_utc_and_written_with_a_z() -> None:
    assert as_utc(datetime(2026, 6, 1, 12)) == datetime(2026, 6, 1, 12, tzinfo=UTC)
    assert iso(datetime(2026, 6, 1, 0, 30, tzinfo=LONDON_SUMMER)) == "2026-05-31T23:30:00Z"
    assert today(lambda: datetime(2026, 6, 1, 0, 30, tzinfo=LONDON_SUMMER)).isoformat() == "2026-05-31"


DATABASES = ["sqlite://"] + [url for url in [os.environ.get("GRANTS_TEST_POSTGRES_URL")] if url]


@pytest.mark.parametrize("url", DATABASES)
def test_the_column_reads_back_aware_utc_and_refuses_a_naive_instant(url: str) -> None:
    name = f"clock_{uuid.uuid4().hex[:8]}"
    table = Table(name, MetaData(), Column("id", Integer, primary_key=True), Column("at", UtcDateTime()))
    engine = create_engine(url)
    table.metadata.create_all(engine)
    try:
        _write_and_read(engine, table)
    finally:
        table.metadata.drop_all(engine)


def _write_and_read(engine: Engine, table: Table) -> None:
    written = datetime(2026, 6, 1, 13, tzinfo=LONDON_SUMMER)
    with engine.begin() as connection:
        connection.execute(insert(table).values(id=1, at=written))
        read = connection.execute(select(table.c.at)).scalar_one()
    with pytest.raises(Exception, match="aware datetime"), engine.begin() as connection:
        connection.execute(insert(table).values(id=2, at=datetime(2026, 6, 1)))

    assert read == written
    assert read.tzinfo is not None and read.utcoffset() == timedelta(0)
