"""The read cache computes once per TTL and never twice at once; a verified token is remembered until it expires."""

import threading
from collections.abc import Callable
from datetime import timedelta

import pytest

from grants_shared.auth import Role, decode_token, mint_token
from grants_shared.http.problems import Problem
from grants_shared.http.readcache import ReadCache
from grants_shared.settings import PlatformSettings


class Clock:
    """A clock the test moves."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def counting(calls: list[int]) -> Callable[[], int]:
    """A computation that counts its calls and answers how many there were."""

    def compute() -> int:
        calls.append(1)
        return len(calls)

    return compute


def test_an_answer_is_computed_once_while_fresh_and_again_when_stale() -> None:
    clock, calls = Clock(), list[int]()
    cache = ReadCache(ttl_s=1.0, clock=clock)
    assert cache.get("k", counting(calls)) == 1
    clock.now += 0.9
    assert cache.get("k", counting(calls)) == 1
    assert cache.get("other", lambda: 7) == 7
    clock.now += 0.2
    assert cache.get("k", counting(calls)) == 2


def test_a_zero_ttl_computes_every_time() -> None:
    cache, calls = ReadCache(ttl_s=0), list[int]()
    for _ in range(3):
        cache.get("k", counting(calls))
    assert len(calls) == 3


def test_concurrent_first_askers_share_one_computation() -> None:
    cache, started, release, calls = ReadCache(ttl_s=60), threading.Event(), threading.Event(), list[int]()

    def slow() -> str:
        calls.append(1)
        started.set()
        release.wait(10)
        return "answer"

    answers: list[str] = []
    threads = [threading.Thread(target=lambda: answers.append(cache.get("k", slow))) for _ in range(5)]
    for thread in threads:
        thread.start()
    assert started.wait(10)
    release.set()
    for thread in threads:
        thread.join(10)
    assert answers == ["answer"] * 5 and len(calls) == 1


def test_while_one_refreshes_the_others_get_the_previous_answer() -> None:
    clock, refreshing, release = Clock(), threading.Event(), threading.Event()
    cache = ReadCache(ttl_s=1.0, clock=clock)
    cache.get("k", lambda: "old")
    clock.now += 2

    def slow() -> str:
        refreshing.set()
        release.wait(10)
        return "new"

    refresher = threading.Thread(target=lambda: cache.get("k", slow))
    refresher.start()
    assert refreshing.wait(10)
    assert cache.get("k", lambda: pytest.fail("a second refresh")) == "old"
    release.set()
    refresher.join(10)
    assert cache.get("k", lambda: "unused") == "new"


def test_a_remembered_token_still_expires_and_a_bad_one_is_never_remembered() -> None:
    settings = PlatformSettings()
    token = mint_token(settings, subject="s", roles=[Role.OPERATOR])
    assert decode_token(settings, token) is decode_token(settings, token)
    other = PlatformSettings(jwt_secret="another-secret-of-enough-length-0123456789")
    with pytest.raises(Problem):
        decode_token(other, token)  # the cache is keyed by the secret too
    expired = mint_token(settings, subject="s", roles=[Role.OPERATOR], ttl=timedelta(seconds=-1))
    for _ in range(2):
        with pytest.raises(Problem):
            decode_token(settings, expired)


def test_an_answer_of_another_version_is_read_again_at_once() -> None:
    clock, calls = Clock(), list[int]()
    cache = ReadCache(ttl_s=60, clock=clock)
    assert cache.get("k", counting(calls), version="event-1") == 1
    assert cache.get("k", counting(calls), version="event-1") == 1
    assert cache.get("k", counting(calls), version="event-2") == 2  # a new event applied: young but stale
    assert cache.get("k", counting(calls), version="event-2") == 2


def test_peek_gives_only_a_fresh_answer_of_the_version_asked_and_computes_nothing() -> None:
    clock = Clock()
    cache = ReadCache(ttl_s=1.0, clock=clock)
    assert cache.peek("k", "v1") is None
    cache.get("k", lambda: "answer", version="v1")
    assert cache.peek("k", "v1") == "answer"
    assert cache.peek("k", "v2") is None and cache.peek("other", "v1") is None
    clock.now += 1.5
    assert cache.peek("k", "v1") is None
