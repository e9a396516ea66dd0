"""The checklist format as a JSON Schema: published for editors, and the validator's first pass.

The validator runs this schema and only adds what a schema cannot say (duplicate keys and
ids, cross-references, ordering), so the two never disagree on what a file may hold.
"""

from __future__ import annotations

from typing import Any

from .holidays import DAY_KINDS

STAGES = ("pre-sale", "in-sale", "after-sale")
SCORED_TYPES = ("yes_no", "scale", "choice", "multi_choice", "number", "timer")
UNSCORED_TYPES = ("timestamp", "text", "photo")
RESPONSE_TYPES = SCORED_TYPES + UNSCORED_TYPES
EVIDENCE_RULES = ("always", "on_fail")
ID_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,63}$"
LANGUAGE_PATTERN = r"^[a-z]{2,3}(-[A-Z][a-z]{3})?(-([A-Z]{2}|[0-9]{3}))?$"
SCHEMA_ID = "https://audit.example/checklist.schema.json"
_CLOCK = r"([01][0-9]|2[0-3]):[0-5][0-9]"
HOURS_PATTERN = f"^{_CLOCK}-{_CLOCK}$"


def _text(description: str) -> dict[str, Any]:
    return {
        "description": description
        + " One string (the default language) or a mapping from language code to string.",
        "type": ["string", "object"],
        "minLength": 1,
        "minProperties": 1,
        "propertyNames": {"pattern": LANGUAGE_PATTERN},
        "additionalProperties": {"type": "string", "minLength": 1},
    }


def _id(what: str) -> dict[str, Any]:
    return {
        "description": f"Stable id of the {what}: lowercase letters, digits, '-' and '_'.",
        "type": "string",
        "pattern": ID_PATTERN,
    }


def _weight(minimum: str) -> dict[str, Any]:
    return {"description": "Relative weight; default 1.", "type": "number", minimum: 0, "maximum": 100}


