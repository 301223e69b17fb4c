"""Strict JSON reading shared by the JSON source adapters.

Every JSON adapter (Graph, Google, PagerDuty, Opsgenie, CRM) reads its input
through :func:`read_json_document` and walks it with :class:`Node`, so that
every complaint is an :class:`~bridge_sched.errors.AdapterError` that names the
file and either a ``line L column C`` (malformed JSON) or a JSON path such as
``value[1].scheduleItems[0].start.dateTime`` (a well-formed document with a
value the adapter cannot read without guessing).

Rules (``docs/adapters/json-sources.md``):

* UTF-8 only (a leading byte-order mark is ignored, as RFC 8259 allows).
* Exactly one repair: a **trailing comma** before ``}`` or ``]`` (Opsgenie's
  SDK fixture has one) is removed, logged at WARNING on the ``bridge_sched``
  logger and reported in :attr:`JsonDocument.repairs` (for
  :attr:`~bridge_sched.adapters.Provenance.repairs`).
* Everything else that is not strict JSON is an error: truncated text,
  comments, single quotes, ``NaN``/``Infinity``, duplicate member names.
* Error values are structural tokens only (a punctuation mark, a JSON type
  name, a date-time text, a path), never the text of a field: a calendar title
  in a broken file must not end up in an exception message or a log line.

Paths: members are joined with ``.``; array items are ``[i]``; members of an
object whose *names* are data (Google's ``calendars`` is keyed by calendar id,
often an e-mail address) are addressed by position as ``[#i]``, so that no
account name enters an error message.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
import os
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import NoReturn, Union

from ..errors import AdapterError
from ..model import Busy, Window
from ._zones import match_zone_name

__all__ = [
    "JsonDocument",
    "JsonSource",
    "Node",
    "clip_window",
    "merge_windows",
    "parse_datetime",
    "read_json",
    "read_json_document",
    "safe_token",
    "sort_busy",
    "source_name",
]

logger = logging.getLogger("bridge_sched")

JsonSource = Union[str, "os.PathLike[str]", bytes]
"""A path (``str`` or :class:`os.PathLike`) or the raw bytes of a JSON body."""

UTC = dt.timezone.utc

_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_SAFE = re.compile(r"^[A-Za-z0-9_.:,+\-/()@#]{1,80}$")  # one word: no spaces
_TIME_LIKE = re.compile(r"^[0-9T:\-+.Z/ ]{1,80}$")


def safe_token(text: str, limit: int = 80) -> str:
    """``text`` if it looks like a structural token (a date-time, zone, status), else a placeholder.

    Used for error values: a field that should hold a date-time or a status
    might, in a broken file, hold free text; only short texts made of the
    characters of such tokens are echoed.
    """
    if len(text) <= limit and (_SAFE.match(text) or _TIME_LIKE.match(text)):
        return text
    if len(text) <= limit and match_zone_name(text) is not None:
        return text  # a zone name with spaces ("Pacific Standard Time")
    return f"<{len(text)} characters>"


def source_name(source: JsonSource, name: str | None, default: str) -> str:
    """The label a part's provenance uses: ``name``, else the file name, else ``default``."""
    if name:
        return name
    if isinstance(source, bytes):
        return default
    return Path(os.fspath(source)).name or default


# ---------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class JsonDocument:
    """A parsed JSON document and the documented repairs it needed."""

    value: object
    repairs: tuple[str, ...]
    name: str

    @property
    def root(self) -> Node:
        """A :class:`Node` on the top-level value (path ``$``)."""
        return Node(self.value, "", self.name)


class _NonFinite(ValueError):
    pass


