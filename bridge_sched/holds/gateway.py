"""Calendar gateways: where tentative holds are placed, released and confirmed.

Every operation is idempotent and keyed by the hold's id, so a retry after a
crash never doubles a hold. :meth:`CalendarGateway.find` lets recovery ask
whether a hold reached the calendar.
"""

from __future__ import annotations

import datetime as dt
from typing import Protocol

from .ledger import Hold

__all__ = ["CalendarGateway", "GatewayError", "InMemoryGateway"]


class GatewayError(Exception):
    """The calendar refused or failed an operation (the workflow records it)."""


class CalendarGateway(Protocol):
    """What the hold workflow needs from a calendar system."""

    def place(self, hold: Hold, now: dt.datetime) -> str:
        """Put a tentative block for ``hold`` on the attendee's calendar; return its reference."""
        ...

    def release(self, hold: Hold, now: dt.datetime) -> None:
        """Remove the block (no error when it is already gone)."""
        ...

    def confirm(self, hold: Hold, now: dt.datetime) -> None:
        """Turn the tentative block into a confirmed one."""
        ...

    def find(self, hold: Hold) -> str | None:
        """The reference of the block for ``hold`` on its person's calendar, if it is there."""
        ...


class InMemoryGateway:
    """A calendar in a dict, for tests and notebooks; chosen people's calls can fail.

    Attributes
    ----------
    blocks
        ``hold id -> (person, status)`` with status ``tentative`` or ``confirmed``.
    fail, fail_release, fail_confirm
        People whose ``place`` / ``release`` / ``confirm`` raises :class:`GatewayError`
        (sets; change them between calls to model a calendar that comes back).
    calls
        Every call as ``(operation, hold id)``, in order.
    """

    def __init__(
        self,
        fail: set[str] | None = None,
        *,
        fail_release: set[str] | None = None,
        fail_confirm: set[str] | None = None,
    ) -> None:
        self.blocks: dict[str, tuple[str, str]] = {}
        self.fail = set(fail or ())
        self.fail_release = set(fail_release or ())
        self.fail_confirm = set(fail_confirm or ())
        self.calls: list[tuple[str, str]] = []

    def place(self, hold: Hold, now: dt.datetime) -> str:
        self.calls.append(("place", hold.id))
        if hold.person in self.fail:
            raise GatewayError(f"calendar of {hold.person} refused the hold")
        if hold.id not in self.blocks:
            self.blocks[hold.id] = (hold.person, "tentative")
        return f"mem:{hold.id}"

    def release(self, hold: Hold, now: dt.datetime) -> None:
        self.calls.append(("release", hold.id))
        if hold.person in self.fail_release:
            raise GatewayError(f"calendar of {hold.person} did not release the hold")
        self.blocks.pop(hold.id, None)

    def confirm(self, hold: Hold, now: dt.datetime) -> None:
        self.calls.append(("confirm", hold.id))
        if hold.person in self.fail_confirm:
            raise GatewayError(f"calendar of {hold.person} did not confirm the hold")
        if hold.id in self.blocks:
            self.blocks[hold.id] = (hold.person, "confirmed")

    def find(self, hold: Hold) -> str | None:
        return f"mem:{hold.id}" if hold.id in self.blocks else None
