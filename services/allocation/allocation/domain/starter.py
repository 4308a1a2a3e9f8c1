"""Starter rounds: getting-started money for places not yet ready for a main award, allocated least-first."""

from grants_shared.errors import Invalid

MAIN, STARTER = "main", "starter"
GRANT_TYPES = (MAIN, STARTER)
STARTER_MAX_AWARD_PENCE = 5_000_000  # £50k: the starter grant type's most (applications' rules agree)


def check_round_terms(grant_type: str, max_award_pence: int) -> None:
    """Refuse a starter round whose awards could exceed a starter grant (Invalid `starter-award-too-large`)."""
    if grant_type == STARTER and max_award_pence > STARTER_MAX_AWARD_PENCE:
        raise Invalid(
            f"A starter round awards at most {STARTER_MAX_AWARD_PENCE}p a grant; its maximum is {max_award_pence}p.",
            code="starter-award-too-large",
            title="A starter round's awards are small",
            max_award_pence=STARTER_MAX_AWARD_PENCE,
        )
