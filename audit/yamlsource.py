"""Loads a YAML file into plain values, remembering where each value and key stood.

PyYAML alone is not enough for files that people edit by hand: it keeps the last of two
duplicate keys without a word, its C composer crashes the process on deeply nested input,
and aliases can expand a small file into billions of nodes. So this module builds the values
itself from PyYAML's event stream, iteratively, with bounds on size, depth and expansion,
and only ever constructs plain scalars (never objects named by tags).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.resolver import Resolver

from .problems import Problem, ProblemsFound

MAX_BYTES = 1024 * 1024
MAX_NODES = 100_000
MAX_DEPTH = 64

Path = tuple[str | int, ...]
Position = tuple[int, int]

_PLAIN_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
}
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_MAP_TAG = "tag:yaml.org,2002:map"
_SEQ_TAG = "tag:yaml.org,2002:seq"

try:
    _Loader: Any = yaml.CSafeLoader
except AttributeError:  # PyYAML built without libyaml
    _Loader = yaml.SafeLoader


@dataclass
class Source:
    """The loaded values with the 1-based (line, column) of each value and each mapping key."""

    data: Any
    values: dict[Path, Position] = field(default_factory=dict)
    keys: dict[Path, Position] = field(default_factory=dict)
    typed: dict[Path, str] = field(default_factory=dict)
    """The text of each unquoted scalar that YAML 1.1 typed as something other than a string
    (`no` as false, `9:30` as 570, `010` as 8): where a string was meant, a message can show
    the author what was written and tell them to quote it."""

    def position(self, path: Path, *, key: bool = False) -> Position:
        """Where the value (or, with key=True, the key) at path stood; the nearest recorded
        ancestor where the path runs through an alias."""
        if key and path in self.keys:
            return self.keys[path]
        while path:
            if path in self.values:
                return self.values[path]
            path = path[:-1]
        return self.values.get((), (1, 1))


def value_at(data: Any, path: Path) -> Any:
    """The value at path in loaded data, or None where the path leads nowhere."""
    for step in path:
        try:
            data = data[step]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def _position(mark: Any) -> Position:
    return (mark.line + 1, mark.column + 1)


_CHINESE_CODECS = (("gb18030", "GBK/GB18030"), ("big5", "Big5"))


def _decodes(raw: bytes, codec: str) -> bool:
    try:
        raw.decode(codec)
    except UnicodeDecodeError:
        return False
    return True


def decode(raw: bytes) -> str:
    """UTF-8 text of a file, or a problem that says which encoding it probably is."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ProblemsFound([Problem(1, 1, "file is UTF-16; save it as UTF-8")])
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        start = error.start
        line = raw.count(b"\n", 0, start) + 1
        column = start - (raw.rfind(b"\n", 0, start) + 1) + 1
        readable = [name for codec, name in _CHINESE_CODECS if _decodes(raw, codec)]
        guess = (
            f" (it looks like {' or '.join(readable)}, as some Chinese editors save by default)"
            if readable
            else ""
        )
        message = f"file is not UTF-8{guess}: byte 0x{raw[start]:02x} cannot be read; save it as UTF-8"
        raise ProblemsFound([Problem(line, column, message)]) from None


@dataclass
class _Frame:
    container: dict[str, Any] | list[Any]
    path: Path
    anchor: str | None
    size: int = 1
    key: str | None = None
    skip: bool = False
    seen: dict[str, Position] = field(default_factory=dict)


