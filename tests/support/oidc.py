"""A tiny real OpenID Connect provider on loopback: discovery, a JWKS with rotation, client credentials, tokens.

It signs with real keys (RSA, EC P-256, Ed25519 from `cryptography`) and serves them over HTTP from a thread, so
the services' key fetching, caching and rotation run as against a real provider.
"""

import base64
import json
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from jwt.algorithms import ECAlgorithm, OKPAlgorithm, RSAAlgorithm

AUDIENCE = "grants-api"
Key = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey


def new_key(alg: str) -> Key:
    """A fresh private key for `alg` (RS256, ES256 or EdDSA)."""
    if alg == "RS256":
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)
    if alg == "ES256":
        return ec.generate_private_key(ec.SECP256R1())
    if alg == "EdDSA":
        return ed25519.Ed25519PrivateKey.generate()
    raise ValueError(alg)


def public_jwk(kid: str, alg: str, key: Key) -> dict[str, Any]:
    """The JWK the provider publishes for a key."""
    public = key.public_key()
    algorithm = {"RS256": RSAAlgorithm, "ES256": ECAlgorithm, "EdDSA": OKPAlgorithm}[alg]
    jwk: dict[str, Any] = algorithm.to_jwk(public, as_dict=True)  # type: ignore[attr-defined]
    return {**jwk, "kid": kid, "alg": alg, "use": "sig"}


class OidcProvider:
    """The provider: `mint` tokens, `rotate` keys, register `clients`; counts JWKS fetches in `jwks_fetches`."""

    def __init__(self) -> None:
        self.keys: dict[str, tuple[str, Key]] = {}
        self.published: list[str] = []
        self.clients: dict[str, tuple[str, list[str]]] = {}
        self.jwks_fetches = 0
        self.realm = f"/realms/cwf-{uuid.uuid4().hex[:8]}"  # a new issuer each time, even on a reused port
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.issuer = f"http://127.0.0.1:{self.server.server_address[1]}{self.realm}"
        self.kid = self.add_key("RS256")

    def add_key(self, alg: str, publish: bool = True) -> str:
        """A new signing key (published in the JWKS unless `publish` is False); its kid."""
        kid = f"{alg.lower()}-{uuid.uuid4().hex[:8]}"
        self.keys[kid] = (alg, new_key(alg))
        if publish:
            self.published.append(kid)
        return kid

    def rotate(self, alg: str = "RS256") -> str:
        """Sign with a new key from now on and stop publishing the old ones; the new kid."""
        self.published.clear()
        self.kid = self.add_key(alg)
        return self.kid

    def mint(
        self, subject: str, roles: list[str], org: str | None = None, *, kid: str | None = None, **claims: Any
    ) -> str:
        """A token as the provider would issue it; `claims` override or add claims (`aud`, `iss`, `exp`, ...)."""
        kid = kid or self.kid
        alg, key = self.keys[kid]
        now = datetime.now(UTC)
        body: dict[str, Any] = {
            "iss": self.issuer,
            "aud": AUDIENCE,
            "sub": subject,
            "roles": roles,
            "iat": now,
            "exp": now + timedelta(minutes=10),
        }
        if org:
            body["org"] = org
        return jwt.encode({**body, **claims}, key, algorithm=alg, headers={"kid": kid})

    def bearer(self, subject: str, *roles: str, org: str | None = None) -> dict[str, str]:
        """An Authorization header with a provider token."""
        return {"Authorization": f"Bearer {self.mint(subject, list(roles), org)}"}

    def env(self, **more: str) -> dict[str, str]:
        """The environment of a production service trusting this provider."""
        return {
            "GRANTS_ENV": "production",
            "GRANTS_OIDC_ISSUER": self.issuer,
            "GRANTS_OIDC_AUDIENCE": AUDIENCE,
            # Production refuses a Redis without a password; the test Redis's `default` user has none, so any will do.
            "GRANTS_REDIS_USERNAME": "default",
            "GRANTS_REDIS_PASSWORD": "any-password-the-test-redis-has-no-acl",
            **more,
        }

    def jwks(self) -> dict[str, Any]:
        """The published key set."""
        self.jwks_fetches += 1
        return {"keys": [public_jwk(kid, *self.keys[kid]) for kid in self.published]}

    def discovery(self) -> dict[str, Any]:
        """The discovery document."""
        return {"issuer": self.issuer, "jwks_uri": f"{self.issuer}/certs", "token_endpoint": f"{self.issuer}/token"}

    def grant(self, authorization: str, form: dict[str, list[str]]) -> tuple[int, dict[str, Any]]:
        """The token endpoint: client credentials (client_secret_basic) for a registered client."""
        scheme, _, encoded = authorization.partition(" ")
        client_id, secret = "", ""
        if scheme == "Basic":
            client_id, _, secret = base64.b64decode(encoded).decode().partition(":")
        known = self.clients.get(client_id)
        if form.get("grant_type") != ["client_credentials"]:
            return 400, {"error": "unsupported_grant_type"}
        if known is None or known[0] != secret:
            return 401, {"error": "invalid_client"}
        token = self.mint(f"service-account-{client_id}", known[1], azp=client_id)
        return 200, {"access_token": token, "token_type": "Bearer", "expires_in": 600}

    def __enter__(self) -> "OidcProvider":
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *_: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def _handler(provider: OidcProvider) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            path = self.path.removeprefix(provider.realm)
            if path == "/.well-known/openid-configuration":
                self._answer(200, provider.discovery())
            elif path == "/certs":
                self._answer(200, provider.jwks())
            else:
                self._answer(404, {"error": "not_found"})

        def do_POST(self) -> None:  # noqa: N802
            length = int(self.headers.get("Content-Length") or 0)
            form = parse_qs(self.rfile.read(length).decode())
            if self.path.endswith("/token"):
                self._answer(*provider.grant(self.headers.get("Authorization", ""), form))
            else:
                self._answer(404, {"error": "not_found"})

        def _answer(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *_: Any) -> None:
            pass

    return Handler


@contextmanager
def oidc_provider() -> Iterator[OidcProvider]:
    """A running provider, stopped afterwards."""
    with OidcProvider() as provider:
        yield provider
