"""The sync API against the real app and a real SQLite file: idempotent, conflict-safe, strict."""

from __future__ import annotations

import copy
import hashlib
import json
import random
import sqlite3
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from audit import answers as rules
from audit import demo, library, visits
from audit.app import create_app
from audit.model import Checklist
from audit.startup import Settings

from .conftest import ROOT, demo_database, sign_in

STARTED = datetime(2026, 11, 20, 10, 0, tzinfo=timezone(timedelta(hours=8)))


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    path = demo_database(tmp_path / "audit.db")
    with TestClient(create_app(Settings(db_path=path))) as test_client:
        sign_in(test_client, "inspector")
        test_client.db_path = path  # type: ignore[attr-defined]
        yield test_client


@pytest.fixture(scope="module")
def supermarket() -> Checklist:
    return next(c for c in library.load(ROOT / "checklists") if c.id == "retail-supermarket")


def counts(path: Path) -> dict[str, int]:
    with sqlite3.connect(path) as conn:
        return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("visits", "answers", "photos")}


def new_visit(checklist: Checklist, seed: int = 1, quality: float = 0.5) -> tuple[str, dict[str, Any], dict[str, bytes]]:
    rng = random.Random(seed)
    body, photos = demo.visit_body(checklist, "sh-xujiahui-supermarket", rng, quality=quality, started=STARTED)
    return str(uuid.UUID(int=rng.getrandbits(128), version=4)), body, photos


def test_visit_then_photos_then_replay(client: TestClient, supermarket: Checklist) -> None:
    visit_id, body, photos = new_visit(supermarket, quality=0.3)
    assert photos, "a poor visit should carry evidence photos"
    first = client.put(f"/api/visits/{visit_id}", json=body)
    assert first.status_code == 200, first.json()
    assert sorted(first.json()["photos_missing"]) == sorted(photos)
    for photo_id, raw in photos.items():
        sent = client.put(f"/api/visits/{visit_id}/photos/{photo_id}", content=raw, headers={"content-type": "image/jpeg"})
        assert sent.status_code == 200, sent.json()
    stored = counts(client.db_path)  # type: ignore[attr-defined]
    assert stored == {"visits": 1, "answers": len(body["answers"]), "photos": len(photos)}
    replay = client.put(f"/api/visits/{visit_id}", json=body)
    assert replay.status_code == 200
    assert replay.json() == {**first.json(), "photos_missing": []}
    for photo_id, raw in photos.items():
        again = client.put(f"/api/visits/{visit_id}/photos/{photo_id}", content=raw)
        assert again.status_code == 200
    assert counts(client.db_path) == stored  # type: ignore[attr-defined]


def test_key_order_does_not_make_a_conflict(client: TestClient, supermarket: Checklist) -> None:
    visit_id, body, _ = new_visit(supermarket, quality=1.0)
    assert client.put(f"/api/visits/{visit_id}", json=body).status_code == 200
    reordered = dict(reversed(list(body.items())))
    assert client.put(f"/api/visits/{visit_id}", json=reordered).status_code == 200


def test_conflicting_replay_changes_nothing(client: TestClient, supermarket: Checklist) -> None:
    visit_id, body, _ = new_visit(supermarket, quality=1.0)
    assert client.put(f"/api/visits/{visit_id}", json=body).status_code == 200
    with sqlite3.connect(client.db_path) as conn:  # type: ignore[attr-defined]
        before = conn.execute("SELECT * FROM visits").fetchall(), conn.execute("SELECT * FROM answers ORDER BY item_id").fetchall()
    changed = copy.deepcopy(body)
    changed["narrative"] = "edited later"
    response = client.put(f"/api/visits/{visit_id}", json=changed)
    assert response.status_code == 409
    assert response.json()["error"] == "conflict"
    with sqlite3.connect(client.db_path) as conn:  # type: ignore[attr-defined]
        after = conn.execute("SELECT * FROM visits").fetchall(), conn.execute("SELECT * FROM answers ORDER BY item_id").fetchall()
    assert after == before


def test_photo_conflict_and_checks(client: TestClient, supermarket: Checklist) -> None:
    visit_id, body, photos = new_visit(supermarket, quality=0.2)
    photo_id, raw = next(iter(photos.items()))
    early = client.put(f"/api/visits/{uuid.uuid4()}/photos/{photo_id}", content=raw)
    assert early.status_code == 404
    client.put(f"/api/visits/{visit_id}", json=body)
    wrong = client.put(f"/api/visits/{visit_id}/photos/{photo_id}", content=raw + b"x")
    assert wrong.status_code == 422 and "sha256" in wrong.json()["problems"][0]["message"]
    undeclared = client.put(f"/api/visits/{visit_id}/photos/{uuid.uuid4()}", content=raw)
    assert undeclared.status_code == 422
    assert client.put(f"/api/visits/{visit_id}/photos/{photo_id}", content=raw).status_code == 200
    other = demo.photo_bytes("other", seed=99)
    assert client.put(f"/api/visits/{visit_id}/photos/{photo_id}", content=other).status_code == 409
    assert counts(client.db_path)["photos"] == 1  # type: ignore[attr-defined]


