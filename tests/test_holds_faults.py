"""Holds under faults: a crash at every step, a calendar failing every call, real kills
and processes racing. After each, the invariants below must hold once recovery ran.

Invariants (``_invariants``):

* no row is left in flight (``placing``/``confirming``/``releasing``);
* the calendar holds a block exactly for each ``placed`` (tentative) or
  ``confirmed`` (confirmed) row - no orphan, no promise without a block;
* each placement is all or nothing: its live rows are all ``placed`` or all
  ``confirmed``, or it has none;
* an incident has at most one confirmed placement.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import multiprocessing
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from bridge_sched.holds import (
    DEFAULT_LEASE,
    GatewayError,
    Hold,
    IcsGateway,
    InMemoryGateway,
    Ledger,
    PlacementConflict,
    confirm,
    place_holds,
    recover,
    release,
    sweep,
)

UTC = dt.timezone.utc
NOW = dt.datetime(2027, 3, 16, 11, 40, tzinfo=UTC)
LATER = NOW + DEFAULT_LEASE  # a new process, after the crashed one's lease ran out
START = dt.datetime(2027, 3, 16, 15, 30, tzinfo=UTC)
SLA = dt.datetime(2027, 3, 16, 17, 30, tzinfo=UTC)
PEOPLE = ("csm-priya", "eng-dara", "ic-chen", "lead-kofi", "sup-amara")
A, B = "INC-4711/a", "INC-4711/b"


class Crash(BaseException):
    """A process dying at a step (BaseException: nothing in the library catches it)."""


def _crash_at(point: str) -> Callable[[str], None]:
    """A ``step`` callback that dies at ``point``."""

    def step(name: str) -> None:
        if name == point:
            raise Crash(name)

    return step


def _place(
    ledger: Ledger,
    gw: object,
    key: str,
    now: dt.datetime = NOW,
    expires: dt.datetime = SLA,
    **kw: object,
) -> object:
    offset = dt.timedelta(hours=1) if key == B else dt.timedelta(0)
    return place_holds(
        ledger,
        gw,  # type: ignore[arg-type]
        key=key,
        incident="INC-4711",
        people=PEOPLE,
        start=START + offset,
        end=START + offset + dt.timedelta(minutes=30),
        expires_at=expires,
        now=now,
        **kw,  # type: ignore[arg-type]
    )


def _calendar(ledger: Ledger, gw: object) -> dict[str, str]:
    """hold id -> 'tentative' | 'confirmed' for every block on the calendars."""
    if isinstance(gw, InMemoryGateway):
        return {i: status for i, (_p, status) in gw.blocks.items()}
    assert isinstance(gw, IcsGateway)
    out = {}
    for h in ledger.holds():
        state = gw._state(h.id, h.person)
        if state is not None and state[0] != "CANCELLED":
            out[h.id] = state[0].lower()
    return out


def _invariants(ledger: Ledger, gw: object) -> None:
    holds = ledger.holds()
    assert [h.id for h in holds if h.state in ("placing", "confirming", "releasing")] == []
    expected = {
        h.id: ("tentative" if h.state == "placed" else "confirmed")
        for h in holds
        if h.state in ("placed", "confirmed")
    }
    assert _calendar(ledger, gw) == expected
    for key in {h.key for h in holds}:
        live = {h.state for h in holds if h.key == key and h.state in ("placed", "confirmed")}
        everyone = [h for h in holds if h.key == key]
        assert live == set() or (len(live) == 1 and all(h.state in live for h in everyone)), key
    confirmed = {h.key for h in holds if h.state == "confirmed"}
    assert len(confirmed) <= 1


def _snapshot(ledger: Ledger, gw: object) -> tuple[object, ...]:
    return (
        tuple((h.key, h.person, h.state) for h in ledger.holds()),
        tuple(sorted(_calendar(ledger, gw).items())),
    )


# --------------------------------------------------------------------------- #
# scenarios: (setup, faulted operation), each a function of (ledger, gateway, now, step)
# --------------------------------------------------------------------------- #
Op = Callable[[Ledger, object, dt.datetime, Callable[[str], None]], object]


def _noop(_l: Ledger, _g: object) -> None:
    return None


def _setup_a(ledger: Ledger, gw: object) -> None:
    _place(ledger, gw, A)


def _setup_ab(ledger: Ledger, gw: object) -> None:
    _place(ledger, gw, A)
    _place(ledger, gw, B)


def _setup_confirmed(ledger: Ledger, gw: object) -> None:
    _place(ledger, gw, A)
    confirm(ledger, gw, A, NOW)  # type: ignore[arg-type]


def _setup_crashed(ledger: Ledger, gw: object) -> None:
    """A placement that died after three calendar writes (two recorded in the ledger)."""

    def step(name: str) -> None:
        if name == f"placed-on-calendar:{A}:ic-chen":
            raise Crash(name)

    with contextlib.suppress(Crash):
        _place(ledger, gw, A, step=step)


SCENARIOS: dict[str, tuple[Callable[[Ledger, object], None], Op, dt.datetime]] = {
    "place": (_noop, lambda lg, gw, now, st: _place(lg, gw, A, now, step=st), NOW),
    "confirm-a-release-b": (
        _setup_ab,
        lambda lg, gw, now, st: confirm(lg, gw, A, now, step=st),  # type: ignore[arg-type]
        NOW,
    ),
    "cancel-held": (
        _setup_a,
        lambda lg, gw, now, st: release(lg, gw, A, now, step=st),  # type: ignore[arg-type]
        NOW,
    ),
    "cancel-confirmed": (
        _setup_confirmed,
        lambda lg, gw, now, st: release(lg, gw, A, now, step=st),  # type: ignore[arg-type]
        NOW,
    ),
    "sweep-at-sla": (
        _setup_ab,
        lambda lg, gw, now, st: sweep(lg, gw, now, step=st),  # type: ignore[arg-type]
        SLA,
    ),
    # recovery itself crashing, and being recovered
    "recover-a-crashed-placement": (
        _setup_crashed,
        lambda lg, gw, now, st: recover(lg, gw, now, step=st),  # type: ignore[arg-type]
        LATER,
    ),
}


def _steps(name: str) -> list[str]:
    setup, op, now = SCENARIOS[name]
    ledger, gw = Ledger(":memory:"), InMemoryGateway()
    setup(ledger, gw)
    seen: list[str] = []
    op(ledger, gw, now, seen.append)
    return seen


CRASH_POINTS = [(name, step) for name in SCENARIOS for step in _steps(name)]


def test_every_scenario_has_its_steps() -> None:
    counts = {name: len(_steps(name)) for name in SCENARIOS}
    # place: intents + 2 per attendee; confirm: claim + 2 per confirm + 2 per release;
    # cancel: claim + 2 per attendee; sweep: 2 claims + 2 per expired hold; recover:
    # claim + 1 found + 2 per hold not found + 2 per hold unwound
    assert counts == {
        "place": 11,
        "confirm-a-release-b": 21,
        "cancel-held": 11,
        "cancel-confirmed": 11,
        "sweep-at-sla": 22,
        "recover-a-crashed-placement": 12,
    }


def _outcome_without_fault(name: str) -> tuple[object, ...]:
    setup, op, now = SCENARIOS[name]
    ledger, gw = Ledger(":memory:"), InMemoryGateway()
    setup(ledger, gw)
    op(ledger, gw, now, lambda _s: None)
    return _snapshot(ledger, gw)


def _outcome_of_setup(name: str) -> tuple[object, ...]:
    setup, _op, _now = SCENARIOS[name]
    ledger, gw = Ledger(":memory:"), InMemoryGateway()
    setup(ledger, gw)
    return _snapshot(ledger, gw)


@pytest.mark.parametrize(("scenario", "crash_at"), CRASH_POINTS)
def test_crash_then_recover_converges(tmp_path: Path, scenario: str, crash_at: str) -> None:
    setup, op, now = SCENARIOS[scenario]
    path = tmp_path / "l.db"
    ledger, gw = Ledger(path), InMemoryGateway()
    setup(ledger, gw)

    with pytest.raises(Crash):
        op(ledger, gw, now, _crash_at(crash_at))
    ledger.close()
    ledger = Ledger(path)  # a new process opens the same file
    # a recovery inside the crashed process's lease does not touch its rows
    if scenario != "recover-a-crashed-placement":  # (that one has unwinding left to do)
        before = _snapshot(ledger, gw)
        recover(ledger, gw, now)  # type: ignore[arg-type]
        assert _snapshot(ledger, gw) == before
    recover(ledger, gw, now + DEFAULT_LEASE)  # type: ignore[arg-type]
    _invariants(ledger, gw)
    if scenario != "place":
        # confirm, cancel and sweep decide before they act: recovery rolls a decision
        # forward; a crash before the decision leaves things as they were
        steps = _steps(scenario)
        decided = scenario.startswith("recover") or steps.index(crash_at) >= next(
            i for i, s in enumerate(steps) if s.endswith("-claimed") and s != "recover-claimed"
        )
        assert _snapshot(ledger, gw) == (
            _outcome_without_fault(scenario) if decided else _outcome_of_setup(scenario)
        )
    # recovery is idempotent
    settled = _snapshot(ledger, gw)
    recover(ledger, gw, now + 2 * DEFAULT_LEASE)  # type: ignore[arg-type]
    assert _snapshot(ledger, gw) == settled


@pytest.mark.parametrize(("scenario", "crash_at"), CRASH_POINTS)
def test_crash_then_rerun_reaches_the_unfaulted_outcome(
    tmp_path: Path, scenario: str, crash_at: str
) -> None:
    setup, op, now = SCENARIOS[scenario]
    ledger, gw = Ledger(tmp_path / "l.db"), InMemoryGateway()
    setup(ledger, gw)

    with pytest.raises(Crash):
        op(ledger, gw, now, _crash_at(crash_at))
    # the caller retries the same operation once the lease ran out
    op(ledger, gw, now + DEFAULT_LEASE, lambda _s: None)
    recover(ledger, gw, now + 2 * DEFAULT_LEASE)  # type: ignore[arg-type]
    _invariants(ledger, gw)
    assert _snapshot(ledger, gw) == _outcome_without_fault(scenario)


def test_crash_after_intents_then_recover_fails_the_placement(tmp_path: Path) -> None:
    ledger, gw = Ledger(tmp_path / "l.db"), InMemoryGateway()

    def step(name: str) -> None:
        if name == f"placed-on-calendar:{A}:ic-chen":
            raise Crash(name)

    with pytest.raises(Crash):
        _place(ledger, gw, A, step=step)
    assert sorted(p for p, _s in gw.blocks.values()) == ["csm-priya", "eng-dara", "ic-chen"]
    assert recover(ledger, gw, LATER) == [A]
    reasons = {h.person: (h.state, h.reason) for h in ledger.holds(key=A)}
    assert reasons == {
        "csm-priya": ("released", "incomplete"),
        "eng-dara": ("released", "incomplete"),
        "ic-chen": ("released", "incomplete"),  # found on the calendar, then unwound
        "lead-kofi": ("failed", "not_found"),
        "sup-amara": ("failed", "not_found"),
    }
    assert gw.blocks == {}


# --------------------------------------------------------------------------- #
# the calendar fails (before or after the write landed) at every call
# --------------------------------------------------------------------------- #
class FlakyGateway(InMemoryGateway):
    """Raises GatewayError at call number ``at`` (counted over place/release/confirm);
    with ``landed`` the call takes effect first (a timeout after the server stored it)."""

    def __init__(self, at: int, landed: bool) -> None:
        super().__init__()
        self.at, self.landed, self.n = at, landed, 0

    def _maybe(self, do: Callable[[], object]) -> object:
        self.n += 1
        if self.n != self.at:
            return do()
        if self.landed:
            do()
        raise GatewayError("injected calendar failure")

    def place(self, hold: Hold, now: dt.datetime) -> str:
        return str(self._maybe(lambda: InMemoryGateway.place(self, hold, now)))

    def release(self, hold: Hold, now: dt.datetime) -> None:
        self._maybe(lambda: InMemoryGateway.release(self, hold, now))

    def confirm(self, hold: Hold, now: dt.datetime) -> None:
        self._maybe(lambda: InMemoryGateway.confirm(self, hold, now))


def _calls(name: str) -> int:
    setup, op, now = SCENARIOS[name]
    ledger, gw = Ledger(":memory:"), InMemoryGateway()
    setup(ledger, gw)
    before = len(gw.calls)
    op(ledger, gw, now, lambda _s: None)
    return len(gw.calls) - before


FAILURE_POINTS = [
    (name, n, landed)
    for name in SCENARIOS
    for n in range(1, _calls(name) + 1)
    for landed in (False, True)
]


@pytest.mark.parametrize(("scenario", "call", "landed"), FAILURE_POINTS)
def test_a_calendar_failure_at_every_call_settles(
    tmp_path: Path, scenario: str, call: int, landed: bool
) -> None:
    setup, op, now = SCENARIOS[scenario]
    ledger, gw = Ledger(tmp_path / "l.db"), FlakyGateway(at=0, landed=landed)
    setup(ledger, gw)
    gw.at, gw.n = call, 0
    op(ledger, gw, now, lambda _s: None)  # a calendar failure is never an exception
    # the calendar comes back; the next sweep/recovery settles everything
    recover(ledger, gw, now + DEFAULT_LEASE)  # type: ignore[arg-type]
    _invariants(ledger, gw)
    if scenario == "place":
        status = {h.state for h in ledger.holds()}
        assert status in ({"placed"}, {"released", "failed"}, {"failed"})
        refused = [h.person for h in ledger.holds() if h.reason == "refused"]
        assert refused == [PEOPLE[call - 1]]  # whoever the calendar refused is named
    else:
        assert _snapshot(ledger, gw) == _outcome_without_fault(scenario)


def test_a_failing_release_does_not_stop_the_sweep(tmp_path: Path) -> None:
    ledger, gw = Ledger(tmp_path / "l.db"), InMemoryGateway()
    _place(ledger, gw, A)
    gw.fail_release = {"ic-chen"}
    report = sweep(ledger, gw, SLA)  # type: ignore[arg-type]
    assert [h.person for h in report.expired] == [p for p in PEOPLE if p != "ic-chen"]
    assert [(h.person, h.state, h.target) for h in report.stuck] == [
        ("ic-chen", "releasing", "expired")
    ]
    assert [p for p, _s in gw.blocks.values()] == ["ic-chen"]
    # the stuck row gave up its lease: the next sweep retries at once
    again = sweep(ledger, gw, SLA)  # type: ignore[arg-type]
    assert again.expired == () and [h.person for h in again.stuck] == ["ic-chen"]
    gw.fail_release = set()
    last = sweep(ledger, gw, SLA + dt.timedelta(minutes=1))  # type: ignore[arg-type]
    assert [h.person for h in last.expired] == ["ic-chen"]
    _invariants(ledger, gw)


def test_a_failing_confirm_is_retried_by_confirm(tmp_path: Path) -> None:
    ledger, gw = Ledger(tmp_path / "l.db"), InMemoryGateway()
    _place(ledger, gw, A)
    gw.fail_confirm = {"eng-dara"}
    first = confirm(ledger, gw, A, NOW)  # type: ignore[arg-type]
    assert first.status == "in_progress"
    assert [(h.person, h.state) for h in first.pending] == [("eng-dara", "confirming")]
    gw.fail_confirm = set()
    assert confirm(ledger, gw, A, NOW).status == "confirmed"  # type: ignore[arg-type]
    _invariants(ledger, gw)


# --------------------------------------------------------------------------- #
# interleavings inside one process (deterministic races)
# --------------------------------------------------------------------------- #
def test_recovery_does_not_overtake_a_live_placement(tmp_path: Path) -> None:
    ledger, gw = Ledger(tmp_path / "l.db"), InMemoryGateway()
    other = Ledger(tmp_path / "l.db")  # a second process

    def step(name: str) -> None:
        if name == f"placed-in-ledger:{A}:eng-dara":
            assert recover(other, gw, NOW + dt.timedelta(minutes=4)) == []  # type: ignore[arg-type]

    assert _place(ledger, gw, A, step=step).status == "held"  # type: ignore[attr-defined]
    _invariants(ledger, gw)


def test_an_overtaken_placement_takes_back_its_write(tmp_path: Path) -> None:
    """A process stalls past its lease; recovery finds nothing and fails the row; the
    stalled write then lands: the process notices it lost the row and removes it."""
    ledger, gw = Ledger(tmp_path / "l.db"), InMemoryGateway()
    other = Ledger(tmp_path / "l.db")

    class Stalling(InMemoryGateway):
        def place(self, hold: Hold, now: dt.datetime) -> str:
            if hold.person == "ic-chen":
                recover(other, gw, LATER)  # type: ignore[arg-type]  # the stall
            return gw.place(hold, now)

        def release(self, hold: Hold, now: dt.datetime) -> None:
            gw.release(hold, now)

        def find(self, hold: Hold) -> str | None:
            return gw.find(hold)

    placement = _place(ledger, Stalling(), A)
    assert placement.status == "failed"  # type: ignore[attr-defined]
    assert {h.person: h.reason for h in ledger.holds(key=A)}["ic-chen"] == "not_found"
    assert gw.blocks == {}
    _invariants(ledger, gw)


def test_confirm_and_sweep_claim_rows_exactly_once(tmp_path: Path) -> None:
    ledger, gw = Ledger(tmp_path / "l.db"), InMemoryGateway()
    _place(ledger, gw, A)
    before_start = START - dt.timedelta(minutes=1)
    other = Ledger(tmp_path / "l.db")

    def during_confirm(name: str) -> None:
        if name == "confirm-claimed":
            # the sweep runs while the confirmation is talking to the calendar
            report = sweep(other, gw, SLA)  # type: ignore[arg-type]
            assert report.expired == () and report.stuck == ()

    assert confirm(ledger, gw, A, before_start, step=during_confirm).status == "confirmed"  # type: ignore[arg-type]
    _invariants(ledger, gw)

    # the other order: the sweep claimed first, the confirmation is refused
    ledger2, gw2 = Ledger(tmp_path / "m.db"), InMemoryGateway()
    _place(ledger2, gw2, A)
    other2 = Ledger(tmp_path / "m.db")

    def during_sweep(name: str) -> None:
        if name == "sweep-claimed":
            with pytest.raises(PlacementConflict, match="not held"):
                confirm(other2, gw2, A, before_start)  # type: ignore[arg-type]

    assert len(sweep(ledger2, gw2, SLA, step=during_sweep).expired) == len(PEOPLE)  # type: ignore[arg-type]
    _invariants(ledger2, gw2)


def test_cancel_fences_off_a_placement_in_progress(tmp_path: Path) -> None:
    ledger, gw = Ledger(tmp_path / "l.db"), InMemoryGateway()
    other = Ledger(tmp_path / "l.db")

    def step(name: str) -> None:
        if name == f"placed-on-calendar:{A}:eng-dara":
            # the placer is alive (inside its lease): the cancel fences it off and leaves
            # its rows to it, rather than racing its calendar writes
            cancelled = release(other, gw, A, NOW)  # type: ignore[arg-type]
            assert cancelled.status == "in_progress"
            assert {h.state for h in cancelled.holds} == {"released", "releasing"}

    placement = _place(ledger, gw, A, step=step)
    assert placement.status == "released"  # type: ignore[attr-defined]
    assert {h.reason for h in ledger.holds(key=A)} == {"cancelled"}
    assert gw.blocks == {}
    _invariants(ledger, gw)


def test_confirm_guards(tmp_path: Path) -> None:
    ledger, gw = Ledger(tmp_path / "l.db"), InMemoryGateway()
    _place(ledger, gw, A)
    _place(ledger, gw, B)
    with pytest.raises(PlacementConflict, match="the slot started at 2027-03-16T15:30"):
        confirm(ledger, gw, A, START)  # type: ignore[arg-type]
    short = place_holds(
        ledger,
        gw,
        key="INC-4711/short",
        incident="INC-4711",
        people=PEOPLE,
        start=START,
        end=START + dt.timedelta(minutes=30),
        expires_at=NOW + dt.timedelta(minutes=30),
        now=NOW,
    )
    assert short.ok
    with pytest.raises(PlacementConflict, match="expired at 2027-03-16T12:10"):
        confirm(ledger, gw, "INC-4711/short", NOW + dt.timedelta(minutes=30))  # type: ignore[arg-type]
    release(ledger, gw, "INC-4711/short", NOW)  # type: ignore[arg-type]
    with pytest.raises(PlacementConflict, match="no placement"):
        confirm(ledger, gw, "INC-4711/zz", NOW)  # type: ignore[arg-type]
    confirm(ledger, gw, A, NOW)  # type: ignore[arg-type]
    assert confirm(ledger, gw, A, NOW).status == "confirmed"  # type: ignore[arg-type] # idempotent
    with pytest.raises(PlacementConflict, match="already confirmed on INC-4711/a"):
        confirm(ledger, gw, B, NOW)  # type: ignore[arg-type]
    with pytest.raises(PlacementConflict, match="already confirmed on INC-4711/a"):
        _place(ledger, gw, "INC-4711/c")
    with pytest.raises(PlacementConflict, match="differs in start, end"):
        place_holds(
            ledger,
            gw,
            key=A,
            incident="INC-4711",
            people=PEOPLE,
            start=START + dt.timedelta(hours=2),
            end=START + dt.timedelta(hours=3),
            expires_at=SLA,
            now=NOW,
        )
    _invariants(ledger, gw)


# --------------------------------------------------------------------------- #
# real processes: SIGKILL at a step, and races
# --------------------------------------------------------------------------- #
_CHILD = r"""
import datetime as dt, os, signal, sys
PEOPLE = ("csm-priya", "eng-dara", "ic-chen", "lead-kofi", "sup-amara")
from bridge_sched.holds import IcsGateway, Ledger, confirm, place_holds
UTC = dt.timezone.utc
now = dt.datetime(2027, 3, 16, 11, 40, tzinfo=UTC)
start = dt.datetime(2027, 3, 16, 15, 30, tzinfo=UTC)
op, kill_at, db, cal = sys.argv[1:5]
def step(name):
    if name == kill_at:
        os.kill(os.getpid(), signal.SIGKILL)
