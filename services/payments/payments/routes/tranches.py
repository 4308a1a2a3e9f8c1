"""Finance actions on a tranche: approve (finance approver); hold, resume, retry and repay (finance officer)."""

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from grants_shared.auth import Principal, Role, require
from grants_shared.http.app import Sessions
from grants_shared.http.idempotency import idempotent_post
from grants_shared.uow import UnitOfWork
from payments.adapters.orm import Tranche
from payments.adapters.provider import Payee
from payments.domain.release_rules import ReleasePolicy
from payments.read.queries import tranche_answer
from payments.routes.common import PROBLEMS, IdempotencyKey, StrictQuery, policy_of
from payments.routes.grants import TrancheId
from payments.routes.schemas.actions import RepayIn
from payments.routes.schemas.grants import HoldIn, NoteIn, TrancheOut
from payments.usecases import conditions, releases, returns

router = APIRouter(tags=["tranches"], dependencies=StrictQuery)
Approver = Annotated[Principal, Depends(require(Role.FINANCE_APPROVER))]
Officer = Annotated[Principal, Depends(require(Role.FINANCE_OFFICER))]


def _run(
    request: Request,
    sessions: Any,
    principal: Principal,
    tranche_id: str,
    body: dict[str, Any],
    key: str | None,
    work: Callable[[UnitOfWork], Tranche],
    policy: ReleasePolicy,
) -> JSONResponse:
    return idempotent_post(
        request,
        sessions,
        principal,
        key,
        {"tranche_id": tranche_id, **body},
        lambda uow: (200, tranche_answer(uow.session, work(uow), policy)),
    )


@router.post("/tranches/{tranche_id}/approve", response_model=TrancheOut, responses=PROBLEMS)
def approve(
    request: Request,
    tranche_id: TrancheId,
    sessions: Sessions,
    principal: Approver,
    key: IdempotencyKey = None,
    body: NoteIn | None = None,
) -> JSONResponse:
    """Approve a tranche awaiting a second person (a release, a repayment, a new payee); not its releaser (409)."""
    payload = body.model_dump() if body else {}
    return _run(
        request,
        sessions,
        principal,
        tranche_id,
        payload,
        key,
        lambda uow: releases.approve(uow, tranche_id, principal),
        policy_of(request),
    )


@router.post("/tranches/{tranche_id}/hold", response_model=TrancheOut, responses=PROBLEMS)
def hold(
    request: Request,
    tranche_id: TrancheId,
    body: HoldIn,
    sessions: Sessions,
    principal: Officer,
    key: IdempotencyKey = None,
) -> JSONResponse:
    """Hold a tranche that is not released yet, with the reason."""
    return _run(
        request,
        sessions,
        principal,
        tranche_id,
        body.model_dump(),
        key,
        lambda uow: conditions.hold(uow, tranche_id, body.reason, principal),
        policy_of(request),
    )


@router.post("/tranches/{tranche_id}/resume", response_model=TrancheOut, responses=PROBLEMS)
def resume(
    request: Request,
    tranche_id: TrancheId,
    sessions: Sessions,
    principal: Officer,
    key: IdempotencyKey = None,
    body: NoteIn | None = None,
) -> JSONResponse:
    """Lift a finance hold; the tranche is released at once if its conditions are met."""
    policy = policy_of(request)
    payload = body.model_dump() if body else {}
    return _run(
        request,
        sessions,
        principal,
        tranche_id,
        payload,
        key,
        lambda uow: conditions.resume(uow, tranche_id, principal, policy),
        policy_of(request),
    )


@router.post("/tranches/{tranche_id}/retry", response_model=TrancheOut, responses=PROBLEMS)
def retry(
    request: Request,
    tranche_id: TrancheId,
    sessions: Sessions,
    principal: Officer,
    key: IdempotencyKey = None,
    body: NoteIn | None = None,
) -> JSONResponse:
    """Pay a failed tranche again with a new instruction, once its automatic retries ran out."""
    payload = body.model_dump() if body else {}
    return _run(
        request,
        sessions,
        principal,
        tranche_id,
        payload,
        key,
        lambda uow: returns.retry_failed(uow, tranche_id, principal),
        policy_of(request),
    )


@router.post("/tranches/{tranche_id}/repay", response_model=TrancheOut, responses=PROBLEMS)
def repay(
    request: Request,
    tranche_id: TrancheId,
    sessions: Sessions,
    principal: Officer,
    key: IdempotencyKey = None,
    body: RepayIn | None = None,
) -> JSONResponse:
    """Ask to pay a returned tranche again (to new bank details when given); a second person approves it, always."""
    policy = policy_of(request)
    given = body or RepayIn()
    payee = Payee(given.payee.name, given.payee.sort_code, given.payee.account_number) if given.payee else None
    return _run(
        request,
        sessions,
        principal,
        tranche_id,
        given.model_dump(),
        key,
        lambda uow: returns.repay(uow, tranche_id, principal, policy=policy, payee=payee),
        policy_of(request),
    )