def test_not_an_image(client: TestClient, supermarket: Checklist) -> None:
    visit_id, body, _ = new_visit(supermarket, quality=0.2)
    fake = b"<svg xmlns='http://www.w3.org/2000/svg'/>"
    body["photos"][0]["sha256"] = hashlib.sha256(fake).hexdigest()
    client.put(f"/api/visits/{visit_id}", json=body)
    response = client.put(f"/api/visits/{visit_id}/photos/{body['photos'][0]['uuid']}", content=fake)
    assert response.status_code == 422 and "image" in response.json()["problems"][0]["message"]


def _malformed(body: dict[str, Any], checklist: Checklist) -> list[tuple[str, Any, str]]:
    def edit(**changes: Any) -> dict[str, Any]:
        return {**copy.deepcopy(body), **changes}

    def answer(**changes: Any) -> dict[str, Any]:
        return edit(answers={**answers, first: {**answers[first], **changes}})

    def photo(**changes: Any) -> dict[str, Any]:
        declared = {"uuid": str(uuid.uuid4()), "item_id": first, "taken_at": body["started_at"], "content_type": "image/jpeg", "sha256": "0" * 64}
        return edit(photos=[{**declared, **changes}])

    answers = body["answers"]
    first = next(iter(answers))
    targets = {item.when.item for item in checklist.items() if item.when}
    lone = next(i.id for i in checklist.items() if i.required and i.id in answers and i.id not in targets)
    target = next(t for t in targets if t in answers)
    return [
        ("unknown field", edit(colour="red"), "colour"),
        ("no site", edit(site_id=None), "site_id"),
        ("unknown site", edit(site_id="nowhere"), "site_id"),
        ("wrong site type", edit(site_id="sh-xujiahui-hotel"), "site_id"),
        ("time without offset", edit(started_at="2026-11-20T10:00:00"), "started_at"),
        ("ended before started", edit(ended_at="2020-01-01T00:00:00+00:00"), "ended_at"),
        ("unknown version", edit(checklist_hash="0" * 64), "checklist_hash"),
        ("bad answer", edit(answers={**answers, first: {"value": "perhaps"}}), f"answers.{first}"),
        ("unknown item", edit(answers={**answers, "no-such-item": {"value": "yes"}}), "answers.no-such-item"),
        ("missing required", edit(answers={k: v for k, v in answers.items() if k != lone}), f"answers.{lone}"),
        ("bad photo", edit(photos=[{"uuid": "x"}]), "photos[0].uuid"),
        ("answers not an object", edit(answers=[1, 2]), "answers"),
        # what the hostile client of issue "Whole or not at all" found, each once a 500 or let through
        *[(f"{shape!r} answer for a `when` target", edit(answers={**answers, target: shape}), f"answers.{target}") for shape in (True, 0, "yes", ["yes"], None)],
        ("a list as a photo's item id", photo(item_id=[first]), "photos[0].item_id"),
        *[(f"answered_at {stamp!r}", answer(answered_at=stamp), f"answers.{first}.answered_at") for stamp in (5, True, [], {}, "yesterday", "2026-11-20T10:00:00")],
        *[(f"na {na!r}", answer(na=na), f"answers.{first}") for na in (0, 1, "true", None)],
        ("hash with a newline", edit(checklist_hash=body["checklist_hash"] + "\n"), "checklist_hash"),
        ("photo uuid with a newline", photo(uuid=str(uuid.uuid4()) + "\n"), "photos[0].uuid"),
        ("photo sha256 with a newline", photo(sha256="0" * 64 + "\n"), "photos[0].sha256"),
        ("not an object", [body], ""),
        ("long checklist id", edit(checklist_id="x" * (visits.MAX_ID + 1)), "checklist_id"),
        ("long site id", edit(site_id="x" * (visits.MAX_ID + 1)), "site_id"),
        ("long time", edit(started_at="2026-11-20T10:00:00." + "0" * visits.MAX_TIME + "+08:00"), "started_at"),
        ("long photo time", photo(taken_at="2026-11-20T10:00:00." + "0" * visits.MAX_TIME + "+08:00"), "photos[0].taken_at"),
        ("long note", answer(note="x" * (rules.MAX_TEXT + 1)), f"answers.{first}"),
        ("long narrative", edit(narrative="x" * (visits.MAX_NARRATIVE + 1)), "narrative"),
        ("too many answers", edit(answers={f"item-{n}": {} for n in range(visits.MAX_ANSWERS + 1)}), "answers"),
        ("too many photos", edit(photos=[{}] * (visits.MAX_PHOTOS + 1)), "photos"),
        ("photo of no pixels", photo(width=0), "photos[0].width"),
    ]


