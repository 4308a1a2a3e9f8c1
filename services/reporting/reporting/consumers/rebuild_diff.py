"""Row-by-row comparison of two reporting databases' read models (a rebuild against the live state), naming every row
that differs."""

from typing import Any

from sqlalchemy import Table, select
from sqlalchemy.engine import Engine

from grants_shared import tables
from reporting.consumers.rebuild import GROUP, READ_MODELS

# Columns left out of the comparison, each purely technical: why it may differ between two equal states.
TECHNICAL: dict[str, dict[str, str]] = {
    "timeline": {"id": "surrogate autoincrement: the order rows were inserted in, not what they say"},
    "inbox": {"processed_at": "when this database applied the event (the rebuild's clock, not the event's)"},
    "parked": {
        "parked_at": "when this database parked the event",
        "next_attempt_at": "the retry clock, counted from parked_at",
        "attempts": "how often the sweep tried it meanwhile, a function of elapsed wall time",
        "reason": "the message may quote a clock-dependent detail; waits_for says what it waits for",
    },
    "consumer_progress": {"last_applied_at": "when this database applied the last batch"},
}

# The group's delivery rows compared too: a rebuilt database the worker can carry on from holds the same ones.
DELIVERY: tuple[Table, ...] = (tables.inbox, tables.parked, tables.consumer_progress)


def differences(live: Engine, rebuilt: Engine) -> list[str]:
    """Every difference between the two databases' read models and group rows, one line per row."""
    found: list[str] = []
    for table in (*READ_MODELS, *DELIVERY):
        found += table_differences(table, _rows(live, table), _rows(rebuilt, table))
    return found


def table_differences(table: Table, live: dict[Any, dict[str, Any]], rebuilt: dict[Any, dict[str, Any]]) -> list[str]:
    """The rows only one side has, and the columns that differ on rows both have."""
    found = [f"{table.name} {key}: only in the live database" for key in sorted(live.keys() - rebuilt.keys())]
    found += [f"{table.name} {key}: only in the rebuilt database" for key in sorted(rebuilt.keys() - live.keys())]
    for key in sorted(live.keys() & rebuilt.keys()):
        a, b = live[key], rebuilt[key]
        found += [f"{table.name} {key}: {c} is {a[c]!r} live, {b[c]!r} rebuilt" for c in sorted(a) if a[c] != b[c]]
    return found


def _rows(engine: Engine, table: Table) -> dict[Any, dict[str, Any]]:
    skipped = TECHNICAL.get(table.name, {})
    columns = [c for c in table.columns if c.name not in skipped]
    key = _key(table)
    query = select(*columns)
    if "consumer_group" in table.c:
        query = query.where(table.c.consumer_group == GROUP)
    with engine.connect() as connection:
        rows = [dict(row._mapping) for row in connection.execute(query)]
    return {tuple(row[k] for k in key): row for row in rows}


def _key(table: Table) -> list[str]:
    if table.name == "timeline":
        return ["event_id"]  # its primary key is the technical id
    return [c.name for c in table.primary_key.columns]
