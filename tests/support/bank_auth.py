"""The sandbox bank's credentials for a test's HTTP client."""

from collections.abc import Generator

import httpx


class BankAuth(httpx.Auth):
    """The bank's credentials on every request: the control key for /control routes, else the client's API key."""

    def __init__(self, api_key: str, control_key: str) -> None:
        self.api_key, self.control_key = api_key, control_key

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        """Add the bearer key the path needs."""
        key = self.control_key if request.url.path.startswith("/control") else self.api_key
        request.headers["Authorization"] = f"Bearer {key}"
        yield request
