"""Benchmark of the PostgreSQL search backend (issue 3, acceptance 4).

Prints figures; it is not a test.  Usage, against a *scratch* CKAN database
(it writes an index under its own site id and, for the rebuild figure,
creates real datasets):

    .venv/bin/python benchmarks/search.py --config /path/to/ckan.ini \
        [--sizes 10000,100000] [--runs 200] [--rebuild-datasets 1000]

For each corpus size it loads a synthetic French catalogue (92 communes of
the Aix-Marseille-Provence metropole as organisations, themes, tags, formats,
licences, bounding boxes inside the metropole) straight into the index
table through the backend's own write path, then times four query mixes
through CKAN's ``package_search``/``package_autocomplete`` actions, as an
anonymous user:

* ``text+3fq+6facets``  dismax text, organisation/tag/format filters, 6 facets
* ``text only``         dismax text, no filter, no facet
* ``browse+6facets``    ``*:*``, default sort, 6 facets (``vocab_themes`` among them)
* ``browse+theme``      ``*:*``, 6 facets with ``theme`` (a DCAT extra: a field no
                        hand-kept list names)
* ``filtered+theme``    a tag filter, 6 facets with ``theme`` and ``frequency``
* ``sort title p3``     ``*:*`` sorted by title, third page
* ``bbox+text``         ckanext-spatial ``ext_bbox`` plus text
* ``autocomplete``      ``package_autocomplete`` on a 3-5 letter substring

then each facetable field of the corpus alone on ``*:*`` (its own cost, so a
regression on one field shows), and the cost of a package update's index
write (one document re-indexed, as ``package_update`` does).

and, for each mix, a hand-written SQL "floor" query fetching the same page of
ids from the same table: the ratio shows what parsing, compiling, faceting
and CKAN's own processing add to what PostgreSQL itself needs.
Each mix runs with the per-process result cache off (every query hits
PostgreSQL) and on (the default; repeated queries such as the unfiltered
browse are then answered from memory until the index changes).
Rebuild throughput is measured on real CKAN datasets (``--rebuild-datasets``)
with CKAN's ``search-index rebuild`` path and with ``metropole search
rebuild``, next to the ceiling CKAN's own per-dataset work sets on this
machine (see search_rebuild.py), plus the raw index write rate of the
synthetic load.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import time
import uuid
from collections.abc import Callable
from typing import Any

from search_rebuild import ckan_ceiling

SITE_ID = "metropole-bench"

COMMUNES = [
    "Marseille", "Aix-en-Provence", "Martigues", "Aubagne", "Istres", "Salon-de-Provence",
    "Vitrolles", "Marignane", "La Ciotat", "Miramas", "Gardanne", "Les Pennes-Mirabeau",
    "Allauch", "Port-de-Bouc", "Châteauneuf-les-Martigues", "Berre-l'Étang",
    "Septèmes-les-Vallons", "Plan-de-Cuques", "Pertuis", "Rognac", "Gémenos", "Fos-sur-Mer",
    "Bouc-Bel-Air", "Cassis", "Trets", "Auriol", "Simiane-Collongue", "Saint-Victoret",
    "Carry-le-Rouet", "Sausset-les-Pins", "Gignac-la-Nerthe", "Ensuès-la-Redonne", "Le Rove",
    "Roquevaire", "Cuges-les-Pins", "Carnoux-en-Provence", "Ceyreste", "Roquefort-la-Bédoule",
    "La Penne-sur-Huveaune", "Belcodène", "La Bouilladisse", "La Destrousse", "Peypin",
    "Cadolive", "Saint-Savournin", "Saint-Zacharie", "Éguilles", "Venelles", "Meyreuil",
    "Fuveau", "Rousset", "Peynier", "Puyloubier", "Châteauneuf-le-Rouge", "Beaurecueil",
    "Saint-Marc-Jaumegarde", "Vauvenargues", "Le Tholonet", "Jouques", "Peyrolles-en-Provence",
    "Meyrargues", "Le Puy-Sainte-Réparade", "Saint-Estève-Janson", "Rognes", "Saint-Cannat",
    "Lambesc", "La Roque-d'Anthéron", "Charleval", "Mallemort", "Alleins", "Vernègues",
    "Aurons", "Pélissanne", "La Barben", "Lançon-Provence", "La Fare-les-Oliviers", "Velaux",
    "Coudoux", "Ventabren", "Cabriès", "Saint-Chamas", "Cornillon-Confoux", "Grans",
    "Eyguières", "Lamanon", "Sénas", "Saint-Mitre-les-Remparts", "Mimet", "Gréasque",
    "Saint-Paul-lès-Durance", "Saint-Antonin-sur-Bayon", "Port-Saint-Louis-du-Rhône",
]
THEMES = {
    "environnement": ["Qualité de l'air", "Mesures de bruit", "Espaces verts",
                      "Arbres d'alignement"],
    "transports": ["Horaires des bus", "Stations de vélos", "Parkings relais",
                   "Comptages routiers"],
    "urbanisme": ["Plan local d'urbanisme", "Permis de construire", "Cadastre", "Zonage"],
    "economie": ["Marchés publics", "Entreprises créées", "Budget primitif", "Subventions"],
    "culture": ["Équipements culturels", "Bibliothèques", "Fréquentation des musées"],
    "sante": ["Défibrillateurs", "Pharmacies de garde", "Centres de santé"],
    "education": ["Écoles maternelles", "Cantines scolaires", "Effectifs des collèges"],
    "energie": ["Consommation électrique", "Bornes de recharge", "Panneaux solaires"],
    "eau": ["Qualité de l'eau potable", "Réseau d'assainissement", "Plages et baignade"],
    "tourisme": ["Hébergements touristiques", "Sentiers de randonnée", "Offices de tourisme"],
}
TAGS = ["air", "bruit", "vélo", "bus", "tramway", "métro", "parking", "budget", "école",
        "santé", "eau", "plage", "forêt", "incendie", "déchets", "recyclage", "énergie",
        "solaire", "patrimoine", "musée", "sport", "piscine", "marché", "commerce", "emploi",
        "population", "logement", "voirie", "éclairage", "wifi", "tourisme", "randonnée",
        "littoral", "calanques", "agriculture", "vigne", "olivier", "climat", "pollution",
        "mobilité", "accessibilité", "handicap", "jeunesse", "sénior", "culture", "élections"]
FORMATS = ["CSV", "JSON", "GeoJSON", "SHP", "PDF", "XLSX", "API", "WMS"]
LICENSES = [("lo-2.0", "Licence Ouverte 2.0"), ("odc-odbl", "ODbL"), ("cc-by", "CC-BY"),
            ("cc-zero", "CC0")]
WORDS = ["données", "relevés", "annuels", "communaux", "métropolitains", "mesures", "stations",
         "réseau", "service", "public", "inventaire", "localisation", "horaires", "usagers",
         "capteurs", "enquête", "territoire", "quartier", "historique", "mise à jour"]
FREQUENCIES = ["daily", "weekly", "monthly", "annual", "irregular"]
# vocab_themes: the portal's own theme facet (a scheming vocabulary field).
FACETS = ["organization", "groups", "tags", "res_format", "license_id", "vocab_themes"]
# theme: a DCAT extra, indexed by CKAN under its own name: no list of
# pre-counted fields names it.
THEME_FACETS = ["organization", "groups", "tags", "res_format", "license_id", "theme"]
FILTERED_FACETS = ["organization", "groups", "res_format", "license_id", "theme", "frequency"]
# Each timed alone on ``*:*``.
SINGLE_FACETS = [*FACETS, "theme", "frequency", "extras_theme"]
# The metropole, roughly: lon 4.85-5.85, lat 43.15-43.75
LON, LAT = (4.85, 5.85), (43.15, 43.75)


def slug(text: str) -> str:
    import unicodedata

    ascii_ = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(c if c.isalnum() else "-" for c in ascii_.lower()).strip("-")


class Corpus:
    def __init__(self, seed: int = 42) -> None:
        self.random = random.Random(seed)
        self.orgs = []
        for name in COMMUNES[:92]:
            lon = self.random.uniform(*LON)
            lat = self.random.uniform(*LAT)
            self.orgs.append({"id": str(uuid.UUID(int=self.random.getrandbits(128))),
                              "name": slug(name), "title": name, "lon": lon, "lat": lat})

    def document(self, n: int) -> dict[str, Any]:
        r = self.random
        org = r.choice(self.orgs)
        theme = r.choice(list(THEMES))
        subject = r.choice(THEMES[theme])
        year = r.randint(2012, 2025)
        title = f"{subject} — {org['title']} {year}"
        notes = (f"{subject} de la commune de {org['title']} ({year}). "
                 + " ".join(r.choice(WORDS) for _ in range(r.randint(15, 40))) + ".")
        tags = sorted(set(r.sample(TAGS, r.randint(1, 5))))
        formats = [r.choice(FORMATS) for _ in range(r.randint(1, 4))]
        license_id, license_title = r.choice(LICENSES)
        frequency = r.choice(FREQUENCIES)
        private = r.random() < 0.1
        ident = str(uuid.UUID(int=r.getrandbits(128)))
        name = f"{slug(subject)}-{org['name']}-{year}-{n}"
        size = r.uniform(0.005, 0.15)
        minx, miny = org["lon"] - size, org["lat"] - size / 1.4
        maxx, maxy = org["lon"] + size, org["lat"] + size / 1.4
        modified = f"20{r.randint(15, 25):02d}-{r.randint(1, 12):02d}-{r.randint(1, 28):02d}T" \
                   f"{r.randint(0, 23):02d}:{r.randint(0, 59):02d}:00.{r.randint(0, 999999):06d}"
        resources = [{"name": f"{subject} ({fmt})", "format": fmt, "description": "Export",
                      "url": f"https://data.example.fr/{name}/{i}.{fmt.lower()}"}
                     for i, fmt in enumerate(formats)]
        public_dict = {"id": ident, "name": name, "title": title, "notes": notes,
                       "type": "dataset", "state": "active", "private": private,
                       "license_id": license_id, "license_title": license_title,
                       "metadata_modified": modified, "metadata_created": modified,
                       "organization": {"id": org["id"], "name": org["name"],
                                        "title": org["title"]},
                       "owner_org": org["id"], "tags": [{"name": t} for t in tags],
                       "groups": [{"name": theme}], "resources": resources,
                       "extras": [{"key": "theme", "value": theme},
                                  {"key": "frequency", "value": frequency}]}
        return {
            "id": ident, "name": name, "title": title, "title_string": title, "notes": notes,
            "tags": tags, "groups": [theme], "organization": org["name"],
            "owner_org": org["id"], "res_format": formats,
            "res_name": [x["name"] for x in resources],
            "res_description": [x["description"] for x in resources],
            "res_url": [x["url"] for x in resources], "res_type": [None] * len(resources),
            "license_id": license_id, "license_title": license_title,
            "metadata_created": modified + "Z", "metadata_modified": modified + "Z",
            "capacity": "private" if private else "public", "private": private,
            "permission_labels": [f"member-{org['id']}"] if private else ["public"],
            "state": "active", "type": "dataset", "dataset_type": "dataset",
            "entity_type": "package", "site_id": SITE_ID,
            "index_id": hashlib.md5((ident + SITE_ID).encode()).hexdigest(),
            "extras_theme": theme, "theme": theme, "extras_frequency": frequency,
            "frequency": frequency, "vocab_themes": [theme], "num_resources": len(resources),
            "num_tags": len(tags), "minx": minx, "miny": miny, "maxx": maxx, "maxy": maxy,
            "data_dict": json.dumps(public_dict), "validated_data_dict": json.dumps(public_dict),
        }


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def timed(fn: Callable[[], Any], runs: int, warmup: int = 10) -> list[float]:
    for _ in range(warmup):
        fn()
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        out.append((time.perf_counter() - start) * 1000)
    return out


def load(corpus: Corpus, size: int) -> float:
    from ckanext.metropole.search import document, storage

    storage.execute(f"DELETE FROM {storage.TABLE} WHERE site_id = %(s)s", {"s": SITE_ID})
    start = time.perf_counter()
    batch = []
    for n in range(size):
        batch.append(document.to_row(corpus.document(n)))
        if len(batch) == 1000:
            storage.upsert(batch)
            batch = []
    storage.upsert(batch)
    elapsed = time.perf_counter() - start
    storage.execute(f"VACUUM ANALYZE {storage.TABLE}")  # what autovacuum would do
    return size / elapsed


def mixes(corpus: Corpus) -> dict[str, tuple[Callable[[], Any], Callable[[], Any]]]:
    """name -> (CKAN call, floor SQL call), each drawing fresh random inputs."""
    import ckan.logic as logic

    from ckanext.metropole.search import storage

    r = random.Random(7)
    search = logic.get_action("package_search")
    autocomplete = logic.get_action("package_autocomplete")
    anon = {"user": "", "ignore_auth": False}
    words = ["qualité", "bus", "budget", "écoles", "vélos", "parkings", "eau", "bruit",
             "musées", "randonnée", "énergie", "plages"]
    text = "(plainto_tsquery('metropole_search.fr', %(q)s) || " \
           "plainto_tsquery('metropole_search.en', %(q)s))"
    rank = f"ts_rank('{{0.25,0.25,0.5,1.0}}'::float4[], fts, {text}, 0)"
    base = (f"site_id = '{SITE_ID}' AND state = 'active' AND "
            "permission_labels && ARRAY['public'] AND coalesce(dataset_type,'') <> 'harvest'")

    def floor(sql: str, params: dict) -> Callable[[], Any]:
        return lambda: storage.execute(sql, params)

    def text_mix():
        q = r.choice(words)
        org = r.choice(corpus.orgs)["name"]
        tag = r.choice(TAGS)
        fmt = r.choice(FORMATS)
        fq = f'organization:"{org}" tags:"{tag}" res_format:"{fmt}"'
        ckan = lambda: search(dict(anon), {"q": q, "fq": fq, "rows": 20,  # noqa: E731
                                           "include_private": True, "facet.field": FACETS})
        sql = (f"SELECT entity_id FROM {storage.TABLE} WHERE {base} AND fts @@ {text} "
               "AND organization = %(org)s AND tags @> ARRAY[%(tag)s] AND "
               f"res_format @> ARRAY[%(fmt)s] ORDER BY {rank} DESC, metadata_modified DESC "
               "LIMIT 21")
        return ckan, floor(sql, {"q": q, "org": org, "tag": tag, "fmt": fmt})

    def browse_mix(facets: list[str]) -> Callable[[], tuple]:
        def make():
            ckan = lambda: search(dict(anon), {"q": "", "rows": 20,  # noqa: E731
                                               "include_private": True, "facet.field": facets})
            sql = (f"SELECT entity_id FROM {storage.TABLE} WHERE {base} "
                   "ORDER BY metadata_modified DESC NULLS LAST, seq LIMIT 21")
            return ckan, floor(sql, {})
        return make

    def text_only_mix():
        q = r.choice(words)
        ckan = lambda: search(dict(anon), {"q": q, "rows": 20,  # noqa: E731
                                           "include_private": True})
        sql = (f"SELECT entity_id FROM {storage.TABLE} WHERE {base} AND fts @@ {text} "
               f"ORDER BY {rank} DESC, metadata_modified DESC LIMIT 21")
        return ckan, floor(sql, {"q": q})

    def filtered_theme_mix():
        tag = r.choice(TAGS)
        ckan = lambda: search(dict(anon), {"q": "", "fq": f'tags:"{tag}"', "rows": 20,  # noqa: E731
                                           "include_private": True,
                                           "facet.field": FILTERED_FACETS})
        sql = (f"SELECT entity_id FROM {storage.TABLE} WHERE {base} AND tags @> ARRAY[%(tag)s] "
               "ORDER BY metadata_modified DESC NULLS LAST, seq LIMIT 21")
        return ckan, floor(sql, {"tag": tag})

    def sort_title_mix():
        ckan = lambda: search(dict(anon), {"q": "", "rows": 20, "start": 40,  # noqa: E731
                                           "sort": "title_string asc",
                                           "include_private": True})
        sql = (f"SELECT entity_id FROM {storage.TABLE} WHERE {base} "
               "ORDER BY title_string, seq LIMIT 20 OFFSET 40")
        return ckan, floor(sql, {})

    def bbox_mix():
        q = r.choice(words)
        w = r.uniform(0.05, 0.4)
        x, y = r.uniform(LON[0], LON[1] - w), r.uniform(LAT[0], LAT[1] - w)
        box = (x, y, x + w, y + w)
        ckan = lambda: search(dict(anon), {"q": q, "rows": 20, "include_private": True,  # noqa: E731
                                           "extras": {"ext_bbox": ",".join(map(str, box))}})
        ratio = ("(2 * greatest(0, least(%(x2)s, maxx) - greatest(%(x1)s, minx)) * "
                 "greatest(0, least(%(y2)s, maxy) - greatest(%(y1)s, miny))) / "
                 "(%(area)s + (maxy - miny) * (maxx - minx))")
        sql = (f"SELECT entity_id FROM {storage.TABLE} WHERE {base} AND fts @@ {text} "
               f"AND extent && box(point(%(x1)s, %(y1)s), point(%(x2)s, %(y2)s)) "
               f"AND {ratio} > 0 ORDER BY {rank} + {ratio} DESC, metadata_modified DESC "
               "LIMIT 21")
        params = {"q": q, "x1": box[0], "y1": box[1], "x2": box[2], "y2": box[3],
                  "area": w * w}
        return ckan, floor(sql, params)

    def autocomplete_mix():
        word = r.choice(["qualit", "parki", "vélo", "budg", "école", "marse", "aix", "bruit",
                         "plage", "musé"])
        from ckanext.metropole.search.document import fold

        ckan = lambda: autocomplete(dict(anon), {"q": word, "limit": 10})  # noqa: E731
        sql = (f"SELECT name, stored->>'title' FROM {storage.TABLE} WHERE {base} AND "
               "(ac_name LIKE %(p)s OR ac_title LIKE %(p)s) "
               "ORDER BY metadata_modified DESC LIMIT 11")
        return ckan, floor(sql, {"p": f"%{fold(word)}%"})

    def draw(make):
        def both():
            return make()
        return both

    return {"text+3fq+6facets": draw(text_mix), "text only": draw(text_only_mix),
            "browse+6facets": browse_mix(FACETS), "browse+theme": browse_mix(THEME_FACETS),
            "filtered+theme": draw(filtered_theme_mix), "sort title p3": draw(sort_title_mix),
            "bbox+text": draw(bbox_mix), "autocomplete": draw(autocomplete_mix)}


def facet_costs(runs: int) -> None:
    """Each facetable field of the corpus alone on ``*:*``, and the same page
    without facets: the difference is that facet's own cost."""
    import ckan.logic as logic

    search = logic.get_action("package_search")
    anon = {"user": "", "ignore_auth": False}

    def p50_p95(facets: list[str]) -> tuple[float, float]:
        call = lambda: search(dict(anon), {"q": "", "rows": 20,  # noqa: E731
                                           "include_private": True, "facet.field": facets})
        ms = timed(call, runs, warmup=3)
        return percentile(ms, 50), percentile(ms, 95)

    bare50, bare95 = p50_p95([])
    print(f"  -- each facet alone on *:* (page without facets: p50 {bare50:.1f} ms, "
          f"p95 {bare95:.1f} ms)")
    for name in SINGLE_FACETS:
        p50, p95 = p50_p95([name])
        print(f"  facet {name:14s} p50 {p50:7.1f} ms  p95 {p95:7.1f} ms   "
              f"own cost p50 {p50 - bare50:6.1f} ms")


