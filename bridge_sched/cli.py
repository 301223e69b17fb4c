"""Command line: ``bridge-sched solve|assemble|explain|demo|schema`` and the hold commands
``hold|approve|confirm|release|sweep|status``.

Exit codes: 0 scheduled, 3 needs approval, 4 escalate, 5 needs refresh (stale
source data), 2 bad input (one line on stderr, no traceback), 1 internal error.
The hold commands use 0 done, 1 not done (a calendar refused, or still in
progress), 2 bad input or a conflicting placement, 6 refused for lack of an
approval (bounded authority).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from pydantic import ValidationError

from ._validate import _input_error, parse_request
from .errors import InputError
from .examples import example_json, example_names
from .model import BridgeRequest
from .result import BridgeResult, LocalSpan, Status
from .solve import SolveParams, solve

__all__ = ["EXIT_CODES", "main", "render"]

EXIT_CODES = {
    Status.scheduled: 0,
    Status.needs_approval: 3,
    Status.escalate: 4,
    Status.needs_refresh: 5,
}
EXIT_BAD_INPUT = 2


def _local(span: LocalSpan) -> str:
    """``Tue 03-16 11:30-12:00 EDT (UTC-04:00)``, with the end's date or zone when they differ."""
    start = dt.datetime.fromisoformat(span.start)
    end = dt.datetime.fromisoformat(span.end)
    text = f"{start:%a %m-%d %H:%M}-"
    text += f"{end:%H:%M}" if end.date() == start.date() else f"{end:%a %m-%d %H:%M}"
    text += f" {span.abbreviation} (UTC{span.utc_offset})"
    if span.end_utc_offset != span.utc_offset:
        text += f" -> {span.end_abbreviation} (UTC{span.end_utc_offset}) at the end"
    return text


def render(result: BridgeResult) -> str:
    """A readable report: each slot in UTC and in every attendee's and the customer's zone."""
    lines = [f"Incident {result.incident}: {result.status.value.upper().replace('_', ' ')}"]
    lines.append(f"Roles required: {', '.join(result.roles_required)}")
    for slot in result.slots:
        lines.append("")
        lines.append(
            f"#{slot.rank}  {slot.start:%Y-%m-%d %H:%M}-"
            + (
                f"{slot.end:%H:%M}"
                if slot.end.date() == slot.start.date()
                else f"{slot.end:%Y-%m-%d %H:%M}"
            )
            + " UTC"
            f"   score: approvals={slot.score.approvals} substitutes={slot.score.substitutes}"
            f" depth={slot.score.substitute_depth} tentative={slot.score.tentative}"
            f" customer_pref={slot.score.customer_preference}"
        )
        width = max(len(a.role) for a in slot.assignments)
        for a in slot.assignments:
            flags = []
            if not a.primary:
                flags.append(f"substitute #{a.pool_position}")
            if not a.in_working_hours:
                flags.append("outside working hours")
            if a.tentative_conflict:
                flags.append("tentative conflict")
            note = f"  [{'; '.join(flags)}]" if flags else ""
            lines.append(
                f"    {a.role:<{width}}  {a.person:<12} {_local(a.local)}  {a.local.timezone}{note}"
            )
        if slot.customer is not None:
            c = slot.customer
            lines.append(
                f"    {'customer':<{width}}  {'':<12} {_local(c)}  {c.timezone} ({c.party})"
            )
        for ap in slot.approvals:
            lines.append(f"    needs approval [{ap.code.value}] by {ap.approver}: {ap.detail}")
    if result.escalation is not None:
        lines.append("")
        lines.append(f"ESCALATE to {result.escalation.approver}:")
        for reason in result.escalation.reasons:
            lines.append(f"  [{reason.code.value}] {reason.message}")
        if result.escalation.conflict:
            lines.append("  minimal conflict (drop any one and the rest can hold):")
            for g in result.escalation.conflict:
                tier = "never relaxed" if g.tier == "never" else f"approval: {g.approver}"
                lines.append(f"    {g.id:<32} {g.rule} ({tier})")
        for i, relax in enumerate(result.escalation.relaxations, start=1):
            lines.append(f"  relaxation {i} (cost {relax.cost}): {relax.message}")
        if result.escalation.explanation_note:
            lines.append(f"  note: {result.escalation.explanation_note}")
    if result.status == Status.needs_refresh:
        lines.append("")
        lines.append("REFRESH before deciding: fetch the sources marked blocking and solve again.")
    if result.rejections:
        lines.append("")
        lines.append("Rejected starts:")
        lines.extend(f"  {r.message}" for r in result.rejections)
    for warning in result.warnings:
        mark = " (blocking)" if warning.blocking else ""
        lines.append(f"warning [{warning.code.value}]{mark} {warning.message}")
    lines.append("")
    lines.append(f"request {result.meta.request_digest}")
    return "\n".join(lines)


def _emit(result: BridgeResult, as_json: bool) -> int:
    if as_json:
        sys.stdout.write(result.model_dump_json(indent=2) + "\n")
    else:
        sys.stdout.write(render(result) + "\n")
    return EXIT_CODES[result.status]


