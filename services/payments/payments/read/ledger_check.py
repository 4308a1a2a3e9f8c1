"""The ledger invariants of ARCHITECTURE.md section 5 from the database; `python -m payments.read.ledger_check`."""

import sys

from sqlalchemy.orm import Session

from grants_shared.db import make_engine, read_only_session
from payments.config import Settings
from payments.domain import amount_invariants, invariants, transfer_invariants
from payments.domain.results import InvariantResult
from payments.read.ledger_checks import (
    check_balanced,
    check_instructions_match_ledger,
    check_live_instructions,
    check_schedules,
    load_ledger,
)
from payments.read.policy_checks import check_closed_grants, check_maker_checker, check_round_budgets

CHECK_TIMEOUT_MS = 300_000  # an operator's command over the whole ledger: minutes, not the seconds a page gets


def run_checks(session: Session) -> list[InvariantResult]:
    """Every invariant, each with its headline figure."""
    txns, well_formed = load_ledger(session)
    return [
        check_balanced(session),
        well_formed,
        invariants.check_append_only(txns),
        invariants.check_single_settlement(txns),
        transfer_invariants.check_pending_transfers(txns),
        transfer_invariants.check_one_live_instruction(txns),
        check_live_instructions(session),
        invariants.check_paid_within_awarded(txns),
        amount_invariants.check_commitments_covered(txns),
        check_instructions_match_ledger(session, txns),
        check_schedules(session),
        check_round_budgets(session, txns),
        check_closed_grants(session),
        check_maker_checker(session),
    ]


def main() -> None:
    """Print each invariant with its figure; exit 1 when any fails."""
    engine = make_engine(Settings().db_url())
    try:  # one snapshot for every invariant: a payment settling while the check runs must not read as a broken ledger
        with read_only_session(engine, CHECK_TIMEOUT_MS) as session:
            results = run_checks(session)
    finally:
        engine.dispose()
    for r in results:
        print(f"{'ok  ' if r.ok else 'FAIL'} {r.name}: {r.figure}{f' -- {r.detail}' if r.detail else ''}")
    failed = [r.name for r in results if not r.ok]
    print("ledger check: " + ("all invariants hold" if not failed else f"FAILED: {', '.join(failed)}"))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
