"""``bridge-sched hold|approve|confirm|release|sweep|status`` against a ledger file.

Calendars are iCalendar folders (:class:`~bridge_sched.holds.IcsGateway`),
by default ``<ledger>.calendars/`` next to the ledger. Every command takes
``--now`` (the library never reads the clock; ``hold`` defaults to the
request's ``now``) and may append its event to an audit log (``--log``).
Each command is a thin shell over :class:`~bridge_sched.holds.BridgeWorkflow`
or the ledger functions, so the CLI and the library cannot drift apart.

Exit codes: 0 done; 1 not done (a calendar refused, or work still in
progress - run ``sweep``); 2 bad input or a placement conflict; 6 refused for
lack of an approval (bounded authority).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from .._validate import parse_request
from ..errors import InputError
from ..model import BridgeRequest
from ..result import Slot
from ..solve import SolveParams, solve
from .flow import BridgeWorkflow
from .gateway import GatewayError
from .ics_gateway import IcsGateway
from .invite import ApprovalGrant, AuthorityError
from .ledger import Ledger, LedgerError
from .workflow import check_key

__all__ = ["COMMANDS", "EXIT_NEEDS_APPROVAL", "add_commands", "run"]

COMMANDS = ("hold", "approve", "confirm", "release", "sweep", "status")
EXIT_NEEDS_APPROVAL = 6


def add_commands(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Register the hold commands on the main parser."""

    def common(p: argparse.ArgumentParser, now: str = "required") -> None:
        p.add_argument(
            "--ledger",
            required=True,
            help="SQLite ledger file (hold creates it; the other commands need it to exist)",
        )
        if now == "none":  # status reads the ledger only
            return
        p.add_argument("--calendars", help="iCalendar folder (default: <ledger>.calendars)")
        p.add_argument("--log", help="append the event to this audit log")
        if now == "required":
            p.add_argument(
                "--now", required=True, help="the current instant (ISO 8601 with offset)"
            )
        elif now == "optional":
            p.add_argument("--now", help="the current instant (default: the request's now)")

    def slot_of(p: argparse.ArgumentParser, required: bool) -> None:
        if required:
            p.add_argument("request", help="the request file (JSON)")
        else:
            p.add_argument("--request", help="the request of the slot (builds the invite)")
        p.add_argument("--rank", type=int, default=1, help="which ranked slot (default 1)")

    p = sub.add_parser("hold", help="place tentative holds for a ranked slot of a request")
    slot_of(p, required=True)
    p.add_argument("--key", help="placement key (default: <incident>/<start>)")
    p.add_argument("--expires-at", help="default: the request window's end (the SLA)")
    common(p, now="optional")
    p = sub.add_parser("approve", help="record an approval of a placement's exceptions")
    p.add_argument("key")
    p.add_argument("--approver", required=True, help="person id of who approved")
    p.add_argument("--authority", required=True, help="the authority (e.g. incident_leadership)")
    p.add_argument("--codes", required=True, help="comma-separated exception codes approved")
    p.add_argument("--people", default="", help="comma-separated people (default: anyone)")
    p.add_argument("--at", help="when it was approved (default: --now)")
    common(p)
    p = sub.add_parser("confirm", help="confirm a placement and release the incident's other holds")
    p.add_argument("key")
    slot_of(p, required=False)
    p.add_argument("--invite", help="write the invite .ics (METHOD:REQUEST) here (needs --request)")
    common(p)
    p = sub.add_parser("release", help="release a placement (cancel)")
    p.add_argument("key")
    common(p)
    p = sub.add_parser("sweep", help="release every hold past its expiry; settle crashed steps")
    common(p)
    p = sub.add_parser("status", help="the holds of an incident and their states")
    p.add_argument("incident")
    common(p, now="none")


def _instant(text: str, field: str) -> dt.datetime:
    try:
        value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise InputError(field, text, "not an ISO 8601 instant") from None
    if value.tzinfo is None:
        raise InputError(field, text, "needs a UTC offset (naive times are ambiguous)")
    return value.astimezone(dt.timezone.utc)


