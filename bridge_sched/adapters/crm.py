"""Our CRM account record (``bridge_sched.crm/1``) -> :class:`~bridge_sched.adapters.CustomerPart`.

CRMs differ; the integration that exports from one writes this documented
shape (JSON Schema: :func:`json_schema`; ``docs/adapters/json-sources.md``)::

    {
      "schema": "bridge_sched.crm/1",
      "account": {
        "id": "HALV-0042",                      # required; becomes Customer.account
        "name": "Halvorsen Freight",            # optional; dropped
        "tier": "enterprise",                   # optional (default "enterprise")
        "timezone": "America/New_York",         # required; IANA name
        "csm": "crm-user-0193",                 # optional; the CSM's CRM account id
        "contacts": [                           # optional; validated, counted, dropped
          {"name": "...", "email": "...", "phone": "...", "role": "..."}
        ],
        "availability": [                       # optional; absent or null = no constraint,
          {"date": "2027-03-16", "start": "08:00", "end": "18:00"}   # [] = nothing works
        ],
        "preferred": [ ... same shape ... ],     # optional; ranking only
        "bridge": {"minutes": 30}               # optional; preferred bridge length
      }
    }

Times in ``availability``/``preferred`` are local wall-clock times in
``timezone`` on that local date (``end`` not after ``start`` crosses midnight;
``24:00`` allowed). Unknown members are errors: this is our format, so a
typo must not silently drop a constraint. Contact names, e-mail addresses and
phone numbers are checked for shape only and never reach the part, a log line
or an error message; the account's ``name`` is dropped too.
"""

from __future__ import annotations

import copy
import datetime as dt
import re

from pydantic import ValidationError

from .._tz import is_zone_name
from ..model import Customer, LocalWindow
from ._json import JsonSource, Node, read_json_document, safe_token, source_name
from ._parts import CustomerPart, Provenance

__all__ = ["SCHEMA_ID", "json_schema", "load"]

SCHEMA_ID = "bridge_sched.crm/1"
"""The value of the record's ``schema`` member."""

_ACCOUNT_KEYS = frozenset(
    {"id", "name", "tier", "timezone", "csm", "contacts", "availability", "preferred", "bridge"}
)
_CONTACT_KEYS = frozenset({"name", "email", "phone", "role"})
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")
_PHONE = re.compile(r"^\+?[0-9 ()./-]{3,40}$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_CLOCK_PATTERN = r"^(?:[01]\d|2[0-3]):[0-5]\d$|^24:00$"

_LOCAL_WINDOW_SCHEMA: dict[str, object] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["date", "start", "end"],
    "properties": {
        "date": {"type": "string", "format": "date", "description": "Local date (YYYY-MM-DD)."},
        "start": {"type": "string", "pattern": _CLOCK_PATTERN, "description": "Local HH:MM."},
        "end": {
            "type": "string",
            "pattern": _CLOCK_PATTERN,
            "description": "Local HH:MM; not after start = next day.",
        },
    },
}

_SCHEMA: dict[str, object] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://bridge-sched.invalid/schemas/crm-1.json",
    "title": "bridge_sched CRM account record",
    "description": (
        "One customer account as exported for bridge_sched. Contacts are validated and "
        "counted, never used; the account name is dropped."
    ),
    "type": "object",
    "additionalProperties": False,
    "required": ["schema", "account"],
    "properties": {
        "schema": {"const": SCHEMA_ID},
        "account": {
            "type": "object",
            "additionalProperties": False,
            "required": ["id", "timezone"],
            "properties": {
                "id": {"type": "string", "minLength": 1, "maxLength": 200},
                "name": {"type": "string", "maxLength": 500},
                "tier": {"type": "string", "minLength": 1, "maxLength": 64},
                "timezone": {"type": "string", "description": "IANA zone name."},
                "csm": {"type": ["string", "null"], "minLength": 1, "maxLength": 300},
                "contacts": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "additionalProperties": False,
                        "properties": {
                            "name": {"type": ["string", "null"]},
                            "email": {"type": ["string", "null"], "pattern": _EMAIL.pattern},
                            "phone": {"type": ["string", "null"], "pattern": _PHONE.pattern},
                            "role": {"type": ["string", "null"]},
                        },
                    },
                },
                "availability": {
                    "type": ["array", "null"],
                    "items": _LOCAL_WINDOW_SCHEMA,
                    "description": "Absent or null: no constraint; empty: no time works.",
                },
                "preferred": {"type": "array", "items": _LOCAL_WINDOW_SCHEMA},
                "bridge": {
                    "type": "object",
                    "additionalProperties": False,
                    "properties": {"minutes": {"type": "integer", "minimum": 5, "maximum": 480}},
                },
            },
        },
    },
}


def json_schema() -> dict[str, object]:
    """The JSON Schema (draft 2020-12) of a ``bridge_sched.crm/1`` record (a fresh copy)."""
    return copy.deepcopy(_SCHEMA)


