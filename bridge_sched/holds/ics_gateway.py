"""A calendar gateway that writes iCalendar files: one tentative VEVENT per hold.

Each attendee has a folder; a hold is ``<folder>/<person>/<hold id>.ics``:

* placed: ``METHOD:PUBLISH``, ``STATUS:TENTATIVE``, ``TRANSP:OPAQUE``,
  ``X-MICROSOFT-CDO-BUSYSTATUS:TENTATIVE``, ``SEQUENCE:0``;
* confirmed: the same event with ``STATUS:CONFIRMED`` and the next ``SEQUENCE``;
* released: ``METHOD:CANCEL``, ``STATUS:CANCELLED`` and the next ``SEQUENCE``,
  so that a client that imported the hold removes it.

``UID`` is ``<hold id>@bridge-sched`` and ``X-BRIDGE-SCHED-HOLD`` /
``X-BRIDGE-SCHED-INCIDENT`` tie the event to the hold and the incident. The
title names only the incident ("Tentative hold: INC-4711 bridge"), never
customer text. ``DTSTAMP`` is the workflow's ``now``. Files are written to a
temporary name and renamed, so a crash never leaves half a file.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from ..model import is_identifier
from .gateway import GatewayError
from .ledger import Hold

__all__ = ["IcsGateway", "render_hold"]

_PRODID = "-//bridge_sched//holds//EN"


def render_hold(
    hold: Hold, status: str, sequence: int, now: dt.datetime, method: str | None = None
) -> bytes:
    """The iCalendar bytes of a hold (``method`` omitted for CalDAV-stored objects)."""
    from icalendar import Calendar, Event

    cal = Calendar()
    cal.add("prodid", _PRODID)
    cal.add("version", "2.0")
    if method is not None:
        cal.add("method", method)
    event = Event()
    event.add("uid", f"{hold.id}@bridge-sched")
    event.add("dtstamp", now.astimezone(dt.timezone.utc))
    event.add("dtstart", hold.start)
    event.add("dtend", hold.end)
    event.add("summary", f"Tentative hold: {hold.incident} bridge")
    event.add("status", status)
    event.add("transp", "OPAQUE")
    event.add("sequence", sequence)
    event.add("x-microsoft-cdo-busystatus", "TENTATIVE" if status == "TENTATIVE" else "BUSY")
    event.add("x-bridge-sched-hold", hold.id)
    event.add("x-bridge-sched-incident", hold.incident)
    cal.add_component(event)
    return bytes(cal.to_ical())


class IcsGateway:
    """Tentative holds as ``.ics`` files under ``folder`` (one sub-folder per person).

    ``read_only`` lists people whose calendar refuses writes (fault injection).
    """

    def __init__(self, folder: str | os.PathLike[str], read_only: set[str] | None = None) -> None:
        self.folder = Path(folder)
        self.read_only = set(read_only or ())

    def path(self, hold: Hold) -> Path:
        """The file of ``hold`` (the person id must be a plain id, never a path)."""
        return self._file(hold.id, hold.person)

    def _file(self, hold_id: str, person: str) -> Path:
        if not is_identifier(person) or not is_identifier(hold_id):
            raise GatewayError(f"not a calendar-safe id: {person[:64]!r}")
        return self.folder / person / f"{hold_id}.ics"

    def _write(self, hold: Hold, method: str, status: str, sequence: int, now: dt.datetime) -> None:
        path = self.path(hold)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
            tmp.write_bytes(render_hold(hold, status, sequence, now, method))
            os.replace(tmp, path)
        except OSError as exc:
            raise GatewayError(
                f"cannot write the calendar of {hold.person} ({exc.strerror})"
            ) from None

    def _state(self, hold_id: str, person: str) -> tuple[str, int] | None:
        """``(STATUS, SEQUENCE)`` of the hold's file, ``None`` when there is none.

        Raises
        ------
        GatewayError
            The file cannot be read or is not the hold's iCalendar object.
        """
        path = self._file(hold_id, person)
        from icalendar import Calendar

        try:
            if not path.exists():
                return None
            cal = Calendar.from_ical(path.read_bytes())
            event = next(iter(cal.walk("VEVENT")))
            return str(event.get("status")), int(event.get("sequence", 0))
        except OSError as exc:
            raise GatewayError(f"cannot read the calendar of {person} ({exc.strerror})") from None
        except (ValueError, StopIteration, TypeError):
            raise GatewayError(
                f"the hold file of {person} is not a readable iCalendar event"
            ) from None

    def place(self, hold: Hold, now: dt.datetime) -> str:
        if hold.person in self.read_only:
            raise GatewayError(f"calendar of {hold.person} is read-only")
        state = self._state(hold.id, hold.person)
        if state is None or state[0] == "CANCELLED":
            sequence = 0 if state is None else state[1] + 1
            self._write(hold, "PUBLISH", "TENTATIVE", sequence, now)
        return str(self.path(hold))

    def release(self, hold: Hold, now: dt.datetime) -> None:
        state = self._state(hold.id, hold.person)
        if state is not None and state[0] != "CANCELLED":
            self._write(hold, "CANCEL", "CANCELLED", state[1] + 1, now)

    def confirm(self, hold: Hold, now: dt.datetime) -> None:
        state = self._state(hold.id, hold.person)
        if state is None or state[0] == "CANCELLED":
            raise GatewayError(f"hold {hold.id} is not on the calendar of {hold.person}")
        if state[0] != "CONFIRMED":
            self._write(hold, "PUBLISH", "CONFIRMED", state[1] + 1, now)

    def find(self, hold: Hold) -> str | None:
        state = self._state(hold.id, hold.person)
        if state is not None and state[0] != "CANCELLED":
            return str(self.path(hold))
        return None
