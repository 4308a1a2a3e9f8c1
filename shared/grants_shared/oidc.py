"""The OpenID Connect provider, as the services see it: its discovery document and its signing keys (JWKS).

Keys are fetched on first use and again after GRANTS_OIDC_JWKS_LIFESPAN_S; a token naming a key id not held yet
(the provider rotated its keys) causes a fetch at once, but at most one per GRANTS_OIDC_JWKS_MIN_REFETCH_S, so
tokens with made-up key ids cannot make every request call the provider. A failed fetch keeps the keys held.
"""

import json
import logging
import threading
import time
import urllib.request
from collections.abc import Callable
from typing import Any

from jwt import PyJWK, PyJWKSet
from jwt.exceptions import PyJWKSetError

from grants_shared.settings import PlatformSettings

log = logging.getLogger(__name__)


class ProviderUnavailable(Exception):
    """The provider's discovery document or keys cannot be read, and none are held."""


class UnknownSigningKey(Exception):
    """The token names a key the provider does not publish."""


def fetch_json(url: str, timeout_s: float) -> dict[str, Any]:
    """GET a JSON object; ProviderUnavailable when it cannot be had."""
    try:
        with urllib.request.urlopen(url, timeout=timeout_s) as answer:  # noqa: S310 (the configured provider)
            body = json.loads(answer.read())
    except (OSError, ValueError) as error:
        raise ProviderUnavailable(f"{url}: {error}") from error
    if not isinstance(body, dict):
        raise ProviderUnavailable(f"{url}: not a JSON object")
    return body


_discovered: dict[str, dict[str, Any]] = {}
_discovery_failed: dict[str, float] = {}


def discovered(settings: PlatformSettings, name: str) -> str:
    """An endpoint of the provider's discovery document (`jwks_uri`, `token_endpoint`), fetched once.

    After a failed fetch the next waits GRANTS_OIDC_JWKS_MIN_REFETCH_S, like a key refetch.
    """
    issuer = (settings.oidc_issuer or "").rstrip("/")
    if issuer not in _discovered:
        failed_at = _discovery_failed.get(issuer)
        if failed_at is not None and time.monotonic() - failed_at < settings.oidc_jwks_min_refetch_s:
            raise ProviderUnavailable(f"the discovery document of {issuer} could not be read lately")
        try:
            _discovered[issuer] = fetch_json(f"{issuer}/.well-known/openid-configuration", settings.oidc_http_timeout_s)
        except ProviderUnavailable:
            _discovery_failed[issuer] = time.monotonic()
            raise
    value = _discovered[issuer].get(name)
    if not isinstance(value, str):
        raise ProviderUnavailable(f"the provider's discovery document has no {name}")
    return value


class SigningKeys:
    """The provider's signing keys by key id: cached, refetched when stale or on an unknown kid (rate-bounded)."""

    def __init__(
        self, url: str, *, lifespan_s: float, min_refetch_s: float, timeout_s: float, clock: Callable[[], float]
    ) -> None:
        self.url, self.lifespan_s, self.min_refetch_s, self.timeout_s = url, lifespan_s, min_refetch_s, timeout_s
        self.clock = clock
        self._keys: dict[str | None, PyJWK] = {}
        self._attempted_at: float | None = None
        self._lock = threading.Lock()

    def get(self, kid: str | None) -> PyJWK:
        """The key named `kid`; UnknownSigningKey or ProviderUnavailable when there is none to use."""
        with self._lock:
            now = self.clock()
            if self._attempted_at is None or now - self._attempted_at >= self.lifespan_s:
                self._refresh(now)
            elif kid not in self._keys and now - self._attempted_at >= self.min_refetch_s:
                self._refresh(now)
            key = self._keys.get(kid)
            if key is None and not self._keys:
                raise ProviderUnavailable(f"no signing keys could be read from {self.url}")
        if key is None:
            raise UnknownSigningKey(f"the provider publishes no signing key {kid!r}")
        return key

    def _refresh(self, now: float) -> None:
        self._attempted_at = now
        try:
            body = fetch_json(self.url, self.timeout_s)
            keys = [k for k in body.get("keys", []) if isinstance(k, dict) and k.get("use", "sig") == "sig"]
            self._keys = {key.key_id: key for key in PyJWKSet(keys).keys}
        except (ProviderUnavailable, PyJWKSetError) as error:
            log.warning("signing keys not refreshed from %s (keeping %d): %s", self.url, len(self._keys), error)


_key_sets: dict[tuple[str, float, float, float], SigningKeys] = {}
_key_sets_lock = threading.Lock()


def signing_keys(settings: PlatformSettings) -> SigningKeys:
    """The process's cache of the configured provider's keys (one per JWKS address and tuning)."""
    url = settings.oidc_jwks_url or discovered(settings, "jwks_uri")
    tuning = (settings.oidc_jwks_lifespan_s, settings.oidc_jwks_min_refetch_s, settings.oidc_http_timeout_s)
    with _key_sets_lock:
        keys = _key_sets.get((url, *tuning))
        if keys is None:
            keys = SigningKeys(
                url, lifespan_s=tuning[0], min_refetch_s=tuning[1], timeout_s=tuning[2], clock=time.monotonic
            )
            _key_sets[(url, *tuning)] = keys
        return keys


def claim(claims: dict[str, Any], path: str) -> Any:
    """The claim at a dotted path (`realm_access.roles`), or None."""
    value: Any = claims
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value
