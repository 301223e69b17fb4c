"""The ``bridge-sched`` command line: output, exit codes, and one-line bad-input errors."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from bridge_sched import BridgeRequest, BridgeResult, load_example, solve
from bridge_sched.cli import main
from bridge_sched.examples import example_json

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def _needs_approval_request() -> dict[str, Any]:
    """The SEV1 example where eng-dara is busy until 16:00 UTC (17:00 CET, her day's end)."""
    data: dict[str, Any] = json.loads(example_json("northwind-sev1"))
    dara = next(p for p in data["people"] if p["id"] == "eng-dara")
    dara["busy"] = [
        {"start": "2027-03-16T12:00:00Z", "end": "2027-03-16T16:00:00Z", "kind": "busy"}
    ]
    return data


def _assert_one_line_bad_input(err: str) -> None:
    assert err.startswith("bridge-sched: bad input:")
    assert err.endswith("\n")
    assert err.count("\n") == 1
    assert "Traceback" not in err


def test_demo_prints_slot_in_all_zones(capsys: pytest.CaptureFixture[str]) -> None:
    """`demo` exits 0 and shows rank 1 in UTC, EDT (customer) and CET (Berlin)."""
    assert main(["demo"]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    assert "2027-03-16 15:30-16:00 UTC" in out
    assert "11:30-12:00 EDT" in out
    assert "16:30-17:00 CET" in out
    assert "SCHEDULED" in out


def test_demo_escalate_example(capsys: pytest.CaptureFixture[str]) -> None:
    """`demo --example northwind-escalate` exits 4 and names ONLY_OVERNIGHT."""
    assert main(["demo", "--example", "northwind-escalate"]) == 4
    out, _ = capsys.readouterr()
    assert "ONLY_OVERNIGHT" in out
    assert "ESCALATE" in out


def test_demo_json_matches_library(capsys: pytest.CaptureFixture[str]) -> None:
    """`demo --json` prints exactly solve(load_example()).model_dump_json(indent=2)."""
    assert main(["demo", "--json"]) == 0
    out, _ = capsys.readouterr()
    expected = solve(load_example()).model_dump_json(indent=2)
    assert out == expected + "\n"
    assert json.loads(out) == json.loads(expected)
    BridgeResult.model_validate_json(out)


def test_demo_request_prints_example(capsys: pytest.CaptureFixture[str]) -> None:
    """`demo --request` prints the embedded example request unchanged."""
    assert main(["demo", "--request"]) == 0
    out, _ = capsys.readouterr()
    assert out == example_json()
    assert BridgeRequest.model_validate_json(out) == load_example()


def test_solve_example_file(capsys: pytest.CaptureFixture[str]) -> None:
    """`solve examples/northwind-sev1.json` exits 0 and prints the table."""
    assert main(["solve", str(EXAMPLES / "northwind-sev1.json")]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    assert "2027-03-16 15:30-16:00 UTC" in out


def test_solve_file_json(capsys: pytest.CaptureFixture[str]) -> None:
    """`solve FILE --json` prints the same JSON as the library."""
    path = EXAMPLES / "northwind-sev1.json"
    assert main(["solve", str(path), "--json"]) == 0
    out, _ = capsys.readouterr()
    assert out == solve(path.read_text("utf-8")).model_dump_json(indent=2) + "\n"


def test_solve_escalate_file(capsys: pytest.CaptureFixture[str]) -> None:
    """`solve examples/northwind-escalate.json` exits 4."""
    assert main(["solve", str(EXAMPLES / "northwind-escalate.json")]) == 4
    assert "ONLY_OVERNIGHT" in capsys.readouterr().out


def test_solve_needs_approval(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A request whose best slot needs an out-of-hours approval exits 3."""
    path = tmp_path / "approval.json"
    path.write_text(json.dumps(_needs_approval_request()), "utf-8")
    assert main(["solve", str(path)]) == 3
    out, _ = capsys.readouterr()
    assert "NEEDS APPROVAL" in out
    assert "needs approval [OUT_OF_HOURS]" in out
    assert "eng-dara" in out


def test_solve_stdin(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """`solve -` reads the request from stdin."""
    monkeypatch.setattr(sys, "stdin", io.StringIO(example_json("northwind-escalate")))
    assert main(["solve", "-", "--json"]) == 4
    out, _ = capsys.readouterr()
    assert json.loads(out)["status"] == "escalate"


@pytest.mark.parametrize(
    "text",
    [
        pytest.param('{"incident": ', id="truncated-json"),
        pytest.param("[]", id="not-an-object"),
        pytest.param("{}", id="empty-object"),
        pytest.param(
            example_json().replace('"Europe/Berlin"', '"Mars/Olympus"'), id="unknown-zone"
        ),
        pytest.param(
            example_json().replace("2027-03-16T11:40:00Z", "2027-03-16T11:40:00"), id="naive"
        ),
    ],
)
def test_bad_input_file(tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str) -> None:
    """A malformed request file exits 2 with exactly one stderr line and no traceback."""
    path = tmp_path / "bad.json"
    path.write_text(text, "utf-8")
    assert main(["solve", str(path)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    _assert_one_line_bad_input(err)


def test_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A file that does not exist exits 2 with one line naming it."""
    path = tmp_path / "missing.json"
    assert main(["solve", str(path)]) == 2
    _, err = capsys.readouterr()
    _assert_one_line_bad_input(err)
    assert "missing.json" in err


def test_directory_instead_of_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A directory given as the request exits 2 with one line."""
    assert main(["solve", str(tmp_path)]) == 2
    _assert_one_line_bad_input(capsys.readouterr().err)


def test_non_utf8_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A request file that is not UTF-8 exits 2 with one line, like any bad input."""
    path = tmp_path / "latin1.json"
    path.write_bytes(b"\xff\xfe{}")
    assert main(["solve", str(path)]) == 2
    _assert_one_line_bad_input(capsys.readouterr().err)


def test_bad_input_message_stays_on_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An unknown key containing a newline still gives a single stderr line."""
    data = json.loads(example_json())
    data["colour\nx"] = 1
    path = tmp_path / "newline.json"
    path.write_text(json.dumps(data), "utf-8")
    assert main(["solve", str(path)]) == 2
    _assert_one_line_bad_input(capsys.readouterr().err)


def test_schema_both(capsys: pytest.CaptureFixture[str]) -> None:
    """`schema` prints both JSON Schemas as one JSON object."""
    assert main(["schema"]) == 0
    schemas = json.loads(capsys.readouterr().out)
    assert set(schemas) == {"request", "result"}
    assert schemas["request"] == json.loads(json.dumps(BridgeRequest.model_json_schema()))
    assert schemas["result"] == json.loads(json.dumps(BridgeResult.model_json_schema()))
    assert schemas["request"]["title"] == "BridgeRequest"
    assert schemas["result"]["title"] == "BridgeResult"


@pytest.mark.parametrize(
    ("which", "title"), [("request", "BridgeRequest"), ("result", "BridgeResult")]
)
def test_schema_one(capsys: pytest.CaptureFixture[str], which: str, title: str) -> None:
    """`schema request|result` prints just that schema."""
    assert main(["schema", which]) == 0
    assert json.loads(capsys.readouterr().out)["title"] == title


def test_console_module_bad_input_has_no_traceback(tmp_path: Path) -> None:
    """Running the CLI as a process on bad input exits 2 with one stderr line, no traceback."""
    path = tmp_path / "bad.json"
    path.write_text(example_json().replace('"Europe/London"', '"Mars/Olympus"'), "utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "bridge_sched.cli", "solve", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 2
    assert proc.stdout == ""
    _assert_one_line_bad_input(proc.stderr)
    assert "Mars/Olympus" in proc.stderr
