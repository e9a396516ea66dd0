"""Builds the Starlette application: opens the store, loads the checklists, mounts the routes."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.gzip import DEFAULT_EXCLUDED_CONTENT_TYPES, GZipMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from . import assets, db, exports, jobs
from .auth import Authenticate
from .branding import Branding
from .export_files import XLSX_TYPE
from .headers import SecurityHeaders
from .routes import routes
from .startup import Settings, open_store

log = logging.getLogger("audit")


def from_environment() -> Starlette:
    """The app as each of `audit serve`'s worker processes builds it."""
    return create_app(Settings.from_environment())


async def unavailable(request: Request, error: Exception) -> Response:
    """A store that is busy or failing is the server's trouble, not the phone's: 503 tells the
    outbox to try again (the transaction has rolled back, so nothing was stored). A busy or
    full disk is one log line; any other database error is a bug and logs its traceback."""
    if isinstance(error, sqlite3.OperationalError):
        log.warning("%s %s: store unavailable: %s", request.method, request.url.path, error)
    else:
        log.error("%s %s: store error", request.method, request.url.path, exc_info=error)
    return JSONResponse(
        {"error": "unavailable", "message": "the store is busy; try again shortly"}, status_code=503, headers={"Retry-After": "5"}
    )


def create_app(settings: Settings) -> Starlette:
    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        database, checklists = open_store(settings)
        database.close()
        app.state.pool = db.Pool(settings.db_path)
        app.state.loop_db = db.open_db(settings.db_path)
        app.state.checklists = checklists
        app.state.assets = assets.build(assets.STATIC, checklists)
        app.state.jobs = jobs.Queue.from_environment()
        # one decode at a time per process: `audit serve` runs a process per core, and decodes
        # beyond the cores only compete with the requests for them
        app.state.photo_threads = jobs.background_threads(1, "photos")
        app.state.exports = exports.Runner(settings.db_path)
        try:
            yield
        finally:
            app.state.exports.close()
            app.state.jobs.close()
            app.state.photo_threads.shutdown(cancel_futures=True)
            app.state.pool.close()
            app.state.loop_db.close()

    # phones on mobile data: the checklists JSON shrinks to under a third; PDFs and
    # spreadsheets are compressed already
    compress = Middleware(
        GZipMiddleware, minimum_size=1024, exclude_content_types=(*DEFAULT_EXCLUDED_CONTENT_TYPES, "application/pdf", XLSX_TYPE)
    )
    app = Starlette(
        routes=routes(), lifespan=lifespan, middleware=[Middleware(SecurityHeaders), compress, Middleware(Authenticate)], exception_handlers={sqlite3.Error: unavailable}
    )
    app.state.settings = settings
    app.state.branding = Branding.load(settings.brand_name, settings.logo_path, settings.accent)
    return app
