"""Get the bytes of a resource's file into a local file: an upload from the
portal's storage, a link through the outbound policy (no internal address,
no local file, size limit while streaming), and its SHA-256."""

from __future__ import annotations

import hashlib
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests
from ckan.lib import uploader

from metropole_core import outbound

from .messages import LoadError

CHUNK = 1024 * 1024
TABULAR_EXTENSIONS = frozenset({"csv", "tsv", "xlsx", "ods", "xls"})


def file_format(resource: dict[str, Any]) -> str:
    """``csv``, ``tsv``, ``xlsx``, ``ods``, ``xls``… from the file name's
    extension (a new upload keeps the resource's old format field) or,
    failing that, the format field."""
    extension = Path(urlsplit(resource.get("url") or "").path).suffix.lower().lstrip(".")
    if extension in TABULAR_EXTENSIONS:
        return extension
    declared = (resource.get("format") or "").strip().lower().lstrip(".")
    return {"text/csv": "csv", "excel": "xlsx", "ms excel": "xls",
            "tab-separated-values": "tsv"}.get(declared, declared)


def fetch(resource: dict[str, Any], folder: Path, max_bytes: int) -> tuple[Path, str]:
    """(local path, sha256 hex) of the resource's content."""
    target = folder / "source"
    digest = hashlib.sha256()
    if resource.get("url_type") == "upload":
        path = uploader.get_resource_uploader(resource).get_path(resource["id"])
        if not path or not Path(path).is_file():
            raise LoadError("no_file")
        if Path(path).stat().st_size > max_bytes:
            raise LoadError("too_large", limit=max_bytes // CHUNK)
        with open(path, "rb") as source, open(target, "wb") as copy:
            while chunk := source.read(CHUNK):
                digest.update(chunk)
                copy.write(chunk)
        return target, digest.hexdigest()
    _download(resource.get("url") or "", target, digest, max_bytes)
    return target, digest.hexdigest()


def _download(url: str, target: Path, digest: Any, max_bytes: int) -> None:
    try:
        outbound.check_url(url)
        with outbound.session() as http, http.get(url, stream=True, timeout=(10, 60)) as answer:
            if answer.status_code != 200:
                raise LoadError("url_status", status=answer.status_code)
            if "html" in answer.headers.get("Content-Type", "").lower():
                raise LoadError("url_html")
            size = 0
            with open(target, "wb") as copy:
                for chunk in answer.iter_content(CHUNK):
                    size += len(chunk)
                    if size > max_bytes:
                        raise LoadError("too_large", limit=max_bytes // CHUNK)
                    if size == len(chunk) and chunk.lstrip()[:15].lower().startswith(
                            (b"<!doctype html", b"<html")):
                        raise LoadError("url_html")
                    digest.update(chunk)
                    copy.write(chunk)
    except outbound.OutboundRefused as error:
        raise LoadError("url_refused") from error
    except requests.RequestException as error:
        raise LoadError("url_error", detail=type(error).__name__) from error


def work_folder() -> tempfile.TemporaryDirectory:
    return tempfile.TemporaryDirectory(prefix="metropole-loading-")

