"""The hold ledger: every tentative hold and every transition, durable in SQLite (WAL).

A hold is one attendee's tentative block for one proposed slot. Its id is
derived from the placement's idempotency key and the person, so placing the
same slot twice finds the same rows. Final states are ``placed``,
``confirmed``, ``released``, ``expired`` and ``failed``; three *in-flight*
states say that a process has decided something and is telling the calendar::

    placing ----> placed ----> confirming ----> confirmed
       |  \\          |              |                |
       |   \\         v              v                v
       |    \\---> releasing <-------+----------------+
       v                |
     failed <-----------+----> released | expired

An in-flight row is written *before* the calendar is touched, in the same
transaction as the decision (a confirmation claims its holds and the
incident's other holds at once), and becomes final only after the calendar
answered. ``target`` says which final state a ``releasing`` row is headed for.

Every in-flight row carries a **lease** (``lease_until``, computed from the
caller's ``now``) and a **fencing token** (``attempt``). The process that
claimed the row finishes it with a compare-and-set on ``attempt``; recovery
takes over only rows whose lease has run out (bumping ``attempt``), so a slow
but live process is never overtaken, and a process that was overtaken notices
at its next write and backs off. ``reason`` is a short machine-readable code
of why a row is where it is (see :data:`REASONS`).

Every change is one ``BEGIN IMMEDIATE`` transaction; the database runs in WAL
mode with ``synchronous=FULL``. Times are inputs (``now``); the ledger never
reads the clock.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import sqlite3
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Literal

from pydantic import BaseModel, ConfigDict

from ..errors import BridgeSchedError, InputError
from ..model import UtcDatetime

__all__ = [
    "APPLICATION_ID",
    "FINAL",
    "IN_FLIGHT",
    "REASONS",
    "SCHEMA_VERSION",
    "TRANSITIONS",
    "Hold",
    "HoldState",
    "Ledger",
    "LedgerError",
    "PlacementConflict",
    "Transition",
    "Tx",
    "hold_id",
]

HoldState = Literal[
    "placing", "placed", "confirming", "confirmed", "releasing", "released", "expired", "failed"
]

IN_FLIGHT: tuple[HoldState, ...] = ("placing", "confirming", "releasing")
"""States in which a process is talking to the calendar (under a lease)."""

FINAL: tuple[HoldState, ...] = ("released", "expired", "failed")
"""States a hold never leaves."""

TRANSITIONS: dict[str, frozenset[str]] = {
    "placing": frozenset({"placing", "placed", "failed", "releasing"}),
    "placed": frozenset({"confirming", "releasing"}),
    "confirming": frozenset({"confirming", "confirmed", "releasing"}),
    "confirmed": frozenset({"releasing"}),
    "releasing": frozenset({"releasing", "released", "expired", "failed"}),
    "released": frozenset(),
    "expired": frozenset(),
    "failed": frozenset(),
}
"""Allowed state changes (anything else is a :class:`LedgerError`); ``x -> x`` is a
takeover of an in-flight row by recovery."""

REASONS: dict[str, str] = {
    "requested": "the placement was recorded; the calendar has not answered yet",
    "accepted": "the calendar accepted the hold",
    "refused": "the attendee's calendar refused the hold",
    "not_attempted": "another attendee's calendar refused first; never sent",
    "found": "recovery found the hold on the calendar after a crash",
    "not_found": "recovery did not find the hold on the calendar after a crash",
    "incomplete": "released because the placement did not hold every attendee",
    "confirmed": "the bridge was confirmed on this slot",
    "superseded": "released because the incident's bridge was confirmed on another slot",
    "cancelled": "released on request (cancel)",
    "expired": "released by the sweep at or after expires_at",
}
"""Every ``Hold.reason`` code and what it means."""

SCHEMA_VERSION = 2

APPLICATION_ID = 0x62736C67  # "bslg": marks the SQLite file as a bridge_sched ledger

_SCHEMA = """
CREATE TABLE IF NOT EXISTS holds (
    id TEXT PRIMARY KEY,
    key TEXT NOT NULL,
    incident TEXT NOT NULL,
    person TEXT NOT NULL,
    start TEXT NOT NULL,
    end_ TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    state TEXT NOT NULL,
    target TEXT,
    reason TEXT NOT NULL,
    attempt INTEGER NOT NULL,
    lease_until TEXT,
    ref TEXT,
    UNIQUE (key, person)
);
CREATE TABLE IF NOT EXISTS transitions (
    hold_id TEXT NOT NULL REFERENCES holds(id),
    seq INTEGER NOT NULL,
    from_state TEXT,
    to_state TEXT NOT NULL,
    at TEXT NOT NULL,
    reason TEXT NOT NULL,
    attempt INTEGER NOT NULL,
    PRIMARY KEY (hold_id, seq)
);
CREATE TABLE IF NOT EXISTS placements (
    key TEXT PRIMARY KEY,
    incident TEXT NOT NULL,
    roles TEXT NOT NULL,
    needs TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS approvals (
    key TEXT NOT NULL REFERENCES placements(key),
    seq INTEGER NOT NULL,
    grant_ TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    PRIMARY KEY (key, seq)
);
CREATE INDEX IF NOT EXISTS holds_incident ON holds (incident, state);
CREATE INDEX IF NOT EXISTS holds_state ON holds (state);
"""

_COLUMNS = (
    "id, key, incident, person, start, end_, expires_at, state, target, reason, "
    "attempt, lease_until, ref"
)


class LedgerError(BridgeSchedError, RuntimeError):
    """A transition the ledger does not allow, or a ledger file it cannot use."""


class PlacementConflict(InputError):
    """A placement that contradicts the ledger: a reused key for another slot or other
    attendees, an incident already confirmed, an expired or incomplete placement."""


class Hold(BaseModel):
    """One attendee's tentative hold for one slot, as the ledger holds it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    key: str
    incident: str
    person: str
    start: UtcDatetime
    end: UtcDatetime
    expires_at: UtcDatetime
    state: HoldState
    target: HoldState | None = None
    reason: str = "requested"
    attempt: int = 0
    lease_until: UtcDatetime | None = None
    ref: str | None = None


class Transition(BaseModel):
    """One recorded state change of a hold."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    hold_id: str
    seq: int
    from_state: HoldState | None
    to_state: HoldState
    at: UtcDatetime
    reason: str
    attempt: int


def hold_id(key: str, person: str) -> str:
    """The stable id of ``person``'s hold for the placement ``key``."""
    return "hold-" + hashlib.sha256(f"{key}\x00{person}".encode()).hexdigest()[:20]


def _iso(value: dt.datetime) -> str:
    return value.astimezone(dt.timezone.utc).isoformat()


def _hold(row: tuple[object, ...]) -> Hold:
    names = [c.strip() for c in _COLUMNS.split(",")]
    data = dict(zip(names, row, strict=True))
    data["end"] = data.pop("end_")
    return Hold.model_validate(data)


class Tx:
    """Reads and checked writes inside one ledger transaction (see :meth:`Ledger.transaction`)."""

    def __init__(self, db: sqlite3.Connection, now: dt.datetime | None) -> None:
        self._db = db
        self.now = now

    def holds(
        self,
        *,
        incident: str | None = None,
        key: str | None = None,
        states: Sequence[str] | None = None,
    ) -> list[Hold]:
        """Holds, filtered, in a total order (incident, start, person, id)."""
        sql = f"SELECT {_COLUMNS} FROM holds WHERE 1=1"
        args: list[str] = []
        if incident is not None:
            sql += " AND incident = ?"
            args.append(incident)
        if key is not None:
            sql += " AND key = ?"
            args.append(key)
        if states is not None:
            sql += f" AND state IN ({','.join('?' * len(states))})"
            args.extend(states)
        sql += " ORDER BY incident, start, person, id"
        return [_hold(r) for r in self._db.execute(sql, args).fetchall()]

    def move(
        self,
        hold: Hold,
        to: HoldState,
        reason: str,
        *,
        target: HoldState | None = None,
        lease_until: dt.datetime | None = None,
        ref: str | None = None,
    ) -> Hold:
        """Change ``hold`` (as read in this transaction) to ``to``; bumps ``attempt``.

        In-flight states need ``lease_until``; ``releasing`` needs ``target``.
        """
        if to not in TRANSITIONS[hold.state]:
            raise LedgerError(f"hold {hold.id}: {hold.state} -> {to} is not allowed")
        if reason not in REASONS:
            raise LedgerError(f"unknown hold reason {reason!r}")
        if (to in IN_FLIGHT) != (lease_until is not None):
            raise LedgerError(f"hold {hold.id}: {to} needs a lease exactly when in flight")
        if (to == "releasing") != (target is not None):
            raise LedgerError(f"hold {hold.id}: releasing needs a target state")
        attempt = hold.attempt + 1
        cursor = self._db.execute(
            "UPDATE holds SET state = ?, target = ?, reason = ?, attempt = ?, lease_until = ?, "
            "ref = COALESCE(?, ref) WHERE id = ? AND attempt = ? AND state = ?",
            (
                to,
                target,
                reason,
                attempt,
                _iso(lease_until) if lease_until else None,
                ref,
                hold.id,
                hold.attempt,
                hold.state,
            ),
        )
        if cursor.rowcount != 1:
            raise LedgerError(f"hold {hold.id} changed under this transaction")
        self._log(hold.id, hold.state, to, reason, attempt)
        return hold.model_copy(
            update={
                "state": to,
                "target": target,
                "reason": reason,
                "attempt": attempt,
                "lease_until": lease_until.astimezone(dt.timezone.utc) if lease_until else None,
                "ref": ref if ref is not None else hold.ref,
            }
        )

    def insert(self, hold: Hold, lease_until: dt.datetime) -> Hold:
        """Record a new hold as ``placing`` (attempt 1, reason ``requested``)."""
        self._db.execute(
            f"INSERT INTO holds ({_COLUMNS}) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, 'placing', NULL, 'requested', 1, ?, NULL)",
            (
                hold.id,
                hold.key,
                hold.incident,
                hold.person,
                _iso(hold.start),
                _iso(hold.end),
                _iso(hold.expires_at),
                _iso(lease_until),
            ),
        )
        self._log(hold.id, None, "placing", "requested", 1)
        return hold.model_copy(
            update={
                "state": "placing",
                "reason": "requested",
                "attempt": 1,
                "lease_until": lease_until.astimezone(dt.timezone.utc),
            }
        )

    def insert_placement(
        self, key: str, incident: str, roles: Sequence[tuple[str, str]], needs: str
    ) -> None:
        """Record what a placement is for: ``(role, person)`` pairs and the JSON list of
        the exceptions (approvals) its slot needs; confirmation checks both."""
        self._db.execute(
            "INSERT INTO placements VALUES (?, ?, ?, ?)",
            (key, incident, json.dumps([list(r) for r in roles]), needs),
        )

    def _log(self, hold: str, from_state: str | None, to: str, reason: str, attempt: int) -> None:
        if self.now is None:
            raise LedgerError("a read-only view cannot write")
        seq = self._db.execute(
            "SELECT COALESCE(MAX(seq), 0) + 1 FROM transitions WHERE hold_id = ?", (hold,)
        ).fetchone()[0]
        self._db.execute(
            "INSERT INTO transitions VALUES (?, ?, ?, ?, ?, ?, ?)",
            (hold, seq, from_state, to, _iso(self.now), reason, attempt),
        )


class Ledger:
    """The SQLite ledger of holds.

    Parameters
    ----------
    path
        Database file; ``":memory:"`` for tests.
    create
        Create the file when it is missing (``False``: a missing file is an error,
        so a mistyped path never starts an empty ledger).

    Raises
    ------
    LedgerError
        The file is missing (``create=False``), not SQLite, another
        application's SQLite file (nothing is changed in it), or a ledger of
        another schema version.
    """

    def __init__(self, path: str | os.PathLike[str], *, create: bool = True) -> None:
        self.path = str(path)
        if not create and self.path != ":memory:" and not os.path.exists(self.path):
            raise LedgerError(f"{self.path}: no ledger here (check the path)")
        try:
            self._db = sqlite3.connect(self.path, isolation_level=None, timeout=30.0)
            self._db.execute("PRAGMA busy_timeout = 30000")
            self._db.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise LedgerError(f"{self.path}: cannot open the ledger ({exc})") from None
        try:
            version = self._db.execute("PRAGMA user_version").fetchone()[0]
            app = self._db.execute("PRAGMA application_id").fetchone()[0]
            tables = self._db.execute(
                "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table'"
            ).fetchone()[0]
            if tables and app != APPLICATION_ID:
                raise LedgerError(
                    f"{self.path}: not a bridge_sched ledger (another application's "
                    "SQLite file); nothing was changed"
                )
            if tables and version != SCHEMA_VERSION:
                raise LedgerError(
                    f"{self.path}: ledger schema version {version}, this bridge_sched "
                    f"reads version {SCHEMA_VERSION}; settle its holds with the version "
                    "that wrote it, then start a new ledger file"
                )
            if not tables:
                for statement in _SCHEMA.split(";"):
                    if statement.strip():
                        self._db.execute(statement)
                self._db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
                self._db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        except sqlite3.Error as exc:
            self._db.execute("ROLLBACK")
            self._db.close()
            raise LedgerError(f"{self.path}: not a usable ledger ({exc})") from None
        except BaseException:
            self._db.execute("ROLLBACK")
            self._db.close()
            raise
        self._db.execute("COMMIT")
        # WAL is a property of the file; switching needs a moment without readers, so
        # racing first opens retry instead of failing
        for attempt in range(200):
            try:
                mode = self._db.execute("PRAGMA journal_mode").fetchone()[0]
                if str(mode).lower() != "wal":
                    self._db.execute("PRAGMA journal_mode=WAL")
                break
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or attempt == 199:
                    self._db.close()
                    raise LedgerError(f"{self.path}: cannot open the ledger ({exc})") from None
                time.sleep(0.05)
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.execute("PRAGMA foreign_keys=ON")

    def close(self) -> None:
        """Close the database connection."""
        self._db.close()

    @contextmanager
    def transaction(self, now: dt.datetime) -> Iterator[Tx]:
        """One ``BEGIN IMMEDIATE`` transaction (rolled back on any exception).

        Transitions written in it are stamped ``now``.
        """
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield Tx(self._db, now)
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    # -- writes -------------------------------------------------------------- #
    def finish(
        self,
        hold: Hold,
        to: HoldState,
        now: dt.datetime,
        reason: str,
        *,
        ref: str | None = None,
    ) -> bool:
        """Finish an in-flight ``hold`` that this process claimed (compare-and-set).

        Returns ``False`` when the row is no longer the one claimed (another
        process took it over after the lease ran out); nothing is written then.
        """
        with self.transaction(now) as tx:
            row = self.get(hold.id)
            if row.attempt != hold.attempt or row.state != hold.state:
                return False
            tx.move(row, to, reason, ref=ref)
        return True

    def unlease(self, hold: Hold, now: dt.datetime) -> None:
        """Give up the lease of an in-flight ``hold`` (the calendar failed; anyone may retry)."""
        with self.transaction(now):
            self._db.execute(
                "UPDATE holds SET lease_until = ? WHERE id = ? AND attempt = ? AND state = ?",
                (_iso(now), hold.id, hold.attempt, hold.state),
            )

    def move(self, hold: str, to: HoldState, now: dt.datetime, reason: str) -> Hold:
        """Force one hold to a final or ``placed``/``confirmed`` state (checked against
        :data:`TRANSITIONS`); for repairs by an operator, not for the workflow."""
        with self.transaction(now) as tx:
            return tx.move(self.get(hold), to, reason)

    def add_approval(self, key: str, grant: str, now: dt.datetime) -> int:
        """Append an approval (JSON text) to the placement ``key``; returns its number."""
        with self.transaction(now):
            if self.placement(key) is None:
                raise LedgerError(f"no placement {key}")
            seq = int(
                self._db.execute(
                    "SELECT COALESCE(MAX(seq), 0) + 1 FROM approvals WHERE key = ?", (key,)
                ).fetchone()[0]
            )
            self._db.execute(
                "INSERT INTO approvals VALUES (?, ?, ?, ?)", (key, seq, grant, _iso(now))
            )
        return seq

    # -- reads --------------------------------------------------------------- #
    def placement(self, key: str) -> tuple[list[tuple[str, str]], str] | None:
        """``(roles, needs JSON)`` recorded for the placement ``key``, if any."""
        row = self._db.execute(
            "SELECT roles, needs FROM placements WHERE key = ?", (key,)
        ).fetchone()
        if row is None:
            return None
        return [(r[0], r[1]) for r in json.loads(row[0])], str(row[1])

    def approvals(self, key: str, until: dt.datetime | None = None) -> list[str]:
        """The approvals (JSON text) recorded for ``key`` (only those recorded at or before
        ``until`` when it is given), in the order they were recorded."""
        rows = self._db.execute(
            "SELECT grant_, recorded_at FROM approvals WHERE key = ? ORDER BY seq", (key,)
        ).fetchall()
        return [
            str(r[0]) for r in rows if until is None or dt.datetime.fromisoformat(r[1]) <= until
        ]

    def get(self, hold: str) -> Hold:
        """One hold by id."""
        row = self._db.execute(f"SELECT {_COLUMNS} FROM holds WHERE id = ?", (hold,)).fetchone()
        if row is None:
            raise LedgerError(f"no hold {hold}")
        return _hold(row)

    def holds(
        self,
        *,
        incident: str | None = None,
        key: str | None = None,
        states: Sequence[str] | None = None,
    ) -> list[Hold]:
        """Holds, filtered, in a total order (incident, start, person, id)."""
        return Tx(self._db, None).holds(incident=incident, key=key, states=states)

    def transitions(self, hold: str) -> list[Transition]:
        """Every recorded change of one hold, in order."""
        rows = self._db.execute(
            "SELECT * FROM transitions WHERE hold_id = ? ORDER BY seq", (hold,)
        ).fetchall()
        return [
            Transition(
                hold_id=r[0],
                seq=r[1],
                from_state=r[2],
                to_state=r[3],
                at=r[4],
                reason=r[5],
                attempt=r[6],
            )
            for r in rows
        ]