def write_cost(corpus: Corpus, runs: int) -> None:
    """What a package update costs the index: one document re-indexed
    (``conn.add`` of one row: upsert, count maintenance, generation)."""
    from ckanext.metropole.search import document, storage

    r = random.Random(11)
    ms = []
    for n in range(runs):
        doc = corpus.document(r.randrange(1_000_000_000))
        doc["index_id"] = hashlib.md5(f"write-{n % 50}".encode()).hexdigest()
        row = document.to_row(doc)
        start = time.perf_counter()
        storage.upsert([row])
        ms.append((time.perf_counter() - start) * 1000)
    storage.execute(f"DELETE FROM {storage.TABLE} WHERE index_id = ANY(%(ids)s)", {
        "ids": [hashlib.md5(f"write-{n}".encode()).hexdigest() for n in range(50)]})
    print(f"  package update index write (one document): p50 {percentile(ms, 50):.1f} ms  "
          f"p95 {percentile(ms, 95):.1f} ms")


def index_figures() -> None:
    """What the index weighs on disk and what PostgreSQL holds in memory."""
    from ckanext.metropole.search import counts, storage

    (table, indexes, facet, rows), = storage.execute(
        f"SELECT pg_total_relation_size('{storage.TABLE}'), pg_indexes_size('{storage.TABLE}'), "
        f"pg_total_relation_size('{counts.facet_table(storage.TABLE)}'), "
        f"(SELECT count(*) FROM {counts.facet_table(storage.TABLE)})")
    print(f"  index on disk: documents {table / 2**20:,.0f} MiB (of which indexes "
          f"{indexes / 2**20:,.0f} MiB), facet counts {facet / 2**20:,.0f} MiB ({rows:,} rows)")
    settings = storage.execute(
        "SELECT name, current_setting(name) FROM pg_settings "
        "WHERE name IN ('shared_buffers', 'work_mem', 'effective_cache_size') ORDER BY 1")
    print("  PostgreSQL settings: " + ", ".join(f"{k} {v}" for k, v in settings))
    print(f"  PostgreSQL memory: {postgres_memory()}")


