"""All sample platforms on one server, for the demo, the tests and benchmarks."""

from __future__ import annotations

from datetime import datetime

from .base import SampleServer
from .data import Clock, Sensor, demo_containers, demo_sensors
from .gis import GisApp
from .ngsi import NgsiApp
from .sensorthings import SensorThingsApp


def build_server(port: int = 0, host: str = "127.0.0.1", now: datetime | None = None,
                 sta_sensors: list[Sensor] | None = None,
                 ngsi_sensors: list[Sensor] | None = None,
                 start: float | None = None) -> tuple[SampleServer, SensorThingsApp, NgsiApp]:
    """A server with SensorThings under ``/sensorthings``, FIWARE under
    ``/ngsi`` and the GIS services under ``/gis`` (``server.gis``); ``now``
    fixes the clock (tests), None follows real time (demo)."""
    clock = Clock(now)
    server = SampleServer(host, port)
    sta = SensorThingsApp(sta_sensors if sta_sensors is not None else demo_sensors(),
                          clock=clock, start=start)
    fiware = NgsiApp(ngsi_sensors if ngsi_sensors is not None else
                     demo_containers() + [s for s in demo_sensors() if s.kind == "light"],
                     clock=clock, start=start)
    server.mount("/sensorthings", sta)
    server.mount("/ngsi", fiware)
    server.gis = GisApp()  # type: ignore[attr-defined]
    server.mount("/gis", server.gis)  # type: ignore[attr-defined]
    return server, sta, fiware