ledger, gw = Ledger(db), IcsGateway(cal)
if op == "place":
    place_holds(ledger, gw, key="INC-4711/a", incident="INC-4711",
                people=PEOPLE, start=start, end=start + dt.timedelta(minutes=30),
                expires_at=dt.datetime(2027, 3, 16, 17, 30, tzinfo=UTC), now=now, step=step)
else:
    confirm(ledger, gw, "INC-4711/a", now, step=step)
"""

KILL_POINTS = [
    ("place", "intents"),
    ("place", f"placed-on-calendar:{A}:eng-dara"),
    ("place", f"placed-in-ledger:{A}:lead-kofi"),
    ("place", f"placed-on-calendar:{A}:sup-amara"),
    ("confirm", "confirm-claimed"),
    ("confirm", f"confirmed-on-calendar:{A}:ic-chen"),
]


@pytest.mark.parametrize(("op", "kill_at"), KILL_POINTS)
def test_sigkill_at_a_step_then_recover(tmp_path: Path, op: str, kill_at: str) -> None:
    db, cal = tmp_path / "l.db", tmp_path / "cal"
    gw = IcsGateway(cal)
    if op == "confirm":
        _place(Ledger(db), gw, A)
    proc = subprocess.run(
        [sys.executable, "-c", _CHILD, op, kill_at, str(db), str(cal)],
        capture_output=True,
        timeout=120,
    )
    assert proc.returncode == -signal.SIGKILL, proc.stderr.decode()[-2000:]
    ledger = Ledger(db)
    assert ledger.holds(states=["placing", "confirming"])  # the kill left work in flight
    recover(ledger, gw, LATER)
    _invariants(ledger, gw)
    states = {h.state for h in ledger.holds()}
    if op == "confirm":
        assert states == {"confirmed"}
    elif kill_at == "intents":
        assert states == {"failed"}
    # no temporary file is left behind either
    assert [p.name for p in cal.rglob("*.tmp")] == []


def _race_worker(args: tuple[str, str, str, str]) -> str:
    op, db, cal, when = args
    ledger, gw = Ledger(db), IcsGateway(cal)
    now = dt.datetime.fromisoformat(when)
    try:
        if op.startswith("place"):
            result = _place(ledger, gw, A if op == "place-a" else B, now)
            return f"{op}:{result.status}"  # type: ignore[attr-defined]
        if op.startswith("confirm"):
            key = A if op == "confirm-a" else B
            return f"{op}:{confirm(ledger, gw, key, now).status}"
        if op == "cancel":
            return f"cancel:{release(ledger, gw, A, now).status}"
        report = sweep(ledger, gw, now)
        return f"sweep:{len(report.expired)}"
    except PlacementConflict as exc:
        return f"{op}:conflict:{exc.field}"


def _race(tmp_path: Path, ops: list[str], when: list[dt.datetime]) -> list[str]:
    db, cal = str(tmp_path / "l.db"), str(tmp_path / "cal")
    Ledger(db).close()
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(len(ops)) as pool:
        return sorted(
            pool.map(
                _race_worker,
                [(op, db, cal, w.isoformat()) for op, w in zip(ops, when, strict=True)],
            )
        )


def test_two_processes_place_the_same_key(tmp_path: Path) -> None:
    outcome = _race(tmp_path, ["place-a", "place-a"], [NOW, NOW])
    assert outcome in (["place-a:held", "place-a:held"], ["place-a:held", "place-a:in_progress"])
    ledger, gw = Ledger(tmp_path / "l.db"), IcsGateway(tmp_path / "cal")
    _invariants(ledger, gw)
    holds = ledger.holds(key=A)
    assert [h.state for h in holds] == ["placed"] * len(PEOPLE)
    # exactly one process placed each hold: placing, placed
    assert {len(ledger.transitions(h.id)) for h in holds} == {2}


def test_two_processes_confirm_different_slots(tmp_path: Path) -> None:
    db, cal = tmp_path / "l.db", tmp_path / "cal"
    ledger, gw = Ledger(db), IcsGateway(cal)
    _place(ledger, gw, A)
    _place(ledger, gw, B)
    outcome = _race(tmp_path, ["confirm-a", "confirm-b"], [NOW, NOW])
    assert outcome in (
        ["confirm-a:confirmed", "confirm-b:conflict:key"],
        ["confirm-a:conflict:key", "confirm-b:confirmed"],
    )
    _invariants(ledger, gw)
    assert len({h.key for h in ledger.holds(states=["confirmed"])}) == 1


def test_confirm_races_sweep_and_sweep_races_sweep(tmp_path: Path) -> None:
    db, cal = tmp_path / "l.db", tmp_path / "cal"
    ledger, gw = Ledger(db), IcsGateway(cal)
    # the holds expire at E; the confirmation runs one second before E, the sweeps at E
    # (processes racing at the same moment see nearly the same now)
    expiry = NOW + dt.timedelta(minutes=30)
    _place(ledger, gw, A, expires=expiry)
    _place(ledger, gw, B, expires=expiry)
    just_before = expiry - dt.timedelta(seconds=1)
    outcome = _race(tmp_path, ["confirm-a", "sweep", "sweep"], [just_before, expiry, expiry])
    _invariants(ledger, gw)
    swept = sum(int(o.split(":")[1]) for o in outcome if o.startswith("sweep"))
    if "confirm-a:confirmed" in outcome:
        # B was superseded by the confirmation or expired by a sweep, never both
        assert swept in (0, len(PEOPLE))
        assert {h.state for h in ledger.holds(key=A)} == {"confirmed"}
    else:
        assert swept == 2 * len(PEOPLE)
    assert all(
        [t.to_state for t in ledger.transitions(h.id)].count("releasing") <= 1
        for h in ledger.holds()
    )


def test_place_races_cancel(tmp_path: Path) -> None:
    db, cal = tmp_path / "l.db", tmp_path / "cal"
    outcome = _race(tmp_path, ["place-a", "cancel"], [NOW, NOW])
    # the cancel came first (no placement yet), or after/during the placement
    assert outcome[0] in ("cancel:conflict:key", "cancel:released", "cancel:in_progress")
    ledger, gw = Ledger(db), IcsGateway(cal)
    recover(ledger, gw, LATER)
    _invariants(ledger, gw)
    if outcome[0] != "cancel:conflict:key":
        assert {h.state for h in ledger.holds()} <= {"released", "failed"}


# --------------------------------------------------------------------------- #
# property: any sequence of operations, crashes and calendar failures converges
# --------------------------------------------------------------------------- #
from hypothesis import HealthCheck, event, example, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_KEYS = (A, B, "INC-4711/c")
_SOME_KEY = st.sampled_from((A, A, B, "INC-4711/c"))
_OP = st.one_of(
    st.tuples(st.just("place"), _SOME_KEY),
    st.tuples(st.just("place"), _SOME_KEY),
    st.tuples(st.just("confirm"), _SOME_KEY),
    st.tuples(st.just("confirm"), _SOME_KEY),
    st.tuples(st.just("release"), _SOME_KEY),
    st.tuples(st.just("sweep"), st.just("")),
    st.tuples(st.just("recover"), st.just("")),
)


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    program=st.lists(
        st.tuples(
            _OP,
            st.integers(0, 45),  # minutes after the previous step
            st.one_of(st.none(), st.none(), st.integers(1, 12)),  # crash at step k, if any
            st.one_of(  # calendars failing
                st.just(frozenset()),
                st.just(frozenset()),
                st.frozensets(st.sampled_from(PEOPLE), min_size=1, max_size=2),
            ),
            st.sampled_from(["place", "release", "confirm"]),  # ... for this operation
        ),
        min_size=1,
        max_size=12,
    )
)
@example(
    program=[
        (("place", A), 0, None, frozenset(), "place"),
        (("place", B), 1, None, frozenset(), "place"),
        (("confirm", B), 1, 4, frozenset({"eng-dara"}), "release"),
        (("sweep", ""), 400, None, frozenset(), "place"),
    ]
)
def test_any_program_of_operations_converges(program: list[tuple[object, ...]]) -> None:
    ledger, gw = Ledger(":memory:"), InMemoryGateway()
    now = NOW
    for (op, key), minutes, crash_at, failing, which in program:  # type: ignore[misc]
        now = now + dt.timedelta(minutes=minutes)
        gw.fail, gw.fail_release, gw.fail_confirm = set(), set(), set()
        setattr(
            gw,
            {"place": "fail", "release": "fail_release", "confirm": "fail_confirm"}[which],
            set(failing),
        )
        seen: list[str] = []

        def step(name: str, crash_at: object = crash_at, seen: list[str] = seen) -> None:
            seen.append(name)
            if len(seen) == crash_at:
                raise Crash(name)

        offset = dt.timedelta(hours=_KEYS.index(key)) if key else dt.timedelta(0)
        try:
            if op == "place" and now < SLA:
                place_holds(
                    ledger,
                    gw,
                    key=str(key),
                    incident="INC-4711",
                    people=PEOPLE,
                    start=START + offset,
                    end=START + offset + dt.timedelta(minutes=30),
                    expires_at=SLA,
                    now=now,
                    step=step,
                )
            elif op == "confirm":
                confirm(ledger, gw, str(key), now, step=step)
            elif op == "release":
                release(ledger, gw, str(key), now, step=step)
            elif op == "sweep":
                sweep(ledger, gw, now, step=step)
            elif op == "recover":
                recover(ledger, gw, now, step=step)
        except (Crash, PlacementConflict):
            pass
    # the calendars come back; one recovery after the last lease settles everything
    gw.fail, gw.fail_release, gw.fail_confirm = set(), set(), set()
    recover(ledger, gw, now + DEFAULT_LEASE)
    _invariants(ledger, gw)
    for state in sorted({h.state for h in ledger.holds()}):
        event(f"a hold ends {state}")
    # and every transition the ledger recorded was an allowed one
    from bridge_sched.holds import TRANSITIONS

    for h in ledger.holds():
        moves = ledger.transitions(h.id)
        assert moves[0].from_state is None and moves[0].to_state == "placing"
        for t in moves[1:]:
            assert t.to_state in TRANSITIONS[str(t.from_state)]
        assert [t.attempt for t in moves] == sorted(t.attempt for t in moves)


@pytest.mark.parametrize("cancel_at", ["confirm-claimed", f"confirmed-on-calendar:{A}:eng-dara"])
def test_cancel_during_a_live_confirmation_leaves_no_block(tmp_path: Path, cancel_at: str) -> None:
    """The cancel fences the confirmation off; the confirming process takes back what it
    wrote after the fence (found in review: a CONFIRMED block used to stay behind)."""
    ledger, gw = Ledger(tmp_path / "l.db"), InMemoryGateway()
    _place(ledger, gw, A)
    other = Ledger(tmp_path / "l.db")

    def step(name: str) -> None:
        if name == cancel_at:
            assert release(other, gw, A, NOW).status == "in_progress"  # type: ignore[arg-type]

    assert confirm(ledger, gw, A, NOW, step=step).status == "released"  # type: ignore[arg-type]
    assert gw.blocks == {}
    assert {(h.state, h.reason) for h in ledger.holds()} == {("released", "cancelled")}
    _invariants(ledger, gw)


def test_cancel_during_a_placement_then_the_placer_dies(tmp_path: Path) -> None:
    """Found in review: the cancel used to release rows the placer was still writing; the
    placer then died after its write and left an orphan block. Now the cancel leaves those
    rows to the placer's lease, and the sweep after it takes the write back."""
    ledger, gw = Ledger(tmp_path / "l.db"), InMemoryGateway()
    other = Ledger(tmp_path / "l.db")

    def step(name: str) -> None:
        if name == f"placed-in-ledger:{A}:csm-priya":
            release(other, gw, A, NOW)  # type: ignore[arg-type]
        if name == f"placed-on-calendar:{A}:eng-dara":
            raise Crash(name)

    with pytest.raises(Crash):
        _place(ledger, gw, A, step=step)
    assert [p for p, _s in gw.blocks.values()] == ["eng-dara"]  # the dead placer's write
    sweep(Ledger(tmp_path / "l.db"), gw, NOW + DEFAULT_LEASE)  # type: ignore[arg-type]
    assert gw.blocks == {}
    _invariants(ledger, gw)


