"""Runs the JSON Schema and words its errors for the people who write checklists.

jsonschema's own messages ("Unevaluated properties are not allowed") name no place and
suggest no fix; these name the item, point at the line, and offer a "did you mean".
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from .holidays import DAY_KINDS
from .problems import Problem
from .schema import (
    _ITEM_PROPERTIES,
    RECORDED_REFUSED_KEYS,
    RESPONSE_TYPES,
    SCHEMA,
    SCORED_ONLY_KEYS,
    STAGES,
    TYPE_KEYS,
    UNSCORED_TYPES,
)
from .yamlsource import Path, Source, value_at

_VALIDATOR = Draft202012Validator(SCHEMA)
_JSON_TYPES = {
    "string": "a string",
    "object": "a mapping",
    "array": "a list",
    "number": "a number",
    "integer": "a whole number",
    "boolean": "true or false",
    "null": "empty",
}
# What a missing item text is for, said where it is missed: the two are easy to confuse, and
# putting the inspector's method into the store's field would tell the store how it is tested.
_MISSING_TEXT = {
    "guidance": ": how the inspector checks the detail (inspector only, never shown to the store)",
    "fix": (
        ": how the store puts a failure right, shown in its report; write it for a store manager, "
        "without how the check is done (that belongs in guidance, which the store never sees)"
    ),
    "pass": ": the range that passes; to record the value without scoring it, give the item weight: 0",
}


ID_RULE = "may hold only lowercase letters, digits, '-' and '_', start with a letter or digit, and be at most 64 characters"


def suggest(word: str, choices: list[str] | tuple[str, ...]) -> str:
    match = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean {match[0]!r}?)" if match else ""


def _kind(value: Any) -> str:
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    return "a mapping"


def unquoted(written: str, value: Any) -> str:
    """What YAML 1.1 made of an unquoted scalar (`no` false, `9:30` 570), for a message that
    tells the author to quote it: YAML's typing, not the author, is what went wrong."""
    typed = str(value).lower() if isinstance(value, bool) else "empty" if value is None else f"the number {value}"
    return f"YAML reads the unquoted {written} as {typed}"


def where(data: Any, path: Path) -> str:
    """Names the checklist part a path runs through, e.g. "item 'child-carts'"."""
    label = "checklist"
    node = data
    for index, step in enumerate(path):
        if not isinstance(node, (dict, list)):
            break
        try:
            node = node[step]  # type: ignore[index]
        except (KeyError, IndexError, TypeError):
            break
        parent = path[index - 1] if index else None
        if parent == "stages" and isinstance(step, str):
            label = f"stage {step!r}"
        elif parent in ("sections", "items", "bands", "choices") and isinstance(step, int):
            noun = {"sections": "section", "items": "item", "bands": "band", "choices": "choice"}[parent]
            ident = node.get("id") if isinstance(node, dict) else None
            label = f"{noun} {ident!r}" if isinstance(ident, str) else f"{noun} #{step + 1}"
    return label


def _field(path: Path) -> str:
    for step in reversed(path):
        if isinstance(step, str):
            return step
    return "value"


def _allowed_keys(error: ValidationError) -> list[str]:
    instance: Any = error.instance
    schema: Any = error.schema
    if "unevaluatedProperties" in schema and isinstance(instance, dict):
        kind = instance.get("type")
        extra = TYPE_KEYS.get(kind, {}) if isinstance(kind, str) else {}
        if not extra and kind not in RESPONSE_TYPES:
            extra = {key: None for keys in TYPE_KEYS.values() for key in keys}
        return list(_ITEM_PROPERTIES) + list(extra)
    return list(schema.get("properties", {}))


