"""``metropole_dcat_ap``: the metropolitan additions to ckanext-dcat's DCAT-AP 3
profile (``euro_dcat_ap_3``, which already reads our scheming fields).

Configured after it (``ckanext.dcat.rdf.profiles = euro_dcat_ap_3
metropole_dcat_ap``), so it adds to and corrects the graph the generic profile
built, and, on import, turns the generic dataset dict into one of our schema's
fields (see ``mapping``).
"""

from __future__ import annotations

import json
import re
from typing import Any

import ckan.plugins.toolkit as toolkit
from ckanext.dcat.profiles import (
    DCAT,
    DCT,
    FOAF,
    LOCN,
    RDF,
    RDFS,
    SKOS,
    SPDX,
    VCARD,
    XSD,
    RDFProfile,
)
from ckanext.dcat.utils import resource_uri
from rdflib import BNode, Literal, Namespace, URIRef
from rdflib.term import Node
from shapely import wkt as shapely_wkt
from shapely.errors import ShapelyError
from shapely.geometry import mapping as geojson_mapping
from shapely.geometry import shape

from metropole_core import commune_registry as registry
from metropole_core import vocabularies

from ..table_schemas.conformity import passing_standard
from . import mapping, uris

ADMS = Namespace("http://www.w3.org/ns/adms#")
IANA_MEDIA_TYPES = "https://www.iana.org/assignments/media-types/"
GSP = Namespace("http://www.opengis.net/ont/geosparql#")
# Labels of the EU data themes we use (SHACL wants a prefLabel on concepts).
EU_THEME_LABELS = {"ENVI": "Environnement", "TRAN": "Transports", "ENER": "Énergie",
                   "ECON": "Économie et finances", "EDUC": "Éducation, culture et sport",
                   "GOVE": "Gouvernement et secteur public", "REGI": "Régions et villes",
                   "SOCI": "Population et société", "HEAL": "Santé",
                   "AGRI": "Agriculture, pêche, sylviculture et alimentation",
                   "JUST": "Justice, système juridique et sécurité publique",
                   "INTR": "Questions internationales", "TECH": "Science et technologie"}
PUBLISHER_TYPES = {"LocalAuthority": "Autorité locale",
                   "NationalAuthority": "Autorité nationale"}
FRENCH = URIRef("http://publications.europa.eu/resource/authority/language/FRA")
# Outlines simplified for the catalogue: tens of datasets share a commune, and
# a harvester needs the extent, not the cadastral outline (≈ 100 m).
SIMPLIFY_DEGREES = 0.001
CHARTER_LABELS = {
    "personal_data": {"none": "Aucune donnée personnelle",
                      "anonymised": "Données personnelles anonymisées",
                      "personal": "Contient des données personnelles"},
    "hosting_location": {"france": "Données hébergées en France",
                         "eu": "Données hébergées dans l'Union européenne",
                         "outside_eu": "Données hébergées hors de l'Union européenne"},
}
ACCESS_LABELS = {"open": "Ouvert à tous", "partners": "Partenaires sous convention",
                 "internal": "Interne"}


def _site_url() -> str:
    return toolkit.config.get("ckan.site_url").rstrip("/")


def _as_list(value: Any) -> list[str]:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return [value] if value else []
    return [str(v) for v in value or []]


_extents: dict[tuple, tuple[int, str | None]] = {}


def _communes_extent(codes: tuple[str, ...], known: dict) -> str | None:
    """The simplified union of these communes, as GeoJSON; cached while the
    commune registry is unchanged (thousands of datasets share a few sets)."""
    cached = _extents.get(codes)
    if cached is not None and cached[0] == id(known):
        return cached[1]
    extent = registry.extent_of(list(codes))
    geometry = None if extent is None else json.dumps(geojson_mapping(
        extent.simplify(SIMPLIFY_DEGREES, preserve_topology=True)))
    if len(_extents) > 10_000:
        _extents.clear()
    _extents[codes] = (id(known), geometry)
    return geometry


def _geometry(text: str):
    """A GeoJSON or WKT literal as a shape; None when it is neither."""
    try:
        return shape(json.loads(text))
    except (ValueError, TypeError, AttributeError, KeyError, ShapelyError):
        pass
    try:
        return shapely_wkt.loads(text.split(">", 1)[-1].strip())  # "<crs> POLYGON…"
    except (ValueError, TypeError, ShapelyError):
        return None


