"""bridge_sched: deterministic, explainable scheduling of incident escalation bridges.

>>> from bridge_sched import solve, load_example
>>> result = solve(load_example())
>>> result.status.value
'scheduled'
"""

from ._validate import LIMITS, parse_request
from ._version import __version__
from .canonical import canonical_json, canonical_request, request_digest
from .errors import (
    AdapterError,
    BridgeSchedError,
    InputError,
    LocalTimeError,
    NaiveDatetimeError,
    SolverError,
    UnknownTimezoneError,
)
from .examples import example_names, load_example
from .model import (
    BridgeRequest,
    Busy,
    BusyKind,
    Candidate,
    Customer,
    DateOverride,
    Incident,
    LocalTimePolicy,
    LocalWindow,
    MaxAge,
    Meeting,
    Person,
    Policy,
    Role,
    Severity,
    Source,
    TimeRange,
    WeeklyHours,
    Window,
)
from .result import (
    Approval,
    Assignment,
    BridgeResult,
    Escalation,
    LocalSpan,
    Meta,
    Reason,
    ReasonCode,
    Score,
    Slot,
    SolverStats,
    Status,
)
from .solve import SolveParams, solve

__all__ = [
    "LIMITS",
    "AdapterError",
    "Approval",
    "Assignment",
    "BridgeRequest",
    "BridgeResult",
    "BridgeSchedError",
    "Busy",
    "BusyKind",
    "Candidate",
    "Customer",
    "DateOverride",
    "Escalation",
    "Incident",
    "InputError",
    "LocalSpan",
    "LocalTimeError",
    "LocalTimePolicy",
    "LocalWindow",
    "MaxAge",
    "Meeting",
    "Meta",
    "NaiveDatetimeError",
    "Person",
    "Policy",
    "Reason",
    "ReasonCode",
    "Role",
    "Score",
    "Severity",
    "Slot",
    "SolveParams",
    "SolverError",
    "SolverStats",
    "Source",
    "Status",
    "TimeRange",
    "UnknownTimezoneError",
    "WeeklyHours",
    "Window",
    "__version__",
    "canonical_json",
    "canonical_request",
    "example_names",
    "load_example",
    "parse_request",
    "request_digest",
    "solve",
]
