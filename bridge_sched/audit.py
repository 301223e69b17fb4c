"""An append-only audit log of decisions (JSON Lines, schema ``bridge_sched.audit/1``).

Every line is one JSON object with the same envelope::

    {"schema": "bridge_sched.audit/1", "seq": 7, "event": "slot_offered",
     "incident": "INC-4711", "at": "2027-03-16T11:40:00Z", ...payload}

``at`` is the request's ``now`` (the library never reads the clock) and
``seq`` numbers the lines of the file from 1. One :meth:`AuditLog.record_solve`
writes, in this order:

``request``
    the request digest, the solve parameters and the canonical request itself
    (ids, free/busy and policy only - never calendar contents);
``considered``
    how many grid starts and segments were considered (solver statistics);
``rejected``
    one line per range of rejected starts, with the rule and the people;
``approval_required`` / ``slot_offered``
    per offered slot: its approvals, then the slot with its assignments;
``escalation``
    reasons, the minimal conflict and the relaxations;
``warning``
    e.g. ``STALE_DATA``, ``UNKNOWN_AVAILABILITY``;
``result``
    the status and the SHA-256 of the result's JSON bytes.

:func:`replay` turns a log into a readable timeline and :func:`verify`
re-solves every logged request and compares the result bytes with the logged
digest. Writes are appended and flushed to disk (``fsync``) before
:meth:`record_solve` returns. Hold events (placed, released, expired) will use
the same envelope.
"""

from __future__ import annotations

import dataclasses
import fcntl
import hashlib
import json
import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from .canonical import canonical_json
from .errors import InputError
from .model import BridgeRequest
from .result import BridgeResult
from .solve import SolveParams, solve

__all__ = ["SCHEMA", "AuditLog", "read_log", "replay", "verify"]

SCHEMA = "bridge_sched.audit/1"


def _result_digest(result: BridgeResult) -> str:
    return "sha256:" + hashlib.sha256(result.model_dump_json().encode()).hexdigest()


def _iso(value: Any) -> str:
    return str(value.isoformat()).replace("+00:00", "Z")


def _last_seq(fh: Any) -> int:
    """The ``seq`` of the last line of the open log (0 when empty)."""
    fh.seek(0, os.SEEK_END)
    end = fh.tell()
    if end == 0:
        return 0
    chunk, back = b"", 0
    while back < end:
        back = min(end, back + 65536)
        fh.seek(end - back)
        chunk = fh.read(back)
        if chunk.rstrip(b"\n").rfind(b"\n") >= 0 or back == end:
            break
    last = chunk.rstrip(b"\n").rsplit(b"\n", 1)[-1]
    try:
        return int(json.loads(last)["seq"])
    except (ValueError, KeyError, TypeError):
        raise ValueError(f"audit log's last line is not a record (byte {end})") from None


class AuditLog:
    """An append-only JSON Lines file of decisions.

    Parameters
    ----------
    path
        The log file; created when missing, appended to otherwise.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)

    def _line(self, event: str, incident: str, at: Any, payload: dict[str, Any]) -> dict[str, Any]:
        """One record in the envelope (numbered when it is appended)."""
        clash = sorted({"schema", "seq", "event", "incident", "at"} & set(payload))
        if clash:
            raise ValueError(f"audit payload must not set envelope fields {clash}")
        return {
            "schema": SCHEMA,
            "seq": 0,
            "event": event,
            "incident": incident,
            "at": _iso(at),
            **payload,
        }

    def _append(self, records: list[dict[str, Any]]) -> None:
        """Number the records after the file's last line and write them with one ``write``,
        flushed and fsync'ed, under an exclusive lock (so concurrent writers never share a
        number)."""
        with self.path.open("a+b") as fh:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
            try:
                seq = _last_seq(fh)
                out = []
                for record in records:
                    seq += 1
                    record["seq"] = seq
                    out.append(json.dumps(record, separators=(",", ":"), ensure_ascii=False))
                fh.write("".join(line + "\n" for line in out).encode("utf-8"))
                fh.flush()
                os.fsync(fh.fileno())
            finally:
                fcntl.flock(fh.fileno(), fcntl.LOCK_UN)

    def solve(self, request: BridgeRequest, params: SolveParams | None = None) -> BridgeResult:
        """Solve ``request`` with the per-start trail on, log the decision and return it."""
        params = dataclasses.replace(params or SolveParams(), rejections=True)
        result = solve(request, params)
        self.record_solve(request, result, params)
        return result

    def record_event(self, event: str, incident: str, at: Any, payload: dict[str, Any]) -> None:
        """Append one workflow event (e.g. ``approval_granted``) with its payload."""
        self._append([self._line(event, incident, at, payload)])

    def record_holds(
        self, event: str, incident: str, now: Any, holds: Sequence[Any], note: str = ""
    ) -> None:
        """Append a hold event (``holds_placed``, ``holds_confirmed``, ``holds_released``,
        ``holds_expired``, ``holds_failed``) listing each hold's id, person, slot and state."""
        holds_payload = [
            {
                "id": h.id,
                "key": h.key,
                "person": h.person,
                "start": _iso(h.start),
                "end": _iso(h.end),
                "expires_at": _iso(h.expires_at),
                "state": h.state,
                "reason": h.reason,
            }
            for h in holds
        ]
        self.record_event(event, incident, now, {"note": note, "holds": holds_payload})

    def record_solve(
        self, request: BridgeRequest, result: BridgeResult, params: SolveParams | None = None
    ) -> None:
        """Append the decision ``solve(request, params)`` -> ``result``.

        ``params`` must be the parameters ``result`` was solved with, or
        :func:`verify` will not reproduce it (prefer :meth:`solve`).
        """
        params = params or SolveParams()
        incident, at = request.incident.id, request.now
        lines = [
            self._line(
                "request",
                incident,
                at,
                {
                    "request_digest": result.meta.request_digest,
                    "params": dataclasses.asdict(params),
                    "request": json.loads(canonical_json(request)),
                },
            ),
            self._line("considered", incident, at, {"stats": result.meta.stats.model_dump()}),
        ]
        for r in result.rejections:
            lines.append(self._line("rejected", incident, at, json.loads(r.model_dump_json())))
        for slot in result.slots:
            for approval in slot.approvals:
                lines.append(
                    self._line(
                        "approval_required",
                        incident,
                        at,
                        {"rank": slot.rank, **json.loads(approval.model_dump_json())},
                    )
                )
            lines.append(
                self._line(
                    "slot_offered",
                    incident,
                    at,
                    {
                        "rank": slot.rank,
                        "start": _iso(slot.start),
                        "end": _iso(slot.end),
                        "assignments": {a.role: a.person for a in slot.assignments},
                        "approvals": [a.code.value for a in slot.approvals],
                    },
                )
            )
        if result.escalation is not None:
            lines.append(
                self._line(
                    "escalation", incident, at, json.loads(result.escalation.model_dump_json())
                )
            )
        for warning in result.warnings:
            lines.append(self._line("warning", incident, at, json.loads(warning.model_dump_json())))
        lines.append(
            self._line(
                "result",
                incident,
                at,
                {"status": result.status.value, "result_digest": _result_digest(result)},
            )
        )
        self._append(lines)


