"""Place, confirm, release and expire holds: all attendees or none, and crash-safe.

Placement of one slot for its attendees:

1. the ledger records every hold as ``placing`` in one transaction (a second
   call with the same key - a retry or a racing process - stops here and
   returns what the ledger holds);
2. each hold goes to the calendar, then becomes ``placed`` with the
   calendar's reference;
3. if any attendee fails, the holds already placed are released and the
   rest marked ``failed``: the result names who failed.

A crash can stop this anywhere. :func:`recover` settles every ``placing`` hold
against the calendar (found -> ``placed``, missing -> ``failed``) and then
releases the placed holds of any placement that did not place everyone, so a
re-run always converges: no block on a calendar without a ledger row that
says ``placed``/``confirmed``, and no such row without a block.

:func:`sweep` releases every placed hold past ``expires_at`` (``now`` is an
input). ``step`` callbacks exist for fault-injection tests.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ..errors import InputError, NaiveDatetimeError
from .gateway import CalendarGateway, GatewayError
from .ledger import Hold, Ledger, hold_id

__all__ = ["Placement", "confirm", "place_holds", "recover", "release", "sweep"]

Step = Callable[[str], None]


def _nothing(_name: str) -> None:
    return None


_REFUSED = "calendar refused"
_MISSING = "recovered: not on the calendar"


@dataclass(frozen=True)
class Placement:
    """What a placement left: the holds (from the ledger), whose calendar refused,
    and who was not attempted because of it."""

    key: str
    holds: tuple[Hold, ...]
    failed: tuple[str, ...]
    skipped: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """Every attendee holds the slot."""
        return not self.failed and all(h.state in ("placed", "confirmed") for h in self.holds)


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
    step: Step = _nothing,
) -> Placement:
    """Hold ``[start, end)`` for every person, atomically across attendees (see module doc).

    Raises
    ------
    InputError
        A naive instant, ``end <= start``, ``expires_at <= now``, or no people.
    """
    for name, value in (("start", start), ("end", end), ("expires_at", expires_at), ("now", now)):
        if value.tzinfo is None or value.utcoffset() is None:
            raise NaiveDatetimeError(name, value.isoformat(), "needs a UTC offset")
    if end <= start:
        raise InputError("end", end.isoformat(), f"must be after start {start.isoformat()}")
    if expires_at <= now:
        raise InputError(
            "expires_at", expires_at.isoformat(), f"must be after now {now.isoformat()}"
        )
    if not people:
        raise InputError("people", "[]", "a placement needs at least one attendee")
    holds = [
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
    if not ledger.add_intents(holds, now):
        return _placement(ledger, key)
    step("intents")
    failed: list[str] = []
    for h in holds:
        try:
            ref = gateway.place(h, now)
        except GatewayError:
            failed.append(h.person)
            ledger.move(h.id, "failed", now, note=_REFUSED)
            break
        step(f"placed-on-calendar:{h.person}")
        ledger.move(h.id, "placed", now, ref=ref, note="calendar accepted")
        step(f"placed-in-ledger:{h.person}")
    if failed:
        _unwind(ledger, gateway, key, now, f"not attempted: {', '.join(failed)} failed", step)
    return _placement(ledger, key)


def _unwind(
    ledger: Ledger, gateway: CalendarGateway, key: str, now: dt.datetime, why: str, step: Step
) -> None:
    """Release the placed holds of ``key`` and fail the ones still ``placing``."""
    for h in ledger.holds(key=key):
        if h.state == "placed":
            gateway.release(h, now)
            step(f"released-on-calendar:{h.person}")
            ledger.move(h.id, "released", now, note=why)
        elif h.state in ("placing", "failed"):
            # a refused write may still have landed (e.g. a timeout after the server stored
            # it): release is idempotent, so make sure nothing stays on the calendar
            with contextlib.suppress(GatewayError):
                gateway.release(h, now)
            if h.state == "placing":
                ledger.move(h.id, "failed", now, note=why)


def _placement(ledger: Ledger, key: str) -> Placement:
    holds = tuple(ledger.holds(key=key))
    failed: list[str] = []
    skipped: list[str] = []
    for h in holds:
        if h.state == "failed":
            note = ledger.transitions(h.id)[-1].note
            (failed if note in (_REFUSED, _MISSING) else skipped).append(h.person)
    return Placement(key, holds, tuple(failed), tuple(skipped))


def recover(ledger: Ledger, gateway: CalendarGateway, now: dt.datetime) -> list[str]:
    """Settle what a crash interrupted; returns the keys it touched."""
    touched: set[str] = set()
    for h in ledger.holds(states=["placing"]):
        ref = gateway.find(h)
        if ref is not None:
            ledger.move(h.id, "placed", now, ref=ref, note="recovered: found on the calendar")
        else:
            ledger.move(h.id, "failed", now, note=_MISSING)
        touched.add(h.key)
    for key in sorted(touched):
        states = {h.state for h in ledger.holds(key=key)}
        if "failed" in states:
            _unwind(ledger, gateway, key, now, "recovered: placement incomplete", _nothing)
    return sorted(touched)


def release(ledger: Ledger, gateway: CalendarGateway, key: str, now: dt.datetime) -> Placement:
    """Release every placed or confirmed hold of a placement (cancel)."""
    for h in ledger.holds(key=key, states=["placed", "confirmed"]):
        gateway.release(h, now)
        ledger.move(h.id, "released", now, note="released")
    return _placement(ledger, key)


def confirm(ledger: Ledger, gateway: CalendarGateway, key: str, now: dt.datetime) -> Placement:
    """Confirm a complete placement and release every other hold of the same incident."""
    mine = ledger.holds(key=key)
    if not mine or any(h.state not in ("placed", "confirmed") for h in mine):
        raise ValueError(f"placement {key} is not complete; nothing confirmed")
    for h in mine:
        if h.state == "placed":
            gateway.confirm(h, now)
            ledger.move(h.id, "confirmed", now, note="confirmed")
    for h in ledger.holds(incident=mine[0].incident, states=["placed"]):
        if h.key != key:
            gateway.release(h, now)
            ledger.move(h.id, "released", now, note=f"another slot confirmed ({key})")
    return _placement(ledger, key)


def sweep(ledger: Ledger, gateway: CalendarGateway, now: dt.datetime) -> list[Hold]:
    """Release every placed hold whose ``expires_at`` is not after ``now``."""
    expired: list[Hold] = []
    for h in ledger.holds(states=["placed"]):
        if h.expires_at <= now:
            gateway.release(h, now)
            expired.append(ledger.move(h.id, "expired", now, note="expired"))
    return expired
