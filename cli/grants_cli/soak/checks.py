"""What must hold once the platform has converged, checked as a Jepsen bank test would, each with its evidence."""

from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from grants_cli.soak.probe import Probe
from grants_shared import deadletter
from grants_shared.events import (
    ApplicationSubmitted,
    GrantAwarded,
    PaymentInstructed,
    PaymentSettled,
    ReportAccepted,
    TrancheReleased,
)

SERVICES = ("applications", "allocation", "payments", "reporting")
# One business fact, one event: a second event id for the same key would mean an effect applied twice.
ONE_EVENT_PER = (
    (ApplicationSubmitted, "application_id"),
    (GrantAwarded, "application_id"),
    (TrancheReleased, "tranche_id"),
    (PaymentInstructed, "tranche_id"),
    (PaymentSettled, "tranche_id"),
    (ReportAccepted, "report_id"),
)
LIVE_TRANCHE = ("released", "approved", "instructed", "settled")


@dataclass
class Check:
    """One check's verdict and what it saw."""

    name: str
    ok: bool
    detail: str


def no_event_lost(probe: Probe) -> Check:
    """Every event a service wrote to its outbox was published and is on its stream."""
    missing, unpublished, total, streams = [], 0, 0, {}
    for service in SERVICES:
        for event_id, stream, published_at in probe.rows(service, "SELECT event_id, stream, published_at FROM outbox"):
            total += 1
            unpublished += published_at is None
            if stream not in streams:
                streams[stream] = probe.events(stream)
            if event_id not in streams[stream]:
                missing.append(f"{service}:{stream}:{event_id}")
    ok = not missing and not unpublished
    return Check(
        "no event lost",
        ok,
        f"{total} outbox events, {unpublished} unpublished, {len(missing)} missing from their streams {missing[:3]}",
    )


def nothing_pending(probe: Probe) -> Check:
    """Every consumer group has been delivered every entry of its streams and acknowledged it."""
    states = probe.groups()
    behind = [
        f"{s.group} on {s.stream}: {s.pending} pending, {s.behind} undelivered" for s in states if not s.caught_up
    ]
    return Check(
        "nothing pending in any consumer group",
        not behind,
        f"{len(states)} group positions; behind: {behind[:5]}"
        if behind
        else f"{len(states)} group positions, all caught up",
    )


def no_dead_letter(probe: Probe) -> Check:
    """No message was given up on."""
    depth = {group: n for group, n in deadletter.depth(probe.redis).items() if n}
    return Check("no dead letter", not depth, f"dead letters by group: {depth}" if depth else "none")


def nothing_parked(probe: Probe) -> Check:
    """No event waits for a prerequisite that never came."""
    query = "SELECT consumer_group, count(*) FROM parked GROUP BY consumer_group"
    parked = {f"{service}:{group}": n for service in SERVICES for group, n in probe.rows(service, query)}
    return Check("nothing parked", not parked, f"parked by group: {parked}" if parked else "none")


def no_effect_twice(probe: Probe) -> Check:
    """One event per business fact: one submission and award per application, one release, instruction and
    settlement per tranche, one acceptance per report."""
    doubled = []
    for event, key in ONE_EVENT_PER:
        per_key = Counter(e["payload"][key] for e in probe.events(event.stream()).values())
        doubled += [f"{event.event_type} x{n} for {k}" for k, n in per_key.items() if n > 1]
    return Check("no effect applied twice", not doubled, f"{len(doubled)} doubled: {doubled[:5]}")


