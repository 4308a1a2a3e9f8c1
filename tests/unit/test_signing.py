"""Event keys and signatures: rotation with overlap, what is refused and why, where the keys come from."""

import json
from pathlib import Path

import pytest

from grants_cli.system import System
from grants_shared.event_keys import PRODUCERS, dev_keys, keyring_of, new_keys
from grants_shared.settings import PlatformSettings
from grants_shared.signing import Keyring, Refused
from tests.support.infra import production_settings

STREAM = "grants.reporting.report-accepted.v1"
BODY = '{"event_id": "e1", "producer": "reporting", "payload": {"period_number": 1}}'
OLD, NEW = "a" * 32, "b" * 32


def verify(keyring: Keyring, headers: dict[str, str], *, stream: str = STREAM, body: str = BODY) -> None:
    keyring.verify(stream=stream, owner="reporting", producer="reporting", body=body, headers=headers)


def refusal(keyring: Keyring, headers: dict[str, str], **where: str) -> str:
    with pytest.raises(Refused) as refused:
        verify(keyring, headers, **where)
    return refused.value.code


def test_a_producer_signs_with_its_chosen_key_and_consumers_accept_every_listed_key() -> None:
    both = {"reporting": {"k1": OLD, "k2": NEW}}
    still_old = Keyring.of(both, signing_key_id="k1").signer("reporting")
    moved_on = Keyring.of(both).signer("reporting")  # no choice: the last listed

    assert (still_old.key_id, moved_on.key_id) == ("k1", "k2")
    verify(Keyring.of(both), still_old.headers(STREAM, BODY))
    verify(Keyring.of(both), moved_on.headers(STREAM, BODY))
    assert refusal(Keyring.of({"reporting": {"k2": NEW}}), still_old.headers(STREAM, BODY)) == "unknown-key"


def test_each_kind_of_forgery_is_refused_with_its_own_reason() -> None:
    keyring = Keyring.of({"reporting": {"k1": OLD}, "applications": {"k1": NEW}})
    genuine = keyring.signer("reporting").headers(STREAM, BODY)
    impostor = Keyring.of({"reporting": {"k1": "c" * 32}}).signer("reporting").headers(STREAM, BODY)
    stranger = Keyring.of({"mallory": {"k1": OLD}}).signer("mallory").headers(STREAM, BODY)

    assert refusal(keyring, {}) == "unsigned"
    assert refusal(keyring, impostor) == "bad-signature"
    assert refusal(keyring, stranger) == "unknown-producer"
    assert refusal(keyring, keyring.signer("applications").headers(STREAM, BODY)) == "not-stream-owner"
    assert refusal(keyring, genuine, body=BODY.replace("1}", "2}")) == "bad-signature"
    assert refusal(keyring, genuine, stream="grants.reporting.report-submitted.v1") == "bad-signature"
    with pytest.raises(Refused, match="producer-mismatch"):
        keyring.verify(stream=STREAM, owner="reporting", producer="payments", body=BODY, headers=genuine)
    verify(keyring, genuine)


def test_a_short_secret_is_refused() -> None:
    with pytest.raises(ValueError, match="shorter than 32"):
        Keyring.of({"reporting": {"k1": "short"}})


def test_production_without_keys_refuses_and_development_shares_one_generated_keyring(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GRANTS_EVENT_KEYS")
    with pytest.raises(ValueError, match="GRANTS_EVENT_KEYS must be set in production"):
        keyring_of(production_settings(var_dir=tmp_path))

    first = keyring_of(PlatformSettings(env="development", var_dir=tmp_path))
    second = keyring_of(PlatformSettings(env="development", var_dir=tmp_path))

    assert first == second and set(first.keys) == set(PRODUCERS)
    assert (tmp_path / "event-keys.json").stat().st_mode & 0o077 == 0  # readable by its owner alone
    assert dev_keys(tmp_path) == json.loads((tmp_path / "event-keys.json").read_text())


def test_configured_keys_are_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    keys = new_keys("2026-12")
    monkeypatch.setenv("GRANTS_EVENT_KEYS", json.dumps(keys))

    keyring = keyring_of(PlatformSettings())

    assert keyring.signer("payments").key_id == "2026-12"
    assert keyring.keys["payments"]["2026-12"] == keys["payments"]["2026-12"].encode()
    assert keys["payments"]["2026-12"] not in repr(PlatformSettings())  # secrets stay out of logs


def test_grants_run_gives_every_process_the_keys_kept_under_var(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GRANTS_EVENT_KEYS")

    env = System(var_dir=tmp_path).base_env()

    assert json.loads(env["GRANTS_EVENT_KEYS"]) == dev_keys(tmp_path)
