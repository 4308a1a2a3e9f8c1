"""What the fund must show once converged, checked against what the workload sent and what payments holds: outcomes
against baselines, the 360Giving export, the public figures and the obligations by year."""

from collections import Counter
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from grants_cli.soak.checks import Check
from grants_cli.soak.probe import Probe
from grants_cli.soak.workload import Done
from grants_shared.auth import Role

FundCheck = Callable[[Probe, Done], Check]


def outcomes_against_baselines(probe: Probe, done: Done) -> Check:
    """Every grant shows its plan's baselines and targets and its accepted results; the fund totals add them up."""
    problems: list[str] = []
    for grant_id, plan in done.plans.items():
        shown = {line["code"]: line for line in probe.get("reporting", f"/grants/{grant_id}/outcomes")["indicators"]}
        latest = _latest(done.accepted.get(grant_id, {}))
        for line in plan:
            problems += _line_problems(grant_id, line, shown.get(line["indicator"]), latest.get(line["indicator"]))
    fund = probe.get("reporting", "/fund/outcomes", Role.OPERATOR)
    figures = {code: f for domain in fund["domains"].values() for code, f in domain.items()}
    for code, (total, results) in _sent_totals(done).items():
        figure = figures.get(code, {})
        if figure.get("results") != results or figure.get("total", total) != total:
            problems.append(f"fund {code}: shows {figure}, the workload had {results} results totalling {total}")
    accepted = sum(len(periods) for periods in done.accepted.values())
    if fund["accepted_reports"] != accepted:
        problems.append(f"fund: {fund['accepted_reports']} accepted reports, the workload had {accepted} accepted")
    return Check(
        "outcomes shown against baselines",
        not problems,
        f"{len(done.plans)} grants' plans, {accepted} accepted reports ({done.sent_back} sent back once first); "
        f"{len(problems)} differences {problems[:5]}",
    )


def _latest(periods: dict[int, dict[str, int]]) -> dict[str, int]:
    return periods[max(periods)] if periods else {}


def _line_problems(grant_id: str, sent: dict[str, Any], shown: dict[str, Any] | None, result: int | None) -> list[str]:
    code = sent["indicator"]
    if shown is None:
        return [f"grant {grant_id} {code}: planned, not shown"]
    seen = (shown["baseline"]["value"], shown["target"]["value"], shown["latest_accepted"])
    wanted = (sent["baseline_value"], sent["target_value"], result)
    return [] if seen == wanted else [f"grant {grant_id} {code}: shows {seen}, sent {wanted}"]


def _sent_totals(done: Done) -> dict[str, tuple[int, int]]:
    totals: Counter[str] = Counter()
    results: Counter[str] = Counter()
    for periods in done.accepted.values():
        for values in periods.values():
            totals.update(values)
            results.update(values.keys())
    return {code: (totals[code], results[code]) for code in results}


def publication_valid(probe: Probe, done: Done) -> Check:
    """The 360Giving package validates with 0 errors; one grant per award; amounts and disbursements as paid."""
    from reporting.read.publication.config import PublicationSettings
    from reporting.read.publication.standard import StandardMissing, load_standard
    from reporting.read.publication.validate import validate_package

    settings, name = PublicationSettings(), "the 360Giving export validates and equals payments"
    folder = settings.standard_dir()
    try:
        standard = load_standard(folder) if folder else None
    except StandardMissing as missing:
        return Check(name, True, f"skipped: {missing}")
    if standard is None:
        return Check(name, True, "skipped: GRANTS_REFERENCE_DATA_DIR is not set, so there is no schema to check with")
    package = probe.get("reporting", "/publication/360giving.json")
    findings = validate_package(package, standard, settings.prefix)
    problems = [str(f) for f in findings] + _against_payments(probe, package["grants"], settings.prefix)
    return Check(
        name,
        not problems,
        f"{len(package['grants'])} grants published, {len(findings)} validation errors; {problems[:5]}",
    )