def read_log(path: str | os.PathLike[str]) -> Iterator[dict[str, Any]]:
    """The records of a log, checking the envelope of each line."""
    name = Path(path).name
    with Path(path).open(encoding="utf-8") as fh:
        for number, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                raise InputError(f"{name}:line {number}", "(line)", "not a JSON object") from None
            if not isinstance(record, dict) or record.get("schema") != SCHEMA:
                raise InputError(
                    f"{name}:line {number}", "schema", f"not a {SCHEMA} record"
                ) from None
            yield record


def replay(path: str | os.PathLike[str]) -> str:
    """A readable timeline of a log."""
    out: list[str] = []
    for rec in read_log(path):
        head = f"{rec['at']}  {rec['incident']:<12} #{rec['seq']:<4} "
        event = rec["event"]
        if event == "request":
            req = rec["request"]
            roles = ", ".join(r["name"] for r in req["roles"])
            out.append(
                f"{head}request {rec['request_digest'][:19]}... window "
                f"{req['window']['start']} to {req['window']['end']}; roles {roles}"
            )
        elif event == "considered":
            s = rec["stats"]
            out.append(
                f"{head}considered {s['grid_starts']} grid starts, {s['segments']} segments, "
                f"{s['cpsat_calls']} CP-SAT calls"
            )
        elif event == "rejected":
            out.append(f"{head}rejected {rec['message']}")
        elif event == "approval_required":
            out.append(f"{head}approval for slot #{rec['rank']}: [{rec['code']}] {rec['detail']}")
        elif event == "slot_offered":
            who = ", ".join(f"{k}={v}" for k, v in rec["assignments"].items())
            out.append(f"{head}offered #{rec['rank']} {rec['start']} to {rec['end']}: {who}")
        elif event == "escalation":
            codes = ", ".join(r["code"] for r in rec["reasons"])
            conflict = ", ".join(g["id"] for g in rec.get("conflict", []))
            out.append(f"{head}ESCALATED to {rec['approver']}: {codes}; conflict: {conflict}")
            for i, relax in enumerate(rec.get("relaxations", []), start=1):
                out.append(f"{' ' * len(head)}relaxation {i}: {relax['message']}")
        elif event == "warning":
            out.append(f"{head}warning [{rec['code']}] {rec['message']}")
        elif event == "result":
            out.append(f"{head}result {rec['status']} {rec['result_digest'][:19]}...")
        elif event == "approval_granted":
            people = f" for {', '.join(rec['people'])}" if rec.get("people") else ""
            out.append(
                f"{head}approval granted by {rec['approver']} as {rec.get('authority', '?')} "
                f"at {rec.get('granted_at', '?')}: {', '.join(rec['codes'])}{people} ({rec['key']})"
            )
        elif event.startswith("holds_"):
            people = ", ".join(f"{h['person']}={h['state']}" for h in rec["holds"])
            first = rec["holds"][0] if rec["holds"] else None
            when = f" {first['start']} (expires {first['expires_at']})" if first else ""
            out.append(f"{head}{event.replace('_', ' ')}{when}: {people}")
        else:
            out.append(f"{head}{event}")
    return "\n".join(out)


def verify(path: str | os.PathLike[str]) -> list[str]:
    """Re-solve every logged request; the problems found (empty when all reproduce)."""
    problems: list[str] = []
    pending: dict[str, Any] | None = None
    for rec in read_log(path):
        if rec["event"] == "request":
            pending = rec
        elif rec["event"] == "result" and pending is not None:
            params = SolveParams(**pending["params"])
            request = BridgeRequest.model_validate(pending["request"])
            result = solve(request, params)
            if result.meta.request_digest != pending["request_digest"]:
                problems.append(f"#{pending['seq']}: request digest differs")
            digest = _result_digest(result)
            if digest != rec["result_digest"]:
                problems.append(
                    f"#{rec['seq']}: result differs ({digest[:19]}... != "
                    f"{rec['result_digest'][:19]}...)"
                )
            pending = None
    return problems
