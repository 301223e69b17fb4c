"""The result side: ranked slots, approvals, an escalation, and metadata.

A :class:`BridgeResult` is a value: the same request always gives the same
result, byte for byte, through :meth:`BridgeResult.model_dump_json`.
"""

from __future__ import annotations

import datetime as dt
from enum import Enum
from typing import Literal

from pydantic import BaseModel, ConfigDict

__all__ = [
    "Approval",
    "Assignment",
    "BridgeResult",
    "Escalation",
    "LocalSpan",
    "Meta",
    "Reason",
    "ReasonCode",
    "Score",
    "Slot",
    "SolverStats",
    "Status",
]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Status(str, Enum):
    """Overall outcome. CLI exit codes: 0, 3, 4 and 5 respectively.

    ``needs_refresh``: some source data is older than ``Policy.max_age`` and
    could change the answer; the slots (or the escalation) are what the current
    data gives, but nothing should be held or sent before the sources named in
    the ``STALE_DATA`` warnings are fetched again.
    """

    scheduled = "scheduled"
    needs_approval = "needs_approval"
    escalate = "escalate"
    needs_refresh = "needs_refresh"


class ReasonCode(str, Enum):
    """Stable reason codes. See ``docs/reason-codes.md`` for each one."""

    NO_OVERLAP_IN_WINDOW = "NO_OVERLAP_IN_WINDOW"
    ROLE_UNCOVERED = "ROLE_UNCOVERED"
    ONLY_OVERNIGHT = "ONLY_OVERNIGHT"
    OUT_OF_HOURS = "OUT_OF_HOURS"
    CUSTOMER_WINDOW_OUTSIDE_POLICY = "CUSTOMER_WINDOW_OUTSIDE_POLICY"
    NO_OVERLAP_WITH_CUSTOMER_WINDOW = "NO_OVERLAP_WITH_CUSTOMER_WINDOW"
    INSUFFICIENT_COVERAGE = "INSUFFICIENT_COVERAGE"
    WINDOW_TOO_SHORT = "WINDOW_TOO_SHORT"
    UNKNOWN_AVAILABILITY = "UNKNOWN_AVAILABILITY"
    SUBSTITUTE_NEEDS_APPROVAL = "SUBSTITUTE_NEEDS_APPROVAL"
    TENTATIVE_CONFLICT = "TENTATIVE_CONFLICT"
    STALE_DATA = "STALE_DATA"


class LocalSpan(_Frozen):
    """A slot as seen on one party's wall clock.

    ``start``/``end`` are ISO 8601 local times with offset, e.g.
    ``"2027-03-16T10:00:00-04:00"``; ``abbreviation`` is the zone's abbreviation
    at the start (``"EDT"``); ``utc_offset`` is ``"-04:00"``. ``end_abbreviation``
    and ``end_utc_offset`` differ from them only when a clock change falls
    inside the bridge.
    """

    party: str
    timezone: str
    start: str
    end: str
    abbreviation: str
    utc_offset: str
    end_abbreviation: str
    end_utc_offset: str


class Approval(_Frozen):
    """An exception that a slot needs, and who must approve it."""

    code: ReasonCode
    approver: str
    role: str | None = None
    person: str | None = None
    detail: str


class Assignment(_Frozen):
    """Who fills a role in a slot."""

    role: str
    person: str
    pool_position: int
    primary: bool
    in_working_hours: bool
    tentative_conflict: bool
    local: LocalSpan


class Score(_Frozen):
    """The ranking key of a slot, criterion by criterion (lower is better).

    Slots are ordered lexicographically by ``approvals``, ``substitutes``,
    ``substitute_depth``, ``tentative``, ``customer_preference``, then start
    time, then the person ids in role-name order.
    """

    approvals: int
    substitutes: int
    substitute_depth: int
    tentative: int
    customer_preference: int
    start: dt.datetime


