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
