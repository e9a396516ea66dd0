"""Every URL of the application, in one list, each with a name."""

from __future__ import annotations

from starlette.routing import BaseRoute, Route

from . import views


def routes() -> list[BaseRoute]:
    return [
        Route("/health", views.health, name="health"),
        Route("/api/checklists", views.checklists, name="api-checklists"),
    ]
