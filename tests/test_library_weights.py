"""Fair weights in the checklist library, as rules a store manager would accept.

An item's share is what failing it alone costs the visit's score (percentage points out of
100) while every other detail passes, computed with audit.scoring.score_visit itself on
answers chosen with audit.answers.score, so these rules read the weights exactly as the
scorer applies them (stage, section and item weights, hidden items leaving the denominator).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from audit import answers, library
from audit.model import Checklist, Condition, Item
from audit.scoring import score_visit

CHECKLISTS = library.load(library.CHECKLISTS)

# Rule 1. No single detail that is not critical may decide a visit: when every item shows,
# failing one of them costs at most 8 points of 100. A branch that gets everything else
# right should not drop a band over one missed board or one slow greeting; what is serious
# enough to weigh more is marked critical and capped (rule 3) instead of weighted up.
MAX_SHARE = 8.0

# Rule 2. When an answer hides the items that depend on it (no part ordered, no complaint
# fix promised), their weight spreads over what is left. It may not all land on one other
# detail: no remaining item gains more than the largest weight among the items hidden, so a
# branch is never judged mostly on the one question that happened to stay on the screen.

# Rule 3. Caps are for harm, and proportionate to it. A critical cap says "whatever else went
# well, this visit cannot pass": it belongs on a failure that hurts or shames a customer,
# never on a slow answer or a late call. Every cap is named here with the harm it guards
# against; the cap may not be lower than the floor of that harm, so one failure never zeroes
# a visit or a case; timed and counted items carry no cap (a minute late is not a harm).
# The harsher the harm, the lower the cap: a risk to life sits furthest under the pass line (75).
HARMS: dict[str, tuple[float, float]] = {
    # harm: (lowest cap allowed, highest cap allowed)
    "safety": (40, 50),  # a risk to life or limb: a blocked exit, a burning plug, a peanut allergy guessed at
    "food": (50, 60),  # food or a bathroom that can make a customer ill: contamination, expired goods
    "dignity": (60, 60),  # a customer blamed, shamed or judged: the visit cannot pass, but nobody was hurt
    "privacy": (60, 60),  # a customer's ID number, debts or bereavement said where others can hear
}
# Every capped detail of the library and the harm it guards against; a new cap needs a line
# here, which is where a reviewer asks "is this really a harm?".
CAPPED: dict[tuple[str, str], str] = {
    ("after-sales", "complaint-no-blame"): "dignity",
    ("after-sales", "night-line-answered"): "safety",
    ("after-sales", "night-people-first-on-site"): "safety",
    ("after-sales", "safety-stop-and-escalate"): "safety",
    ("hotel-front-desk-rooms", "bathroom-hygiene"): "food",
    ("hotel-front-desk-rooms", "fire-exit-clear"): "safety",
    ("restaurant", "food-contact-hygiene"): "food",
    ("restaurant", "allergen-answer"): "safety",
    ("restaurant", "fire-exit-clear"): "safety",
    ("retail-apparel-shoes", "staff-courtesy"): "dignity",
    ("retail-apparel-shoes", "fire-exit-clear"): "safety",
    ("retail-appliance", "staff-courtesy"): "dignity",
    ("retail-appliance", "fire-exit-clear"): "safety",
    ("retail-supermarket", "fresh-food-handling"): "food",
    ("retail-supermarket", "no-expired-food"): "food",
    ("retail-supermarket", "fire-exit-clear"): "safety",
    ("service-hall", "no-blame-after-missed-call"): "dignity",
    ("service-hall", "private-matter-discreet"): "privacy",
    ("service-hall", "fire-exit-clear"): "safety",
    ("venue-media-access", "tribune-exit-clear"): "safety",
}
# Types whose answer is a time or a count: a slow or late answer is a near miss, never a harm.
UNCAPPED_TYPES = {"number", "timer"}


def _candidates(item: Item) -> list[Any]:
    """Possible values of a scored item, enough to find its best and worst answer."""
    if item.type == "yes_no":
        return ["yes", "no"]
    if item.type == "scale":
        assert item.min is not None and item.max is not None
        return list(range(int(item.min), int(item.max) + 1))
    if item.type == "choice":
        return [choice.id for choice in item.choices]
    if item.type == "multi_choice":
        singles = [[choice.id] for choice in item.choices]
        return [*singles, [choice.id for choice in item.choices if not choice.exclusive]]
    limits = (item.pass_min, item.pass_max, item.partial_min, item.partial_max, item.min, item.max)
    bounds = [v for v in limits if v is not None]
    values = {0.0, *bounds, *(v - 1 for v in bounds), *(v + 1 for v in bounds), *(v * 2 + 1 for v in bounds)}
    return sorted(v for v in values if answers.problem(item, {"value": v}) is None)


def extremes(item: Item) -> tuple[dict[str, Any], dict[str, Any]]:
    """The best and the worst answer of a scored item, as answers.score ranks them."""
    options = [{"value": value} for value in _candidates(item)]
    ranked = sorted(options, key=lambda answer: answers.score(item, answer) or 0.0)
    return ranked[-1], ranked[0]


def counted(item: Item) -> bool:
    return item.scored and item.weight > 0


def _flat(checklist: Checklist, hidden: frozenset[str] = frozenset()) -> Checklist:
    """The checklist as scored when exactly the items not in `hidden` show."""
    return replace(
        checklist,
        stages=tuple(
            replace(stage, sections=tuple(
                replace(section, items=tuple(replace(i, when=None) for i in section.items if i.id not in hidden))
                for section in stage.sections
            ))
            for stage in checklist.stages
        ),
    )


def shares(checklist: Checklist, hidden: frozenset[str] = frozenset()) -> dict[str, float]:
    """Each counted item's share of the score, in points of 100, with `hidden` items hidden."""
    flat = _flat(checklist, hidden)
    items = [item for item in flat.items() if counted(item)]
    best = {item.id: extremes(item)[0] for item in items}
    full = score_visit(flat, best, None).uncapped  # flat has no conditions, so no start is needed
    assert full is not None
    result = {}
    for item in items:
        high, low = extremes(item)
        spread = (answers.score(item, high) or 0.0) - (answers.score(item, low) or 0.0)
        dropped = score_visit(flat, {**best, item.id: low}, None).uncapped
        assert dropped is not None
        result[item.id] = (full - dropped) / spread
    return result


