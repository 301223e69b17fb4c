"""The public surface of ``bridge_sched``: ``__all__``, logging hygiene, typing marker."""

from __future__ import annotations

import doctest
import importlib.metadata
import inspect
import subprocess
import sys
from importlib import resources
from pathlib import Path

import pytest

import bridge_sched

ROOT = Path(__file__).resolve().parents[1]


def _public_names() -> set[str]:
    names = {
        n
        for n in dir(bridge_sched)
        if not n.startswith("_") and not inspect.ismodule(getattr(bridge_sched, n))
    }
    return names | {"__version__"}


def test_all_matches_public_names() -> None:
    """__all__ is exactly the set of public (non-module) names, plus __version__."""
    assert sorted(bridge_sched.__all__) == sorted(_public_names())


def test_all_has_no_duplicates_and_is_sorted() -> None:
    """__all__ has no duplicates and follows ruff's isort-style order (RUF022)."""
    names = bridge_sched.__all__
    assert len(names) == len(set(names))

    def key(name: str) -> tuple[int, str]:
        if name.isupper():
            return (0, name)
        if name[:1].isupper():
            return (1, name)
        return (2, name)

    assert names == sorted(names, key=key)


def test_every_name_in_all_exists() -> None:
    """Every name in __all__ is an attribute of the package."""
    missing = [n for n in bridge_sched.__all__ if not hasattr(bridge_sched, n)]
    assert missing == []


def test_submodule_all_reexported() -> None:
    """Everything a public submodule exports in its __all__ is re-exported at top level."""
    from bridge_sched import canonical, errors, model, result

    for module in (canonical, errors, model, result):
        assert set(module.__all__) <= set(bridge_sched.__all__), module.__name__


def test_solve_is_the_function() -> None:
    """bridge_sched.solve is the function, not the submodule of the same name."""
    assert callable(bridge_sched.solve)
    assert not inspect.ismodule(bridge_sched.solve)


def test_version_matches_metadata() -> None:
    """__version__ equals the installed distribution's version."""
    assert bridge_sched.__version__ == importlib.metadata.version("bridge_sched")


def test_import_attaches_no_logging_handler() -> None:
    """A fresh `import bridge_sched` (and a solve) adds no handler to its logger or the root."""
    code = (
        "import logging\n"
        "import bridge_sched\n"
        "bridge_sched.solve(bridge_sched.load_example())\n"
        "log = logging.getLogger('bridge_sched')\n"
        "print(len(log.handlers), log.propagate, log.level, len(logging.getLogger().handlers))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    assert proc.stdout.split() == ["0", "True", "0", "0"]
    assert proc.stderr == ""


def test_logger_has_no_handler_in_process() -> None:
    """The 'bridge_sched' logger carries no handler in this process either."""
    import logging

    assert logging.getLogger("bridge_sched").handlers == []


def test_py_typed_is_shipped() -> None:
    """The PEP 561 marker is present in the package and declared as package data."""
    assert resources.files("bridge_sched").joinpath("py.typed").is_file()
    tomllib = pytest.importorskip("tomllib")
    config = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    assert "py.typed" in config["tool"]["setuptools"]["package-data"]["bridge_sched"]


def test_input_error_is_value_error() -> None:
    """InputError subclasses ValueError (and BridgeSchedError); SolverError is a RuntimeError."""
    assert issubclass(bridge_sched.InputError, ValueError)
    assert issubclass(bridge_sched.InputError, bridge_sched.BridgeSchedError)
    assert issubclass(bridge_sched.SolverError, RuntimeError)
    assert not issubclass(bridge_sched.SolverError, ValueError)


def test_limits_documented_keys() -> None:
    """LIMITS exposes the documented size limits as positive integers."""
    expected = {
        "people",
        "roles",
        "candidates_per_role",
        "busy_intervals",
        "window_days",
        "overrides_per_person",
        "customer_windows",
        "on_call_windows_per_candidate",
    }
    assert expected <= set(bridge_sched.LIMITS)
    assert all(isinstance(v, int) and v > 0 for v in bridge_sched.LIMITS.values())


def test_doctest_in_package_docstring() -> None:
    """The example in the package docstring runs and holds."""
    outcome = doctest.testmod(bridge_sched, verbose=False)
    assert outcome.attempted >= 3
    assert outcome.failed == 0
