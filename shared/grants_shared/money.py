"""Money as integer pence: the only representation of an amount anywhere in the platform."""

from typing import Annotated

from pydantic import Field

Pence = Annotated[int, Field(strict=True, ge=0, description="An amount in pence (GBP), never a float.")]
PositivePence = Annotated[int, Field(strict=True, gt=0, description="A positive amount in pence (GBP).")]


def format_gbp(pence: int) -> str:
    """Format integer pence as pounds for people: 150000000 -> '£1,500,000', 12345 -> '£123.45'."""
    sign = "-" if pence < 0 else ""
    pounds, rest = divmod(abs(pence), 100)
    return f"{sign}£{pounds:,}" if rest == 0 else f"{sign}£{pounds:,}.{rest:02d}"


def paid_words(paid_gross_pence: int, returned_pence: int) -> dict[str, int]:
    """The same money in the words reporting and payments share (docs/reporting.md, "Money words").

    `paid_pence` is net of returns everywhere, as in payments' grant view and events: money that left the fund and
    stayed out (`paid_net_pence`). `paid_gross_pence` is every settled payment, returned or not.
    """
    net = paid_gross_pence - returned_pence
    return {
        "paid_pence": net,
        "paid_net_pence": net,
        "paid_gross_pence": paid_gross_pence,
        "returned_pence": returned_pence,
    }