_PASS_SCORE = {
    "description": "An answer fails when its score is below this (0 to 1); default 0.5.",
    "type": "number",
    "minimum": 0,
    "maximum": 1,
}
_PASS_RANGE = {
    "description": "The range of values that pass (either bound or both): full credit. Leave it out, "
    "with weight 0, to record the value without scoring it.",
    "type": "object",
    "properties": {"min": {"type": "number"}, "max": {"type": "number"}},
    "additionalProperties": False,
    "minProperties": 1,
}
_PARTIAL_RULE = (
    "each bound given widens pass on that side (min below pass min, max above pass max); an answer "
    "inside it but outside pass earns `score` and still fails."
)
_PARTIAL = {
    "description": "Partial credit just outside `pass`: " + _PARTIAL_RULE,
    "type": "object",
    "properties": {
        "min": {"type": "number"},
        "max": {"type": "number"},
        "score": {"description": "The credit, between 0 and 1.", "type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1},
    },
    "required": ["score"],
    "additionalProperties": False,
    "anyOf": [{"required": ["min"]}, {"required": ["max"]}],
}
_DAY = {
    "description": "The day of the case (1 is the first) on which the detail is due; case checklists only.",
    "type": "integer",
    "minimum": 1,
    "maximum": 366,
}


def _choices(*, multi: bool) -> dict[str, Any]:
    properties: dict[str, Any] = {
        "id": _id("choice"),
        "label": _text("What the inspector taps."),
        "score": {"description": "Score of this choice, 0 to 1.", "type": "number", "minimum": 0, "maximum": 1},
    }
    if multi:
        properties["exclusive"] = {
            "description": "Cannot be ticked with other choices (e.g. 'none of these').",
            "type": "boolean",
        }
    return {
        "type": "array",
        "minItems": 2,
        "items": {
            "type": "object",
            "properties": properties,
            "required": ["id", "label", "score"],
            "additionalProperties": False,
        },
    }


# Keys each response type adds to the common item keys, with their schemas.
TYPE_KEYS: dict[str, dict[str, Any]] = {
    "yes_no": {},
    "scale": {
        "min": {"description": "Lowest value.", "type": "integer"},
        "max": {"description": "Highest value.", "type": "integer"},
        "labels": {
            "description": "A label per value.",
            "type": "object",
            "propertyNames": {"pattern": r"^-?[0-9]+$"},
            "additionalProperties": _text("Label of this value."),
        },
        "pass_score": _PASS_SCORE,
    },
    "choice": {"choices": _choices(multi=False), "pass_score": _PASS_SCORE},
    "multi_choice": {"choices": _choices(multi=True), "pass_score": _PASS_SCORE},
    "number": {
        "unit": _text("Unit of the number."),
        "min": {"description": "Lowest value that may be entered.", "type": "number"},
        "max": {"description": "Highest value that may be entered.", "type": "number"},
        "pass": _PASS_RANGE,
        "partial": _PARTIAL,
    },
    "timer": {
        "pass": {**_PASS_RANGE, "description": "Seconds that pass (min, max or both); leave it out, with weight 0, to record the time."},
        "partial": {**_PARTIAL, "description": "Seconds just outside `pass` that earn partial credit: " + _PARTIAL_RULE},
    },
    "timestamp": {},
    "text": {},
    "photo": {},
}
TYPE_REQUIRED: dict[str, list[str]] = {
    "scale": ["min", "max"],
    "choice": ["choices"],
    "multi_choice": ["choices"],
    "number": ["unit"],
}
RANGE_TYPES = ("number", "timer")  # scored by where the value falls: `pass`, then `partial`
SCORED_ONLY_KEYS = ("weight", "na", "critical")
# An item of weight 0 records its answer and never scores or fails: a standard it would be
# held to (a pass rule, a cap) could only mislead the reader, so the file may not state one.
RECORDED_REFUSED_KEYS = ("pass", "partial", "pass_score", "critical")

_ITEM_PROPERTIES: dict[str, Any] = {
    "id": _id("item; answers are stored against it"),
    "text": _text(
        "Shown to the inspector and to the store: the detail as an observable standard (what the store "
        "does, not how it is tested), phrased so that yes or a high score is the good outcome."
    ),
    "guidance": _text(
        "INSPECTOR ONLY, never shown to the store: how to check the detail, what to say or do, what to "
        "avoid, and what counts as a pass."
    ),
    "fix": _text(
        "Shown to the store, in the report of a failed item: how to put the failure right, concretely, "
        "for a store manager; no word of how the check is done or of mystery shopping."
    ),
    "type": {"description": "Response type.", "enum": list(RESPONSE_TYPES)},
    "required": {"description": "Must be answered before submitting; default true.", "type": "boolean"},
    "weight": _weight("minimum"),
    "na": {"description": "N/A allowed; default false.", "type": "boolean"},
    "critical": {
        "description": "A fail caps the overall score at `cap` (0 fails the checklist outright).",
        "type": "object",
        "properties": {"cap": {"type": "number", "minimum": 0, "maximum": 100}},
        "required": ["cap"],
        "additionalProperties": False,
    },
    "day": _DAY,
    "evidence": {
        "description": "What the inspector must add: a photo or a note, always or on a fail.",
        "type": "object",
        "properties": {
            "photo": {"enum": list(EVIDENCE_RULES)},
            "note": {"enum": list(EVIDENCE_RULES)},
        },
        "additionalProperties": False,
        "minProperties": 1,
    },
    "when": {
        "description": "Show the item only when every condition given holds: an earlier item has one of the "
        "given answers (`item` with `equals` or `in`), the visit starts on one of the given kinds of `day`, "
        "or within the given `hours`.",
        "type": "object",
        "properties": {
            "item": {"type": "string", "pattern": ID_PATTERN},
            "equals": {"type": ["string", "integer", "boolean"]},
            "in": {"type": "array", "minItems": 1, "items": {"type": ["string", "integer", "boolean"]}},
            "day": {
                "description": "The visit starts on any of these kinds of day, by China's calendar (checklists/calendar.yaml): "
                "weekend (a Saturday or Sunday that is not an adjusted working day), weekday (a working day) or holiday "
                "(a day off of a public holiday).",
                "type": "array",
                "minItems": 1,
                "uniqueItems": True,
                "items": {"enum": list(DAY_KINDS)},
            },
            "hours": {
                "description": 'The visit starts from the first time up to, not including, the second, e.g. "11:00-14:00" '
                '(quote it); across midnight when the second is earlier, e.g. "22:00-02:00".',
                "type": "string",
                "pattern": HOURS_PATTERN,
            },
        },
        "additionalProperties": False,
        "anyOf": [{"required": ["item"]}, {"required": ["day"]}, {"required": ["hours"]}],
        "dependentRequired": {"equals": ["item"], "in": ["item"]},
        "if": {"required": ["item"]},
        "then": {"oneOf": [{"required": ["equals"]}, {"required": ["in"]}]},
    },
}


_RECORDED = {"properties": {"weight": {"const": 0}}, "required": ["weight"]}  # the item records only


def _type_rule(kind: str) -> dict[str, Any]:
    then: dict[str, Any] = {"properties": dict(TYPE_KEYS[kind])}
    if kind in TYPE_REQUIRED:
        then["required"] = TYPE_REQUIRED[kind]
    if kind in UNSCORED_TYPES:
        then["properties"].update({key: False for key in SCORED_ONLY_KEYS})
    if kind in RANGE_TYPES:  # a range item scores only by its pass rule: required unless it records only
        then.update({"if": _RECORDED, "else": {"required": ["pass"]}})
    return {"if": {"properties": {"type": {"const": kind}}, "required": ["type"]}, "then": then}


def build() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a checklist file."""
    item = {
        "type": "object",
        "properties": _ITEM_PROPERTIES,
        "required": ["id", "text", "guidance", "fix", "type"],
        "allOf": [_type_rule(kind) for kind in RESPONSE_TYPES]
        + [{"if": _RECORDED, "then": {"properties": {key: False for key in RECORDED_REFUSED_KEYS}}}],
        "unevaluatedProperties": False,
    }
    section = {
        "type": "object",
        "properties": {
            "id": _id("section"),
            "title": _text("Title of the section."),
            "weight": _weight("exclusiveMinimum"),
            "day": {**_DAY, "description": "The day of the case on which the section's details are due, unless an item gives its own; case checklists only."},
            "items": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/item"}},
        },
        "required": ["id", "title", "items"],
        "additionalProperties": False,
    }
    stage = {
        "type": "object",
        "properties": {
            "weight": _weight("exclusiveMinimum"),
            "sections": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/section"}},
        },
        "required": ["sections"],
        "additionalProperties": False,
    }
    band = {
        "type": "object",
        "properties": {
            "id": _id("band"),
            "min": {"description": "Lowest score in this band.", "type": "number", "minimum": 0, "maximum": 100},
            "label": _text("Name of the band."),
        },
        "required": ["id", "min", "label"],
        "additionalProperties": False,
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "Service-detail audit checklist",
        "type": "object",
        "properties": {
            "id": _id("checklist"),
            "title": _text("Title of the checklist."),
            "description": _text(
                "INSPECTOR ONLY, never shown to the store: what the checklist is for and how a visit runs."
            ),
            "language": {"description": "Default language.", "type": "string", "pattern": LANGUAGE_PATTERN},
            "languages": {
                "description": "Every language the file carries.",
                "type": "array",
                "minItems": 1,
                "uniqueItems": True,
                "items": {"type": "string", "pattern": LANGUAGE_PATTERN},
            },
            "site_types": {
                "description": "Where the checklist applies: site types of the organisation "
                "(`audit check --org FILE` checks them against its organisation file).",
                "type": "array",
                "minItems": 1,
                "uniqueItems": True,
                "items": _id("site type"),
            },
            "bands": {
                "description": "Pass bands, highest first; the last starts at 0.",
                "type": "array",
                "minItems": 1,
                "items": {"$ref": "#/$defs/band"},
            },
            "finding_days": {
                "description": "Days the store has to answer a failed detail once the report is released: "
                "`critical` for details with a critical cap (default 3), `other` for the rest (default 14).",
                "type": "object",
                "properties": {
                    "critical": {"type": "integer", "minimum": 1, "maximum": 365},
                    "other": {"type": "integer", "minimum": 1, "maximum": 365},
                },
                "additionalProperties": False,
            },
            "case": {
                "description": "A case over several days (after-sales, a hotel stay): one visit record covers it, "
                "and sections and items say the `day` they are due.",
                "type": "object",
                "properties": {"days": {"description": "How many days the case runs.", "type": "integer", "minimum": 1, "maximum": 366}},
                "required": ["days"],
                "additionalProperties": False,
            },
            "stages": {
                "description": "Stages of service, each with its sections.",
                "type": "object",
                "minProperties": 1,
                "propertyNames": {"enum": list(STAGES)},
                "additionalProperties": {"$ref": "#/$defs/stage"},
            },
        },
        "required": ["id", "title", "language", "languages", "site_types", "stages"],
        "additionalProperties": False,
        "$defs": {"item": item, "section": section, "stage": stage, "band": band},
    }


SCHEMA = build()
