"""Assignments: the rules for one (every wrong field named), a CSV batch (every problem by row
and column, nothing created when any row is wrong, and atomic when a write fails), the visit
that fulfils one, the flags a reviewer sees, and who may assign and read what."""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import sqlite_utils
from starlette.testclient import TestClient

from audit import accounts, assignments, db, library, sync
from audit.accounts import User
from audit.app import create_app
from audit.demo import visit_body
from audit.startup import Settings

from .conftest import ROOT, demo_database, sign_in

CHINA = timezone(timedelta(hours=8))
SITE, CHECKLIST = "sh-xujiahui-supermarket", "retail-supermarket"
HOTEL = "sh-xujiahui-hotel"
CHECKLISTS = {c.id: c for c in library.load(ROOT / "checklists")}


@pytest.fixture
def store(tmp_path: Path) -> Iterator[sqlite_utils.Database]:
    database = db.connect(demo_database(tmp_path / "audit.db"))
    db.record_checklists(database, list(CHECKLISTS.values()))
    yield database
    database.close()


def person(database: sqlite_utils.Database, username: str) -> User:
    found = accounts.by_username(database, username)
    assert found is not None
    return found


def wanted(**change: str) -> assignments.Wanted:
    given = {"site": SITE, "checklist": CHECKLIST, "inspector": "inspector", "start": "2026-12-01T09:00", "end": "2026-12-01T18:00"}
    return assignments.Wanted(**(given | change))


def create(database: sqlite_utils.Database, **change: str) -> str:
    return assignments.create(database, wanted(**change), person(database, "hq"), offset=CHINA)


def send_visit(database: sqlite_utils.Database, started: datetime, *, site: str = SITE, inspector: str = "inspector") -> str:
    body, _ = visit_body(CHECKLISTS[CHECKLIST], site, random.Random(1), quality=0.9, started=started)
    visit_uuid = str(uuid.uuid4())
    outcome = sync.put_visit(database, visit_uuid, body, inspector=person(database, inspector).id)
    assert outcome.status == 200, outcome.body
    return visit_uuid


def test_one_is_stored_with_its_window_in_utc(store: sqlite_utils.Database) -> None:
    assignment_id = create(store)
    [found] = assignments.open_for(store, person(store, "inspector").id)
    assert (found.id, found.site_id, found.checklist_id, found.state) == (assignment_id, SITE, CHECKLIST, "open")
    assert (found.window_start, found.window_end) == ("2026-12-01T01:00:00+00:00", "2026-12-01T10:00:00+00:00")
    create(store, start="2026-11-30T20:00-05:00", end="2026-12-02T09:00Z")  # offsets given win over the caller's
    assert [a.window_start for a in assignments.open_for(store, person(store, "inspector").id)] == [
        "2026-12-01T01:00:00+00:00", "2026-12-01T01:00:00+00:00"
    ]


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"site": "nowhere"}, "site", "no site 'nowhere'"),
        ({"checklist": "nothing"}, "checklist", "no checklist 'nothing'"),
        ({"site": HOTEL}, "checklist", "not for sites of type"),
        ({"inspector": "reviewer"}, "inspector", "no inspector 'reviewer'"),
        ({"inspector": "nobody"}, "inspector", "no inspector 'nobody'"),
        ({"start": "tomorrow"}, "start", "not a date and time"),
        ({"end": ""}, "end", "give a date and time"),
        ({"end": "2026-12-01T09:00"}, "end", "must end after it starts"),
    ],
)
def test_each_wrong_field_is_named(store: sqlite_utils.Database, change: dict[str, str], field: str, words: str) -> None:
    with pytest.raises(assignments.AssignmentError) as raised:
        create(store, **change)
    assert [(p.field, words in p.message) for p in raised.value.problems] == [(field, True)]
    assert store.execute("SELECT count(*) FROM assignments").fetchone()[0] == 0


def test_a_disabled_inspector_is_not_assigned(store: sqlite_utils.Database) -> None:
    accounts.disable(store, "inspector2")
    with pytest.raises(assignments.AssignmentError, match="inspector: 'inspector2' is disabled"):
        create(store, inspector="inspector2")


def test_offsets() -> None:
    assert assignments.offset_of("+08:00") == CHINA
    assert assignments.offset_of("-05:30") == timezone(-timedelta(hours=5, minutes=30))
    for wrong in ("8", "+8:00", "+15:00", "UTC"):
        with pytest.raises(ValueError):
            assignments.offset_of(wrong)


CSV_OK = (
    "\ufeffsite,checklist,inspector,start,end\n"
    f"{SITE},{CHECKLIST},inspector,2026-12-01T09:00,2026-12-01T18:00\n"
    f"{SITE},{CHECKLIST},inspector2,2026-12-02 09:00,2026-12-02 18:00+08:00\n"
)


def test_a_batch_is_created_whole(store: sqlite_utils.Database) -> None:
    ids = assignments.create_batch(store, CSV_OK.encode(), person(store, "admin"), offset=CHINA)
    assert len(ids) == 2
    assert [a.inspector_id for a in assignments.listing(store)] == [person(store, "inspector").id, person(store, "inspector2").id]


