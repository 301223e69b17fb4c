"""Role assignment for one candidate segment, as a CP-SAT model.

The model is built in a fixed order: variables, then constraints (one private
function per rule family), then the objective. CP-SAT runs on one worker with a
fixed seed and no time limit, so the answer never depends on timing.

The optimum is lexicographic: first the weighted cost (approvals, substitutes,
substitute depth, tentative conflicts, already folded into one integer by the
caller), then the tuple of person ids in role order. The second stage fixes
the cost and minimises the id ranks, in one weighted objective when the
weights fit in 62 bits and role by role otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass

from ortools.sat.python import cp_model

from ..errors import SolverError

__all__ = ["AssignmentProblem", "AssignmentSolution", "solve_assignment"]

_MAX_WEIGHT = 1 << 62


@dataclass(frozen=True)
class AssignmentProblem:
    """Eligible candidates per role, in role order.

    ``options[r]`` lists ``(person, cost, id_rank)`` for role ``r``: ``person``
    is a global person index, ``id_rank`` the rank of the person's id among
    role ``r``'s options (0 = smallest id).
    """

    options: tuple[tuple[tuple[int, int, int], ...], ...]
    distinct: bool = True


@dataclass(frozen=True)
class AssignmentSolution:
    """Chosen option index per role, its total cost and CP-SAT effort."""

    choice: tuple[int, ...] | None
    cost: int
    calls: int
    branches: int


class _Model:
    def __init__(self, problem: AssignmentProblem) -> None:
        self.problem = problem
        self.model = cp_model.CpModel()
        self.x: list[list[cp_model.IntVar]] = []
        self._variables()
        self._one_person_per_role()
        if problem.distinct:
            self._distinct_people()

    def _variables(self) -> None:
        for r, options in enumerate(self.problem.options):
            self.x.append([self.model.new_bool_var(f"x_{r}_{i}") for i in range(len(options))])

    def _one_person_per_role(self) -> None:
        for row in self.x:
            self.model.add_exactly_one(row)

    def _distinct_people(self) -> None:
        by_person: dict[int, list[cp_model.IntVar]] = {}
        for r, options in enumerate(self.problem.options):
            for i, (person, _cost, _rank) in enumerate(options):
                by_person.setdefault(person, []).append(self.x[r][i])
        for person in sorted(by_person):
            if len(by_person[person]) > 1:
                self.model.add_at_most_one(by_person[person])

    def cost_expr(self) -> cp_model.LinearExprT:
        return cp_model.LinearExpr.weighted_sum(
            [v for row in self.x for v in row],
            [opt[1] for options in self.problem.options for opt in options],
        )


def _solver(seed: int) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = seed
    solver.parameters.log_search_progress = False
    solver.parameters.linearization_level = 2
    return solver


def _run(model: _Model, seed: int) -> tuple[cp_model.CpSolver, bool, int]:
    solver = _solver(seed)
    status = solver.solve(model.model)
    if status == cp_model.INFEASIBLE:
        return solver, False, int(solver.num_branches)
    if status != cp_model.OPTIMAL:
        raise SolverError(f"CP-SAT returned {solver.status_name(status)} for an assignment model")
    return solver, True, int(solver.num_branches)


def solve_assignment(problem: AssignmentProblem, seed: int = 0) -> AssignmentSolution:
    """Lexicographically best assignment, or ``choice=None`` when none exists."""
    calls = 0
    branches = 0
    if any(len(options) == 0 for options in problem.options):
        return AssignmentSolution(None, 0, calls, branches)

    sizes = [len(options) for options in problem.options]
    weights: list[int] = []
    acc = 1
    for size in reversed(sizes):
        weights.append(acc)
        acc *= size
    weights.reverse()

    max_cost = sum(max(opt[1] for opt in options) for options in problem.options)
    one_stage = [
        opt[1] * acc + opt[2] * weights[r]
        for r, options in enumerate(problem.options)
        for opt in options
    ]
    # CP-SAT rejects a model whose objective coefficients could sum past 2^63
    if (max_cost + 1) * acc < _MAX_WEIGHT and sum(one_stage) < _MAX_WEIGHT:
        # one stage: cost dominates, the id ranks break ties
        single = _Model(problem)
        single.model.minimize(
            cp_model.LinearExpr.weighted_sum([v for row in single.x for v in row], one_stage)
        )
        solver, ok, used = _run(single, seed)
        if not ok:
            return AssignmentSolution(None, 0, 1, used)
        picked = tuple(
            next(i for i, var in enumerate(row) if solver.boolean_value(var)) for row in single.x
        )
        cost = sum(problem.options[r][c][1] for r, c in enumerate(picked))
        return AssignmentSolution(picked, cost, 1, used)

    stage1 = _Model(problem)
    stage1.model.minimize(stage1.cost_expr())
    solver, ok, used = _run(stage1, seed)
    calls, branches = calls + 1, branches + used
    if not ok:
        return AssignmentSolution(None, 0, calls, branches)
    best_cost = round(solver.objective_value)

    fixed: list[int | None] = [None] * len(sizes)
    tie_sum = sum(
        opt[2] * weights[r] for r, options in enumerate(problem.options) for opt in options
    )
    order = [None] if acc < _MAX_WEIGHT and tie_sum < _MAX_WEIGHT else list(range(len(sizes)))
    for role in order:
        stage = _Model(problem)
        stage.model.add(stage.cost_expr() == best_cost)
        for r, choice in enumerate(fixed):
            if choice is not None:
                stage.model.add(stage.x[r][choice] == 1)
        if role is None:
            terms = [
                (stage.x[r][i], opt[2] * weights[r])
                for r, options in enumerate(problem.options)
                for i, opt in enumerate(options)
            ]
        else:
            terms = [(stage.x[role][i], opt[2]) for i, opt in enumerate(problem.options[role])]
        stage.model.minimize(
            cp_model.LinearExpr.weighted_sum([t[0] for t in terms], [t[1] for t in terms])
        )
        solver, ok, used = _run(stage, seed)
        calls, branches = calls + 1, branches + used
        if not ok:  # cannot happen: stage 1 proved a solution with this cost exists
            raise SolverError("tie-break stage infeasible after an optimal first stage")
        values = [
            next(i for i, var in enumerate(row) if solver.boolean_value(var)) for row in stage.x
        ]
        if role is None:
            fixed = list(values)
        else:
            fixed[role] = values[role]
    final = tuple(int(c) for c in fixed if c is not None)
    return AssignmentSolution(final, best_cost, calls, branches)
