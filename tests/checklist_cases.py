"""Bad checklist files, each with the line and words `audit check` must report.

A case is (name, file text, expected line, expected words, schema_can_tell). The last says
whether the JSON Schema alone can see the problem, so the tests can hold the published
schema and the validator to the same verdict wherever the schema can tell.
"""

from __future__ import annotations

BASE = """\
id: shop
title: {zh-Hans: 门店, zh-Hant: 門店, en: Shop}
language: zh-Hans
languages: [zh-Hans, zh-Hant, en]
site_types: [supermarket]
stages:
  pre-sale:
    sections:
      - id: entrance
        title: 入口
        items:
          - id: carts
            text: 有儿童车
            guidance: 看入口
            fix: 入口保持有儿童车
            type: yes_no
"""


def with_items(items: str) -> str:
    """BASE with more items after `carts` (indented as items of the first section)."""
    return BASE + items


def as_case(text: str, days: int = 3) -> str:
    """The checklist as a case over `days` days: one line more above `stages`."""
    return text.replace("stages:\n", f"case: {{days: {days}}}\nstages:\n", 1)


ITEM = "          - {{id: {id}, text: t, guidance: g, fix: 改, {keys}}}\n"


def item(ident: str, keys: str) -> str:
    """One more item, in flow style, with the given keys after the texts."""
    return ITEM.format(id=ident, keys=keys)


