"""A real HTTP server on loopback serving harvest sources (no mocked requests):
static documents by path (and query), a CKAN action API over fixed datasets,
and pages that answer too late."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


@dataclass
class Page:
    body: str
    content_type: str = "text/turtle"
    delay: float = 0.0


@dataclass
class Source:
    """What the server answers; tests change it between harvests."""

    pages: dict[str, Page] = field(default_factory=dict)  # "/path?query" → page
    ckan_datasets: list[dict] = field(default_factory=list)


class _Handler(BaseHTTPRequestHandler):
    source: Source
    base: str

    def log_message(self, *args) -> None:  # keep test output quiet
        pass

    def do_HEAD(self) -> None:
        self._answer(body=False)

    def do_GET(self) -> None:
        self._answer(body=True)

    def _answer(self, body: bool) -> None:
        parts = urlsplit(self.path)
        if parts.path.endswith("/action/package_search"):
            page = self._package_search(parse_qs(parts.query))
        else:
            page = self.source.pages.get(self.path) or self.source.pages.get(parts.path)
        if page is None:
            self.send_error(404)
            return
        if page.delay:
            time.sleep(page.delay)
        data = page.body.replace("{BASE}", self.base).encode()
        try:
            self.send_response(200)
            self.send_header("Content-Type", page.content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if body:
                self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (timeout tests)

    def _package_search(self, query: dict) -> Page:
        start = int(query.get("start", ["0"])[0])
        rows = int(query.get("rows", ["100"])[0])
        results = self.source.ckan_datasets[start:start + rows]
        return Page(json.dumps({"success": True, "result": {
            "count": len(self.source.ckan_datasets), "results": results}}),
            "application/json")


class LoopbackServer:
    def __init__(self, source: Source) -> None:
        handler = type("Handler", (_Handler,), {"source": source})
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        handler.base = self.base
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> LoopbackServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
