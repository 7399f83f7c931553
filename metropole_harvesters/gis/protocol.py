"""What a GIS protocol adapter provides: the layers a service lists, and the
feature pages of one layer (in the layer's native CRS; ``geometry.py``
reprojects them). ``harvesters/wfs.py``, ``ogcapi_features.py`` and
``arcgis_rest.py`` are the adapters; ``protocols/`` holds their clients.

The GIS clients share one convention — ``list_layers(session, url)`` and
``pages(session, layer, page_size, equals=…, seen=…, **options)`` — so an
adapter names its client (``CLIENT``) and, when its protocol reads more of
the configuration, the extra page options (``page_options``)."""

from __future__ import annotations

from collections.abc import Iterator
from types import ModuleType
from typing import Any

from ..pipeline.protocol import Protocol
from .geometry import Page
from .model import Layer

DEFAULT_PAGE_SIZE = 1000


class LayerProtocol(Protocol):
    CLIENT: ModuleType

    def list_items(self, session: Any, url: str, config: dict[str, Any]) -> list[Layer]:
        return self.CLIENT.list_layers(session, url)

    def pages(self, session: Any, layer: Layer, config: dict[str, Any],
              seen: dict[str, Any]) -> Iterator[Page]:
        """The layer's features, page after page, with the source's ``filter``
        applied; ``seen`` receives what the server claims (``number_matched``)."""
        return self.CLIENT.pages(session, layer, int(config.get("page_size", DEFAULT_PAGE_SIZE)),
                                 equals=config.get("filter"), seen=seen,
                                 **self.page_options(config))

    def page_options(self, config: dict[str, Any]) -> dict[str, Any]:
        """Keyword arguments of this protocol's ``pages`` beyond the common ones."""
        return {}
