"""The organisation file's format: bad files (YAML and CSV) located by line and field, every
problem of a file at once, encodings, and the examples in the README and the demo valid."""

from __future__ import annotations

import pytest

from audit import demo
from audit.orgmodel import Site

from .conftest import ROOT
from .org_cases import CSV, ORG, parsed, problems


def test_the_examples_are_valid_and_alike() -> None:
    from_yaml, from_csv = parsed(ORG), parsed(CSV, "csv")
    assert [r.id for r in from_yaml.regions] == ["east", "south"]
    assert from_yaml.regions[0].branches[0].sites[1] == Site("sh-xujiahui-hotel", {"zh-Hans": "徐家汇酒店"}, "hotel")
    assert from_csv.regions[0].branches[0].city == "上海" and from_yaml.regions[1].branches[0].city is None
    assert from_csv.site_types[0].name == {"zh-Hans": "超市", "en": "Supermarket"}
    assert [s.id for r in from_csv.regions for b in r.branches for s in b.sites] == [
        s.id for r in from_yaml.regions for b in r.branches for s in b.sites
    ]


YAML_CASES = [
    ("site type typo", ORG.replace("type: hotel}", "type: hotle}"),
     "org.yaml:13: regions[0].branches[0].sites[1].type: unknown site type 'hotle' (did you mean 'hotel'?); the file's site types are supermarket, hotel"),
    ("site id twice", ORG.replace("id: gz-tianhe-supermarket", "id: sh-xujiahui-supermarket"),
     "org.yaml:20: regions[1].branches[0].sites[0].id: duplicate site id 'sh-xujiahui-supermarket' (first on line 12)"),
    ("branch in two regions", ORG.replace("id: gz-tianhe\n", "id: sh-xujiahui\n"),
     "org.yaml:17: regions[1].branches[0].id: duplicate branch id 'sh-xujiahui' (first on line 8)"),
    ("region twice", ORG.replace("id: south", "id: east"),
     "org.yaml:14: regions[1].id: duplicate region id 'east' (first on line 5)"),
    ("site type twice", ORG.replace("{id: hotel,", "{id: supermarket,"),
     "org.yaml:3: site_types[1].id: duplicate site type id 'supermarket' (first on line 2)"),
    ("empty name", ORG.replace("name: 广州天河店", 'name: ""'),
     "org.yaml:18: regions[1].branches[0].name: must not be empty"),
    ("empty name in a language", ORG.replace("en: East}", "en: ''}"),
     "org.yaml:6: regions[0].name.en: must not be empty"),
    ("name left out", ORG.replace("        name: 广州天河店\n", ""),
     "org.yaml:17: regions[1].branches[0].name: missing; branch keys are id, name, city, sites"),
    ("unquoted no", ORG.replace("id: south", "id: no"),
     "org.yaml:14: regions[1].id: must be a string, not true/false: YAML reads an unquoted yes, no, on or off as true/false, so put it in quotes"),
    ("number as a city", ORG.replace("city: 上海", "city: 021"),
     "org.yaml:10: regions[0].branches[0].city: must be a string, not a number: put it in quotes"),
    ("id not an id", ORG.replace("id: gz-tianhe\n", "id: GZ Tianhe\n"),
     "org.yaml:17: regions[1].branches[0].id: 'GZ Tianhe' may hold only lowercase letters, digits, '-' and '_', start with a letter or digit, and be at most 64 characters"),
    ("unknown key", ORG.replace("city: 上海", "cty: 上海"),
     "org.yaml:10: regions[0].branches[0].cty: unknown key (did you mean 'city'?); branch keys are id, name, city, sites"),
    ("bad language code", ORG.replace("en: East}", "EN: East}"),
     "org.yaml:6: regions[0].name.EN: 'EN' is not a language code like zh-Hans, zh-Hant or en"),
    ("top-level typo", ORG.replace("regions:", "region:"),
     "org.yaml:4: region: unknown key (did you mean 'regions'?); organisation file keys are site_types, regions"),
    ("sites not a list", ORG.replace("        sites:\n          - {id: gz-tianhe-supermarket, name: 天河超市, type: supermarket}\n", "        sites: 3\n"),
     "org.yaml:19: regions[1].branches[0].sites: must be a list, not a single value"),
    ("duplicate key", ORG.replace("city: 上海", "city: 上海\n        city: 北京"),
     "org.yaml:11:9: duplicate key 'city' (first at line 10); YAML would silently keep the last one"),
    ("syntax error", ORG.replace("name: 华南区", "name: [华南区"),
     "org.yaml:16:13: YAML syntax error: while parsing a flow sequence did not find expected ',' or ']'"),
    ("empty file", "", "org.yaml:1:1: an organisation file is a mapping of site_types, regions; this is empty"),
]


