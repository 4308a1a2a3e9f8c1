"""Loading what a use case changes, locked in the one order every writer uses: the grant first, then its rows."""

from sqlalchemy import select

from grants_shared.uow import UnitOfWork
from payments.adapters.orm import Grant, Tranche
from payments.domain.statuses import GRANT_ACTIVE
from payments.usecases.errors import GrantNotActive, GrantNotFound, TrancheNotFound


def load_grant(uow: UnitOfWork, grant_id: str) -> Grant:
    """The grant, locked; `GrantNotFound` when unknown."""
    grant = uow.session.get(Grant, grant_id, with_for_update=True)
    if grant is None:
        raise GrantNotFound(f"No grant {grant_id!r}.")
    return grant


def require_active(grant: Grant) -> None:
    """`GrantNotActive` unless the grant is still being paid."""
    if grant.status != GRANT_ACTIVE:
        raise GrantNotActive(f"Grant {grant.grant_id} is {grant.status}.")


def load_tranche(uow: UnitOfWork, tranche_id: str) -> tuple[Grant, Tranche]:
    """The tranche and its grant, locked grant first; `TrancheNotFound` when unknown."""
    grant_id = uow.session.scalar(select(Tranche.grant_id).where(Tranche.tranche_id == tranche_id))
    grant = uow.session.get(Grant, grant_id, with_for_update=True) if grant_id is not None else None
    tranche = uow.session.get(Tranche, tranche_id, with_for_update=True) if grant is not None else None
    if grant is None or tranche is None:
        raise TrancheNotFound(f"No tranche {tranche_id!r}.")
    return grant, tranche
