"""Write the portal's Solr configset: CKAN's own schema plus solr-bbox's fields.

    python deployment/solr/configset.py OUTPUT_DIR

One configset for every Solr the portal runs on: the SolrCloud of
``make solr-up`` (deployment/solr, used by the tests) and the ``solr``
service of ``compose.production.yml``. The schema is not copied into this
repository: it is read from the installed ``ckan`` package, so it always
matches the CKAN that queries it (``ckan.lib.search`` checks its name).
Everything else comes from ``configset/`` beside this file. Standard library
and the ``ckan`` package only.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOURCE = HERE / "configset"
SPATIAL_FIELDS = "spatial-fields.xml"


def ckan_schema() -> Path:
    import ckan

    return Path(ckan.__file__).parent / "config" / "solr" / "schema.xml"


def schema_with_spatial_fields(schema: str, fields: str) -> str:
    # Only the field lines: the fragment's leading comment stays in the repo.
    lines = [line for line in fields.splitlines() if line.strip().startswith("<field ")]
    if schema.count("</fields>") != 1:
        raise SystemExit("CKAN's schema.xml has no single </fields>: cannot add solr-bbox's fields")
    return schema.replace("</fields>", "\n".join(lines) + "\n</fields>")


def write(output: Path) -> None:
    if output.exists():
        shutil.rmtree(output)
    shutil.copytree(SOURCE, output, ignore=shutil.ignore_patterns(SPATIAL_FIELDS))
    schema = schema_with_spatial_fields(ckan_schema().read_text(encoding="utf-8"),
                                        (SOURCE / SPATIAL_FIELDS).read_text(encoding="utf-8"))
    (output / "schema.xml").write_text(schema, encoding="utf-8")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    write(Path(sys.argv[1]))