def showing(checklist: Checklist) -> dict[str, dict[str, Any]]:
    """Answers that show every item they can: each controlling item takes a value its first
    dependent asks for, every other item its best answer."""
    given = {item.id: extremes(item)[0] for item in checklist.items() if item.scored}
    given_by_condition: set[str] = set()
    items = {item.id: item for item in checklist.items()}
    for item in checklist.items():
        if item.when is not None and item.when.item is not None and item.when.item not in given_by_condition:
            given_by_condition.add(item.when.item)
            target = items[item.when.item]
            value = item.when.values[0]
            if value == "na":
                given[target.id] = {"na": True}
            elif target.type == "multi_choice":
                given[target.id] = {"value": [value]}
            else:
                given[target.id] = {"value": value}
    return given


# When a visit starts, for the conditions on its time: a busy Saturday noon, when every such
# condition of the library holds (the answers' scenarios are judged then), a working-day
# morning and a public holiday's evening, each a scenario of its own.
BUSY = "2026-11-28T12:00:00+08:00"
STARTS = ("2026-11-30T10:00:00+08:00", "2026-10-01T19:00:00+08:00")


def scenarios(checklist: Checklist) -> list[tuple[str, Any, frozenset[str]]]:
    """(controlling item, its answer, the items that answer hides), for every answer of every
    controlling item that hides something; and ("started_at", a start, the items it hides)."""
    items = {item.id: item for item in checklist.items()}
    controllers = sorted({item.when.item for item in checklist.items() if item.when is not None and item.when.item is not None})
    base = showing(checklist)
    found = []
    for start in STARTS:
        hidden = frozenset(i for i in items if i not in answers.visible(checklist, base, start)) - frozenset(
            i for i in items if i not in answers.visible(checklist, base, BUSY)
        )
        if hidden:
            found.append(("started_at", start, hidden))
    for ident in controllers:
        item = items[ident]
        options = [{"value": v} for v in _candidates(item)]  # `when` may point only at the scored types
        if item.na:
            options.append({"na": True})
        for answer in options:
            shown = set(answers.visible(checklist, {**base, ident: answer}, BUSY))
            hidden = frozenset(i for i in items if i not in shown)
            if hidden:
                found.append((ident, answer.get("value", "na"), hidden))
    return found


