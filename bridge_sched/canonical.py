"""Canonical JSON of a request and its SHA-256 digest.

Lists whose order carries no meaning (people, roles, busy intervals, overrides,
on-call windows, customer windows, severities) are sorted; fields keep the
fixed order of the schema and separators are compact, so that two requests
that mean the same thing have the same digest. Candidate pools keep their
order: it says who is primary.
"""

from __future__ import annotations

import hashlib
import operator

from .model import BridgeRequest, Candidate, Customer, LocalWindow, Person, Role

__all__ = ["canonical_json", "canonical_request", "request_digest"]


_BUSY_KEY = operator.attrgetter("start", "end", "kind")  # kind is a str enum: compares by value


def _window_key(w: LocalWindow) -> tuple[str, str, str]:
    return (w.date.isoformat(), w.start, w.end)


def _person(p: Person) -> Person:
    return p.model_copy(
        update={
            "busy": tuple(sorted(p.busy, key=_BUSY_KEY)),
            "overrides": tuple(sorted(p.overrides, key=lambda o: o.date)),
        }
    )


def _candidate(c: Candidate) -> Candidate:
    if c.on_call is None:
        return c
    return c.model_copy(
        update={"on_call": tuple(sorted(c.on_call, key=lambda w: (w.start, w.end)))}
    )


def _role(r: Role) -> Role:
    update: dict[str, object] = {"candidates": tuple(_candidate(c) for c in r.candidates)}
    if r.required_for is not None:
        update["required_for"] = tuple(sorted(set(r.required_for), key=lambda s: s.value))
    return r.model_copy(update=update)


def _customer(c: Customer | None) -> Customer | None:
    if c is None:
        return None
    update: dict[str, object] = {"preferred": tuple(sorted(c.preferred, key=_window_key))}
    if c.availability is not None:
        update["availability"] = tuple(sorted(c.availability, key=_window_key))
    return c.model_copy(update=update)


def canonical_request(request: BridgeRequest) -> BridgeRequest:
    """The same request with every order-free list sorted."""
    return request.model_copy(
        update={
            "people": tuple(sorted((_person(p) for p in request.people), key=lambda p: p.id)),
            "roles": tuple(sorted((_role(r) for r in request.roles), key=lambda r: r.name)),
            "customer": _customer(request.customer),
        }
    )


def canonical_json(request: BridgeRequest) -> bytes:
    """The request as canonical JSON bytes (UTF-8)."""
    return canonical_request(request).model_dump_json().encode()


def request_digest(request: BridgeRequest) -> str:
    """``sha256:<hex>`` of :func:`canonical_json`."""
    return "sha256:" + hashlib.sha256(canonical_json(request)).hexdigest()
