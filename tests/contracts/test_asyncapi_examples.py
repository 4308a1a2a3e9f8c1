"""Every message of the committed AsyncAPI documents carries an example that its event contract accepts."""

from pathlib import Path

import pytest
import yaml

from grants_cli.asyncapi import stream_of_message
from grants_cli.event_examples import example_envelope
from grants_cli.system import SERVICES
from grants_shared.events import ALL_EVENTS, BY_STREAM, Event
from grants_shared.events.envelope import envelope_of

COMMITTED = Path(__file__).resolve().parents[2] / "docs" / "asyncapi"


@pytest.mark.parametrize("service", SERVICES)
def test_every_message_has_an_example_its_contract_accepts(service: str) -> None:
    messages = yaml.safe_load((COMMITTED / f"{service}.yaml").read_text())["components"]["messages"]
    assert messages
    for name, message in messages.items():
        event = BY_STREAM[stream_of_message(name)]
        [example] = message.get("examples") or [None]
        assert example is not None, f"{service}: {name} has no example (run `make docs`)"
        envelope = envelope_of(event).model_validate(example["payload"])
        assert (envelope.event_type, envelope.producer) == (event.event_type, event.producer), name


@pytest.mark.parametrize("event", ALL_EVENTS, ids=lambda e: e.event_type)
def test_an_example_is_made_for_every_event_and_validated(event: type[Event]) -> None:
    example = example_envelope(event)
    assert example["payload"] and envelope_of(event).model_validate(example).event_type == event.event_type


def test_an_example_the_contract_refuses_is_not_published() -> None:
    class Broken(Event):
        event_type = "broken"
        producer = "reporting"
        model_config = {"extra": "forbid", "frozen": True, "json_schema_extra": {"examples": [{"amount_pence": "x"}]}}
        amount_pence: int

    with pytest.raises(ValueError, match="amount_pence"):
        example_envelope(Broken)
