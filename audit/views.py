"""Thin views: read the request, call the package, answer with JSON or a page."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse


async def health(request: Request) -> JSONResponse:
    database = request.app.state.db
    database.execute("SELECT 1").fetchone()
    return JSONResponse({"status": "ok", "checklists": len(request.app.state.checklists)})


async def checklists(request: Request) -> JSONResponse:
    """The validated checklists, each with the content hash a visit will pin."""
    return JSONResponse(
        [
            {"id": checklist.id, "hash": checklist.content_hash(), "checklist": checklist.as_dict()}
            for checklist in request.app.state.checklists
        ]
    )
