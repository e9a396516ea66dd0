"""Every URL of the application, in one list, each with a name."""

from __future__ import annotations

from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from . import (
    assign_views,
    desks,
    export_views,
    finding_api,
    finding_views,
    hq_views,
    signin,
    views,
)
from .assets import STATIC


def routes() -> list[BaseRoute]:
    return [
        Route("/", views.index, name="index"),
        Route("/sw.js", views.worker, name="service-worker"),
        Route("/manifest.webmanifest", views.manifest, name="manifest"),
        Route("/health", views.health, name="health"),
        Route("/signin", signin.page, methods=["GET", "POST"], name="signin"),
        Route("/signout", signin.page_end, methods=["POST"], name="signout"),
        Route("/api/session", signin.api_start, methods=["POST"], name="api-session-start"),
        Route("/api/session", signin.api_current, methods=["GET"], name="api-session"),
        Route("/api/session", signin.api_end, methods=["DELETE"], name="api-session-end"),
        Route("/review", desks.queue, name="review-queue"),
        Route("/review/{uuid}", desks.visit, methods=["GET", "POST"], name="review-visit"),
        Route("/store", desks.store_home, name="store-home"),
        Route("/hq", hq_views.overview, name="hq"),
        Route("/hq/branches/{branch}", hq_views.branch, name="hq-branch"),
        Route("/hq/sites/{site}", hq_views.site, name="hq-site"),
        Route("/hq/compare.pdf", hq_views.compare_pdf, name="hq-compare-pdf"),
        Route("/api/checklists", views.checklists, name="api-checklists"),
        Route("/api/sites", views.sites, name="api-sites"),
        Route("/api/openapi.json", views.openapi, name="api-openapi"),
        Route("/api/visits/mine", views.my_visits, name="api-my-visits"),
        Route("/api/visits/{uuid}", views.my_visit, methods=["GET"], name="api-visit-read"),
        Route("/api/visits/{uuid}", views.put_visit, methods=["PUT"], name="api-visit"),
        Route("/api/visits/{uuid}/photos/{photo_uuid}", views.put_photo, methods=["PUT"], name="api-visit-photo"),
        Route("/visits/{uuid}/report", views.report_page, name="visit-report"),
        Route("/visits/{uuid}/report.pdf", views.report_pdf, name="visit-report-pdf"),
        Route("/visits/{uuid}/photos/{photo_uuid}", views.photo_full, name="visit-photo"),
        Route("/visits/{uuid}/photos/{photo_uuid}/thumb", views.photo_thumb, name="visit-photo-thumb"),
        *export_views.routes(),
        *assign_views.routes(),
        *finding_views.routes(),
        *finding_api.routes(),
        Mount("/static", app=StaticFiles(directory=STATIC, check_dir=False), name="static"),
    ]
