"""A calendar gateway that talks CalDAV (RFC 4791) over HTTP: one calendar object per hold.

Each attendee's holds live in a calendar collection ``<base>/<person>/``
(created with ``MKCALENDAR`` on first use). Placing ``PUT``\\ s
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
import urllib.error
import urllib.request

from .gateway import GatewayError
from .ics_gateway import render_hold
from .ledger import Hold

__all__ = ["CalDavGateway"]


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
                return int(resp.status), resp.read(), resp.headers.get("ETag")
        except urllib.error.HTTPError as exc:
            return int(exc.code), b"", None
        except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
            raise GatewayError(f"CalDAV server unreachable ({type(exc).__name__})") from None

    def _collection(self, person: str) -> None:
        status, _body, _etag = self._call("MKCALENDAR", self._url(person))
        if status not in (201, 405, 409):  # created, or already there
            raise GatewayError(f"cannot create the holds calendar of {person} (HTTP {status})")

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
        return url if self._call("GET", url)[0] == 200 else None