def _only(node: Node, allowed: frozenset[str]) -> None:
    for key in node.obj():
        if key not in allowed:
            shown = key if re.match(r"^[A-Za-z_][A-Za-z0-9_]{0,40}$", key) else "<member name>"
            node.fail(f"unknown member (allowed: {', '.join(sorted(allowed))})", shown)


def _windows(node: Node) -> tuple[LocalWindow, ...]:
    out: list[LocalWindow] = []
    for item in node.items():
        _only(item, frozenset({"date", "start", "end"}))
        date_node = item.key("date")
        date_text = date_node.text()
        if not _DATE.match(date_text):
            date_node.fail("expected a date YYYY-MM-DD", safe_token(date_text))
        try:
            date = dt.date.fromisoformat(date_text)
        except ValueError:
            date_node.fail("not a calendar date", safe_token(date_text))
        start, end = item.key("start").text(), item.key("end").text()
        try:
            out.append(LocalWindow(date=date, start=start, end=end))
        except ValidationError:
            item.fail(
                "expected local times HH:MM (00:00-24:00) that are not equal",
                f"{safe_token(start, 10)}-{safe_token(end, 10)}",
            )
    return tuple(out)


def _contacts(node: Node) -> int:
    count = 0
    for item in node.items():
        _only(item, _CONTACT_KEYS)
        for key in sorted(_CONTACT_KEYS):
            value = item.get(key)
            if value is None:
                continue
            text = value.text(allow_empty=True)  # type checked; the text is never echoed
            if key == "email" and text and not _EMAIL.match(text):
                value.fail("not an e-mail address", "contact e-mail")
            if key == "phone" and text and not _PHONE.match(text):
                value.fail("not a phone number", "contact phone")
        count += 1
    return count


def load(source: JsonSource, *, fetched_at: dt.datetime, name: str | None = None) -> CustomerPart:
    """Read a ``bridge_sched.crm/1`` account record.

    Parameters
    ----------
    source
        Path or raw bytes of the record.
    fetched_at
        When the record was exported (aware).
    name
        Label for provenance and errors (default: the file name).

    Returns
    -------
    CustomerPart
        ``customer.account`` is the CRM account id; ``contacts`` is the number
        of contacts (their details are dropped).

    Raises
    ------
    AdapterError
        Malformed JSON, a wrong ``schema``, an unknown member, a zone that is
        not an IANA name, a bad date or local time, a bad contact shape.
    """
    label = source_name(source, name, "crm-account.json")
    doc = read_json_document(source, label)
    root = doc.root
    _only(root, frozenset({"schema", "account"}))
    schema = root.key("schema")
    if schema.text() != SCHEMA_ID:
        schema.fail(f"expected {SCHEMA_ID!r}", safe_token(schema.text(), 40))
    account = root.key("account")
    _only(account, _ACCOUNT_KEYS)
    account_id = account.key("id").text()
    if len(account_id) > 200:
        account.key("id").fail("at most 200 characters", f"{len(account_id)} characters")
    zone_node = account.key("timezone")
    zone = zone_node.text()
    if not is_zone_name(zone):
        zone_node.fail("not an IANA time zone name (e.g. 'America/New_York')", safe_token(zone))
    name_node = account.get("name")
    if name_node is not None:
        name_node.text(allow_empty=True)  # shape only; dropped
    tier_node = account.get("tier")
    tier = "enterprise"
    if tier_node is not None:
        tier = tier_node.text().strip()
        if len(tier) > 64:
            tier_node.fail("at most 64 characters", f"{len(tier)} characters")
    csm_node = account.get("csm")
    csm: str | None = None
    if csm_node is not None:
        csm = csm_node.text()
        if len(csm) > 300:
            csm_node.fail("at most 300 characters", f"{len(csm)} characters")
    contacts_node = account.get("contacts")
    contacts = _contacts(contacts_node) if contacts_node is not None else 0
    availability_node = account.get("availability")
    availability = _windows(availability_node) if availability_node is not None else None
    preferred_node = account.get("preferred")
    preferred = _windows(preferred_node) if preferred_node is not None else ()
    bridge_node = account.get("bridge")
    minutes: int | None = None
    if bridge_node is not None:
        _only(bridge_node, frozenset({"minutes"}))
        minutes_node = bridge_node.get("minutes")
        if minutes_node is not None:
            minutes = minutes_node.integer(minimum=5, maximum=480)
    return CustomerPart(
        customer=Customer(
            account=account_id, timezone=zone, availability=availability, preferred=preferred
        ),
        account_tier=tier,
        csm_account=csm,
        bridge_minutes=minutes,
        contacts=contacts,
        provenance=Provenance(
            source="crm", kind="crm", name=label, fetched_at=fetched_at, repairs=doc.repairs
        ),
    )