class _Builder:
    """Turns events into values; one instance per file."""

    def __init__(self, source: Source) -> None:
        self.source = source
        self.problems: list[Problem] = []
        self.stack: list[_Frame] = []
        self.anchors: dict[str, tuple[Any, int]] = {}
        self.total = 0
        self.documents = 0
        self.root_set = False
        self.resolver = Resolver()
        self.constructor = SafeConstructor()

    def fatal(self, mark: Any, message: str) -> ProblemsFound:
        return ProblemsFound([Problem(*_position(mark), message)])

    def child_path(self, mark: Any) -> Path | None:
        """Path of the next value; None when the event is a mapping key."""
        if not self.stack:
            return ()
        top = self.stack[-1]
        if isinstance(top.container, list):
            return top.path + (len(top.container),)
        if top.key is None:
            return None
        return top.path + (top.key,)

    def attach(self, value: Any, size: int, mark: Any, path: Path) -> None:
        self.total += size
        if self.total > MAX_NODES:
            raise self.fatal(
                mark, f"file expands to more than {MAX_NODES:,} nodes (an alias bomb?); refused"
            )
        self.source.values.setdefault(path, _position(mark))
        if not self.stack:
            self.source.data = value
            self.root_set = True
            return
        top = self.stack[-1]
        top.size += size
        if isinstance(top.container, list):
            top.container.append(value)
        else:
            assert top.key is not None
            if not top.skip:
                top.container[top.key] = value
            top.key, top.skip = None, False

    def scalar(self, event: Any) -> Any:
        tag = event.tag
        if tag is None or tag == "!":
            tag = self.resolver.resolve(yaml.ScalarNode, event.value, event.implicit)  # type: ignore[no-untyped-call]
        if tag == _TIMESTAMP:
            return event.value
        if tag not in _PLAIN_TAGS:
            line, column = _position(event.start_mark)
            self.problems.append(
                Problem(line, column, f"tag {tag!r} is not allowed: only plain values")
            )
            return None
        node = yaml.ScalarNode(tag, event.value, event.start_mark, event.end_mark, event.style)
        value = self.constructor.construct_object(node)
        if isinstance(value, float) and not math.isfinite(value):
            line, column = _position(event.start_mark)
            self.problems.append(Problem(line, column, f"{event.value!r} is not a finite number"))
            return None
        return value

    def key_name(self, event: Any) -> str:
        """A key's text: a plain scalar, or an alias of an anchored string. An anchor on a key
        (`&k a: 1`) names the key's scalar, which a later alias (`b: *k`) may use as a value."""
        if isinstance(event, yaml.ScalarEvent):
            if event.value == "<<" and event.tag is None and event.implicit[0]:
                raise self.fatal(event.start_mark, "merge keys (<<) are not supported; write the keys out")
            if event.anchor is not None:
                self.anchors[event.anchor] = (self.scalar(event), 1)
            return str(event.value)
        if isinstance(event, yaml.AliasEvent):
            anchored = self.anchors.get(event.anchor or "", (None, 0))[0]
            if isinstance(anchored, str):
                return anchored
        raise self.fatal(event.start_mark, "mapping keys must be plain strings")

    def key(self, event: Any) -> None:
        top = self.stack[-1]
        name = self.key_name(event)
        here = _position(event.start_mark)
        if name in top.seen:
            first = top.seen[name]
            self.problems.append(
                Problem(
                    *here,
                    f"duplicate key {name!r} (first at line {first[0]}); "
                    "YAML would silently keep the last one",
                )
            )
            top.key, top.skip = name, True
            return
        top.seen[name] = here
        top.key = name
        self.source.keys[top.path + (name,)] = here

    def event(self, event: Any) -> None:
        if isinstance(event, yaml.DocumentStartEvent):
            self.documents += 1
            if self.documents > 1:
                raise self.fatal(event.start_mark, "only one YAML document per file (found '---')")
            return
        if isinstance(event, (yaml.StreamStartEvent, yaml.StreamEndEvent, yaml.DocumentEndEvent)):
            return
        if isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
            frame = self.stack.pop()
            if frame.anchor is not None:
                self.anchors[frame.anchor] = (frame.container, frame.size)
            self.attach(frame.container, frame.size, event.start_mark, frame.path)
            return
        path = self.child_path(event.start_mark)
        if path is None:
            self.key(event)
            return
        if isinstance(event, yaml.AliasEvent):
            if any(frame.anchor == event.anchor for frame in self.stack):
                raise self.fatal(event.start_mark, f"alias *{event.anchor} refers to itself")
            if event.anchor not in self.anchors:
                raise self.fatal(event.start_mark, f"alias *{event.anchor} has no anchor before it")
            value, size = self.anchors[event.anchor]
            self.attach(value, size, event.start_mark, path)
            return
        if isinstance(event, yaml.ScalarEvent):
            value = self.scalar(event)
            if event.implicit[0] and event.value and not isinstance(value, str):
                self.source.typed.setdefault(path, event.value)
            if event.anchor is not None:
                self.anchors[event.anchor] = (value, 1)
            self.attach(value, 1, event.start_mark, path)
            return
        if len(self.stack) >= MAX_DEPTH:
            raise self.fatal(event.start_mark, f"nested more than {MAX_DEPTH} levels deep; refused")
        if event.tag not in (None, "!", _MAP_TAG, _SEQ_TAG):
            line, column = _position(event.start_mark)
            self.problems.append(Problem(line, column, f"tag {event.tag!r} is not allowed: only plain values"))
        self.source.values[path] = _position(event.start_mark)
        container: dict[str, Any] | list[Any] = (
            {} if isinstance(event, yaml.MappingStartEvent) else []
        )
        self.stack.append(_Frame(container, path, event.anchor))


def _text_position(text: str, index: int) -> Position:
    line = text.count("\n", 0, index) + 1
    return (line, index - (text.rfind("\n", 0, index) + 1) + 1)


def load(raw: bytes) -> tuple[Source, list[Problem]]:
    """Values and positions of a YAML file, and the problems that did not stop loading.

    Raises ProblemsFound when nothing usable could be loaded (bad encoding, syntax, bombs).
    """
    if len(raw) > MAX_BYTES:
        raise ProblemsFound(
            [Problem(1, 1, f"file is {len(raw):,} bytes; the limit is {MAX_BYTES:,}")]
        )
    text = decode(raw)
    source = Source(data=None)
    builder = _Builder(source)
    try:
        for event in yaml.parse(text, Loader=_Loader):
            builder.event(event)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        where = _position(mark) if mark is not None else (1, 1)
        detail = " ".join(part for part in (error.context, error.problem) if part)
        raise ProblemsFound([Problem(*where, f"YAML syntax error: {detail}")]) from None
    except yaml.reader.ReaderError as error:
        # libyaml counts the position in bytes of UTF-8, the pure-Python reader in characters
        index = error.position
        if _Loader is not yaml.SafeLoader:
            index = len(text.encode("utf-8")[: error.position].decode("utf-8", "ignore"))
        where = _text_position(text, index)
        message = f"character U+{error.character:04X} is not allowed in YAML (a control character?)"
        raise ProblemsFound([Problem(*where, message)]) from None
    except yaml.YAMLError as error:
        raise ProblemsFound([Problem(1, 1, f"YAML error: {error}")]) from None
    return source, builder.problems
