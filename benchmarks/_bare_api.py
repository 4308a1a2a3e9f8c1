"""The bare FastAPI app the API benchmark measures against: the same routes and answer sizes, no work behind them.

`uvicorn benchmarks._bare_api:create_app --factory`; BARE_API_SHAPES names a JSON file holding the real answers
(captured from the real APIs in the same run), which the bare routes give back as they are.
"""

import json
import os
import uuid
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Header
from fastapi.responses import HTMLResponse
from pydantic import BaseModel


class ApplicationBody(BaseModel):
    """The shape of POST /applications."""

    partnership_id: str
    requested_pence: int
    duration_months: int
    themes: list[str]
    summary: str


def create_app() -> FastAPI:
    """The bare app, its answers read once from BARE_API_SHAPES."""
    shapes = json.loads(Path(os.environ["BARE_API_SHAPES"]).read_text())
    app = FastAPI()

    @app.get("/fund/position")
    async def position() -> dict[str, Any]:
        return dict(shapes["position"])

    @app.get("/neighbourhoods")
    async def neighbourhoods() -> dict[str, Any]:
        return dict(shapes["neighbourhoods"])

    @app.get("/dashboard", response_class=HTMLResponse)
    async def dashboard() -> HTMLResponse:
        return HTMLResponse(shapes["dashboard"])

    @app.post("/applications", status_code=201)
    async def application(body: ApplicationBody, key: str | None = Header(None, alias="Idempotency-Key")) -> Any:
        return {**shapes["application"], **body.model_dump(), "id": str(uuid.uuid4())}

    return app
