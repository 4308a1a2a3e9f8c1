"""Event consumers: each turns another service's event into a payments use case (inbox and commit done outside).

The settings come from the worker's composition root: `consumed(settings)` loads the release policy once and binds
it and the payee settings to each handler, so nothing is looked up per message.
"""

from functools import partial

from grants_shared.delivery import Handler
from grants_shared.events import Envelope, Event, GrantAwarded, PartnershipChanged, ReportAccepted, RoundOpened
from grants_shared.uow import UnitOfWork
from payments.adapters.release_policy import load_policy
from payments.config import Settings
from payments.domain.release_rules import ReleasePolicy
from payments.usecases import awards as handlers


def on_grant_awarded(
    envelope: Envelope[GrantAwarded], uow: UnitOfWork, policy: ReleasePolicy, payee_sort_code: str
) -> None:
    """Schedule the grant's tranches, commit it in the ledger and hold tranche 1 until its conditions are met."""
    handlers.award_grant(uow, envelope.payload, policy=policy, payee_sort_code=payee_sort_code)


def on_report_accepted(envelope: Envelope[ReportAccepted], uow: UnitOfWork, policy: ReleasePolicy) -> None:
    """Release the tranche after the accepted report's period (NotReady until the grant is known)."""
    handlers.accept_report(uow, envelope.payload, policy=policy)


def on_partnership_changed(envelope: Envelope[PartnershipChanged], uow: UnitOfWork, policy: ReleasePolicy) -> None:
    """Hold or resume the unreleased tranches of the partnership's grants."""
    handlers.change_partnership(uow, envelope.payload, policy=policy, event_id=envelope.event_id)


def on_round_opened(envelope: Envelope[RoundOpened], uow: UnitOfWork) -> None:
    """Remember the round's budget, which no variation may exceed."""
    handlers.open_round(uow, envelope.payload)


def consumed(settings: Settings) -> list[tuple[type[Event], Handler]]:
    """What the worker subscribes to, each handler bound once to the worker's release policy and payee settings."""
    policy = load_policy(settings.release_policy_file)
    return [
        (GrantAwarded, partial(on_grant_awarded, policy=policy, payee_sort_code=settings.payee_sort_code)),
        (ReportAccepted, partial(on_report_accepted, policy=policy)),
        (PartnershipChanged, partial(on_partnership_changed, policy=policy)),
        (RoundOpened, on_round_opened),
    ]
