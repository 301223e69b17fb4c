"""``solve(request) -> BridgeResult``: the main job.

Adapters and callers hand in a :class:`~bridge_sched.model.BridgeRequest` (or
its JSON); the answer is ranked slots, slots that need an approval, or an
escalation with reason codes. Infeasibility is a value, never an exception.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import ortools

from . import intervals as iv
from ._compile import OUT_OF_HOURS, TENTATIVE, Compiled, Flags, compile_request, merge_instants
from ._explain import Group, Relaxed, explain, rejections
from ._search import Found, SearchOutcome, search
from ._tz import tzdata_version
from ._validate import parse_request
from ._version import __version__
from .canonical import request_digest
from .model import BridgeRequest, BusyKind, Source
from .result import (
    Approval,
    Assignment,
    BridgeResult,
    ConstraintGroup,
    Escalation,
    Meta,
    Reason,
    ReasonCode,
    Rejection,
    Relaxation,
    Score,
    Slot,
    SolverStats,
    Status,
)
from .timegrid import local_span

__all__ = ["SolveParams", "solve"]

log = logging.getLogger("bridge_sched")


@dataclass(frozen=True)
class SolveParams:
    """Engine parameters that do not change the meaning of a request.

    ``seed`` is passed to CP-SAT (single worker, no time limit); any seed gives
    the same result, because every optimum is broken to a unique answer.
    ``explain_extension_minutes``: how far past the window end an escalation's
    explanation looks for a ``deadline`` relaxation; ``relaxations``: how many
    relaxations it lists at most. ``rejections``: also say why each rejected
    grid start was rejected (``result.rejections``).
    """

    seed: int = 0
    explain_extension_minutes: int = 240
    relaxations: int = 3
    rejections: bool = False


def _fmt(instant: dt.datetime) -> str:
    return instant.astimezone(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def solve(
    request: BridgeRequest | Mapping[str, Any] | str | bytes,
    params: SolveParams | None = None,
) -> BridgeResult:
    """Find ranked bridge slots, or explain why none can be offered.

    Parameters
    ----------
    request
        A :class:`BridgeRequest`, a mapping, or its JSON text.
    params
        Engine parameters (optional).

    Returns
    -------
    BridgeResult
        ``status`` is ``scheduled``, ``needs_approval``, ``escalate`` or
        ``needs_refresh`` (stale source data that could change the answer).

    Raises
    ------
    InputError
        When the request is invalid (names the field and value).
    """
    params = params or SolveParams()
    req = parse_request(request)
    core = _solve_core(req, params)
    status = core.status
    warnings = _warnings(core.compiled)
    stale = _stale_sources(req)
    if stale:
        stale_reasons = _freshness(req, core, stale, params)
        warnings += stale_reasons
        if any(r.blocking for r in stale_reasons):
            status = Status.needs_refresh
    return BridgeResult(
        status=status,
        incident=req.incident.id,
        slots=core.slots,
        escalation=core.escalation,
        warnings=warnings,
        roles_required=tuple(r.name for r in core.compiled.roles),
        rejections=_rejections(core.compiled) if params.rejections else (),
        meta=Meta(
            request_digest=request_digest(req),
            library_version=__version__,
            ortools_version=str(getattr(ortools, "__version__", "unknown")),
            tzdata_version=tzdata_version(),
            stats=_stats(core.outcome),
        ),
    )


@dataclass(frozen=True)
class _Core:
    status: Status
    slots: tuple[Slot, ...]
    escalation: Escalation | None
    compiled: Compiled
    outcome: SearchOutcome


def _solve_core(req: BridgeRequest, params: SolveParams) -> _Core:
    """Slots or an escalation for a validated request (no freshness, no meta)."""
    compiled = compile_request(req)
    outcome = search(compiled, req.meeting.suggestions, seed=params.seed)
    log.debug("searched %d segments, %d CP-SAT calls", outcome.segments, outcome.cpsat_calls)
    slots = tuple(_slot(compiled, rank, f) for rank, f in enumerate(outcome.found, start=1))
    escalation = None
    if not slots:
        escalation = _escalation(compiled, params)
        status = Status.escalate
    elif slots[0].approvals:
        status = Status.needs_approval
    else:
        status = Status.scheduled
    return _Core(status, slots, escalation, compiled, outcome)


# --------------------------------------------------------------------------- #
# Freshness
# --------------------------------------------------------------------------- #
def _stale_sources(req: BridgeRequest) -> list[tuple[Source, int]]:
    """Sources older than ``policy.max_age`` for their kind, with their age in minutes."""
    out: list[tuple[Source, int]] = []
    for source in sorted(req.sources, key=lambda s: s.id):
        limit = req.policy.max_age.for_kind(source.kind)
        age = req.now - source.fetched_at
        if age > dt.timedelta(minutes=limit):
            out.append((source, -int(-age.total_seconds() // 60)))  # rounded up
    return out


def _answer_key(core: _Core) -> tuple[object, ...]:
    if core.escalation is not None:
        return ("escalate", tuple(sorted(r.code.value for r in core.escalation.reasons)))
    return tuple((s.start, tuple(a.person for a in s.assignments)) for s in core.slots)


def _freshness(
    req: BridgeRequest, core: _Core, stale: list[tuple[Source, int]], params: SolveParams
) -> tuple[Reason, ...]:
    """One ``STALE_DATA`` reason per stale source, ``blocking`` when it could change the answer.

    * on-call data feeding a required role, and CRM data feeding the customer,
      always could (who holds the role, when the customer is free);
    * a calendar could when it belongs to someone assigned in an offered slot
      (a new meeting may block it), when treating every stale calendar as
      free changes the answer (a cancelled meeting may open a better slot),
      or when the answer is an escalation and it belongs to a candidate (its
      reasons and relaxations depend on every candidate's calendar). A busier
      calendar cannot change offered slots that do not use its owner.
    """
    required = {r.name for r in core.compiled.roles}
    candidates = {c.person for r in core.compiled.roles for c in r.candidates}
    assigned: dict[str, int] = {}
    for slot in core.slots:
        for a in slot.assignments:
            assigned.setdefault(a.person, slot.rank)
    stale_people = sorted(
        {p for s, _age in stale if s.kind == "calendar" for p in s.people if p in candidates}
    )
    what_if: str | None = None
    if stale_people:
        freed = set(stale_people)
        relaxed = req.model_copy(
            update={
                "people": tuple(
                    p.model_copy(update={"busy": ()}) if p.id in freed else p for p in req.people
                ),
                "sources": (),
            }
        )
        alt = _solve_core(relaxed, params)
        if _answer_key(alt) != _answer_key(core):
            if alt.slots:
                what_if = (
                    f"with the calendars of {', '.join(stale_people)} treated as free, "
                    f"slot #1 would be {_fmt(alt.slots[0].start)}"
                )
            else:
                what_if = f"with the calendars of {', '.join(stale_people)} treated as free, the result changes"
    reasons: list[Reason] = []
    for source, age in stale:
        limit = req.policy.max_age.for_kind(source.kind)
        head = (
            f"{source.kind.replace('_', '-')} source {source.id} was fetched {age} min before now "
            f"(limit {limit} min)"
        )
        blocking = False
        why = "it cannot change the answer"
        people: tuple[str, ...] = ()
        role = None
        if source.kind == "on_call":
            roles = sorted(set(source.roles) & required)
            if roles:
                blocking = True
                role = roles[0]
                why = f"a hand-over may have changed who holds {', '.join(roles)}"
        elif source.kind == "crm":
            if source.customer and req.customer is not None:
                blocking = True
                why = "the customer's stated availability may have changed"
        else:
            people = tuple(p for p in sorted(set(source.people)) if p in candidates)
            hit = sorted((assigned[p], p) for p in people if p in assigned)
            if hit:
                blocking = True
                why = f"{hit[0][1]} is assigned in slot #{hit[0][0]} and may no longer be free"
            elif people and core.escalation is not None:
                # an escalation can change either way: a freed calendar may open a slot,
                # a busier one may change which rules are in conflict
                blocking = True
                why = f"the escalation depends on the calendars of {', '.join(people)}"
            elif people and what_if is not None:
                blocking = True
                why = what_if
            elif not people:
                why = "it feeds nobody this bridge needs"
        verdict = "refresh before deciding" if blocking else "not blocking"
        reasons.append(
            Reason(
                code=ReasonCode.STALE_DATA,
                message=f"{head}; {why} ({verdict})",
                role=role,
                people=people,
                source=source.id,
                blocking=blocking,
            )
        )
    return tuple(reasons)


def _stats(outcome: SearchOutcome) -> SolverStats:
    return SolverStats(
        grid_starts=outcome.grid_starts,
        segments=outcome.segments,
        segments_examined=outcome.examined,
        cpsat_calls=outcome.cpsat_calls,
        cpsat_branches=outcome.cpsat_branches,
    )


def _slot(compiled: Compiled, rank: int, found: Found) -> Slot:
    req = compiled.request
    policy = req.policy
    start = compiled.clock.instant(found.start)
    end = start + dt.timedelta(minutes=compiled.duration)
    assignments = []
    approvals = []
    for role, person_i, position, code in zip(
        compiled.roles, found.people, found.positions, found.codes, strict=True
    ):
        person = compiled.people[person_i]
        out_of_hours = bool(code & OUT_OF_HOURS)
        assignments.append(
            Assignment(
                role=role.name,
                person=person.id,
                pool_position=position,
                primary=position == 0,
                in_working_hours=not out_of_hours,
                tentative_conflict=bool(code & TENTATIVE),
                local=local_span(person.id, person.timezone, start, end),
            )
        )
        if out_of_hours and policy.out_of_hours == "needs_approval":
            span = local_span(person.id, person.timezone, start, end)
            approvals.append(
                Approval(
                    code=ReasonCode.OUT_OF_HOURS,
                    approver=policy.approver,
                    role=role.name,
                    person=person.id,
                    detail=(
                        f"{person.id} ({role.name}) would attend outside working hours: "
                        f"{span.start[11:16]}-{span.end[11:16]} {span.abbreviation} ({person.timezone})"
                    ),
                )
            )
        if position > 0 and policy.substitution == "needs_approval":
            approvals.append(
                Approval(
                    code=ReasonCode.SUBSTITUTE_NEEDS_APPROVAL,
                    approver=policy.approver,
                    role=role.name,
                    person=person.id,
                    detail=(
                        f"{person.id} substitutes for primary {role.candidates[0].person} "
                        f"as {role.name}"
                    ),
                )
            )
    customer = req.customer
    customer_span = None
    if customer is not None:
        customer_span = local_span(customer.account, customer.timezone, start, end)
        if found.customer_outside:
            hours = policy.customer_hours
            assert hours is not None  # outside is only set when the rule is on
            approvals.append(
                Approval(
                    code=ReasonCode.CUSTOMER_WINDOW_OUTSIDE_POLICY,
                    approver=policy.approver,
                    detail=(
                        f"customer-facing time {customer_span.start[11:16]}-"
                        f"{customer_span.end[11:16]} {customer_span.abbreviation} is outside "
                        f"internal customer-call hours {hours.start}-{hours.end} ({customer.timezone})"
                    ),
                )
            )
    substitutes = sum(1 for p in found.positions if p > 0)
    return Slot(
        rank=rank,
        start=start,
        end=end,
        assignments=tuple(assignments),
        customer=customer_span,
        approvals=tuple(approvals),
        score=Score(
            approvals=len(approvals),
            substitutes=substitutes,
            substitute_depth=sum(found.positions),
            tentative=sum(1 for c in found.codes if c & TENTATIVE),
            customer_preference=found.preference,
            start=start,
        ),
    )


def _warnings(compiled: Compiled) -> tuple[Reason, ...]:
    window = compiled.request.window
    span = iv.from_pairs([compiled.clock.span(window.start, window.end)])
    people: set[str] = set()
    for role in compiled.roles:
        for cand in role.candidates:
            i = compiled.person_index[cand.person]
            if iv.intersect(compiled.persons[i].unknown_raw, span).size:
                people.add(cand.person)
    if not people:
        return ()
    names = tuple(sorted(people))
    treatment = (
        "treated as unavailable"
        if compiled.request.policy.unknown == "unavailable"
        else "treated as tentative"
    )
    return (
        Reason(
            code=ReasonCode.UNKNOWN_AVAILABILITY,
            message=f"calendar could not be read for {', '.join(names)} ({treatment})",
            people=names,
        ),
    )


_RELAXATIONS: tuple[tuple[ReasonCode, Flags, str], ...] = (
    (
        ReasonCode.INSUFFICIENT_COVERAGE,
        Flags(distinct=True),
        "roles can only be covered if one person fills two of them",
    ),
    (
        ReasonCode.ONLY_OVERNIGHT,
        Flags(overnight=True),
        "the only slots cross protected overnight hours",
    ),
    (
        ReasonCode.OUT_OF_HOURS,
        Flags(out_of_hours_forbid=True),
        "slots exist only outside working hours, which policy forbids",
    ),
    (
        ReasonCode.CUSTOMER_WINDOW_OUTSIDE_POLICY,
        Flags(customer_policy_forbid=True),
        "slots exist only outside internal customer-call hours, which policy forbids",
    ),
    (
        ReasonCode.UNKNOWN_AVAILABILITY,
        Flags(unknown=True),
        "slots exist only if unreadable calendars are treated as free",
    ),
)


def _escalation(compiled: Compiled, params: SolveParams) -> Escalation:
    seed = params.seed
    req = compiled.request
    reasons = _structural_reasons(compiled)
    if not any(r.code in (ReasonCode.WINDOW_TOO_SHORT,) for r in reasons) and not any(
        r.code == ReasonCode.NO_OVERLAP_WITH_CUSTOMER_WINDOW and r.role is None for r in reasons
    ):
        reasons.extend(_relaxation_reasons(compiled, seed))
        if not reasons:
            reasons.append(
                Reason(
                    code=ReasonCode.NO_OVERLAP_IN_WINDOW,
                    message=(
                        "every role can be covered at some time, but never all at once "
                        f"between {_fmt(compiled.clock.instant(compiled.lo))} and "
                        f"{_fmt(compiled.clock.instant(compiled.hi))}"
                    ),
                    windows=(
                        (compiled.clock.instant(compiled.lo), compiled.clock.instant(compiled.hi)),
                    ),
                )
            )
    head = (
        f"No compliant bridge slot for {req.incident.id} ({req.incident.severity.value}) between "
        f"{_fmt(compiled.clock.instant(compiled.lo))} and {_fmt(compiled.clock.instant(compiled.hi))}."
    )
    body = " ".join(f"[{r.code.value}] {r.message}." for r in reasons)
    explanation = explain(
        compiled, params.explain_extension_minutes, params.relaxations, params.seed
    )
    return Escalation(
        approver=req.policy.approver,
        reasons=tuple(reasons),
        message=f"{head} {body} Escalated to {req.policy.approver}.",
        conflict=tuple(_group(g) for g in explanation.conflict),
        relaxations=tuple(_relaxation(compiled, r) for r in explanation.relaxations),
        explanation_note=explanation.note,
    )


def _span(c: Compiled, first: int, last: int) -> str:
    a = c.clock.instant(first)
    b = c.clock.instant(last)
    return f"{a:%Y-%m-%d %H:%M}-{b:%H:%M} UTC" if a.date() == b.date() else f"{_fmt(a)}-{_fmt(b)}"


def _rejections(compiled: Compiled) -> tuple[Rejection, ...]:
    out = []
    for r in rejections(compiled):
        if r.rule == "customer_window":
            why = "customer window closed"
        elif r.rule == "customer_hours":
            why = "outside internal customer-call hours"
        elif r.rule == "distinct_people":
            why = "minimum internal coverage: only one person could fill two roles"
        else:
            parts = [
                f"{person} " + ", ".join(g.split(":")[0].replace("_", " ") for g in groups)
                for person, groups in r.blockers
            ]
            why = f"{r.role} - " + "; ".join(parts)
        out.append(
            Rejection(
                first_start=compiled.clock.instant(r.first),
                last_start=compiled.clock.instant(r.last),
                rule=r.rule,
                role=r.role,
                blockers=r.blockers,
                groups=r.groups,
                message=f"starts {_span(compiled, r.first, r.last)}: {why}",
            )
        )
    return tuple(out)


def _group(g: Group) -> ConstraintGroup:
    return ConstraintGroup(
        id=g.id,
        kind=g.kind,
        tier="never" if g.tier == "never" else "approval",
        approver=g.approver,
        rule=g.rule,
        role=g.role,
        person=g.person,
    )


def _relaxation_phrase(g: Group, compiled: Compiled, end: dt.datetime) -> str:
    who = g.person or ""
    if g.kind == "deadline":
        over = -int(-(end - compiled.request.window.end).total_seconds() // 60)  # rounded up
        return f"extend the window by {over} minutes"
    phrases = {
        "working_hours": f"allow {who} outside working hours",
        "overnight": f"allow {who} inside protected overnight hours",
        "customer_window": "ask the customer for a time outside their stated availability",
        "customer_hours": "hold a customer-facing call outside internal hours",
        "tentative": f"override {who}'s tentative entry",
        "unknown": f"confirm {who} is free (calendar unreadable)",
        "distinct_people": "let one person fill two roles",
        "role": f"hold the bridge without {g.role}",
    }
    return phrases.get(g.kind, f"relax {g.id}")


def _relaxation(compiled: Compiled, r: Relaxed) -> Relaxation:
    start = compiled.clock.instant(r.start)
    end = start + dt.timedelta(minutes=compiled.duration)
    approvers = tuple(sorted({g.approver for g in r.groups if g.approver}))
    what = "; ".join(_relaxation_phrase(g, compiled, end) for g in r.groups)
    return Relaxation(
        groups=tuple(g.id for g in r.groups),
        cost=r.cost,
        start=start,
        end=end,
        assignments=r.people,
        approvers=approvers,
        message=(
            f"{what} -> earliest slot {start:%Y-%m-%d %H:%M}-{end:%H:%M} UTC"
            f" (approval: {', '.join(approvers) or 'none'})"
        ),
    )


def _structural_reasons(compiled: Compiled) -> list[Reason]:
    step = compiled.step
    lo_t, hi_t = compiled.clock.instant(compiled.lo), compiled.clock.instant(compiled.hi)
    if not iv.grid_count(compiled.window_starts, step):
        return [
            Reason(
                code=ReasonCode.WINDOW_TOO_SHORT,
                message=(
                    f"the usable window {_fmt(lo_t)} to {_fmt(hi_t)} holds no "
                    f"{compiled.duration}-minute bridge on the {step}-minute grid"
                ),
                windows=((lo_t, hi_t),),
            )
        ]
    customer = compiled.request.customer
    if compiled.customer_starts is not None and customer is not None:
        both = iv.intersect(compiled.window_starts, compiled.customer_starts)
        if not iv.grid_count(both, step):
            return [
                Reason(
                    code=ReasonCode.NO_OVERLAP_WITH_CUSTOMER_WINDOW,
                    message=(
                        f"the customer's stated availability ({customer.timezone}) leaves no "
                        f"{compiled.duration}-minute bridge between {_fmt(lo_t)} and {_fmt(hi_t)}"
                    ),
                    windows=((lo_t, hi_t),),
                )
            ]
    # Role coverage is judged without the slot-level customer-hours rule, so that a
    # role is never called uncovered for a reason that is not about its people.
    relax_policy = compiled.request.policy.customer_outside_policy == "forbid"
    cover = compiled
    if relax_policy:
        cover = compile_request(compiled.request, Flags(customer_policy_forbid=True), compiled)
    reasons: list[Reason] = []
    wide: Compiled | None = None
    for r, role in enumerate(compiled.roles):
        covered = iv.union(*(p.eligible for p in cover.pairs[r]))
        if iv.grid_count(covered, step):
            continue
        people = tuple(c.person for c in role.candidates)
        why = "; ".join(_candidate_blockers(compiled, r, k) for k in range(len(role.candidates)))
        if compiled.customer_starts is not None:
            if wide is None:
                wide = compile_request(
                    compiled.request,
                    Flags(customer_window=True, customer_policy_forbid=relax_policy),
                    compiled,
                )
            if iv.grid_count(iv.union(*(p.eligible for p in wide.pairs[r])), step):
                reasons.append(
                    Reason(
                        code=ReasonCode.NO_OVERLAP_WITH_CUSTOMER_WINDOW,
                        role=role.name,
                        people=people,
                        message=(
                            f"role {role.name} has no candidate available inside the "
                            f"customer's stated availability: {why}"
                        ),
                    )
                )
                continue
        reasons.append(
            Reason(
                code=ReasonCode.ROLE_UNCOVERED,
                role=role.name,
                people=people,
                message=f"role {role.name} cannot be filled: {why}",
            )
        )
    return reasons


def _candidate_blockers(compiled: Compiled, r: int, k: int) -> str:
    """Which rules keep candidate ``k`` of role ``r`` out, by rule name only."""
    policy = compiled.request.policy
    role = compiled.roles[r]
    cand = role.candidates[k]
    sets = compiled.persons[compiled.person_index[cand.person]]
    base = compiled.window_starts
    if compiled.customer_starts is not None:
        base = iv.intersect(base, compiled.customer_starts)
    names: list[str] = []
    if cand.on_call is not None:
        shifts = iv.from_pairs(compiled.clock.inner(a, b) for a, b in merge_instants(cand.on_call))
        if iv.difference(base, iv.contained_starts(shifts, compiled.duration)).size:
            names.append("not on call")
    for kind, starts in sets.by_kind.items():
        hard = (
            kind not in (BusyKind.tentative, BusyKind.unknown)
            or (kind == BusyKind.tentative and policy.tentative == "forbid")
            or (kind == BusyKind.unknown and policy.unknown == "unavailable")
        )
        if hard and iv.intersect(base, starts).size:
            names.append(
                "calendar unknown" if kind == BusyKind.unknown else kind.value.replace("_", " ")
            )
    if iv.intersect(base, sets.overnight).size:
        names.append("protected overnight hours")
    if policy.out_of_hours == "forbid" and iv.difference(base, sets.in_hours).size:
        names.append("outside working hours (forbidden)")
    return f"{cand.person}: {', '.join(names) if names else 'no eligible start'}"


def _relaxation_reasons(compiled: Compiled, seed: int) -> list[Reason]:
    req = compiled.request
    reasons: list[Reason] = []
    for code, flags, text in _RELAXATIONS:
        if code == ReasonCode.OUT_OF_HOURS and req.policy.out_of_hours != "forbid":
            continue
        if code == ReasonCode.CUSTOMER_WINDOW_OUTSIDE_POLICY and (
            req.policy.customer_outside_policy != "forbid" or compiled.customer_policy_ok is None
        ):
            continue
        relaxed = compile_request(req, flags, compiled)
        outcome = search(relaxed, 1, flags=flags, seed=seed)
        if not outcome.found:
            continue
        found = outcome.found[0]
        start = relaxed.clock.instant(found.start)
        end = start + dt.timedelta(minutes=relaxed.duration)
        people = _involved(relaxed, compiled, code, found)
        reasons.append(
            Reason(
                code=code,
                message=(
                    f"{text}; relaxing it would allow {_fmt(start)} to {end:%H:%M} UTC"
                    + (f" involving {', '.join(people)}" if people else "")
                    + f" (approval: {req.policy.approver})"
                ),
                people=people,
                windows=((start, end),),
            )
        )
    return reasons


def _involved(
    relaxed: Compiled, strict: Compiled, code: ReasonCode, found: Found
) -> tuple[str, ...]:
    ids: list[str] = []
    for person_i, person_code in zip(found.people, found.codes, strict=True):
        pid = relaxed.people[person_i].id
        sets = strict.persons[person_i]
        if code == ReasonCode.INSUFFICIENT_COVERAGE:
            hit = found.people.count(person_i) > 1
        elif code == ReasonCode.ONLY_OVERNIGHT:
            hit = iv.contains_span(sets.overnight, found.start, found.start + 1)
        elif code == ReasonCode.OUT_OF_HOURS:
            hit = bool(person_code & OUT_OF_HOURS)
        elif code == ReasonCode.UNKNOWN_AVAILABILITY:
            hit = iv.contains_span(sets.unknown, found.start, found.start + 1)
        else:
            hit = False
        if hit and pid not in ids:
            ids.append(pid)
    return tuple(sorted(ids))
