"""Finance reads: payment instructions, ledger balances as of a moment, the ledger invariants, reconciliation; and
resolving a reconciliation difference by hand (a finance approver)."""

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import JSONResponse

from grants_shared.auth import Principal, Role, require
from grants_shared.clock import as_utc, system_clock
from grants_shared.http.app import ReadSession, Sessions
from grants_shared.http.idempotency import idempotent_post
from grants_shared.http.problems import Problem
from grants_shared.http.query import ISO_MOMENT
from payments.adapters.ledger_store import balances
from payments.adapters.records import difference_record
from payments.read.demonstration import demonstration_balances, fund_figures
from payments.read.ledger_check import run_checks
from payments.read.queries import page_of_instructions
from payments.read.reconciliation import summary
from payments.routes.common import FINANCE, PROBLEMS, IdempotencyKey, Limit, Offset, StrictQuery
from payments.routes.schemas.actions import DifferenceOut, ReconciliationOut, ResolutionIn
from payments.routes.schemas.grants import BalancesOut, InstructionPage, LedgerCheckOut
from payments.usecases import differences

router = APIRouter(tags=["ledger"], dependencies=StrictQuery)
Finance = Annotated[Principal, Depends(require(*FINANCE))]
Approver = Annotated[Principal, Depends(require(Role.FINANCE_APPROVER))]
DifferenceId = Annotated[str, Path(min_length=1, max_length=36)]
InstructionStatus = Literal["awaiting_approval", "created", "instructed", "settled", "failed", "returned"]


@router.get("/instructions", response_model=InstructionPage, responses=PROBLEMS, summary="Payment instructions")
def list_instructions(
    principal: Finance,
    session: ReadSession,
    status: Annotated[InstructionStatus | None, Query()] = None,
    grant_id: Annotated[str | None, Query(min_length=1, max_length=100)] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Any:
    """A page of payment instructions, oldest first, by status and grant."""
    return page_of_instructions(session, status=status, grant_id=grant_id, limit=limit, offset=offset)


def _as_utc(value: datetime) -> datetime:
    try:
        return as_utc(value)
    except OverflowError:
        raise Problem(422, "validation-error", "as_of cannot be expressed in UTC", "Give a nearer date.") from None


@router.get(
    "/ledger/balances", response_model=BalancesOut, responses=PROBLEMS, summary="Account balances as of a moment"
)
def ledger_balances(
    principal: Finance,
    session: ReadSession,
    as_of: Annotated[datetime | None, Query(description="ISO 8601; naive is UTC. Default: now."), ISO_MOMENT] = None,
    limit: Limit = 200,
    offset: Offset = 0,
) -> Any:
    """Each account's balance (debits minus credits) over transactions effective by `as_of`, by account name.

    Every posting is in the balances; the fund's headline figures leave demonstration grants out (their own block).
    """
    moment = _as_utc(as_of) if as_of is not None else None
    totals = balances(session, moment)
    demonstration = demonstration_balances(session, moment)
    page = list(totals.items())[offset : offset + limit]
    return {
        "as_of": moment,
        "balances": [{"account": a, "balance_pence": b} for a, b in page],
        "total": len(totals),
        "limit": limit,
        "offset": offset,
        **fund_figures(totals, demonstration),
        "demonstration": fund_figures(demonstration),
    }


@router.get("/ledger/check", response_model=LedgerCheckOut, responses=PROBLEMS, summary="Check every ledger invariant")
def ledger_check(principal: Finance, session: ReadSession) -> Any:
    """Every invariant of the ledger with its figure, all read from one snapshot; ok only when all hold."""
    results = run_checks(session)
    return {"ok": all(r.ok for r in results), "invariants": [r.__dict__ for r in results]}


@router.get(
    "/reconciliation",
    response_model=ReconciliationOut,
    responses=PROBLEMS,
    summary="The bank's report against the ledger",
)
def reconciliation(
    principal: Finance,
    session: ReadSession,
    status: Annotated[Literal["open", "resolved", "all"], Query(description="Which differences to list.")] = "open",
    limit: Limit = 50,
    offset: Offset = 0,
) -> Any:
    """How the provider's settlement report matches the ledger's settlements and returns, with the differences."""
    return summary(session, status=status, limit=limit, offset=offset)


@router.post(
    "/reconciliation/differences/{difference_id}/resolve",
    response_model=DifferenceOut,
    responses=PROBLEMS,
    summary="Resolve a difference by hand",
)
def resolve_difference(
    request: Request,
    difference_id: DifferenceId,
    body: ResolutionIn,
    sessions: Sessions,
    principal: Approver,
    key: IdempotencyKey = None,
) -> JSONResponse:
    """A finance approver closes a difference no match will (a stray bank payment, an amount the bank changed), with
    a note saying why; announced once as reconciliation-difference-resolved. 409 when it is already resolved."""
    return idempotent_post(
        request,
        sessions,
        principal,
        key,
        {"difference_id": difference_id, **body.model_dump()},
        lambda uow: (
            200,
            difference_record(
                differences.resolve_by_hand(uow, difference_id, principal, note=body.note, clock=system_clock)
            ),
        ),
    )
