"""What to look at when a soak does not converge: which group is behind, what is parked, what was dead-lettered."""

from collections import Counter

from grants_cli.soak.checks import SERVICES, Check
from grants_cli.soak.probe import Probe
from grants_cli.system import System
from grants_shared import deadletter


def diagnose(probe: Probe, system: System, checks: list[Check]) -> list[str]:
    """Lines explaining a run that did not converge; every reader is guarded so a dead service still gets a report."""
    lines = [f"FAILED {c.name}: {c.detail}" for c in checks if not c.ok]
    for section in (_groups_behind, _parked, _dead_letters):
        try:
            lines += section(probe)
        except Exception as error:  # diagnose as much as can be read
            lines.append(f"{section.__name__.strip('_')}: could not read ({error!r})")
    return lines + _processes(system)


def _groups_behind(probe: Probe) -> list[str]:
    behind = [s for s in probe.groups() if not s.caught_up]
    totals: Counter[str] = Counter()
    for state in behind:
        totals[state.group] += state.pending + state.behind
    return [
        f"group {group} is behind by {n} entries: "
        + ", ".join(f"{s.stream} ({s.pending} pending, {s.behind} undelivered)" for s in behind if s.group == group)
        for group, n in totals.most_common()
    ]


def _parked(probe: Probe) -> list[str]:
    lines = []
    for service in SERVICES:
        for group, stream, waits_for, reason, n in probe.rows(
            service,
            (
                "SELECT consumer_group, stream, waits_for, min(reason), count(*) FROM parked "
                "GROUP BY consumer_group, stream, waits_for ORDER BY count(*) DESC LIMIT 5"
            ),
        ):
            lines.append(f"parked in {group}: {n} x {stream} waiting for {waits_for}: {reason[:160]}")
    return lines


def _dead_letters(probe: Probe) -> list[str]:
    entries = deadletter.list_entries(probe.redis)
    kinds = Counter((e.get("dead_letter_stream", ""), e.get("stream", ""), e.get("error", "")[:160]) for e in entries)
    return [
        f"dead letters in {dl.removeprefix(deadletter.PREFIX)}: {n} x {stream}: {error}"
        for (dl, stream, error), n in kinds.most_common(10)
    ]


def _processes(system: System) -> list[str]:
    return [
        f"process {p.name}: {'alive' if p.alive() else 'DOWN'}, restarted {p.restarts} time(s), log {p.log}"
        for p in system.processes.values()
        if p.restarts or not p.alive()
    ]
