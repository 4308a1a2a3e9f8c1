"""Profile the API's hot paths with pyinstrument: `python -m benchmarks._profile_api DIR [ROUTE ...]`.

The real app runs in this process on the benchmark's data (made in DIR on first use, kept for the next run), its
requests driven through ASGI in one thread: FastAPI's thread-pool hand-offs are run inline so the profiler sees
the route's own work. Prints one pyinstrument text profile per route (ROUTE: position, neighbourhoods, dashboard,
post; all by default). Not timed against anything: `benchmarks/api.py` measures; this shows where the time goes.
"""

import asyncio
import itertools
import os
import sys
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import fastapi.dependencies.utils
import fastapi.routing
import httpx
from pyinstrument import Profiler

from benchmarks._api_data import load_registry, load_reporting
from benchmarks.api import tokens
from tests.support.oidc import OidcProvider

REQUESTS = int(os.environ.get("PROFILE_REQUESTS", "300"))


async def _inline(func: Any, *args: Any, **kwargs: Any) -> Any:
    return func(*args, **kwargs)


@asynccontextmanager
async def _inline_cm(cm: Any) -> Any:
    with cm as value:
        yield value


def _run_inline() -> None:
    fastapi.routing.run_in_threadpool = _inline  # type: ignore[assignment]
    fastapi.dependencies.utils.run_in_threadpool = _inline  # type: ignore[assignment]
    fastapi.dependencies.utils.contextmanager_in_threadpool = _inline_cm  # type: ignore[assignment]


def _prepare(folder: Path, provider: OidcProvider) -> dict[str, str]:
    folder.mkdir(parents=True, exist_ok=True)
    urls = {"reporting": f"sqlite:///{folder / 'reporting.db'}", "applications": f"sqlite:///{folder / 'apps.db'}"}
    if not (folder / "reporting.db").exists():
        load_reporting(urls["reporting"])
    if not (folder / "apps.db").exists():
        load_registry(urls["applications"])
    os.environ.update(
        {
            **provider.env(),
            "GRANTS_VAR_DIR": str(folder),
            "REPORTING_DATABASE_URL": urls["reporting"],
            "APPLICATIONS_DATABASE_URL": urls["applications"],
            "GRANTS_RATE_LIMIT_PER_MINUTE": "100000000",
            "GRANTS_RATE_LIMIT_BURST": "10000000",
        }
    )
    os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/10")
    return urls


async def _profile(app: Any, name: str, method: str, path: str, headers: dict[str, str], body: Any = None) -> None:
    counter = itertools.count()
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:

        async def once() -> None:
            n = next(counter)
            extra = {"Idempotency-Key": f"profile-{os.getpid()}-{n}"} if body else {}
            sent = {**body, "summary": f"Profiled draft {n}."} if body else None
            response = await client.request(method, path, headers={**headers, **extra}, json=sent)
            assert response.status_code < 300, response.text

        for _ in range(20):
            await once()
        profiler = Profiler(interval=0.0005)
        profiler.start()
        for _ in range(REQUESTS):
            await once()
        profiler.stop()
    print(f"===== {name}: {method} {path}, {REQUESTS} requests")
    print(profiler.output_text(unicode=False, color=False, show_all=os.environ.get("PROFILE_ALL") == "1"))


def main(argv: list[str]) -> None:
    """Profile the named routes (all when none are named)."""
    provider = OidcProvider().__enter__()  # serves until the process ends
    _prepare(Path(argv[0]), provider)
    _run_inline()
    from applications.api import create_app as applications_app
    from reporting.api import create_app as reporting_app

    make = tokens(provider)
    operator, finance = make["operator"](), make["finance"]()
    selected = argv[1:] or ["position", "neighbourhoods", "dashboard", "post"]
    reporting, applications = reporting_app(), applications_app()
    if "position" in selected:
        asyncio.run(_profile(reporting, "position", "GET", "/fund/position", {"Authorization": f"Bearer {finance}"}))
    if "dashboard" in selected:
        asyncio.run(_profile(reporting, "dashboard", "GET", "/dashboard", {"Authorization": f"Bearer {operator}"}))
    if "neighbourhoods" in selected or "post" in selected:
        token, partnership = asyncio.run(_applicant(applications, operator, make["applicant"]))
        auth = {"Authorization": f"Bearer {token}"}
        if "neighbourhoods" in selected:
            asyncio.run(_profile(applications, "neighbourhoods", "GET", "/neighbourhoods", auth))
        if "post" in selected:
            body = {
                "partnership_id": partnership,
                "requested_pence": 150_000_000,
                "duration_months": 120,
                "themes": ["places_to_meet", "youth"],
            }
            asyncio.run(_profile(applications, "post", "POST", "/applications", auth, body))


async def _applicant(app: Any, operator: str, mint: Any) -> tuple[str, str]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench") as client:
        op = {"Authorization": f"Bearer {operator}"}
        org = (
            await client.post(
                "/organisations",
                headers=op,
                json={
                    "name": "Bench Trust",
                    "org_id": f"GB-CHC-{os.getpid() % 10_000_000:07d}",
                    "fund_holding": True,
                    "due_diligence": "passed",
                },
            )
        ).json()
        token = mint(org["id"])
        auth = {"Authorization": f"Bearer {token}"}
        ward = (await client.get("/neighbourhoods", headers=auth, params={"left_behind": "true", "limit": 1})).json()
        members = [{"name": f"Member {i}", "resident": i < 4, "joined_on": "2024-01-15"} for i in range(8)]
        partnership = (
            await client.post(
                "/partnerships",
                headers=auth,
                json={
                    "organisation_id": org["id"],
                    "name": "Residents",
                    "neighbourhood_code": ward["items"][0]["code"],
                    "members": members,
                },
            )
        ).json()
        return token, str(partnership["id"])


if __name__ == "__main__":
    main(sys.argv[1:])
