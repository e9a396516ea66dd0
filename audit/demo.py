"""A demo organisation: regions, branches and a site of every site type.

It lives in the package so that `audit demo` and the tests build the same data. Running it
again updates the same rows rather than adding copies.
"""

from __future__ import annotations

import json

import sqlite_utils

from .schema import SITE_TYPES


def _name(zh_hans: str, zh_hant: str, en: str) -> str:
    return json.dumps({"zh-Hans": zh_hans, "zh-Hant": zh_hant, "en": en}, ensure_ascii=False)


REGIONS = [
    {"id": "east", "name": _name("华东区", "華東區", "East")},
    {"id": "south", "name": _name("华南区", "華南區", "South")},
    {"id": "north", "name": _name("华北区", "華北區", "North")},
]

BRANCHES = [
    {"id": "sh-xujiahui", "region_id": "east", "city": "上海", "name": _name("上海徐家汇店", "上海徐家匯店", "Shanghai Xujiahui")},
    {"id": "hz-wulin", "region_id": "east", "city": "杭州", "name": _name("杭州武林店", "杭州武林店", "Hangzhou Wulin")},
    {"id": "gz-tianhe", "region_id": "south", "city": "广州", "name": _name("广州天河店", "廣州天河店", "Guangzhou Tianhe")},
    {"id": "nn-qingxiu", "region_id": "south", "city": "南宁", "name": _name("南宁青秀店", "南寧青秀店", "Nanning Qingxiu")},
    {"id": "bj-chaoyang", "region_id": "north", "city": "北京", "name": _name("北京朝阳店", "北京朝陽店", "Beijing Chaoyang")},
    {"id": "tj-heping", "region_id": "north", "city": "天津", "name": _name("天津和平店", "天津和平店", "Tianjin Heping")},
]

_SITE_NAMES = {
    "supermarket": ("超市", "超市", "Supermarket"),
    "appliance-store": ("家电卖场", "家電賣場", "Appliance store"),
    "apparel-store": ("服装店", "服裝店", "Apparel store"),
    "shoe-store": ("鞋店", "鞋店", "Shoe store"),
    "hotel": ("酒店", "酒店", "Hotel"),
    "restaurant": ("餐厅", "餐廳", "Restaurant"),
    "venue": ("体育场", "體育場", "Stadium"),
    "service-hall": ("营业厅", "營業廳", "Service hall"),
    "service-centre": ("售后服务中心", "售後服務中心", "After-sales centre"),
}


def sites() -> list[dict[str, str]]:
    """Every site type at least twice, spread over the branches so each region has several."""
    rows = []
    for index, site_type in enumerate(SITE_TYPES):
        for offset in (0, 3):
            branch = BRANCHES[(index + offset) % len(BRANCHES)]
            branch_name = json.loads(branch["name"])
            zh_hans, zh_hant, en = _SITE_NAMES[site_type]
            rows.append(
                {
                    "id": f"{branch['id']}-{site_type}",
                    "branch_id": branch["id"],
                    "site_type": site_type,
                    "name": _name(
                        f"{branch_name['zh-Hans']}{zh_hans}",
                        f"{branch_name['zh-Hant']}{zh_hant}",
                        f"{branch_name['en']} {en.lower()}",
                    ),
                }
            )
    return rows


def build(db: sqlite_utils.Database) -> dict[str, int]:
    """Fills the organisation in; returns how many rows each table holds afterwards."""
    with db.conn:
        db["regions"].upsert_all(REGIONS, pk="id")
        db["branches"].upsert_all(BRANCHES, pk="id")
        db["sites"].upsert_all(sites(), pk="id")
    return {table: db[table].count for table in ("regions", "branches", "sites")}
