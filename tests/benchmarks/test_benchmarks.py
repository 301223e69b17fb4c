"""Benchmarks per tier, with real checks of every result.

Run the benchmarks (the path is needed: the default run ignores this folder)::

    python -m pytest tests/benchmarks --benchmark-only

CI smoke test (T1 once, no timing assertion)::

    python -m pytest -q tests/benchmarks -k t1 --benchmark-disable

Only tests whose names contain ``t1`` are T1 tests; the batch, CLI and oracle
tests are named so that ``-k t1`` does not select them.
The full table with medians, p95, peak RSS and the ratios to the oracle and to
the floor is ``python tests/benchmarks/report.py``.
"""

from __future__ import annotations

import collections
import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest
import scenarios
from checks import check_escalation, check_slots, naive_earliest_common_start
from floor import earliest_common_start

import bridge_sched

HALF_HOUR_ZONES = {"Asia/Kolkata", "America/St_Johns", "Australia/Adelaide", "Asia/Kathmandu"}
INFEASIBLE_CODES = {
    "pool_ooo": {"ROLE_UNCOVERED"},
    "customer_overnight": {"NO_OVERLAP_WITH_CUSTOMER_WINDOW", "ONLY_OVERNIGHT"},
}


def _check_feasible(request: bridge_sched.BridgeRequest, result: bridge_sched.BridgeResult) -> None:
    check_slots(request, result)
    floor = earliest_common_start(request)
    assert floor is not None, "the floor finds no start but the engine does"
    assert floor <= min(s.start for s in result.slots)


def _check_infeasible(
    request: bridge_sched.BridgeRequest, result: bridge_sched.BridgeResult, mode: str
) -> None:
    check_escalation(result, INFEASIBLE_CODES[mode], role=scenarios.INFEASIBLE_ROLE)
    if mode == "pool_ooo":
        assert earliest_common_start(request) is None
    # the explanation is part of the timed result: a minimal conflict around the role
    esc = result.escalation
    assert esc is not None
    conflict = {g.id for g in esc.conflict}
    assert f"role:{scenarios.INFEASIBLE_ROLE}" in conflict
    if mode == "customer_overnight":
        assert "customer_window" in conflict
        assert esc.relaxations and esc.relaxations[0].groups[0].startswith("overnight:")


# --------------------------------------------------------------------------- #
# T1 typical: 5 roles, 25 people, 1 day, 5-minute step, 3 suggestions
# --------------------------------------------------------------------------- #
def test_t1_generator_is_deterministic_and_realistic() -> None:
    assert scenarios.request_json("t1", seed=7) == scenarios.request_json("t1", seed=7)
    assert scenarios.request_json("t1", seed=7) != scenarios.request_json("t1", seed=8)
    req = scenarios.build_request("t1")
    zones = {p.timezone for p in req.people}
    assert len(zones) >= 8 and zones & HALF_HOUR_ZONES == HALF_HOUR_ZONES
    assert len(req.roles) == 5 and len(req.people) == 25
    assert req.meeting.step_minutes == 5 and req.meeting.suggestions == 3
    assert req.window.end - req.window.start == dt.timedelta(days=1)
    assert req.customer is not None and req.customer.timezone == "America/New_York"
    kinds = collections.Counter(b.kind.value for p in req.people for b in p.busy)
    assert {"busy", "focus", "tentative", "executive_review", "out_of_office"} <= set(kinds)
    # 4-10 items per working day and person (plus whole out-of-office days)
    per_person = [len(p.busy) for p in req.people]
    assert min(per_person) >= 4 and max(per_person) <= 4 * 10 + 4
    for role in req.roles:  # primaries from the role's own team, then substitutes
        assert len(role.candidates) == 6


@pytest.mark.benchmark(group="T1")
def test_t1_feasible(benchmark, build) -> None:
    req = build("t1")
    result = benchmark(bridge_sched.solve, req)
    assert len(result.slots) == 3
    _check_feasible(req, result)


@pytest.mark.benchmark(group="T1")
def test_t1_infeasible(benchmark, build) -> None:
    req = build("t1", "infeasible")
    result = benchmark(bridge_sched.solve, req)
    _check_infeasible(req, result, scenarios.TIERS["t1"].infeasible_mode)


@pytest.mark.benchmark(group="T1")
def test_t1_floor(benchmark, build) -> None:
    req = build("t1")
    earliest = benchmark(earliest_common_start, req)
    assert earliest == naive_earliest_common_start(req)
    # harder cases for the floor: every pool cut to its primary, several seeds
    for seed in range(6):
        r = scenarios.build_request("t1", seed=seed)
        cut = r.model_copy(
            update={
                "roles": tuple(
                    x.model_copy(update={"candidates": x.candidates[:1]}) for x in r.roles
                )
            }
        )
        assert earliest_common_start(cut) == naive_earliest_common_start(cut)
    assert earliest_common_start(build("t1", "infeasible")) is None


# --------------------------------------------------------------------------- #
# T2 follow-the-sun: 8 roles, 200 people, 7 days, 1-minute step, 5 suggestions
# --------------------------------------------------------------------------- #
@pytest.mark.benchmark(group="T2")
def test_t2_feasible(benchmark, build) -> None:
    req = build("t2")
    result = benchmark.pedantic(bridge_sched.solve, args=(req,), rounds=15, warmup_rounds=1)
    assert len(result.slots) == 5
    _check_feasible(req, result)


