"""The strict JSON reader shared by the JSON adapters (``bridge_sched.adapters._json``)."""

from __future__ import annotations

import datetime as dt
import logging

import pytest

from bridge_sched.adapters._json import Node, read_json, read_json_document
from bridge_sched.errors import AdapterError

UTC = dt.timezone.utc


def test_strict_json_reads_without_repairs() -> None:
    doc = read_json_document(b'{"a": [1, 2.5, "x", null, true]}', "t.json")
    assert doc.value == {"a": [1, 2.5, "x", None, True]}
    assert doc.repairs == ()
    assert read_json(b"[]", "t.json") == []


def test_byte_order_mark_is_ignored() -> None:
    assert read_json(b'\xef\xbb\xbf{"a": 1}', "t.json") == {"a": 1}


def test_trailing_commas_are_repaired_logged_and_reported(caplog: pytest.LogCaptureFixture) -> None:
    text = b'{\n  "a": [1, 2,],\n  "b": {"c": 1,\n  },\n}'
    with caplog.at_level(logging.WARNING, logger="bridge_sched"):
        doc = read_json_document(text, "t.json")
    assert doc.value == {"a": [1, 2], "b": {"c": 1}}
    assert doc.repairs == (
        "trailing comma at line 2 column 13 removed (before ']' at line 2 column 14)",
        "trailing comma at line 3 column 15 removed (before '}' at line 4 column 3)",
        "trailing comma at line 4 column 4 removed (before '}' at line 5 column 1)",
    )
    assert caplog.text.count("trailing comma") == 3


def test_comma_inside_a_string_is_not_a_trailing_comma() -> None:
    assert read_json(b'{"a": ",]"}', "t.json") == {"a": ",]"}


@pytest.mark.parametrize(
    ("text", "where", "token"),
    [
        (b'{"a": 1', "line 1 column 8", "end of input"),  # truncated
        (b'{"a": 1, // note\n "b": 2}', "line 1 column 10", "/"),  # comment
        (b"{'a': 1}", "line 1 column 2", "'"),  # single quotes
        (b'{"a": NaN}', "line 1 column 7", "NaN"),
        (b'{"a": -Infinity}', "line 1 column 7", "-Infinity"),
        (b'{"a": [1, 2,], "b": }', "line 1 column 21", "}"),  # a comma repair cannot save this
    ],
)
def test_malformed_json_names_line_column_and_a_structural_token(
    text: bytes, where: str, token: str
) -> None:
    with pytest.raises(AdapterError) as info:
        read_json(text, "bad.json")
    assert info.value.source == "bad.json"
    assert info.value.where == where
    assert info.value.value == token
    assert str(info.value).startswith(f"bad.json:{where}:")


def test_free_text_in_a_broken_file_is_not_echoed() -> None:
    with pytest.raises(AdapterError) as info:
        read_json(b'{"subject": Lunch with the board}', "bad.json")
    assert "Lunch" not in str(info.value)
    assert info.value.value == "bare word"


def test_duplicate_member_names_are_ambiguous() -> None:
    with pytest.raises(AdapterError, match="same member twice") as info:
        read_json(b'{"start": 1, "start": 2}', "dup.json")
    assert info.value.value == "start"
    with pytest.raises(AdapterError) as info:
        read_json(b'{"x@y.example": 1, "x@y.example": 2}', "dup.json")
    assert "x@y" not in str(info.value)


def test_non_utf8_is_an_error_with_its_line() -> None:
    with pytest.raises(AdapterError, match="not UTF-8") as info:
        read_json(b'{\n"a": "\xff"}', "latin.json")
    assert info.value.where == "line 2 column 7"


def test_missing_file_is_an_adapter_error(tmp_path: object) -> None:
    with pytest.raises(AdapterError, match="cannot read"):
        read_json("/nonexistent/bridge_sched/none.json", "none.json")


def test_paths_name_members_items_and_data_keyed_members() -> None:
    root = read_json_document(
        b'{"value": [{}, {"scheduleItems": [{"start": {"dateTime": 5}}]}],'
        b' "calendars": {"a@b.example": {"busy": [{"start": "x"}]}}}',
        "p.json",
    ).root
    node = root.key("value").items()[1].key("scheduleItems").items()[0].key("start")
    with pytest.raises(AdapterError) as info:
        node.key("dateTime").text()
    assert info.value.where == "value[1].scheduleItems[0].start.dateTime"
    assert info.value.value == "number"
    (_, calendar), *_ = list(root.key("calendars").entries())
    with pytest.raises(AdapterError) as info:
        calendar.key("busy").items()[0].key("start").instant()
    assert info.value.where == "calendars[#0].busy[0].start"
    assert "a@b" not in str(info.value)
    with pytest.raises(AdapterError, match="required member missing") as info:
        root.key("value").items()[0].key("status")
    assert info.value.where == "value[0].status"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2019-03-15T12:00:00.0000000", dt.datetime(2019, 3, 15, 12)),
        ("2027-03-16T09:00:00Z", dt.datetime(2027, 3, 16, 9, tzinfo=UTC)),
        ("2027-03-16T09:00:00.123+05:30", dt.datetime(2027, 3, 16, 3, 30, 0, 123000, tzinfo=UTC)),
        ("2027-03-16T09:00", dt.datetime(2027, 3, 16, 9)),
    ],
)
def test_datetimes_with_seven_digit_fractions_and_offsets(text: str, expected: dt.datetime) -> None:
    value = Node(text, "x", "t.json").datetime()
    assert value == expected
    assert (value.tzinfo is None) == (expected.tzinfo is None)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("2019-03-15T12:00:00.0000001", "sub-microsecond"),
        ("2019-02-30T12:00:00Z", "out of range"),
        ("15.03.2019 12:00", "not an ISO 8601"),
    ],
)
def test_bad_datetimes(text: str, reason: str) -> None:
    with pytest.raises(AdapterError, match=reason):
        Node(text, "x", "t.json").datetime()


def test_instant_requires_an_offset() -> None:
    with pytest.raises(AdapterError, match="without a UTC offset") as info:
        Node("2027-03-16T09:00:00", "busy[0].start", "t.json").instant()
    assert info.value.where == "busy[0].start"
    assert info.value.value == "2027-03-16T09:00:00"


def test_integer_rejects_booleans_and_ranges() -> None:
    assert Node(3.0, "n", "t").integer() == 3
    with pytest.raises(AdapterError, match="expected an integer"):
        Node(True, "n", "t").integer()
    with pytest.raises(AdapterError, match="at least 1"):
        Node(0, "n", "t").integer(minimum=1)
