"""Same request, same bytes: repeat solves, shuffled order-free lists, seeds, processes."""

from __future__ import annotations

import copy
import functools
import json
import os
import random
import subprocess
import sys
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bridge_sched import (
    BridgeRequest,
    BridgeResult,
    SolveParams,
    load_example,
    request_digest,
    solve,
)
from bridge_sched.examples import example_json, example_names


def _enriched(name: str) -> dict[str, Any]:
    """An embedded example with every order-free list made non-trivial.

    Adds date overrides, several busy kinds, touching on-call shifts, more
    customer availability/preferred windows and an unsorted ``required_for``.
    """
    data: dict[str, Any] = json.loads(example_json(name))
    people = {p["id"]: p for p in data["people"]}
    people["sup-ravi"]["overrides"] = [
        {"date": "2027-03-15", "hours": [{"start": "10:00", "end": "18:00"}]},
        {
            "date": "2027-03-16",
            "hours": [{"start": "08:00", "end": "12:00"}, {"start": "13:00", "end": "17:00"}],
        },
        {"date": "2027-03-17", "hours": []},
    ]
    kinds = ["busy", "tentative", "focus", "unknown", "busy", "out_of_office", "tentative"]
    people["lead-mei"]["busy"] = [
        {"start": f"2027-03-16T{h:02d}:00:00Z", "end": f"2027-03-16T{h:02d}:20:00Z", "kind": k}
        for h, k in zip(range(10, 17), kinds, strict=True)
    ]
    for role in data["roles"]:
        if role["name"] == "incident_commander":
            role["candidates"][1] = {
                "person": role["candidates"][1],
                "on_call": [
                    {"start": "2027-03-16T08:00:00Z", "end": "2027-03-16T12:00:00Z"},
                    {"start": "2027-03-16T12:00:00Z", "end": "2027-03-16T15:00:00Z"},
                    {"start": "2027-03-16T15:00:00Z", "end": "2027-03-16T20:00:00Z"},
                ],
            }
        if role["name"] == "leadership_delegate":
            role["required_for"] = ["sev2", "sev1", "sev3"]
    data["customer"]["availability"] += [
        {"date": "2027-03-15", "start": "09:00", "end": "17:00"},
        {"date": "2027-03-16", "start": "15:00", "end": "16:00"},
    ]
    data["customer"]["preferred"] += [
        {"date": "2027-03-16", "start": "13:00", "end": "13:15"},
        {"date": "2027-03-17", "start": "10:00", "end": "12:00"},
    ]
    return data