def _translate(error: ValidationError, source: Source) -> list[Problem]:
    path: Path = tuple(error.absolute_path)
    data = source.data
    at = where(data, path)
    name = _field(path)
    value: Any = error.instance
    rule: Any = error.validator
    expected: Any = error.validator_value

    def problem(message: str, at_path: Path = path, *, key: bool = False) -> Problem:
        return Problem(*source.position(at_path, key=key), message)

    if rule in ("additionalProperties", "unevaluatedProperties"):
        allowed = _allowed_keys(error)
        unknown = [key for key in value if key not in allowed]
        if rule == "unevaluatedProperties":
            kind = value.get("type")
            return [
                problem(
                    f"{at}: key {key!r} does not apply to a {kind} item"
                    if any(key in keys for keys in TYPE_KEYS.values()) and kind in RESPONSE_TYPES
                    else f"{at}: unknown key {key!r}{suggest(key, allowed)}",
                    path + (key,),
                    key=True,
                )
                for key in unknown
            ]
        return [
            problem(f"{at}: unknown key {key!r}{suggest(key, allowed)}", path + (key,), key=True)
            for key in unknown
        ]
    if rule == "required":
        missing = [key for key in expected if key not in value]
        within = f"{path[-1]} is " if path and isinstance(path[-1], str) else ""  # a key's mapping, e.g. "case is missing"
        return [problem(f"{at}: {within}missing required key {key!r}{_MISSING_TEXT.get(key, '')}") for key in missing]
    if error.schema is False:
        # jsonschema does not say which property a `false` schema refused; these are the ones
        item = value_at(data, path)
        kind = item.get("type")
        if kind in UNSCORED_TYPES:
            return [
                problem(f"{at}: key {key!r} does not apply to a {kind} item", path + (key,), key=True)
                for key in SCORED_ONLY_KEYS
                if key in item
            ]
        return [
            problem(
                f"{at}: key {key!r} does not apply to an item of weight 0, which records its answer "
                "and never scores or fails",
                path + (key,),
                key=True,
            )
            for key in RECORDED_REFUSED_KEYS
            if key in item
        ]
    if "propertyNames" in error.schema_path:
        return _property_name(error, source, at, path)
    if rule == "enum":
        return [_enum(value, path, at, problem)]
    if rule == "type":
        wanted = expected if isinstance(expected, list) else [expected]
        words = " or ".join(_JSON_TYPES.get(str(t), str(t)) for t in wanted)
        written = source.typed.get(path)
        if "string" in wanted and written is not None:
            return [problem(f"{at}: {name} must be {words}, but {unquoted(written, value)}; write it in quotes: \"{written}\"")]
        return [problem(f"{at}: {name} must be {words}, not {_kind(value)}")]
    if rule in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        bound = {
            "minimum": f"at least {expected}",
            "maximum": f"at most {expected}",
            "exclusiveMinimum": f"greater than {expected}",
            "exclusiveMaximum": f"less than {expected}",
        }[rule]
        return [problem(f"{at}: {name} {value} is out of range: it must be {bound}")]
    if rule == "pattern" and name == "hours":
        return [problem(f"{at}: when hours {value!r} must be two times of day, HH:MM-HH:MM from 00:00 to 23:59, e.g. \"11:00-14:00\"")]
    if rule == "pattern":
        if name in ("language", "languages") or (path and path[-2:-1] == ("languages",)):
            return [problem(f"{at}: {value!r} is not a language code like zh-Hans, zh-Hant or en")]
        noun = "site type" if name == "site_types" else name
        return [problem(f"{at}: {noun} {value!r} {ID_RULE}")]
    if rule in ("minItems", "minProperties", "minLength"):
        if rule == "minItems" and name == "choices":
            return [problem(f"{at}: choices needs at least {expected} choices")]
        if rule == "minItems" and name == "day":
            return [problem(f"{at}: when day must list at least one of {', '.join(DAY_KINDS)}")]
        return [problem(f"{at}: {name} must not be empty")]
    if rule == "uniqueItems":
        repeated = next(v for i, v in enumerate(value) if v in value[:i])
        return [problem(f"{at}: {name} lists {repeated!r} more than once")]
    if rule == "anyOf" and name == "partial":
        return [problem(f"{at}: partial needs a min or a max, beyond pass's, up to which it gives partial credit")]
    if rule == "oneOf" and name == "when":
        return [problem(f"{at}: when needs exactly one of 'equals' or 'in'")]
    if rule == "anyOf" and name == "when":
        return [problem(f"{at}: when needs an item (with equals or in), a day or hours")]
    if rule == "dependentRequired":
        return [problem(f"{at}: when {key} needs the item whose answer it names: add item: ID") for key in expected if key in value and "item" not in value]
    return [problem(f"{at}: {error.message}")]


def _enum(value: Any, path: Path, at: str, problem: Callable[[str], Problem]) -> Problem:
    name = _field(path)
    if name == "type":
        return problem(
            f"{at}: unknown response type {value!r}{suggest(str(value), RESPONSE_TYPES)}; "
            f"types are {', '.join(RESPONSE_TYPES)}"
        )
    if name == "day":
        return problem(f"{at}: when day {value!r} is not a kind of day{suggest(str(value), DAY_KINDS)}; kinds are {', '.join(DAY_KINDS)}")
    return problem(f"{at}: {name} must be 'always' or 'on_fail', not {value!r}")


def _property_name(error: ValidationError, source: Source, at: str, path: Path) -> list[Problem]:
    bad: Any = error.instance
    position = source.position(path + (bad,), key=True)
    if path == ("stages",):
        message = f"unknown stage {bad!r}{suggest(bad, STAGES)}; stages are {', '.join(STAGES)}"
    elif _field(path) == "labels":
        message = f"{at}: scale label key {bad!r} must be a whole number"
    else:
        message = f"{at}: {bad!r} is not a language code like zh-Hans, zh-Hant or en"
    return [Problem(*position, message)]


def schema_problems(source: Source) -> list[Problem]:
    """Every way the file breaks the schema, each located and worded for a person."""
    problems: list[Problem] = []
    for error in _VALIDATOR.iter_errors(source.data):
        problems.extend(_translate(error, source))
    return problems


def schema_accepts(data: Any) -> bool:
    return bool(_VALIDATOR.is_valid(data))
