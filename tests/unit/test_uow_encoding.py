"""The unit of work's cheap paths store exactly what the validating, round-tripping ones stored."""

import enum
import json
import math
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest

from grants_shared.events import ApplicationWithdrawn
from grants_shared.events.envelope import Envelope, wrap
from grants_shared.uow import UnitOfWork, _json_safe, _outbox_params, _uuid4_text


class Colour(enum.StrEnum):
    RED = "red"


class Mixed(str, enum.Enum):  # noqa: UP042 - the older spelling, whose str() is not its value
    BLUE = "blue"


class Level(enum.IntEnum):
    HIGH = 3


def round_trip(value: Any) -> Any:
    """What `_json_safe` did before: encode with `default=str`, decode."""
    return json.loads(json.dumps(value, default=str)) if value is not None else None


SNAPSHOTS = [
    None,
    {"id": "a", "n": 3, "ok": True, "none": None, "x": 1.5, "themes": ["housing", "jobs"]},
    {"at": datetime(2026, 12, 7, 15, 0, tzinfo=UTC), "on": date(2026, 1, 2), "pence": Decimal("12.50")},
    {"nested": {"t": (1, 2), "s": {3}, "u": uuid.UUID(int=7)}, "e": [Colour.RED, Mixed.BLUE, Level.HIGH]},
    {"nan": math.inf, "neg": -0.0},
    {1: "int key", None: "none key", False: "bool key", 2.5: "float key"},
    {Colour.RED: "enum key"},
    [datetime(2026, 1, 1), "x", 2],
    "text",
    7,
]


@pytest.mark.parametrize("snapshot", SNAPSHOTS)
def test_json_safe_equals_the_json_round_trip_value_and_text(snapshot: Any) -> None:
    safe = _json_safe(snapshot)
    assert safe == round_trip(snapshot)
    assert json.dumps(safe) == json.dumps(round_trip(snapshot))


def test_emit_stores_the_same_envelope_and_body_as_wrap() -> None:
    cause = wrap(ApplicationWithdrawn(application_id="c", reason="r", withdrawn_at=datetime.now(UTC)), subject="c")
    uow = UnitOfWork(None, cause)
    withdrawn_at = datetime(2026, 3, 1, tzinfo=UTC)
    payload = ApplicationWithdrawn(application_id="a1", reason="moved away", withdrawn_at=withdrawn_at)
    emitted = uow.emit(payload, subject="a1", event_id="e-1")
    validated = wrap(
        payload,
        subject="a1",
        event_id="e-1",
        correlation_id=cause.correlation_id,
        causation_id=cause.event_id,
        occurred_at=emitted.occurred_at,
    )
    body = uow.rows["outbox"][0]["body"]
    assert body == validated.model_dump_json() == emitted.model_dump_json()
    assert Envelope[ApplicationWithdrawn].model_validate_json(body) == validated
    assert emitted.correlation_id == cause.correlation_id and emitted.causation_id == cause.event_id


def test_emit_without_a_cause_starts_a_chain_with_a_new_uuid() -> None:
    uow = UnitOfWork(None)
    payload = ApplicationWithdrawn(application_id="a1", reason="r", withdrawn_at=datetime(2026, 3, 1, tzinfo=UTC))
    first, second = uow.emit(payload, subject="a1"), uow.emit(payload, subject="a1")
    assert uuid.UUID(first.event_id).version == 4 and first.event_id != second.event_id
    assert first.correlation_id == first.event_id and first.causation_id is None


def test_emit_still_refuses_a_subject_that_is_not_text() -> None:
    payload = ApplicationWithdrawn(application_id="a1", reason="r", withdrawn_at=datetime(2026, 3, 1, tzinfo=UTC))
    with pytest.raises(ValueError):
        UnitOfWork(None).emit(payload, subject=None)  # type: ignore[arg-type]


def test_new_event_ids_are_distinct_random_version_4_uuids() -> None:
    ids = {_uuid4_text() for _ in range(1000)}
    assert len(ids) == 1000
    for text in list(ids)[:50]:
        parsed = uuid.UUID(text)
        assert (str(parsed), parsed.version, parsed.variant) == (text, 4, uuid.RFC_4122)


def test_outbox_headers_are_encoded_once_per_headers_object_and_equal_the_json_column() -> None:
    shared, other = {"traceparent": "00-abc-def-01"}, {"k": "é"}
    rows = [{"event_id": str(n), "headers": h} for n, h in enumerate([shared, shared, other, {}])]
    params = _outbox_params(rows)
    assert [p["headers_json"] for p in params] == [json.dumps(r["headers"]) for r in rows]
    assert all("headers" not in p and p["event_id"] == r["event_id"] for p, r in zip(params, rows, strict=True))
