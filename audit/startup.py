"""What every server process does before it serves, and what it is told to serve.

Kept apart from the web app so that `audit serve`'s supervising process, which only starts
the workers, loads neither Starlette's views nor WeasyPrint.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

import sqlite_utils

from . import db, doctor, facts, library
from .branding import DEFAULT_ACCENT
from .library import CHECKLISTS
from .model import Checklist

SETTINGS_VARIABLE = "AUDIT_SETTINGS"


@dataclass
class Settings:
    db_path: Path
    checklists_dir: Path = CHECKLISTS
    brand_name: str = ""  # on the reports; empty: the product's name in the reader's language
    logo_path: Path | None = None  # a PNG or JPEG shown on the reports' cover
    accent: str = DEFAULT_ACCENT  # the reports' accent colour, #rrggbb

    def to_environment(self) -> str:
        """For worker processes, which uvicorn starts by importing the app's factory."""
        return json.dumps({key: str(value) if value is not None else None for key, value in asdict(self).items()})

    @classmethod
    def from_environment(cls) -> Settings:
        values = json.loads(os.environ[SETTINGS_VARIABLE])
        logo = values["logo_path"]
        return cls(
            db_path=Path(values["db_path"]),
            checklists_dir=Path(values["checklists_dir"]),
            brand_name=values["brand_name"],
            logo_path=Path(logo) if logo else None,
            accent=values["accent"],
        )


class NeedsRepair(RuntimeError):
    """The store holds visits stored in part: serving on it would hide them for good."""


def open_store(settings: Settings) -> tuple[sqlite_utils.Database, list[Checklist]]:
    """Migrates the store, records the checklists served, and refuses a store that needs repair."""
    database = db.connect(settings.db_path)
    checkup = doctor.startup_check(database)
    if not checkup.whole:
        database.close()
        raise NeedsRepair(checkup.advice(str(settings.db_path)))
    facts.fill_missing(database)
    checklists: list[Checklist] = library.load(settings.checklists_dir)
    db.record_checklists(database, checklists)
    return database, checklists