def _is_manifest(text: str, path: str) -> bool:
    """A manifest (YAML, or JSON naming the manifest schema) rather than a request."""
    from .adapters.manifest import is_manifest

    return is_manifest(text, path)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="bridge-sched",
        description="Find ranked incident bridge slots, or escalate with reasons.",
        epilog=(
            "Exit codes: 0 scheduled, 3 needs approval, 4 escalate, 5 needs refresh, "
            "2 bad input. Hold commands: 0 done, 1 not done (refused or in progress), "
            "2 bad input or conflict, 6 needs an approval."
        ),
    )
    sub = parser.add_subparsers(dest="command", required=True)
    p_solve = sub.add_parser(
        "solve", help="solve a request JSON file or a manifest (YAML/JSON; '-' reads stdin)"
    )
    p_solve.add_argument("request")
    p_solve.add_argument("--json", action="store_true", help="print the JSON result")
    p_solve.add_argument(
        "--why", action="store_true", help="also say why each rejected start was rejected"
    )
    p_solve.add_argument(
        "--log",
        metavar="LOG",
        help="append the decision to this audit log (JSON Lines; implies --why)",
    )
    p_explain = sub.add_parser("explain", help="replay an audit log as a timeline")
    p_explain.add_argument("log")
    p_explain.add_argument(
        "--verify", action="store_true", help="re-solve every logged request and compare the bytes"
    )
    p_assemble = sub.add_parser(
        "assemble", help="build the request JSON from a manifest and its source files"
    )
    p_assemble.add_argument("manifest")
    p_demo = sub.add_parser("demo", help="solve an embedded example")
    p_demo.add_argument("--example", default=example_names()[0], choices=example_names())
    p_demo.add_argument("--json", action="store_true", help="print the JSON result")
    p_demo.add_argument("--request", action="store_true", help="print the example request instead")
    from .holds.cli import add_commands

    add_commands(sub)
    p_schema = sub.add_parser("schema", help="print the JSON Schemas")
    p_schema.add_argument("which", nargs="?", choices=["request", "result", "both"], default="both")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``bridge-sched`` command."""
    args = _parser().parse_args(argv)
    try:
        if args.command == "schema":
            schemas = {
                "request": BridgeRequest.model_json_schema(),
                "result": BridgeResult.model_json_schema(),
            }
            out = schemas if args.which == "both" else schemas[args.which]
            sys.stdout.write(json.dumps(out, indent=2, sort_keys=True) + "\n")
            return 0
        if args.command == "demo":
            text = example_json(args.example)
            if args.request:
                sys.stdout.write(text)
                return 0
            return _emit(solve(text), args.json)
        from .holds.cli import COMMANDS as HOLD_COMMANDS

        if args.command in HOLD_COMMANDS:
            from .holds.cli import run

            return run(args)
        if args.command == "explain":
            from .audit import replay, verify

            try:
                sys.stdout.write(replay(args.log) + "\n")
                if args.verify:
                    problems = verify(args.log)
                    for problem in problems:
                        sys.stdout.write(f"MISMATCH {problem}\n")
                    sys.stdout.write(
                        "verified: every logged result reproduces byte for byte\n"
                        if not problems
                        else f"{len(problems)} mismatch(es)\n"
                    )
                    return 0 if not problems else 1
            except OSError as exc:
                raise InputError("log", args.log, f"cannot read file ({exc.strerror})") from None
            return 0
        if args.command == "assemble":
            from .adapters.manifest import assemble

            request = assemble(args.manifest)
            sys.stdout.write(request.model_dump_json(indent=2) + "\n")
            return 0
        path = args.request
        params = SolveParams(rejections=args.why or args.log is not None)
        try:
            raw = sys.stdin.read() if path == "-" else Path(path).read_text("utf-8-sig")
        except OSError as exc:
            raise InputError("request", path, f"cannot read file ({exc.strerror})") from None
        except UnicodeDecodeError:
            raise InputError("request", path, "file is not UTF-8 text") from None
        if '"bridge_sched.replan/1"' in raw:
            from .replan import ReplanDocument, replan

            try:
                document = ReplanDocument.model_validate_json(raw)
            except ValidationError as exc:
                raise _input_error(exc) from None
            outcome = replan(document, params=params)
            if args.json:
                sys.stdout.write(outcome.model_dump_json(indent=2) + "\n")
                return EXIT_CODES[outcome.after.status]
            subs = ", ".join(f"{s.role} -> {s.person}" for s in outcome.substitutions)
            sys.stdout.write(f"Re-plan after substitution by {document.decided_by}: {subs}\n")
            for change in outcome.changes or ():
                sys.stdout.write(f"  changed: {change.message}\n")
            if not outcome.changes:
                sys.stdout.write("  nothing changed in the first-ranked slot\n")
            sys.stdout.write("\n")
            return _emit(outcome.after, False)
        if path != "-" and _is_manifest(raw, path):
            from .adapters.manifest import assemble

            request = assemble(path)
        else:
            request = parse_request(raw)
        result = solve(request, params)
        if args.log is not None:
            from .audit import AuditLog

            AuditLog(args.log).record_solve(request, result, params)
        return _emit(result, args.json)
    except InputError as exc:
        sys.stderr.write(f"bridge-sched: bad input: {exc}\n")
        return EXIT_BAD_INPUT


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