@pytest.mark.parametrize(("name", "text", "expected"), YAML_CASES, ids=[case[0] for case in YAML_CASES])
def test_bad_yaml_is_located_by_line_and_field(name: str, text: str, expected: str) -> None:
    found = problems(text, "yaml")
    assert expected in found, f"{name}: {found}"


def test_every_problem_of_a_file_at_once() -> None:
    text = ORG.replace("type: hotel}", "type: hotle}").replace("id: south", "id: no").replace("city: 上海", "cty: 上海")
    assert [line.split(": ")[0] for line in problems(text, "yaml")] == [
        "org.yaml:10", "org.yaml:13", "org.yaml:14",
    ]


def _drop_column(text: str, column: str) -> str:
    rows = [line.split(",") for line in text.splitlines()]
    index = rows[0].index(column)
    return "".join(",".join(cells[:index] + cells[index + 1:]) + "\n" for cells in rows)


CSV_CASES = [
    ("site type typo", CSV.replace("gz-tianhe-supermarket,天河超市,supermarket,超市,Supermarket", "gz-tianhe-supermarket,天河超市,supermarkt,,"),
     "org.csv:4: site_type: unknown site type 'supermarkt' (did you mean 'supermarket'?): no row names it in site_type_name"),
    ("branch in another region", CSV.replace("east,华东区,East,sh-xujiahui,上海徐家汇店,上海,sh-xujiahui-hotel", "south,华南区,South,sh-xujiahui,上海徐家汇店,上海,sh-xujiahui-hotel"),
     "org.csv:3: region: branch 'sh-xujiahui' is in region 'east' on row 2; a branch is in one region"),
    ("branch named otherwise", CSV.replace("上海徐家汇店,上海,sh-xujiahui-hotel", "上海徐汇店,上海,sh-xujiahui-hotel"),
     "org.csv:3: branch_name: branch 'sh-xujiahui' is named otherwise on row 2"),
    ("named otherwise in a language", CSV.replace("超市,Supermarket\n", "超市,Grocery\n").replace("超市,Grocery\n", "超市,Supermarket\n", 1),
     "org.csv:4: site_type_name:en: site type 'supermarket' is named otherwise on row 2"),
    ("city otherwise", CSV.replace("上海,sh-xujiahui-hotel", "苏州,sh-xujiahui-hotel"),
     "org.csv:3: city: branch 'sh-xujiahui' is in 上海 on row 2"),
    ("site id twice", CSV.replace("gz-tianhe-supermarket", "sh-xujiahui-supermarket"),
     "org.csv:4: site: duplicate site id 'sh-xujiahui-supermarket' (first on row 2)"),
    ("site without a name", CSV.replace("天河超市", ""), "org.csv:4: site_name: empty; every site needs a name"),
    ("region never named", CSV.replace("south,华南区,South", "south,,"),
     "org.csv:4: region_name: empty on every row of region 'south'; name it on one row at least"),
    ("site without a branch", CSV.replace("gz-tianhe,广州天河店,广州,", ",,,"), "org.csv:4: branch: empty, but the row gives a site"),
    ("id not an id", CSV.replace("gz-tianhe-supermarket", "GZ supermarket"),
     "org.csv:4: site: 'GZ supermarket' may hold only lowercase letters, digits, '-' and '_', start with a letter or digit, and be at most 64 characters"),
    ("unknown column", CSV.replace(",city,", ",town,"),
     "org.csv:1: town: unknown column; columns are region, region_name, branch, branch_name, city, site, site_name, site_type, site_type_name and names in other languages like site_name:en"),
    ("column misspelt", CSV.replace("site_type_name:en", "site_type_nmae"),
     "org.csv:1: site_type_nmae: unknown column (did you mean 'site_type_name'?); columns are region, region_name, branch, branch_name, city, site, site_name, site_type, site_type_name and names in other languages like site_name:en"),
    ("missing column", _drop_column(CSV, "city"), "org.csv:1: city: missing from the header"),
    ("bad language column", CSV.replace("region_name:en", "region_name:EN"),
     "org.csv:1: region_name:EN: 'EN' is not a language code like zh-Hans, zh-Hant or en"),
    ("default language twice", CSV.replace("region_name:en", "region_name:zh-Hans"),
     "org.csv:1: region_name:zh-Hans: region_name holds the default language, zh-Hans, already"),
    ("cells beyond the header", CSV.replace("徐家汇酒店,hotel,酒店,Hotel", "徐家汇酒店,hotel,酒店,Hotel,extra"),
     "org.csv:3: column 12: the row has 12 cells, the header 11"),
    ("a cell over lines counts as one row", CSV.replace("徐家汇超市", '"徐家汇\n超市"').replace("天河超市", ""),
     "org.csv:4: site_name: empty; every site needs a name"),
    ("empty file", "", "org.csv:1:1: file is empty; its first row names the columns region, region_name, branch, branch_name, city, site, site_name, site_type, site_type_name"),
]