def one_bank_payment_per_tranche(probe: Probe) -> Check:
    """The bank settled exactly one payment per released tranche, for the instructed amount, and nothing else."""
    bank = [e for e in probe_bank(probe) if e["kind"] == "settled"]
    by_key = Counter(e["idempotency_key"] for e in bank)
    instructions = {
        i: (t, a, s)
        for i, t, a, s in probe.rows(
            "payments", "SELECT instruction_id, tranche_id, amount_pence, status FROM payment_instructions"
        )
    }
    released = {t: s for t, s in probe.rows("payments", "SELECT tranche_id, status FROM tranches") if s in LIVE_TRANCHE}
    per_tranche: dict[str, int] = defaultdict(int)
    problems = [f"bank paid key {k} {n} times" for k, n in by_key.items() if n > 1]
    for line in bank:
        known = instructions.get(line["idempotency_key"])
        if known is None or known[1] != line["amount_pence"]:
            problems.append(f"bank line {line['payment_id']} matches no instruction of that amount")
        else:
            per_tranche[known[0]] += 1
    problems += [f"tranche {t} ({s}) paid {per_tranche[t]} times" for t, s in released.items() if per_tranche[t] != 1]
    return Check(
        "exactly one bank payment per released tranche",
        not problems,
        f"{len(bank)} bank payments, {len(released)} released tranches; {problems[:5]}",
    )


def probe_bank(probe: Probe) -> list[dict[str, str | int]]:
    """Every line of the sandbox bank's settlement report."""
    entries: list[dict[str, str | int]] = probe.get("sandbox-bank", "/settlements")["entries"]
    return entries


def ledger_balanced(probe: Probe) -> Check:
    """Every ledger invariant of payments holds."""
    check = probe.get("payments", "/ledger/check")
    failing = [f"{i['name']}: {i['detail'][:200]}" for i in check["invariants"] if not i["ok"]]
    return Check(
        "the ledger balanced",
        bool(check["ok"]),
        f"{len(check['invariants'])} invariants; failing: {failing}" if failing else "every invariant holds",
    )


def reporting_equals_ledger(probe: Probe) -> Check:
    """Reporting's fund position and every grant's paid figure (net of returns, both sides) equal the ledger's."""
    ledger = probe.get("payments", "/ledger/balances?limit=1")
    position = probe.get("reporting", "/fund/position")
    problems = [
        f"{name}: reporting {position[name]}p, ledger {ledger[name]}p"
        for name in ("committed_pence", "paid_pence", "paid_gross_pence", "returned_pence")
        if position[name] != ledger[name]
    ]
    # Payments: a returned payment's instruction leaves `settled`, so settled instructions are the net money.
    paid = dict(
        probe.rows(
            "payments",
            "SELECT g.grant_id, coalesce(sum(i.amount_pence), 0) FROM grants g LEFT JOIN "
            "payment_instructions i ON i.grant_id = g.grant_id AND i.status = 'settled' "
            "GROUP BY g.grant_id",
        )
    )
    # Reporting's column is gross (docs/reporting.md, "Money words"): net is paid less returned.
    shown = dict(probe.rows("reporting", "SELECT grant_id, paid_pence - returned_pence FROM grants"))
    problems += [
        f"grant {g}: reporting {shown.get(g)}p, payments {p}p net" for g, p in paid.items() if shown.get(g) != p
    ]
    return Check(
        "reporting equals the ledger to the penny",
        not problems,
        f"{len(paid)} grants, paid net {ledger['paid_pence']}p (gross {ledger['paid_gross_pence']}p, "
        f"returned {ledger['returned_pence']}p); {problems[:5]}",
    )


STATE_CHECKS: tuple[Callable[[Probe], Check], ...] = (
    no_event_lost,
    nothing_pending,
    no_dead_letter,
    nothing_parked,
    no_effect_twice,
    one_bank_payment_per_tranche,
    ledger_balanced,
    reporting_equals_ledger,
)


def run_checks(probe: Probe) -> list[Check]:
    """Every state check; a check that cannot read what it needs fails with the reason."""
    results = []
    for check in STATE_CHECKS:
        try:
            results.append(check(probe))
        except Exception as error:  # a service down or a table missing is a failed check, not a crash
            results.append(Check(check.__name__.replace("_", " "), False, f"could not check: {error!r}"))
    return results
