"""Place, confirm, release and expire holds: all attendees or none, crash-safe, race-safe.

Every operation has the same shape:

1. **decide** in one ledger transaction: check the ledger, then move the
   rows it will act on to an in-flight state (``placing``, ``confirming``,
   ``releasing``) under a lease that runs from the caller's ``now``;
2. **act** on the calendar, row by row;
3. **finish** each row with a compare-and-set on its fencing token.

Because the decision is durable before the calendar is touched, a crash at
any point leaves only in-flight rows, and :func:`recover` finishes them once
their lease has run out: ``placing`` rows are looked up on the calendar
(found -> ``placed``; not found -> released and ``failed``), ``confirming``
rows are confirmed, ``releasing`` rows are released; any placement left with
a failed attendee is unwound. A process that was overtaken (its lease ran out
while it was still alive) notices at its next write and takes back its own
calendar write when recovery gave up on it. Two processes racing on one key,
or a confirmation racing a sweep, serialise on the decision transaction: the
loser finds the rows already claimed and does nothing to them.

:func:`sweep` first recovers, then releases every ``placed`` hold whose
``expires_at`` is not after ``now``; a calendar that fails one release does
not stop the others (the row keeps its claim and the next sweep retries it).
Nothing here reads the clock. ``step`` callbacks exist for fault-injection
tests: each calendar call is followed by ``<op>-on-calendar:<key>:<person>``
and each finish by ``<op>-in-ledger:<key>:<person>``.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from ..errors import InputError, NaiveDatetimeError
from ..model import _MAX_YEAR, _MIN_YEAR, is_identifier
from ..result import Approval
from .gateway import CalendarGateway, GatewayError
from .invite import ApprovalGrant, check_authority
from .ledger import FINAL, IN_FLIGHT, Hold, HoldState, Ledger, PlacementConflict, Tx, hold_id

__all__ = [
    "DEFAULT_LEASE",
    "Placement",
    "PlacementStatus",
    "SweepReport",
    "approve",
    "check_key",
    "confirm",
    "place_holds",
    "recover",
    "release",
    "sweep",
]

Step = Callable[[str], None]

_log = logging.getLogger("bridge_sched")

DEFAULT_LEASE = dt.timedelta(minutes=5)
"""How long an in-flight row belongs to the process that claimed it. Choose it
longer than the slowest calendar call (CalDAV timeouts are 10 s by default)."""

PlacementStatus = Literal["held", "confirmed", "in_progress", "failed", "released", "expired"]


def _nothing(_name: str) -> None:
    return None


@dataclass(frozen=True)
class Placement:
    """The holds of one placement key, as the ledger holds them after an operation."""

    key: str
    holds: tuple[Hold, ...]

    @property
    def status(self) -> PlacementStatus:
        """``held`` (everyone holds the slot), ``confirmed``, ``in_progress`` (a process
        is still talking to a calendar), ``failed`` (not everyone could be held; the
        others were released), ``released`` (cancelled or superseded) or ``expired``."""
        states = {h.state for h in self.holds}
        if states & set(IN_FLIGHT):
            return "in_progress"
        if states == {"confirmed"}:
            return "confirmed"
        if states <= {"placed", "confirmed"}:
            return "held"
        if "failed" in states:
            return "failed"
        if states == {"expired"}:
            return "expired"
        return "released"

    @property
    def ok(self) -> bool:
        """Every attendee holds (or has confirmed) the slot."""
        return bool(self.holds) and self.status in ("held", "confirmed")

    @property
    def failed(self) -> tuple[str, ...]:
        """People whose calendar refused the hold (or lost it in a crash)."""
        return tuple(h.person for h in self.holds if h.reason in ("refused", "not_found"))

    @property
    def skipped(self) -> tuple[str, ...]:
        """People never attempted because someone before them failed."""
        return tuple(h.person for h in self.holds if h.reason == "not_attempted")

    @property
    def pending(self) -> tuple[Hold, ...]:
        """Holds still in flight (their calendar call failed or another process owns them)."""
        return tuple(h for h in self.holds if h.state in IN_FLIGHT)


@dataclass(frozen=True)
class SweepReport:
    """What a sweep did: holds it expired, holds whose release the calendar refused
    (retried by the next sweep), and placement keys that recovery settled."""

    expired: tuple[Hold, ...]
    stuck: tuple[Hold, ...]
    recovered: tuple[str, ...]


# --------------------------------------------------------------------------- #
# helpers
# --------------------------------------------------------------------------- #
def _check_instant(name: str, value: object) -> None:
    if not isinstance(value, dt.datetime):
        raise InputError(name, repr(value)[:64], "must be a datetime with a UTC offset")
    if value.tzinfo is None or value.utcoffset() is None:
        raise NaiveDatetimeError(name, value.isoformat(), "needs a UTC offset")
    try:
        year = value.astimezone(dt.timezone.utc).year
    except OverflowError:
        year = 0
    if not _MIN_YEAR <= year <= _MAX_YEAR:
        raise InputError(name, value.isoformat(), f"must lie in the years {_MIN_YEAR}-{_MAX_YEAR}")


def check_key(key: object, field: str = "key") -> str:
    """A placement key: 1-200 printable characters (it is shown in messages and errors)."""
    if not isinstance(key, str):
        raise InputError(field, repr(key)[:64], "must be a string")
    if not (0 < len(key) <= 200) or any(ord(c) < 32 or ord(c) == 127 for c in key):
        raise InputError(field, key[:200], "must be 1-200 printable characters")
    return key


def _check_now(now: dt.datetime, lease: dt.timedelta) -> None:
    _check_instant("now", now)
    if not isinstance(lease, dt.timedelta) or lease <= dt.timedelta(0):
        raise InputError("lease", str(lease), "must be a positive timedelta")
    try:
        _check_instant("now + lease", now + lease)
    except OverflowError:
        raise InputError("lease", str(lease), "runs past the year 2200") from None


def _placement(ledger: Ledger, key: str) -> Placement:
    return Placement(key, tuple(ledger.holds(key=key)))


def _release_target(h: Hold, reason: str) -> HoldState:
    """Where a released row ends: ``failed`` when it never held the slot for a
    placement that failed; ``released`` otherwise (cancel, superseded, unwound)."""
    if reason in ("refused", "not_attempted", "not_found"):
        return "failed"
    return "failed" if h.state == "placing" and reason == "incomplete" else "released"


def _claim_release(
    tx: Tx, h: Hold, reason: str, lease_until: dt.datetime, now: dt.datetime, *, ours: bool = False
) -> Hold | None:
    """Claim ``h`` for release; returns the row to act on now, or ``None``.

    A row a live process owns (in flight, lease not run out, not ``ours``) is
    fenced off instead: it moves to ``releasing`` under *that process's* lease,
    so that process takes its own write back when it notices (or recovery does
    once the lease has run out). Acting on it now could race the owner's write.
    """
    if h.state == "releasing":  # already headed out; take it over only if abandoned
        if not ours and not _free(h, now):
            return None
        assert h.target is not None
        return tx.move(h, "releasing", h.reason, target=h.target, lease_until=lease_until)
    target = _release_target(h, reason)
    if h.state in IN_FLIGHT and not ours and not _free(h, now):
        assert h.lease_until is not None
        tx.move(h, "releasing", reason, target=target, lease_until=h.lease_until)
        return None
    return tx.move(h, "releasing", reason, target=target, lease_until=lease_until)


def _free(h: Hold, now: dt.datetime) -> bool:
    """``h`` is not owned by a live process: final, settled, or its lease ran out."""
    if h.state not in IN_FLIGHT:
        return True
    return h.lease_until is not None and h.lease_until <= now


def _drain(
    ledger: Ledger, gateway: CalendarGateway, rows: Sequence[Hold], now: dt.datetime, step: Step
) -> list[Hold]:
    """Tell the calendar about each claimed row and finish it; returns the rows the
    calendar failed (their lease is given up so that anyone may retry at once)."""
    stuck: list[Hold] = []
    for h in rows:
        where = f"{h.key}:{h.person}"
        to: HoldState
        try:
            if h.state == "confirming":
                gateway.confirm(h, now)
                op, to = "confirmed", "confirmed"
            else:
                gateway.release(h, now)
                op, to = "released", h.target or "released"
        except GatewayError:
            if not (h.state == "releasing" and _gone(gateway, h)):
                ledger.unlease(h, now)
                stuck.append(h)
                continue
            op, to = "released", h.target or "released"
        step(f"{op}-on-calendar:{where}")
        if not ledger.finish(h, to, now, h.reason):
            _overtaken(ledger, gateway, h, now)
        step(f"{op}-in-ledger:{where}")
    return stuck


def _gone(gateway: CalendarGateway, h: Hold) -> bool:
    """A release failed: is the block absent anyway (e.g. a refused write never landed)?"""
    try:
        return gateway.find(h) is None
    except GatewayError:
        return False


def _unwind(tx: Tx, key: str, now: dt.datetime, lease_until: dt.datetime) -> list[Hold]:
    """Claim for release every live row of an incomplete placement ``key``."""
    claimed = []
    for h in tx.holds(key=key):
        if h.state in ("placed", "placing", "releasing"):
            row = _claim_release(tx, h, "incomplete", lease_until, now)
            if row is not None:
                claimed.append(row)
    return claimed


# --------------------------------------------------------------------------- #
# operations
# --------------------------------------------------------------------------- #
def place_holds(
    ledger: Ledger,
    gateway: CalendarGateway,
    *,
    key: str,
    incident: str,
    people: Sequence[str],
    start: dt.datetime,
    end: dt.datetime,
    expires_at: dt.datetime,
    now: dt.datetime,
    roles: Sequence[tuple[str, str]] = (),
    needs: Sequence[Approval] = (),
    lease: dt.timedelta = DEFAULT_LEASE,
    step: Step = _nothing,
) -> Placement:
    """Hold ``[start, end)`` for every person, atomically across attendees.

    ``roles`` (``(role, person)`` pairs) and ``needs`` (the exceptions the slot
    needs, :attr:`Slot.approvals <bridge_sched.Slot.approvals>`) are recorded
    with the placement: :func:`confirm` refuses until every exception is
    covered by an approval recorded with :func:`approve`, and while one
    person fills two roles (bounded authority).

    ``key`` is the idempotency key: calling again with the same key and the
    same slot returns what the ledger holds and does not touch the calendar,
    except that it resumes holds a crashed process left ``placing`` once their
    lease has run out (placing is idempotent on every gateway).
    If one attendee's calendar refuses, the holds already placed are released
    and :attr:`Placement.failed` names who refused.

    Raises
    ------
    InputError
        A naive instant, ``end <= start``, ``expires_at <= now``, no people.
    PlacementConflict
        ``key`` is in the ledger for another slot or other attendees, or the
        incident's bridge is already confirmed.
    """
    for name, value in (("start", start), ("end", end), ("expires_at", expires_at)):
        _check_instant(name, value)
    _check_now(now, lease)
    check_key(key)
    if isinstance(people, str):
        raise InputError("people", people[:64], "must be a list of ids, not one string")
    if any(
        not isinstance(r, tuple | list)
        or len(r) != 2
        or not all(isinstance(x, str) and x for x in r)
        for r in roles
    ):
        raise InputError("roles", repr(list(roles))[:64], "must be (role, person) pairs of ids")
    roles = [(str(r), str(p)) for r, p in roles]
    if any(not isinstance(a, Approval) for a in needs):
        raise InputError(
            "needs", repr(list(needs))[:64], "must be Approval objects (Slot.approvals)"
        )
    if end <= start:
        raise InputError("end", end.isoformat(), f"must be after start {start.isoformat()}")
    if expires_at <= now:
        raise InputError(
            "expires_at", expires_at.isoformat(), f"must be after now {now.isoformat()}"
        )
    if not people:
        raise InputError("people", "[]", "a placement needs at least one attendee")
    for field, ident in (("incident", incident), *(("people", p) for p in people)):
        if not is_identifier(ident):
            raise InputError(
                field, str(ident), "must be an id: letters, digits and _.:@- (max 128)"
            )
    wanted = [
        Hold(
            id=hold_id(key, person),
            key=key,
            incident=incident,
            person=person,
            start=start,
            end=end,
            expires_at=expires_at,
            state="placing",
        )
        for person in sorted(set(people))
    ]
    lease_until = now + lease
    with ledger.transaction(now) as tx:
        existing = tx.holds(key=key)
        if existing:
            _same_placement(key, existing, wanted)
            recorded = ledger.placement(key)
            if recorded is not None:
                pairs = sorted(roles) if roles else [("attendee", h.person) for h in wanted]
                differ = [
                    name
                    for name, same in (
                        ("roles", recorded[0] == pairs),
                        ("needs", recorded[1] == _needs_json(needs)),
                    )
                    if not same
                ]
                if differ:
                    raise PlacementConflict(
                        "key",
                        key,
                        f"already used for another placement (differs in {', '.join(differ)}); "
                        "a placement key names one slot, its roles and the exceptions it needs",
                    )
            # a retry resumes what a crashed process left in flight (lease run out)
            claimed = [
                tx.move(h, "placing", h.reason, lease_until=lease_until)
                for h in existing
                if h.state == "placing" and _free(h, now)
            ]
            if not claimed:
                return Placement(key, tuple(existing))
        else:
            taken = [
                h for h in tx.holds(incident=incident) if h.state in ("confirming", "confirmed")
            ]
            if taken:
                raise PlacementConflict(
                    "incident",
                    incident,
                    f"the bridge is already confirmed on {taken[0].key}; release it first",
                )
            pairs = sorted(roles) if roles else [("attendee", h.person) for h in wanted]
            if sorted({p for _r, p in pairs}) != [h.person for h in wanted]:
                raise InputError(
                    "roles", str(pairs), "must name exactly the people of the placement"
                )
            tx.insert_placement(key, incident, pairs, _needs_json(needs))
            claimed = [tx.insert(h, lease_until) for h in wanted]
    step("intents")
    for h in claimed:
        where = f"{key}:{h.person}"
        try:
            ref = gateway.place(h, now)
        except GatewayError:
            step(f"refused:{where}")
            _abandon(
                ledger, gateway, h, now, lease_until, step, {(c.id, c.attempt) for c in claimed}
            )
            break
        step(f"placed-on-calendar:{where}")
        if not ledger.finish(h, "placed", now, "accepted", ref=ref):
            # fenced off (a cancel, a confirmation of another slot, or recovery after our
            # lease): take back this write and settle the rows we had not reached
            rest = claimed[claimed.index(h) :]
            for r in rest:
                _overtaken(ledger, gateway, r, now)
            break
        step(f"placed-in-ledger:{where}")
    return _placement(ledger, key)


def _needs_json(needs: Sequence[Approval]) -> str:
    return json.dumps(
        [a.model_dump(mode="json") for a in needs], sort_keys=True, separators=(",", ":")
    )


def _same_placement(key: str, existing: Sequence[Hold], wanted: Sequence[Hold]) -> None:
    have = (
        sorted(h.person for h in existing),
        existing[0].incident,
        existing[0].start,
        existing[0].end,
        existing[0].expires_at,
    )
    want = (
        [h.person for h in wanted],
        wanted[0].incident,
        wanted[0].start,
        wanted[0].end,
        wanted[0].expires_at,
    )
    if have != want:
        names = ("attendees", "incident", "start", "end", "expires_at")
        differ = [n for n, a, b in zip(names, have, want, strict=True) if a != b]
        raise PlacementConflict(
            "key",
            key,
            f"already used for another placement (differs in {', '.join(differ)}); "
            "a placement key names one slot for one set of attendees",
        )


def _abandon(
    ledger: Ledger,
    gateway: CalendarGateway,
    refused: Hold,
    now: dt.datetime,
    lease_until: dt.datetime,
    step: Step,
    mine: set[tuple[str, int]],
) -> None:
    """One attendee refused: in one transaction mark it and claim the rest for release."""
    with ledger.transaction(now) as tx:
        rows = tx.holds(key=refused.key)
        me = next(h for h in rows if h.id == refused.id)
        if me.attempt != refused.attempt or me.state != "placing":
            return  # overtaken: whoever took over settles the placement
        claimed = [_claim_release(tx, me, "refused", lease_until, now, ours=True)]
        for h in rows:
            if h.id != refused.id and h.state in ("placing", "placed"):
                reason = "not_attempted" if h.state == "placing" else "incomplete"
                ours = h.state == "placing" and (h.id, h.attempt) in mine
                claimed.append(_claim_release(tx, h, reason, lease_until, now, ours=ours))
    # a refused write may still have landed (a timeout after the server stored it):
    # release is idempotent, so releasing the refused hold too leaves nothing behind
    _drain(ledger, gateway, [h for h in claimed if h is not None], now, step)


def _overtaken(ledger: Ledger, gateway: CalendarGateway, h: Hold, now: dt.datetime) -> None:
    """Someone took ``h`` over after our calendar call (a cancel or a confirmation of
    another slot fenced us off, or recovery after our lease ran out): if the row is
    headed out, take our write back and finish it; if they found it, it is theirs."""
    current = ledger.get(h.id)
    if current.state not in ("releasing", *FINAL):
        return
    try:
        gateway.release(h, now)
    except GatewayError:
        # a releasing row is retried by recovery; a final one cannot be: say so
        _log.warning(
            "hold %s of %s: overtaken write could not be taken back (row %s)",
            h.id,
            h.person,
            current.state,
        )
        return
    if current.state == "releasing" and current.target is not None:
        ledger.finish(current, current.target, now, current.reason)


def confirm(
    ledger: Ledger,
    gateway: CalendarGateway,
    key: str,
    now: dt.datetime,
    *,
    lease: dt.timedelta = DEFAULT_LEASE,
    step: Step = _nothing,
) -> Placement:
    """Confirm a complete, unexpired placement and release the incident's other holds.

    The decision (this slot confirmed, every other slot of the incident
    released) is one transaction; the calendar follows. A calendar that fails
    a confirmation leaves that hold ``confirming`` (see
    :attr:`Placement.pending`); calling ``confirm`` again, or :func:`recover`,
    finishes it. Confirming a confirmed placement again does nothing.

    Raises
    ------
    PlacementConflict
        No such key; the placement is not complete (failed, released, expired
        or still being placed); its holds are past ``expires_at``; or the
        incident is already confirmed on another slot.
    AuthorityError
        The slot needs an exception no recorded approval covers, or one person
        fills two roles (bounded authority); nothing is confirmed.
    """
    check_key(key)
    _check_now(now, lease)
    lease_until = now + lease
    with ledger.transaction(now) as tx:
        mine = tx.holds(key=key)
        if not mine:
            raise PlacementConflict("key", key, "no placement with this key in the ledger")
        incident = mine[0].incident
        taken = [
            h
            for h in tx.holds(incident=incident, states=["confirming", "confirmed"])
            if h.key != key
        ]
        if taken:
            raise PlacementConflict(
                "key",
                key,
                f"incident {incident} is already confirmed on {taken[0].key}; release it first",
            )
        blocked = [h for h in mine if h.state not in ("placed", "confirming", "confirmed")]
        if blocked and all(h.state == "placing" and not _free(h, now) for h in blocked):
            return Placement(key, tuple(mine))  # still being placed: in progress
        if blocked:
            status = Placement(key, tuple(mine)).status
            raise PlacementConflict(
                "key",
                key,
                f"placement is {status}, not held: "
                + ", ".join(f"{h.person} {h.state} ({h.reason})" for h in blocked),
            )
        if any(h.state == "placed" for h in mine) and mine[0].start <= now:
            raise PlacementConflict(
                "key",
                key,
                f"the slot started at {mine[0].start.isoformat()}; a bridge cannot be "
                "confirmed after its start",
            )
        late = [h for h in mine if h.state == "placed" and h.expires_at <= now]
        if late:
            raise PlacementConflict(
                "key",
                key,
                f"the holds expired at {late[0].expires_at.isoformat()}; place the slot again",
            )
        _authorize(ledger, key, now)
        claimed = [
            tx.move(h, "confirming", "confirmed", lease_until=lease_until)
            for h in mine
            if h.state == "placed" or (h.state == "confirming" and _free(h, now))
        ]
        for h in tx.holds(incident=incident):
            if h.key != key and h.state in ("placing", "placed", "releasing"):
                row = _claim_release(tx, h, "superseded", lease_until, now)
                if row is not None:
                    claimed.append(row)
    step("confirm-claimed")
    _drain(ledger, gateway, claimed, now, step)
    return _placement(ledger, key)


def _authorize(ledger: Ledger, key: str, now: dt.datetime) -> None:
    meta = ledger.placement(key)
    if meta is None:
        return
    roles, needs = meta
    check_authority(
        [Approval.model_validate(d) for d in json.loads(needs)],
        [person for _role, person in roles],
        [ApprovalGrant.model_validate_json(g) for g in ledger.approvals(key, until=now)],
        now,
        f"placement {key}",
    )


def approve(ledger: Ledger, key: str, grant: ApprovalGrant, now: dt.datetime) -> int:
    """Record ``grant`` for the placement ``key`` (durably); returns its number.

    :func:`confirm` accepts a placement whose slot needs exceptions only when
    the grants recorded here cover every one of them (see
    :func:`~bridge_sched.holds.invite.check_authority`).

    Raises
    ------
    PlacementConflict
        No placement with this key.
    """
    check_key(key)
    if not isinstance(grant, ApprovalGrant):
        raise InputError("grant", type(grant).__name__, "must be an ApprovalGrant")
    _check_now(now, DEFAULT_LEASE)
    if grant.at > now:
        raise InputError(
            "grant.at",
            grant.at.isoformat(),
            f"is after the time it is recorded ({now.isoformat()})",
        )
    if ledger.placement(key) is None:
        raise PlacementConflict("key", key, "no placement with this key in the ledger")
    return ledger.add_approval(key, grant.model_dump_json(), now)


def release(
    ledger: Ledger,
    gateway: CalendarGateway,
    key: str,
    now: dt.datetime,
    *,
    lease: dt.timedelta = DEFAULT_LEASE,
    step: Step = _nothing,
) -> Placement:
    """Release every live hold of a placement (cancel), confirmed ones included.

    A placement still being placed by another process is fenced off: that
    process finds its rows claimed and takes its own writes back.

    Raises
    ------
    PlacementConflict
        No placement with this key.
    """
    check_key(key)
    _check_now(now, lease)
    lease_until = now + lease
    with ledger.transaction(now) as tx:
        mine = tx.holds(key=key)
        if not mine:
            raise PlacementConflict("key", key, "no placement with this key in the ledger")
        claimed = [
            row
            for h in mine
            if h.state not in FINAL
            and (row := _claim_release(tx, h, "cancelled", lease_until, now)) is not None
        ]
    step("release-claimed")
    _drain(ledger, gateway, claimed, now, step)
    return _placement(ledger, key)


def recover(
    ledger: Ledger,
    gateway: CalendarGateway,
    now: dt.datetime,
    *,
    lease: dt.timedelta = DEFAULT_LEASE,
    step: Step = _nothing,
) -> list[str]:
    """Finish what crashed processes left in flight; returns the keys it touched.

    Only rows whose lease ran out (``lease_until <= now``) are taken over, so a
    live process is never disturbed. Safe to run at any time and concurrently.
    """
    return _recover(ledger, gateway, now, lease, step)[0]


def _recover(
    ledger: Ledger, gateway: CalendarGateway, now: dt.datetime, lease: dt.timedelta, step: Step
) -> tuple[list[str], list[Hold], list[Hold]]:
    """``recover``; also returns the rows the calendar failed and every row it finished."""
    _check_now(now, lease)
    lease_until = now + lease
    with ledger.transaction(now) as tx:
        taken = [
            tx.move(h, h.state, h.reason, target=h.target, lease_until=lease_until)
            for state in IN_FLIGHT
            for h in tx.holds(states=[state])
            if _free(h, now)
        ]
    step("recover-claimed")
    keys = sorted({h.key for h in taken})
    rest: list[Hold] = []
    stuck: list[Hold] = []
    for h in taken:
        if h.state != "placing":
            rest.append(h)
            continue
        try:
            ref = gateway.find(h)
        except GatewayError:
            ledger.unlease(h, now)
            stuck.append(h)
            continue
        if ref is not None:
            ledger.finish(h, "placed", now, "found", ref=ref)
            step(f"found-in-ledger:{h.key}:{h.person}")
            continue
        with ledger.transaction(now) as tx:
            current = next(r for r in tx.holds(key=h.key) if r.id == h.id)
            if current.attempt == h.attempt and current.state == "placing":
                rest.append(
                    tx.move(
                        current, "releasing", "not_found", target="failed", lease_until=lease_until
                    )
                )
    stuck += _drain(ledger, gateway, rest, now, step)
    # a placement with a failed attendee must not keep the others' holds
    with ledger.transaction(now) as tx:
        broken = sorted(
            {h.key for h in tx.holds(states=["failed"])}
            & {h.key for h in tx.holds(states=["placed", "placing"])}
        )
        unwind = [h for key in broken for h in _unwind(tx, key, now, lease_until)]
    stuck += _drain(ledger, gateway, unwind, now, step)
    return sorted({*keys, *broken}), stuck, [*taken, *unwind]


def sweep(
    ledger: Ledger,
    gateway: CalendarGateway,
    now: dt.datetime,
    *,
    lease: dt.timedelta = DEFAULT_LEASE,
    step: Step = _nothing,
) -> SweepReport:
    """Recover, then release every ``placed`` hold whose ``expires_at`` is not after ``now``.

    Confirmed holds never expire. Concurrent sweeps share the work: each row
    is claimed by exactly one of them.
    """
    recovered, stuck, finished = _recover(ledger, gateway, now, lease, step)
    lease_until = now + lease
    with ledger.transaction(now) as tx:
        claimed = [
            tx.move(h, "releasing", "expired", target="expired", lease_until=lease_until)
            for h in tx.holds(states=["placed"])
            if h.expires_at <= now
        ]
    step("sweep-claimed")
    stuck += _drain(ledger, gateway, claimed, now, step)
    stuck_ids = {h.id for h in stuck}
    done = sorted({h.id for h in [*finished, *claimed]} - stuck_ids)
    expired = [ledger.get(i) for i in done]
    return SweepReport(
        expired=tuple(
            sorted(
                (h for h in expired if h.state == "expired"),
                key=lambda h: (h.incident, h.start, h.person, h.id),
            )
        ),
        stuck=tuple(ledger.get(h.id) for h in stuck),
        recovered=tuple(recovered),
    )
