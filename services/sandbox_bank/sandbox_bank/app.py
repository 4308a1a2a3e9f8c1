"""The sandbox bank's HTTP API (routes and lifespan); run with ``uvicorn sandbox_bank.app:app``."""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import FastAPI, Header, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from . import behaviours, service, settlement
from .config import Settings, get_settings
from .db import ensure_sqlite_dir, make_engine, make_sessionmaker, transaction
from .models import Base
from .problems import BodySizeLimit, ProblemError, install_handlers
from .schemas import (
    BehaviourIn,
    BehaviourList,
    BehaviourOut,
    ClearedOut,
    Health,
    PaymentIn,
    PaymentOut,
    SettlementEntry,
    SettlementReport,
    SettleNowOut,
)

KEY_PATTERN = re.compile(r"^[!-~]{1,255}$")
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
PROBLEM = {"content": {"application/problem+json": {}}, "description": "problem+json (RFC 9457)"}
ERRORS: dict[int | str, dict[str, Any]] = dict.fromkeys((400, 404, 409, 413, 422), PROBLEM)


def _aware(value: datetime) -> datetime:
    try:
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    except OverflowError:
        raise ProblemError(422, f"date out of range: {value.isoformat()}", "validation-error") from None


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app with its own engine, session factory and background settler."""
    cfg = settings or get_settings()
    engine = make_engine(cfg.database_url)
    factory: sessionmaker[Session] = make_sessionmaker(engine)

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        ensure_sqlite_dir(cfg.database_url)
        await run_in_threadpool(Base.metadata.create_all, engine)
        await run_in_threadpool(settlement.sweep_once, factory)  # catch up on anything due while down
        task = asyncio.create_task(settlement.run_settler(factory, cfg.sweep_interval_seconds))
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            engine.dispose()

    app = FastAPI(
        title="Sandbox bank",
        version="1.0.0",
        lifespan=lifespan,
        responses=ERRORS,
        description="A small real payment provider: idempotency keys, asynchronous settlement, "
        "failure injection. Amounts are integer pence, GBP only.",
    )
    app.add_middleware(BodySizeLimit, max_bytes=cfg.max_body_bytes)
    install_handlers(app)
    app.state.settings, app.state.sessions = cfg, factory

    @app.post("/payments", status_code=201, response_model=PaymentOut, tags=["payments"])
    async def create_payment(
        data: PaymentIn, idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key")] = None
    ) -> Response:
        """Instruct a payment; a retry with the same key and body replays the first response."""
        if idempotency_key is None or not KEY_PATTERN.match(idempotency_key):
            raise ProblemError(
                400, "an Idempotency-Key header of 1-255 printable characters is required", "idempotency-key-required"
            )
        try:
            outcome = await run_in_threadpool(service.create_or_replay, factory, cfg, idempotency_key, data)
        except service.IdempotencyConflict:
            raise ProblemError(
                409, "this Idempotency-Key was already used with a different request body", "idempotency-key-reused"
            ) from None
        if outcome.response_delay_seconds:
            await asyncio.sleep(outcome.response_delay_seconds)  # injected "timeout": recorded, answered late
        headers = {"Location": f"/payments/{outcome.payment_id}"}
        if outcome.replayed:
            headers["Idempotent-Replayed"] = "true"
        return Response(outcome.body, status_code=outcome.status_code, media_type="application/json", headers=headers)

    @app.get("/payments/{payment_id}", response_model=PaymentOut, tags=["payments"])
    def get_payment(payment_id: str) -> PaymentOut:
        """A payment by id, with its current status."""
        found = service.read_payment(factory, payment_id=payment_id)
        if found is None:
            raise ProblemError(404, f"no payment {payment_id!r}", "payment-not-found")
        return found

    @app.get("/payments", response_model=PaymentOut, tags=["payments"])
    def find_payment(idempotency_key: Annotated[str, Query(min_length=1, max_length=255)]) -> PaymentOut:
        """The payment created for an idempotency key: how a client resolves a timeout."""
        found = service.read_payment(factory, key=idempotency_key)
        if found is None:
            raise ProblemError(404, "no payment was created with this idempotency key", "payment-not-found")
        return found

    @app.get("/settlements", response_model=SettlementReport, tags=["settlements"])
    def settlements(since: datetime | None = None, until: datetime | None = None) -> SettlementReport:
        """Settlement report: settled and returned lines with since <= occurred_at < until."""
        with transaction(factory) as session:
            now = settlement.locked_now(session)
            settlement.sweep(session, now)
            start, end = _aware(since or EPOCH), min(_aware(until or now), now)
            entries = [
                SettlementEntry(
                    payment_id=p.id,
                    idempotency_key=p.idempotency_key,
                    reference=p.reference,
                    amount_pence=p.amount_pence,
                    currency=p.currency,
                    kind=kind,  # type: ignore[arg-type]
                    occurred_at=at,
                    reason=p.return_reason if kind == "returned" else None,
                    payment_status=p.status,
                )  # type: ignore[arg-type]
                for p, kind, at in settlement.report_rows(session, start, end)
            ]
        return SettlementReport(since=start, until=end, entries=entries)

    _add_control_routes(app, factory)
    return app


def _add_control_routes(app: FastAPI, factory: sessionmaker[Session]) -> None:
    """Failure injection, settle-now and health routes."""

    def _out(row: Any) -> BehaviourOut:
        return BehaviourOut(
            id=row.id,
            behaviour=row.behaviour,
            remaining=row.remaining,
            match_reference=row.match_reference,
            created_at=row.created_at,
        )

    @app.post("/control/behaviours", status_code=201, response_model=BehaviourOut, tags=["control"])
    def queue_behaviour(data: BehaviourIn) -> BehaviourOut:
        """Queue a behaviour (fail, timeout, return, delay) for the next matching new payments."""
        with transaction(factory) as session:
            row = behaviours.queue(
                session, data.behaviour, data.count, data.match_reference, settlement.locked_now(session)
            )
            return _out(row)

    @app.get("/control/behaviours", response_model=BehaviourList, tags=["control"])
    def list_behaviours() -> BehaviourList:
        """Behaviours still queued, in the order they will apply."""
        with transaction(factory) as session:
            return BehaviourList(items=[_out(row) for row in behaviours.list_queued(session)])

    @app.delete("/control/behaviours", response_model=ClearedOut, tags=["control"])
    def clear_behaviours() -> ClearedOut:
        """Remove every queued behaviour."""
        with transaction(factory) as session:
            return ClearedOut(cleared=behaviours.clear(session))

    @app.post("/control/settle-now", response_model=SettleNowOut, tags=["control"])
    def settle_now() -> SettleNowOut:
        """Settle every pending payment now, due or not (failed payments stay failed)."""
        with transaction(factory) as session:
            return SettleNowOut(settled=settlement.settle_now(session, settlement.locked_now(session)))

    @app.get("/healthz", response_model=Health, tags=["health"])
    def healthz() -> Health:
        """Liveness: the process answers."""
        return Health(status="ok")

    @app.get("/readyz", response_model=Health, tags=["health"])
    def readyz(request: Request) -> Health:
        """Readiness: the database answers."""
        try:
            with factory() as session:
                session.execute(text("SELECT 1"))
        except Exception as exc:
            raise ProblemError(503, f"database unavailable: {type(exc).__name__}", "not-ready") from None
        return Health(status="ready")


app = create_app()
