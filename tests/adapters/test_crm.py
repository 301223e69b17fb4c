"""Our CRM account record (``bridge_sched.crm/1``)."""

from __future__ import annotations

import datetime as dt
import json
import logging
from pathlib import Path
from typing import Any

import pytest

from bridge_sched.adapters import crm
from bridge_sched.errors import AdapterError
from bridge_sched.model import LocalWindow

from .conftest import FETCHED

FIXTURE = Path(__file__).parent / "fixtures" / "crm" / "halvorsen_freight.json"
CANARIES = (
    "CANARY-NAME-44c",
    "canary.email.7d1@secret.example",
    "+1 555 0199 2222",
    "CANARY-ROLE-9aa",
    "CANARY-COMPANY-3c3",
)


def test_fixture() -> None:
    part = crm.load(FIXTURE, fetched_at=FETCHED)
    assert part.customer.account == "HALV-0042"
    assert part.customer.timezone == "America/New_York"
    assert part.customer.availability == (
        LocalWindow(date=dt.date(2027, 3, 16), start="07:00", end="11:00"),
        LocalWindow(date=dt.date(2027, 3, 16), start="13:00", end="19:00"),
    )
    assert part.customer.preferred == (
        LocalWindow(date=dt.date(2027, 3, 16), start="09:00", end="10:00"),
    )
    assert part.account_tier == "enterprise"
    assert part.csm_account == "crm-user-0193"
    assert part.bridge_minutes == 45
    assert part.contacts == 2
    assert part.provenance.source == "crm" and part.provenance.kind == "crm"
    assert part.provenance.name == "halvorsen_freight.json"
    dumped = part.model_dump_json() + repr(part)
    for secret in ("Halvorsen Freight", "Ingrid", "ingrid@", "555 0147", "CTO", "Marcus"):
        assert secret not in dumped


def _record(**over: Any) -> dict[str, Any]:
    account: dict[str, Any] = {"id": "ACME-1", "timezone": "Europe/London"}
    account.update(over)
    return {"schema": "bridge_sched.crm/1", "account": account}


def _load(record: dict[str, Any]) -> Any:
    return crm.load(json.dumps(record).encode(), fetched_at=FETCHED, name="rec.json")


def test_minimal_record_and_availability_semantics() -> None:
    part = _load(_record())
    assert part.customer.availability is None  # no constraint stated
    assert part.customer.preferred == ()
    assert part.account_tier == "enterprise" and part.csm_account is None
    assert part.bridge_minutes is None and part.contacts == 0
    assert _load(_record(availability=None)).customer.availability is None
    assert _load(_record(availability=[])).customer.availability == ()  # nothing works
    part = _load(_record(availability=[{"date": "2027-03-16", "start": "22:00", "end": "02:00"}]))
    assert part.customer.availability[0].range.end_minute == 26 * 60  # crosses midnight


@pytest.mark.parametrize(
    ("record", "where", "token"),
    [
        ({"schema": "bridge_sched.crm/2", "account": {}}, "schema", "bridge_sched.crm/2"),
        (_record(timezone="Eastern Standard Time"), "account.timezone", "Eastern Standard Time"),
        (_record(tiers="gold"), "account", "tiers"),
        (_record(bridge={"minutes": 2}), "account.bridge.minutes", "2"),
        (
            _record(availability=[{"date": "2027-02-30", "start": "09:00", "end": "10:00"}]),
            "account.availability[0].date",
            "2027-02-30",
        ),
        (
            _record(preferred=[{"date": "2027-03-16", "start": "9:00", "end": "10:00"}]),
            "account.preferred[0]",
            "9:00-10:00",
        ),
        (
            _record(contacts=[{"email": "not-an-address"}]),
            "account.contacts[0].email",
            "contact e-mail",
        ),
        (_record(contacts=[{"pager": "x"}]), "account.contacts[0]", "pager"),
        ({"schema": "bridge_sched.crm/1"}, "account", "missing"),
    ],
)
def test_broken_records(record: dict[str, Any], where: str, token: str) -> None:
    with pytest.raises(AdapterError) as info:
        _load(record)
    assert info.value.where == where
    assert info.value.value == token
    assert str(info.value).startswith(f"rec.json:{where}:")


def test_json_schema_describes_the_shape() -> None:
    schema = crm.json_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    props: Any = schema["properties"]
    assert props["schema"] == {"const": crm.SCHEMA_ID}
    account = props["account"]
    assert account["required"] == ["id", "timezone"]
    assert set(account["properties"]) == {
        "id", "name", "tier", "timezone", "csm", "contacts", "availability", "preferred", "bridge",
    }  # fmt: skip
    assert account["additionalProperties"] is False
    schema["title"] = "changed"
    assert crm.json_schema()["title"] != "changed"  # a fresh copy each call
    json.dumps(crm.json_schema())  # serialisable


def test_privacy_canary(caplog: pytest.LogCaptureFixture) -> None:
    contacts = [
        {"name": CANARIES[0], "email": CANARIES[1], "phone": CANARIES[2], "role": CANARIES[3]}
    ]
    record = _record(name=CANARIES[4], contacts=contacts)
    with caplog.at_level(logging.DEBUG, logger="bridge_sched"):
        part = _load(record)
    assert part.contacts == 1
    text = part.model_dump_json() + repr(part) + caplog.text
    for canary in CANARIES:
        assert canary not in text
    for broken in (
        _record(name=CANARIES[4], contacts=[{**contacts[0], "email": CANARIES[0]}]),
        _record(name=CANARIES[4], contacts=[{**contacts[0], "phone": CANARIES[3]}]),
        _record(name=CANARIES[4], contacts=contacts, availability=[{"date": "16.03.2027"}]),
    ):
        with pytest.raises(AdapterError) as err:
            _load(broken)
        for canary in CANARIES:
            assert canary not in str(err.value)
    raw = json.dumps(record).encode()
    with pytest.raises(AdapterError) as err:
        crm.load(raw[: raw.index(CANARIES[1].encode()) + 10], fetched_at=FETCHED)
    for canary in CANARIES:
        assert canary not in str(err.value) and canary[:10] not in str(err.value)