CASES: list[tuple[str, str, int, str, bool]] = [
    ("syntax error", BASE + "          - id: [unclosed\n", 18, "YAML syntax error", False),
    ("tab indentation", BASE.replace("            text:", "\ttext:"), 13, "YAML syntax error", False),
    ("empty file", "", 1, "this file is empty", True),
    ("comments only", "# nothing here\n", 1, "this file is empty", True),
    ("top-level list", "- id: shop\n- id: other\n", 1, "this file is a list", True),
    ("top-level scalar", "just words\n", 1, "this file is a single value", True),
    ("unknown top-level key", BASE.replace("site_types:", "site_type:"), 5, "unknown key 'site_type' (did you mean 'site_types'?)", True),
    ("unknown item key", with_items("            wieght: 2\n"), 17, "unknown key 'wieght' (did you mean 'weight'?)", True),
    ("key of another type", with_items("            choices: []\n"), 17, "key 'choices' does not apply to a yes_no item", True),
    ("duplicate key", with_items("            type: scale\n"), 17, "duplicate key 'type' (first at line 16)", False),
    ("duplicate top key", BASE + "id: again\n", 17, "duplicate key 'id'", False),
    ("duplicate item id", with_items("          - {id: carts, text: 又一个, guidance: 看, fix: 改, type: yes_no}\n"), 17, "duplicate item id 'carts' (first at line 12)", False),
    ("duplicate section id", BASE + "      - id: entrance\n        title: 又\n        items: [{id: other, text: t, guidance: g, fix: 改, type: text}]\n", 17, "duplicate section id 'entrance'", False),
    ("when to a missing item", with_items("          - {id: count, text: 数量, guidance: 数, fix: 改, type: yes_no, when: {item: cart, equals: yes}}\n"), 17, "when points at 'cart', which is not an item (did you mean 'carts'?)", False),
    ("when to a later item", BASE.replace("            type: yes_no\n", "            type: yes_no\n            when: {item: later, equals: yes}\n") + "          - {id: later, text: t, guidance: g, fix: 改, type: yes_no}\n", 17, "which comes later", False),
    ("when value impossible", with_items("          - {id: count, text: 数量, guidance: 数, fix: 改, type: yes_no, when: {item: carts, equals: maybe}}\n"), 17, "'maybe' is not a possible answer of 'carts'", False),
    ("when on a text item", with_items("          - {id: words, text: t, guidance: g, fix: 改, type: text}\n          - {id: x, text: t, guidance: g, fix: 改, type: yes_no, when: {item: words, equals: a}}\n"), 18, "only yes_no, scale, choice and multi_choice", False),
    ("when without equals or in", with_items("          - {id: x, text: t, guidance: g, fix: 改, type: yes_no, when: {item: carts}}\n"), 17, "when needs exactly one of 'equals' or 'in'", True),
    ("weight too high", with_items("            weight: 150\n"), 17, "weight 150 is out of range: it must be at most 100", True),
    ("negative weight", with_items("            weight: -1\n"), 17, "weight -1 is out of range: it must be at least 0", True),
    ("weight as text", with_items("            weight: heavy\n"), 17, "weight must be a number, not a string", True),
    ("zero section weight", BASE.replace("        title: 入口\n", "        title: 入口\n        weight: 0\n"), 11, "weight 0 is out of range: it must be greater than 0", True),
    ("choice score out of range", with_items("          - id: greet\n            text: 问候\n            guidance: 听\n            fix: 改\n            type: choice\n            choices:\n              - {id: a, label: 好, score: 2}\n              - {id: b, label: 差, score: 0}\n"), 23, "score 2 is out of range: it must be at most 1", True),
    ("no choice can pass", with_items("          - id: greet\n            text: 问候\n            guidance: 听\n            fix: 改\n            type: choice\n            pass_score: 0.9\n            choices:\n              - {id: a, label: 好, score: 0.5}\n              - {id: b, label: 差, score: 0}\n"), 24, "no answer can reach pass_score 0.9", False),
    ("duplicate choice id", with_items("          - id: greet\n            text: 问候\n            guidance: 听\n            fix: 改\n            type: choice\n            choices:\n              - {id: a, label: 好, score: 1}\n              - {id: a, label: 差, score: 0}\n"), 24, "duplicate choice id 'a'", False),
    ("pass threshold outside the range", with_items("          - {id: n, text: 数, guidance: 数, fix: 改, type: number, unit: 辆, min: 0, max: 10, pass: {min: 20}}\n"), 17, "pass min 20 lies outside what may be entered (0 to 10)", False),
    ("pass min above pass max", with_items("          - {id: wait, text: 等, guidance: 计时, fix: 改, type: timer, pass: {min: 60, max: 30}}\n"), 17, "pass min 60 is above pass max 30", False),
    ("number without pass", with_items("          - {id: n, text: 数, guidance: 数, fix: 改, type: number, unit: 辆}\n"), 17, "missing required key 'pass': the range that passes; to record the value without scoring it, give the item weight: 0", True),
    ("timer without pass", with_items(item("w", "type: timer")), 17, "missing required key 'pass'", True),
    # graded thresholds: partial credit just outside pass
    ("partial without a bound", with_items(item("w", "type: timer, pass: {max: 30}, partial: {score: 0.5}")), 17, "partial needs a min or a max, beyond pass's", True),
    ("partial without a score", with_items(item("w", "type: timer, pass: {max: 30}, partial: {max: 60}")), 17, "item 'w': partial is missing required key 'score'", True),
    ("partial score of 1", with_items(item("w", "type: timer, pass: {max: 30}, partial: {max: 60, score: 1}")), 17, "score 1 is out of range: it must be less than 1", True),
    ("partial score of 0", with_items(item("w", "type: timer, pass: {max: 30}, partial: {max: 60, score: 0}")), 17, "score 0 is out of range: it must be greater than 0", True),
    ("partial inside pass", with_items(item("w", "type: timer, pass: {max: 60}, partial: {max: 30, score: 0.5}")), 17, "item 'w': partial max 30 must be above pass max 60", False),
    ("partial at the pass limit", with_items(item("n", "type: number, unit: 件, pass: {min: 3}, partial: {min: 3, score: 0.5}")), 17, "item 'n': partial min 3 must be below pass min 3", False),
    ("partial on a side pass leaves open", with_items(item("w", "type: timer, pass: {max: 30}, partial: {min: 5, max: 60, score: 0.5}")), 17, "item 'w': partial min 5 widens pass on a side it leaves open", False),
    ("partial outside what may be entered", with_items(item("n", "type: number, unit: 件, min: 0, max: 10, pass: {min: 3}, partial: {min: -1, score: 0.5}")), 17, "item 'n': partial min -1 lies outside what may be entered (0 to 10)", False),
    ("negative partial on a timer", with_items(item("w", "type: timer, pass: {min: 10}, partial: {min: -5, score: 0.5}")), 17, "item 'w': partial min -5 is negative", False),
    ("partial on a yes_no item", with_items(item("y", "type: yes_no, partial: {max: 1, score: 0.5}")), 17, "key 'partial' does not apply to a yes_no item", True),
    # recorded only: weight 0 states no standard
    ("pass on a recorded item", with_items(item("n", "type: number, unit: 人, weight: 0, pass: {min: 3}")), 17, "item 'n': key 'pass' does not apply to an item of weight 0, which records its answer", True),
    ("partial on a recorded item", with_items(item("w", "type: timer, weight: 0, partial: {max: 60, score: 0.5}")), 17, "key 'partial' does not apply to an item of weight 0", True),
    ("critical on a recorded item", with_items(item("y", "type: yes_no, weight: 0, critical: {cap: 60}")), 17, "key 'critical' does not apply to an item of weight 0", True),
    ("pass_score on a recorded item", with_items(item("s", "type: scale, min: 1, max: 5, weight: 0, pass_score: 0.8")), 17, "key 'pass_score' does not apply to an item of weight 0", True),
    ("on_fail on a recorded item", with_items(item("y", "type: yes_no, weight: 0, evidence: {note: on_fail}")), 17, "item 'y': an item of weight 0 (recorded only) cannot fail, so note: on_fail never applies", False),
    # cases over several days
    ("day without a case", with_items(item("d", "type: yes_no, day: 2")), 17, "item 'd': day 2 places it in a case over several days, but the checklist has no case; add case: {days: N}", False),
    ("day after the case", as_case(with_items(item("d", "type: yes_no, day: 5"))), 18, "item 'd': day 5 falls after the case's last day (3)", False),
    ("section day after the case", as_case(BASE.replace("        title: 入口\n", "        title: 入口\n        day: 4\n")), 12, "section 'entrance': day 4 falls after the case's last day (3)", False),
    ("day zero", as_case(with_items(item("d", "type: yes_no, day: 0"))), 18, "day 0 is out of range: it must be at least 1", True),
    ("day as text", as_case(with_items(item("d", "type: yes_no, day: monday"))), 18, "day must be a whole number, not a string", True),
    ("case without days", as_case(BASE).replace("case: {days: 3}", "case: {}"), 6, "checklist: case is missing required key 'days'", True),
    ("case of no days", as_case(BASE, days=0), 6, "days 0 is out of range: it must be at least 1", True),
    ("when on a later day", as_case(with_items(item("first", "type: yes_no, day: 3") + item("then", "type: yes_no, day: 1, when: {item: first, equals: yes}"))), 19, "item 'then': due on day 1, it depends on 'first', due later on day 3", False),
    ("scale min above max", with_items("          - {id: s, text: 评, guidance: 评, fix: 改, type: scale, min: 5, max: 1}\n"), 17, "1 to 10 steps apart", False),
    ("scale label out of range", with_items("          - {id: s, text: 评, guidance: 评, fix: 改, type: scale, min: 1, max: 5, labels: {9: 好}}\n"), 17, "label for 9, outside the scale 1 to 5", False),
    ("critical cap out of range", with_items("            critical: {cap: 120}\n"), 17, "cap 120 is out of range: it must be at most 100", True),
    ("weight on a text item", with_items("          - {id: words, text: t, guidance: g, fix: 改, type: text, weight: 2}\n"), 17, "key 'weight' does not apply to a text item", True),
    ("on_fail on a photo item", with_items("          - {id: pic, text: t, guidance: g, fix: 改, type: photo, evidence: {photo: on_fail}}\n"), 17, "a photo item cannot fail", False),
    ("missing default-language text", with_items("          - {id: x, text: {en: Carts}, guidance: g, fix: 改, type: yes_no}\n"), 17, "text has no zh-Hans text (the default language)", False),
    ("language not listed", with_items("          - {id: x, text: {zh-Hans: 车, fr: Chariots}, guidance: g, fix: 改, type: yes_no}\n"), 17, "is given in 'fr', which languages does not list", False),
    ("bad language code", BASE.replace("en: Shop}", "english: Shop}"), 2, "'english' is not a language code", True),
    ("default language not listed", BASE.replace("languages: [zh-Hans, zh-Hant, en]", "languages: [zh-Hant, en]"), 4, "languages must include the default language 'zh-Hans'", False),
    ("unknown stage", BASE.replace("  pre-sale:", "  presale:"), 7, "unknown stage 'presale' (did you mean 'pre-sale'?)", True),
    ("unknown response type", BASE.replace("type: yes_no", "type: yesno"), 16, "unknown response type 'yesno' (did you mean 'yes_no'?)", True),
    ("site type not an id", BASE.replace("[supermarket]", "[Super Market]"), 5, "checklist: site type 'Super Market' may hold only lowercase letters", True),
    # YAML 1.1 types some unquoted words and numbers: where a string is meant, say to quote it
    ("site type read as false", BASE.replace("[supermarket]", "[no]"), 5, 'checklist: site_types must be a string, but YAML reads the unquoted no as false; write it in quotes: "no"', True),
    ("text read as false", BASE.replace("en: Shop}", "en: off}"), 2, 'checklist: en must be a string, but YAML reads the unquoted off as false; write it in quotes: "off"', True),
    ("time read as a number", with_items(item("t", "type: yes_no")).replace("text: t,", "text: 9:30,"), 17, "item 't': text must be a string or a mapping, but YAML reads the unquoted 9:30 as the number 570; write it in quotes: \"9:30\"", True),
    ("octal id read as a number", BASE.replace("id: entrance", "id: 010"), 9, 'id must be a string, but YAML reads the unquoted 010 as the number 8; write it in quotes: "010"', True),
    ("choice id read as true", with_items("          - id: power\n            text: 电源\n            guidance: 看\n            fix: 改\n            type: choice\n            choices:\n              - {id: on, label: 开, score: 1}\n              - {id: \"off\", label: 关, score: 0}\n"), 23, 'id must be a string, but YAML reads the unquoted on as true; write it in quotes: "on"', True),
    ("language read as false", BASE.replace("language: zh-Hans", "language: no"), 3, 'language must be a string, but YAML reads the unquoted no as false', True),
    ("when value read as true", with_items("          - id: power\n            text: 电源\n            guidance: 看\n            fix: 改\n            type: choice\n            choices:\n              - {id: \"on\", label: 开, score: 1}\n              - {id: \"off\", label: 关, score: 0}\n" + item("x", "type: yes_no, when: {item: power, in: [\"off\", on]}")), 25, 'item \'x\': YAML reads the unquoted on as true; write yes or no for a yes/no answer, or quote a choice id: "on"', False),
    ("missing guidance", BASE.replace("            guidance: 看入口\n", ""), 12, "item 'carts': missing required key 'guidance'", True),
    ("missing fix", BASE.replace("            fix: 入口保持有儿童车\n", ""), 12, "item 'carts': missing required key 'fix': how the store puts a failure right", True),
    ("empty fix", BASE.replace("fix: 入口保持有儿童车", 'fix: ""'), 15, "item 'carts': fix must not be empty", True),
    ("fix as a list", BASE.replace("fix: 入口保持有儿童车", "fix: [补车]"), 15, "item 'carts': fix must be a string or a mapping, not a list", True),
    ("fix without default-language text", with_items("          - {id: x, text: t, guidance: g, fix: {en: Keep carts at the door}, type: yes_no}\n"), 17, "item 'x': fix has no zh-Hans text (the default language)", False),
    ("fix in an unlisted language", with_items("          - {id: x, text: t, guidance: g, fix: {zh-Hans: 补车, fr: Chariots}, type: yes_no}\n"), 17, "item 'x': fix is given in 'fr', which languages does not list", False),
    ("missing stages", BASE.split("stages:")[0], 1, "missing required key 'stages'", True),
    ("empty sections", BASE.split("    sections:")[0] + "    sections: []\n", 8, "sections must not be empty", True),
    ("bad id", BASE.replace("id: carts", "id: Child Carts"), 12, "id 'Child Carts' may hold only lowercase letters", True),
    ("bands out of order", BASE + "bands:\n  - {id: pass, min: 60, label: 合格}\n  - {id: top, min: 90, label: 优秀}\n  - {id: fail, min: 0, label: 不合格}\n", 19, "bands must go from the highest min to the lowest", False),
    ("last band not at zero", BASE + "bands:\n  - {id: pass, min: 60, label: 合格}\n", 18, "the last band must start at min 0", False),
    ("object tag", BASE.replace("title: 入口", "title: !!python/object/apply:os.system [ls]"), 10, "is not allowed: only plain values", False),
    ("custom tag", BASE.replace("title: 入口", "title: !secret 入口"), 10, "is not allowed: only plain values", False),
    ("not a finite number", with_items("            weight: .inf\n"), 17, "'.inf' is not a finite number", False),
    ("two documents", BASE + "---\nid: other\n", 17, "only one YAML document per file", False),
    ("merge key", BASE + "extra: &x {a: 1}\nmore:\n  <<: *x\n", 19, "merge keys (<<) are not supported", False),
    ("undefined alias", BASE.replace("title: 入口", "title: *nowhere"), 10, "alias *nowhere has no anchor before it", False),
    ("recursive alias", BASE + "loop: &l [*l]\n", 17, "alias *l refers to itself", False),
    ("deep nesting", BASE + "deep: " + "[" * 200 + "]" * 200 + "\n", 17, "nested more than 64 levels deep", False),
    ("control character", BASE.replace("看入口", "看\x07入口"), 14, "character U+0007 is not allowed", False),
]

BOMB = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [" + ", ".join([f"*{chr(97 + i)}"] * 10) + "]\n" for i in range(8)
)
