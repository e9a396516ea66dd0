"""A small organisation in both file forms, and how a test reads one: shared by the tests of
the file's format (test_org.py) and of its import into a store (test_org_store.py)."""

from __future__ import annotations

from audit import orgfile
from audit.orgmodel import Organisation

ORG = """\
site_types:
  - {id: supermarket, name: 超市}
  - {id: hotel, name: {zh-Hans: 酒店, en: Hotel}}
regions:
  - id: east
    name: {zh-Hans: 华东区, en: East}
    branches:
      - id: sh-xujiahui
        name: 上海徐家汇店
        city: 上海
        sites:
          - {id: sh-xujiahui-supermarket, name: 徐家汇超市, type: supermarket}
          - {id: sh-xujiahui-hotel, name: 徐家汇酒店, type: hotel}
  - id: south
    name: 华南区
    branches:
      - id: gz-tianhe
        name: 广州天河店
        sites:
          - {id: gz-tianhe-supermarket, name: 天河超市, type: supermarket}
"""

CSV = """\
region,region_name,region_name:en,branch,branch_name,city,site,site_name,site_type,site_type_name,site_type_name:en
east,华东区,East,sh-xujiahui,上海徐家汇店,上海,sh-xujiahui-supermarket,徐家汇超市,supermarket,超市,Supermarket
east,华东区,East,sh-xujiahui,上海徐家汇店,上海,sh-xujiahui-hotel,徐家汇酒店,hotel,酒店,Hotel
south,华南区,South,gz-tianhe,广州天河店,广州,gz-tianhe-supermarket,天河超市,supermarket,超市,Supermarket
"""


def problems(text: str | bytes, kind: str) -> list[str]:
    raw = text.encode("utf-8") if isinstance(text, str) else text
    org, found = orgfile.parse(raw, kind)
    assert (org is None) == bool(found)
    return [problem.format(f"org.{kind}") for problem in found]


def parsed(text: str, kind: str = "yaml") -> Organisation:
    org, found = orgfile.parse(text.encode("utf-8"), kind)
    assert org is not None, found
    return org
