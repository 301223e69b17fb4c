"""Explanations of an escalation: minimal conflicts and cheapest relaxations.

Minimality is checked by re-solving: the conflict's groups together are
infeasible, and without any one of them feasible, judged by the CP-SAT model
of all groups (``ConflictModel``), independently of the interval fast path
that found the conflict.
"""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings

from bridge_sched import BridgeRequest, SolveParams, Status, load_example, solve
from bridge_sched._compile import compile_request
from bridge_sched._cpsat.conflict import ConflictModel
from bridge_sched._explain import _Builder, explain

try:
    from tests.oracle import _grid, oracle_solve
    from tests.strategies import bridge_requests
except ImportError:  # pragma: no cover - run from inside tests/
    from oracle import _grid, oracle_solve  # type: ignore[no-redef]
    from strategies import bridge_requests  # type: ignore[no-redef]

UTC = dt.timezone.utc


def _check_minimal(request: BridgeRequest, conflict_ids: list[str]) -> None:
    compiled = compile_request(request)
    builder = _Builder(compiled, 240)
    builder.build()
    model = ConflictModel(builder.problem())
    index = {g.id: i for i, g in enumerate(builder.groups)}
    conflict = [index[i] for i in conflict_ids]
    assert not model.feasible(conflict), "the conflict must be infeasible on its own"
    for g in conflict:
        rest = [x for x in conflict if x != g]
        assert model.feasible(rest), f"dropping {builder.groups[g].id} must make it feasible"


def test_escalation_example_conflict_and_relaxations() -> None:
    result = solve(load_example("northwind-escalate"))
    assert result.status == Status.escalate
    esc = result.escalation
    assert esc is not None
    assert [g.id for g in esc.conflict] == [
        "customer_window",
        "overnight:eng-hiro",
        "out_of_office:eng-eli",
        "role:engineering_owner",
    ]
    assert [g.tier for g in esc.conflict] == ["approval", "approval", "never", "never"]
    first = esc.relaxations[0]
    assert first.groups == ("overnight:eng-hiro",)
    assert first.cost == 40
    assert first.start == dt.datetime(2027, 3, 16, 13, 0, tzinfo=UTC)
    assert first.approvers == ("incident_leadership",)
    assert dict(first.assignments)["engineering_owner"] == "eng-hiro"
    assert esc.relaxations[1].groups == ("customer_window",)
    assert esc.relaxations[1].approvers == ("account_team",)
    _check_minimal(load_example("northwind-escalate"), [g.id for g in esc.conflict])


def test_relaxation_slots_are_real_under_the_relaxation() -> None:
    """Re-solving with the relaxed rule switched off (overnight for everyone) finds that start."""
    req = load_example("northwind-escalate")
    esc = solve(req).escalation
    assert esc is not None
    compiled = compile_request(req)
    builder = _Builder(compiled, 240)
    builder.build()
    model = ConflictModel(builder.problem())
    enforced = [i for i, g in enumerate(builder.groups) if g.id != "overnight:eng-hiro"]
    assert model.feasible(enforced)


@settings(
    max_examples=120,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(request=bridge_requests())
def test_conflicts_are_minimal(request: BridgeRequest) -> None:
    result = solve(request)
    if result.status != Status.escalate:
        return
    esc = result.escalation
    assert esc is not None
    compiled = compile_request(request)
    if not esc.conflict:
        # only a start-less horizon has an empty conflict (no grid start at all)
        assert _Builder(compiled, 240).n == 0 or not compiled.roles
        return
    _check_minimal(request, [g.id for g in esc.conflict])
    # every relaxation switches off approval-tier groups only, and really opens a slot
    builder = _Builder(compiled, 240)
    builder.build()
    model = ConflictModel(builder.problem())
    tiers = {g.id: g.tier for g in builder.groups}
    for relax in esc.relaxations:
        assert relax.groups and relax.cost > 0 and relax.approvers
        assert all(tiers[g] == "approval" for g in relax.groups)
        enforced = [i for i, g in enumerate(builder.groups) if g.id not in relax.groups]
        assert model.feasible(enforced)


def test_explanations_are_deterministic() -> None:
    req = load_example("northwind-escalate")
    first = solve(req).model_dump_json()
    assert all(solve(req).model_dump_json() == first for _ in range(3))
    compiled = compile_request(req)
    a, b = explain(compiled), explain(compiled)
    assert a.conflict == b.conflict and a.relaxations == b.relaxations


def test_rejections_of_the_embedded_example() -> None:
    result = solve(load_example(), SolveParams(rejections=True))
    assert [(r.first_start, r.last_start, r.rule, r.role) for r in result.rejections] == [
        (
            dt.datetime(2027, 3, 16, 12, 0, tzinfo=UTC),
            dt.datetime(2027, 3, 16, 12, 55, tzinfo=UTC),
            "customer_window",
            None,
        ),
        (
            dt.datetime(2027, 3, 16, 14, 35, tzinfo=UTC),
            dt.datetime(2027, 3, 16, 15, 25, tzinfo=UTC),
            "role",
            "engineering_owner",
        ),
    ]
    assert result.rejections[1].blockers == (
        ("eng-dara", ("busy:eng-dara",)),
        ("eng-eli", ("out_of_office:eng-eli",)),
    )
    assert result.rejections[1].message == (
        "starts 2027-03-16 14:35-15:25 UTC: engineering_owner - eng-dara busy; eng-eli out of office"
    )
    assert solve(load_example()).rejections == ()  # only when asked for


@settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(request=bridge_requests())
def test_rejected_starts_are_exactly_the_oracles_invalid_starts(request: BridgeRequest) -> None:
    """Every grid start is either rejected (with a reason) or valid for the brute-force oracle."""
    result = solve(request, SolveParams(rejections=True))
    step = dt.timedelta(minutes=request.meeting.step_minutes)
    rejected = set()
    for r in result.rejections:
        t = r.first_start
        while t <= r.last_start:
            rejected.add(t)
            t += step
    oracle = oracle_solve(request)
    grid = set(_grid(request))
    assert rejected <= grid
    assert grid - rejected == set(oracle.valid)
