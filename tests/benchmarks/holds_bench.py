"""How fast the hold ledger is: durable transactions (WAL, synchronous=FULL) dominate.

    python tests/benchmarks/holds_bench.py [--incidents 200] [--gateway memory|ics]

For ``--incidents`` incidents with 5 attendees each, on one ledger file:
place slot A and slot B, confirm A (which releases B); then a second round of
placements that nobody confirms, expired by one sweep. Prints wall time per
operation (median and p95 over incidents), the sweep time, the ledger's size
and its transitions per second, and checks the invariants at the end (every
block matches a placed/confirmed row). No timing is asserted anywhere.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bridge_sched.holds import IcsGateway, InMemoryGateway, Ledger, confirm, place_holds, sweep

UTC = dt.timezone.utc
NOW = dt.datetime(2027, 3, 16, 11, 40, tzinfo=UTC)
START = dt.datetime(2027, 3, 16, 15, 30, tzinfo=UTC)
SLA = dt.datetime(2027, 3, 16, 17, 30, tzinfo=UTC)
PEOPLE = ("csm-priya", "eng-dara", "ic-chen", "lead-kofi", "sup-amara")


def _place(ledger: Ledger, gw: object, incident: str, key: str, hours: int) -> None:
    placement = place_holds(
        ledger,
        gw,  # type: ignore[arg-type]
        key=key,
        incident=incident,
        people=[f"{p}-{incident}" for p in PEOPLE],
        start=START + dt.timedelta(hours=hours),
        end=START + dt.timedelta(hours=hours, minutes=30),
        expires_at=SLA,
        now=NOW,
    )
    assert placement.ok


def _ms(values: list[float]) -> str:
    values = sorted(values)
    p95 = values[min(len(values) - 1, int(0.95 * len(values)))]
    return f"median {statistics.median(values) * 1e3:.2f} ms, p95 {p95 * 1e3:.2f} ms"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--incidents", type=int, default=200)
    parser.add_argument("--gateway", choices=["memory", "ics"], default="memory")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        ledger = Ledger(Path(tmp) / "holds.db")
        gw: object = (
            InMemoryGateway() if args.gateway == "memory" else IcsGateway(Path(tmp) / "cal")
        )
        place_t: list[float] = []
        confirm_t: list[float] = []
        began = time.perf_counter()
        for i in range(args.incidents):
            incident = f"INC-{i:05d}"
            for key, hours in ((f"{incident}/a", 0), (f"{incident}/b", 1)):
                t0 = time.perf_counter()
                _place(ledger, gw, incident, key, hours)
                place_t.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            assert confirm(ledger, gw, f"{incident}/a", NOW).status == "confirmed"  # type: ignore[arg-type]
            confirm_t.append(time.perf_counter() - t0)
        for i in range(args.incidents):
            incident = f"INC-{i:05d}-late"
            _place(ledger, gw, incident, f"{incident}/a", 0)
        total = time.perf_counter() - began
        t0 = time.perf_counter()
        report = sweep(ledger, gw, SLA)  # type: ignore[arg-type]
        sweep_s = time.perf_counter() - t0
        assert len(report.expired) == 5 * args.incidents and not report.stuck
        holds = ledger.holds()
        transitions = sum(len(ledger.transitions(h.id)) for h in holds)
        size = (Path(tmp) / "holds.db").stat().st_size
        if isinstance(gw, InMemoryGateway):
            live = {h.id for h in holds if h.state in ("placed", "confirmed")}
            assert set(gw.blocks) == live
        print(f"gateway {args.gateway}, {args.incidents} incidents x 5 attendees")
        print(f"place 5 holds: {_ms(place_t)}")
        print(f"confirm (5 confirmed, 5 released): {_ms(confirm_t)}")
        print(f"sweep expiring {len(report.expired)} holds: {sweep_s * 1e3:.0f} ms")
        print(
            f"ledger: {len(holds)} holds, {transitions} transitions, {size / 1e6:.1f} MB; "
            f"{transitions / (total + sweep_s):.0f} transitions/s overall"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
