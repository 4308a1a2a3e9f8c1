"""Fund position arithmetic: integer pence only, shares in basis points rounded down."""

from dataclasses import dataclass

from grants_shared.money import paid_words

BASIS_POINTS = 10_000


def share_bp(part_pence: int, whole_pence: int) -> int:
    """`part` as basis points of `whole`, rounded down (exact integer arithmetic); 0 when `whole` is 0."""
    if whole_pence <= 0:
        return 0
    return part_pence * BASIS_POINTS // whole_pence


@dataclass(frozen=True)
class Totals:
    """The fund's money totals, all integer pence (committed is net of what early closures released)."""

    budget_pence: int
    committed_pence: int
    paid_pence: int  # gross: every settled payment, returned or not (as_dict names it paid_gross_pence)
    returned_pence: int
    released_pence: int = 0

    @property
    def remaining_pence(self) -> int:
        """Budget not yet committed to a grant."""
        return self.budget_pence - self.committed_pence

    @property
    def unpaid_commitments_pence(self) -> int:
        """Committed money still to leave the fund (returned payments are owed again)."""
        return self.committed_pence - self.paid_pence + self.returned_pence

    def as_dict(self) -> dict[str, int]:
        """The totals and the figures derived from them."""
        return {
            "budget_pence": self.budget_pence,
            "committed_pence": self.committed_pence,
            **paid_words(self.paid_pence, self.returned_pence),
            "released_pence": self.released_pence,
            "remaining_pence": self.remaining_pence,
            "unpaid_commitments_pence": self.unpaid_commitments_pence,
        }


def _natural(key: str) -> tuple[bool, int, str]:
    return (not key.isdigit(), int(key) if key.isdigit() else 0, key)


def breakdown(committed_by_key: dict[str, tuple[int, int]], committed_pence: int) -> dict[str, dict[str, int]]:
    """Per key (decile or region, in natural order): committed pence, grants and share of all committed in bp."""
    return {
        key: {"committed_pence": pence, "grants": grants, "share_bp": share_bp(pence, committed_pence)}
        for key, (pence, grants) in sorted(committed_by_key.items(), key=lambda item: _natural(item[0]))
    }
