"""The CKAN app served over real HTTP on loopback by a thread of the test
process, on the address of ``ckan.site_url`` (the test profile's web port,
where nothing else listens during ``make test``), so that the absolute URLs
CKAN redirects to are the server's own. Used by the browser and security
tests."""

from __future__ import annotations

import threading
from urllib.parse import urlsplit

from werkzeug.serving import make_server


class LiveServer:
    def __init__(self, ckan_config) -> None:
        from ckan.config.middleware import make_app

        self.url = ckan_config["ckan.site_url"].rstrip("/")
        parsed = urlsplit(self.url)
        self._server = make_server(parsed.hostname, parsed.port, make_app(ckan_config),
                                   threaded=True)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(10)
