"""`audit check` on bad input: the right message at the right line, never a traceback."""

from __future__ import annotations

import random
import time
import tracemalloc
from pathlib import Path

import pytest
import yaml

from audit.schema_errors import schema_accepts
from audit.validate import check_bytes, check_file
from audit.yamlsource import MAX_BYTES, load

from .checklist_cases import BASE, BOMB, CASES, with_items


def messages(text: str | bytes) -> list[str]:
    raw = text.encode("utf-8") if isinstance(text, str) else text
    return [f"{p.line}:{p.column}: {p.message}" for p in check_bytes(raw, "case.yaml").problems]


def test_base_case_is_valid() -> None:
    assert messages(BASE) == []


@pytest.mark.parametrize(("name", "text", "line", "words", "schema_can_tell"), CASES, ids=[c[0] for c in CASES])
def test_bad_file_reports_line_and_message(name: str, text: str, line: int, words: str, schema_can_tell: bool) -> None:
    result = check_bytes(text.encode("utf-8"), "case.yaml")
    assert result.checklist is None
    found = [p for p in result.problems if p.line == line and words in p.message]
    assert found, f"{name}: expected line {line} {words!r}, got {messages(text)}"
    assert not any("internal error" in p.message for p in result.problems)


@pytest.mark.parametrize(
    ("name", "text"), [(c[0], c[1]) for c in CASES if c[4]], ids=[c[0] for c in CASES if c[4]]
)
def test_published_schema_rejects_what_it_can_tell(name: str, text: str) -> None:
    """Where the JSON Schema can see a problem, an editor using it flags the same file."""
    assert not schema_accepts(yaml.safe_load(text))


def test_schema_accepts_what_only_the_validator_refuses() -> None:
    """Duplicate ids are beyond a schema: it accepts them, the validator does not."""
    text = BASE + "          - {id: carts, text: 又一个, guidance: 看, fix: 改, type: yes_no}\n"
    assert schema_accepts(yaml.safe_load(text))
    assert messages(text)


def test_all_problems_of_a_file_at_once() -> None:
    text = BASE.replace("site_types:", "site_type:").replace("type: yes_no", "type: yesno") + "            wieght: 2\n"
    found = messages(text)
    assert [m.split(":")[0] for m in found] == ["1", "5", "16", "17"], found
    assert "missing required key 'site_types'" in found[0]


def test_fix_is_checked_like_every_text_to_the_column() -> None:
    """The store-facing fix gets the same checks as text and guidance, each at its place."""
    item = "          - id: x\n            text: t\n            guidance: g\n{fix}            type: yes_no\n"
    translated = with_items(item.format(fix="            fix:\n              en: Keep carts at the door\n              fr: Chariots\n"))
    assert messages(translated) == [
        "21:15: item 'x': fix has no zh-Hans text (the default language)",
        "22:15: item 'x': fix is given in 'fr', which languages does not list",
    ]
    missing = messages(with_items(item.format(fix="")))
    assert len(missing) == 1 and missing[0].startswith("17:13: item 'x': missing required key 'fix': "), missing
    assert "store" in missing[0] and "guidance" in missing[0], "the message says which field is whose"


@pytest.mark.parametrize(
    ("encoding", "expected"),
    [("gbk", "looks like GBK/GB18030"), ("big5", "Big5")],
)
def test_chinese_legacy_encodings_are_named(encoding: str, expected: str) -> None:
    raw = BASE.replace("门店", "門店").replace("有儿童车", "有兒童車").encode(encoding)
    found = messages(raw)
    assert len(found) == 1 and "not UTF-8" in found[0] and expected in found[0], found
    assert found[0].startswith("2:"), found


def test_utf16_and_bom() -> None:
    assert "UTF-16" in messages(BASE.encode("utf-16"))[0]
    assert messages(b"\xef\xbb\xbf" + BASE.encode("utf-8")) == []