def test_a_batch_names_every_problem_and_creates_nothing(store: sqlite_utils.Database) -> None:
    bad = CSV_OK + f"nowhere,{CHECKLIST},reviewer,2026-12-03T09:00,2026-12-03T08:00\n{HOTEL},{CHECKLIST},inspector,soon,\n"
    with pytest.raises(assignments.AssignmentError) as raised:
        assignments.create_batch(store, bad.encode(), person(store, "hq"), offset=CHINA)
    assert [str(p) for p in raised.value.problems] == [
        "row 4: site: no site 'nowhere'",
        "row 4: inspector: no inspector 'reviewer'",
        "row 4: end: the window must end after it starts",
        f"row 5: checklist: '{CHECKLIST}' is not for sites of type 'hotel'",
        "row 5: start: 'soon' is not a date and time such as 2026-12-01T10:00 or 2026-12-01T10:00+08:00",
        "row 5: end: give a date and time, such as 2026-12-01T10:00",
    ]
    assert store.execute("SELECT count(*) FROM assignments").fetchone()[0] == 0


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b"site,checklist,inspector,start\n", "row 1: header: missing the column(s) end (expected site, checklist, inspector, start, end)"),
        (b"site,checklist,inspector,start,end\n", "row 2: file: no rows under the header"),
        (b"\xff\xfe not text", "row 1: file: not UTF-8 text"),
    ],
)
def test_a_file_that_is_not_a_batch(store: sqlite_utils.Database, data: bytes, problem: str) -> None:
    with pytest.raises(assignments.AssignmentError) as raised:
        assignments.create_batch(store, data, person(store, "hq"), offset=CHINA)
    assert [str(p) for p in raised.value.problems] == [problem]


def test_a_batch_whose_write_fails_leaves_nothing(store: sqlite_utils.Database, monkeypatch: pytest.MonkeyPatch) -> None:
    written: list[str] = []
    insert = assignments._insert

    def failing(database: sqlite_utils.Database, row: dict[str, Any], by: User) -> str:
        if written:
            raise RuntimeError("the disk is full")
        written.append(insert(database, row, by))
        return written[-1]

    monkeypatch.setattr(assignments, "_insert", failing)
    with pytest.raises(RuntimeError):
        assignments.create_batch(store, CSV_OK.encode(), person(store, "hq"), offset=CHINA)
    assert written and store.execute("SELECT count(*) FROM assignments").fetchone()[0] == 0


def test_a_visit_fulfils_the_earliest_matching_assignment_and_is_flagged_when_it_strays(store: sqlite_utils.Database) -> None:
    later = create(store, start="2026-12-05T09:00", end="2026-12-05T18:00")
    first = create(store)
    other = create(store, inspector="inspector2")
    in_window = send_visit(store, datetime(2026, 12, 1, 10, 0, tzinfo=CHINA))
    assert assignments.flags(store, in_window) == []
    late = send_visit(store, datetime(2026, 12, 6, 1, 0, tzinfo=timezone.utc))  # 09:00 in China, a day after the window
    assert assignments.flags(store, late) == [assignments.OUTSIDE_WINDOW]
    unassigned = send_visit(store, datetime(2026, 12, 7, 10, 0, tzinfo=CHINA))
    assert assignments.flags(store, unassigned) == [assignments.UNASSIGNED]
    states = {a.id: (a.state, a.visit_uuid) for a in assignments.listing(store)}
    assert states == {first: ("done", in_window), later: ("done", late), other: ("open", None)}
    assert assignments.flags_for(store, [in_window, late, unassigned]) == {
        late: [assignments.OUTSIDE_WINDOW], unassigned: [assignments.UNASSIGNED]
    }


def test_a_cancelled_assignment_is_fulfilled_by_no_visit(store: sqlite_utils.Database) -> None:
    assignment_id = create(store)
    assert assignments.cancel(store, assignment_id)
    assert not assignments.cancel(store, assignment_id)
    assert assignments.open_for(store, person(store, "inspector").id) == []
    visit = send_visit(store, datetime(2026, 12, 1, 10, 0, tzinfo=CHINA))
    assert assignments.flags(store, visit) == [assignments.UNASSIGNED]


@pytest.fixture
def app(store: sqlite_utils.Database, tmp_path: Path) -> Iterator[Any]:
    application = create_app(Settings(db_path=tmp_path / "audit.db"))
    with TestClient(application):
        yield application


def client(app: Any, username: str) -> TestClient:
    return sign_in(TestClient(app, follow_redirects=False), username)


FORM = {"site": SITE, "checklist": CHECKLIST, "inspector": "inspector", "start": "2026-12-01T09:00", "end": "2026-12-01T18:00", "offset": "+08:00"}


