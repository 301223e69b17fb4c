"""The hold ledger: every tentative hold and every transition, durable in SQLite (WAL).

A hold is one attendee's tentative block for one proposed slot. Its id is
derived from the placement's idempotency key and the person, so placing the
same slot twice finds the same rows. States::

    placing --> placed --> confirmed
       |          |  \\--> released
       |          \\----> expired
       \\--> failed

``placing`` is written *before* the calendar is touched and ``placed`` only
after the calendar accepted the hold, so a crash leaves at most ``placing``
rows, which :func:`~bridge_sched.holds.workflow.recover` settles against the
calendar. Every change is one ``BEGIN IMMEDIATE`` transaction; the database
runs in WAL mode with ``synchronous=FULL``. Times are inputs (``now``); the
ledger never reads the clock.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Literal

from pydantic import BaseModel, ConfigDict

from ..errors import BridgeSchedError
from ..model import UtcDatetime

__all__ = ["TRANSITIONS", "Hold", "HoldState", "Ledger", "LedgerError", "Transition", "hold_id"]

HoldState = Literal["placing", "placed", "confirmed", "released", "expired", "failed"]

TRANSITIONS: dict[str, frozenset[str]] = {
    "placing": frozenset({"placed", "failed"}),
    "placed": frozenset({"confirmed", "released", "expired"}),
    "confirmed": frozenset({"released"}),
    "released": frozenset(),
    "expired": frozenset(),
    "failed": frozenset(),
}
"""Allowed state changes (anything else is a :class:`LedgerError`)."""

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
    ref TEXT,
    UNIQUE (key, person)
);
CREATE TABLE IF NOT EXISTS transitions (
    hold_id TEXT NOT NULL REFERENCES holds(id),
    seq INTEGER NOT NULL,
    from_state TEXT,
    to_state TEXT NOT NULL,
    at TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (hold_id, seq)
);
CREATE INDEX IF NOT EXISTS holds_incident ON holds (incident, state);
"""


class LedgerError(BridgeSchedError, RuntimeError):
    """A transition the ledger does not allow (a bug in the caller, never bad input)."""


class Hold(BaseModel):
    """One attendee's tentative hold for one slot."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    key: str
    incident: str
    person: str
    start: UtcDatetime
    end: UtcDatetime
    expires_at: UtcDatetime
    state: HoldState
    ref: str | None = None


class Transition(BaseModel):
    """One recorded state change of a hold."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    hold_id: str
    seq: int
    from_state: HoldState | None
    to_state: HoldState
    at: UtcDatetime
    note: str = ""


def hold_id(key: str, person: str) -> str:
    """The stable id of ``person``'s hold for the placement ``key``."""
    return "hold-" + hashlib.sha256(f"{key}\x00{person}".encode()).hexdigest()[:20]


def _iso(value: dt.datetime) -> str:
    return value.astimezone(dt.timezone.utc).isoformat()


class Ledger:
    """The SQLite ledger of holds.

    Parameters
    ----------
    path
        Database file (created when missing); ``":memory:"`` for tests.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = str(path)
        self._db = sqlite3.connect(self.path, isolation_level=None, timeout=30.0)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.execute("PRAGMA foreign_keys=ON")
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        """Close the database connection."""
        self._db.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One ``BEGIN IMMEDIATE`` transaction (rolled back on any exception)."""
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    # -- writes -------------------------------------------------------------- #
    def add_intents(self, holds: Sequence[Hold], now: dt.datetime) -> bool:
        """Record ``holds`` as ``placing`` in one transaction.

        Returns ``False`` (and writes nothing) when the placement key is already
        in the ledger: placing is idempotent, and a second process racing on the
        same key sees the first one's rows.
        """
        with self.transaction() as db:
            keys = {h.key for h in holds}
            for key in sorted(keys):
                if db.execute("SELECT 1 FROM holds WHERE key = ?", (key,)).fetchone():
                    return False
            for h in holds:
                db.execute(
                    "INSERT INTO holds VALUES (?, ?, ?, ?, ?, ?, ?, 'placing', NULL)",
                    (
                        h.id,
                        h.key,
                        h.incident,
                        h.person,
                        _iso(h.start),
                        _iso(h.end),
                        _iso(h.expires_at),
                    ),
                )
                self._log(db, h.id, None, "placing", now, "intent recorded")
        return True

    def move(
        self,
        hold: str,
        to: HoldState,
        now: dt.datetime,
        *,
        ref: str | None = None,
        note: str = "",
    ) -> Hold:
        """Change one hold's state (checked against :data:`TRANSITIONS`)."""
        with self.transaction() as db:
            row = db.execute("SELECT state FROM holds WHERE id = ?", (hold,)).fetchone()
            if row is None:
                raise LedgerError(f"no hold {hold}")
            current = row[0]
            if to not in TRANSITIONS[current]:
                raise LedgerError(f"hold {hold}: {current} -> {to} is not allowed")
            if ref is not None:
                db.execute("UPDATE holds SET state = ?, ref = ? WHERE id = ?", (to, ref, hold))
            else:
                db.execute("UPDATE holds SET state = ? WHERE id = ?", (to, hold))
            self._log(db, hold, current, to, now, note)
        return self.get(hold)

    def _log(
        self,
        db: sqlite3.Connection,
        hold: str,
        from_state: str | None,
        to: str,
        now: dt.datetime,
        note: str,
    ) -> None:
        seq = db.execute(
            "SELECT COALESCE(MAX(seq), 0) + 1 FROM transitions WHERE hold_id = ?", (hold,)
        ).fetchone()[0]
        db.execute(
            "INSERT INTO transitions VALUES (?, ?, ?, ?, ?, ?)",
            (hold, seq, from_state, to, _iso(now), note),
        )

    # -- reads --------------------------------------------------------------- #
    def get(self, hold: str) -> Hold:
        """One hold by id."""
        row = self._db.execute("SELECT * FROM holds WHERE id = ?", (hold,)).fetchone()
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
        sql = "SELECT * FROM holds WHERE 1=1"
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

    def transitions(self, hold: str) -> list[Transition]:
        """Every recorded change of one hold, in order."""
        rows = self._db.execute(
            "SELECT * FROM transitions WHERE hold_id = ? ORDER BY seq", (hold,)
        ).fetchall()
        return [
            Transition(hold_id=r[0], seq=r[1], from_state=r[2], to_state=r[3], at=r[4], note=r[5])
            for r in rows
        ]


def _hold(row: tuple[str, ...]) -> Hold:
    return Hold(
        id=row[0],
        key=row[1],
        incident=row[2],
        person=row[3],
        start=row[4],
        end=row[5],
        expires_at=row[6],
        state=row[7],
        ref=row[8],
    )
