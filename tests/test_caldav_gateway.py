"""The CalDAV gateway against a real CalDAV server: Radicale, started here on loopback."""

from __future__ import annotations

import contextlib
import datetime as dt
import http.server
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest

from bridge_sched import Window, load_example
from bridge_sched.adapters import ics
from bridge_sched.holds import (
    BridgeWorkflow,
    CalDavGateway,
    GatewayError,
    Hold,
    Ledger,
    hold_id,
    place_holds,
    recover,
)

pytest.importorskip("radicale")

UTC = dt.timezone.utc
NOW = dt.datetime(2027, 3, 16, 11, 40, tzinfo=UTC)
PEOPLE = ("csm-priya", "eng-dara", "ic-chen", "lead-kofi", "sup-amara")


@pytest.fixture()
def radicale(tmp_path: Path) -> Iterator[str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "radicale",
            "--server-hosts",
            f"127.0.0.1:{port}",
            "--storage-filesystem-folder",
            str(tmp_path / "radicale"),
            "--auth-type",
            "none",
            "--rights-type",
            "authenticated",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            with contextlib.suppress(OSError):
                urllib.request.urlopen(base, timeout=1).close()
                break
            time.sleep(0.1)
        yield f"{base}/bridge"
    finally:
        proc.terminate()
        proc.wait(10)


def _get(url: str) -> bytes:
    request = urllib.request.Request(url, headers={"Authorization": "Basic YnJpZGdlOg=="})
    with urllib.request.urlopen(request, timeout=5) as resp:
        return bytes(resp.read())


def test_whole_flow_on_radicale(radicale: str, tmp_path: Path) -> None:
    gw = CalDavGateway(radicale, people=PEOPLE)
    flow = BridgeWorkflow(Ledger(tmp_path / "h.db"), gw)
    request = load_example()
    result, _ = flow.propose(request)
    slot = result.slots[0]
    held = flow.hold(request, slot)
    assert held.placement is not None and held.placement.ok
    dara = next(h for h in held.placement.holds if h.person == "eng-dara")
    body = _get(f"{radicale}/eng-dara/{dara.id}.ics")
    # the server's copy, read back by our own adapter: a tentative busy interval
    window = Window(start=slot.start - dt.timedelta(hours=1), end=slot.end + dt.timedelta(hours=1))
    part = ics.load(body, window=window, fetched_at=NOW, name="server.ics")
    assert [(b.start, b.end, b.kind.value) for b in part.busy] == [
        (slot.start, slot.end, "tentative")
    ]
    flow.confirm(request, slot, NOW)
    assert b"STATUS:CONFIRMED" in _get(f"{radicale}/eng-dara/{dara.id}.ics")
    flow.release(flow.key(request, slot), NOW)
    assert gw.find(dara) is None


def test_crash_after_first_server_write_recovers(radicale: str, tmp_path: Path) -> None:
    gw = CalDavGateway(radicale, people=PEOPLE)
    ledger = Ledger(tmp_path / "h.db")

    class Crash(Exception):
        pass

    crashed: list[str] = []

    def step(name: str) -> None:
        # "placed-on-calendar:eng-dara" (or with the placement key before the person)
        if name.startswith("placed-on-calendar:") and name.endswith(":eng-dara"):
            crashed.append(name)
            raise Crash(name)

    with pytest.raises(Crash):
        place_holds(
            ledger,
            gw,
            key="INC-4711/x",
            incident="INC-4711",
            people=PEOPLE,
            start=NOW + dt.timedelta(hours=3),
            end=NOW + dt.timedelta(hours=3, minutes=30),
            expires_at=NOW + dt.timedelta(hours=5),
            now=NOW,
            step=step,
        )
    assert len(crashed) == 1
    # recovery runs later (in-flight rows may be leased to the crashed process for a while)
    recover(ledger, gw, NOW + dt.timedelta(hours=1))
    # csm-priya and eng-dara reached the server before the crash; recovery released both
    assert all(gw.find(h) is None for h in ledger.holds())
    assert not ledger.holds(states=["placing", "placed"])


def test_unreachable_server_fails_the_placement_cleanly(tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    gw = CalDavGateway(f"http://127.0.0.1:{port}/bridge", people=PEOPLE, timeout=1.0)
    ledger = Ledger(tmp_path / "h.db")
    placement = place_holds(
        ledger,
        gw,
        key="k",
        incident="INC-4711",
        people=PEOPLE,
        start=NOW,
        end=NOW + dt.timedelta(minutes=30),
        expires_at=NOW + dt.timedelta(hours=1),
        now=NOW,
    )
    assert placement.failed == ("csm-priya",)
    assert not ledger.holds(states=["placing", "placed"])


def _hold(person: str, key: str = "INC-4711/g") -> Hold:
    return Hold(
        id=hold_id(key, person),
        key=key,
        incident="INC-4711",
        person=person,
        start=NOW + dt.timedelta(hours=3),
        end=NOW + dt.timedelta(hours=3, minutes=30),
        expires_at=NOW + dt.timedelta(hours=5),
        state="placing",
    )


def test_missing_parent_collection_is_an_error_not_an_existing_calendar(radicale: str) -> None:
    # /nobody/ does not exist: Radicale answers MKCALENDAR /nobody/csm-priya/ with 409
    root = radicale.rsplit("/", 1)[0]
    gw = CalDavGateway(f"{root}/nobody", timeout=5.0)
    hold = _hold("csm-priya")
    with pytest.raises(GatewayError) as info:
        gw.place(hold, NOW)
    assert str(info.value) == (
        "cannot create the holds calendar of csm-priya: a parent collection of it is missing "
        "on the server (MKCALENDAR HTTP 409 Conflict); create the base collection first"
    )
    assert gw.find(hold) is None


def test_an_existing_calendar_is_used_again(radicale: str) -> None:
    # Radicale answers a second MKCALENDAR with 409 DAV:resource-must-be-null
    first, second = _hold("eng-dara", "INC-4711/a"), _hold("eng-dara", "INC-4711/b")
    CalDavGateway(radicale).place(first, NOW)
    gw = CalDavGateway(radicale)  # a new gateway: it does not know the calendar yet
    assert gw.place(second, NOW) == f"{radicale}/eng-dara/{second.id}.ics"
    assert gw.find(first) is not None and gw.find(second) is not None


class _Stub(http.server.BaseHTTPRequestHandler):
    """A WebDAV server that answers each method with a canned status and body."""

    answers: ClassVar[dict[str, tuple[int, bytes]]] = {}
    seen: ClassVar[list[tuple[str, str]]] = []

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        self.seen.append((self.command, self.path))
        status, body = self.answers.get(self.command, (500, b""))
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        if self.command == "PROPFIND":
            self.send_header("Content-Type", "application/xml; charset=utf-8")
        self.end_headers()
        self.wfile.write(body)

    do_MKCALENDAR = do_PROPFIND = do_PUT = do_GET = do_DELETE = _answer

    def log_message(self, format: str, *args: object) -> None:
        return None


@pytest.fixture()
def stub() -> Iterator[tuple[str, type[_Stub]]]:
    handler = type("Handler", (_Stub,), {"answers": {}, "seen": []})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/bridge", handler
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def _multistatus(href: str, resourcetype: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="utf-8"?>'
        '<d:multistatus xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav">'
        f"<d:response><d:href>{href}</d:href><d:propstat><d:prop>"
        f"<d:resourcetype>{resourcetype}</d:resourcetype></d:prop>"
        "<d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response></d:multistatus>"
    ).encode()


SECRET = b"<error>internal path /srv/dav/tenant-7 of server SECRET-NODE</error>"


def test_409_without_a_parent_is_an_error_that_does_not_echo_the_server(
    stub: tuple[str, type[_Stub]],
) -> None:
    base, handler = stub
    handler.answers.update({"MKCALENDAR": (409, SECRET), "PROPFIND": (404, SECRET)})
    with pytest.raises(GatewayError) as info:
        CalDavGateway(base).place(_hold("ic-chen"), NOW)
    assert str(info.value) == (
        "cannot create the holds calendar of ic-chen: a parent collection of it is missing "
        "on the server (MKCALENDAR HTTP 409 Conflict); create the base collection first"
    )
    assert "SECRET" not in str(info.value) and "/srv/" not in str(info.value)
    assert [m for m, _p in handler.seen] == ["MKCALENDAR", "PROPFIND"]  # nothing was PUT


def test_405_on_something_that_is_not_a_calendar_is_an_error(
    stub: tuple[str, type[_Stub]],
) -> None:
    base, handler = stub
    handler.answers.update(
        {
            "MKCALENDAR": (405, SECRET),
            "PROPFIND": (207, _multistatus("/bridge/ic-chen/", "<d:collection/>")),
            "PUT": (201, b""),
        }
    )
    with pytest.raises(GatewayError) as info:
        CalDavGateway(base).place(_hold("ic-chen"), NOW)
    assert str(info.value) == (
        "the holds calendar of ic-chen cannot be created: the server has a resource there "
        "that is not a calendar collection (MKCALENDAR HTTP 405)"
    )
    assert [m for m, _p in handler.seen] == ["MKCALENDAR", "PROPFIND"]


def test_405_on_an_existing_calendar_places_the_hold_and_is_remembered(
    stub: tuple[str, type[_Stub]],
) -> None:
    base, handler = stub
    calendar = "<d:collection/><c:calendar/>"
    handler.answers.update(
        {
            "MKCALENDAR": (405, b""),
            "PROPFIND": (207, _multistatus("/bridge/ic-chen/", calendar)),
            "PUT": (201, b""),
        }
    )
    gw = CalDavGateway(base)
    first, second = _hold("ic-chen", "INC-4711/a"), _hold("ic-chen", "INC-4711/b")
    assert gw.place(first, NOW) == f"{base}/ic-chen/{first.id}.ics"
    gw.place(second, NOW)
    assert handler.seen == [
        ("MKCALENDAR", "/bridge/ic-chen/"),
        ("PROPFIND", "/bridge/ic-chen/"),
        ("PUT", f"/bridge/ic-chen/{first.id}.ics"),
        ("PUT", f"/bridge/ic-chen/{second.id}.ics"),  # no second MKCALENDAR
    ]


def test_an_unexpected_answer_names_both_statuses(stub: tuple[str, type[_Stub]]) -> None:
    base, handler = stub
    handler.answers.update({"MKCALENDAR": (403, SECRET), "PROPFIND": (403, SECRET)})
    with pytest.raises(GatewayError) as info:
        CalDavGateway(base).place(_hold("ic-chen"), NOW)
    assert str(info.value) == (
        "cannot create the holds calendar of ic-chen (MKCALENDAR HTTP 403, PROPFIND HTTP 403)"
    )


def test_walkthrough_example_on_radicale(radicale: str) -> None:
    """examples/holds_walkthrough.py --caldav: the whole flow against a real server."""
    script = Path(__file__).resolve().parents[1] / "examples" / "holds_walkthrough.py"
    out = subprocess.run(
        [sys.executable, str(script), "--caldav", radicale],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    ).stdout
    assert "INC-4711: bridge confirmed 2027-03-16 15:30 UTC-16:00 UTC" in out
    assert "INC-4711: tentative holds released (bridge confirmed on INC-4711/20270316T1530Z)" in out
    assert "confirm refused: slot #3 (2027-03-16T16:00:00Z) lacks approval: OUT_OF_HOURS" in out
    assert "INC-4711-C: bridge confirmed 2027-03-16 16:00 UTC-16:30 UTC" in out
    assert (
        "INC-4711-E after the sweep: csm-priya=released (incomplete), eng-dara=released "
        "(incomplete), ic-chen=released (incomplete), lead-kofi=failed (not_found), "
        "sup-amara=failed (not_found)" in out
    )
    assert "INC-4711-B: tentative holds expired and were released" in out
    # the server holds exactly the confirmed bridges, nothing else
    for person in PEOPLE:
        listing = _propfind(f"{radicale}/{person}/")
        assert listing.count(b".ics") == 2, person  # INC-4711 and INC-4711-C, confirmed


def _propfind(url: str) -> bytes:
    request = urllib.request.Request(
        url,
        method="PROPFIND",
        headers={"Authorization": "Basic YnJpZGdlOg==", "Depth": "1"},
    )
    with urllib.request.urlopen(request, timeout=5) as resp:
        return bytes(resp.read())
