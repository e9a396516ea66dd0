"""The organisation an audit is about: regions, branches and their sites."""

from __future__ import annotations

import json
from typing import Any

import sqlite_utils


def sites(db: sqlite_utils.Database) -> list[dict[str, Any]]:
    """Every site with its branch and region, names as language mappings."""
    regions = {row["id"]: json.loads(row["name"]) for row in db.table("regions").rows}
    branches = {row["id"]: row for row in db.table("branches").rows}
    result = []
    for site in db.table("sites").rows_where(order_by="id"):
        branch = branches[site["branch_id"]]
        result.append(
            {
                "id": site["id"],
                "name": json.loads(site["name"]),
                "site_type": site["site_type"],
                "branch": {"id": branch["id"], "name": json.loads(branch["name"])},
                "region": {"id": branch["region_id"], "name": regions[branch["region_id"]]},
            }
        )
    return result


def branch_names(db: sqlite_utils.Database, ids: tuple[str, ...]) -> dict[str, dict[str, str]]:
    """Branches' names as language mappings, by id."""
    marks = ", ".join("?" for _ in ids) or "NULL"
    return {row[0]: json.loads(row[1]) for row in db.execute(f"SELECT id, name FROM branches WHERE id IN ({marks})", list(ids))}
