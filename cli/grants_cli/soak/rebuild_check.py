"""Rebuild equals live: `grants rebuild reporting` into a fresh database after convergence, compared row by row
with the live reporting database (the same comparison as reporting's rebuild tests)."""

import subprocess
import sys
import time

from grants_cli.soak.checks import Check
from grants_cli.system import System

REBUILT = "reporting_rebuilt"  # the key of the fresh database in the run's databases
SHOWN = 5


def rebuild_equals_live(system: System, databases: dict[str, str]) -> Check:
    """Run the rebuild command into the fresh database and compare every read model with the live one."""
    from grants_shared.db import make_engine
    from reporting.consumers.rebuild_diff import differences

    name = "the rebuild command's state equals the live state"
    started = time.monotonic()
    argv = [sys.executable, "-m", "grants_cli.main", "rebuild", "reporting", "--database-url", databases[REBUILT]]
    env = {**system.base_env(), "REDIS_URL": system.redis_url or ""}  # the admin's URL: it reads every stream
    done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=600)
    took = time.monotonic() - started
    if done.returncode != 0:
        return Check(name, False, f"grants rebuild reporting exited {done.returncode}: {done.stderr[-1500:]}")
    live, rebuilt = make_engine(databases["reporting"]), make_engine(databases[REBUILT])
    try:
        found = differences(live, rebuilt)
    finally:
        live.dispose()
        rebuilt.dispose()
    return Check(
        name,
        not found and not done.stderr.strip(),
        f"{done.stdout.strip()} in {took:.1f}s; {len(found)} rows differ {found[:SHOWN]} {done.stderr.strip()[:500]}",
    )
