"""The payment provider behind one interface, and its default: the sandbox bank over HTTP (httpx)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol
from urllib.parse import quote

import httpx


class ProviderError(Exception):
    """Base of every provider error."""


class ProviderTimeout(ProviderError):
    """The outcome is unknown (timeout, broken connection, 5xx): ask the provider by key, never pay again."""


class ProviderRejected(ProviderError):
    """The provider refused the request (4xx); `problem` is its problem+json body."""

    def __init__(self, status: int, problem: dict[str, Any]) -> None:
        super().__init__(f"{status} {problem.get('title', '')}: {problem.get('detail', '')}".strip())
        self.http_status, self.problem = status, problem


class ProviderUnauthorized(ProviderError):
    """The provider refused our credential (401/403): nothing was done, and no instruction is to blame."""


class ProviderNotFound(ProviderRejected):
    """The provider has no such payment (404)."""


@dataclass(frozen=True)
class Payee:
    """The account to pay."""

    name: str
    sort_code: str
    account_number: str


@dataclass(frozen=True)
class ProviderPayment:
    """A payment as the provider reports it: status pending, settled, failed or returned."""

    payment_id: str
    idempotency_key: str
    status: str
    amount_pence: int
    created_at: datetime
    settled_at: datetime | None = None
    returned_at: datetime | None = None
    failure_reason: str | None = None
    return_reason: str | None = None


@dataclass(frozen=True)
class SettlementLine:
    """One line of the provider's settlement report: money out ("settled") or back ("returned")."""

    payment_id: str
    idempotency_key: str
    kind: str
    occurred_at: datetime
    reason: str | None
    amount_pence: int
    reference: str


@dataclass(frozen=True)
class SettlementReport:
    """Lines with since <= occurred_at < until; ask again from `until` for the next ones."""

    until: datetime
    lines: list[SettlementLine]


class PaymentProvider(Protocol):
    """What payments needs from a payment provider; every call is safe to repeat."""

    name: str

    def create_payment(
        self, *, idempotency_key: str, amount_pence: int, payee: Payee, reference: str
    ) -> ProviderPayment:
        """Instruct a payment once per key (a repeat returns the first payment)."""
        ...

    def find_by_key(self, idempotency_key: str) -> ProviderPayment | None:
        """The payment made for a key, or None if the provider never received it."""
        ...

    def get(self, payment_id: str) -> ProviderPayment:
        """A payment by the provider's id, with its current status."""
        ...

    def settlements(self, since: datetime | None) -> SettlementReport:
        """Settled and returned lines since `since`."""
        ...


def _payment(data: dict[str, Any]) -> ProviderPayment:
    def at(name: str) -> datetime | None:
        """An optional timestamp field."""
        return datetime.fromisoformat(data[name]) if data.get(name) else None

    return ProviderPayment(
        payment_id=data["payment_id"],
        idempotency_key=data["idempotency_key"],
        status=data["status"],
        amount_pence=int(data["amount_pence"]),
        created_at=datetime.fromisoformat(data["created_at"]),
        settled_at=at("settled_at"),
        returned_at=at("returned_at"),
        failure_reason=data.get("failure_reason"),
        return_reason=data.get("return_reason"),
    )


class SandboxBankProvider:
    """The sandbox bank (services/sandbox_bank) over HTTP with our bearer key; 5xx and transport errors count as
    timeouts, a refused key as ProviderUnauthorized (the loops back off; no instruction fails for it)."""

    name = "sandbox_bank"

    def __init__(
        self,
        base_url: str,
        *,
        api_key: str | None,
        timeout: float = 3.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._http = httpx.Client(base_url=base_url, timeout=timeout, transport=transport, headers=headers)

    def close(self) -> None:
        """Close the connection pool."""
        self._http.close()

    def _send(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        try:
            response = self._http.request(method, url, **kwargs)
        except httpx.TransportError as error:  # timeouts included: the outcome is unknown
            raise ProviderTimeout(f"{method} {url}: {type(error).__name__}") from error
        if response.status_code >= 500:
            raise ProviderTimeout(f"{method} {url}: provider error {response.status_code}")
        if response.status_code in (401, 403):
            raise ProviderUnauthorized(f"{method} {url}: the provider refused our credential ({response.status_code})")
        if response.status_code >= 400:
            try:
                problem = response.json()
            except ValueError:
                problem = {"title": response.reason_phrase, "detail": response.text[:200]}
            problem = problem if isinstance(problem, dict) else {"detail": str(problem)}
            raise (ProviderNotFound if response.status_code == 404 else ProviderRejected)(response.status_code, problem)
        return response

    def create_payment(
        self, *, idempotency_key: str, amount_pence: int, payee: Payee, reference: str
    ) -> ProviderPayment:
        """POST /payments with the instruction id as Idempotency-Key."""
        body = {
            "amount_pence": amount_pence,
            "currency": "GBP",
            "payee_account": {"name": payee.name, "sort_code": payee.sort_code, "account_number": payee.account_number},
            "reference": reference,
        }
        return _payment(self._send("POST", "/payments", json=body, headers={"Idempotency-Key": idempotency_key}).json())

    def find_by_key(self, idempotency_key: str) -> ProviderPayment | None:
        """GET /payments?idempotency_key=K: how an ambiguous outcome is resolved."""
        try:
            return _payment(self._send("GET", "/payments", params={"idempotency_key": idempotency_key}).json())
        except ProviderNotFound:
            return None

    def get(self, payment_id: str) -> ProviderPayment:
        """GET /payments/{id}."""
        return _payment(self._send("GET", f"/payments/{quote(payment_id, safe='')}").json())

    def settlements(self, since: datetime | None) -> SettlementReport:
        """GET /settlements?since=..."""
        params = {} if since is None else {"since": since.isoformat()}
        data = self._send("GET", "/settlements", params=params).json()
        lines = [
            SettlementLine(
                payment_id=line["payment_id"],
                idempotency_key=line["idempotency_key"],
                kind=line["kind"],
                occurred_at=datetime.fromisoformat(line["occurred_at"]),
                reason=line.get("reason"),
                amount_pence=int(line["amount_pence"]),
                reference=str(line.get("reference", "")),
            )
            for line in data["entries"]
        ]
        return SettlementReport(until=datetime.fromisoformat(data["until"]), lines=lines)
