"""Read every ward of the vintage in force from the applications service's API, checked end to end.

The applications service serves only its vintage in force, so the read is checked against the announced
vintage before and after paging: the inputs hash, the vintage on every ward, the ward and left-behind counts.
"""

from typing import Any

import httpx

from grants_shared.events import NeighbourhoodNeed

PAGE = 200  # the applications API's largest page
NEED_FIELDS = tuple(NeighbourhoodNeed.model_fields)


class RegistryUnavailable(Exception):
    """The vintage cannot be read now (another one is in force, or it changed while being read)."""


class RegistrySource:
    """The applications service's registry routes, read with a bearer token."""

    def __init__(self, base_url: str, token: str, http: httpx.Client | None = None) -> None:
        self.base_url, self.http = base_url.rstrip("/"), http or httpx.Client(timeout=30)
        self.headers = {"Authorization": f"Bearer {token}"}

    def __enter__(self) -> "RegistrySource":
        return self

    def __exit__(self, *_: object) -> None:
        self.http.close()

    def _page(self, path: str, offset: int, **params: Any) -> dict[str, Any]:
        response = self.http.get(
            f"{self.base_url}{path}", params={**params, "limit": PAGE, "offset": offset}, headers=self.headers
        )
        response.raise_for_status()
        body: dict[str, Any] = response.json()
        return body

    def _all(self, path: str) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        while True:
            body = self._page(path, len(items))
            items.extend(body["items"])
            if not body["items"] or len(items) >= body["total"]:
                return items

    def in_force_hash(self) -> str | None:
        """The inputs hash of the vintage the applications service has in force (None when it has none)."""
        return next((v["inputs_hash"] for v in self._all("/registry/vintages") if v["in_force"]), None)

    def wards(self) -> list[dict[str, Any]]:
        """Every ward of the vintage in force, by code."""
        return self._all("/neighbourhoods")


def need_snapshot(ward: dict[str, Any]) -> dict[str, Any]:
    """A ward as the NeighbourhoodNeed snapshot assessments carry, so both sources have one shape."""
    return NeighbourhoodNeed.model_validate({k: ward.get(k) for k in NEED_FIELDS if k in ward}).model_dump(mode="json")


def fetch_vintage(
    source: RegistrySource, inputs_hash: str, name: str, ward_count: int, left_behind_count: int
) -> list[dict[str, Any]]:
    """Every ward of the announced vintage as need snapshots; RegistryUnavailable when it cannot be read whole."""
    if (found := source.in_force_hash()) != inputs_hash:
        raise RegistryUnavailable(f"the applications service has {found or 'no vintage'} in force, not {inputs_hash}")
    wards = [need_snapshot(w) for w in source.wards()]
    if source.in_force_hash() != inputs_hash:
        raise RegistryUnavailable("the vintage in force changed while its wards were read")
    codes = {w["code"] for w in wards}
    left_behind = sum(1 for w in wards if w["left_behind"])
    problems = [
        f"{len(wards)} wards read, {ward_count} announced" if len(wards) != ward_count else "",
        "repeated ward codes" if len(codes) != len(wards) else "",
        f"{left_behind} left behind read, {left_behind_count} announced" if left_behind != left_behind_count else "",
        "wards of another vintage" if any(w["vintage"] != name for w in wards) else "",
    ]
    if any(problems):
        raise RegistryUnavailable("; ".join(p for p in problems if p))
    return wards