def test_oversized_file_is_refused_without_reading_it(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    path.write_bytes(BASE.encode() + b"#" * (MAX_BYTES + 10))
    result = check_file(path)
    assert "larger than the limit" in result.problems[0].message


def test_alias_bomb_is_refused_quickly_in_bounded_memory() -> None:
    tracemalloc.start()
    started = time.perf_counter()
    found = messages(BASE + BOMB)
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert any("alias bomb" in m for m in found), found
    assert elapsed < 2, elapsed
    assert peak < 50 * 1024 * 1024, peak


def test_unreadable_path(tmp_path: Path) -> None:
    result = check_file(tmp_path)
    assert "cannot read the file" in result.problems[0].message


def _mutations(source: bytes, rng: random.Random) -> bytes:
    data = bytearray(source)
    for _ in range(rng.randint(1, 6)):
        op = rng.randrange(5)
        at = rng.randrange(len(data) or 1)
        if op == 0:
            del data[at : at + rng.randint(1, 40)]
        elif op == 1:
            data[at:at] = rng.choice([b":", b"- ", b"{", b"[", b"&a ", b"*a", b"\t", b"\n  ", b"!!", b"\xff", b"'", b'"', b"? ", b"~"])
        elif op == 2:
            data = data[:at]
        elif op == 3:
            line_start = data.rfind(b"\n", 0, at) + 1
            data[line_start:line_start] = b"  "
        else:
            data[at:at] = data[rng.randrange(len(data) or 1) :][:60]
    return bytes(data)


def test_random_damage_never_crashes(library_files: list[Path]) -> None:
    """Thousands of damaged copies of real checklists: each gets problems or passes, never a crash."""
    rng = random.Random(20261122)
    originals = [path.read_bytes() for path in library_files]
    for _ in range(1500):
        raw = _mutations(rng.choice(originals), rng)
        started = time.perf_counter()
        result = check_bytes(raw, "damaged.yaml")
        assert time.perf_counter() - started < 2
        assert not any("internal error" in p.message for p in result.problems), (raw[:300], result.problems)
        for problem in result.problems:
            assert problem.line >= 1 and problem.column >= 1


def test_an_anchor_on_a_key_names_the_key() -> None:
    """`&k a: 1` anchors the key's scalar: a later `*k` is the string "a", as a value or a key."""
    source, problems = load(b"&k a: 1\nb: *k\nc: {*k : 2}\n&n 3: x\nd: *n\n")
    assert problems == []
    assert source.data == {"a": 1, "b": "a", "c": {"a": 2}, "3": "x", "d": 3}


def test_a_checklist_may_alias_an_anchored_key() -> None:
    text = BASE.replace("title: {zh-Hans: 门店", "title: {&zh zh-Hans: 门店").replace("language: zh-Hans", "language: *zh")
    result = check_bytes(text.encode(), "case.yaml")
    assert result.problems == ()
    assert result.checklist is not None and result.checklist.language == "zh-Hans"


def test_an_alias_of_a_number_is_no_key() -> None:
    assert messages("n: &n 3\nm: {*n : 1}\n") == ["2:5: mapping keys must be plain strings"]


def test_quoted_words_stay_strings() -> None:
    """Quoting is the fix the YAML 1.1 messages give: the same file with quotes is valid."""
    text = BASE.replace("[supermarket]", '["no"]').replace("en: Shop}", 'en: "off"}').replace("id: entrance", 'id: "010"')
    result = check_bytes(text.encode(), "case.yaml")
    assert result.problems == ()
    assert result.checklist is not None
    assert (result.checklist.site_types, result.checklist.title["en"], result.checklist.stages[0].sections[0].id) == (("no",), "off", "010")


def _doc_example(heading: str) -> str:
    doc = (Path(__file__).resolve().parent.parent / "checklists" / "README.md").read_text(encoding="utf-8")
    return doc.split(f"### {heading}\n", 1)[1].split("```yaml\n", 1)[1].split("```", 1)[0]


@pytest.mark.parametrize("heading", ["Graded thresholds", "Recorded only", "Conditions on the visit's time"])
def test_the_format_doc_s_item_examples_are_valid(heading: str) -> None:
    assert messages(with_items(_doc_example(heading))) == []


def test_the_format_doc_s_case_example_is_valid() -> None:
    result = check_bytes((BASE.split("stages:\n")[0] + _doc_example("Cases over several days")).encode("utf-8"), "case.yaml")
    assert result.checklist is not None, result.problems
    assert result.checklist.case_days == 10
    assert [(i.id, i.day) for i in result.checklist.items()] == [("visit-booked", 1), ("fixed-on-visit", 3)]
