"""The Redis ACL of each service follows its event contracts: the streams its worker documents (docs/asyncapi, kept
in step with the code) are the ones its user may append to and read its group from."""

from pathlib import Path

import pytest
import yaml

from grants_shared import redis_acl
from grants_shared.events import ALL_EVENTS

DOCUMENTS = Path(__file__).resolve().parents[2] / "docs" / "asyncapi"


def operations(service: str, action: str) -> set[str]:
    """The streams a service's AsyncAPI document says it sends to, or receives from."""
    document = yaml.safe_load((DOCUMENTS / f"{service}.yaml").read_text())
    channels = document["channels"]
    return {
        channels[op["channel"]["$ref"].rsplit("/", 1)[1]]["address"]
        for op in document["operations"].values()
        if op["action"] == action
    }


@pytest.mark.parametrize("service", redis_acl.SERVICES)
def test_a_service_may_append_to_the_streams_it_publishes_and_read_those_it_consumes(service: str) -> None:
    assert set(redis_acl.produced_streams(service)) == operations(service, "send")
    assert set(redis_acl.consumed_streams(service)) == operations(service, "receive")


@pytest.mark.parametrize("service", redis_acl.SERVICES)
def test_a_users_rules_name_its_own_keys_and_channel_and_no_others(service: str) -> None:
    rules = redis_acl.acl_rules(service)
    keys = {rule for rule in rules if rule.startswith("~")}
    groups = (service, *redis_acl.OTHER_GROUPS.get(service, ()))
    dead_letters = {f"~grants.dead-letter.{group}" for group in groups}
    assert keys == {f"~{s}" for s in redis_acl.produced_streams(service)} | dead_letters
    assert [rule for rule in rules if rule.startswith("&")] == [f"&grants.outbox-doorbell.{service}"]
    assert "-@all" in rules and not any(rule.startswith(("+@", "allkeys", "allcommands")) for rule in rules)
    appended = {e.stream() for e in ALL_EVENTS if e.producer != service}
    selector = next(rule for rule in rules if rule.startswith("(~"))
    assert "+xadd" not in selector and set(redis_acl.consumed_streams(service)) <= appended
