"""What a sensor protocol adapter provides: the streams a source serves, and
one stream's observations since a moment. ``harvesters/sensorthings.py`` and
``ngsi.py`` are the adapters; ``protocols/`` holds their clients."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ..pipeline.protocol import Protocol
from .model import Observations, Stream


class StreamProtocol(Protocol):
    def list_items(self, session: Any, url: str, config: dict[str, Any]) -> list[Stream]:
        raise NotImplementedError

    def observations(self, session: Any, url: str, config: dict[str, Any], stream: Stream,
                     since: datetime | None) -> Observations:
        """The stream's observations after ``since`` (all of them when None)."""
        raise NotImplementedError
