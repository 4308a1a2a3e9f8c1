"""A webhook delivery's states: owed until its endpoint answers 2xx, or until a day of attempts has failed."""

PENDING, DELIVERED, FAILED = "pending", "delivered", "failed"


def status_after(answered_ok: bool, given_up: bool) -> str:
    """The delivery's status after an attempt: delivered on a 2xx, failed once given up, else still owed."""
    if answered_ok:
        return DELIVERED
    return FAILED if given_up else PENDING