@pytest.mark.parametrize("checklist", CHECKLISTS, ids=lambda c: c.id)
def test_no_item_that_is_not_critical_carries_more_than_8_percent(checklist: Checklist) -> None:
    heavy = {
        ident: round(share, 1)
        for ident, share in shares(checklist).items()
        if share > MAX_SHARE + 1e-9 and next(i for i in checklist.items() if i.id == ident).critical_cap is None
    }
    assert not heavy, f"{checklist.id}: items over {MAX_SHARE}% of the score: {heavy}"


@pytest.mark.parametrize("checklist", CHECKLISTS, ids=lambda c: c.id)
def test_hidden_items_do_not_pile_their_weight_onto_one_item(checklist: Checklist) -> None:
    everything = shares(checklist)
    unfair = []
    for ident, value, hidden in scenarios(checklist):
        lost = max((everything.get(h, 0.0) for h in hidden), default=0.0)
        for other, share in shares(checklist, hidden).items():
            gain = share - everything[other]
            if gain > lost + 1e-9:
                unfair.append(f"{ident}={value} hides {sorted(hidden)}: {other} gains {gain:.1f} points (> {lost:.1f})")
    assert not unfair, f"{checklist.id}:\n" + "\n".join(unfair)


def test_caps_only_for_harm_and_in_proportion_to_it() -> None:
    _check_caps(CHECKLISTS)


def _check_caps(checklists: list[Checklist]) -> None:
    capped = {
        (checklist.id, item.id): item
        for checklist in checklists
        for item in checklist.items()
        if item.critical_cap is not None
    }
    unlisted = sorted(set(capped) - set(CAPPED))
    assert not unlisted, f"caps with no harm named in CAPPED: {unlisted}"
    uncapped = sorted(key for key in set(CAPPED) - set(capped) if key[0] in {c.id for c in checklists})
    assert not uncapped, f"harms in CAPPED whose item carries no cap (or does not exist): {uncapped}"
    wrong = []
    for key, item in capped.items():
        low, high = HARMS[CAPPED[key]]
        cap = item.critical_cap
        assert cap is not None
        if not low <= cap <= high:
            wrong.append(f"{key}: cap {cap:g} for {CAPPED[key]}, which takes {low:g} to {high:g}")
        if item.type in UNCAPPED_TYPES:
            wrong.append(f"{key}: a {item.type} item is capped; a time or a count is not a harm")
    assert not wrong, "\n".join(wrong)


def test_the_rules_fail_on_unfair_weights() -> None:
    """The rules themselves: one item weighted up past 8%, a cap of 0, and a section left with
    one item when the others hide are each found."""
    checklist = next(c for c in CHECKLISTS if c.id == "service-hall")
    stage = checklist.stages[0]
    section = stage.sections[0]
    heavy = replace(section, items=(replace(section.items[0], weight=100), *section.items[1:]))
    broken = replace(checklist, stages=(replace(stage, sections=(heavy, *stage.sections[1:])), *checklist.stages[1:]))
    assert shares(broken)[section.items[0].id] > MAX_SHARE
    controller = replace(section.items[0], id="gate", type="yes_no", pass_min=None, pass_max=None, partial_min=None, partial_max=None, partial_score=None)
    hidden = tuple(replace(item, when=Condition("gate", ("yes",))) for item in section.items[1:])
    lonely = replace(section, items=(controller, *hidden))
    broken = replace(checklist, stages=(replace(stage, sections=(lonely, *stage.sections[1:])), *checklist.stages[1:]))
    everything = shares(broken)
    (ident, _, gone), *_ = [s for s in scenarios(broken) if s[0] == "gate"]
    gain = shares(broken, gone)["gate"] - everything["gate"]
    assert gain > max(everything[h] for h in gone if h in everything)
    capped = replace(broken, stages=(replace(stage, sections=(replace(lonely, items=(replace(controller, critical_cap=0), *hidden)), *stage.sections[1:])), *checklist.stages[1:]))
    with pytest.raises(AssertionError):
        CAPPED[(capped.id, "gate")] = "safety"
        try:
            _check_caps([capped])
        finally:
            del CAPPED[(capped.id, "gate")]
