"""`grants run` gives the sandbox bank its two keys (new ones per run unless set) and payments the client key only."""

from pathlib import Path

import pytest

from grants_cli.system import System


def test_a_run_makes_two_distinct_keys_and_gives_the_control_key_to_the_bank_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("SANDBOX_BANK_API_KEY", "SANDBOX_BANK_CONTROL_KEY"):
        monkeypatch.delenv(name, raising=False)
    system = System(var_dir=tmp_path)
    system.define()
    bank, payments = system.processes["sandbox-bank"].env, system.processes["payments-worker"].env
    api, control = bank["SANDBOX_BANK_API_KEY"], bank["SANDBOX_BANK_CONTROL_KEY"]
    assert api != control and min(len(api), len(control)) >= 24
    assert payments["SANDBOX_BANK_API_KEY"] == api and "SANDBOX_BANK_CONTROL_KEY" not in payments
    assert system.processes["sandbox-bank"].health_headers == {"Authorization": f"Bearer {api}"}
    assert System(var_dir=tmp_path).bank_keys["SANDBOX_BANK_API_KEY"] != api  # another run, other keys


def test_keys_set_in_the_environment_are_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SANDBOX_BANK_API_KEY", "a" * 32)
    monkeypatch.setenv("SANDBOX_BANK_CONTROL_KEY", "c" * 32)
    system = System(var_dir=tmp_path)
    assert system.bank_headers() == {"Authorization": f"Bearer {'a' * 32}"}
    assert system.bank_headers(control=True) == {"Authorization": f"Bearer {'c' * 32}"}