def _shuffled(data: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """A copy of ``data`` with every order-free list permuted (candidate pools keep order)."""
    out = copy.deepcopy(data)
    rng.shuffle(out["people"])
    for person in out["people"]:
        rng.shuffle(person.get("busy", []))
        rng.shuffle(person.get("overrides", []))
    rng.shuffle(out["roles"])
    for role in out["roles"]:
        for cand in role["candidates"]:
            if isinstance(cand, dict) and cand.get("on_call"):
                rng.shuffle(cand["on_call"])
        if role.get("required_for"):
            rng.shuffle(role["required_for"])
    customer = out["customer"]
    rng.shuffle(customer["availability"])
    rng.shuffle(customer["preferred"])
    keys = list(out)
    rng.shuffle(keys)
    return {k: out[k] for k in keys}


ENRICHED = {name: _enriched(name) for name in example_names()}


@functools.cache
def _reference(name: str) -> str:
    """The JSON result of the unshuffled enriched request ``name``."""
    return solve(ENRICHED[name]).model_dump_json()


def test_enriched_examples_keep_their_status() -> None:
    """The enriched requests still schedule / escalate like the embedded examples."""
    assert solve(ENRICHED["northwind-sev1"]).status.value == "scheduled"
    assert solve(ENRICHED["northwind-escalate"]).status.value == "escalate"


@pytest.mark.parametrize("name", example_names())
def test_solve_twice_same_bytes(name: str) -> None:
    """Solving the same example twice gives byte-identical JSON."""
    first = solve(load_example(name)).model_dump_json()
    second = solve(load_example(name)).model_dump_json()
    assert first == second
    assert solve(example_json(name)).model_dump_json() == first


@pytest.mark.parametrize("name", example_names())
def test_shuffled_lists_same_bytes_seeded(name: str) -> None:
    """Permuting every order-free list (seeded) changes neither the result nor the digest."""
    rng = random.Random(20270316)
    reference = _reference(name)
    digest = json.loads(reference)["meta"]["request_digest"]
    for _ in range(8):
        shuffled = _shuffled(ENRICHED[name], rng)
        result = solve(shuffled)
        assert result.model_dump_json() == reference
        assert result.meta.request_digest == digest
        assert request_digest(BridgeRequest.model_validate(shuffled)) == digest


@settings(
    max_examples=30,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(name=st.sampled_from(example_names()), rng=st.randoms(use_true_random=False))
def test_shuffled_lists_same_bytes_hypothesis(name: str, rng: random.Random) -> None:
    """Hypothesis-chosen permutations of order-free lists give byte-identical results."""
    result = solve(_shuffled(ENRICHED[name], rng))
    assert result.model_dump_json() == _reference(name)


def test_digest_changes_with_candidate_order() -> None:
    """Candidate pools are ordered (primary first), so swapping them changes the digest."""
    data = copy.deepcopy(ENRICHED["northwind-sev1"])
    before = request_digest(BridgeRequest.model_validate(data))
    data["roles"][0]["candidates"].reverse()
    assert request_digest(BridgeRequest.model_validate(data)) != before


@pytest.mark.parametrize("seed", [1, 7, 12345, 2**31 - 1])
@pytest.mark.parametrize("name", example_names())
def test_seed_does_not_change_bytes(name: str, seed: int) -> None:
    """Different SolveParams seeds give identical bytes."""
    reference = solve(load_example(name)).model_dump_json()
    assert solve(load_example(name), SolveParams(seed=seed)).model_dump_json() == reference
    enriched = solve(ENRICHED[name], SolveParams(seed=seed)).model_dump_json()
    assert enriched == _reference(name)


@pytest.mark.parametrize("name", example_names())
def test_request_json_round_trip(name: str) -> None:
    """model_dump_json -> model_validate_json gives back an equal request (and digest)."""
    for request in (load_example(name), BridgeRequest.model_validate(ENRICHED[name])):
        again = BridgeRequest.model_validate_json(request.model_dump_json())
        assert again == request
        assert again.model_dump_json() == request.model_dump_json()
        assert request_digest(again) == request_digest(request)


@pytest.mark.parametrize("name", example_names())
def test_result_json_round_trip(name: str) -> None:
    """A result survives its own JSON round trip unchanged."""
    result = solve(ENRICHED[name])
    again = BridgeResult.model_validate_json(result.model_dump_json())
    assert again == result
    assert again.model_dump_json() == result.model_dump_json()


def test_json_schemas_exported() -> None:
    """Request and result JSON Schemas are exported and serialisable."""
    request_schema = BridgeRequest.model_json_schema()
    result_schema = BridgeResult.model_json_schema()
    assert request_schema["title"] == "BridgeRequest"
    assert result_schema["title"] == "BridgeResult"
    assert {"incident", "now", "window", "meeting", "roles", "people"} <= set(
        request_schema["required"]
    )
    assert "status" in result_schema["properties"]
    assert request_schema["additionalProperties"] is False
    json.dumps(request_schema, sort_keys=True)
    json.dumps(result_schema, sort_keys=True)


_CHILD = (
    "import sys\n"
    "from bridge_sched import solve, load_example\n"
    "from bridge_sched.examples import example_names\n"
    "sys.stdout.write('\\n'.join(solve(load_example(n)).model_dump_json() "
    "for n in example_names()))\n"
)


@pytest.mark.parametrize("hash_seed", ["0", "4242"])
def test_fresh_process_same_bytes(hash_seed: str) -> None:
    """A fresh interpreter (with a different hash seed) produces the same bytes as in-process."""
    env = {**os.environ, "PYTHONHASHSEED": hash_seed}
    proc = subprocess.run(
        [sys.executable, "-c", _CHILD],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=True,
    )
    expected = "\n".join(solve(load_example(n)).model_dump_json() for n in example_names())
    assert proc.stdout == expected
