"""A service's own bearer token for calling another service, never a user's token minted on its behalf.

In production (or wherever client credentials are configured) the token comes from the OpenID Connect provider's
token endpoint by the OAuth2 client credentials grant (RFC 6749 4.4, client_secret_basic); the provider decides the
roles it carries. In development, with no credentials configured, the service mints a short development token of
its own naming only its service role. Either is kept until shortly before it expires.
"""

import threading
import time
from collections.abc import Callable
from datetime import timedelta

import httpx

from grants_shared import oidc
from grants_shared.settings import PlatformSettings
from grants_shared.tokens import Role, mint_token

RENEW_BEFORE_S = 30.0  # a token this close to its expiry is replaced, so a call never starts with a dying token
DEVELOPMENT_TTL = timedelta(minutes=10)


class ServiceCredentials:
    """Bearer tokens for one calling service: `subject` and `roles` in development, its client otherwise."""

    def __init__(
        self,
        settings: PlatformSettings,
        *,
        subject: str,
        roles: list[Role],
        client_id: str | None,
        client_secret: str | None,
        scope: str | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if not settings.development_tokens and not (client_id and client_secret):
            raise ValueError(f"{subject} needs its own OAuth2 client id and secret in production")
        self.settings, self.subject, self.roles, self.scope, self.clock = settings, subject, roles, scope, clock
        self.client = (client_id, client_secret) if client_id and client_secret else None
        self._token, self._expires, self._lock = "", 0.0, threading.Lock()

    def token(self) -> str:
        """A valid bearer token, fetched or minted when none is held or it is about to expire."""
        with self._lock:
            if self.clock() >= self._expires - RENEW_BEFORE_S:
                self._token, lifetime = self._fetch() if self.client else self._mint()
                self._expires = self.clock() + lifetime
            return self._token

    def _mint(self) -> tuple[str, float]:
        token = mint_token(self.settings, subject=self.subject, roles=self.roles, ttl=DEVELOPMENT_TTL)
        return token, DEVELOPMENT_TTL.total_seconds()

    def _fetch(self) -> tuple[str, float]:
        url = self.settings.oidc_token_url or oidc.discovered(self.settings, "token_endpoint")
        form = {"grant_type": "client_credentials", **({"scope": self.scope} if self.scope else {})}
        answer = httpx.post(url, data=form, auth=self.client, timeout=self.settings.oidc_http_timeout_s)
        answer.raise_for_status()
        body = answer.json()
        if not isinstance(body.get("access_token"), str) or str(body.get("token_type", "")).lower() != "bearer":
            raise ValueError(f"the token endpoint {url} gave no bearer access token")
        return body["access_token"], float(body.get("expires_in") or 60)
