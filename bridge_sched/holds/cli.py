"""``bridge-sched hold|confirm|release|sweep|status`` against a ledger file.

Calendars are iCalendar folders (:class:`~bridge_sched.holds.IcsGateway`),
by default ``<ledger>.calendars/`` next to the ledger. Every command takes
``--now`` (the library never reads the clock; ``hold`` uses the request's
``now``) and may append its event to an audit log (``--log``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sqlite3
import sys
from pathlib import Path

from .._validate import parse_request
from ..errors import InputError
from ..solve import SolveParams, solve
from . import messages
from .gateway import GatewayError
from .ics_gateway import IcsGateway
from .ledger import Hold, Ledger, LedgerError
from .workflow import confirm, place_holds, recover, release, sweep

__all__ = ["add_commands", "run"]

COMMANDS = ("hold", "confirm", "release", "sweep", "status")


def add_commands(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Register the hold commands on the main parser."""

    def common(p: argparse.ArgumentParser, now: bool = True) -> None:
        p.add_argument("--ledger", required=True, help="SQLite ledger file (created if missing)")
        p.add_argument("--calendars", help="iCalendar folder (default: <ledger>.calendars)")
        p.add_argument("--log", help="append the event to this audit log")
        if now:
            p.add_argument(
                "--now", required=True, help="the current instant (ISO 8601 with offset)"
            )

    p = sub.add_parser("hold", help="place tentative holds for a ranked slot of a request")
    p.add_argument("request")
    p.add_argument("--rank", type=int, default=1)
    p.add_argument("--key", help="placement key (default: <incident>/<start>)")
    p.add_argument("--expires-at", help="default: the request window's end (the SLA)")
    common(p, now=False)
    for name, text in (
        ("confirm", "confirm a placement and release the incident's other holds"),
        ("release", "release a placement (cancel)"),
    ):
        p = sub.add_parser(name, help=text)
        p.add_argument("key")
        common(p)
    p = sub.add_parser(
        "sweep", help="release every hold past its expiry; settle crashed placements"
    )
    common(p)
    p = sub.add_parser("status", help="the holds of an incident and their states")
    p.add_argument("incident")
    common(p, now=False)


def _instant(text: str, field: str) -> dt.datetime:
    try:
        value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise InputError(field, text, "not an ISO 8601 instant") from None
    if value.tzinfo is None:
        raise InputError(field, text, "needs a UTC offset (naive times are ambiguous)")
    return value.astimezone(dt.timezone.utc)


def _log(
    args: argparse.Namespace, event: str, incident: str, now: dt.datetime, holds: list[Hold]
) -> None:
    if args.log and holds:
        from ..audit import AuditLog

        AuditLog(args.log).record_holds(event, incident, now, holds)


def run(args: argparse.Namespace) -> int:
    """Run one hold command; returns the exit code (gateway failures: one line, exit 1)."""
    try:
        return _run(args)
    except (GatewayError, LedgerError) as exc:
        sys.stderr.write(f"bridge-sched: {exc}\n")
        return 1


def _run(args: argparse.Namespace) -> int:
    try:
        ledger = Ledger(args.ledger)
    except sqlite3.Error as exc:
        raise InputError("--ledger", args.ledger, f"cannot open the ledger ({exc})") from None
    gateway = IcsGateway(args.calendars or f"{args.ledger}.calendars")
    out = sys.stdout
    if args.command == "status":
        holds = ledger.holds(incident=args.incident)
        if not holds:
            out.write(f"{args.incident}: no holds\n")
            return 0
        for h in holds:
            out.write(
                f"{h.key:<28} {h.person:<14} {h.start:%Y-%m-%d %H:%M}-{h.end:%H:%M} UTC  "
                f"{h.state:<9} expires {h.expires_at:%Y-%m-%d %H:%M} UTC\n"
            )
        return 0
    if args.command == "hold":
        try:
            raw = Path(args.request).read_text("utf-8-sig")
        except OSError as exc:
            raise InputError(
                "request", args.request, f"cannot read file ({exc.strerror})"
            ) from None
        request = parse_request(raw)
        result = solve(request, SolveParams())
        slots = {s.rank: s for s in result.slots}
        if args.rank not in slots:
            raise InputError("--rank", args.rank, f"the result has {len(slots)} slot(s)")
        slot = slots[args.rank]
        now = request.now
        key = args.key or f"{request.incident.id}/{slot.start:%Y%m%dT%H%MZ}"
        expires = (
            _instant(args.expires_at, "--expires-at") if args.expires_at else request.window.end
        )
        placement = place_holds(
            ledger,
            gateway,
            key=key,
            incident=request.incident.id,
            people=[a.person for a in slot.assignments],
            start=slot.start,
            end=slot.end,
            expires_at=expires,
            now=now,
        )
        holds = list(placement.holds)
        _log(
            args,
            "holds_placed" if placement.ok else "holds_failed",
            request.incident.id,
            now,
            holds,
        )
        if placement.ok:
            out.write(messages.holds_placed(request.incident.id, holds).text + "\n")
            if slot.approvals:
                out.write(messages.approval_needed(request.incident.id, slot).text + "\n")
            out.write(f"key: {key}\n")
            return 0
        out.write(
            f"{request.incident.id}: holds NOT placed; calendar refused for "
            f"{', '.join(placement.failed)}; released the others\n"
        )
        return 1
    now = _instant(args.now, "--now")
    if args.command == "sweep":
        recover(ledger, gateway, now)
        expired = sweep(ledger, gateway, now)
        for incident in sorted({h.incident for h in expired}):
            mine = [h for h in expired if h.incident == incident]
            _log(args, "holds_expired", incident, now, mine)
            out.write(messages.holds_expired(incident, mine).text + "\n")
        if not expired:
            out.write("nothing expired\n")
        return 0
    if not ledger.holds(key=args.key):
        raise InputError("key", args.key, "no placement with this key in the ledger")
    if args.command == "confirm":
        try:
            placement = confirm(ledger, gateway, args.key, now)
        except ValueError as exc:
            raise InputError("key", args.key, str(exc)) from None
        _log(args, "holds_confirmed", placement.holds[0].incident, now, list(placement.holds))
        out.write(f"{args.key}: confirmed for {', '.join(h.person for h in placement.holds)}\n")
        return 0
    placement = release(ledger, gateway, args.key, now)
    _log(args, "holds_released", placement.holds[0].incident, now, list(placement.holds))
    out.write(f"{args.key}: released\n")
    return 0
