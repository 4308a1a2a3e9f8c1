"""A real browser on the operator dashboard and the public pages, over a fund-scale database and a real server.

Chromium comes from the system packages (/usr/bin/chromium) and is driven by Playwright without a browser
download. The figures the browser shows must equal the API's JSON; no page may log a console error (a CSP
violation would); screenshots are kept under var/test-artefacts/.
"""

import importlib.util
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.orm import Session, sessionmaker

from grants_shared.db import make_engine, migrate, session_factory
from grants_shared.money import format_gbp
from reporting import bootstrap
from reporting.routes.dashboard.sections import percent
from tests.support.oidc import OidcProvider

from ..fund_scale import FundRun, fund_run, project
from ..test_reports_api import report_body
from .server import serving

CHROMIUM = Path(os.environ.get("GRANTS_TEST_CHROMIUM", "/usr/bin/chromium"))
AS_OF = "2026-07-02"
GRANTS, PASSED_OVER = 100, 10

if importlib.util.find_spec("playwright") is None:
    pytest.skip("playwright is not installed (uv sync installs it with the dev group)", allow_module_level=True)
if not CHROMIUM.is_file():
    pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)", allow_module_level=True)

from playwright.sync_api import Browser, Page, sync_playwright  # noqa: E402  (only once we know it is there)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Headless system Chromium (no sandbox: the tests run as root in CI)."""
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        yield launched
        launched.close()


@pytest.fixture
def artefacts(request: pytest.FixtureRequest) -> Path:
    """var/test-artefacts/ at the repository root (git-ignored), where screenshots are kept."""
    folder = request.config.rootpath / "var" / "test-artefacts"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def platform(
    tmp_path: Path, redis_url: str, monkeypatch: pytest.MonkeyPatch, provider: OidcProvider
) -> Iterator[tuple[str, FundRun]]:
    """Reporting in production mode behind uvicorn, over a database the real projections filled at fund scale."""
    url = f"sqlite:///{tmp_path / 'reporting.db'}"
    migrate(url, "reporting")
    engine = make_engine(url)
    sessions: sessionmaker[Session] = session_factory(engine)
    run, events = fund_run(GRANTS, PASSED_OVER)
    project(sessions, events)
    engine.dispose()
    monkeypatch.setenv("REPORTING_DATABASE_URL", url)
    monkeypatch.setenv("REDIS_URL", redis_url)
    monkeypatch.setenv("REPORTING_DASHBOARD_REFRESH_S", "0")  # the page must not reload under the test
    bootstrap.reset()
    try:
        with serving() as base:
            yield base, run
    finally:
        bootstrap.reset()


def _json(base: str, path: str, headers: dict[str, str], **params: str) -> Any:
    answer = httpx.get(base + path, params=params, headers=headers, timeout=30)
    assert answer.status_code == 200, answer.text
    return answer.json()


def _report_and_accept(base: str, provider: OidcProvider, grant_id: str) -> None:
    created = httpx.post(
        f"{base}/reports", json=report_body(grant_id=grant_id), headers=provider.bearer("otto", "operator")
    )
    assert created.status_code == 201, created.text
    accepted = httpx.post(f"{base}/reports/{created.json()['id']}/accept", headers=provider.bearer("asha", "assessor"))
    assert accepted.status_code == 200, accepted.text


def _open(browser: Browser, headers: dict[str, str] | None = None) -> tuple[Page, list[str]]:
    context = browser.new_context(extra_http_headers=headers or {}, java_script_enabled=False)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    return page, errors


def _text(page: Page, selector: str) -> str:
    return page.locator(selector).inner_text().strip()


def test_the_dashboard_in_a_browser_shows_the_apis_figures(
    browser: Browser, platform: tuple[str, FundRun], provider: OidcProvider, artefacts: Path
) -> None:
    base, run = platform
    _report_and_accept(base, provider, run.awarded[0].grant_id)
    operator = provider.bearer("otto", "operator")
    position = _json(base, "/fund/position", operator, as_of=AS_OF)
    figures = _json(base, "/dashboard/figures", operator, as_of=AS_OF)

    page, errors = _open(browser, operator)
    response = page.goto(f"{base}/dashboard?as_of={AS_OF}")
    assert response is not None and response.status == 200
    for name in ("budget", "committed", "paid_gross", "returned", "paid_net", "remaining"):
        assert _text(page, f"#figure-{name.replace('_', '-')}") == format_gbp(position[f"{name}_pence"]), name
    assert _text(page, "#decile-1-share") == percent(position["least_first"]["decile_1_share_bp"])
    held = f"{figures['held_tranches']} ({format_gbp(figures['held_tranches_pence'])})"
    assert _text(page, "#figure-held-tranches") == held and figures["held_tranches"] > 0
    assert _text(page, "#figure-reports-overdue") == str(figures["reports_overdue"]) == str(GRANTS - 1)
    page.screenshot(path=str(artefacts / "dashboard.png"), full_page=True)

    page.click("#figure-held-tranches")  # the figure leads to the list behind it
    assert _text(page, "h1") == "Tranches held, and why"
    assert page.locator("tbody tr").count() == figures["held_tranches"]
    assert errors == []


def test_the_public_pages_in_a_browser_show_the_apis_figures(
    browser: Browser, platform: tuple[str, FundRun], provider: OidcProvider, artefacts: Path
) -> None:
    base, run = platform
    _report_and_accept(base, provider, run.awarded[0].grant_id)
    fund = _json(base, "/public/api/fund", {})
    page, errors = _open(browser)  # no login
    response = page.goto(f"{base}/public/")
    assert response is not None and response.status == 200
    assert _text(page, "#committed") == format_gbp(fund["committed_pence"])
    assert _text(page, "#paid-net") == format_gbp(fund["paid_net_pence"])
    assert _text(page, "#grants") == str(fund["grants"]) == str(GRANTS)
    assert page.locator("h1").count() == 1 and page.locator("table caption").count() == page.locator("table").count()
    page.screenshot(path=str(artefacts / "public-fund.png"), full_page=True)

    ward = run.awarded[0].ward
    assert ward is not None
    page.click(f'a[href="/public/neighbourhoods/{ward.code}"]')
    mine = _json(base, f"/public/api/neighbourhoods/{ward.code}", {})
    assert _text(page, "#awarded") == format_gbp(mine["awarded_pence"])
    assert _text(page, "#paid-net") == format_gbp(mine["paid_net_pence"])
    assert mine["decisions"][0]["rationale"] in page.content()
    assert page.get_by_role("cell", name="Residents engaged").count() == 1
    page.screenshot(path=str(artefacts / "public-neighbourhood.png"), full_page=True)

    assert errors == []

    missing = page.goto(f"{base}/public/neighbourhoods/E05999999")
    assert missing is not None and missing.status == 404 and _text(page, "h1") == "Neighbourhood not found"
    assert all("404" in e for e in errors)  # Chromium logs the failed load itself; nothing else may be logged