def _against_payments(probe: Probe, published: list[dict[str, Any]], prefix: str) -> list[str]:
    by_id = {g["id"].removeprefix(f"{prefix}-"): g for g in published}
    awarded = dict(probe.rows("payments", "SELECT grant_id, amount_pence FROM grants"))
    paid = dict(
        probe.rows(
            "payments",
            "SELECT grant_id, sum(amount_pence) FROM payment_instructions WHERE status = 'settled' GROUP BY grant_id",
        )
    )
    problems = [f"grant {g}: awarded, not published" for g in awarded.keys() - by_id.keys()]
    problems += [f"grant {g}: published, not awarded" for g in by_id.keys() - awarded.keys()]
    for grant_id in awarded.keys() & by_id.keys():
        grant = by_id[grant_id]
        if _pence(grant["amountAwarded"]) != awarded[grant_id]:
            problems.append(f"grant {grant_id}: published £{grant['amountAwarded']}, awarded {awarded[grant_id]}p")
        disbursed = sum(_pence(d["value"]) for d in grant.get("disbursementTransaction", []))
        if disbursed != paid.get(grant_id, 0):
            problems.append(f"grant {grant_id}: disbursed {disbursed}p published, {paid.get(grant_id, 0)}p paid")
    return problems


def _pence(pounds: int | float) -> int:
    return int(Decimal(str(pounds)) * 100)


def public_figures_equal_ledger(probe: Probe, _done: Done) -> Check:
    """The public fund page's committed and paid (net) figures equal the ledger's."""
    public = probe.get("reporting", "/public/api/fund")
    ledger = probe.get("payments", "/ledger/balances?limit=1")
    pairs = (("committed_pence", "committed_pence"), ("paid_net_pence", "paid_pence"))
    problems = [f"{p}: public {public[p]}p, ledger {ledger[q]}p" for p, q in pairs if public[p] != ledger[q]]
    return Check(
        "the public figures equal the ledger",
        not problems,
        f"committed {public['committed_pence']}p, paid net {public['paid_net_pence']}p; {problems}",
    )


def grant_figures_equal(probe: Probe, _done: Done) -> Check:
    """Each grant's awarded and paid (net) figures in reporting's API equal payments' API, to the penny."""
    held, problems = _payments_grants(probe), []
    for grant in held:
        shown = probe.get("reporting", f"/grants/{grant['grant_id']}", Role.OPERATOR)
        problems += [
            f"grant {grant['grant_id']} {word}: reporting {shown[word]}p, payments {grant[word]}p"
            for word in ("amount_pence", "paid_pence")
            if shown[word] != grant[word]
        ]
    paid = sum(g["paid_pence"] for g in held)
    return Check(
        "each grant's figures in reporting's API equal payments'",
        not problems,
        f"{len(held)} grants, {paid}p paid net; {problems[:5]}",
    )


def _payments_grants(probe: Probe) -> list[dict[str, Any]]:
    grants: list[dict[str, Any]] = []
    while True:
        page = probe.get("payments", f"/grants?limit=200&offset={len(grants)}")
        grants.extend(page["items"])
        if not page["items"] or len(grants) >= page["total"]:
            return grants


def obligations_equal(probe: Probe, _done: Done) -> Check:
    """Reporting's obligations by financial year equal payments' to the penny, and no year is over the plan."""
    shown = probe.get("reporting", "/fund/obligations", Role.OPERATOR)
    held = probe.get("payments", "/fund/obligations")
    problems = [] if shown["years"] == held["years"] else [f"reporting {shown['years']}, payments {held['years']}"]
    problems += [f"{y['year']} over the plan by {-y['headroom_pence']}p" for y in held["years"] if y["over"]]
    return Check(
        "obligations equal payments' and within the plan",
        not problems and shown["total_pence"] == held["total_pence"],
        f"{len(held['years'])} years, {held['total_pence']}p owed (reporting {shown['total_pence']}p); {problems[:3]}",
    )


FUND_CHECKS: tuple[FundCheck, ...] = (
    outcomes_against_baselines,
    publication_valid,
    public_figures_equal_ledger,
    grant_figures_equal,
    obligations_equal,
)


def run_fund_checks(probe: Probe, done: Done) -> list[Check]:
    """Every fund check; one that cannot read what it needs fails with the reason."""
    results = []
    for check in FUND_CHECKS:
        try:
            results.append(check(probe, done))
        except Exception as error:  # a service down or an answer missing a figure is a failed check, not a crash
            results.append(Check(check.__name__.replace("_", " "), False, f"could not check: {error!r}"))
    return results