class _Duplicate(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _reject_constant(text: str) -> object:
    raise _NonFinite(text)


def _no_duplicates(pairs: list[tuple[str, object]]) -> dict[str, object]:
    out: dict[str, object] = {}
    for key, value in pairs:
        if key in out:
            raise _Duplicate(key)
        out[key] = value
    return out


def _line_col(text: str, pos: int) -> tuple[int, int]:
    line = text.count("\n", 0, pos) + 1
    col = pos - (text.rfind("\n", 0, pos) + 1) + 1
    return line, col


def _char_token(text: str, pos: int) -> str:
    if pos >= len(text):
        return "end of input"
    char = text[pos]
    if char in "{}[],:\"'/\\#*":
        return char
    if char.isspace():
        return "white space"
    if char.isdigit() or char in "+-.":
        return "number"
    if char.isascii() and char.isalpha():
        return "bare word"
    if ord(char) < 32:
        return "control character"
    return "non-ASCII character"


class _Scan:
    """Positions found by one string-aware pass over the text."""

    def __init__(self, text: str) -> None:
        self.trailing_commas: list[int] = []
        self.non_finite: list[int] = []
        in_string = False
        escaped = False
        i, n = 0, len(text)
        while i < n:
            char = text[i]
            if in_string:
                if escaped:
                    escaped = False
                elif char == "\\":
                    escaped = True
                elif char == '"':
                    in_string = False
                i += 1
                continue
            if char == '"':
                in_string = True
            elif char == ",":
                j = i + 1
                while j < n and text[j] in " \t\r\n":
                    j += 1
                if j < n and text[j] in "}]":
                    self.trailing_commas.append(i)
            elif char in "NI" and (text.startswith("NaN", i) or text.startswith("Infinity", i)):
                self.non_finite.append(i)
            i += 1


def _decode(raw: bytes, name: str) -> str:
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        prefix = raw[: exc.start].decode("utf-8", errors="replace")
        line, col = _line_col(prefix, len(prefix))
        raise AdapterError(
            name, f"line {line} column {col}", f"byte 0x{raw[exc.start]:02x}", "not UTF-8"
        ) from None


def _read_bytes(source: JsonSource, name: str) -> bytes:
    if isinstance(source, bytes):
        return source
    try:
        return Path(os.fspath(source)).read_bytes()
    except OSError as exc:
        raise AdapterError(name, "file", type(exc).__name__, "cannot read the file") from None


def _parse(text: str) -> object:
    return json.loads(
        text, parse_constant=_reject_constant, object_pairs_hook=_no_duplicates, strict=True
    )


def _fail_decode(name: str, text: str, exc: json.JSONDecodeError) -> NoReturn:
    line, col = _line_col(text, exc.pos)
    raise AdapterError(
        name, f"line {line} column {col}", _char_token(text, exc.pos), f"malformed JSON: {exc.msg}"
    ) from None


def _parse_or_fail(name: str, text: str) -> object:
    try:
        return _parse(text)
    except json.JSONDecodeError as exc:
        _fail_decode(name, text, exc)
    except _NonFinite as exc:
        scan = _Scan(text)
        pos = scan.non_finite[0] if scan.non_finite else 0
        if pos and text[pos - 1] == "-":
            pos -= 1
        line, col = _line_col(text, pos)
        raise AdapterError(
            name, f"line {line} column {col}", str(exc), "NaN and Infinity are not JSON"
        ) from None
    except _Duplicate as exc:
        key = exc.key if _IDENT.match(exc.key) and len(exc.key) <= 64 else "<member name>"
        raise AdapterError(
            name, "document", key, "an object names the same member twice (ambiguous)"
        ) from None
    except RecursionError:
        raise AdapterError(name, "document", "nesting", "JSON nested too deeply") from None
    except ValueError:  # e.g. an integer longer than Python's digit limit
        raise AdapterError(name, "document", "number", "a value JSON cannot hold") from None


def read_json_document(source: JsonSource, name: str) -> JsonDocument:
    """Read one JSON document strictly, repairing only trailing commas.

    Parameters
    ----------
    source
        A path (``str`` or path-like) or the raw bytes of the body.
    name
        The label used in errors, logs and provenance (a file name, no directory).

    Returns
    -------
    JsonDocument
        The parsed value and the repairs applied (one line each).

    Raises
    ------
    AdapterError
        ``name:line L column C`` for malformed JSON (truncated text, comments,
        ``NaN``, single quotes, ...), ``name:document`` for duplicate member
        names, ``name:file`` when the file cannot be read.
    """
    text = _decode(_read_bytes(source, name), name)
    try:
        return JsonDocument(_parse(text), (), name)
    except (ValueError, _NonFinite, _Duplicate, RecursionError):
        pass
    commas = _Scan(text).trailing_commas
    if not commas:
        _parse_or_fail(name, text)  # raises with the original position
        raise AssertionError("unreachable")  # pragma: no cover
    patched = list(text)
    repairs: list[str] = []
    for pos in commas:
        patched[pos] = " "  # keeps every other line and column where it was
        line, col = _line_col(text, pos)
        close = pos + 1
        while text[close] in " \t\r\n":
            close += 1
        close_line, close_col = _line_col(text, close)
        repairs.append(
            f"trailing comma at line {line} column {col} removed "
            f"(before '{text[close]}' at line {close_line} column {close_col})"
        )
    value = _parse_or_fail(name, "".join(patched))
    for repair in repairs:
        logger.warning("bridge_sched adapter repair: %s: %s", name, repair)
    return JsonDocument(value, tuple(repairs), name)


def read_json(source: JsonSource, name: str) -> object:
    """Read one JSON document strictly and return its value.

    Same rules as :func:`read_json_document` (trailing commas are repaired and
    logged at WARNING); use that function to get the repair notes as well.
    """
    return read_json_document(source, name).value


# ---------------------------------------------------------------------------
# Typed access
# ---------------------------------------------------------------------------


def _json_type(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__  # pragma: no cover


class Node:
    """A JSON value and its path, with typed accessors that fail with an :class:`AdapterError`.

    ``Node(value, "value[1].start", "graph.json").key("dateTime").text()``
    either returns the string or raises
    ``AdapterError("graph.json", "value[1].start.dateTime", "number", "expected a string")``.
    """

    __slots__ = ("path", "source", "value")

    def __init__(self, value: object, path: str, source: str) -> None:
        self.value = value
        self.path = path
        self.source = source

    def __repr__(self) -> str:
        return f"Node({self.where!r}, {_json_type(self.value)})"

    @property
    def where(self) -> str:
        """The path for messages (``$`` for the top level)."""
        return self.path or "$"

    @property
    def type_name(self) -> str:
        """The JSON type of the value (``object``, ``array``, ``string``, ...)."""
        return _json_type(self.value)

    def fail(self, reason: str, token: object | None = None) -> NoReturn:
        """Raise an :class:`AdapterError` at this path (``token`` defaults to the JSON type)."""
        raise AdapterError(
            self.source, self.where, self.type_name if token is None else token, reason
        )

    def _child(self, key: str) -> str:
        part = key if _IDENT.match(key) else json.dumps(key)
        if not _IDENT.match(key):
            return f"{self.path}[{part}]"
        return f"{self.path}.{part}" if self.path else part

    # -- containers -----------------------------------------------------

    def is_null(self) -> bool:
        """Whether the value is JSON ``null``."""
        return self.value is None

    def obj(self) -> dict[str, object]:
        """The value as an object."""
        if not isinstance(self.value, dict):
            self.fail("expected an object")
        return self.value

    def has(self, key: str) -> bool:
        """Whether the object has member ``key`` (``null`` counts as present)."""
        return key in self.obj()

    def key(self, key: str) -> Node:
        """The required member ``key`` (``null`` is accepted; check with :meth:`is_null`)."""
        members = self.obj()
        if key not in members:
            raise AdapterError(self.source, self._child(key), "missing", "required member missing")
        return Node(members[key], self._child(key), self.source)

    def get(self, key: str) -> Node | None:
        """The member ``key``, or ``None`` when it is absent or ``null``."""
        members = self.obj()
        value = members.get(key)
        if value is None:
            return None
        return Node(value, self._child(key), self.source)

    def items(self) -> list[Node]:
        """The elements of an array."""
        if not isinstance(self.value, list):
            self.fail("expected an array")
        base = self.path or ""
        return [Node(v, f"{base}[{i}]", self.source) for i, v in enumerate(self.value)]

    def entries(self) -> Iterator[tuple[str, Node]]:
        """Members of an object whose names are data, addressed by position (``[#i]``)."""
        members = self.obj()
        for i, (key, value) in enumerate(members.items()):
            yield key, Node(value, f"{self.path}[#{i}]", self.source)

    # -- scalars --------------------------------------------------------

    def text(self, *, allow_empty: bool = False) -> str:
        """The value as a string (non-empty unless ``allow_empty``)."""
        if not isinstance(self.value, str):
            self.fail("expected a string")
        if not allow_empty and not self.value.strip():
            self.fail("expected a non-empty string", "empty string")
        return self.value

    def integer(self, *, minimum: int | None = None, maximum: int | None = None) -> int:
        """The value as an integer (``3.0`` is accepted; ``true`` is not)."""
        value = self.value
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(
                "expected an integer", self.type_name if not isinstance(value, float) else value
            )
        if minimum is not None and value < minimum:
            self.fail(f"must be at least {minimum}", value)
        if maximum is not None and value > maximum:
            self.fail(f"must be at most {maximum}", value)
        return value

    def number(self) -> float:
        """The value as a number."""
        if isinstance(self.value, bool) or not isinstance(self.value, (int, float)):
            self.fail("expected a number")
        return float(self.value)

    def boolean(self) -> bool:
        """The value as ``true``/``false``."""
        if not isinstance(self.value, bool):
            self.fail("expected true or false")
        return self.value

    def datetime(self) -> dt.datetime:
        """The value as an ISO 8601 / RFC 3339 date-time, naive or aware (see :func:`parse_datetime`)."""
        return parse_datetime(self)

    def instant(self) -> dt.datetime:
        """The value as an RFC 3339 date-time *with* a UTC offset, converted to UTC."""
        value = parse_datetime(self)
        if value.tzinfo is None:
            self.fail("date-time without a UTC offset or zone", safe_token(self.text()))
        return value.astimezone(UTC)


_DATETIME = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?"
    r"(Z|z|[+-]\d{2}:?\d{2})?$"
)


def parse_datetime(node: Node) -> dt.datetime:
    """Parse an ISO 8601 date-time string at ``node``.

    Accepts RFC 3339 (``2027-03-16T09:00:00Z``, ``...+05:30``), fractions of up
    to nine digits (Graph writes seven: ``09:00:00.0000000``; digits beyond the
    sixth must be zero, Python keeps microseconds) and no offset at all (a
    *naive* local time, returned naive: the caller decides whether a zone
    applies or whether that is an error).
    """
    text = node.text()
    match = _DATETIME.match(text.strip())
    if not match:
        node.fail("not an ISO 8601 date-time", safe_token(text))
    year, month, day, hour, minute = (int(match.group(i)) for i in range(1, 6))
    second = int(match.group(6) or 0)
    fraction = match.group(7) or ""
    if len(fraction) > 6 and fraction[6:].strip("0"):
        node.fail("sub-microsecond date-time precision", safe_token(text))
    micro = int((fraction[:6]).ljust(6, "0")) if fraction else 0
    tz: dt.tzinfo | None = None
    offset = match.group(8)
    if offset:
        if offset in "Zz":
            tz = UTC
        else:
            sign = 1 if offset[0] == "+" else -1
            digits = offset[1:].replace(":", "")
            hours, minutes = int(digits[:2]), int(digits[2:])
            if hours > 23 or minutes > 59:
                node.fail("UTC offset out of range", safe_token(text))
            tz = dt.timezone(sign * dt.timedelta(hours=hours, minutes=minutes))
    try:
        return dt.datetime(year, month, day, hour, minute, second, micro, tzinfo=tz)
    except ValueError:
        node.fail("date-time out of range", safe_token(text))


# ---------------------------------------------------------------------------
# Interval helpers shared by the JSON adapters
# ---------------------------------------------------------------------------


def clip_window(
    start: dt.datetime, end: dt.datetime, bound: Window | None
) -> tuple[dt.datetime, dt.datetime] | None:
    """``[start, end)`` clipped to ``bound`` (no bound: unchanged); ``None`` when empty."""
    if bound is not None:
        start, end = max(start, bound.start), min(end, bound.end)
    if end <= start:
        return None
    return start, end


def merge_windows(spans: Iterable[tuple[dt.datetime, dt.datetime]]) -> tuple[Window, ...]:
    """Overlapping or touching ``[start, end)`` spans merged, sorted by start."""
    out: list[list[dt.datetime]] = []
    for start, end in sorted(spans):
        if out and start <= out[-1][1]:
            out[-1][1] = max(out[-1][1], end)
        else:
            out.append([start, end])
    return tuple(Window(start=s, end=e) for s, e in out)


def sort_busy(items: Iterable[Busy]) -> tuple[Busy, ...]:
    """Busy intervals without exact duplicates, sorted by ``(start, end, kind)``."""
    unique = {(b.start, b.end, b.kind.value): b for b in items}
    return tuple(unique[k] for k in sorted(unique, key=lambda k: (k[0], k[1], k[2])))
