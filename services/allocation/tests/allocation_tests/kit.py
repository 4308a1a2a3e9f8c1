"""Tokens and request bodies the tests share."""

from typing import Any

from grants_shared.auth import Role, mint_token
from grants_shared.settings import PlatformSettings


def bearer(role: Role, subject: str | None = None, organisation_id: str | None = None) -> dict[str, str]:
    """An Authorization header for a role."""
    token = mint_token(
        PlatformSettings(), subject=subject or f"test-{role}", roles=[role], organisation_id=organisation_id
    )
    return {"Authorization": f"Bearer {token}"}


ROUND: dict[str, Any] = {
    "name": "Round one",
    "budget_pence": 1_000_000_000,
    "min_award_pence": 100_000_000,
    "max_award_pence": 250_000_000,
}
