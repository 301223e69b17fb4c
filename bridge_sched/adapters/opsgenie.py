"""Opsgenie: Who-is-on-call (``/v2/schedules/{id}/on-calls``) and Schedule API bodies.

:func:`load_oncalls` reads a who-is-on-call answer; :func:`load_schedule`
reads Schedule API answers (``GET /v2/schedules/{id}``, ``GET /v2/schedules``
with ``expand=rotation``) and expands each rotation into shifts inside a
window. Rules (``docs/adapters/json-sources.md``):

Who is on call
    ``data.onCallParticipants`` (``flat=false``): ``user`` participants are
    candidates (``account`` = user id; the ``name``, which is the username,
    is dropped); ``escalation`` and ``team`` participants are opened and the
    users inside them taken; ``forwardedFrom`` is ignored (the participant
    listed is the one who holds the call). Levels: users listed directly are
    level 1; users inside an escalation are ranked by their ``escalationTime``
    (0 -> level 1, the next distinct time -> level 2, ...).
    ``data.onCallRecipients`` (``flat=true``) is a list of *usernames*, the
    only identifier that form carries: they become the accounts, all level 1.
    The answer names who is on call at the request's ``date`` and states no
    end: the caller passes ``window``, the span it asserts the answer holds
    for (its own ``date`` to the next hand-over, or the bridge window when no
    hand-over falls inside it). Prefer :func:`load_schedule` when shifts matter.

Schedule API
    Each rotation starts at ``startDate`` (UTC) and ends at ``endDate`` (open
    when absent). Participants take turns of ``length`` units in the order
    given, cycling: ``hourly`` turns are ``length`` elapsed hours; ``daily``
    and ``weekly`` turns hand over at the local wall-clock time of
    ``startDate`` in the schedule's ``timezone`` (so a daily hand-over stays at
    09:00 local across DST). A ``timeRestriction`` (in the schedule's zone)
    masks each turn: ``time-of-day`` keeps the same local hours every day
    (``endHour:endMin`` not after the start crosses midnight), and
    ``weekday-and-time-of-day`` keeps each ``startDay start``-``endDay end``
    stretch of the week; the rotation clock keeps running outside them.
    Participant ``none`` is a turn with nobody on call; ``team`` and
    ``escalation`` turns are not a person and yield no candidate (logged).
    Every rotation of a schedule is level 1 (Opsgenie puts the participants of
    overlapping rotations on call together). Overrides are not part of these
    bodies and are not applied. A disabled schedule has no candidates.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterator

from .._tz import load_zone
from ..model import LocalTimePolicy, Window
from ..timegrid import resolve_local
from ._json import (
    JsonSource,
    Node,
    clip_window,
    merge_windows,
    read_json_document,
    safe_token,
    source_name,
)
from ._parts import OnCallCandidate, OnCallPart, Provenance
from ._zones import match_zone_name

__all__ = ["load", "load_oncalls", "load_schedule"]

logger = logging.getLogger("bridge_sched")

UTC = dt.timezone.utc
_POLICY = LocalTimePolicy()
_DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_PEOPLE = ("user",)
_GROUPS = ("escalation", "team")
Span = tuple[dt.datetime, dt.datetime]


def _candidates(spans: dict[tuple[int, str], list[Span]]) -> tuple[OnCallCandidate, ...]:
    out = [
        OnCallCandidate(account=account, level=level, on_call=merge_windows(found))
        for (level, account), found in spans.items()
        if found
    ]
    out.sort(key=lambda c: (c.level, c.on_call[0].start, c.account))
    return tuple(out)


# ---------------------------------------------------------------------------
# Who is on call
# ---------------------------------------------------------------------------


def _walk(item: Node, level: int, found: dict[str, int]) -> None:
    """Record the users reached through one participant (see module docs for levels)."""
    kind_node = item.key("type")
    kind = kind_node.text().strip().lower()
    if kind in _PEOPLE:
        account = item.key("id").text()
        found[account] = min(found.get(account, level), level)
    elif kind in _GROUPS:
        inner = item.get("onCallParticipants")
        members = inner.items() if inner is not None else []
        times: list[int] = []
        for sub in members:
            when = sub.get("escalationTime")
            times.append(when.integer(minimum=0) if when is not None else 0)
        ranks = {t: i for i, t in enumerate(sorted(set(times)))}
        for sub, minutes in zip(members, times, strict=True):
            _walk(sub, level + ranks[minutes], found)
    elif kind != "none":
        kind_node.fail("unknown participant type", safe_token(kind_node.text(), 40))


def load_oncalls(
    source: JsonSource,
    *,
    fetched_at: dt.datetime,
    window: Window,
    name: str | None = None,
) -> OnCallPart:
    """Read a who-is-on-call response (``flat=false`` or ``flat=true``).

    Parameters
    ----------
    source
        Path or raw bytes of the body ``{"data": {"_parent": ..., ...}}``.
    fetched_at
        When it was fetched (aware).
    window
        The span the caller asserts the answer holds for (see module docs);
        every candidate is on call for all of it, and it is the ``coverage``.
    name
        Label for provenance and errors (default: the file name).

    Returns
    -------
    OnCallPart
        ``schedule`` = ``data._parent.id``.

    Raises
    ------
    AdapterError
        Malformed JSON, a missing schedule id, an unknown participant type,
        neither ``onCallParticipants`` nor ``onCallRecipients``.
    """
    label = source_name(source, name, "opsgenie-oncalls.json")
    doc = read_json_document(source, label)
    data = doc.root.key("data")
    schedule = data.key("_parent").key("id").text()
    found: dict[str, int] = {}
    participants = data.get("onCallParticipants")
    recipients = data.get("onCallRecipients")
    if participants is not None:
        for item in participants.items():
            _walk(item, 1, found)
    elif recipients is not None:
        for item in recipients.items():
            found.setdefault(item.text(), 1)
    else:
        data.fail("neither onCallParticipants nor onCallRecipients", "data")
    spans = {(level, account): [(window.start, window.end)] for account, level in found.items()}
    return OnCallPart(
        schedule=schedule,
        candidates=_candidates(spans),
        coverage=window,
        provenance=Provenance(
            source="opsgenie",
            kind="on_call",
            name=label,
            fetched_at=fetched_at,
            repairs=doc.repairs,
        ),
    )


# ---------------------------------------------------------------------------
# Schedule API: rotation expansion
# ---------------------------------------------------------------------------


def _restriction_spans(node: Node, zone_name: str, window: Window) -> list[Span]:
    """UTC stretches inside ``window`` that a ``timeRestriction`` allows."""
    zone = load_zone(zone_name)
    kind_node = node.key("type")
    kind = kind_node.text().strip().lower()
    single = node.get("restriction")
    many = node.get("restrictions")
    rules = ([single] if single is not None else []) + (many.items() if many is not None else [])
    if not rules:
        node.fail("a time restriction without restrictions", "timeRestriction")
    first = window.start.astimezone(zone).date() - dt.timedelta(days=8)
    last = window.end.astimezone(zone).date() + dt.timedelta(days=8)
    spans: list[Span] = []

    def local(day: dt.date, minute: int, where: str) -> dt.datetime:
        naive = dt.datetime.combine(day, dt.time()) + dt.timedelta(minutes=minute)
        return resolve_local(zone, naive, _POLICY, where)

    for rule in rules:
        start_min = rule.key("startHour").integer(minimum=0, maximum=23) * 60 + rule.key(
            "startMin"
        ).integer(minimum=0, maximum=59)
        end_min = rule.key("endHour").integer(minimum=0, maximum=24) * 60 + rule.key(
            "endMin"
        ).integer(minimum=0, maximum=59)
        if kind == "time-of-day":
            if end_min <= start_min:
                end_min += 24 * 60  # crosses midnight (equal: the whole day)
            day = first
            while day <= last:
                clipped = clip_window(
                    local(day, start_min, rule.where), local(day, end_min, rule.where), window
                )
                if clipped is not None:
                    spans.append(clipped)
                day += dt.timedelta(days=1)
        elif kind == "weekday-and-time-of-day":
            start_day = _weekday(rule.key("startDay"))
            end_day = _weekday(rule.key("endDay"))
            length = ((end_day - start_day) % 7) * 24 * 60 + end_min - start_min
            if length <= 0:
                length += 7 * 24 * 60
            day = first + dt.timedelta(days=(start_day - first.weekday()) % 7)
            while day <= last:
                clipped = clip_window(
                    local(day, start_min, rule.where),
                    local(day, start_min + length, rule.where),
                    window,
                )
                if clipped is not None:
                    spans.append(clipped)
                day += dt.timedelta(days=7)
        else:
            kind_node.fail("unknown time restriction type", safe_token(kind_node.text(), 40))
    return [(w.start, w.end) for w in merge_windows(spans)]


def _weekday(node: Node) -> int:
    text = node.text()
    try:
        return _DAYS.index(text.strip().lower())
    except ValueError:
        node.fail("not a day of the week", safe_token(text, 20))


def _turns(rotation: Node, zone_name: str, window: Window) -> Iterator[tuple[int, Span]]:
    """``(turn number, [start, end))`` of every turn that meets ``window`` (before restrictions)."""
    start = rotation.key("startDate").instant()
    end_node = rotation.get("endDate")
    end: dt.datetime | None = None
    if end_node is not None:
        end = end_node.instant()
        if end <= start:
            end_node.fail("endDate not after startDate", safe_token(end_node.text()))
    kind_node = rotation.key("type")
    kind = kind_node.text().strip().lower()
    length_node = rotation.get("length")
    length = length_node.integer(minimum=1, maximum=10_000) if length_node is not None else 1
    if kind == "hourly":
        step = dt.timedelta(hours=length)
        first = max(0, (window.start - start) // step - 1)

        def boundary(k: int) -> dt.datetime:
            return start + k * step

    elif kind in ("daily", "weekly"):
        days = length * (7 if kind == "weekly" else 1)
        zone = load_zone(zone_name)
        local_start = start.astimezone(zone).replace(tzinfo=None)
        first = max(0, (window.start - start) // dt.timedelta(days=days) - 2)

        def boundary(k: int) -> dt.datetime:
            naive = local_start + dt.timedelta(days=k * days)
            return resolve_local(zone, naive, _POLICY, rotation.where)

    else:
        kind_node.fail(
            "unknown rotation type (hourly, daily, weekly)", safe_token(kind_node.text(), 40)
        )
    stop = window.end if end is None else min(window.end, end)
    k = first
    while True:
        turn_start, turn_end = boundary(k), boundary(k + 1)
        if turn_start >= stop:
            return
        clipped = clip_window(max(turn_start, start), turn_end, window)
        if clipped is not None and end is not None:
            clipped = clip_window(clipped[0], min(clipped[1], end), None)
        if clipped is not None:
            yield k, clipped
        k += 1


def _intersect(span: Span, allowed: list[Span]) -> Iterator[Span]:
    for lo, hi in allowed:
        clipped = clip_window(max(span[0], lo), min(span[1], hi), None)
        if clipped is not None:
            yield clipped


def _schedule_part(
    schedule: Node, *, window: Window, label: str, provenance: Provenance
) -> OnCallPart:
    schedule_id = schedule.key("id").text()
    zone_node = schedule.key("timezone")
    zone_text = zone_node.text()
    match = match_zone_name(zone_text)
    if match is None:
        zone_node.fail("unknown time zone", safe_token(zone_text))
    repairs = list(provenance.repairs)
    if match.repair:
        repairs.append(match.repair)
    enabled = schedule.get("enabled")
    spans: dict[tuple[int, str], list[Span]] = defaultdict(list)
    if enabled is not None and not enabled.boolean():
        logger.info(
            "bridge_sched opsgenie: %s: %s is disabled: nobody on call", label, schedule.where
        )
    else:
        rotations = schedule.get("rotations")
        if rotations is None:
            schedule.fail("no rotations (request the schedule with expand=rotation)", "rotations")
        for rotation in rotations.items():
            _rotation(rotation, match.iana, window, label, spans)
    return OnCallPart(
        schedule=schedule_id,
        timezone=match.iana,
        candidates=_candidates(spans),
        coverage=window,
        provenance=provenance.model_copy(update={"repairs": tuple(repairs)}),
    )


def _rotation(
    rotation: Node,
    zone: str,
    window: Window,
    label: str,
    spans: dict[tuple[int, str], list[Span]],
) -> None:
    people: list[str | None] = []
    skipped = 0
    for participant in rotation.key("participants").items():
        kind_node = participant.key("type")
        kind = kind_node.text().strip().lower()
        if kind in _PEOPLE:
            people.append(participant.key("id").text())
        elif kind == "none":
            people.append(None)
        elif kind in _GROUPS:
            people.append(None)
            skipped += 1
        else:
            kind_node.fail("unknown participant type", safe_token(kind_node.text(), 40))
    if not people:
        rotation.key("participants").fail("a rotation without participants", "empty array")
    if skipped:
        logger.info(
            "bridge_sched opsgenie: %s: %s: %d team/escalation turn(s) yield no candidate",
            label,
            rotation.where,
            skipped,
        )
    restriction = rotation.get("timeRestriction")
    allowed = _restriction_spans(restriction, zone, window) if restriction is not None else None
    for k, turn in _turns(rotation, zone, window):
        account = people[k % len(people)]
        if account is None:
            continue
        pieces = [turn] if allowed is None else list(_intersect(turn, allowed))
        spans[(1, account)].extend(pieces)


def load_schedule(
    source: JsonSource,
    *,
    fetched_at: dt.datetime,
    window: Window,
    name: str | None = None,
    key: str | None = None,
) -> tuple[OnCallPart, ...]:
    """Read a Schedule API response and expand its rotations inside ``window``.

    Parameters
    ----------
    source
        Path or raw bytes: ``{"data": schedule}`` (get), ``{"data": [schedule, ...]}``
        (list with ``expand=rotation``) or a bare schedule object.
    fetched_at
        When it was fetched (aware).
    window
        The UTC span to expand shifts in; it is each part's ``coverage``.
    name
        Label for provenance and errors (default: the file name).
    key
        Read the response under this top-level member first (for files that
        keep several responses keyed by operation, e.g. ``"GetScheduleResponse"``).

    Returns
    -------
    tuple[OnCallPart, ...]
        One part per schedule, in the order of the response; ``schedule`` is
        the schedule id, ``timezone`` its zone.

    Raises
    ------
    AdapterError
        Malformed JSON (beyond a trailing comma, which is repaired and logged),
        an unknown zone, rotation type or participant type, a missing
        ``startDate``, missing rotations.
    """
    label = source_name(source, name, "opsgenie-schedule.json")
    doc = read_json_document(source, label)
    root = doc.root.key(key) if key is not None else doc.root
    data = root.key("data") if root.has("data") else root
    schedules = data.items() if isinstance(data.value, list) else [data]
    provenance = Provenance(
        source="opsgenie", kind="on_call", name=label, fetched_at=fetched_at, repairs=doc.repairs
    )
    return tuple(
        _schedule_part(s, window=window, label=label, provenance=provenance) for s in schedules
    )


load = load_oncalls
"""``load`` is :func:`load_oncalls` (every adapter module has a ``load``)."""
