"""What each index field *is*, mirroring CKAN's Solr ``schema.xml`` (ckan-2.12).

The query compiler needs to know, for any field name a query mentions, how
Solr would have matched it: exact case-sensitive strings, analysed text,
dates, numbers.  This module is the single place that answers that question,
so the compiler, the facet code and the storage layer agree: the field list
below also says which fields are promoted to typed columns of the document
table (storage.py generates the table's DDL and the row of each write from
it; the compiler its array and float column sets) and which fields a search
may facet on.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Kind(enum.Enum):
    STRING = "string"  # exact, case-sensitive whole value
    TEXT = "text"  # stemmed, case/accent folded (Solr ``text``)
    TEXT_GENERAL = "text_general"  # tokenised, lower-cased, not stemmed
    DATE = "date"
    INT = "int"
    FLOAT = "float"
    NGRAM = "ngram"  # substring match for autocomplete
    FULLTEXT = "fulltext"  # the catch-all ``text`` field (copyField target)


class Shape(enum.Enum):
    SCALAR = "scalar"  # text
    ARRAY = "array"  # text[]: a multi-valued field, GIN-indexed
    FLOAT = "float"  # float8: ckanext-spatial's bbox corners


@dataclass(frozen=True)
class Column:
    """A field promoted to a typed column of the document table.

    The compiler then reads the column instead of the generic jsonb
    ``terms`` so the planner has statistics and btree/GIN indexes to work
    with; the value is also kept in ``terms``."""

    name: str
    shape: Shape = Shape.SCALAR
    # COLLATE "C": sorts and ranges compare bytes, as Solr's strings do.
    byte_order: bool = False
    constraint: str = ""

    def ddl(self) -> str:
        sql_type = {Shape.SCALAR: "text", Shape.ARRAY: "text[]", Shape.FLOAT: "float8"}
        parts = [self.name, sql_type[self.shape]]
        if self.byte_order:
            parts.append('COLLATE "C"')
        if self.shape is Shape.ARRAY:
            parts.append("NOT NULL DEFAULT '{}'")
        if self.constraint:
            parts.append(self.constraint)
        return " ".join(parts)


@dataclass(frozen=True)
class Field:
    name: str
    kind: Kind
    stored: bool
    multi: bool
    promoted: Column | None = None
    # Declared facetable (see FACETABLE below).
    facetable: bool = False

    @property
    def column(self) -> str | None:
        """Name of the field's column in the document table, if it has one."""
        return self.promoted.name if self.promoted else None

    @property
    def shape(self) -> Shape | None:
        return self.promoted.shape if self.promoted else None


# Explicit fields of schema.xml, plus the ones the portal needs declared.
_FIELDS: list[Field] = [
    Field("index_id", Kind.STRING, True, False,
          Column("index_id", constraint="PRIMARY KEY")),
    Field("id", Kind.STRING, True, False, Column("entity_id")),
    Field("site_id", Kind.STRING, True, False, Column("site_id", constraint="NOT NULL")),
    Field("title", Kind.TEXT, True, False),
    Field("title_ngram", Kind.NGRAM, True, False),
    Field("entity_type", Kind.STRING, True, False, Column("entity_type")),
    Field("dataset_type", Kind.STRING, True, False, Column("dataset_type")),
    Field("state", Kind.STRING, True, False, Column("state")),
    Field("name", Kind.STRING, True, False, Column("name", byte_order=True)),
    Field("name_ngram", Kind.NGRAM, True, False),
    Field("revision_id", Kind.STRING, True, False),
    Field("version", Kind.STRING, True, False),
    Field("url", Kind.STRING, True, False),
    Field("ckan_url", Kind.STRING, True, False),
    Field("download_url", Kind.STRING, True, False),
    Field("notes", Kind.TEXT, True, False),
    Field("author", Kind.TEXT_GENERAL, True, False),
    Field("author_email", Kind.TEXT_GENERAL, True, False),
    Field("maintainer", Kind.TEXT_GENERAL, True, False),
    Field("maintainer_email", Kind.TEXT_GENERAL, True, False),
    Field("license", Kind.STRING, True, False),
    Field("license_id", Kind.STRING, True, False, Column("license_id"),
          facetable=True),
    Field("tags", Kind.STRING, True, True, Column("tags", Shape.ARRAY),
          facetable=True),
    Field("groups", Kind.STRING, True, True, Column("groups", Shape.ARRAY),
          facetable=True),
    Field("organization", Kind.STRING, True, False,
          Column("organization"), facetable=True),
    Field("capacity", Kind.STRING, True, False, Column("capacity")),
    # Not in schema.xml (its ``*`` dynamic field: string, not stored), but
    # organisation pages filter on it: a column serves them (and lets
    # the facet counts of counts.py answer them).
    Field("owner_org", Kind.STRING, False, False, Column("owner_org"),
          facetable=True),
    Field("permission_labels", Kind.STRING, False, True,
          Column("permission_labels", Shape.ARRAY)),
    Field("res_name", Kind.TEXT_GENERAL, True, True),
    Field("res_description", Kind.TEXT_GENERAL, True, True),
    Field("res_format", Kind.STRING, True, True,
          Column("res_format", Shape.ARRAY), facetable=True),
    Field("res_url", Kind.STRING, True, True),
    Field("res_type", Kind.STRING, True, True),
    Field("text", Kind.FULLTEXT, False, True),
    Field("urls", Kind.TEXT, False, True),
    Field("depends_on", Kind.TEXT, False, True),
    Field("dependency_of", Kind.TEXT, False, True),
    Field("derives_from", Kind.TEXT, False, True),
    Field("has_derivation", Kind.TEXT, False, True),
    Field("links_to", Kind.TEXT, False, True),
    Field("linked_from", Kind.TEXT, False, True),
    Field("child_of", Kind.TEXT, False, True),
    Field("parent_of", Kind.TEXT, False, True),
    Field("views_total", Kind.INT, False, False),
    Field("views_recent", Kind.INT, False, False),
    Field("resources_accessed_total", Kind.INT, False, False),
    Field("resources_accessed_recent", Kind.INT, False, False),
    Field("metadata_created", Kind.DATE, True, False,
          Column("metadata_created", byte_order=True)),
    Field("metadata_modified", Kind.DATE, True, False,
          Column("metadata_modified", byte_order=True)),
    Field("indexed_ts", Kind.DATE, True, False),
    Field("title_string", Kind.STRING, False, False,
          Column("title_string", byte_order=True)),
    Field("data_dict", Kind.STRING, True, False),
    Field("validated_data_dict", Kind.STRING, True, False),
    Field("_version_", Kind.STRING, True, False),
    # ckanext-spatial's solr-bbox fields: its Solr schema declares them as
    # floats (the core schema would make them strings, which spatial's
    # function queries cannot use).
    Field("minx", Kind.FLOAT, True, False, Column("minx", Shape.FLOAT)),
    Field("miny", Kind.FLOAT, True, False, Column("miny", Shape.FLOAT)),
    Field("maxx", Kind.FLOAT, True, False, Column("maxx", Shape.FLOAT)),
    Field("maxy", Kind.FLOAT, True, False, Column("maxy", Shape.FLOAT)),
    Field("bbox_area", Kind.FLOAT, True, False),
    # The dynamic ``*`` field of schema.xml (string, not stored), declared
    # for faceting: ckanext-harvest's /harvest page and DCAT's frequency.
    Field("frequency", Kind.STRING, False, False, facetable=True),
    Field("source_type", Kind.STRING, False, False, facetable=True),
    # Table Schemas every declaring resource of the dataset passes
    # (table_schemas/conformity.py): the "conforms to" facet.
    Field("conforms_table_schema", Kind.STRING, False, True, facetable=True),
]
_DECLARED: dict[str, Field] = {f.name: f for f in _FIELDS}


