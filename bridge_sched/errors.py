"""The exception tree of bridge_sched.

Infeasibility is *not* an exception: a request with no valid slot returns a
:class:`~bridge_sched.result.BridgeResult` whose ``status`` is ``"escalate"``.
Exceptions are raised only for input that cannot be interpreted and for
internal failures::

    BridgeSchedError                 base of everything raised on purpose
    ├── InputError(ValueError)       the request is malformed; names field and value
    │   ├── NaiveDatetimeError       a datetime without a UTC offset
    │   ├── UnknownTimezoneError     a zone that is not an IANA name
    │   ├── LocalTimeError           a local time that does not exist / is ambiguous
    │   │                            under a ``"raise"`` time policy
    │   └── AdapterError             a source file (calendar, roster, CRM record, manifest)
    │                                that cannot be read without guessing; names file and line
    └── SolverError(RuntimeError)    CP-SAT returned an unexpected status

Every :class:`InputError` carries ``field`` (a dotted path such as
``people[2].timezone``) and ``value`` (the offending value, as text, at most 200 characters), and its
message names both on one line. The value of an unknown (forbidden) field is
not echoed, since it may be calendar contents.
"""

from __future__ import annotations

__all__ = [
    "AdapterError",
    "BridgeSchedError",
    "InputError",
    "LocalTimeError",
    "NaiveDatetimeError",
    "SolverError",
    "UnknownTimezoneError",
]


def _one_line(text: str, limit: int) -> str:
    """Escape line breaks and cut long text, so that an error stays one line."""
    text = text.replace("\r", "\\r").replace("\n", "\\n")
    return text if len(text) <= limit else text[: limit - 1] + "…"


class BridgeSchedError(Exception):
    """Base class of every exception bridge_sched raises on purpose."""


class InputError(BridgeSchedError, ValueError):
    """The request (or a part of it) is invalid.

    Parameters
    ----------
    field
        Dotted path of the offending field, e.g. ``"roles[1].candidates[0]"``.
    value
        The offending value, rendered as text (never calendar contents).
    reason
        What is wrong with it, in one sentence.
    """

    def __init__(self, field: str, value: object, reason: str) -> None:
        self.field = _one_line(field, 200)
        self.value = _one_line(str(value), 200)
        self.reason = _one_line(reason, 500)
        super().__init__(f"{self.field}: {self.reason} (got {self.value!r})")


class NaiveDatetimeError(InputError):
    """A datetime without a UTC offset was given where an instant is required."""


class UnknownTimezoneError(InputError):
    """A time zone name that is not in the IANA database."""


class LocalTimeError(InputError):
    """A local time that is skipped or repeated by a DST change, under a ``raise`` policy."""


class AdapterError(InputError):
    """A source that an adapter cannot read without guessing.

    ``source`` is the file name (or caller label) and ``where`` the line
    (``"line 12"``), property or JSON path; the message starts with
    ``source:where``. ``value`` is only ever a structural token (a TZID, a
    date-time, a property name), never calendar text such as a title.
    """

    def __init__(self, source: str, where: str, value: object, reason: str) -> None:
        self.source = _one_line(source, 200)
        self.where = _one_line(where, 200)
        super().__init__(f"{self.source}:{self.where}", value, reason)


class SolverError(BridgeSchedError, RuntimeError):
    """CP-SAT returned a status that the engine cannot interpret (a bug, never bad input)."""
