"""`grants soak`: run the fund's workload on the whole platform under seeded faults, then check it converged."""

from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:  # the harness loads when a soak runs, not when `grants` starts
    from grants_cli.soak.checks import Check
    from grants_cli.soak.faults import Fault
    from grants_cli.soak.injector import Injector
    from grants_cli.soak.probe import Probe
    from grants_cli.soak.workload import Done, Spec
    from grants_cli.system import System

SHORT = {"wards": 8, "periods": 1, "fault_count": 7}
FULL = {"wards": 225, "periods": 1, "fault_count": 14}


@dataclass
class Outcome:
    """How a soak ended: seconds from the last action to every check green (None: it did not converge)."""

    converged_after_s: float | None = None
    checks: list[Check] = field(default_factory=list)
    diagnosis: list[str] = field(default_factory=list)
    workload_error: str | None = None

    @property
    def ok(self) -> bool:
        """Converged, every check green, the workload done."""
        return self.converged_after_s is not None and all(c.ok for c in self.checks) and not self.workload_error


def soak(
    seed: Annotated[int, typer.Option(help="Seed of the workload and of the fault plan; the same seed replays.")] = 1,
    faults: Annotated[bool, typer.Option("--faults/--no-faults", help="Inject the seeded faults.")] = True,
    fault_count: Annotated[int | None, typer.Option(help="How many faults (default 14; 7 with --short).")] = None,
    wards: Annotated[int | None, typer.Option(help="How many left-behind wards apply (default all 225).")] = None,
    periods: Annotated[
        int | None,
        typer.Option(
            help="Report periods accepted, each releasing a tranche (a period must have begun: 1 on award day)."
        ),
    ] = None,
    short: Annotated[bool, typer.Option(help="A small workload for CI: 8 wards, one period, 7 faults.")] = False,
    backend: Annotated[str, typer.Option(help="sqlite (embedded) or postgresql.")] = "sqlite",
    postgres_url: Annotated[
        str | None,
        typer.Option(
            envvar="GRANTS_SOAK_POSTGRES_URL",
            help=("Admin URL of a PostgreSQL server; a fresh database per service is created for the run."),
        ),
    ] = None,
    converge_s: Annotated[float, typer.Option(help="Seconds after the last action to converge in.")] = 60,
    reference_data: Annotated[
        Path | None,
        typer.Option(
            envvar="GRANTS_REFERENCE_DATA_DIR", help=("Folder of the official files (else a synthetic registry).")
        ),
    ] = None,
    var_dir: Annotated[Path | None, typer.Option(help="Where databases and logs go (default: a new temp dir).")] = None,
) -> None:
    """Soak the whole platform under the fund's workload and seeded faults; exit 1 unless every check is green."""
    from grants_cli.soak.faults import plan_faults, render_plan
    from grants_cli.soak.stage import fresh_databases, soak_system
    from grants_cli.soak.workload import Spec, expected_actions

    if backend not in ("sqlite", "postgresql"):
        raise typer.BadParameter("--backend is sqlite or postgresql")
    size = SHORT if short else FULL
    spec = Spec(wards=wards or size["wards"], periods=periods or size["periods"], seed=seed)
    count = size["fault_count"] if fault_count is None else fault_count
    plan = plan_faults(seed, count, expected_actions(spec)) if faults else []
    typer.echo(f"soak: seed {seed}, {spec.wards} wards, {spec.periods} period(s), backend {backend}")
    typer.echo(render_plan(seed, plan))
    where = var_dir or Path(tempfile.mkdtemp(prefix="grants-soak-"))
    with fresh_databases(backend, where, postgres_url) as databases:
        outcome = run_soak(soak_system(where, databases, backend), databases, spec, plan, converge_s, reference_data)
    report(outcome, where)
    if not outcome.ok:
        raise typer.Exit(1)


def run_soak(
    system: System,
    databases: dict[str, str],
    spec: Spec,
    plan: list[Fault],
    converge_s: float,
    reference_data: Path | None,
) -> Outcome:
    """Start the platform, drive the workload with the faults, wait for convergence, check; always stop it."""
    from grants_cli.soak.stage import Supervisor

    try:
        started = time.monotonic()
        system.start(reference_data=reference_data, timeout_s=180)
        typer.echo(f"platform up in {time.monotonic() - started:.1f}s under {system.var_dir}")
        with Supervisor(system):
            return drive(system, databases, spec, plan, converge_s)
    finally:
        system.stop()


