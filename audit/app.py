"""Builds the Starlette application: opens the store, loads the checklists, mounts the routes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.gzip import DEFAULT_EXCLUDED_CONTENT_TYPES, GZipMiddleware

from . import assets, db, library, pdf
from .library import CHECKLISTS
from .model import Checklist
from .routes import routes



@dataclass
class Settings:
    db_path: Path
    checklists_dir: Path = CHECKLISTS
    brand_name: str = ""  # on the reports; empty: the product's name in the reader's language
    logo_path: Path | None = None  # a PNG or JPEG shown on the reports' cover
    accent: str = pdf.DEFAULT_ACCENT  # the reports' accent colour, #rrggbb


def create_app(settings: Settings) -> Starlette:
    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        database = db.connect(settings.db_path)
        checklists: list[Checklist] = library.load(settings.checklists_dir)
        db.record_checklists(database, checklists)
        app.state.db = database
        app.state.checklists = checklists
        app.state.assets = assets.build(assets.STATIC, checklists)
        try:
            yield
        finally:
            database.close()

    # phones on mobile data: the checklists JSON shrinks to under a third
    compress = Middleware(
        GZipMiddleware, minimum_size=1024, exclude_content_types=(*DEFAULT_EXCLUDED_CONTENT_TYPES, "application/pdf")
    )
    app = Starlette(routes=routes(), lifespan=lifespan, middleware=[compress])
    app.state.settings = settings
    app.state.branding = pdf.Branding.load(settings.brand_name, settings.logo_path, settings.accent)
    return app
