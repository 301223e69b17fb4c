"""Seeded, deterministic generator of realistic bridge requests for the benchmarks.

Every request is produced as JSON text first (``request_json``) and validated once
with ``BridgeRequest.model_validate_json`` (``build_request``); the same
``(tier, variant, seed, ...)`` always gives the same bytes. Generation uses only
``random.Random(seed)`` and the IANA rules of the pinned ``tzdata`` package.

What a scenario looks like
--------------------------
* People spread over 13 IANA zones, four of them off the whole hour
  (America/St_Johns -3:30, Asia/Kolkata +5:30, Asia/Kathmandu +5:45,
  Australia/Adelaide +9:30/+10:30); every tier has at least 8 distinct zones.
* Weekly working hours per person: mostly Mon-Fri days starting 07:00-10:00
  for 8-9 hours, some split days, some part-time (Mon-Thu), and in support /
  SRE teams some late and night shifts that cross midnight; public-holiday
  overrides for a region and the odd working Saturday.
* Calendars: 4-10 busy intervals per working day per person and calendar
  (meetings, focus blocks, executive reviews, tentative holds), whole
  out-of-office days, multi-day vacations, and now and then an unreadable
  calendar (``unknown``). The large tier (T3) adds shared calendars per person
  (team calendar, pager/on-call calendar, booking holds) of short items on every
  day, which is how it reaches ~200k busy intervals.
* Roles with ordered pools: each role has a home team; its pool starts with the
  team's on-call primary, then team substitutes, then a few cross-team
  substitutes. In T2/T3 the SRE role's first candidates hold follow-the-sun
  on-call shifts (``on_call``).
* A customer in America/New_York with stated availability (local windows per
  date) and preferred hours.

Infeasible variants (``variant="infeasible"``) make the window impossible in a
realistic way:

* ``pool_ooo``: the whole pool of one role (engineering_owner) is out of office
  over the window (an off-site), so the role is uncovered (ROLE_UNCOVERED).
* ``customer_overnight``: one role's pool (engineering_owner) sits entirely in
  APAC zones (Tokyo, Sydney, Adelaide) on day hours, and the customer is only
  available 09:30-12:00 New York time - which is that pool's protected overnight.

``build_request`` caches the JSON text on disk (``BRIDGE_SCHED_BENCH_CACHE``,
default ``$TMPDIR/bridge_sched_bench``; ``0`` disables), keyed by the SHA-256 of
this file and the parameters, so editing the generator invalidates the cache.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import os
import random
import tempfile
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bridge_sched import BridgeRequest

__all__ = [
    "LEADERSHIP_BENCH",
    "TIERS",
    "ZONES",
    "TierSpec",
    "batch_requests",
    "build_request",
    "busy_count",
    "cached_json",
    "request_data",
    "request_json",
    "zone",
]

UTC = dt.timezone.utc
DAY = 24 * 60

# (zone, weight) - weights are for the follow-the-sun tiers; T1 uses its own mix.
ZONES: tuple[tuple[str, int], ...] = (
    ("America/New_York", 14),
    ("America/Chicago", 8),
    ("America/Los_Angeles", 9),
    ("America/St_Johns", 3),
    ("America/Sao_Paulo", 4),
    ("Europe/London", 10),
    ("Europe/Berlin", 10),
    ("Asia/Kolkata", 12),
    ("Asia/Kathmandu", 3),
    ("Asia/Singapore", 7),
    ("Asia/Tokyo", 6),
    ("Australia/Adelaide", 3),
    ("Australia/Sydney", 6),
)
T1_ZONES: tuple[tuple[str, int], ...] = (
    ("America/New_York", 10),
    ("America/Chicago", 5),
    ("America/St_Johns", 2),
    ("Europe/London", 7),
    ("Europe/Berlin", 7),
    ("Asia/Kolkata", 8),
    ("Asia/Kathmandu", 2),
    ("Australia/Adelaide", 2),
    ("America/Los_Angeles", 4),
)
APAC_NIGHT_ZONES = ("Asia/Tokyo", "Australia/Sydney", "Australia/Adelaide")

ROLE_NAMES = (
    "incident_commander",
    "support_lead",
    "engineering_owner",
    "customer_success",
    "leadership_delegate",
    "sre_oncall",
    "comms_lead",
    "security_liaison",
)
TEAM_PREFIX = {
    "incident_commander": "ic",
    "support_lead": "sup",
    "engineering_owner": "eng",
    "customer_success": "csm",
    "leadership_delegate": "lead",
    "sre_oncall": "sre",
    "comms_lead": "comms",
    "security_liaison": "sec",
}
SHIFT_TEAMS = frozenset({"support_lead", "sre_oncall"})
INFEASIBLE_ROLE = "engineering_owner"
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class TierSpec:
    """Shape of one tier."""

    name: str
    roles: int
    people: int
    pool: int  # candidates per role
    cross: int  # of which cross-team substitutes (at the end of the pool)
    start: dt.datetime  # window start (= now)
    days: int
    step: int
    duration: int
    suggestions: int
    items_per_day: tuple[int, int] = (4, 10)  # per working day, own calendar
    shared_calendars: int = 0  # extra calendars with short items on every day
    shared_items: tuple[int, int] = (4, 10)
    infeasible_mode: str = "pool_ooo"
    zones: tuple[tuple[str, int], ...] = ZONES
    # roles that draw on one common pool, in the same order (a small leadership bench):
    # their cheapest picks collide, so the search must solve the assignment with CP-SAT
    shared_pool_roles: tuple[str, ...] = ()


LEADERSHIP_BENCH = ("incident_commander", "leadership_delegate", "comms_lead", "security_liaison")
"""Roles that share one pool in the ``shared_pool_roles`` variant used by the report."""

TIERS: dict[str, TierSpec] = {
    "t1": TierSpec(
        name="t1",
        roles=5,
        people=25,
        pool=6,
        cross=1,
        start=dt.datetime(2027, 3, 16, 12, 0, tzinfo=UTC),
        days=1,
        step=5,
        duration=30,
        suggestions=3,
        infeasible_mode="pool_ooo",
        zones=T1_ZONES,
    ),
    "t2": TierSpec(
        name="t2",
        roles=8,
        people=200,
        pool=20,
        cross=4,
        start=dt.datetime(2027, 3, 8, 6, 0, tzinfo=UTC),
        days=7,
        step=1,
        duration=30,
        suggestions=5,
        infeasible_mode="customer_overnight",
    ),
    "t3": TierSpec(
        name="t3",
        roles=8,
        people=500,
        pool=60,
        cross=6,
        start=dt.datetime(2027, 3, 8, 6, 0, tzinfo=UTC),
        days=14,
        step=1,
        duration=30,
        suggestions=5,
        shared_calendars=3,
        shared_items=(4, 10),
        infeasible_mode="pool_ooo",
    ),
}


@functools.cache
def zone(name: str) -> ZoneInfo:
    res = resources.files("tzdata.zoneinfo")
    for part in name.split("/"):
        res = res.joinpath(part)
    with res.open("rb") as handle:
        return ZoneInfo.from_file(handle, key=name)


def _iso(instant: dt.datetime) -> str:
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _clock(minute: int) -> str:
    return "24:00" if minute == DAY else f"{minute // 60:02d}:{minute % 60:02d}"


def _local_midnight_utc(day: dt.date, tz: ZoneInfo) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=tz).astimezone(UTC)


# --------------------------------------------------------------------------- #
# People
# --------------------------------------------------------------------------- #
@dataclass
class _Person:
    id: str
    zone: str
    team: str | None
    week: dict[str, list[tuple[int, int]]]  # weekday -> [(start, end)] local minutes
    overrides: dict[dt.date, list[tuple[int, int]]]
    busy: list[tuple[dt.datetime, dt.datetime, str]]


def _working_week(
    rng: random.Random, team: str | None, day_only: bool
) -> dict[str, list[tuple[int, int]]]:
    start = rng.choice((7 * 60, 7 * 60 + 30, 8 * 60, 8 * 60 + 30, 9 * 60, 9 * 60 + 30, 10 * 60))
    length = rng.choice((8 * 60, 8 * 60 + 30, 9 * 60))
    roll = rng.random()
    days = ("mon", "tue", "wed", "thu", "fri")
    if not day_only and team in SHIFT_TEAMS and roll < 0.25:
        # support / SRE shifts: late (14:00-22:00) or night (22:00-06:00, crosses midnight)
        shift = (14 * 60, 22 * 60) if rng.random() < 0.5 else (22 * 60, 30 * 60)
        return {d: [shift] for d in days}
    if roll < 0.35 and not day_only and team in SHIFT_TEAMS:
        # Sunday-Thursday week
        return {d: [(start, start + length)] for d in ("sun", "mon", "tue", "wed", "thu")}
    if roll > 0.92:
        # split day
        return {d: [(start, 12 * 60 + 30), (13 * 60 + 30, 18 * 60)] for d in days}
    if roll > 0.87:
        # part-time, Mon-Thu
        return {d: [(start, start + length)] for d in ("mon", "tue", "wed", "thu")}
    return {d: [(start, start + length)] for d in days}


def _working_ranges(p: _Person, day: dt.date) -> list[tuple[int, int]]:
    if day in p.overrides:
        return p.overrides[day]
    return p.week.get(WEEKDAYS[day.weekday()], [])


_OWN_KINDS = (
    ("busy", 55, (15, 25, 30, 30, 45, 50, 60)),
    ("tentative", 15, (30, 30, 60)),
    ("focus", 18, (60, 90, 120, 180)),
    ("executive_review", 6, (60, 90)),
    ("busy", 6, (90, 120)),  # workshops / long customer calls
)
_SHARED_KINDS = (
    ("busy", 60, (5, 10, 15, 15)),  # standups, pager acks, booking holds
    ("tentative", 25, (15, 30)),
    ("focus", 15, (15, 30)),
)


def _pick(
    rng: random.Random, table: tuple[tuple[str, int, tuple[int, ...]], ...]
) -> tuple[str, int]:
    total = sum(w for _k, w, _d in table)
    x = rng.randrange(total)
    for kind, weight, durations in table:
        if x < weight:
            return kind, rng.choice(durations)
        x -= weight
    raise AssertionError


def _calendar(
    rng: random.Random,
    p: _Person,
    spec: TierSpec,
    first: dt.date,
    last: dt.date,
    ooo_days: set[dt.date],
) -> None:
    tz = zone(p.zone)
    day = first
    while day <= last:
        midnight = _local_midnight_utc(day, tz)
        ranges = _working_ranges(p, day)
        if day in ooo_days:
            end = _local_midnight_utc(day + dt.timedelta(days=1), tz)
            p.busy.append((midnight, end, "out_of_office"))
        elif ranges:
            for _ in range(rng.randint(*spec.items_per_day)):
                a, b = rng.choice(ranges)
                kind, length = _pick(rng, _OWN_KINDS)
                if rng.random() < 0.05:  # early or late call, partly outside the day
                    s = rng.choice((a - 60, b - 30))
                else:
                    s = a + rng.randrange(0, max(1, (b - a - length) // 15 + 1)) * 15
                p.busy.append(
                    (
                        midnight + dt.timedelta(minutes=s),
                        midnight + dt.timedelta(minutes=s + length),
                        kind,
                    )
                )
        if day not in ooo_days:
            for _ in range(spec.shared_calendars):
                for _ in range(rng.randint(*spec.shared_items)):
                    kind, length = _pick(rng, _SHARED_KINDS)
                    s = rng.randrange(7 * 60, 21 * 60, 5)
                    p.busy.append(
                        (
                            midnight + dt.timedelta(minutes=s),
                            midnight + dt.timedelta(minutes=s + length),
                            kind,
                        )
                    )
        day += dt.timedelta(days=1)


def _people(
    rng: random.Random, spec: TierSpec, variant: str
) -> tuple[list[_Person], list[list[str]]]:
    roles = ROLE_NAMES[: spec.roles]
    team_size = spec.people // spec.roles
    zone_names = [z for z, _w in spec.zones]
    weights = [w for _z, w in spec.zones]
    people: list[_Person] = []
    teams: dict[str, list[_Person]] = {r: [] for r in roles}
    mode = spec.infeasible_mode if variant == "infeasible" else None
    for i in range(spec.people):
        team = roles[i % spec.roles] if i < team_size * spec.roles else None
        # the first people get distinct zones, so every tier covers >= 8 zones
        tzname = (
            zone_names[i % len(zone_names)]
            if i < len(zone_names)
            else rng.choices(zone_names, weights)[0]
        )
        day_only = False
        if mode == "customer_overnight" and team == INFEASIBLE_ROLE:
            tzname = APAC_NIGHT_ZONES[i % len(APAC_NIGHT_ZONES)]
            day_only = True
        prefix = TEAM_PREFIX[team] if team else "mgr"
        person = _Person(
            id=f"{prefix}-{i:04d}",
            zone=tzname,
            team=team,
            week=_working_week(rng, team, day_only),
            overrides={},
            busy=[],
        )
        people.append(person)
        if team:
            teams[team].append(person)
    pools: list[list[str]] = []
    for r, role in enumerate(roles):
        own = teams[role][:]
        rng.shuffle(own)
        own = own[: spec.pool - spec.cross]
        others = [p for p in people if p.team != role]
        if mode == "customer_overnight" and role == INFEASIBLE_ROLE:
            others = [p for p in others if p.team not in SHIFT_TEAMS]
        cross = rng.sample(others, min(spec.cross, len(others)))
        pools.append([p.id for p in own] + [p.id for p in cross])
        if mode == "customer_overnight" and role == INFEASIBLE_ROLE:
            # cross-team substitutes of this pool keep day hours in the APAC night zones
            for p in cross:
                p.zone = APAC_NIGHT_ZONES[r % len(APAC_NIGHT_ZONES)]
                p.week = _working_week(rng, None, True)
    shared = [roles.index(name) for name in spec.shared_pool_roles]
    for r in shared[1:]:
        pools[r] = pools[shared[0]][:]
    return people, pools


# --------------------------------------------------------------------------- #
# The request
# --------------------------------------------------------------------------- #
def request_data(
    tier: str, variant: str = "feasible", seed: int = 0, **overrides: Any
) -> dict[str, Any]:
    """The request as a JSON-ready dict (see the module docstring)."""
    if variant not in ("feasible", "infeasible"):
        raise ValueError(f"variant must be 'feasible' or 'infeasible', got {variant!r}")
    spec = replace(TIERS[tier], **overrides)
    rng = random.Random(f"{spec.name}:{variant}:{seed}:{spec.days}:{spec.start.isoformat()}")
    start = spec.start
    end = start + dt.timedelta(days=spec.days)
    people, pools = _people(rng, spec, variant)
    mode = spec.infeasible_mode if variant == "infeasible" else None

    # a regional public holiday (India and Nepal) and a working Saturday for a few
    holiday = (start + dt.timedelta(days=min(spec.days - 1, 2))).date()
    for p in people:
        tz = zone(p.zone)
        first = start.astimezone(tz).date() - dt.timedelta(days=1)
        last = end.astimezone(tz).date() + dt.timedelta(days=1)
        if p.zone in ("Asia/Kolkata", "Asia/Kathmandu") and spec.days > 1:
            p.overrides[holiday] = []
        if rng.random() < 0.03:
            sat = first + dt.timedelta(days=(5 - first.weekday()) % 7)
            if sat <= last:
                p.overrides[sat] = [(10 * 60, 14 * 60)]
        ooo: set[dt.date] = set()
        d = first
        while d <= last:
            if rng.random() < 0.04:
                ooo.add(d)
            d += dt.timedelta(days=1)
        if rng.random() < 0.06:  # a vacation of 3-7 days somewhere in the horizon
            v0 = first + dt.timedelta(days=rng.randrange(0, (last - first).days + 1))
            ooo.update(v0 + dt.timedelta(days=k) for k in range(rng.randint(3, 7)))
        _calendar(rng, p, spec, first, last, ooo)
        if rng.random() < 0.01:  # calendar could not be read
            p.busy.append((start - dt.timedelta(days=1), end + dt.timedelta(days=1), "unknown"))

    roles = list(ROLE_NAMES[: spec.roles])
    if mode == "pool_ooo":
        pool = pools[roles.index(INFEASIBLE_ROLE)]
        members = {pid for pid in pool}
        for p in people:
            if p.id in members:  # the whole pool is at an off-site over the window
                p.busy.append(
                    (start - dt.timedelta(hours=12), end + dt.timedelta(hours=12), "out_of_office")
                )

    by_id = {p.id: p for p in people}
    role_objs: list[dict[str, Any]] = []
    for r, role in enumerate(roles):
        cands: list[Any] = []
        for k, pid in enumerate(pools[r]):
            if role == "sre_oncall" and k < 3:
                # follow-the-sun on-call: the pager during the holder's local 08:00-16:00
                tz = zone(by_id[pid].zone)
                day = start.astimezone(tz).date() - dt.timedelta(days=1)
                shifts = []
                while day <= end.astimezone(tz).date() + dt.timedelta(days=1):
                    s0 = _local_midnight_utc(day, tz) + dt.timedelta(hours=8)
                    shifts.append({"start": _iso(s0), "end": _iso(s0 + dt.timedelta(hours=8))})
                    day += dt.timedelta(days=1)
                cands.append({"person": pid, "on_call": shifts})
            else:
                cands.append(pid)
        obj: dict[str, Any] = {"name": role, "candidates": cands}
        if role == "leadership_delegate":
            obj["required_for"] = ["sev1", "sev2"]
        role_objs.append(obj)

    # customer in New York: stated availability and preferred hours per local date
    ny = zone("America/New_York")
    c_first = start.astimezone(ny).date() - dt.timedelta(days=1)
    c_last = end.astimezone(ny).date() + dt.timedelta(days=1)
    availability: list[dict[str, str]] = []
    preferred: list[dict[str, str]] = []
    d = c_first
    while d <= c_last:
        if mode == "customer_overnight":
            availability.append({"date": d.isoformat(), "start": "09:30", "end": "12:00"})
        elif d.weekday() < 5:
            availability.append({"date": d.isoformat(), "start": "06:00", "end": "22:00"})
            preferred.append({"date": d.isoformat(), "start": "09:00", "end": "17:00"})
        else:
            availability.append({"date": d.isoformat(), "start": "09:00", "end": "18:00"})
        d += dt.timedelta(days=1)

    person_objs = []
    for p in people:
        week = {
            day: [{"start": _clock(a), "end": _clock(b % DAY)} for a, b in p.week.get(day, [])]
            for day in WEEKDAYS
        }
        obj = {
            "id": p.id,
            "timezone": p.zone,
            "working_hours": week,
            "busy": [{"start": _iso(a), "end": _iso(b), "kind": k} for a, b, k in p.busy],
        }
        if p.overrides:
            obj["overrides"] = [
                {
                    "date": day.isoformat(),
                    "hours": [{"start": _clock(a), "end": _clock(b)} for a, b in hours],
                }
                for day, hours in sorted(p.overrides.items())
            ]
        person_objs.append(obj)

    return {
        "incident": {
            "id": f"INC-{spec.name.upper()}-{variant[:3].upper()}-{seed}",
            "severity": "sev1",
            "account_tier": "enterprise",
            "component": "payments-api",
        },
        "now": _iso(start),
        "window": {"start": _iso(start), "end": _iso(end)},
        "meeting": {
            "duration_minutes": spec.duration,
            "step_minutes": spec.step,
            "suggestions": spec.suggestions,
        },
        "roles": role_objs,
        "people": person_objs,
        "customer": {
            "account": "Halvorsen Freight",
            "timezone": "America/New_York",
            "availability": availability,
            "preferred": preferred,
        },
    }


def request_json(tier: str, variant: str = "feasible", seed: int = 0, **overrides: Any) -> str:
    """The request as compact JSON text; identical bytes for identical arguments."""
    return json.dumps(request_data(tier, variant, seed, **overrides), separators=(",", ":"))


@functools.cache
def _source_digest() -> str:
    return hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:16]


def _cache_dir() -> Path | None:
    setting = os.environ.get("BRIDGE_SCHED_BENCH_CACHE", "")
    if setting == "0":
        return None
    path = Path(setting) if setting else Path(tempfile.gettempdir()) / "bridge_sched_bench"
    path.mkdir(parents=True, exist_ok=True)
    return path


def cached_json(tier: str, variant: str = "feasible", seed: int = 0, **overrides: Any) -> str:
    """``request_json`` through the on-disk cache."""
    key = json.dumps([tier, variant, seed, sorted((k, repr(v)) for k, v in overrides.items())])
    name = hashlib.sha256(f"{_source_digest()}|{key}".encode()).hexdigest()[:24]
    folder = _cache_dir()
    if folder is None:
        return request_json(tier, variant, seed, **overrides)
    path = folder / f"{tier}-{variant}-{seed}-{name}.json"
    if path.exists():
        return path.read_text("utf-8")
    text = request_json(tier, variant, seed, **overrides)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(text, "utf-8")
    tmp.replace(path)
    return text


def build_request(
    tier: str, variant: str = "feasible", seed: int = 0, **overrides: Any
) -> BridgeRequest:
    """A validated :class:`BridgeRequest` (validation happens here, never in timed code)."""
    return BridgeRequest.model_validate_json(cached_json(tier, variant, seed, **overrides))


def batch_requests(n: int = 1000, infeasible_every: int = 10) -> list[BridgeRequest]:
    """``n`` T1 variants: different seeds and dates (0-27 days later); every
    ``infeasible_every``-th one is the infeasible variant."""
    folder = _cache_dir()
    key = hashlib.sha256(f"{_source_digest()}|batch|{n}|{infeasible_every}".encode()).hexdigest()[
        :24
    ]
    path = folder / f"batch-{n}-{key}.jsonl" if folder is not None else None
    if path is not None and path.exists():
        lines = path.read_text("utf-8").splitlines()
    else:
        base = TIERS["t1"].start
        lines = []
        for i in range(n):
            variant = (
                "infeasible"
                if infeasible_every and i % infeasible_every == infeasible_every - 1
                else "feasible"
            )
            lines.append(
                request_json(
                    "t1",
                    variant,
                    seed=1000 + i,
                    start=base + dt.timedelta(days=i % 28, hours=(i * 7) % 24),
                )
            )
        if path is not None:
            tmp = path.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_text("\n".join(lines), "utf-8")
            tmp.replace(path)
    return [BridgeRequest.model_validate_json(line) for line in lines]


def busy_count(request: BridgeRequest) -> int:
    """Total number of busy intervals in a request."""
    return sum(len(p.busy) for p in request.people)