def postgres_memory() -> str:
    """Proportional resident memory of the PostgreSQL server's processes
    (shared buffers counted once), when the server runs on this machine."""
    import psutil

    from ckanext.metropole.search import storage

    (backend,), = storage.execute("SELECT pg_backend_pid()")
    try:
        postmaster = psutil.Process(backend).parent()
        processes = [postmaster, *postmaster.children()]
        pss = sum(p.memory_full_info().pss for p in processes)
        rss = max(p.memory_info().rss for p in processes)
    except (psutil.Error, AttributeError) as error:
        return f"not measurable from here ({error.__class__.__name__})"
    return (f"{pss / 2**20:,.0f} MiB proportional set size over {len(processes)} processes "
            f"(largest resident set {rss / 2**20:,.0f} MiB)")


def index_rebuild() -> None:
    """The index's own share of ``metropole search rebuild``: copying every
    document into a shadow table with its indexes, counting its facets in
    bulk and swapping it in.  (CKAN's per-dataset work, package_show and
    validation, comes on top: see --rebuild-datasets.)"""
    from ckanext.metropole.search import storage

    start = time.perf_counter()
    storage.create_shadow("no-such-site")  # keeps every row: a copy of the whole index
    copied = time.perf_counter() - start
    storage.swap_shadow()
    total = time.perf_counter() - start
    print(f"  index side of a rebuild: shadow copy with indexes {copied:.0f} s, facet recount "
          f"and swap {total - copied:.0f} s, total {total:.0f} s")


