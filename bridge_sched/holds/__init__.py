"""Tentative holds: a durable SQLite ledger, calendar gateways and a crash-safe workflow.

>>> from bridge_sched.holds import Ledger, InMemoryGateway, place_holds, sweep

Work in progress for issue 6 (invite packet, messages, CLI and the iCalendar
and CalDAV gateways follow); what is here is complete and tested.
"""

from . import messages
from .caldav_gateway import CalDavGateway
from .flow import BridgeWorkflow, Step
from .gateway import CalendarGateway, GatewayError, InMemoryGateway
from .ics_gateway import IcsGateway
from .invite import (
    ApprovalGrant,
    AuthorityError,
    InvitePacket,
    MeetingProvider,
    StubMeetingProvider,
    build_invite,
)
from .ledger import TRANSITIONS, Hold, HoldState, Ledger, LedgerError, Transition, hold_id
from .workflow import Placement, confirm, place_holds, recover, release, sweep

__all__ = [
    "TRANSITIONS",
    "ApprovalGrant",
    "AuthorityError",
    "BridgeWorkflow",
    "CalDavGateway",
    "CalendarGateway",
    "GatewayError",
    "Hold",
    "HoldState",
    "IcsGateway",
    "InMemoryGateway",
    "InvitePacket",
    "Ledger",
    "LedgerError",
    "MeetingProvider",
    "Placement",
    "Step",
    "StubMeetingProvider",
    "Transition",
    "build_invite",
    "confirm",
    "hold_id",
    "messages",
    "place_holds",
    "recover",
    "release",
    "sweep",
]