@pytest.mark.benchmark(group="T2")
def test_t2_floor(benchmark, build) -> None:
    req = build("t2")
    assert benchmark(earliest_common_start, req) is not None


@pytest.mark.benchmark(group="T2")
def test_t2_infeasible(benchmark, build) -> None:
    req = build("t2", "infeasible")
    result = benchmark.pedantic(bridge_sched.solve, args=(req,), rounds=7, warmup_rounds=1)
    _check_infeasible(req, result, scenarios.TIERS["t2"].infeasible_mode)


# --------------------------------------------------------------------------- #
# T3 large: 8 roles x 60 candidates, 500 people, 14 days, 1-minute step, ~200k busy
# --------------------------------------------------------------------------- #
@pytest.mark.benchmark(group="T3")
def test_t3_feasible(benchmark, build) -> None:
    req = build("t3")
    assert 150_000 <= scenarios.busy_count(req) <= 260_000
    result = benchmark.pedantic(bridge_sched.solve, args=(req,), rounds=5, warmup_rounds=1)
    assert len(result.slots) == 5
    _check_feasible(req, result)


@pytest.mark.benchmark(group="T3")
def test_t3_floor(benchmark, build) -> None:
    req = build("t3")
    assert benchmark.pedantic(earliest_common_start, args=(req,), rounds=7, warmup_rounds=1)


@pytest.mark.benchmark(group="T3")
@pytest.mark.parametrize("mode", ["pool_ooo", "customer_overnight"])
def test_t3_infeasible(benchmark, build, mode: str) -> None:
    req = build("t3", "infeasible", infeasible_mode=mode)
    result = benchmark.pedantic(bridge_sched.solve, args=(req,), rounds=3, warmup_rounds=1)
    _check_infeasible(req, result, mode)


@pytest.mark.benchmark(group="T3")
def test_t3_shared_pool_uses_cpsat(benchmark, build) -> None:
    """Four roles draw on one leadership bench: their cheapest picks collide, so
    the exact assignment (CP-SAT) decides, and every slot still has distinct people."""
    req = build("t3", shared_pool_roles=scenarios.LEADERSHIP_BENCH)
    result = benchmark.pedantic(bridge_sched.solve, args=(req,), rounds=3, warmup_rounds=1)
    assert len(result.slots) == 5
    assert result.meta.stats.cpsat_calls > 0
    for slot in result.slots:
        people = [a.person for a in slot.assignments]
        assert len(set(people)) == len(people)
    _check_feasible(req, result)


# --------------------------------------------------------------------------- #
# Side by side: the brute-force oracle where it finishes quickly (report.py runs
# it on every tier with a one-minute limit)
# --------------------------------------------------------------------------- #
@pytest.mark.benchmark(group="oracle")
@pytest.mark.parametrize(
    ("tier", "variant"),
    [("t1", "feasible"), ("t1", "infeasible"), ("t2", "infeasible")],
    ids=["typical", "typical-infeasible", "follow-the-sun-infeasible"],
)
def test_oracle_side_by_side(benchmark, build, tier: str, variant: str) -> None:
    from oracle import oracle_solve

    req = build(tier, variant)
    got = benchmark.pedantic(oracle_solve, args=(req,), rounds=3, warmup_rounds=0)
    ours = bridge_sched.solve(req)
    assert got.status == ours.status.value
    assert [s.start for s in got.slots] == [s.start for s in ours.slots]


# --------------------------------------------------------------------------- #
# Batch of 1,000 T1 variants (10% infeasible), and the cold CLI
# --------------------------------------------------------------------------- #
@pytest.fixture(scope="module")
def batch() -> list[bridge_sched.BridgeRequest]:
    return scenarios.batch_requests(1000)


def _solve_all(requests: list[bridge_sched.BridgeRequest]) -> list[bridge_sched.BridgeResult]:
    return [bridge_sched.solve(r) for r in requests]


@pytest.mark.benchmark(group="batch")
def test_batch_1000_variants(benchmark, batch) -> None:
    results = benchmark.pedantic(_solve_all, args=(batch,), rounds=1, warmup_rounds=0)
    counts = collections.Counter(r.status.value for r in results)
    assert sum(counts.values()) == 1000
    assert counts["escalate"] == 100
    for i, (req, res) in enumerate(zip(batch, results, strict=True)):
        if i % 10 == 9:  # the infeasible variants
            _check_infeasible(req, res, scenarios.TIERS["t1"].infeasible_mode)
        else:
            _check_feasible(req, res)


def _cli() -> int:
    exe = Path(sys.executable).with_name("bridge-sched")
    cmd = [str(exe), "demo"] if exe.exists() else [sys.executable, "-m", "bridge_sched.cli", "demo"]
    return subprocess.run(
        cmd, stdout=subprocess.DEVNULL, env=dict(os.environ), check=False
    ).returncode


@pytest.mark.benchmark(group="cli")
def test_cold_cli_demo(benchmark) -> None:
    assert benchmark.pedantic(_cli, rounds=5, warmup_rounds=1) == 0
