"""Event consumers: each turns another service's event into a payments use case (inbox and commit done outside)."""

from grants_shared.events import Envelope, GrantAwarded, PartnershipChanged, ReportAccepted, RoundOpened
from grants_shared.uow import UnitOfWork
from payments import bootstrap
from payments.usecases import awards as handlers


def on_grant_awarded(envelope: Envelope[GrantAwarded], uow: UnitOfWork) -> None:
    """Schedule the grant's tranches, commit it in the ledger and hold tranche 1 until its conditions are met."""
    cfg = bootstrap.settings()
    handlers.award_grant(uow, envelope.payload, policy=bootstrap.policy(), payee_sort_code=cfg.payee_sort_code)


def on_report_accepted(envelope: Envelope[ReportAccepted], uow: UnitOfWork) -> None:
    """Release the tranche after the accepted report's period (NotReady until the grant is known)."""
    handlers.accept_report(uow, envelope.payload, policy=bootstrap.policy())


def on_partnership_changed(envelope: Envelope[PartnershipChanged], uow: UnitOfWork) -> None:
    """Hold or resume the unreleased tranches of the partnership's grants."""
    handlers.change_partnership(uow, envelope.payload, policy=bootstrap.policy(), event_id=envelope.event_id)


def on_round_opened(envelope: Envelope[RoundOpened], uow: UnitOfWork) -> None:
    """Remember the round's budget, which no variation may exceed."""
    handlers.open_round(uow, envelope.payload)