def test_a_reused_key_must_need_the_same_approvals(tmp_path: Path) -> None:
    """Found in review: a second placement under the same key with other needs or roles
    was taken for the first one, which bypassed bounded authority."""
    from bridge_sched.result import Approval, ReasonCode

    ledger, gw = Ledger(tmp_path / "l.db"), InMemoryGateway()
    _place(ledger, gw, A)
    need = Approval(
        code=ReasonCode.OUT_OF_HOURS,
        approver="incident_leadership",
        role="engineering_owner",
        person="eng-dara",
        detail="eng-dara outside working hours",
    )
    with pytest.raises(PlacementConflict, match="differs in needs"):
        _place(ledger, gw, A, needs=[need])
    roles = [("incident_commander", p) for p in PEOPLE]
    with pytest.raises(PlacementConflict, match="differs in roles"):
        _place(ledger, gw, A, roles=roles)


def test_confirm_during_a_placement_says_in_progress(tmp_path: Path) -> None:
    ledger, gw = Ledger(tmp_path / "l.db"), InMemoryGateway()
    other = Ledger(tmp_path / "l.db")
    seen: list[str] = []

    def step(name: str) -> None:
        if name == f"placed-in-ledger:{A}:csm-priya":
            seen.append(confirm(other, gw, A, NOW).status)  # type: ignore[arg-type]

    assert _place(ledger, gw, A, step=step).status == "held"  # type: ignore[attr-defined]
    assert seen == ["in_progress"]
    assert confirm(other, gw, A, NOW).status == "confirmed"  # type: ignore[arg-type]
    _invariants(ledger, gw)


