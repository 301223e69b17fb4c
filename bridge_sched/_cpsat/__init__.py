"""Private CP-SAT backend: the combinatorial part of the decision (who fills which role)."""

from .assign import AssignmentProblem, AssignmentSolution, solve_assignment

__all__ = ["AssignmentProblem", "AssignmentSolution", "solve_assignment"]
