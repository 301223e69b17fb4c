"""Tentative holds: a durable SQLite ledger, calendar gateways and a crash-safe workflow.

>>> from bridge_sched.holds import Ledger, InMemoryGateway, place_holds, sweep

See ``docs/holds.md`` for the states, the crash and race guarantees, the
invite packet and bounded authority.
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
    check_authority,
)
from .ledger import (
    REASONS,
    TRANSITIONS,
    Hold,
    HoldState,
    Ledger,
    LedgerError,
    PlacementConflict,
    Transition,
    hold_id,
)
from .workflow import (
    DEFAULT_LEASE,
    Placement,
    PlacementStatus,
    SweepReport,
    approve,
    confirm,
    place_holds,
    recover,
    release,
    sweep,
)

__all__ = [
    "DEFAULT_LEASE",
    "REASONS",
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
    "PlacementConflict",
    "PlacementStatus",
    "Step",
    "StubMeetingProvider",
    "SweepReport",
    "Transition",
    "approve",
    "build_invite",
    "check_authority",
    "confirm",
    "hold_id",
    "messages",
    "place_holds",
    "recover",
    "release",
    "sweep",
]