def drive(system: System, databases: dict[str, str], spec: Spec, plan: list[Fault], converge_s: float) -> Outcome:
    """The workload under faults, then checks until green or out of time."""
    import redis

    from grants_cli.soak.client import SoakClient
    from grants_cli.soak.diagnosis import diagnose
    from grants_cli.soak.injector import Injector
    from grants_cli.soak.probe import Probe
    from grants_cli.soak.rebuild_check import rebuild_equals_live
    from grants_cli.soak.workload import Done, run_workload
    from grants_cli.system import SERVICES

    injector = Injector(system, plan, log=typer.echo)
    client = SoakClient({s: system.url(s) for s in SERVICES}, injector.before_action, injector.after_action)
    outcome, started, done = Outcome(), time.monotonic(), Done()
    try:
        run_workload(client, spec, log=lambda line: typer.echo(f"  {line}"), done=done)
    except Exception as error:  # still check and diagnose what the platform did
        outcome.workload_error = f"{type(error).__name__}: {error}"
    injector.finish()
    typer.echo(
        f"workload: {client.actions} actions in {time.monotonic() - started:.1f}s, {client.retries} retries, "
        f"{injector.fired} of {len(plan)} faults fired"
    )
    if client.retry_reasons:
        typer.echo("retried: " + ", ".join(f"{n} x {why}" for why, n in client.retry_reasons.most_common(6)))
    probe = Probe(
        redis.Redis.from_url(system.redis_url or ""),
        databases,
        {**client.urls, "sandbox-bank": system.url("sandbox-bank")},
        bank_headers=system.bank_headers(),
    )
    try:
        outcome.converged_after_s, outcome.checks = converge(probe, done, client.last_action_at, converge_s)
        if outcome.converged_after_s is not None:  # once, on the converged state: it reads every stream
            outcome.checks.append(rebuild_equals_live(system, databases))
        if plan:
            outcome.checks.append(crash_check(injector))
        if not outcome.ok:
            outcome.diagnosis = diagnose(probe, system, outcome.checks)
    finally:
        probe.close()
    return outcome


def converge(probe: Probe, done: Done, last_action_at: float, converge_s: float) -> tuple[float | None, list[Check]]:
    """Check until every check is green (seconds since the last action) or `converge_s` after it (None)."""
    from grants_cli.soak.checks import run_checks
    from grants_cli.soak.checks_fund import run_fund_checks

    while True:
        checks = run_checks(probe)
        if all(c.ok for c in checks):  # the fund's figures are read once the state has settled
            settled_after = time.monotonic() - last_action_at
            checks += run_fund_checks(probe, done)
            failing = [c.name for c in checks if not c.ok]
            typer.echo(
                f"state checks green {settled_after:.1f}s after the last action; fund checks took "
                f"{time.monotonic() - last_action_at - settled_after:.1f}s"
                + (f", failing: {failing}" if failing else "")
            )
        now = time.monotonic()
        if all(c.ok for c in checks):
            return now - last_action_at, checks
        if now - last_action_at > converge_s:
            return None, checks
        time.sleep(0.5)


def crash_check(injector: Injector) -> Check:
    """Every API killed after its commit died there, and the client's retry got the stored answer."""
    from grants_cli.soak.checks import Check

    crashes = injector.crashes
    bad = [c for c in crashes if not (c.fired and c.replayed)]
    return Check(
        "a retry after a crash past the commit gets the stored answer",
        not bad,
        f"{len(crashes)} crash(es) after commit; "
        + ", ".join(f"{c.process} at action {c.at_action}: fired={c.fired} replayed={c.replayed}" for c in crashes),
    )


def report(outcome: Outcome, where: Path) -> None:
    """Print the checks, the convergence time and, when it failed, the diagnosis."""
    if outcome.workload_error:
        typer.echo(f"WORKLOAD FAILED: {outcome.workload_error}")
    for check in outcome.checks:
        typer.echo(f"{'ok  ' if check.ok else 'FAIL'} {check.name}: {check.detail}")
    for line in outcome.diagnosis:
        typer.echo(f"diagnosis: {line}")
    if outcome.converged_after_s is None:
        typer.echo(f"did NOT converge; logs and databases kept in {where}")
    else:
        typer.echo(f"converged {outcome.converged_after_s:.1f}s after the last action")
    typer.echo("soak: PASS" if outcome.ok else "soak: FAIL")
