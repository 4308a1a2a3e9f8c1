"""Ledger account names and their sign convention (a balance is debits minus credits, in pence).

Seen from the fund's books:

| account | meaning | normal balance |
|---|---|---|
| `fund:awarded` | commitments the fund has made, net of releases (grant expense) | debit |
| `grant:<id>:commitment` | committed to a grant, not yet instructed | credit |
| `payments:in_flight` | instructed to the bank, not yet settled: the pending transfers | credit |
| `cash:paid` | money gone out of the fund's bank account | credit |
| `cash:returned` | money come back into the fund's bank account | debit |
| `returns:receivable` | owed back to the fund, not yet received (reserved: no builder posts it) | debit |

As positive figures, always: awarded = outstanding + in flight + paid - returned - receivable.
"""

FUND_AWARDED = "fund:awarded"
PAYMENTS_IN_FLIGHT = "payments:in_flight"
CASH_PAID = "cash:paid"
RETURNED = "cash:returned"
RETURNS_RECEIVABLE = "returns:receivable"
_COMMITMENT_PREFIX, _COMMITMENT_SUFFIX = "grant:", ":commitment"


def grant_commitment(grant_id: str) -> str:
    """The account holding what the fund has committed to `grant_id` and not yet instructed."""
    if not isinstance(grant_id, str) or not grant_id.strip() or ":" in grant_id:
        raise ValueError(f"grant_id must be a non-empty string without ':', got {grant_id!r}")
    return f"{_COMMITMENT_PREFIX}{grant_id}{_COMMITMENT_SUFFIX}"


def is_grant_commitment(account: str) -> bool:
    """Whether `account` is a per-grant commitment account."""
    return account.startswith(_COMMITMENT_PREFIX) and account.endswith(_COMMITMENT_SUFFIX)
