"""The soak on a short seed with faults, as CI runs it: every check green, on SQLite and on PostgreSQL."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.infra import POSTGRES_ENV, database_backends

pytestmark = [pytest.mark.slow, pytest.mark.e2e]
SEED = "7"


@pytest.mark.timeout(480)
@pytest.mark.parametrize("backend", database_backends())
def test_a_short_seed_with_faults_converges_with_every_check_green(backend: str, tmp_path: Path) -> None:
    args = ["--short", "--seed", SEED, "--backend", backend, "--var-dir", str(tmp_path / "soak")]
    env = {**os.environ, "GRANTS_SOAK_POSTGRES_URL": os.environ.get(POSTGRES_ENV, "")}
    done = subprocess.run(
        [sys.executable, "-m", "grants_cli.main", "soak", *args], env=env, capture_output=True, text=True, timeout=470
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0 and "soak: PASS" in output, output[-6000:]
    assert f"fault plan for seed {SEED}: 7 fault(s)" in output and "7 of 7 faults fired" in output