def test_the_fault_table_in_the_docs_is_current(capsys: pytest.CaptureFixture[str]) -> None:
    """docs/holds-faults.md is what tests/holds_fault_report.py prints today."""
    import holds_fault_report

    assert holds_fault_report.main() == 0
    docs = Path(__file__).resolve().parents[1] / "docs" / "holds-faults.md"
    assert capsys.readouterr().out == docs.read_text("utf-8")


# --------------------------------------------------------------------------- #
# found in the second review
# --------------------------------------------------------------------------- #
def test_a_caldav_error_answer_is_never_taken_for_gone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A 503 to GET used to read as 'not there': rows were finished as released while
    the blocks stayed on the server. Now only 404/410 mean gone; the rows stay stuck."""
    from bridge_sched.holds import CalDavGateway

    gw = CalDavGateway("http://127.0.0.1:9/bridge")
    answers = {"PUT": 201, "MKCALENDAR": 201, "GET": 503, "DELETE": 503}
    monkeypatch.setattr(gw, "_call", lambda method, *a, **k: (answers[method], b"", None))
    ledger = Ledger(tmp_path / "l.db")
    assert _place(ledger, gw, A).status == "held"  # type: ignore[attr-defined]
    with pytest.raises(GatewayError, match=r"HTTP 503"):
        gw.find(ledger.holds()[0])
    cancelled = release(ledger, gw, A, NOW)
    assert cancelled.status == "in_progress"
    assert {h.state for h in cancelled.holds} == {"releasing"}
    report = sweep(ledger, gw, NOW + dt.timedelta(minutes=1))
    assert len(report.stuck) == len(PEOPLE) and report.expired == ()
    answers.update(GET=404, DELETE=204)  # the server is back
    sweep(ledger, gw, NOW + dt.timedelta(minutes=2))
    assert {h.state for h in ledger.holds()} == {"released"}


@pytest.mark.parametrize("op", [confirm, release])
def test_a_missing_key_is_an_input_error_not_every_placement(tmp_path: Path, op: object) -> None:
    from bridge_sched import InputError

    ledger, gw = Ledger(tmp_path / "l.db"), InMemoryGateway()
    _place(ledger, gw, A)
    with pytest.raises(InputError, match="key"):
        op(ledger, gw, None, NOW)  # type: ignore[operator]
    assert {h.state for h in ledger.holds()} == {"placed"}


def test_workflow_confirm_cancelled_meanwhile_says_so(tmp_path: Path) -> None:
    from bridge_sched import load_example
    from bridge_sched.audit import AuditLog, read_log
    from bridge_sched.holds import BridgeWorkflow

    request = load_example()
    log = AuditLog(tmp_path / "a.jsonl")
    gw = InMemoryGateway()
    flow = BridgeWorkflow(Ledger(tmp_path / "l.db"), gw, log)
    slot = flow.propose(request)[0].slots[0]
    key = flow.hold(request, slot).placement.key  # type: ignore[union-attr]
    other = Ledger(tmp_path / "l.db")
    original = gw.confirm

    def confirm_then_cancelled(hold: Hold, now: dt.datetime) -> None:
        original(hold, now)
        if hold.person == "eng-dara":
            release(other, gw, key, now)

    gw.confirm = confirm_then_cancelled  # type: ignore[method-assign]
    step = flow.confirm(request, slot, request.now)
    assert step.placement is not None and step.placement.status == "released"
    assert step.packet is None
    assert step.message.text.startswith("INC-4711: tentative holds released (placement released)")
    assert gw.blocks == {}
    events = [r["event"] for r in read_log(log.path)]
    assert "holds_confirmed" not in events and events[-1] == "holds_released"


def test_sweep_logs_what_recovery_settled(tmp_path: Path) -> None:
    from bridge_sched.audit import AuditLog, read_log
    from bridge_sched.holds import BridgeWorkflow

    ledger, gw = Ledger(tmp_path / "l.db"), InMemoryGateway()
    with pytest.raises(Crash):
        _place(ledger, gw, A, step=_crash_at(f"placed-on-calendar:{A}:ic-chen"))
    log = AuditLog(tmp_path / "a.jsonl")
    steps = BridgeWorkflow(ledger, gw, log).sweep(LATER)
    assert [s.message.text.splitlines()[0] for s in steps] == [
        "INC-4711: recovery settled the holds for 2027-03-16 15:30 UTC"
    ]
    (record,) = read_log(log.path)
    assert record["event"] == "holds_recovered"
    assert [(h["person"], h["state"], h["reason"]) for h in record["holds"]][-1] == (
        "sup-amara",
        "failed",
        "not_found",
    )