def test_only_hq_and_admins_assign(app: Any, store: sqlite_utils.Database) -> None:
    for username in ("inspector", "reviewer", "manager-sh-xujiahui"):
        someone = client(app, username)
        assert someone.get("/hq/assignments").status_code == 404
        assert someone.post("/hq/assignments", data=FORM).status_code == 404
        assert someone.post("/hq/assignments/batch", files={"file": ("a.csv", CSV_OK.encode(), "text/csv")}).status_code == 404
    assert store.execute("SELECT count(*) FROM assignments").fetchone()[0] == 0
    for username in ("hq", "admin"):
        answer = client(app, username).post("/hq/assignments", data=FORM)
        assert (answer.status_code, answer.headers["location"]) == (303, "/hq/assignments?done=added")
    assert store.execute("SELECT count(*) FROM assignments").fetchone()[0] == 2


def test_the_page_the_form_the_upload_and_cancelling(app: Any, store: sqlite_utils.Database) -> None:
    hq = client(app, "hq")
    page = hq.get("/hq/assignments?lang=en")
    assert page.status_code == 200 and "No assignments yet." in page.text and 'name="csrf"' in page.text
    refused = hq.post("/hq/assignments?lang=en", data=FORM | {"inspector": "reviewer", "end": "2026-12-01T08:00"})
    assert refused.status_code == 422
    assert "inspector: no inspector &#39;reviewer&#39;" in refused.text and "end: the window must end after it starts" in refused.text
    uploaded = hq.post("/hq/assignments/batch", files={"file": ("a.csv", CSV_OK.encode(), "text/csv")}, data={"offset": "+08:00"})
    assert (uploaded.status_code, uploaded.headers["location"]) == (303, "/hq/assignments?done=batch&n=2")
    bad = hq.post("/hq/assignments/batch?lang=en", files={"file": ("a.csv", b"site,checklist\n", "text/csv")})
    assert bad.status_code == 422 and "row 1: header: missing the column(s) inspector, start, end" in bad.text
    broken = b"--x\r\n-1.4e+16--x--\r\n"
    garbled = hq.post("/hq/assignments/batch", content=broken, headers={"Content-Type": "multipart/form-data; boundary=x"})
    assert garbled.status_code == 422 and "the request&#39;s body is not a form" in garbled.text
    listed = hq.get("/hq/assignments?lang=en&done=batch&n=2")
    assert "2 visits assigned." in listed.text and "2026-12-01 09:00 – 2026-12-01 18:00" in listed.text
    first = assignments.listing(store)[0].id
    assert hq.post(f"/hq/assignments/{first}/cancel").status_code == 303
    assert hq.post(f"/hq/assignments/{first}/cancel").status_code == 404
    assert [a.state for a in assignments.listing(store)] == ["open", "cancelled"]


def test_a_form_with_a_file_needs_the_csrf_field(app: Any) -> None:
    """A browser's upload carries the token as a form field, as every other form does."""
    hq = client(app, "hq")
    token = hq.headers.pop("X-CSRF-Token")
    upload = {"file": ("a.csv", CSV_OK.encode(), "text/csv")}
    assert hq.post("/hq/assignments/batch", files=upload).status_code == 403
    assert hq.post("/hq/assignments/batch", files=upload, data={"csrf": "wrong"}).status_code == 403
    assert hq.post("/hq/assignments/batch", files=upload, data={"csrf": token}).status_code == 303


def test_inspectors_read_only_their_own(app: Any, store: sqlite_utils.Database) -> None:
    mine = create(store)
    create(store, inspector="inspector2")
    listed = client(app, "inspector").get("/api/assignments/mine")
    assert listed.status_code == 200
    [entry] = listed.json()
    assert (entry["id"], entry["site_id"], entry["checklist_id"], entry["recheck"]) == (mine, SITE, CHECKLIST, [])
    assert entry["window_start"] == "2026-12-01T01:00:00+00:00" and entry["site_name"]["zh-Hans"]
    for username in ("reviewer", "hq", "manager-sh-xujiahui"):
        assert client(app, username).get("/api/assignments/mine").status_code == 403


def test_the_reviewer_sees_the_flags(app: Any, store: sqlite_utils.Database) -> None:
    create(store)
    late = send_visit(store, datetime(2026, 12, 2, 10, 0, tzinfo=CHINA))
    reviewer = client(app, "reviewer")
    assert "Started outside its assignment&#39;s window" in reviewer.get(f"/review/{late}?lang=en").text
    assert "⚑ Started outside its assignment&#39;s window" in reviewer.get("/review?lang=en").text
    free = send_visit(store, datetime(2026, 12, 2, 10, 0, tzinfo=CHINA), inspector="inspector3")
    assert assignments.flags(store, free) == []  # an inspector never given an assignment works freely
    create(store, inspector="inspector2", site="hz-wulin-supermarket")  # elsewhere: the visit below is not one of theirs
    unassigned = send_visit(store, datetime(2026, 12, 2, 10, 0, tzinfo=CHINA), inspector="inspector2")
    assert "Not an assignment of this inspector" in reviewer.get(f"/review/{unassigned}?lang=en").text
