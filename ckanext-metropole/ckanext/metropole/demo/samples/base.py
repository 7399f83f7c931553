"""A tiny threaded HTTP server for the sample IoT platforms, with faults.

The same server feeds the demo (``make run``) and the harvester tests and
benchmark, so the tests exercise real HTTP on loopback. Faults are rules
that tests add at run time: a rule matches a path (substring) and answers,
for its next ``times`` hits, with a status (429/503 with Retry-After, 500),
an HTML error page, a truncated JSON body or a delay (timeouts).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Reply:
    status: int = 200
    body: Any = None                       # JSON-serialisable, or bytes
    headers: dict[str, str] = field(default_factory=dict)

    def encode(self) -> bytes:
        if isinstance(self.body, bytes):
            return self.body
        return json.dumps(self.body, ensure_ascii=False, separators=(",", ":")).encode()


@dataclass
class Fault:
    """Answer requests whose path+query contains ``match`` differently,
    ``times`` times (None: forever)."""

    match: str
    kind: str                              # status | html | truncate | delay
    status: int = 500
    retry_after: str | None = None
    delay: float = 0.0
    times: int | None = 1
    body: Any = None
    hits: int = 0


class Request:
    def __init__(self, method: str, target: str, headers: dict[str, str], base_url: str) -> None:
        parts = urlsplit(target)
        self.method = method
        self.path = parts.path
        self.raw_query = parts.query
        self.query = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        self.headers = {k.lower(): v for k, v in headers.items()}
        self.base_url = base_url
        self.target = target


Handler = Callable[[Request], Reply]


class SampleServer:
    """Dispatch by path prefix to protocol apps; inject faults; count hits."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.apps: list[tuple[str, Handler]] = []
        self.faults: list[Fault] = []
        self.requests: list[str] = []
        self._lock = threading.Lock()
        server = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True   # headers and body go out at once

            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                server._serve(self)

            def log_message(self, *args: Any) -> None:  # quiet: tests and demo logs
                pass

        self.httpd = ThreadingHTTPServer((host, port), _Handler)
        self.httpd.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def mount(self, prefix: str, app: Handler) -> None:
        self.apps.append((prefix.rstrip("/"), app))

    def add_fault(self, match: str, kind: str, **kw: Any) -> Fault:
        fault = Fault(match, kind, **kw)
        with self._lock:
            self.faults.append(fault)
        return fault

    def clear_faults(self) -> None:
        with self._lock:
            self.faults.clear()

    def start(self) -> SampleServer:
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self) -> SampleServer:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    # -- serving ----------------------------------------------------------------
    def _fault_for(self, target: str) -> Fault | None:
        with self._lock:
            self.requests.append(target)
            for fault in self.faults:
                if fault.match in target and (fault.times is None or fault.hits < fault.times):
                    fault.hits += 1
                    return fault
        return None

    def _serve(self, handler: BaseHTTPRequestHandler) -> None:
        fault = self._fault_for(handler.path)
        if fault is not None and fault.kind == "delay":
            time.sleep(fault.delay)
            fault = None
        if fault is not None and fault.kind in ("status", "html"):
            reply = _fault_reply(fault)
        else:
            reply = self._dispatch(handler)
        payload = reply.encode()
        if fault is not None and fault.kind == "truncate":
            payload = payload[: max(1, len(payload) // 2)]
        try:
            handler.send_response(reply.status)
            content_type = reply.headers.pop("Content-Type", "application/json")
            handler.send_header("Content-Type", content_type)
            for key, value in reply.headers.items():
                handler.send_header(key, value)
            handler.send_header("Content-Length", str(len(payload)))
            handler.end_headers()
            handler.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):  # client gave up (timeout test)
            pass

    def _dispatch(self, handler: BaseHTTPRequestHandler) -> Reply:
        host = handler.headers.get("Host") or "{}:{}".format(*self.httpd.server_address[:2])
        for prefix, app in self.apps:
            path = urlsplit(handler.path).path
            if path == prefix or path.startswith(prefix + "/"):
                request = Request("GET", handler.path, dict(handler.headers.items()),
                                  f"http://{host}{prefix}")
                request.path = path[len(prefix):] or "/"
                try:
                    return app(request)
                except Exception as error:  # the sample server must answer, not die
                    return Reply(500, {"type": "error", "code": 500,
                                       "message": f"sample server error: {error}"})
        return Reply(404, {"error": "NotFound", "description": f"no sample at {handler.path}"})


def _fault_reply(fault: Fault) -> Reply:
    if fault.kind == "html":
        page = (b"<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head>"
                b"<body><h1>Bad Gateway</h1><p>nginx</p></body></html>")
        return Reply(fault.status if fault.status != 500 else 200, page,
                     {"Content-Type": "text/html"})
    headers = {"Retry-After": fault.retry_after} if fault.retry_after is not None else {}
    body = fault.body if fault.body is not None else {
        "type": "error", "code": fault.status, "message": f"injected fault {fault.status}"}
    return Reply(fault.status, body, headers)