def run_mixes(corpus: Corpus, runs: int, cache_size: int) -> None:
    from ckan.common import config

    config["ckanext.metropole.search.cache_size"] = cache_size
    print(f"  -- result cache {'off' if cache_size == 0 else f'on ({cache_size} entries)'}")
    for name, make in mixes(corpus).items():
        ckan_ms, floor_ms = [], []
        for _ in range(5):  # warm-up
            ckan, floor = make()
            ckan()
            floor()
        for _ in range(runs):
            ckan, floor = make()
            start = time.perf_counter()
            ckan()
            ckan_ms.append((time.perf_counter() - start) * 1000)
            start = time.perf_counter()
            floor()
            floor_ms.append((time.perf_counter() - start) * 1000)
        p50, p95 = percentile(ckan_ms, 50), percentile(ckan_ms, 95)
        f50, f95 = percentile(floor_ms, 50), percentile(floor_ms, 95)
        print(f"  {name:18s} p50 {p50:7.1f} ms  p95 {p95:7.1f} ms   "
              f"floor p50 {f50:6.1f} ms p95 {f95:6.1f} ms   "
              f"ratio p50 {p50 / max(f50, 0.01):5.1f}x p95 {p95 / max(f95, 0.01):5.1f}x")


def rebuild_figures(count: int) -> None:
    """Throughput of full rebuilds over ``count`` real CKAN datasets."""
    import ckan.lib.search as search
    import ckan.logic as logic
    import ckan.model as model

    from ckanext.metropole.search import rebuild as shadow_rebuild

    site_user = logic.get_action("get_site_user")({"ignore_auth": True}, {})
    context = {"user": site_user["name"], "ignore_auth": True}
    corpus = Corpus(seed=1)
    existing = model.Session.query(model.Package).filter(
        model.Package.name.like("bench-%")).count()
    orgs = {}
    for n in range(existing, count):
        doc = corpus.document(n)
        org = doc["organization"]
        if org not in orgs:
            found = model.Group.get(org)
            orgs[org] = found.id if found else logic.get_action("organization_create")(
                dict(context), {"name": org, "title": org})["id"]
        logic.get_action("package_create")(dict(context), {
            "name": f"bench-{n}", "title": doc["title"], "notes": doc["notes"],
            "owner_org": orgs[org], "tags": [{"name": t} for t in doc["tags"]],
            "license_id": doc["license_id"],
            "resources": [{"url": u, "format": f}
                          for u, f in zip(doc["res_url"], doc["res_format"], strict=True)],
            "extras": [{"key": "theme", "value": doc["extras_theme"]}]})
    total = model.Session.query(model.Package).filter(model.Package.state == "active").count()
    show_ms, index_ms, ceiling = ckan_ceiling(shadow_rebuild._package_ids()[:300])
    print(f"  CKAN's own work per dataset (write skipped): package_show + validation "
          f"{show_ms:.2f} ms, index_package + plugins {index_ms:.2f} ms; ceiling on "
          f"{os.cpu_count()} cores for any backend {ceiling:.0f} datasets/s")
    start = time.perf_counter()
    search.rebuild(defer_commit=True, quiet=True)
    search.commit()
    ckan_rate = total / (time.perf_counter() - start)
    summary = shadow_rebuild.rebuild()
    print(f"  rebuild of {total} CKAN datasets: ckan search-index rebuild "
          f"{ckan_rate:.0f} datasets/s; metropole search rebuild "
          f"{summary['per_second']:.0f} datasets/s ({summary['seconds']:.1f}s)")


