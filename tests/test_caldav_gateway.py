"""The CalDAV gateway against a real CalDAV server: Radicale, started here on loopback."""

from __future__ import annotations

import contextlib
import datetime as dt
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from bridge_sched import Window, load_example
from bridge_sched.adapters import ics
from bridge_sched.holds import BridgeWorkflow, CalDavGateway, Ledger, place_holds, recover

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

    def step(name: str) -> None:
        if name == "placed-on-calendar:eng-dara":
            raise Crash(name)

    with contextlib.suppress(Crash):
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
    recover(ledger, gw, NOW)
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
