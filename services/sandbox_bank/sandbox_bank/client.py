"""A tiny typed HTTP client for the sandbox bank (httpx + stdlib only); not used by the bank itself."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from datetime import datetime
from types import TracebackType
from typing import Any, TypeVar
from urllib.parse import quote

import httpx

T = TypeVar("T")


class ProviderError(Exception):
    """Base class of every error raised by the client."""


class ProviderTimeout(ProviderError):
    """Outcome unknown (timeout, broken connection or 5xx): the payment may exist; resolve with find_by_key."""


class ProviderRejected(ProviderError):
    """The bank refused the request (4xx): nothing was done for it. ``problem`` is the problem+json body."""

    def __init__(self, status: int, problem: dict[str, Any]) -> None:
        super().__init__(f"{status} {problem.get('title', '')}: {problem.get('detail', '')}".strip())
        self.status, self.problem = status, problem


class ProviderUnauthorized(ProviderError):
    """The bank refused the credential (401/403): nothing was done; fix the key, do not retry the payment as failed."""


class ProviderNotFound(ProviderRejected):
    """The bank has no such payment (404)."""


@dataclass(frozen=True)
class Payee:
    """The account to pay."""

    name: str
    sort_code: str
    account_number: str


@dataclass(frozen=True)
class ProviderPayment:
    """A payment as the bank reports it; status is pending, settled, failed or returned."""

    payment_id: str
    idempotency_key: str
    status: str
    amount_pence: int
    currency: str
    reference: str
    created_at: datetime
    settled_at: datetime | None = None
    returned_at: datetime | None = None
    failure_reason: str | None = None
    return_reason: str | None = None
    replayed: bool = False


@dataclass(frozen=True)
class SettlementLine:
    """One line of the settlement report: ``kind`` is "settled" (money out) or "returned" (money back)."""

    payment_id: str
    idempotency_key: str
    reference: str
    amount_pence: int
    currency: str
    kind: str
    occurred_at: datetime
    reason: str | None
    payment_status: str


@dataclass(frozen=True)
class SettlementReport:
    """Lines with ``since <= occurred_at < until``; ask again with ``since=until`` for the next ones."""

    since: datetime
    until: datetime
    lines: list[SettlementLine]


def _build(cls: type[T], data: dict[str, Any], **extra: Any) -> T:
    """A dataclass from the bank's JSON: known fields only (new ones are ignored), ISO strings to datetimes."""
    values = {f.name: data[f.name] for f in fields(cls) if f.name in data}  # type: ignore[arg-type]
    for f in fields(cls):  # type: ignore[arg-type]
        if "datetime" in str(f.type) and isinstance(values.get(f.name), str):
            values[f.name] = datetime.fromisoformat(values[f.name])
    return cls(**values, **extra)


class SandboxBankClient:
    """Synchronous client: ``with SandboxBankClient("http://127.0.0.1:8005", api_key, timeout=5) as bank: ...``."""

    def __init__(
        self, base_url: str, api_key: str, timeout: float = 5.0, transport: httpx.BaseTransport | None = None
    ) -> None:
        headers = {"Authorization": f"Bearer {api_key}"}
        self._http = httpx.Client(base_url=base_url, timeout=timeout, transport=transport, headers=headers)

    def __enter__(self) -> SandboxBankClient:
        return self

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection pool."""
        self._http.close()

    def _send(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        try:
            response = self._http.request(method, url, **kwargs)
        except httpx.TimeoutException as exc:
            raise ProviderTimeout(f"{method} {url}: no answer in time ({type(exc).__name__})") from exc
        except httpx.TransportError as exc:
            raise ProviderTimeout(f"{method} {url}: transport failed ({type(exc).__name__})") from exc
        if response.status_code >= 500:
            raise ProviderTimeout(f"{method} {url}: bank error {response.status_code}")
        if response.status_code in (401, 403):
            raise ProviderUnauthorized(f"{method} {url}: the bank refused the credential ({response.status_code})")
        if response.status_code >= 400:
            try:
                problem = response.json()
            except ValueError:
                problem = {"title": response.reason_phrase, "detail": response.text[:200]}
            error = ProviderNotFound if response.status_code == 404 else ProviderRejected
            raise error(response.status_code, problem if isinstance(problem, dict) else {"detail": problem})
        return response

    def create_payment(self, idempotency_key: str, amount_pence: int, payee: Payee, reference: str) -> ProviderPayment:
        """Instruct a payment; safe to retry with the same key (the bank replays its first answer)."""
        body = {"amount_pence": amount_pence, "currency": "GBP", "payee_account": asdict(payee), "reference": reference}
        response = self._send("POST", "/payments", json=body, headers={"Idempotency-Key": idempotency_key})
        replayed = response.headers.get("Idempotent-Replayed", "").lower() == "true"
        return _build(ProviderPayment, response.json(), replayed=replayed)

    def find_by_key(self, key: str) -> ProviderPayment | None:
        """The payment the bank created for ``key``, or None if it never received the instruction."""
        try:
            response = self._send("GET", "/payments", params={"idempotency_key": key})
        except ProviderNotFound as exc:
            if str(exc.problem.get("type", "")).endswith("/payment-not-found"):
                return None  # the bank itself says so; any other 404 (wrong URL, proxy) is not an answer
            raise
        return _build(ProviderPayment, response.json())

    def get(self, payment_id: str) -> ProviderPayment:
        """A payment by the bank's id (raises ProviderNotFound if unknown)."""
        return _build(ProviderPayment, self._send("GET", f"/payments/{quote(payment_id, safe='')}").json())

    def settlements(self, since: datetime | None = None) -> SettlementReport:
        """Settled and returned lines since ``since`` (aware datetime; naive is taken as UTC)."""
        params = {} if since is None else {"since": since.isoformat()}
        data = self._send("GET", "/settlements", params=params).json()
        lines = [_build(SettlementLine, line) for line in data["entries"]]
        since_, until = (datetime.fromisoformat(data[name]) for name in ("since", "until"))
        return SettlementReport(since=since_, until=until, lines=lines)
