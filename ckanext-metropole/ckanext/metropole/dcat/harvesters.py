"""Harvesters onto the metropolitan schema.

- ``metropole_dcat``: DCAT catalogues (RDF, any serialisation, paged with
  Hydra) — other DCAT-AP portals and Opendatasoft portals
  (``https://<portal>/api/explore/v2.1/catalog/exports/dcat``). The RDF is
  read by ckanext-dcat's profiles, ours last (``mapping``).
- ``metropole_ckan``: CKAN portals through their action API, mapped the same way.

Both keep the origin (provenance, source link on every resource), update in
place on re-harvest and withdraw (make private, with the reason) what the
source no longer lists. A page that fails records a gather error and keeps
what came before it, and then nothing is withdrawn: an unreachable source
must not empty our catalogue.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import json
import logging
import re

import ckan.model as model
import ckan.plugins as plugins
import ckan.plugins.toolkit as toolkit
from ckanext.dcat.harvesters.rdf import DCATRDFHarvester
from ckanext.dcat.interfaces import IDCATRDFHarvester
from ckanext.dcat.processors import RDFParser, RDFParserException
from ckanext.dcat.profiles import LOCN
from ckanext.harvest.harvesters.ckanharvester import CKANHarvester, ContentFetchError
from ckanext.harvest.model import HarvestObject
from rdflib import Literal

from metropole_core import commune_registry as registry
from metropole_core import outbound

from ..communes import loader
from . import mapping, uris, withdrawal
from .profile import GSP

log = logging.getLogger(__name__)
SIREN = re.compile(r"(?<!\d)(\d{9})(?!\d)")
INSEE = re.compile(r"^(?:.*/)?(\d{5}|2[AB]\d{3})/?$")


def _now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0).isoformat()


def owner_for(publisher_ids: list[str]) -> str | None:
    """The local organisation a publisher identifier names: by SIREN first,
    then by INSEE code (communes)."""
    by_siren = loader.existing_by("siren")
    by_insee = loader.existing_by("insee_code")
    for identifier in publisher_ids:
        match = SIREN.search(identifier)
        if match and match.group(1) in by_siren:
            return by_siren[match.group(1)].id
        insee = uris.insee_of_commune_siren(match.group(1)) if match else None
        if insee in by_insee:
            return by_insee[insee].id
    for identifier in publisher_ids:
        match = INSEE.match(identifier.strip())
        if match and match.group(1) in by_insee:
            return by_insee[match.group(1)].id
    return None


def _pop_extra(dataset: dict, key: str) -> str | None:
    for extra in list(dataset.get("extras") or []):
        if extra.get("key") == key:
            dataset["extras"].remove(extra)
            return extra.get("value")
    return None


def _finish(dataset: dict, harvest_object, existing: dict | None) -> dict:
    """What only the harvest knows: the source, the time, the owner, and which
    resources already exist (matched on their source link)."""
    source_url = harvest_object.source.url
    harvested_at = _now()
    dataset["provenance"] = re.sub(r"^Moissonné depuis \S*", f"Moissonné depuis {source_url}",
                                   dataset.get("provenance") or "Moissonné depuis")
    ids = json.loads(_pop_extra(dataset, "metropole_publisher_ids") or "[]")
    owner = owner_for(ids)
    if owner:
        dataset["owner_org"] = owner
    previous = {r.get("source_url"): r["id"] for r in (existing or {}).get("resources", [])
                if r.get("source_url")}
    for resource in dataset.get("resources", []):
        resource["last_harvest"] = harvested_at
        if resource.get("source_url") in previous:
            resource["id"] = previous[resource["source_url"]]
    if existing:
        dataset["private_reason"] = ""  # back at the source: published again
    return dataset


class _OwnSingleton:
    """CKAN's SingletonPlugin keeps its instance in a class attribute, which a
    subclass inherits: without this, instantiating our harvester returns
    ckanext-dcat's or ckanext-harvest's own when that one loaded first."""

    def __new__(cls, *args, **kwargs):
        if "_instance" not in cls.__dict__:
            cls._instance = object.__new__(cls)
        return cls._instance


class MetropoleDCATHarvester(_OwnSingleton, DCATRDFHarvester):
    # For update_session: ckanext-dcat calls it on IDCATRDFHarvester plugins only.
    plugins.implements(IDCATRDFHarvester, inherit=True)

    def info(self) -> dict:
        return {"name": "metropole_dcat",
                "title": "DCAT-AP (RDF) — portails DCAT, Opendatasoft",
                "description": "Moissonne un catalogue DCAT (Turtle, RDF/XML, JSON-LD, paginé) "
                               "vers le schéma métropolitain."}

    def update_session(self, session):
        """For any ckanext-dcat harvester that fetches with its own code: the
        outbound policy, and a timeout (ckanext-dcat sets none: a source that
        never answers would hold a gather worker forever)."""
        outbound.protect(session)
        session.request = functools.partial(session.request, timeout=_timeout())
        return session

    def _get_content_and_type(self, url, harvest_job, page=1, content_type=None):
        """ckanext-dcat's fetch, replaced: it opens a "URL" that does not start
        with http as a local file and repeats connection errors verbatim. Here
        only http(s) under the outbound policy, and errors that say what
        failed and where, never the remote body."""
        if page > 1:
            url = f"{url}{'&' if '?' in url else '?'}page={page}"
        max_mb = toolkit.asint(toolkit.config.get("ckanext.dcat.max_file_size")
                               or self.DEFAULT_MAX_FILE_SIZE_MB)
        try:
            response = outbound.fetch(url, timeout=_timeout(), max_bytes=max_mb * 1024 * 1024)
        except outbound.FetchFailed as error:
            self._save_gather_error(f"Impossible de lire {url} : {error}", harvest_job)
            return None, None
        if content_type is None and response.headers.get("content-type"):
            content_type = response.headers["content-type"].split(";", 1)[0]
        return response.content.decode("utf-8", "replace"), content_type

    def gather_stage(self, harvest_job) -> list[str]:
        """ckanext-dcat's gather, tolerant per page: a page that cannot be
        fetched or parsed is a gather error; the pages before it count."""
        configured_format = None
        if harvest_job.source.config:
            configured_format = json.loads(harvest_job.source.config).get("rdf_format")
        next_page_url = harvest_job.source.url
        guids_in_source: list[str] = []
        object_ids: list[str] = []
        seen_hashes: set[bytes] = set()
        self._names_taken = []
        complete = True
        source_package = model.Package.get(harvest_job.source.id)
        while next_page_url:
            # Each page's own content type: a portal may change serialisation.
            content, rdf_format = self._get_content_and_type(
                next_page_url, harvest_job, 1, content_type=configured_format)
            if not content:
                complete = False  # the error is recorded by _get_content_and_type
                break
            digest = hashlib.sha256(content.encode()).digest()
            if digest in seen_hashes:
                break  # a portal that ignores the page parameter
            seen_hashes.add(digest)
            parser = RDFParser()
            try:
                parser.parse(content, _format=rdf_format)
            except RDFParserException as error:
                self._save_gather_error(
                    f"RDF illisible ({next_page_url}) : {error}", harvest_job)
                complete = False
                break
            for plugin in plugins.PluginImplementations(IDCATRDFHarvester):
                parser, errors = plugin.after_parsing(parser, harvest_job)
                for message in errors:
                    self._save_gather_error(message, harvest_job)
            for dataset in self._datasets(parser, harvest_job):
                guid = self._get_guid(dataset, source_url=source_package.url)
                if not guid:
                    self._save_gather_error(
                        f"Jeu sans identifiant ignoré : {dataset.get('name')}", harvest_job)
                    continue
                if not dataset.get("owner_org") and source_package.owner_org:
                    dataset["owner_org"] = source_package.owner_org
                dataset["extras"].append({"key": "guid", "value": guid})
                guids_in_source.append(guid)
                obj = HarvestObject(guid=guid, job=harvest_job, content=json.dumps(dataset))
                obj.save()
                object_ids.append(obj.id)
            next_page_url = parser.next_page()
        if complete:
            object_ids += withdrawal.mark_missing(guids_in_source, harvest_job)
        return object_ids

    def _datasets(self, parser: RDFParser, harvest_job):
        """Each dataset of the page, parsed by the profiles one at a time
        (RDFParser.datasets() is a generator that dies at the first error):
        a dataset that fails is an error for it alone."""
        for dataset_ref in parser._datasets():
            dataset: dict = {}
            try:
                for profile_class in parser._profiles:
                    profile_class(parser.g, dataset_type=parser.dataset_type,
                                  compatibility_mode=parser.compatibility_mode
                                  ).parse_dataset(dataset, dataset_ref)
            except Exception as error:  # noqa: BLE001 - one bad dataset, not the page
                self._save_gather_error(f"Jeu illisible ({dataset_ref}) : {error!r}",
                                        harvest_job)
                continue
            if not dataset.get("name"):
                dataset["name"] = self._gen_new_name(dataset.get("title") or "sans-titre")
            if dataset["name"] in self._names_taken:
                dataset["name"] = f"{dataset['name']}-{len(self._names_taken)}"
            self._names_taken.append(dataset["name"])
            yield dataset

    def after_parsing(self, parser: RDFParser, harvest_job):
        """DCAT-AP 3 puts geometries in a locn:Geometry node (GeoSPARQL WKT or
        GeoJSON on it); ckanext-dcat's profiles read only a literal: give them
        the node's GeoJSON (else WKT)."""
        g = parser.g
        for location, node in list(g.subject_objects(LOCN.geometry)):
            if isinstance(node, Literal):
                continue
            value = g.value(node, GSP.asGeoJSON) or g.value(node, GSP.asWKT)
            g.remove((location, LOCN.geometry, node))
            if value is not None:
                g.add((location, LOCN.geometry, value))
        return parser, []

    def _get_existing_dataset(self, guid: str) -> dict | None:
        # A withdrawn dataset is private: read it as the harvest user.
        datasets = self._read_datasets_from_db(guid)
        if not datasets:
            return None
        return toolkit.get_action("package_show")({"ignore_auth": True},
                                                  {"id": datasets[0][0]})

    def modify_package_dict(self, package_dict: dict, dcat_dict: dict, harvest_object) -> dict:
        existing = self._get_existing_dataset(harvest_object.guid)
        return _finish(package_dict, harvest_object, existing)

    def import_stage(self, harvest_object):
        if withdrawal.is_withdrawal(harvest_object):
            return withdrawal.withdraw(harvest_object, self._get_user_name())
        return super().import_stage(harvest_object)