def declared() -> tuple[Field, ...]:
    return tuple(_FIELDS)


# The document table's typed columns, in table order (storage.py).
COLUMNS: tuple[Field, ...] = tuple(f for f in _FIELDS if f.promoted)
ARRAY_COLUMNS = frozenset(f.column for f in COLUMNS if f.shape is Shape.ARRAY)
FLOAT_COLUMNS = frozenset(f.column for f in COLUMNS if f.shape is Shape.FLOAT)

# Fields copied into the catch-all ``text`` field (copyField in schema.xml),
# by exact name; the dynamic ones are handled by prefix in ``copied_to_text``.
TEXT_SOURCES = (
    "urls", "name", "title", "text", "license", "notes", "tags", "groups",
    "organization", "res_name", "res_description", "maintainer", "author",
    "url", "ckan_url", "download_url", "res_url",
)
_TEXT_SOURCE_PREFIXES = ("extras_", "res_extras_", "vocab_")

# The dismax ``qf`` fields and their tsvector weights: name^4 title^4 -> A,
# tags^2 groups^2 -> B, everything else copied into text -> D.
WEIGHT_A_FIELDS = ("name", "title")
WEIGHT_B_FIELDS = ("tags", "groups")


# Fields a search may facet on.  Solr facets on any indexed field, which
# turns faceting into a way of reading what a field holds: ``text`` is every
# word of every dataset (megabytes), ``permission_labels`` the ids of the
# users and organisations who may read each dataset, ``data_dict`` and
# ``validated_data_dict`` whole records, and any field a plugin indexes
# (``private_reason``, a harvest source's ``config``) its values.  Only the
# fields the portal's pages and plugins facet on are declared: CKAN's default
# facets, ``owner_org`` (CKAN's group pages count datasets per organisation
# with it), ckanext-harvest's ``frequency`` and ``source_type`` (/harvest) and
# the portal's vocabularies.  ``search.facets`` and the
# ``ckanext.metropole.search.facetable_fields`` setting add more (facets.py).
FACETABLE = tuple(f.name for f in _FIELDS if f.facetable)
FACETABLE_PREFIXES = ("vocab_",)
# Never facetable, whatever the settings say: internal or whole-record fields.
NEVER_FACETABLE = (
    "text", "permission_labels", "data_dict", "validated_data_dict", "index_id", "site_id",
)


def field(name: str) -> Field:
    """Describe ``name`` the way Solr's schema would (dynamic fields included)."""
    declared = _DECLARED.get(name)
    if declared is not None:
        return declared
    if name.endswith("_date"):
        return Field(name, Kind.DATE, True, False)
    if name.startswith("res_extras_"):
        return Field(name, Kind.TEXT, True, True)
    if name.startswith("extras_"):
        return Field(name, Kind.TEXT, True, False)
    if name.startswith("vocab_"):
        return Field(name, Kind.STRING, True, True)
    # <dynamicField name="*" type="string" stored="false"/>
    return Field(name, Kind.STRING, False, False)


def values_column(name: str) -> str:
    """Which jsonb column holds the field's values: analysed text fields are
    kept apart (``texts``) so that ``terms``, read for every exact match and
    facet, stays small enough to be stored inline rather than TOASTed."""
    kind = field(name).kind
    return "texts" if kind in (Kind.TEXT, Kind.TEXT_GENERAL, Kind.FULLTEXT) else "terms"


def copied_to_text(name: str) -> bool:
    return name in TEXT_SOURCES or name.startswith(_TEXT_SOURCE_PREFIXES)
