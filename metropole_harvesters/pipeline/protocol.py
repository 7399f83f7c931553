"""What a protocol adapter is: the one way a protocol plugs into a harvester.

An adapter (as pygeoapi's providers are to its API) translates one
protocol — WFS, OGC API – Features, SensorThings… — into what a harvester
family reads: ``list_items`` says what the source serves now (layers,
streams), and the family's protocol class (``gis/protocol.py``,
``sensors/protocol.py``) adds how to read one item's data. The adapter also
declares the configuration keys only its protocol knows (``RULES``) and the
headers its requests need (``HEADERS``). A harvester plugin is then a
family's harvester with ``PROTOCOL = <adapter>`` and its names.
"""

from __future__ import annotations

from typing import Any

from .config import Rule


class Protocol:
    """Base of every protocol adapter; stateless, one instance per plugin."""

    RULES: dict[str, Rule] = {}     # configuration keys of this protocol only
    HEADERS: dict[str, str] = {}    # sent with every request of a harvest stage

    def list_items(self, session: Any, url: str, config: dict[str, Any]) -> list[Any]:
        """What the source at ``url`` serves now; raises when it cannot say."""
        raise NotImplementedError
