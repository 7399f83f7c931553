"""The fuzz: at least 10,000 generated requests, deterministic (seeded), to
every API action anonymous visitors can call and to the public pages, with
parameters of wrong types, huge and nested values, unicode, and SQL and
Lucene metacharacters. No answer may be a 500 or carry a traceback, SQL or
the search's internal filters, and the server still answers afterwards."""

from __future__ import annotations

import json
import random
import string
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import requests

SEED = 20261204
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "security"
REQUESTS = 10_000
CLIENTS = 4
# What no answer may carry (unless the request itself carried it: an echoed
# search term is not a leak).
BETRAYALS = ("Traceback", "psycopg", "sqlalchemy", "SQLAlchemy", "SELECT ", "LINE 1:",
             "permission_labels", 'File "/')

NAMES = ("id", "name", "q", "fq", "fl", "sort", "rows", "start", "limit", "offset", "page",
         "facet", "facet.field", "facet.limit", "facet.mincount", "include_private",
         "include_drafts", "include_deleted", "include_datasets", "include_users",
         "include_extras", "include_tags", "include_groups", "include_dataset_count",
         "all_fields", "resource_id", "filters", "fields", "distinct", "plain", "language",
         "records_format", "sql", "query", "type", "object_type", "user", "term",
         "incomplete", "order_by", "defType", "qf", "ext_bbox", "ext_startdate",
         "use_default_schema", "source_id", "job_id", "vocabulary_id", "tags", "groups",
         "capacity", "permission", "format", "total_estimation_threshold", "bbox",
         "activity_types", "exclude_activity_types", "before", "after", "since_time")

NASTY_STRINGS = (
    "", " ", "'", '"', "\\", "%", "_", "*", "?", "~", "^", "()", "[]", "{}", "[", "{",
    "' OR '1'='1", "1; DROP TABLE package; --", "\") OR 1=1 --", "'; SELECT pg_sleep(0)--",
    "*:*", "id:*", "+capacity:private", "title:(", "name:[* TO *]", "q:{!func}",
    "{!lucene}*:*", "NOT", "AND OR", "\"unterminated", "a\\", "*" * 50, "~" * 20,
    "<script>alert(1)</script>", "javascript:alert(1)", "../../etc/passwd", "%00",
    "\u0000", "\ud7ff\ue000", "\U0001F600" * 10, "é" * 100, "ﬁ", "İ", "\u202e", "١٢٣",
    "nan", "inf", "-1", "0", "99999999999999999999", "-99999999999999999999", "1e309",
    "true", "maybe", "null", "[]", "{}", "[1,2]", '{"a": 1}', "2026-13-45", "T", "Z",
    "metadata_modified desc", "score desc, name asc", "name ascending", "random_123 desc",
    "-180,-90,180,90", "a,b,c,d", "1,2,3", "POLYGON((0 0))",
)

ACTIONS_NOT_PUBLIC = ("_create", "_update", "_patch", "_delete", "_purge", "_revise",
                      "_clear", "_reorder", "_import", "_run", "_abort", "_reindex",
                      "_upsert", "_mark", "_send", "_revoke")


def _value(rng: random.Random, depth: int = 0):
    """A value of any JSON type, often of the wrong one."""
    kind = rng.random()
    if kind < 0.40:
        return rng.choice(NASTY_STRINGS)
    if kind < 0.50:
        return rng.choice((0, -1, 1, 2**31, -(2**63), 10**30, 1.5, -0.0))
    if kind < 0.55:
        return rng.choice((True, False, None))
    if kind < 0.62:
        alphabet = string.printable + "éàç€日本語\u2028"
        return "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 300)))
    if kind < 0.64:
        return rng.choice(NASTY_STRINGS[:20]) * rng.randint(1000, 20000)
    if kind < 0.80 and depth < 4:
        return [_value(rng, depth + 1) for _ in range(rng.randint(0, 4))]
    if kind < 0.95 and depth < 4:
        return {rng.choice(NAMES): _value(rng, depth + 1) for _ in range(rng.randint(0, 4))}
    if kind < 0.96:
        deep: object = "x"
        # Deeper ones go as raw bodies (the client's json cannot encode them).
        for _ in range(rng.choice((50, 100, 400))):
            deep = [deep]
        return deep
    return rng.choice(NASTY_STRINGS)


def _params(rng: random.Random) -> dict:
    return {rng.choice(NAMES) if rng.random() < 0.9 else rng.choice(NASTY_STRINGS[:30]):
            _value(rng) for _ in range(rng.randint(0, 5))}


def _as_query(value) -> str:
    return value if isinstance(value, str) else json.dumps(value)


@dataclass
class Probe:
    method: str
    path: str
    params: dict | None = None
    body: object = None
    raw: bytes | None = None

    def send(self, session: requests.Session, portal: str) -> requests.Response:
        url = portal + self.path
        if self.method == "GET":
            return session.get(url, params=self.params, timeout=120, allow_redirects=False)
        if self.raw is not None:
            return session.post(url, data=self.raw, timeout=120, allow_redirects=False,
                                headers={"Content-Type": "application/json"})
        return session.post(url, json=self.body, timeout=120, allow_redirects=False)

    def text(self) -> str:
        return f"{self.method} {self.path} {self.params or ''} {self.body or ''} {self.raw or ''}"


