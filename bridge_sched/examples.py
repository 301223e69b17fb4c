"""Embedded example requests (fictional company and people), shipped in the package."""

from __future__ import annotations

from importlib import resources

from .model import BridgeRequest

__all__ = ["example_json", "example_names", "load_example"]

_EXAMPLES = ("northwind-sev1", "northwind-escalate")


def example_names() -> tuple[str, ...]:
    """Names of the embedded examples; the first is the default."""
    return _EXAMPLES


def example_json(name: str = _EXAMPLES[0]) -> str:
    """The JSON text of an embedded example."""
    if name not in _EXAMPLES:
        raise KeyError(f"unknown example {name!r}; choose one of {', '.join(_EXAMPLES)}")
    return resources.files("bridge_sched.data").joinpath(f"{name}.json").read_text("utf-8")


def load_example(name: str = _EXAMPLES[0]) -> BridgeRequest:
    """The embedded example ``name`` as a validated request."""
    return BridgeRequest.model_validate_json(example_json(name))
