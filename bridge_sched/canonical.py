"""Canonical JSON of a request and its SHA-256 digest.

Lists whose order carries no meaning (people, roles, busy intervals, overrides,
on-call windows, customer windows, severities) are sorted, keys are sorted and
separators are compact, so that two requests that mean the same thing have the
same digest. Candidate pools keep their order: it says who is primary.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from .model import BridgeRequest

__all__ = ["canonical_json", "request_digest"]


def _sort(items: list[Any], *keys: str) -> list[Any]:
    return sorted(items, key=lambda item: json.dumps([item.get(k) for k in keys], sort_keys=True))


def canonical_json(request: BridgeRequest) -> bytes:
    """The request as canonical JSON bytes (UTF-8)."""
    data = request.model_dump(mode="json")
    for person in data["people"]:
        person["busy"] = _sort(person["busy"], "start", "end", "kind")
        person["overrides"] = _sort(person["overrides"], "date")
    data["people"] = _sort(data["people"], "id")
    for role in data["roles"]:
        for cand in role["candidates"]:
            if cand["on_call"] is not None:
                cand["on_call"] = _sort(cand["on_call"], "start", "end")
        if role["required_for"] is not None:
            role["required_for"] = sorted(role["required_for"])
    data["roles"] = _sort(data["roles"], "name")
    customer = data.get("customer")
    if customer is not None:
        if customer["availability"] is not None:
            customer["availability"] = _sort(customer["availability"], "date", "start", "end")
        customer["preferred"] = _sort(customer["preferred"], "date", "start", "end")
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def request_digest(request: BridgeRequest) -> str:
    """``sha256:<hex>`` of :func:`canonical_json`."""
    return "sha256:" + hashlib.sha256(canonical_json(request)).hexdigest()