def corpus_config(conf: dict[str, Any]) -> None:
    """The settings under which the corpus is written and searched (this
    benchmark and benchmarks/scaleout.py): CKAN's fields, not the portal's."""
    conf["ckan.plugins"] = "metropole_search spatial_metadata spatial_query"
    conf["ckan.site_id"] = SITE_ID
    # Loading and VACUUM ANALYZE of 100,000 documents outlast a search's limit.
    conf["ckanext.metropole.search.statement_timeout"] = "600000"
    # The corpus's DCAT extras, facetable as a site adds them.
    conf["ckanext.metropole.search.facetable_fields"] = " ".join(
        [str(conf.get("ckanext.metropole.search.facetable_fields") or ""), "theme", "extras_*"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--config", required=True, help="CKAN ini of a scratch database")
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--rebuild-datasets", type=int, default=1000)
    parser.add_argument("--keep", action="store_true", help="keep the synthetic index rows")
    parser.add_argument("--reuse", action="store_true",
                        help="time the rows a previous --keep run left (one size only)")
    parser.add_argument("--index-rebuild", action="store_true",
                        help="time the index's own share of a rebuild (copy, recount, swap)")
    parser.add_argument("--with-cache", action="store_true",
                        help="time the mixes again with the result cache on")
    args = parser.parse_args()

    from ckan.cli import load_config
    from ckan.config.middleware import make_app

    conf = load_config(args.config)
    conf["ckanext.metropole.search.backend"] = "postgres"
    corpus_config(conf)
    app = make_app(conf)
    with app._wsgi_app.test_request_context():
        from ckanext.metropole.search import storage

        storage.ensure_schema()
        corpus = Corpus()
        for size in [int(s) for s in args.sizes.split(",") if s]:
            if args.reuse:  # the mixes draw their inputs from corpus.orgs only
                print(f"corpus of {size} datasets ({len(corpus.orgs)} communes), reused")
            else:
                rate = load(corpus, size)
                print(f"corpus of {size} datasets ({len(corpus.orgs)} communes): "
                      f"index write {rate:.0f} docs/s")
            run_mixes(corpus, args.runs, cache_size=0)
            facet_costs(max(20, args.runs // 4))
            write_cost(corpus, max(50, args.runs))
            index_figures()
            if args.index_rebuild:
                index_rebuild()
            if args.with_cache:
                run_mixes(corpus, args.runs, cache_size=256)
        if args.rebuild_datasets:
            rebuild_figures(args.rebuild_datasets)
        if not args.keep:
            storage.execute(f"DELETE FROM {storage.TABLE} WHERE site_id = %(s)s",
                            {"s": SITE_ID})


if __name__ == "__main__":
    main()
