"""A vectorised interval-intersection lower bound: the floor no scheduler can beat.

``earliest_common_start(request)`` finds the earliest grid start ``s`` in the
window (``s >= max(window.start, now)``, ``s + d <= window.end``) at which
**every required role has at least one candidate with no hard-busy interval
overlapping** ``[s, s + d)``. Nothing else: no working hours, overnight hours,
on-call shifts or customer windows, no ranking, no distinct people. Any
scheduler has to read every busy interval and intersect per-role free time at
least this well, so its time is the floor of the engine's time.

NumPy only (it shares no code with the engine):

1. Read the hard-busy intervals of the candidates of required roles into
   minute arrays (busy kinds per ``policy``, as the contract says).
2. Put each person on its own *lane* of the number line (offset
   ``lane * LANE``), turn busy ``[a, b)`` into forbidden starts
   ``[a - d + 1, b)``, and merge them in one sort + running maximum.
3. Free starts per person = the gaps between the merged blocks of a lane
   (two sentinels per lane bound the usable start range).
4. Per role, the union of its candidates' free starts (sort + running max).
5. Across roles, the intersection by counting: +1/-1 events, ``count == R``.
6. The earliest grid point inside the intersection.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import numpy.typing as npt

from bridge_sched import BridgeRequest, BusyKind

__all__ = ["earliest_common_start"]

UTC = dt.timezone.utc
LANE = 1 << 22  # lane width: far more than any window (31 days = 44,640 minutes)
OFFSET = 1 << 20  # inside a lane, positions are OFFSET + minutes (never negative)

Array = npt.NDArray[np.int64]


def _merge(starts: Array, ends: Array) -> tuple[Array, Array]:
    """Union of half-open intervals (touching ones merge), sorted."""
    if starts.size == 0:
        return starts, ends
    order = np.argsort(starts, kind="stable")
    starts, ends = starts[order], np.maximum.accumulate(ends[order])
    new = np.empty(starts.size, dtype=bool)
    new[0] = True
    new[1:] = starts[1:] > ends[:-1]
    last = np.append(np.flatnonzero(new)[1:] - 1, starts.size - 1)
    return starts[new], ends[last]


def earliest_common_start(request: BridgeRequest) -> dt.datetime | None:
    """The earliest start where every required role has someone free, or ``None``."""
    policy = request.policy
    hard = {BusyKind.busy, BusyKind.out_of_office, BusyKind.focus, BusyKind.executive_review}
    if policy.unknown == "unavailable":
        hard.add(BusyKind.unknown)
    if policy.tentative == "forbid":
        hard.add(BusyKind.tentative)
    severity = request.incident.severity
    roles = [r for r in request.roles if r.required_for is None or severity in r.required_for]
    d = request.meeting.duration_minutes
    step = request.meeting.step_minutes

    # minutes relative to an origin on the top of a UTC hour (the grid is aligned to it)
    origin = request.window.start.replace(minute=0, second=0, microsecond=0)
    t0 = origin.timestamp()
    lo_t = max(request.window.start, request.now).timestamp()
    lo = int(-(-(lo_t - t0) // 60))  # ceil
    hi = int((request.window.end.timestamp() - t0) // 60)
    last_start = hi - d  # inclusive
    if last_start < lo:
        return None
    s_end = last_start + 1  # usable starts are [lo, s_end)

    # 1. hard-busy intervals of the candidates, lane = index in `lanes`
    people = {p.id: p for p in request.people}
    lanes: dict[str, int] = {}
    for role in roles:
        for cand in role.candidates:
            lanes.setdefault(cand.person, len(lanes))
    n_lanes = len(lanes)
    lane_of: list[int] = []
    t_start: list[float] = []
    t_end: list[float] = []
    for pid, lane in lanes.items():
        for b in people[pid].busy:
            if b.kind in hard:
                lane_of.append(lane)
                t_start.append(b.start.timestamp())
                t_end.append(b.end.timestamp())
    lane_arr = np.asarray(lane_of, dtype=np.int64)
    a = np.floor((np.asarray(t_start) - t0) / 60).astype(np.int64)
    b = np.ceil((np.asarray(t_end) - t0) / 60).astype(np.int64)

    # 2. forbidden starts [a - d + 1, b), clipped to the lane, plus two sentinels per lane
    fs = np.clip(a - d + 1, lo - 1, s_end + 1)
    fe = np.clip(b, lo - 1, s_end + 1)
    keep = fe > fs
    shift = lane_arr[keep] * LANE + OFFSET
    base = np.arange(n_lanes, dtype=np.int64) * LANE + OFFSET
    starts = np.concatenate([fs[keep] + shift, base + lo - 1, base + s_end])
    ends = np.concatenate([fe[keep] + shift, base + lo, base + s_end + 1])
    ms, me = _merge(starts, ends)

    # 3. gaps inside a lane are free starts
    gs, ge = me[:-1], ms[1:]
    same_lane = (gs // LANE) == (ge // LANE)
    gs, ge = gs[same_lane], ge[same_lane]
    gap_lane = gs // LANE
    gs, ge = gs - gap_lane * LANE - OFFSET, ge - gap_lane * LANE - OFFSET

    # 4. per role: union of its candidates' free starts
    ev_pos: list[Array] = []
    ev_val: list[Array] = []
    for role in roles:
        members = np.asarray(sorted(lanes[c.person] for c in role.candidates), dtype=np.int64)
        mask = np.isin(gap_lane, members)
        us, ue = _merge(gs[mask], ge[mask])
        if us.size == 0:
            return None
        ev_pos += [us, ue]
        ev_val += [np.ones(us.size, dtype=np.int64), -np.ones(ue.size, dtype=np.int64)]

    # 5. intersection across roles: where all R role unions overlap
    pos = np.concatenate(ev_pos)
    val = np.concatenate(ev_val)
    order = np.lexsort((val, pos))  # at equal positions, ends (-1) before starts (+1)
    pos, val = pos[order], val[order]
    count = np.cumsum(val)
    full = np.flatnonzero(count[:-1] == len(roles))
    if full.size == 0:
        return None
    ia, ib = pos[full], pos[full + 1]

    # 6. earliest grid start in the intersection
    first = -(-ia // step) * step
    ok = first < ib
    if not ok.any():
        return None
    return origin + dt.timedelta(minutes=int(first[ok].min()))
