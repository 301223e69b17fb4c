"""PagerDuty REST API v2: ``GET /oncalls`` response bodies.

An on-call entry says that ``user`` is on call for ``escalation_policy`` at
``escalation_level`` from ``start`` to ``end`` (through ``schedule``, or
``null`` when the user sits on the escalation rule directly). Rules
(``docs/adapters/json-sources.md``):

* One :class:`~bridge_sched.adapters.OnCallPart` per escalation policy
  (``schedule`` = the policy id), sorted by policy id.
* ``account`` = the user id (``PXPGF42``). ``summary``, ``name``, ``email``,
  ``html_url`` and everything else about users, schedules and policies is
  never read (``include[]=users`` bodies are accepted; only ``id`` survives).
* Shifts of the same user at the same level are merged (overlapping or
  touching); candidates are ordered by level, then first shift start, then
  account. The same user at two levels is two candidates.
* ``start``/``end`` are RFC 3339 with an offset; a naive date-time is an
  error. ``start: null`` / ``end: null`` mean "permanently on call" (a user
  directly on an escalation rule): they are bounded by ``window``; without a
  window such an entry is an :class:`~bridge_sched.errors.AdapterError`.
  With a window, shifts that do not meet it are dropped (the others keep
  their true start and end, which may lie outside it) and it becomes the
  ``coverage``.
* Pagination: one page body, or a JSON array of page bodies in order. The
  last page must say ``"more": false`` (or omit ``more``): an answer cut off
  after a page that says more pages exist is an error, never a silently
  shorter pool.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict

from ..model import Window
from ._json import (
    JsonSource,
    Node,
    merge_windows,
    read_json_document,
    source_name,
)
from ._parts import OnCallCandidate, OnCallPart, Provenance

__all__ = ["load", "load_oncalls"]

logger = logging.getLogger("bridge_sched")


def _bound(node: Node, key: str, window: Window | None) -> dt.datetime:
    value = node.key(key)  # must be present; null means "permanently"
    if not value.is_null():
        return value.instant()
    if window is None:
        value.fail(f"{key}: null means permanently on call; pass window= to bound it", "null")
    return window.start if key == "start" else window.end


def load_oncalls(
    source: JsonSource,
    *,
    fetched_at: dt.datetime,
    name: str | None = None,
    escalation_policy: str | None = None,
    window: Window | None = None,
) -> tuple[OnCallPart, ...]:
    """Read ``GET /oncalls`` response page(s).

    Parameters
    ----------
    source
        Path or raw bytes: one page ``{"oncalls": [...], "more": false, ...}``
        or an array of such pages.
    fetched_at
        When it was fetched (aware).
    name
        Label for provenance and errors (default: the file name).
    escalation_policy
        Keep only this policy id. When the answer has no entry for it, one
        part with no candidates is returned (nobody is on call).
    window
        The queried span (``since``/``until``): bounds permanent on-calls,
        drops shifts that do not meet it, becomes each part's ``coverage``.

    Returns
    -------
    tuple[OnCallPart, ...]
        One part per escalation policy, sorted by policy id.

    Raises
    ------
    AdapterError
        Malformed JSON, a missing user or policy id, a level below 1, a naive
        date-time, an end not after its start, a permanent on-call without
        ``window``, a last page with ``"more": true``.
    """
    label = source_name(source, name, "pagerduty-oncalls.json")
    doc = read_json_document(source, label)
    root = doc.root
    pages = root.items() if isinstance(root.value, list) else [root]
    if not pages:
        root.fail("no pages", "empty array")
    last_more = pages[-1].get("more")
    if last_more is not None and last_more.boolean():
        last_more.fail(
            "more pages exist: pass every page (as a JSON array) so no on-call is missed", "true"
        )

    # policy -> (level, user) -> spans
    shifts: dict[str, dict[tuple[int, str], list[tuple[dt.datetime, dt.datetime]]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for page in pages:
        for entry in page.key("oncalls").items():
            policy = entry.key("escalation_policy").key("id").text()
            if escalation_policy is not None and policy != escalation_policy:
                continue
            user = entry.key("user").key("id").text()
            level = entry.key("escalation_level").integer(minimum=1)
            start = _bound(entry, "start", window)
            end = _bound(entry, "end", window)
            if end <= start:
                entry.key("end").fail("end not after start", end.isoformat())
            bucket = shifts[policy]
            if window is not None and (end <= window.start or start >= window.end):
                bucket.setdefault((level, user), [])  # the policy exists; this shift is elsewhere
                continue
            bucket[(level, user)].append((start, end))
    if escalation_policy is not None and escalation_policy not in shifts:
        shifts[escalation_policy] = defaultdict(list)
        logger.info("bridge_sched pagerduty: %s: no on-call entry for the requested policy", label)

    provenance = Provenance(
        source="pagerduty", kind="on_call", name=label, fetched_at=fetched_at, repairs=doc.repairs
    )
    parts: list[OnCallPart] = []
    for policy in sorted(shifts):
        candidates = [
            OnCallCandidate(account=user, level=level, on_call=merge_windows(spans))
            for (level, user), spans in shifts[policy].items()
            if spans
        ]
        candidates.sort(key=lambda c: (c.level, c.on_call[0].start, c.account))
        parts.append(
            OnCallPart(
                schedule=policy,
                candidates=tuple(candidates),
                coverage=window,
                provenance=provenance,
            )
        )
    return tuple(parts)


load = load_oncalls
"""``load`` is :func:`load_oncalls` (every adapter module has a ``load``)."""
