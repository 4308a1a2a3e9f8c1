"""Pence as the pounds 360Giving publishes: an exact decimal, written as a JSON number without binary rounding."""

from decimal import Decimal


def pounds(pence: int) -> Decimal:
    """The exact amount in pounds (two decimal places, or none for whole pounds)."""
    whole, part = divmod(pence, 100)
    return Decimal(whole) if part == 0 else Decimal(pence).scaleb(-2)


def json_number(amount: Decimal) -> int | float:
    """A JSON number for `amount`: an int for whole pounds, else the float whose shortest repr is the same decimal.

    Python writes a float with the fewest digits that read back to it, so 12345.67 is written "12345.67": exact in
    the file for every amount below 2**53 pence.
    """
    return int(amount) if amount == amount.to_integral_value() else float(amount)
