"""Actions on a grant: record its agreement, endorse its plan, vary it, close it early (with a second person)."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import JSONResponse

from grants_shared.auth import Principal, Role, require
from grants_shared.clock import system_clock
from grants_shared.http.app import ReadSession, Sessions
from grants_shared.http.idempotency import idempotent_post
from grants_shared.uow import UnitOfWork
from payments.adapters.orm import Grant
from payments.adapters.records import variation_record
from payments.domain.release_rules import ReleasePolicy
from payments.domain.statuses import CLOSURE, REPROFILE
from payments.read.queries import grant_views, variations_of
from payments.routes.common import FINANCE, PROBLEMS, IdempotencyKey, StrictQuery, policy_of
from payments.routes.grants import GrantId
from payments.routes.schemas.actions import (
    AgreementIn,
    ClosureIn,
    EndorsementIn,
    VariationIn,
    VariationList,
    VariationOut,
)
from payments.routes.schemas.grants import GrantOut
from payments.usecases import conditions, variations
from payments.usecases.errors import GrantNotFound

router = APIRouter(tags=["grant actions"], dependencies=StrictQuery)
Officer = Annotated[Principal, Depends(require(Role.FINANCE_OFFICER))]
Assessor = Annotated[Principal, Depends(require(Role.ASSESSOR))]
Approver = Annotated[Principal, Depends(require(Role.FINANCE_APPROVER))]
Finance = Annotated[Principal, Depends(require(*FINANCE))]
VariationId = Annotated[str, Path(min_length=1, max_length=36)]


@router.post("/grants/{grant_id}/agreement", response_model=GrantOut, responses=PROBLEMS)
def record_agreement(
    request: Request,
    grant_id: GrantId,
    body: AgreementIn,
    sessions: Sessions,
    principal: Officer,
    key: IdempotencyKey = None,
) -> JSONResponse:
    """A finance officer records the grant agreement as signed (a condition of tranche 1; not by its endorser)."""
    policy = policy_of(request)
    return idempotent_post(
        request,
        sessions,
        principal,
        key,
        {"grant_id": grant_id, **body.model_dump()},
        lambda uow: (
            200,
            _grant(
                uow,
                conditions.record_agreement(
                    uow,
                    grant_id,
                    principal,
                    signed_on=body.signed_on,
                    reference=body.reference,
                    policy=policy,
                    clock=system_clock,
                ),
                policy,
            ),
        ),
    )


@router.post("/grants/{grant_id}/plan/endorse", response_model=GrantOut, responses=PROBLEMS)
def endorse_plan(
    request: Request,
    grant_id: GrantId,
    sessions: Sessions,
    principal: Assessor,
    key: IdempotencyKey = None,
    body: EndorsementIn | None = None,
) -> JSONResponse:
    """An assessor endorses the partnership's plan (tranche 1's other condition; not by the agreement's recorder)."""
    policy, note = policy_of(request), body.note if body else None
    return idempotent_post(
        request,
        sessions,
        principal,
        key,
        {"grant_id": grant_id, "note": note},
        lambda uow: (
            200,
            _grant(
                uow,
                conditions.endorse_plan(uow, grant_id, principal, note=note, policy=policy, clock=system_clock),
                policy,
            ),
        ),
    )


def _grant(uow: UnitOfWork, grant: Grant, policy: ReleasePolicy) -> dict[str, Any]:
    return grant_views(uow.session, [grant], policy)[0]


def _ask(
    request: Request,
    sessions: Any,
    principal: Principal,
    grant_id: str,
    ask: variations.VariationRequest,
    key: str | None,
) -> JSONResponse:

    def work(uow: UnitOfWork) -> tuple[int, Any]:
        variation = variations.request(uow, grant_id, principal, ask, clock=system_clock)
        return 202, variation_record(variation)

    return idempotent_post(request, sessions, principal, key, {"grant_id": grant_id, **ask.__dict__}, work)


@router.post(
    "/grants/{grant_id}/variations",
    response_model=VariationOut,
    status_code=202,
    responses=PROBLEMS,
)
def request_variation(
    request: Request,
    grant_id: GrantId,
    body: VariationIn,
    sessions: Sessions,
    principal: Officer,
    key: IdempotencyKey = None,
) -> JSONResponse:
    """Ask to re-profile the remaining tranches (202); a finance approver other than the requester applies it."""
    ask = variations.VariationRequest(
        REPROFILE, body.reason, body.new_total_pence, body.pattern, body.first_tranche_bps
    )
    return _ask(request, sessions, principal, grant_id, ask, key)


@router.post("/grants/{grant_id}/close", response_model=VariationOut, status_code=202, responses=PROBLEMS)
def close_grant(
    request: Request,
    grant_id: GrantId,
    body: ClosureIn,
    sessions: Sessions,
    principal: Officer,
    key: IdempotencyKey = None,
) -> JSONResponse:
    """Ask to close the grant early; a finance approver other than the requester approves it as a variation."""
    ask = variations.VariationRequest(CLOSURE, body.reason)
    return _ask(request, sessions, principal, grant_id, ask, key)


@router.get("/grants/{grant_id}/variations", response_model=VariationList, responses=PROBLEMS)
def list_variations(grant_id: GrantId, principal: Finance, session: ReadSession) -> Any:
    """A grant's variations and closures, oldest first."""
    if session.get(Grant, grant_id) is None:
        raise GrantNotFound(f"No grant {grant_id!r}.")
    return {"items": variations_of(session, grant_id)}


def _decide(
    request: Request,
    sessions: Any,
    principal: Principal,
    grant_id: str,
    variation_id: str,
    approve: bool,
    key: str | None,
) -> JSONResponse:
    policy = policy_of(request)
    return idempotent_post(
        request,
        sessions,
        principal,
        key,
        {"grant_id": grant_id, "variation_id": variation_id},
        lambda uow: (
            200,
            variation_record(
                variations.decide(
                    uow, grant_id, variation_id, principal, approve=approve, policy=policy, clock=system_clock
                )
            ),
        ),
    )


@router.post("/grants/{grant_id}/variations/{variation_id}/approve", response_model=VariationOut, responses=PROBLEMS)
def approve_variation(
    request: Request,
    grant_id: GrantId,
    variation_id: VariationId,
    sessions: Sessions,
    principal: Approver,
    key: IdempotencyKey = None,
) -> JSONResponse:
    """Approve and apply a pending variation or closure; its requester cannot (409)."""
    return _decide(request, sessions, principal, grant_id, variation_id, True, key)


@router.post("/grants/{grant_id}/variations/{variation_id}/reject", response_model=VariationOut, responses=PROBLEMS)
def reject_variation(
    request: Request,
    grant_id: GrantId,
    variation_id: VariationId,
    sessions: Sessions,
    principal: Approver,
    key: IdempotencyKey = None,
) -> JSONResponse:
    """Reject a pending variation or closure; nothing changes."""
    return _decide(request, sessions, principal, grant_id, variation_id, False, key)
