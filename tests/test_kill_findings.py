"""Power cuts while stores answer their findings: twelve store managers' phones answer their
branch's open findings one after another, through the app's API (PUT under the answer's own
id; fixed, with a note and a phone-sized photo, or disputed), and the server's processes are SIGKILLed at a random moment of the burst, ten times
over one database file. Every answer the server acknowledged must be stored whole (its event,
the finding's new state, its photo), none may be stored in part, and each phone's replay of what
was in flight, under the answer's own id, must leave exactly one answer."""

from __future__ import annotations

import hashlib
import io
import random
import sqlite3
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import httpx2
from PIL import Image

from audit import accounts, db, demo, library, review, sync

from .conftest import ServerProcess

ROUNDS = 10
PHONES = 12
NOTES = ("货架已补齐并重新贴好价签", "已培训当班员工，按标准执行", "地面已清洁，垃圾桶已更换")
REASONS = ("检查当天设备在维修，有维修单", "该区域当天暂停营业，已提前报备")


@dataclass(frozen=True)
class Answer:
    """A store's answer as the phone keeps it: its id is made before it is first sent."""

    id: str
    finding: str
    kind: str  # "fixed" or "dispute"
    note: str
    photo: bytes | None

    @property
    def state(self) -> str:
        return "fixed" if self.kind == "fixed" else "disputed"


@dataclass
class Phone:
    branch: str
    user_id: str
    outbox: list[Answer]  # written, not yet sent
    cookies: dict[str, str] = field(default_factory=dict)
    csrf: str = ""
    in_flight: list[Answer] = field(default_factory=list)  # sent, no answer came back
    acknowledged: list[Answer] = field(default_factory=list)
    refused: list[tuple[Answer, int, str]] = field(default_factory=list)
    stopped: str = ""  # how the phone's last burst ended

    @property
    def username(self) -> str:
        return demo.manager_name(self.branch)


def _store(path: Path) -> Path:
    """The demo store with a month of released visits, then one poor released visit at every
    site (through the phones' path), so every branch has dozens of open findings."""
    database = db.connect(path)
    demo.build(database)
    checklists = library.load(library.CHECKLISTS)
    db.record_checklists(database, checklists)
    demo.build_visits(database, checklists, today=date.today(), months=1)
    inspector, reviewer = accounts.by_username(database, "inspector"), accounts.by_username(database, "reviewer")
    assert inspector is not None and reviewer is not None
    rng = random.Random(20261201)
    started = datetime.combine(date.today() - timedelta(days=1), datetime.min.time(), tzinfo=timezone(timedelta(hours=8))).replace(hour=10)
    for site in demo.sites():
        for checklist in (c for c in checklists if site["site_type"] in c.site_types):
            body, photo_data = demo.visit_body(checklist, site["id"], rng, quality=0.15, started=started)
            visit_id = str(uuid.uuid4())
            outcome = sync.put_visit(database, visit_id, body, inspector=inspector.id)
            assert outcome.status == 200, outcome.body
            for photo_id in outcome.body["photos_missing"]:
                sync.put_photo(database, visit_id, photo_id, photo_data[photo_id], inspector=inspector.id)
            review.move(database, visit_id, reviewer, "approve")
    database.close()
    return path


def _photos() -> list[bytes]:
    """A few phone photos of 1-2 MB (noise hardly compresses), made once."""
    made = []
    for size, quality in (((2000, 1500), 80), ((2000, 1500), 85), ((1800, 1350), 90), ((2200, 1650), 75)):
        out = io.BytesIO()
        Image.effect_noise(size, 50).convert("RGB").save(out, "JPEG", quality=quality)
        made.append(out.getvalue())
    assert all(1024 * 1024 <= len(p) <= 2 * 1024 * 1024 for p in made), [len(p) for p in made]
    return made


def _phones(path: Path, rng: random.Random) -> list[Phone]:
    """A phone for each of twelve branches' managers, its outbox the branch's open findings,
    each answered fixed with a photo or disputed."""
    photos = _photos()
    database = db.connect(path)
    rows = database.execute(
        "SELECT s.branch_id, f.id FROM findings f JOIN sites s ON s.id = f.site_id WHERE f.state = 'open' ORDER BY s.branch_id, f.id"
    ).fetchall()
    by_branch: dict[str, list[str]] = {}
    for branch, finding in rows:
        by_branch.setdefault(branch, []).append(finding)
    branches = sorted(by_branch, key=lambda b: -len(by_branch[b]))[:PHONES]
    assert len(branches) == PHONES and min(len(by_branch[b]) for b in branches) >= 45, {b: len(f) for b, f in by_branch.items()}
    phones = []
    for branch in branches:
        user = accounts.by_username(database, demo.manager_name(branch))
        assert user is not None
        outbox = []
        for n, finding in enumerate(rng.sample(by_branch[branch], len(by_branch[branch]))):
            if rng.random() < 0.5:
                outbox.append(Answer(str(uuid.uuid4()), finding, "fixed", f"{rng.choice(NOTES)}（{n}）", rng.choice(photos)))
            else:
                outbox.append(Answer(str(uuid.uuid4()), finding, "dispute", f"{rng.choice(REASONS)}（{n}）", None))
        phones.append(Phone(branch, user.id, outbox))
    database.close()
    return phones