def _request(path: str) -> BridgeRequest:
    try:
        raw = Path(path).read_text("utf-8-sig")
    except OSError as exc:
        raise InputError("request", path, f"cannot read file ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise InputError("request", path, "file is not UTF-8 text") from None
    return parse_request(raw)


def _slot(request: BridgeRequest, rank: int) -> Slot:
    slots = {s.rank: s for s in solve(request, SolveParams()).slots}
    if rank not in slots:
        raise InputError("--rank", rank, f"the result has {len(slots)} slot(s)")
    return slots[rank]


def run(args: argparse.Namespace) -> int:
    """Run one hold command; returns the exit code (see the module doc)."""
    try:
        return _run(args)
    except AuthorityError as exc:
        sys.stderr.write(f"bridge-sched: refused (bounded authority): {exc}\n")
        return EXIT_NEEDS_APPROVAL
    except (GatewayError, LedgerError) as exc:
        sys.stderr.write(f"bridge-sched: {exc}\n")
        return 1


def _writable(option: str, path: str | None) -> None:
    """Refuse an output path that cannot be written before any work is done: a missing
    folder, a directory, or (``--log``) a file that is not an audit log."""
    if path is None:
        return
    target = Path(path)
    if not target.resolve().parent.is_dir():
        raise InputError(option, path, "its folder does not exist")
    if target.is_dir():
        raise InputError(option, path, "is a directory, not a file")
    if option == "--log" and target.exists() and target.stat().st_size:
        from ..audit import _last_seq

        try:
            with target.open("rb") as fh:
                _last_seq(fh)
        except (OSError, ValueError):
            raise InputError(option, path, "is not a bridge_sched audit log") from None


def _key(value: str | None, option: str = "key") -> str | None:
    return None if value is None else check_key(value, option)


def _run(args: argparse.Namespace) -> int:
    _writable("--log", getattr(args, "log", None))
    _writable("--invite", getattr(args, "invite", None))
    prepared: tuple[BridgeRequest, Slot, dt.datetime | None, dt.datetime | None] | None = None
    if args.command == "hold":
        _key(args.key, "--key")
        # everything a hold needs is read and checked before the ledger file is created
        request = _request(args.request)
        now_ = _instant(args.now, "--now") if args.now else None
        expires = _instant(args.expires_at, "--expires-at") if args.expires_at else None
        from .workflow import _check_instant

        for name, value in (("--now", now_), ("--expires-at", expires)):
            if value is not None:
                _check_instant(name, value)
        if expires is not None and expires <= (now_ or request.now):
            raise InputError("--expires-at", args.expires_at, "must be after now")
        prepared = (request, _slot(request, args.rank), expires, now_)
    elif args.command in ("approve", "confirm", "release"):
        _key(args.key)
    try:
        ledger = Ledger(args.ledger, create=args.command == "hold")
    except LedgerError as exc:
        raise InputError("--ledger", args.ledger, str(exc).split(": ", 1)[-1]) from None
    log = None
    if getattr(args, "log", None):
        from ..audit import AuditLog

        log = AuditLog(args.log)
    calendars = getattr(args, "calendars", None) or f"{args.ledger}.calendars"
    flow = BridgeWorkflow(ledger, IcsGateway(calendars), log)
    out = sys.stdout
    if args.command == "status":
        holds = ledger.holds(incident=args.incident)
        if not holds:
            out.write(f"{args.incident}: no holds\n")
            return 0
        for h in holds:
            out.write(
                f"{h.key:<28} {h.person:<14} {h.start:%Y-%m-%d %H:%M}-{h.end:%H:%M} UTC  "
                f"{h.state:<10} {h.reason:<13} expires {h.expires_at:%Y-%m-%d %H:%M} UTC\n"
            )
        return 0
    if prepared is not None:
        request, slot, expires, now_ = prepared
        step = flow.hold(request, slot, expires, key=args.key, now=now_)
        for message in (step.message, *step.more):
            out.write(message.text + "\n")
        assert step.placement is not None
        out.write(f"key: {step.placement.key}\n")
        return 0 if step.placement.ok else 1
    now = _instant(args.now, "--now")
    if args.command == "sweep":
        steps = flow.sweep(now)
        for s in steps:
            out.write(s.message.text + "\n")
        if not steps:
            out.write("nothing expired\n")
        return 1 if any(s.report and s.report.stuck for s in steps) else 0
    if args.command == "approve":
        grant = _grant(args, now)
        flow.approve(args.key, grant, now)
        out.write(
            f"{args.key}: approval by {grant.approver} as {grant.authority} recorded for "
            f"{', '.join(c.value for c in grant.codes)}\n"
        )
        return 0
    if args.command == "confirm":
        if args.request:
            request = _request(args.request)
            step = flow.confirm(request, _slot(request, args.rank), now, key=args.key)
            if args.invite and step.packet is not None:  # no invite unless confirmed
                Path(args.invite).write_text(step.packet.ics, "utf-8")
        else:
            if args.invite:
                raise InputError("--invite", args.invite, "needs --request to build the invite")
            step = flow.confirm_holds(args.key, now)
        assert step.placement is not None
        for message in (step.message, *step.more):
            out.write(message.text + "\n")
        return 0 if step.placement.status == "confirmed" else 1
    step = flow.release(args.key, now)
    for message in (step.message, *step.more):
        out.write(message.text + "\n")
    assert step.placement is not None
    return 0 if step.placement.status in ("released", "failed", "expired") else 1


def _grant(args: argparse.Namespace, now: dt.datetime) -> ApprovalGrant:
    from pydantic import ValidationError

    from .._validate import _input_error

    try:
        return ApprovalGrant(
            approver=args.approver,
            authority=args.authority,
            at=_instant(args.at, "--at") if args.at else now,
            codes=tuple(c.strip() for c in args.codes.split(",") if c.strip()),
            people=tuple(p.strip() for p in args.people.split(",") if p.strip()),
        )
    except ValidationError as exc:
        raise _input_error(exc) from None