def _timeout() -> int:
    return toolkit.asint(toolkit.config.get("ckan.requests.timeout") or 30)


class MetropoleCKANHarvester(_OwnSingleton, CKANHarvester):
    def _get_content(self, url: str) -> str:
        """ckanext-harvest's fetch under the outbound policy, with a timeout,
        and never the remote body in an error: its callers put a non-JSON
        answer verbatim in the job report ("was not JSON: %r")."""
        headers = {}
        if self.config.get("user_agent"):
            headers["User-Agent"] = str(self.config["user_agent"])
        if self.config.get("api_key"):
            headers["Authorization"] = str(self.config["api_key"])
        try:
            response = outbound.fetch(url, headers=headers, timeout=_timeout())
        except outbound.FetchFailed as error:
            raise ContentFetchError(str(error)) from error
        try:
            json.loads(response.content)
        except ValueError as error:
            log.info("non-JSON answer from %s: %r", url, response.content[:500])
            raise ContentFetchError(
                f"réponse non JSON (not JSON) ({outbound.display_host(url)})") from error
        return response.text

    def info(self) -> dict:
        return {"name": "metropole_ckan", "title": "CKAN — portails CKAN",
                "description": "Moissonne un portail CKAN (API d'actions) vers le schéma "
                               "métropolitain."}

    def last_error_free_job(self, harvest_job):
        # Always list the whole source: only a full listing tells which
        # datasets disappeared (ckanext-harvest#542).
        return None

    def gather_stage(self, harvest_job):
        object_ids = super().gather_stage(harvest_job)
        if object_ids:  # a complete listing (errors return None or [])
            guids = [guid for (guid,) in model.Session.query(HarvestObject.guid).filter(
                HarvestObject.id.in_(object_ids))]
            object_ids += withdrawal.mark_missing(guids, harvest_job)
        return object_ids

    def modify_package_dict(self, package_dict: dict, harvest_object) -> dict:
        base = harvest_object.source.url.rstrip("/")
        extras = {e.get("key"): e.get("value") for e in package_dict.get("extras") or []}
        # ckanext-harvest drops the remote groups before this hook: read them
        # from what the source sent (a CKAN portal's themes are its groups).
        original = json.loads(harvest_object.content or "{}")
        groups = original.get("groups") or []
        harvested = mapping.Harvested(
            fields=package_dict, source_url=base, source_id=package_dict.get("id", ""),
            landing_page=f"{base}/dataset/{package_dict.get('name', '')}",
            spatial_uris=[v for v in (extras.get("spatial_uri"),) if v],
            theme_uris=[t for t in package_dict.get("theme") or [] if isinstance(t, str)]
            + [e for e in (extras.get("theme"),) if e and e.startswith("http")],
            theme_labels=[g.get("name", "") for g in groups] + [g.get("title", "")
                                                                for g in groups],
            licences=[v for v in (package_dict.get("license_url"),
                                  package_dict.get("license_title")) if v],
            frequency=package_dict.get("frequency") or extras.get("frequency"),
            publisher_ids=[p.get("identifier", "") for p in package_dict.get("publisher") or []
                           if isinstance(p, dict)] + [v for v in (
                               extras.get("publisher_identifier"),) if v],
            harvested_at=_now(),
        )
        mapped = mapping.to_schema(harvested, toolkit.config.get("ckan.site_url"),
                                   registry.communes(),
                                   toolkit.config.get("ckanext.metropole.epci") or "")
        mapped["id"] = package_dict.get("id")
        mapped["name"] = package_dict.get("name")
        mapped["owner_org"] = package_dict.get("owner_org")
        existing = model.Package.get(mapped["id"]) if mapped["id"] else None
        existing_dict = toolkit.get_action("package_show")(
            {"ignore_auth": True}, {"id": existing.id}) if existing else None
        return _finish(mapped, harvest_object, existing_dict)

    def import_stage(self, harvest_object):
        if withdrawal.is_withdrawal(harvest_object):
            return withdrawal.withdraw(harvest_object, self._get_user_name())
        return super().import_stage(harvest_object)

