"""SSRF: unsafe endpoints are refused at registration and at delivery, after resolving and before any connection;
deliveries connect to the address that was checked, with the endpoint's name kept."""

import asyncio
import socket
from collections.abc import Iterator

import httpx
import pytest

from reporting.config import Settings
from reporting.webhooks import ssrf, store
from reporting.webhooks.running import policy_of
from reporting.webhooks.sender import Sender, pinned_request

PRODUCTION = ssrf.Policy()
DEVELOPMENT = ssrf.Policy(allow_loopback=True, allow_http=True)


def hosts(mapping: dict[str, list[str]]) -> ssrf.Resolver:
    """A resolver from a hosts-file-like mapping: no name is ever looked up on the network."""

    def resolve(host: str, _port: int) -> list[str]:
        if host not in mapping:
            raise socket.gaierror(f"{host} is not in the test's hosts")
        return mapping[host]

    return resolve


NAMES = hosts(
    {
        "rebinds.example.org": ["10.1.2.3"],
        "mixed.example.org": ["93.184.215.14", "192.168.1.20"],
        "public.example.org": ["93.184.215.14"],
        "hooks.test": ["127.0.0.1"],
    }
)


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/hook",
        "https://169.254.169.254/latest/meta-data",
        "https://10.0.0.1/hook",
        "https://rebinds.example.org/hook",  # a name resolving to a private address
        "https://mixed.example.org/hook",  # one unsafe address among safe ones is enough
        "https://[::1]/hook",
        "https://[::ffff:10.0.0.1]/hook",
        "https://[fd00::1]/hook",
        "https://[fe80::1]/hook",
        "https://100.64.0.1/hook",
        "https://224.0.0.1/hook",
        "https://0.0.0.0/hook",
        "https://172.16.5.4/hook",
        "http://public.example.org/hook",  # plain http outside development
        "https://unknown.example.org/hook",  # does not resolve
        "https://user:pw@public.example.org/hook",
    ],
)
def test_unsafe_endpoints_are_refused_in_production(url: str) -> None:
    with pytest.raises(ssrf.UnsafeEndpoint):
        ssrf.check_now(url, PRODUCTION, NAMES)


def test_a_public_https_endpoint_is_pinned_to_its_checked_address() -> None:
    target = ssrf.check_now("https://public.example.org:8443/h?x=1", PRODUCTION, NAMES)
    assert (target.host, target.port, target.address) == ("public.example.org", 8443, "93.184.215.14")
    request = pinned_request(target, {"webhook-id": "msg_1"}, "{}")
    assert request.url.host == "93.184.215.14" and request.url.port == 8443 and request.url.query == b"x=1"
    assert request.headers["host"] == "public.example.org:8443"
    assert request.extensions["sni_hostname"] == "public.example.org"


def test_development_allows_loopback_over_http_but_still_refuses_private_and_metadata() -> None:
    assert ssrf.check_now("http://hooks.test:9000/h", DEVELOPMENT, NAMES).address == "127.0.0.1"
    for url in ("http://169.254.169.254/", "http://10.0.0.1/", "http://rebinds.example.org/"):
        with pytest.raises(ssrf.UnsafeEndpoint):
            ssrf.check_now(url, DEVELOPMENT, NAMES)


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    """A real socket on 127.0.0.1 that would see any connection made to it."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    server.setblocking(False)
    yield server
    server.close()


def never_accepted(server: socket.socket) -> bool:
    try:
        server.accept()[0].close()
    except BlockingIOError:
        return True
    return False


def due(url: str) -> store.Due:
    return store.Due("msg_test", "sub_test", "{}", url, ["whsec_" + "A" * 43 + "="])


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1:{port}/h", "http://169.254.169.254/h", "http://10.0.0.1/h", "http://rebinds.example.org/h"],
)
def test_the_sender_refuses_unsafe_targets_without_connecting(url: str, listener: socket.socket) -> None:
    calls: list[httpx.Request] = []
    transport = httpx.MockTransport(lambda request: calls.append(request) or httpx.Response(200))
    policy = ssrf.Policy(allow_loopback=False, allow_http=True)
    sender = Sender(None, policy, resolver=NAMES, transport=transport)
    result = asyncio.run(sender.attempt(due(url.format(port=listener.getsockname()[1]))))
    assert result.status_code is None and result.error and result.error.startswith("refused before connecting")
    assert calls == [] and never_accepted(listener)


def test_a_name_that_rebinds_between_registration_and_delivery_is_refused_at_delivery() -> None:
    answers = {"flip.example.org": ["93.184.215.14"]}
    resolver = hosts(answers)
    ssrf.check_now("https://flip.example.org/h", PRODUCTION, resolver)  # registration: public, accepted
    answers["flip.example.org"] = ["169.254.169.254"]  # then the name is pointed at the metadata service
    calls: list[httpx.Request] = []
    transport = httpx.MockTransport(lambda request: calls.append(request) or httpx.Response(200))
    result = asyncio.run(
        Sender(None, PRODUCTION, resolver=resolver, transport=transport).attempt(due("https://flip.example.org/h"))
    )
    assert result.error and "169.254.169.254" in result.error and calls == []


def test_the_sender_connects_to_the_checked_address_with_the_endpoints_name(listener: socket.socket) -> None:
    seen: list[httpx.Request] = []
    transport = httpx.MockTransport(lambda request: seen.append(request) or httpx.Response(204))
    port = listener.getsockname()[1]
    result = asyncio.run(
        Sender(None, DEVELOPMENT, resolver=NAMES, transport=transport).attempt(due(f"http://hooks.test:{port}/h"))
    )
    assert result.ok and len(seen) == 1
    assert seen[0].url.host == "127.0.0.1" and seen[0].headers["host"] == f"hooks.test:{port}"
    assert seen[0].headers["webhook-id"] == "msg_test" and seen[0].headers["webhook-signature"].startswith("v1,")


def test_a_redirect_is_a_failure_and_is_never_followed() -> None:
    calls: list[httpx.Request] = []
    transport = httpx.MockTransport(
        lambda request: calls.append(request) or httpx.Response(302, headers={"location": "http://10.0.0.1/"})
    )
    result = asyncio.run(
        Sender(None, DEVELOPMENT, resolver=NAMES, transport=transport).attempt(due("http://hooks.test/h"))
    )
    assert result.status_code == 302 and not result.ok and len(calls) == 1


def test_loopback_is_allowed_only_when_development_mode_asks_for_it() -> None:
    def policy(env: str, allow: bool) -> ssrf.Policy:
        settings = Settings(REPORTING_WEBHOOKS_ALLOW_LOOPBACK=allow)  # type: ignore[call-arg]
        return policy_of(settings.model_copy(update={"env": env}))

    assert policy("development", True) == ssrf.Policy(allow_loopback=True, allow_http=True)
    assert policy("development", False) == ssrf.Policy(allow_loopback=False, allow_http=True)
    assert policy("test", True) == policy("production", True) == ssrf.Policy(allow_loopback=False, allow_http=False)


def test_each_endpoint_name_gets_its_own_connection_pool_even_on_a_shared_address() -> None:
    names = hosts({"a.test": ["127.0.0.1"], "b.test": ["127.0.0.1"]})
    sender = Sender(None, DEVELOPMENT, resolver=names, transport=httpx.MockTransport(lambda _: httpx.Response(200)))

    async def both() -> int:
        for url in ("http://a.test/h", "http://b.test/h", "http://a.test/other"):
            assert (await sender.attempt(due(url))).ok
        pools = len(sender._clients)
        await sender.aclose()
        return pools

    assert asyncio.run(both()) == 2