PAGES = (
    lambda r, w: ("/dataset/", {"q": w(), "sort": w(), "page": w(), "tags": w(),
                                "organization": w(), "ext_bbox": w()}),
    lambda r, w: (f"/dataset/{w()}", {}),
    lambda r, w: (f"/dataset/{w()}.{r.choice(('ttl', 'rdf', 'jsonld', 'xml', 'n3', 'x'))}",
                  {}),
    lambda r, w: (f"/organization/{r.choice(('marseille', w()))}", {"q": w(), "page": w(),
                                                                    "sort": w()}),
    lambda r, w: (f"/group/{w()}", {"page": w()}),
    lambda r, w: (f"/tableaux-de-bord/{w()}", {}),
    lambda r, w: (f"/api/2/util/{r.choice(('dataset', 'tag', 'resource/format', 'user', 'group', 'organization'))}/autocomplete",  # noqa: E501
                  {"incomplete": w(), "q": w(), "limit": w()}),
    lambda r, w: (f"/datastore/dump/{w()}", {"format": w(), "offset": w(), "limit": w(),
                                             "q": w(), "fields": w(), "sort": w(),
                                             "bom": w(), "filters": w()}),
    lambda r, w: (f"/harvest/{w()}", {"q": w(), "page": w()}),
    lambda r, w: ("/harvest/", {"q": w(), "page": w(), "source_type": w()}),
    lambda r, w: (f"/catalog.{r.choice(('ttl', 'rdf', 'jsonld', 'xml', w()))}",
                  {"page": w(), "modified_since": w(), "q": w(), "fq": w(), "profiles": w()}),
    lambda r, w: ("/feeds/custom.atom", {"q": w(), "page": w(), "sort": w()}),
    lambda r, w: (f"/feeds/tag/{w()}.atom", {}),
    lambda r, w: (f"/user/{w()}", {}),
    lambda r, w: ("/dcat.json", {"page": w(), "modified_since": w(), "q": w()}),
)


def _short_word(rng: random.Random) -> str:
    value = _value(rng, depth=3)
    value = value if isinstance(value, str) else json.dumps(value)
    return value[:200] if rng.random() < 0.9 else value[:5000]


def _probes(actions: list[str], count: int) -> list[Probe]:
    rng = random.Random(SEED)
    probes = []
    for _ in range(count):
        roll = rng.random()
        if roll < 0.06:
            path, params = rng.choice(PAGES)(rng, lambda: _short_word(rng))
            params = {k: v for k, v in params.items() if rng.random() < 0.5}
            probes.append(Probe("GET", path.replace("#", "%23").replace("?", "%3F"), params))
            continue
        action = rng.choice(actions) if rng.random() < 0.98 else rng.choice(NASTY_STRINGS)
        path = f"/api/3/action/{action}"
        if roll < 0.45:
            params = {k: _as_query(v)[:20000] for k, v in _params(rng).items()}
            probes.append(Probe("GET", path, params))
        elif roll < 0.97:
            probes.append(Probe("POST", path, body=_params(rng)))
        else:
            raw = rng.choice((b"{", b"[]", b"null", b"\"x\"", b"{\"id\": }", b"\xff\xfe",
                              b"[" * 5000 + b"]" * 5000, b"{\"a\":" * 3000 + b"1" + b"}" * 3000))
            probes.append(Probe("POST", path, raw=raw))
    return probes


def _public_actions() -> list[str]:
    """Every action of the portal's plugins a visitor could try to read with."""
    from ckan.logic import _actions, get_action

    get_action("package_show")  # fills the registry
    return sorted(name for name in _actions if not name.endswith(ACTIONS_NOT_PUBLIC))


def _failure(probe: Probe, answer: requests.Response) -> str | None:
    if answer.status_code >= 500:
        return f"{answer.status_code} {probe.text()[:300]}"
    asked = probe.text()
    body = answer.text
    found = [word for word in BETRAYALS if word in body and word not in asked]
    if found:
        return f"{answer.status_code} {probe.method} {probe.path} carries {found}: {asked[:300]}"
    return None


def test_ten_thousand_generated_requests_answer_cleanly(shared_portal, shared_actors):
    actions = _public_actions()
    probes = _probes(actions, REQUESTS)

    def run(chunk: list[Probe]) -> list[str]:
        session = requests.Session()
        failures = []
        for probe in chunk:
            try:
                answer = probe.send(session, shared_portal)
            except requests.RequestException as error:
                failures.append(f"no answer ({type(error).__name__}): {probe.text()[:300]}")
                continue
            failure = _failure(probe, answer)
            if failure:
                failures.append(failure)
        return failures

    with ThreadPoolExecutor(CLIENTS) as pool:
        chunks = [probes[i::CLIENTS] for i in range(CLIENTS)]
        failures = [f for result in pool.map(run, chunks) for f in result]

    alive = requests.get(f"{shared_portal}/api/3/action/status_show", timeout=30)
    assert alive.status_code == 200
    summary = (f"fuzz: {len(probes)} requests over {len(actions)} actions and "
               f"{len(PAGES)} page kinds, {len(failures)} failures, "
               f"{sum(f.startswith('5') for f in failures)} server errors")
    print("\n" + summary)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "fuzz-failures.txt").write_text("\n".join([summary, *failures]) + "\n")
    where = Counter(" ".join(f.split()[:3]) for f in failures)
    assert not failures, (
        f"{summary} (all in {ARTIFACTS / 'fuzz-failures.txt'})\nby request: "
        + ", ".join(f"{key} ×{n}" for key, n in where.most_common(40))
        + "\nfirst 20:\n" + "\n".join(failures[:20]))

