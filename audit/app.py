"""Builds the Starlette application: opens the store, loads the checklists, mounts the routes."""

from __future__ import annotations

import json
import logging
import os
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

import sqlite_utils
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.gzip import DEFAULT_EXCLUDED_CONTENT_TYPES, GZipMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from . import assets, db, doctor, jobs, library, pdf
from .headers import SecurityHeaders
from .library import CHECKLISTS
from .model import Checklist
from .routes import routes



SETTINGS_VARIABLE = "AUDIT_SETTINGS"
log = logging.getLogger("audit")


@dataclass
class Settings:
    db_path: Path
    checklists_dir: Path = CHECKLISTS
    brand_name: str = ""  # on the reports; empty: the product's name in the reader's language
    logo_path: Path | None = None  # a PNG or JPEG shown on the reports' cover
    accent: str = pdf.DEFAULT_ACCENT  # the reports' accent colour, #rrggbb

    def to_environment(self) -> str:
        """For worker processes, which uvicorn starts by importing `from_environment`."""
        return json.dumps({key: str(value) if value is not None else None for key, value in asdict(self).items()})


def from_environment() -> Starlette:
    """The app as each of `audit serve`'s worker processes builds it."""
    values = json.loads(os.environ[SETTINGS_VARIABLE])
    logo = values["logo_path"]
    settings = Settings(
        db_path=Path(values["db_path"]),
        checklists_dir=Path(values["checklists_dir"]),
        brand_name=values["brand_name"],
        logo_path=Path(logo) if logo else None,
        accent=values["accent"],
    )
    return create_app(settings)


class NeedsRepair(RuntimeError):
    """The store holds visits stored in part: serving on it would hide them for good."""


def open_store(settings: Settings) -> tuple[sqlite_utils.Database, list[Checklist]]:
    """Migrates the store, records the checklists served, and refuses a store that needs repair."""
    database = db.connect(settings.db_path)
    checkup = doctor.startup_check(database)
    if not checkup.whole:
        database.close()
        raise NeedsRepair(checkup.advice(str(settings.db_path)))
    checklists: list[Checklist] = library.load(settings.checklists_dir)
    db.record_checklists(database, checklists)
    return database, checklists


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
        app.state.checklists = checklists
        app.state.assets = assets.build(assets.STATIC, checklists)
        app.state.renders = jobs.Queue("pdf")
        try:
            yield
        finally:
            app.state.renders.close()
            app.state.pool.close()

    # phones on mobile data: the checklists JSON shrinks to under a third
    compress = Middleware(
        GZipMiddleware, minimum_size=1024, exclude_content_types=(*DEFAULT_EXCLUDED_CONTENT_TYPES, "application/pdf")
    )
    app = Starlette(
        routes=routes(), lifespan=lifespan, middleware=[Middleware(SecurityHeaders), compress], exception_handlers={sqlite3.Error: unavailable}
    )
    app.state.settings = settings
    app.state.branding = pdf.Branding.load(settings.brand_name, settings.logo_path, settings.accent)
    return app
