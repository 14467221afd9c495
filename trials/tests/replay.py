"""A local stand-in for ClinicalTrials.gov API v2 that misbehaves on request.

It serves real recorded study records in pages, with `nextPageToken` paging, `filter.ids`
and `/version`, and can be told to fail the next requests in the ways the real network and
registry do: 429 with Retry-After, 500/502/503, a reset connection, a read timeout, a body cut
short, or an expired page token. Tests point the client's base URL at it.
"""

from __future__ import annotations

import json
import socket
import struct
import threading
import time
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

DATA_TIMESTAMP = "2026-08-11T09:00:05"


class ReplayServer:
    def __init__(
        self,
        studies: list[dict],
        *,
        page_size: int = 3,
        timeout_delay: float = 1.0,
        data_timestamp: str = DATA_TIMESTAMP,
        page_delay: float = 0.0,
        after_page=None,
    ):
        """`page_delay` slows every page of studies (a sync then takes a known while);
        `after_page(n)` is called once the n-th page has been sent (to kill a client then)."""
        self.studies = studies
        self.data_timestamp = data_timestamp
        self.page_size = page_size
        self.timeout_delay = timeout_delay
        self.page_delay = page_delay
        self.after_page = after_page
        self.pages_sent = 0
        self.faults: deque[str] = deque()
        self.generation = 0
        self.requests: list[str] = []
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/api/v2"

    def __enter__(self) -> ReplayServer:
        self.thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.server.shutdown()
        self.server.server_close()

    def inject(self, *faults: str) -> None:
        """Queue faults for the next requests; "studies:500" only hits a /studies request."""
        with self.lock:
            self.faults.extend(faults)

    def _next_fault(self, path: str) -> str | None:
        with self.lock:
            if not self.faults:
                return None
            target, _, fault = self.faults[0].rpartition(":")
            if target and target not in path:
                return None
            self.faults.popleft()
            return fault

    def _page(self, query: dict) -> tuple[int, dict]:
        studies = self.studies
        ids = query.get("filter.ids")
        if ids:
            wanted = set(ids[0].replace(",", "|").split("|"))
            studies = [s for s in studies if _nct(s) in wanted]
        size = min(int(query.get("pageSize", ["10"])[0]), self.page_size)
        token = query.get("pageToken", [None])[0]
        start = 0
        if token:
            generation, _, offset = token.partition("-")
            if generation != f"g{self.generation}":
                return 400, {"message": "pageToken is expired or invalid"}
            start = int(offset)
        body = {"studies": studies[start : start + size]}
        if start + size < len(studies):
            body["nextPageToken"] = f"g{self.generation}-{start + size}"
        return 200, body

    def _handler(self):
        replay = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                replay.requests.append(self.path)
                url = urlparse(self.path)
                fault = replay._next_fault(url.path)
                if fault == "reset":
                    self.connection.setsockopt(
                        socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
                    )
                    self.connection.close()
                    return
                if fault == "timeout":
                    time.sleep(replay.timeout_delay)
                if fault in {"429", "500", "502", "503"}:
                    self._send(
                        int(fault),
                        {"message": "injected"},
                        headers={"Retry-After": "2"} if fault == "429" else {},
                    )
                    return
                if fault == "expire":
                    replay.generation += 1
                if url.path.endswith("/version"):
                    status, body = (
                        200,
                        {"apiVersion": "2.0.5", "dataTimestamp": replay.data_timestamp},
                    )
                elif url.path.endswith("/studies"):
                    time.sleep(replay.page_delay)
                    status, body = replay._page(parse_qs(url.query))
                else:
                    status, body = 404, {"message": "not found"}
                self._send(status, body, truncate=fault == "truncate", bad_json=fault == "badjson")
                if url.path.endswith("/studies") and status == 200:
                    with replay.lock:
                        replay.pages_sent += 1
                        sent = replay.pages_sent
                    if replay.after_page is not None:
                        replay.after_page(sent)

            def _send(self, status, body, headers=None, truncate=False, bad_json=False):
                payload = json.dumps(body).encode()
                if bad_json:
                    payload = payload[: len(payload) // 2]
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                if truncate:
                    payload = payload[: len(payload) // 2]
                    self.wfile.write(payload)
                    self.wfile.flush()
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                try:
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up first (an injected timeout): that is the point

        return Handler


def _nct(study: dict) -> str:
    try:
        return study["protocolSection"]["identificationModule"]["nctId"]
    except (KeyError, TypeError):
        return ""
