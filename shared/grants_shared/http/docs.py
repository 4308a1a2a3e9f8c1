"""/docs (Swagger UI) and /redoc, each with a Content-Security-Policy naming exactly what its page loads.

FastAPI's own docs routes set no policy, and the API's (`headers.API_POLICY`) allows nothing, which would leave the
pages blank. Both pages load their code from the jsDelivr CDN; Swagger UI's one inline script is allowed by its hash
(computed from the page as served, so a proxy's root path changes nothing); both set styles at run time, which CSP can
only allow as 'unsafe-inline' (styles, never scripts). Whether they are served at all is `EdgeSettings.docs_on`.
"""

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse

from grants_shared.http.headers import CSP, inline_hashes, page_policy

CDN = "https://cdn.jsdelivr.net"
FAVICON = "https://fastapi.tiangolo.com"  # FastAPI's default favicon for both pages


def install_docs(app: FastAPI) -> None:
    """Serve /docs and /redoc for `app`'s OpenAPI document (create the app with docs_url=None, redoc_url=None)."""

    @app.get("/docs", include_in_schema=False)
    async def swagger_ui(request: Request) -> HTMLResponse:
        page = get_swagger_ui_html(openapi_url=_openapi_url(app, request), title=f"{app.title} - Swagger UI")
        html = bytes(page.body).decode()
        policy = page_policy(
            script_src=" ".join([CDN, *inline_hashes(html, "script")]),
            style_src=f"{CDN} 'unsafe-inline'",
            img_src=f"'self' data: {FAVICON}",
            connect_src="'self'",
        )
        return HTMLResponse(html, headers={CSP: policy})

    @app.get("/redoc", include_in_schema=False)
    async def redoc(request: Request) -> HTMLResponse:
        page = get_redoc_html(openapi_url=_openapi_url(app, request), title=f"{app.title} - ReDoc")
        policy = page_policy(
            script_src=CDN,
            style_src="'unsafe-inline' https://fonts.googleapis.com",
            font_src="https://fonts.gstatic.com",
            img_src=f"'self' data: {FAVICON}",
            connect_src="'self'",
            worker_src="blob:",
        )
        return HTMLResponse(bytes(page.body).decode(), headers={CSP: policy})


def _openapi_url(app: FastAPI, request: Request) -> str:
    root = str(request.scope.get("root_path", "")).rstrip("/")
    return root + str(app.openapi_url)
