"""Feasibility of a bridge under named constraint groups, as one CP-SAT model.

Variables: ``k`` (the grid index of the start), ``x[p]`` per (role, candidate)
pair, and one literal per *group*. A group's constraints hold only when its
literal is true (``OnlyEnforceIf``):

* a *global* group restricts ``k`` to its allowed grid intervals;
* a *pair* group restricts ``k`` when that pair is chosen (``x[p] and g``);
* a *role* group asks for exactly one chosen pair of the role (at most one
  always holds);
* the *distinct* group asks for at most one role per person.

Feasibility of a set of groups is a solve with those literals as assumptions
(the others are free, i.e. relaxed). An infeasible solve yields a core
(``sufficient_assumptions_for_infeasibility``), which deletion in a fixed
order shrinks to a minimal conflict. Relaxations minimise the cost of the
groups switched off, then the start. CP-SAT runs on one worker with a fixed
seed and no time limit, like the assignment model.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ortools.sat.python import cp_model

from ..errors import SolverError

__all__ = ["BudgetExceeded", "ConflictModel", "ConflictProblem", "Witness"]

SOLVE_BUDGET = 1.0
"""Deterministic time (CP-SAT's work measure, roughly seconds) one solve may use."""
TOTAL_BUDGET = 6.0
"""Deterministic time all solves of one model may use together."""


class BudgetExceeded(Exception):
    """The explanation's CP-SAT work budget ran out (deterministically: same request, same point)."""


Intervals = tuple[tuple[int, int], ...]
"""Inclusive grid-index intervals ``(first, last)``, sorted and disjoint."""


@dataclass(frozen=True)
class ConflictProblem:
    """The compressed decision with every rule tied to a group index.

    Attributes
    ----------
    n_slots
        Grid indices ``0 .. n_slots - 1`` (the window extended for the deadline group).
    n_groups
        Number of groups; group ``g`` has literal ``g``.
    role_pairs
        Pair indices per role.
    pair_person
        Person index of each pair.
    role_group
        The group that requires each role to be filled.
    distinct_group
        The group that forbids one person in two roles, if any.
    global_allowed
        ``(group, allowed intervals)``: starts the group admits.
    pair_allowed
        ``(pair, group, allowed intervals)``: starts the group admits for that pair.
    """

    n_slots: int
    n_groups: int
    role_pairs: tuple[tuple[int, ...], ...]
    pair_person: tuple[int, ...]
    role_group: tuple[int, ...]
    distinct_group: int | None
    global_allowed: tuple[tuple[int, Intervals], ...]
    pair_allowed: tuple[tuple[int, int, Intervals], ...]


@dataclass(frozen=True)
class Witness:
    """A feasible start (grid index) and the chosen pair per role (``None``: role relaxed)."""

    slot: int
    pairs: tuple[int | None, ...]
    relaxed: tuple[int, ...]


def _domain(intervals: Intervals) -> cp_model.Domain:
    flat = [[a, b] for a, b in intervals]
    return cp_model.Domain.from_intervals(flat) if flat else cp_model.Domain.from_values([])


class ConflictModel:
    """One CP-SAT model per problem, solved under different assumptions."""

    def __init__(self, problem: ConflictProblem, seed: int = 0) -> None:
        self.problem = problem
        self.seed = seed
        self.calls = 0
        self.work = 0.0
        self._exclusions: dict[frozenset[int], cp_model.IntVar] = {}
        m = cp_model.CpModel()
        self.model = m
        self.k = m.new_int_var(0, max(problem.n_slots - 1, 0), "k")
        self.g = [m.new_bool_var(f"g_{i}") for i in range(problem.n_groups)]
        self.x = [m.new_bool_var(f"x_{p}") for p in range(len(problem.pair_person))]
        if problem.n_slots == 0:
            m.add_bool_or([])  # no start at all: infeasible whatever the groups
        for r, pairs in enumerate(problem.role_pairs):
            xs = [self.x[p] for p in pairs]
            m.add_at_most_one(xs)
            m.add_bool_or(xs).only_enforce_if(self.g[problem.role_group[r]])
        if problem.distinct_group is not None:
            by_person: dict[int, list[cp_model.IntVar]] = {}
            for p, person in enumerate(problem.pair_person):
                by_person.setdefault(person, []).append(self.x[p])
            for person in sorted(by_person):
                if len(by_person[person]) > 1:
                    m.add_at_most_one(by_person[person]).only_enforce_if(
                        self.g[problem.distinct_group]
                    )
        for group, allowed in problem.global_allowed:
            m.add_linear_expression_in_domain(self.k, _domain(allowed)).only_enforce_if(
                self.g[group]
            )
        for pair, group, allowed in problem.pair_allowed:
            m.add_linear_expression_in_domain(self.k, _domain(allowed)).only_enforce_if(
                [self.x[pair], self.g[group]]
            )

    def _solver(self) -> cp_model.CpSolver:
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1
        solver.parameters.random_seed = self.seed
        solver.parameters.log_search_progress = False
        solver.parameters.max_deterministic_time = min(SOLVE_BUDGET, TOTAL_BUDGET - self.work)
        return solver

    def _account(self, solver: cp_model.CpSolver, status: Any) -> None:
        self.calls += 1
        self.work += float(solver.deterministic_time)
        if status == cp_model.UNKNOWN or self.work >= TOTAL_BUDGET:
            raise BudgetExceeded()

    def _solve(self, enforced: Sequence[int]) -> tuple[cp_model.CpSolver, bool]:
        self.model.clear_assumptions()
        self.model.clear_objective()  # type: ignore[no-untyped-call]
        self.model.add_assumptions([self.g[i] for i in sorted(enforced)])
        solver = self._solver()
        status = solver.solve(self.model)
        self._account(solver, status)
        if status == cp_model.INFEASIBLE:
            return solver, False
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            raise SolverError(f"CP-SAT returned {solver.status_name(status)} for a conflict model")
        return solver, True

    def feasible(self, enforced: Sequence[int]) -> bool:
        """Whether some start satisfies every group in ``enforced`` (the rest relaxed)."""
        return self._solve(enforced)[1]

    def minimal_conflict(self, enforced: Sequence[int], order: Sequence[int]) -> tuple[int, ...]:
        """A minimal infeasible subset of ``enforced`` (which must be infeasible).

        Start from CP-SAT's core, then try to drop each group in ``order``
        (groups missing from ``order`` are tried last, by index); a group stays
        only if the rest becomes feasible without it. After each successful
        drop the set shrinks to the new core as well.
        """
        solver, ok = self._solve(enforced)
        if ok:
            raise ValueError("the enforced groups are feasible; there is no conflict")
        index = {lit.index: i for i, lit in enumerate(self.g)}
        current = {index[v] for v in solver.sufficient_assumptions_for_infeasibility()}
        if not current:  # infeasible whatever the groups (e.g. no grid start)
            return ()
        rank = {g: i for i, g in enumerate(order)}
        for g in sorted(current, key=lambda g: (rank.get(g, len(rank)), g)):
            if g not in current:
                continue
            trial = current - {g}
            solver, ok = self._solve(sorted(trial))
            if not ok:
                core = {index[v] for v in solver.sufficient_assumptions_for_infeasibility()}
                current = core if core and core <= trial else trial
        return tuple(sorted(current, key=lambda g: (rank.get(g, len(rank)), g)))

    def cheapest(
        self,
        fixed: Sequence[int],
        costs: dict[int, int],
        ranks: Sequence[int],
        exclude: Sequence[frozenset[int]] = (),
    ) -> Witness | None:
        """The cheapest set of groups to switch off, then the earliest start, then pool ranks.

        ``fixed`` groups are enforced; each group in ``costs`` may be switched
        off at its cost; any other group is free. ``ranks`` is the pool
        position of each pair (primary 0). ``exclude`` lists relaxation sets
        already reported: no answer switches off a superset of one of them.
        """
        m = self.model
        m.clear_assumptions()
        m.clear_objective()  # type: ignore[no-untyped-call]
        assume = [self.g[i] for i in sorted(fixed)]
        for found in exclude:
            if found not in self._exclusions:
                lit = m.new_bool_var(f"exclude_{len(self._exclusions)}")
                m.add_bool_or([self.g[g] for g in sorted(found)]).only_enforce_if(lit)
                self._exclusions[found] = lit
            assume.append(self._exclusions[found])
        m.add_assumptions(assume)
        rank_scale = (
            sum(max((ranks[p] for p in role), default=0) for role in self.problem.role_pairs) + 1
        )
        slot_scale = rank_scale
        cost_scale = (self.problem.n_slots + 1) * slot_scale
        m.minimize(
            sum(costs[g] * cost_scale * self.g[g].Not() for g in sorted(costs))
            + slot_scale * self.k
            + sum(ranks[p] * self.x[p] for p in range(len(self.x)))
        )
        solver = self._solver()
        status = solver.solve(m)
        m.clear_objective()  # type: ignore[no-untyped-call]
        m.clear_assumptions()
        self._account(solver, status)
        if status == cp_model.FEASIBLE:  # stopped by the per-solve budget before proving it
            raise BudgetExceeded()
        if status == cp_model.INFEASIBLE:
            return None
        if status != cp_model.OPTIMAL:
            raise SolverError(f"CP-SAT returned {solver.status_name(status)} for a relaxation")
        pairs: list[int | None] = []
        for role in self.problem.role_pairs:
            chosen = [p for p in role if solver.boolean_value(self.x[p])]
            pairs.append(chosen[0] if chosen else None)
        relaxed = tuple(g for g in sorted(costs) if not solver.boolean_value(self.g[g]))
        return Witness(int(solver.value(self.k)), tuple(pairs), relaxed)