def _sign_in(url: str, phone: Phone) -> None:
    with httpx2.Client(base_url=url, timeout=30) as http:
        response = http.post("/api/session", json={"username": phone.username, "password": demo.DEMO_PASSWORD})
        assert response.status_code == 200, response.text
        phone.csrf = response.json()["csrf"]
        phone.cookies = dict(http.cookies.items())
    assert phone.cookies


def _send(http: httpx2.Client, phone: Phone, answer: Answer) -> httpx2.Response:
    """As the app's outbox sends an answer: PUT under its own id, the photo in the same form."""
    files = {"photo": ("fix.jpg", answer.photo, "image/jpeg")} if answer.photo is not None else None
    return http.put(
        f"/api/findings/{answer.finding}/answers/{answer.id}", data={"kind": answer.kind, "note": answer.note}, files=files,
        headers={"X-CSRF-Token": phone.csrf},
    )


def _burst(url: str, phones: list[Phone]) -> list[threading.Thread]:
    """Each phone sends its outbox one answer after another until the server goes away. An
    answer whose request could not even connect stays in the outbox (it never left the phone);
    one that was sent with no answer back is in flight, kept for the replay. The clients are
    made before the burst starts (making one is slow), so the kill's moment counts from the
    first answers sent."""

    def run(phone: Phone, http: httpx2.Client) -> None:
        phone.stopped = ""
        with http:
            while phone.outbox:
                answer = phone.outbox[0]
                try:
                    response = _send(http, phone, answer)
                except httpx2.ConnectError:
                    phone.stopped = "between answers"
                    return
                except httpx2.TransportError:
                    phone.stopped = "sending"
                    phone.outbox.pop(0)
                    phone.in_flight.append(answer)
                    return
                phone.outbox.pop(0)
                if response.status_code == 200:
                    phone.acknowledged.append(answer)
                else:
                    phone.refused.append((answer, response.status_code, response.text[:300]))

    threads = [
        threading.Thread(target=run, args=(phone, httpx2.Client(base_url=url, timeout=30, cookies=phone.cookies))) for phone in phones
    ]
    for thread in threads:
        thread.start()
    return threads


def _stored(path: Path) -> tuple[dict[str, tuple[int, str, str, str, str | None]], dict[str, str], dict[int, tuple[str, str, bytes, bytes, int, int]]]:
    """What the file holds: answers' events by client id, findings' states, fix photos by event."""
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        events = {
            row[0]: tuple(row[1:])
            for row in conn.execute("SELECT client_id, id, finding_id, action, note, actor_id FROM finding_events WHERE client_id IS NOT NULL")
        }
        states = dict(conn.execute("SELECT id, state FROM findings").fetchall())
        photos = {
            row[0]: tuple(row[1:])
            for row in conn.execute("SELECT event_id, finding_id, sha256, data, thumb, width, height FROM finding_photos")
        }
        assert conn.execute("SELECT count(*) FROM finding_photos").fetchone()[0] == len(photos), "an answer with two photos"
    return events, states, photos  # type: ignore[return-value]


def _whole_photo(row: tuple[str, str, bytes, bytes, int, int], finding: str) -> bool:
    finding_id, sha256, data, thumb, width, height = row
    if finding_id != finding or hashlib.sha256(data).hexdigest() != sha256 or not thumb:
        return False
    with Image.open(io.BytesIO(data)) as image:
        image.load()
        if image.size != (width, height):
            return False
    with Image.open(io.BytesIO(thumb)) as small:
        small.load()
    return True