@pytest.mark.parametrize(("name", "text", "expected"), CSV_CASES, ids=[case[0] for case in CSV_CASES])
def test_bad_csv_is_located_by_row_and_column(name: str, text: str, expected: str) -> None:
    found = problems(text, "csv")
    assert expected in found, f"{name}: {found}"


def test_csv_encodings() -> None:
    assert parsed("\ufeff" + CSV, "csv") == parsed(CSV, "csv")
    assert problems(CSV.encode("utf-16"), "csv") == ["org.csv:1:1: file is UTF-16; save it as UTF-8"]
    gbk = problems(CSV.encode("gb18030"), "csv")
    assert len(gbk) == 1 and gbk[0].startswith("org.csv:2:") and "it looks like GBK/GB18030" in gbk[0]


def test_csv_rows_may_declare_an_empty_branch_region_or_site_type() -> None:
    text = CSV + "north,华北区,North,bj-chaoyang,北京朝阳店,北京,,,,,\nwest,西区,West,,,,,,,,\n,,,,,,,,venue,体育场,Stadium\n"
    org = parsed(text, "csv")
    assert [(r.id, [(b.id, b.sites) for b in r.branches]) for r in org.regions][2:] == [("north", [("bj-chaoyang", ())]), ("west", [])]
    assert [t.id for t in org.site_types] == ["supermarket", "hotel", "venue"]


def test_readme_examples_are_valid_and_alike() -> None:
    section = (ROOT / "README.md").read_text(encoding="utf-8").split("## The organisation file")[1]
    from_yaml = parsed(section.split("```yaml\n")[1].split("```")[0])
    from_csv = parsed(section.split("```csv\n")[1].split("```")[0], "csv")
    lounge = next(site for site in from_csv.regions[0].branches[0].sites if site.type == "airport-lounge")
    assert lounge == from_yaml.regions[0].branches[0].sites[1]
    assert from_yaml.site_types[1].name == {"zh-Hans": "机场贵宾室"}


def test_demo_org_file_is_valid() -> None:
    org = demo.organisation()
    assert len(org.regions) == 3 and sum(len(r.branches) for r in org.regions) >= 12


# The store.
