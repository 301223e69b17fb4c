"""Re-plan after incident leadership substitutes an attendee, and say what changed.

Leadership may decide, before confirming, that a role is filled by someone
else ("ic-jonas takes incident command instead of ic-chen"). :func:`replan`
pins each substituted role to its new person, solves again and compares the
first-ranked slot (or the escalation) before and after. A substitute outside
the role's pool is allowed - it is leadership's decision - but must be one of
the request's people; an on-call restriction of the substitute in that role is
kept.

A re-plan document (``schema: bridge_sched.replan/1``) holds a request and the
substitutions; ``bridge-sched solve`` accepts it and prints the changes.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ._validate import parse_request
from .errors import InputError
from .model import BridgeRequest, Candidate, Identifier
from .result import BridgeResult, Slot
from .solve import SolveParams, solve

__all__ = ["Change", "ReplanDocument", "ReplanResult", "Substitution", "replan"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Substitution(_Frozen):
    """``person`` fills ``role`` (decided by incident leadership)."""

    role: str = Field(min_length=1, max_length=64)
    person: Identifier


class ReplanDocument(_Frozen):
    """A request and the substitutions to re-plan it with."""

    schema_: Literal["bridge_sched.replan/1"] = Field(alias="schema")
    request: BridgeRequest
    substitutions: tuple[Substitution, ...] = Field(min_length=1)
    decided_by: str = Field(default="incident_leadership", min_length=1, max_length=64)

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)


class Change(_Frozen):
    """One difference between the plan before and after the substitution."""

    kind: Literal["status", "start", "person", "approval_added", "approval_removed"]
    role: str | None = None
    before: str | None = None
    after: str | None = None
    message: str


class ReplanResult(_Frozen):
    """The results before and after, and what changed in the first-ranked slot."""

    substitutions: tuple[Substitution, ...]
    before: BridgeResult
    after: BridgeResult
    changes: tuple[Change, ...]


def _pin(request: BridgeRequest, substitutions: tuple[Substitution, ...]) -> BridgeRequest:
    people = {p.id for p in request.people}
    roles = {r.name: r for r in request.roles}
    pinned = dict(roles)
    for i, sub in enumerate(substitutions):
        role = roles.get(sub.role)
        if role is None or not role.applies_to(request.incident.severity):
            raise InputError(
                f"substitutions[{i}].role", sub.role, "not a role this incident requires"
            )
        if sub.person not in people:
            raise InputError(f"substitutions[{i}].person", sub.person, "unknown person id")
        same = [c for c in role.candidates if c.person == sub.person]
        candidate = same[0] if same else Candidate(person=sub.person)
        pinned[sub.role] = role.model_copy(update={"candidates": (candidate,)})
    return request.model_copy(update={"roles": tuple(pinned[r.name] for r in request.roles)})


def _hhmm(value: dt.datetime) -> str:
    return f"{value:%Y-%m-%d %H:%M} UTC"


def _approvals(slot: Slot) -> set[tuple[str, str | None]]:
    return {(a.code.value, a.person) for a in slot.approvals}


def _diff(before: BridgeResult, after: BridgeResult) -> list[Change]:
    changes: list[Change] = []
    if before.status != after.status:
        changes.append(
            Change(
                kind="status",
                before=before.status.value,
                after=after.status.value,
                message=f"status {before.status.value} -> {after.status.value}",
            )
        )
    if not before.slots or not after.slots:
        if after.escalation is not None:
            codes = ", ".join(r.code.value for r in after.escalation.reasons)
            changes.append(
                Change(kind="status", after="escalate", message=f"the re-plan escalates: {codes}")
            )
        return changes
    b, a = before.slots[0], after.slots[0]
    if b.start != a.start:
        changes.append(
            Change(
                kind="start",
                before=b.start.isoformat(),
                after=a.start.isoformat(),
                message=f"start {_hhmm(b.start)} -> {_hhmm(a.start)}",
            )
        )
    who_before = {x.role: x.person for x in b.assignments}
    for x in a.assignments:
        old = who_before.get(x.role)
        if old != x.person:
            changes.append(
                Change(
                    kind="person",
                    role=x.role,
                    before=old,
                    after=x.person,
                    message=f"{x.role}: {old} -> {x.person}",
                )
            )
    for code, person in sorted(_approvals(a) - _approvals(b), key=str):
        changes.append(
            Change(
                kind="approval_added",
                after=code,
                message=f"needs approval now: {code}" + (f" ({person})" if person else ""),
            )
        )
    for code, person in sorted(_approvals(b) - _approvals(a), key=str):
        changes.append(
            Change(
                kind="approval_removed",
                before=code,
                message=f"no longer needs approval: {code}" + (f" ({person})" if person else ""),
            )
        )
    return changes


def replan(
    request: BridgeRequest | ReplanDocument,
    substitutions: tuple[Substitution, ...] | None = None,
    params: SolveParams | None = None,
) -> ReplanResult:
    """Solve before and after pinning the substituted roles; list what changed.

    Parameters
    ----------
    request
        The request, or a :class:`ReplanDocument` (then ``substitutions`` is taken from it).
    substitutions
        Who fills which role instead.
    params
        Engine parameters for both solves.
    """
    if isinstance(request, ReplanDocument):
        substitutions = request.substitutions
        request = request.request
    if not substitutions:
        raise InputError("substitutions", "[]", "at least one substitution")
    request = parse_request(request)
    before = solve(request, params)
    after = solve(_pin(request, substitutions), params)
    return ReplanResult(
        substitutions=substitutions,
        before=before,
        after=after,
        changes=tuple(_diff(before, after)),
    )
