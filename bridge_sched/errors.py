"""The exception tree of bridge_sched.

Infeasibility is *not* an exception: a request with no valid slot returns a
:class:`~bridge_sched.result.BridgeResult` whose ``status`` is ``"escalate"``.
Exceptions are raised only for input that cannot be interpreted and for
internal failures::

    BridgeSchedError                 base of everything raised on purpose
    ├── InputError(ValueError)       the request is malformed; names field and value
    │   ├── NaiveDatetimeError       a datetime without a UTC offset
    │   ├── UnknownTimezoneError     a zone that is not an IANA name
    │   └── LocalTimeError           a local time that does not exist / is ambiguous
    │                                under a ``"raise"`` time policy
    └── SolverError(RuntimeError)    CP-SAT returned an unexpected status

Every :class:`InputError` carries ``field`` (a dotted path such as
``people[2].timezone``) and ``value`` (the offending value, as text), and its
message names both, so that the CLI can print it on one line.
"""

from __future__ import annotations

__all__ = [
    "BridgeSchedError",
    "InputError",
    "LocalTimeError",
    "NaiveDatetimeError",
    "SolverError",
    "UnknownTimezoneError",
]


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
        self.field = field
        self.value = str(value)
        self.reason = reason
        super().__init__(f"{field}: {reason} (got {self.value!r})")


class NaiveDatetimeError(InputError):
    """A datetime without a UTC offset was given where an instant is required."""


class UnknownTimezoneError(InputError):
    """A time zone name that is not in the IANA database."""


class LocalTimeError(InputError):
    """A local time that is skipped or repeated by a DST change, under a ``raise`` policy."""


class SolverError(BridgeSchedError, RuntimeError):
    """CP-SAT returned a status that the engine cannot interpret (a bug, never bad input)."""
