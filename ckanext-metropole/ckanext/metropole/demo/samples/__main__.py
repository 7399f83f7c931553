"""``python -m ckanext.metropole.demo.samples --port N``: the demo's sample
IoT platforms (SensorThings under /sensorthings/v1.1, FIWARE under /ngsi),
serving generated data that grows with real time."""

from __future__ import annotations

import argparse
import signal
import sys
import time

from .data import demo_more_sensors, demo_sensors
from .server import build_server


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ckanext.metropole.demo.samples",
                                     description=__doc__)
    parser.add_argument("--port", type=int, default=8700)
    parser.add_argument("--host", default="127.0.0.1")
    args = parser.parse_args(argv)
    try:
        # Every sensor theme of the catalogue, so every dashboard has content.
        server, _, _ = build_server(port=args.port, host=args.host,
                                    sta_sensors=demo_sensors() + demo_more_sensors(time.time()))
    except OSError as error:
        print(f"samples: cannot listen on {args.host}:{args.port}: {error.strerror}. "
              "Set METROPOLE_SAMPLES_PORT to another port.", file=sys.stderr)
        return 2
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print(f"samples: SensorThings at {server.url}/sensorthings/v1.1, "
          f"FIWARE at {server.url}/ngsi, GIS (WFS, OGC API, ArcGIS) at {server.url}/gis",
          flush=True)
    try:
        server.httpd.serve_forever()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        server.httpd.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