class MetropoleDCATAPProfile(RDFProfile):
    """Communes, themes, charter, publishers and DataStore services as DCAT-AP 3."""

    # --- export -------------------------------------------------------------

    def graph_from_dataset(self, dataset_dict: dict, dataset_ref: URIRef) -> None:
        g = self.g
        g.bind("adms", ADMS)
        self._replace(dataset_ref, DCT.language, FRENCH, DCT.LinguisticSystem)
        # A harvested dataset's identifier is its source URI (the `guid`);
        # DCAT-AP wants dct:identifier as a literal.
        for identifier in list(g.objects(dataset_ref, DCT.identifier)):
            if isinstance(identifier, URIRef):
                g.remove((dataset_ref, DCT.identifier, identifier))
                g.add((dataset_ref, DCT.identifier, Literal(str(identifier))))
        self._spatial(dataset_dict, dataset_ref)
        self._standards(dataset_ref)
        self._themes(dataset_dict, dataset_ref)
        self._frequency(dataset_ref)
        self._access_rights(dataset_dict, dataset_ref)
        self._publisher(dataset_dict, dataset_ref)
        self._contact_points(dataset_ref)
        licence = uris.licence_uri(dataset_dict.get("license_id") or "")
        rights = self._rights_statement(dataset_dict)
        if licence:
            # DCAT-AP puts the licence on distributions; data.gouv.fr also
            # reads it on the dataset.
            g.add((dataset_ref, DCT.license, URIRef(licence)))
            g.add((URIRef(licence), RDF.type, DCT.LicenseDocument))
        for resource in dataset_dict.get("resources", []):
            distribution = URIRef(resource_uri(resource))
            if licence:
                g.set((distribution, DCT.license, URIRef(licence)))
            if rights is not None:
                g.add((distribution, DCT.rights, rights))
            if not list(g.objects(distribution, DCAT.accessURL)):
                g.add((distribution, DCAT.accessURL, URIRef(resource_uri(resource))))
            for url in g.objects(distribution, DCAT.accessURL):
                g.add((url, RDF.type, RDFS.Resource))
            for url in g.objects(distribution, DCAT.downloadURL):
                g.add((url, RDF.type, RDFS.Resource))
            self._format(resource, distribution)
            self._checksum(distribution)
            self._declared_schema(resource, distribution)
            self._standards(distribution)
            if resource.get("datastore_active") in (True, "true", "True"):
                self._datastore_service(resource, distribution, dataset_ref)

    def _standards(self, subject: URIRef) -> None:
        """``dct:conformsTo`` must name a ``dct:Standard`` by IRI. Stewards type
        schema.data.gouv.fr identifiers (``etalab/schema-…``): those become
        the schema's page there; URLs are kept as IRIs."""
        g = self.g
        for value in list(g.objects(subject, DCT.conformsTo)):
            if isinstance(value, URIRef):
                g.add((value, RDF.type, DCT.Standard))
                continue
            text = str(value).strip()
            iri = URIRef(text if re.match(r"https?://", text)
                         else f"https://schema.data.gouv.fr/{text.strip('/')}/")
            g.remove((subject, DCT.conformsTo, value))
            g.add((subject, DCT.conformsTo, iri))
            g.add((iri, RDF.type, DCT.Standard))

    def _declared_schema(self, resource: dict, distribution: URIRef) -> None:
        """A resource that declares a Table Schema states dct:conformsTo only
        when its file passed the last validation, and then names that schema."""
        declares, iri = passing_standard(resource)
        if not declares:
            return
        self.g.remove((distribution, DCT.conformsTo, None))
        if iri:
            self.g.add((distribution, DCT.conformsTo, URIRef(iri)))

    def _checksum(self, distribution: URIRef) -> None:
        """Harvesters store ``hash`` as ``<algorithm>:<hex digest>`` (e.g.
        ``sha256:…``); DCAT-AP wants the bare digest as xsd:hexBinary and
        the algorithm as an SPDX term."""
        g = self.g
        for checksum in list(g.objects(distribution, SPDX.checksum)):
            for value in list(g.objects(checksum, SPDX.checksumValue)):
                algorithm, _, digest = str(value).rpartition(":")
                if not algorithm or not re.fullmatch(r"[0-9a-fA-F]+", digest):
                    continue
                g.remove((checksum, SPDX.checksumValue, value))
                g.add((checksum, SPDX.checksumValue, Literal(digest, datatype=XSD.hexBinary)))
                if not list(g.objects(checksum, SPDX.algorithm)):
                    term = SPDX[f"checksumAlgorithm_{algorithm.lower()}"]
                    g.add((checksum, SPDX.algorithm, term))
                    g.add((term, RDF.type, SPDX.ChecksumAlgorithm))

    def graph_from_catalog(self, catalog_dict: dict | None, catalog_ref: URIRef) -> None:
        g = self.g
        self._replace(catalog_ref, DCT.language, FRENCH, DCT.LinguisticSystem)
        epci = self._epci()
        if epci is not None:
            agent = self._agent_for(epci)
            g.add((catalog_ref, DCT.publisher, agent))
        for homepage in g.objects(catalog_ref, FOAF.homepage):
            g.add((homepage, RDF.type, FOAF.Document))
        scheme = URIRef(uris.portal_theme_scheme(_site_url()))
        g.add((catalog_ref, DCAT.themeTaxonomy, scheme))
        g.add((scheme, RDF.type, SKOS.ConceptScheme))
        g.add((scheme, DCT.title, Literal("Thèmes de la métropole", lang="fr")))

    # --- import -------------------------------------------------------------

    def parse_dataset(self, dataset_dict: dict, dataset_ref: Node) -> dict:
        """The generic profile's dict, mapped onto our schema with what only
        the RDF tells (INSEE URIs, theme URIs, licence documents)."""
        g = self.g
        licences = [str(o) for o in g.objects(dataset_ref, DCT.license)]
        for distribution in g.objects(dataset_ref, DCAT.distribution):
            for licence in g.objects(distribution, DCT.license):
                licences.append(str(licence))
                licences += [str(o) for o in g.objects(licence, DCT.title)]
        for rights in g.objects(dataset_ref, DCT.rights):
            licences += [str(o) for o in g.objects(rights, RDFS.label)]
        publisher_ids = []
        for agent in g.objects(dataset_ref, DCT.publisher):
            publisher_ids += [str(o) for o in g.objects(agent, DCT.identifier)]
            publisher_ids += [str(o) for i in g.objects(agent, ADMS.identifier)
                              for o in g.objects(i, SKOS.notation)]
        spatial_uris = [str(o) for o in g.objects(dataset_ref, DCT.spatial)
                        if isinstance(o, URIRef)]
        frequency = g.value(dataset_ref, DCT.accrualPeriodicity)
        landing = g.value(dataset_ref, DCAT.landingPage)
        harvested = mapping.Harvested(
            fields=dataset_dict, source_url="",
            source_id=str(dataset_ref) if isinstance(dataset_ref, URIRef) else str(
                g.value(dataset_ref, DCT.identifier) or ""),
            landing_page=str(landing) if landing else "",
            spatial_uris=spatial_uris,
            theme_uris=[str(o) for o in g.objects(dataset_ref, DCAT.theme)
                        if isinstance(o, URIRef)],
            theme_labels=[str(o) for o in g.objects(dataset_ref, DCAT.theme)
                          if isinstance(o, Literal)],
            licences=licences, frequency=str(frequency) if frequency else None,
            publisher_ids=publisher_ids,
        )
        known = registry.communes()
        mapped = mapping.to_schema(harvested, _site_url(), known,
                                   toolkit.config.get("ckanext.metropole.epci") or "")
        epci = uris.epci_uri(toolkit.config.get("ckanext.metropole.epci") or "")
        if mapped["communes"] == [registry.WHOLE_METROPOLE] and epci not in spatial_uris \
                and not any(uris.commune_code(u) for u in spatial_uris):
            mapped["communes"] = self._communes_from_geometry(dataset_ref) or mapped[
                "communes"]
        # ckanext-dcat ignores the return value: the dict is changed in place.
        dataset_dict.clear()
        dataset_dict.update(mapped)
        return dataset_dict

    def _communes_from_geometry(self, dataset_ref: Node) -> list[str]:
        """Communes a source's geometry covers (Opendatasoft gives no INSEE URI)."""
        area = None
        for location in self.g.objects(dataset_ref, DCT.spatial):
            values = list(self.g.objects(location, LOCN.geometry)) + list(
                self.g.objects(location, DCAT.bbox))
            for node in list(values):
                values += list(self.g.objects(node, GSP.asGeoJSON))
                values += list(self.g.objects(node, GSP.asWKT))
            for value in values:
                if isinstance(value, Literal):
                    area = _geometry(str(value))
                    if area is not None:
                        break
            if area is not None:
                break
        if area is None:
            return []
        known = registry.communes()
        found = [code for code, commune in known.items()
                 if commune.shape is not None and commune.shape.intersects(area)]
        return [registry.WHOLE_METROPOLE] if len(found) == len(known) else sorted(found)

    # --- pieces ------------------------------------------------------------

    def _replace(self, subject: Node, predicate: URIRef, value: URIRef, cls: URIRef) -> None:
        """ckanext-dcat writes the locale ("fr") as a literal; DCAT-AP wants
        the EU language URI."""
        self.g.remove((subject, predicate, None))
        self.g.add((subject, predicate, value))
        self.g.add((value, RDF.type, cls))

    def _spatial(self, dataset_dict: dict, dataset_ref: URIRef) -> None:
        """One dct:Location per commune (its INSEE URI) and the dataset's
        extent with its geometry as WKT and GeoJSON (what data.gouv.fr reads)."""
        g = self.g
        codes = _as_list(dataset_dict.get("communes"))
        known = registry.communes()
        for code in codes:
            if code == registry.WHOLE_METROPOLE:
                siren = toolkit.config.get("ckanext.metropole.epci")
                location = URIRef(uris.epci_uri(siren))
                g.add((location, SKOS.prefLabel, Literal("Toute la métropole", lang="fr")))
            else:
                location = URIRef(uris.commune_uri(code))
                if code in known:
                    g.add((location, SKOS.prefLabel, Literal(known[code].title, lang="fr")))
                g.add((location, DCT.identifier, Literal(code)))
            g.add((location, RDF.type, DCT.Location))
            g.add((dataset_ref, DCT.spatial, location))
        geometry = dataset_dict.get("spatial") or _communes_extent(tuple(sorted(codes)), known)
        if not geometry:
            return
        # The generic profile already wrote `spatial` on a blank Location;
        # we rewrite it so every export carries both encodings.
        for location in list(g.objects(dataset_ref, DCT.spatial)):
            if isinstance(location, BNode):
                g.remove((dataset_ref, DCT.spatial, location))
                g.remove((location, None, None))
        extent_ref = BNode()
        g.add((extent_ref, RDF.type, DCT.Location))
        g.add((dataset_ref, DCT.spatial, extent_ref))
        self._geometry(extent_ref, geometry)

    def _geometry(self, location: BNode, geojson: str) -> None:
        """DCAT-AP 3 wants the geometry as a locn:Geometry node (GeoSPARQL
        WKT and GeoJSON on it); data.gouv.fr reads a WKT literal on the
        location itself, hence dcat:bbox too."""
        try:
            parsed = shape(json.loads(geojson))
        except (ValueError, TypeError, AttributeError, ShapelyError):
            return
        node = BNode()
        self.g.add((location, LOCN.geometry, node))
        self.g.add((node, RDF.type, LOCN.Geometry))
        self.g.add((node, GSP.asWKT, Literal(parsed.wkt, datatype=GSP.wktLiteral)))
        self.g.add((node, GSP.asGeoJSON, Literal(json.dumps(geojson_mapping(parsed)),
                                                 datatype=GSP.geoJSONLiteral)))
        self.g.add((location, DCAT.bbox, Literal(parsed.envelope.wkt,
                                                 datatype=GSP.wktLiteral)))
        self.g.add((location, DCAT.centroid, Literal(parsed.centroid.wkt,
                                                     datatype=GSP.wktLiteral)))

    def _themes(self, dataset_dict: dict, dataset_ref: URIRef) -> None:
        """EU data themes (already in `theme`) typed as concepts, plus our own."""
        g = self.g
        eu_scheme = URIRef(uris.DATA_THEME.rstrip("/"))
        for theme in list(g.objects(dataset_ref, DCAT.theme)):
            g.add((theme, RDF.type, SKOS.Concept))
            g.add((theme, SKOS.inScheme, eu_scheme))
            code = str(theme).rsplit("/", 1)[-1]
            g.set((theme, SKOS.prefLabel, Literal(EU_THEME_LABELS.get(code, code), lang="fr")))
        known = vocabularies.themes()
        scheme = URIRef(uris.portal_theme_scheme(_site_url()))
        for slug in _as_list(dataset_dict.get("themes")):
            if slug not in known:
                continue
            concept = URIRef(uris.portal_theme_uri(_site_url(), slug))
            g.add((dataset_ref, DCAT.theme, concept))
            g.add((concept, RDF.type, SKOS.Concept))
            g.add((concept, SKOS.inScheme, scheme))
            g.add((concept, SKOS.prefLabel, Literal(known[slug].label["fr"], lang="fr")))
            g.add((concept, SKOS.exactMatch, URIRef(known[slug].eu_uri)))

    def _format(self, resource: dict, distribution: URIRef) -> None:
        """The CKAN format name as an EU file type; a format the vocabulary
        does not have stays out (DCAT-AP accepts no literal there)."""
        for value in list(self.g.objects(distribution, DCT["format"])):
            if isinstance(value, Literal):
                self.g.remove((distribution, DCT["format"], value))
        for value in list(self.g.objects(distribution, DCAT.mediaType)):
            if isinstance(value, Literal):
                # An uploaded file's mimetype (text/csv): its IANA URI.
                self.g.remove((distribution, DCAT.mediaType, value))
                if re.fullmatch(r"[\w.+-]+/[\w.+-]+", str(value)):
                    media_type = URIRef(IANA_MEDIA_TYPES + str(value))
                    self.g.add((distribution, DCAT.mediaType, media_type))
                    self.g.add((media_type, RDF.type, DCT.MediaType))
        code = uris.FILE_TYPES.get((resource.get("format") or "").strip().upper())
        if code:
            file_type = URIRef(uris.FILE_TYPE + code)
            self.g.set((distribution, DCT["format"], file_type))
            self.g.add((file_type, RDF.type, DCT.MediaTypeOrExtent))

    def _frequency(self, dataset_ref: URIRef) -> None:
        for frequency in self.g.objects(dataset_ref, DCT.accrualPeriodicity):
            self.g.add((frequency, RDF.type, DCT.Frequency))

    def _access_rights(self, dataset_dict: dict, dataset_ref: URIRef) -> None:
        level = dataset_dict.get("access_level") or "open"
        right = URIRef(uris.ACCESS_RIGHTS.get(level, uris.ACCESS_RIGHTS["internal"]))
        self.g.remove((dataset_ref, DCT.accessRights, None))
        self.g.add((dataset_ref, DCT.accessRights, right))
        self.g.add((right, RDF.type, DCT.RightsStatement))
        self.g.add((right, RDFS.label, Literal(ACCESS_LABELS.get(level, level), lang="fr")))

    def _rights_statement(self, dataset_dict: dict) -> BNode | None:
        """The charter's terms a reuser must know, as one dct:RightsStatement."""
        parts = []
        for field, labels in CHARTER_LABELS.items():
            value = dataset_dict.get(field)
            if value in labels:
                parts.append(labels[value])
        if dataset_dict.get("convention_ref"):
            parts.append(f"Convention de partenariat : {dataset_dict['convention_ref']}")
        if dataset_dict.get("reuse_conditions"):
            parts.append(str(dataset_dict["reuse_conditions"]).strip())
        if not parts:
            return None
        statement = BNode()
        self.g.add((statement, RDF.type, DCT.RightsStatement))
        self.g.add((statement, RDFS.label, Literal(". ".join(parts), lang="fr")))
        return statement

    def _publisher(self, dataset_dict: dict, dataset_ref: URIRef) -> None:
        """The producing organisation, identified by its SIREN (or, for a
        commune without one, its INSEE code), unless the steward named another
        publisher (then the generic profile's rendering of it stands)."""
        named = [p for p in dataset_dict.get("publisher") or [] if any(p.values())]
        org = dataset_dict.get("organization")
        if named or not org:
            return
        org_dict = self._organization(org["id"])
        if org_dict is None:
            return
        for agent in list(self.g.objects(dataset_ref, DCT.publisher)):
            self.g.remove((dataset_ref, DCT.publisher, agent))
        self.g.add((dataset_ref, DCT.publisher, self._agent_for(org_dict)))

    def _agent_for(self, org_dict: dict) -> URIRef:
        g = self.g
        agent = URIRef(f"{_site_url()}/organization/{org_dict['name']}")
        g.add((agent, RDF.type, FOAF.Agent))
        g.add((agent, RDF.type, FOAF.Organization))
        g.set((agent, FOAF.name, Literal(org_dict.get("title") or org_dict["name"])))
        if org_dict.get("website"):
            g.set((agent, FOAF.homepage, URIRef(org_dict["website"])))
        self._agent_identifiers(agent, org_dict)
        # The EU publisher-type vocabulary: every organisation but partners
        # is a local authority or a public body.
        kind = {"commune": "LocalAuthority", "epci": "LocalAuthority",
                "public_body": "NationalAuthority"}.get(org_dict.get("org_kind") or "")
        if kind:
            concept = URIRef("http://purl.org/adms/publishertype/" + kind)
            g.set((agent, DCT.type, concept))
            g.add((concept, RDF.type, SKOS.Concept))
            g.set((concept, SKOS.prefLabel, Literal(PUBLISHER_TYPES[kind], lang="fr")))
        return agent

    def _agent_identifiers(self, agent: Node, org_dict: dict) -> None:
        g = self.g
        insee = org_dict.get("insee_code")
        # Communes are loaded without SIREN; theirs follows from the INSEE code.
        siren = org_dict.get("siren") or (uris.commune_siren(insee) if insee else None)
        if siren:
            g.set((agent, DCT.identifier, Literal(siren)))
            identifier = BNode()
            g.add((agent, ADMS.identifier, identifier))
            g.add((identifier, RDF.type, ADMS.Identifier))
            g.add((identifier, SKOS.notation, Literal(siren)))
            g.add((identifier, ADMS.schemaAgency, Literal("INSEE — répertoire SIRENE")))
            g.add((agent, FOAF.page, URIRef(uris.siren_uri(siren))))
            g.add((URIRef(uris.siren_uri(siren)), RDF.type, FOAF.Document))
        elif insee:
            g.set((agent, DCT.identifier, Literal(insee)))

    def _contact_points(self, dataset_ref: URIRef) -> None:
        for contact in self.g.objects(dataset_ref, DCAT.contactPoint):
            if (contact, RDF.type, VCARD.Kind) not in self.g:
                self.g.add((contact, RDF.type, VCARD.Kind))

    def _datastore_service(self, resource: dict, distribution: URIRef,
                           dataset_ref: URIRef) -> None:
        """A DataStore table is also an API: its access service is the
        DataStore's datastore_search endpoint, filtered on this resource."""
        g = self.g
        api = f"{_site_url()}/api/3/action/"
        service = URIRef(f"{api}datastore_search?resource_id={resource['id']}")
        g.add((distribution, DCAT.accessService, service))
        g.add((service, RDF.type, DCAT.DataService))
        g.set((service, DCT.title, Literal(
            f"API DataStore — {resource.get('name') or resource['id']}", lang="fr")))
        g.set((service, DCAT.endpointURL, URIRef(f"{api}datastore_search")))
        g.set((service, DCAT.endpointDescription,
               URIRef(f"{api}help_show?name=datastore_search")))
        g.add((service, DCAT.servesDataset, dataset_ref))
        standard = URIRef("https://docs.ckan.org/en/2.11/maintaining/datastore.html"
                          "#the-datastore-api")
        g.add((service, DCT.conformsTo, standard))
        g.add((standard, RDF.type, DCT.Standard))
        for url in (f"{api}datastore_search", f"{api}help_show?name=datastore_search"):
            g.add((URIRef(url), RDF.type, RDFS.Resource))

    def _organization(self, org_id: str) -> dict | None:
        if org_id not in self._org_cache:
            try:
                self._org_cache[org_id] = toolkit.get_action("organization_show")(
                    {"ignore_auth": True}, {"id": org_id, "include_datasets": False,
                                            "include_users": False})
            except toolkit.ObjectNotFound:
                self._org_cache[org_id] = None
        return self._org_cache[org_id]

    def _epci(self) -> dict | None:
        from ..communes.loader import existing_by

        group = existing_by("siren").get(toolkit.config.get("ckanext.metropole.epci"))
        return self._organization(group.id) if group is not None else None