def _malformed_json(body: dict[str, Any]) -> list[tuple[str, bytes, str]]:
    """Bodies no JSON encoder writes on purpose: sent as bytes."""

    def text(value: Any) -> bytes:
        return json.dumps(value).encode()  # ensure_ascii: a lone surrogate goes as "\ud800", NaN as NaN

    first = next(iter(body["answers"]))
    deep = "narrative" + "[0]" * (visits.MAX_DEPTH - 1)  # the first container past the limit
    return [
        ("not UTF-8", b'{"narrative": "\xff"}', ""),
        ("lone surrogate in a string", text({**body, "narrative": "\ud800"}), "narrative"),
        ("lone surrogate in a note", text({**body, "answers": {first: {"note": "a\udfffb"}}}), f"answers.{first}.note"),
        ("lone surrogate in a key", text({**body, "\udc00": 1}), "\\udc00"),
        ("1,000 levels deep", b'{"narrative": ' + b"[" * 1000 + b"]" * 1000 + b"}", ""),  # past json's recursion limit
        ("a few levels too deep", text({**body, "narrative": json.loads("[" * 20 + "]" * 20)}), deep),
        ("over 4,300 digits", text({**body, "narrative": "N"}).replace(b'"N"', b"9" * 5000), "narrative"),
        ("over a float's range", text({**body, "narrative": "N"}).replace(b'"N"', b"1e999"), "narrative"),
        *[(literal, text({**body, "answers": {first: {"value": float(literal)}}}), f"answers.{first}.value") for literal in ("NaN", "Infinity", "-Infinity")],
    ]


def test_malformed_visits_get_422_and_store_nothing(client: TestClient, supermarket: Checklist) -> None:
    _, body, _ = new_visit(supermarket, quality=0.9)
    sent = [(name, {"json": bad}, field) for name, bad, field in _malformed(body, supermarket)]
    sent += [(name, {"content": raw}, field) for name, raw, field in _malformed_json(body)]
    for name, request, field in sent:
        response = client.put(f"/api/visits/{uuid.uuid4()}", **request)
        assert response.status_code == 422, name
        assert response.json()["error"] == "invalid", name
        fields = [p["field"] for p in response.json()["problems"]]
        assert field in fields, (name, response.json())
        assert len(fields) <= visits.MAX_PROBLEMS, name
    not_json = client.put(f"/api/visits/{uuid.uuid4()}", content=b"{not json", headers={"content-type": "application/json"})
    assert not_json.status_code == 422
    assert client.put("/api/visits/not-a-uuid", json=body).status_code == 422
    newline = client.put(f"/api/visits/{uuid.uuid4()}%0A", json=body)
    assert newline.status_code == 422 and newline.json()["problems"][0]["field"] == "uuid"
    huge = client.put(f"/api/visits/{uuid.uuid4()}", content=b" " * (3 * 1024 * 1024))
    assert huge.status_code == 413
    assert counts(client.db_path) == {"visits": 0, "answers": 0, "photos": 0}  # type: ignore[attr-defined]


def test_stored_photo_is_downscaled_upright_and_without_exif(client: TestClient, supermarket: Checklist) -> None:
    from io import BytesIO

    from PIL import Image

    visit_id, body, _ = new_visit(supermarket, quality=0.2)
    big = Image.new("RGB", (4000, 3000), (200, 30, 30))
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: rotate 90° to show upright
    exif[0x8825] = {1: "N", 2: (31.0, 12.0, 0.0)}  # GPS
    buffer = BytesIO()
    big.save(buffer, "JPEG", exif=exif.tobytes())
    raw = buffer.getvalue()
    body["photos"][0]["sha256"] = hashlib.sha256(raw).hexdigest()
    client.put(f"/api/visits/{visit_id}", json=body)
    photo_id = body["photos"][0]["uuid"]
    assert client.put(f"/api/visits/{visit_id}/photos/{photo_id}", content=raw).status_code == 200
    with sqlite3.connect(client.db_path) as conn:  # type: ignore[attr-defined]
        data, thumb, width, height = conn.execute("SELECT data, thumb, width, height FROM photos WHERE uuid = ?", [photo_id]).fetchone()
    stored = Image.open(BytesIO(data))
    assert (stored.width, stored.height) == (width, height) == (1200, 1600)
    assert not stored.getexif()
    assert max(Image.open(BytesIO(thumb)).size) == 480