def _check(path: Path, phones: list[Phone], whole_photos: set[int], *, settled: bool = False) -> int:
    """Every acknowledged answer stored whole; every stored answer (acknowledged or in flight)
    whole; no state, event or photo without the rest of its answer. `settled`: every answer
    sent has been acknowledged since. Returns how many answers in flight are stored."""
    events, states, photos = _stored(path)
    sent = {a.id: (phone, a) for phone in phones for a in phone.acknowledged + phone.in_flight}
    acknowledged = {a.id for phone in phones for a in phone.acknowledged}
    assert set(events) <= set(sent), f"answers stored that no phone sent: {set(events) - set(sent)}"
    assert acknowledged <= set(events), f"acknowledged answers missing: {acknowledged - set(events)}"
    if settled:
        assert set(sent) == set(events)
    by_finding: dict[str, list[str]] = {}
    for client_id, (event_id, finding, action, note, actor) in events.items():
        phone, answer = sent[client_id]
        by_finding.setdefault(finding, []).append(client_id)
        assert (finding, action, note, actor) == (answer.finding, answer.kind, answer.note, phone.user_id), client_id
        assert states[finding] == answer.state, f"answer {client_id} stored, finding {finding} is {states[finding]}"
        if answer.photo is not None:
            assert event_id in photos, f"fixed answer {client_id} stored without its photo"
            if event_id not in whole_photos:
                assert _whole_photo(photos[event_id], finding), f"photo of answer {client_id} not whole"
                whole_photos.add(event_id)
        else:
            assert event_id not in photos
    assert all(len(ids) == 1 for ids in by_finding.values()), {f: ids for f, ids in by_finding.items() if len(ids) > 1}
    answered = {f for f, state in states.items() if state in ("fixed", "disputed")}
    assert answered == set(by_finding), f"states changed without their answer: {answered - set(by_finding)}"
    assert set(photos) <= {row[0] for row in events.values()}, "a photo without its answer"
    return sum(1 for phone in phones for a in phone.in_flight if a.id in events)


def test_sigkill_while_stores_answer_findings_never_leaves_an_answer_in_part(tmp_path: Path) -> None:
    rng = random.Random(20261202)
    began = time.monotonic()
    server = ServerProcess(_store(tmp_path / "audit.db"))
    phones = _phones(server.db_path, rng)
    server.start()
    try:
        for phone in phones:
            _sign_in(server.url, phone)
    finally:
        server.kill()

    built = time.monotonic()
    mid_burst = 0
    whole_photos: set[int] = set()
    for number in range(1, ROUNDS + 1):
        flying_before = sum(len(p.in_flight) for p in phones)
        acknowledged_before = sum(len(p.acknowledged) for p in phones)
        server.start()
        threads = _burst(server.url, phones)
        moment = rng.uniform(0.3, 1.5)
        time.sleep(moment)
        server.kill()
        for thread in threads:
            thread.join()
        refused = [r for p in phones for r in p.refused]
        assert not refused, refused
        in_flight = sum(len(p.in_flight) for p in phones) - flying_before
        acknowledged = sum(len(p.acknowledged) for p in phones) - acknowledged_before
        assert all(p.outbox for p in phones), "a phone ran out of findings before the kill"
        mid_burst += in_flight > 0
        between = sum(p.stopped == "between answers" for p in phones)
        stored_in_flight = _check(server.db_path, phones, whole_photos)
        print(
            f"round {number}: killed after {moment:.2f} s; {acknowledged} answers acknowledged, {in_flight} in flight, "
            f"{between} phones between answers; {stored_in_flight} answers in flight so far stored anyway"
        )

    acknowledged_total = sum(len(p.acknowledged) for p in phones)
    in_flight_total = [(p, a) for p in phones for a in p.in_flight]
    assert mid_burst >= ROUNDS // 2, f"only {mid_burst} of {ROUNDS} kills fell inside a burst"
    stored_before = _check(server.db_path, phones, whole_photos)
    killed = time.monotonic()

    server.start()
    replies: dict[str, tuple[int, str]] = {}
    try:

        def replay(phone: Phone) -> None:
            with httpx2.Client(base_url=server.url, timeout=60, cookies=phone.cookies) as http:
                for answer in phone.in_flight:
                    response = _send(http, phone, answer)
                    replies[answer.id] = (response.status_code, response.text[:300])

        threads = [threading.Thread(target=replay, args=(phone,)) for phone in phones]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        server.kill()
    assert len(replies) == len(in_flight_total)
    events, _, _ = _stored(server.db_path)
    for phone, answer in in_flight_total:  # stored before the kill or not, the replay is answered as the first sending would be
        status, text = replies[answer.id]
        assert status == 200 and f'"state":"{answer.state}"' in text.replace(" ", ""), (answer.id, answer.kind, status, text)
    with sqlite3.connect(server.db_path) as conn:
        twice = conn.execute("SELECT client_id FROM finding_events WHERE client_id IS NOT NULL GROUP BY client_id HAVING count(*) > 1").fetchall()
    assert not twice, twice
    # every replay was answered: each must now be stored exactly once, whole, as an acknowledged one is
    for phone in phones:
        phone.acknowledged += phone.in_flight
        phone.in_flight = []
    _check(server.db_path, phones, whole_photos, settled=True)
    print(
        f"{ROUNDS} rounds, {mid_burst} kills mid-burst; {acknowledged_total} answers acknowledged before the kills, "
        f"{len(in_flight_total)} in flight ({stored_before} of them stored before the replay); "
        f"replayed: {len(replies)}, each answered 200; "
        f"{len(events)} answers stored; store and phones made in {built - began:.0f} s, rounds {killed - built:.0f} s, "
        f"replay {time.monotonic() - killed:.0f} s"
    )
