"""Paging over the protocols we harvest, with their traps handled once.

- next links (SensorThings ``@iot.nextLink``, OGC API ``links[rel=next]``):
  relative or absolute, followed only on the same server; a *full* page
  without a next link is not proof of the end (52North, pygeoapi #1658), so
  we probe the following page with an offset; a server that repeats the same
  page (MapServer #6613) is stopped, not looped on;
- offsets (NGSI ``offset``/``limit``, WFS ``startIndex``/``count``, ArcGIS
  ``resultOffset``): the server may cap the page size below what we asked,
  so the end is an empty page or a short page compared with the largest one
  seen, never "fewer than I asked for".
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import requests

from .http import HarvestHTTPError, get_json, same_origin_join

MAX_PAGES = 100_000   # a bound so that a broken server cannot loop a job forever


def next_link_pages(session: requests.Session, url: str, params: dict[str, Any], *,
                    items_key: str = "value", next_key: str = "@iot.nextLink",
                    skip_param: str = "$skip", top: int,
                    next_of: Callable[[Any], str | None] | None = None,
                    on_page: Callable[[Any, requests.Response], None] | None = None,
                    ) -> Iterator[list[Any]]:
    """Yield the item lists of each page, following next links. ``on_page``
    sees each page's body and response first (headers such as Content-Crs)."""
    next_of = next_of or (lambda body: body.get(next_key) if isinstance(body, dict) else None)
    cap = 0                  # largest page that had a next link: the real page size
    fetched = 0
    seen_urls: set[str] = set()
    request_url, request_params = url, dict(params)
    for _ in range(MAX_PAGES):
        body, response = get_json(session, request_url, request_params)
        if not isinstance(body, dict) or not isinstance(body.get(items_key), list):
            raise HarvestHTTPError(f"{response.url}: no '{items_key}' list in the answer",
                                   response.url, response.status_code)
        if on_page:
            on_page(body, response)
        items = body[items_key]
        if not items:
            return
        fetched += len(items)
        yield items
        link = next_of(body)
        if link:
            cap = max(cap, len(items))
            request_url = same_origin_join(response.url, link)
            request_params = {}
            if request_url in seen_urls:
                raise HarvestHTTPError(f"server repeats the next link {request_url}",
                                       request_url)
            seen_urls.add(request_url)
            continue
        if len(items) < (cap or top):
            return
        # A full page and no next link: ask for what follows.
        request_url, request_params = url, {**params, skip_param: fetched}
    raise HarvestHTTPError(f"more than {MAX_PAGES} pages, stopped", url)


def offset_pages(session: requests.Session, url: str, params: dict[str, Any], *,
                 limit: int, limit_param: str = "limit", offset_param: str = "offset",
                 items_of: Callable[[Any], list[Any]],
                 headers: dict[str, str] | None = None,
                 total_of: Callable[[Any, requests.Response], int | None] | None = None,
                 on_page: Callable[[Any, requests.Response], None] | None = None,
                 ) -> Iterator[list[Any]]:
    """Yield the item lists of offset/limit pages until an empty or short page
    (short compared with the largest page seen: servers cap the limit)."""
    offset, largest = 0, 0
    previous_first: Any = object()
    for _ in range(MAX_PAGES):
        query = {**params, limit_param: limit, offset_param: offset}
        body, response = get_json(session, url, query, headers)
        if on_page:
            on_page(body, response)
        items = items_of(body)
        if not items:
            return
        if items[0] == previous_first:
            raise HarvestHTTPError(f"{response.url}: the server ignores '{offset_param}' "
                                   "(same page again)", response.url)
        previous_first = items[0]
        yield items
        offset += len(items)
        total = total_of(body, response) if total_of else None
        if total is not None and offset >= total:
            return
        if largest and len(items) < largest:
            return
        # A first page shorter than asked may be the end or a capped page
        # size: the next request (empty at the end) tells.
        largest = max(largest, len(items))
    raise HarvestHTTPError(f"more than {MAX_PAGES} pages, stopped", url)