class Slot(_Frozen):
    """One ranked bridge suggestion (start and end in UTC)."""

    rank: int
    start: dt.datetime
    end: dt.datetime
    assignments: tuple[Assignment, ...]
    customer: LocalSpan | None
    approvals: tuple[Approval, ...]
    score: Score


class Reason(_Frozen):
    """One reason for an escalation (or a warning attached to a result).

    ``source`` names a :class:`~bridge_sched.model.Source` (``STALE_DATA``);
    ``blocking`` is true when this reason alone means the result must not be
    acted on yet (a stale source that could change the answer).
    """

    code: ReasonCode
    message: str
    role: str | None = None
    people: tuple[str, ...] = ()
    windows: tuple[tuple[dt.datetime, dt.datetime], ...] = ()
    source: str | None = None
    blocking: bool = False


class ConstraintGroup(_Frozen):
    """A named group of rules (see ``docs/explanations.md``).

    ``tier`` is ``never`` (never relaxed: busy, focus, out of office,
    executive review, on-call shifts, core roles) or ``approval`` (may be
    relaxed if ``approver`` agrees).
    """

    id: str
    kind: str
    tier: Literal["never", "approval"]
    approver: str | None = None
    rule: str
    role: str | None = None
    person: str | None = None


class Relaxation(_Frozen):
    """Switching off ``groups`` would allow the bridge at ``start``-``end`` (UTC).

    ``cost`` is the sum of the documented group costs; ``assignments`` maps
    each role to the person who would fill it (``None``: the role is dropped).
    """

    groups: tuple[str, ...]
    cost: int
    start: dt.datetime
    end: dt.datetime
    assignments: tuple[tuple[str, str | None], ...]
    approvers: tuple[str, ...]
    message: str


class Escalation(_Frozen):
    """Why no slot can be offered, addressed to ``approver``.

    ``reasons`` are the summary (reason codes); ``conflict`` is a minimal set
    of constraint groups that cannot hold together (drop any one and the rest
    can); ``relaxations`` are the cheapest ways out, cheapest first.
    ``explanation_note`` says when either is missing or comes from a bounded
    search (see ``docs/explanations.md``).
    """

    approver: str
    reasons: tuple[Reason, ...]
    message: str
    conflict: tuple[ConstraintGroup, ...] = ()
    relaxations: tuple[Relaxation, ...] = ()
    explanation_note: str | None = None


class SolverStats(_Frozen):
    """Deterministic statistics of the search (no wall-clock figures)."""

    grid_starts: int
    segments: int
    segments_examined: int
    cpsat_calls: int
    cpsat_branches: int


class Meta(_Frozen):
    """Provenance of a result."""

    request_digest: str
    library_version: str
    ortools_version: str
    tzdata_version: str
    stats: SolverStats


class Rejection(_Frozen):
    """Grid starts from ``first_start`` to ``last_start`` (inclusive, UTC) rejected for one reason.

    ``rule`` is the first rule that rejects them: ``customer_window``,
    ``customer_hours``, ``role`` (``role`` names it and ``blockers`` lists each
    candidate with the groups that keep them out) or ``distinct_people``.
    """

    first_start: dt.datetime
    last_start: dt.datetime
    rule: str
    role: str | None = None
    blockers: tuple[tuple[str, tuple[str, ...]], ...] = ()
    groups: tuple[str, ...] = ()
    message: str


class BridgeResult(_Frozen):
    """The answer to a :class:`~bridge_sched.model.BridgeRequest`.

    ``rejections`` is the per-start audit trail, filled when asked for
    (``SolveParams(rejections=True)``, CLI ``--why``).
    """

    status: Status
    incident: str
    slots: tuple[Slot, ...]
    escalation: Escalation | None
    warnings: tuple[Reason, ...]
    roles_required: tuple[str, ...]
    meta: Meta
    rejections: tuple[Rejection, ...] = ()
    kind: Literal["bridge_result/v1"] = "bridge_result/v1"
