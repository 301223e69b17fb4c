"""A calendar gateway that talks CalDAV (RFC 4791) over HTTP: one calendar object per hold.

Each attendee's holds live in a calendar collection ``<base>/<person>/``
(created with ``MKCALENDAR`` on first use). ``MKCALENDAR`` fails when
something is already at the URL - the ``DAV:resource-must-be-null``
precondition of RFC 4791 §5.3.1.2, which names no status: servers answer
``405`` (as for ``MKCOL``, RFC 4918 §9.3.1), ``403`` or ``409`` (Radicale) - but
``409`` also means that an intermediate collection is missing (RFC 4791
§5.3.1.1). So on ``403``/``405``/``409`` a ``PROPFIND`` (``Depth: 0``) of its
``DAV:resourcetype`` decides: an existing calendar collection is used as it
is; an existing resource of another kind, or nothing at all after a ``409``
(missing parent), is a :class:`GatewayError` that names the person and the
HTTP statuses, never the server's response body. A collection found usable is
remembered for the life of the gateway. Placing ``PUT``\\ s
``<hold id>.ics`` with ``If-None-Match: *`` (a retry finds the object and
succeeds without writing twice); confirming rewrites it with
``STATUS:CONFIRMED`` under ``If-Match`` of its ETag; releasing ``DELETE``\\ s it
(a missing object is fine). The object is the same VEVENT the iCalendar
gateway writes, without ``METHOD`` (stored calendar objects carry none).
Only the standard library's HTTP client is used; ``timeout`` bounds every call.
"""

from __future__ import annotations

import base64
import datetime as dt
import http.client
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET

from .gateway import GatewayError
from .ics_gateway import render_hold
from .ledger import Hold

__all__ = ["CalDavGateway"]

_DAV = "{DAV:}"
_CALDAV = "{urn:ietf:params:xml:ns:caldav}"
_PROPFIND = (
    b'<?xml version="1.0" encoding="utf-8"?>\n'
    b'<d:propfind xmlns:d="DAV:"><d:prop><d:resourcetype/></d:prop></d:propfind>'
)
_MAX_BODY = 1024 * 1024  # no answer we read (a hold, a resourcetype) comes near this


class CalDavGateway:
    """Holds on a CalDAV server under ``base_url`` (e.g. ``http://127.0.0.1:5232/bridge``)."""

    def __init__(
        self,
        base_url: str,
        *,
        user: str = "bridge",
        password: str = "",
        people: tuple[str, ...] = (),  # accepted for compatibility; find uses hold.person
        timeout: float = 10.0,
    ) -> None:
        self.base = base_url.rstrip("/")
        self.auth = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
        self.people = tuple(people)
        self.timeout = timeout
        self._calendars: set[str] = set()  # people whose collection is known to be usable

    def _url(self, person: str, hold_id: str | None = None) -> str:
        return f"{self.base}/{person}/" + (f"{hold_id}.ics" if hold_id else "")

    def _call(
        self,
        method: str,
        url: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, bytes, str | None]:
        request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
        request.add_header("Authorization", self.auth)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as resp:
                return int(resp.status), resp.read(_MAX_BODY), resp.headers.get("ETag")
        except urllib.error.HTTPError as exc:
            return int(exc.code), b"", None
        except (urllib.error.URLError, http.client.HTTPException, OSError) as exc:
            raise GatewayError(f"CalDAV server unreachable ({type(exc).__name__})") from None

    def _resourcetype(self, person: str) -> tuple[int, set[str] | None]:
        """PROPFIND ``Depth: 0`` of the person's collection: its status and resource types."""
        status, body, _etag = self._call(
            "PROPFIND",
            self._url(person),
            _PROPFIND,
            {"Depth": "0", "Content-Type": "application/xml; charset=utf-8"},
        )
        if status != 207:
            return status, None
        try:
            root = ET.fromstring(body)
        except ET.ParseError:
            return status, None
        response = root.find(f"{_DAV}response")  # Depth: 0 -> the collection itself
        if response is None:
            return status, None
        kinds: set[str] = set()
        for propstat in response.iterfind(f"{_DAV}propstat"):
            code = propstat.findtext(f"{_DAV}status", "").split()
            if len(code) >= 2 and code[1] == "200":
                for rtype in propstat.iterfind(f"{_DAV}prop/{_DAV}resourcetype"):
                    kinds.update(child.tag for child in rtype)
        return status, kinds

    def _collection(self, person: str) -> None:
        """Make sure ``<base>/<person>/`` is a calendar collection (see the module doc)."""
        if person in self._calendars:
            return
        status, _body, _etag = self._call("MKCALENDAR", self._url(person))
        if status == 201:
            self._calendars.add(person)
            return
        if status not in (403, 405, 409):
            raise GatewayError(f"cannot create the holds calendar of {person} (HTTP {status})")
        found, kinds = self._resourcetype(person)
        if kinds is not None and f"{_CALDAV}calendar" in kinds:
            self._calendars.add(person)  # it was already there
            return
        if kinds is not None:
            raise GatewayError(
                f"the holds calendar of {person} cannot be created: the server has a resource "
                f"there that is not a calendar collection (MKCALENDAR HTTP {status})"
            )
        if status == 409 and found == 404:
            raise GatewayError(
                f"cannot create the holds calendar of {person}: a parent collection of it is "
                f"missing on the server (MKCALENDAR HTTP 409 Conflict); create the base "
                f"collection first"
            )
        raise GatewayError(
            f"cannot create the holds calendar of {person} "
            f"(MKCALENDAR HTTP {status}, PROPFIND HTTP {found})"
        )

    def place(self, hold: Hold, now: dt.datetime) -> str:
        self._collection(hold.person)
        url = self._url(hold.person, hold.id)
        status, _b, _e = self._call(
            "PUT",
            url,
            render_hold(hold, "TENTATIVE", 0, now),
            {"Content-Type": "text/calendar; charset=utf-8", "If-None-Match": "*"},
        )
        if status not in (201, 204, 412):  # 412: already placed by an earlier try
            raise GatewayError(f"calendar of {hold.person} refused the hold (HTTP {status})")
        return url

    def release(self, hold: Hold, now: dt.datetime) -> None:
        status, _b, _e = self._call("DELETE", self._url(hold.person, hold.id))
        if status not in (200, 204, 404):
            raise GatewayError(f"cannot release the hold of {hold.person} (HTTP {status})")

    def confirm(self, hold: Hold, now: dt.datetime) -> None:
        url = self._url(hold.person, hold.id)
        status, _body, etag = self._call("GET", url)
        if status != 200 or etag is None:
            raise GatewayError(f"hold {hold.id} is not on the calendar of {hold.person}")
        status, _b, _e = self._call(
            "PUT",
            url,
            render_hold(hold, "CONFIRMED", 1, now),
            {"Content-Type": "text/calendar; charset=utf-8", "If-Match": etag},
        )
        if status not in (201, 204):
            raise GatewayError(f"cannot confirm the hold of {hold.person} (HTTP {status})")

    def find(self, hold: Hold) -> str | None:
        url = self._url(hold.person, hold.id)
        status = self._call("GET", url)[0]
        if status == 200:
            return url
        if status in (404, 410):
            return None
        # any other answer says nothing about the object: never take it for "gone"
        raise GatewayError(
            f"cannot tell whether the hold of {hold.person} is there (HTTP {status})"
        )
