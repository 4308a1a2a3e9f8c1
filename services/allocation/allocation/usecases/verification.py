"""Verify a run: its stored inputs still hash as recorded and recompute, exactly, to its stored decisions."""

import hashlib
from dataclasses import dataclass, fields

from sqlalchemy import select
from sqlalchemy.orm import Session

from allocation.adapters.lookup import find_run
from allocation.adapters.orm import Decision, RunInputs
from allocation.domain.computing import Computed, DecisionRow, compute
from allocation.domain.inputs import parse


def recompute(body: str) -> Computed | None:
    """The decisions a stored inputs document yields, or None when it no longer is a valid document."""
    try:
        return compute(parse(body))
    except (ValueError, KeyError, TypeError):
        return None


def stored_inputs(session: Session, run_id: str) -> str:
    """The stored inputs document of a run (empty when missing)."""
    row = session.get(RunInputs, run_id)
    return row.body if row is not None else ""


def stored_decisions(session: Session, run_id: str) -> list[DecisionRow]:
    """A run's decisions as stored, in their order."""
    names = [f.name for f in fields(DecisionRow)]
    rows = session.scalars(select(Decision).where(Decision.run_id == run_id).order_by(Decision.position))
    return [DecisionRow(**{name: getattr(d, name) for name in names}) for d in rows]


@dataclass(frozen=True)
class Verification:
    """What verifying a run found: the stored hashes and digest beside the recomputed ones (VerifyOut)."""

    run_id: str
    verified: bool
    inputs_hash: str
    recomputed_inputs_hash: str
    decisions_digest: str
    recomputed_digest: str
    inputs_document_hash: str
    recomputed_document_hash: str
    stored_decisions_match: bool


def verify_run(session: Session, run_id: str) -> Verification:
    """Recompute a run from its stored inputs; compare both hashes, the digest and every stored decision."""
    run = find_run(session, run_id)
    body = stored_inputs(session, run_id)
    document_hash = hashlib.sha256(body.encode("utf-8")).hexdigest()
    recomputed = recompute(body)
    inputs_hash = recomputed.inputs_hash if recomputed else ""
    digest = recomputed.decisions_digest if recomputed else ""
    rows_match = recomputed is not None and stored_decisions(session, run_id) == recomputed.decisions
    verified = (
        inputs_hash == run.inputs_hash
        and digest == run.decisions_digest
        and document_hash == run.document_hash
        and rows_match
    )
    return Verification(
        run_id=run.id,
        verified=verified,
        inputs_hash=run.inputs_hash,
        recomputed_inputs_hash=inputs_hash,
        decisions_digest=run.decisions_digest,
        recomputed_digest=digest,
        inputs_document_hash=run.document_hash,
        recomputed_document_hash=document_hash,
        stored_decisions_match=rows_match,
    )
