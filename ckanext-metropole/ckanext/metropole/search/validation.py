"""``package_search``'s parameters, checked before they reach the index.

CKAN validates a few search parameters and passes the rest to Solr as they
come, so a bad one surfaced as a 500 (``include_private=abc``, ``rows=[1]``,
``fl=5``) or as a "Search error" quoting the whole Solr request — including
the filters CKAN adds itself, the user's permission labels among them.
Here each parameter gets CKAN's own kind of answer, in the user's language,
quoting only what they sent: a validation error on that field (409), or,
for the texts CKAN's search pages pass on (q, fq, fq_list, sort), a search
error naming the parameter (409 through the API, "error while searching"
on the pages):

- types: booleans (``include_private``…), whole numbers (``rows``…),
  texts (``q``, ``fq``, ``sort``…), lists of texts (``fl``, ``fq_list``);
- size: every text at most ``ckanext.metropole.search.max_parameter_length``
  characters and no more than ``MAX_SPACE_RUN`` white-space characters in a
  row (CKAN's own check for "magic fields" is quadratic in such runs: 10,000
  spaces cost it two seconds, 100,000 several minutes; the query parser
  costs about 4 s per 100 kB);
- ``facet.field``: declared facetable fields only (facetable.facetable);
- syntax, with the PostgreSQL backend: ``q``, ``fq``, ``fq_list`` and
  ``sort`` are compiled alone, so an error names the parameter at fault.

Anything the index still refuses becomes a generic search error (the full
request, internal filters included, goes to the log only).
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any

import ckan.plugins.toolkit as tk
import pysolr

from . import connection, facetable, query
from .backend_setting import backend
from .errors import BadRequest, QuerySyntaxError, SortError

log = logging.getLogger(__name__)

MAX_LENGTH_KEY = "ckanext.metropole.search.max_parameter_length"
MAX_SPACE_RUN = 100
_SPACE_RUN = re.compile(rf"\s{{{MAX_SPACE_RUN + 1}}}")
# How much of a parser's message (which quotes the query) an answer repeats.
_REASON_LENGTH = 300

BOOLEAN_PARAMETERS = ("include_private", "include_drafts", "include_deleted",
                      "use_default_schema")
INTEGER_PARAMETERS = ("rows", "start", "facet.limit", "facet.mincount")
TEXT_PARAMETERS = ("q", "fq", "sort", "qf", "facet", "defType", "df", "q.op", "mm",
                   "tie", "wt")
LIST_PARAMETERS = ("fl", "fq_list", "bf", "boost")
# What CKAN's HTML search pages send from the visitor's own input.
SEARCH_TEXT_PARAMETERS = ("q", "fq", "fq_list", "sort")
_BOOLEAN_WORDS = {"true", "false", "yes", "no", "on", "off", "y", "n", "t", "f", "1", "0"}


def errors_of(data_dict: dict[str, Any], *, check_syntax: bool) -> dict[str, list[str]]:
    """What is wrong with each parameter (empty when nothing is)."""
    errors: dict[str, list[str]] = {}

    def add(key: str, message: str) -> None:
        errors.setdefault(key, []).append(message)

    for key, value in data_dict.items():
        problem = _type_problem(key, value) or _size_problem(value)
        if problem:
            add(key, problem)
    for name in _facet_fields(data_dict):
        if not facetable.facetable(name):
            add("facet.field", tk._('Cannot facet on "{field}": facets are available on '
                                    "{fields}").format(field=name[:100],
                                                       fields=", ".join(
                                                           facetable.facetable_description())))
    if check_syntax and not errors:
        for key, problem in _syntax_problems(data_dict):
            add(key, tk._("Invalid search syntax: {reason}").format(reason=problem))
    return errors


def _type_problem(key: str, value: Any) -> str | None:
    if value is None:
        return None
    if key in BOOLEAN_PARAMETERS:
        if isinstance(value, bool) or value in (0, 1):
            return None
        if isinstance(value, str) and value.strip().lower() in _BOOLEAN_WORDS:
            return None
        return tk._("Must be true or false")
    if key in INTEGER_PARAMETERS and (isinstance(value, bool)
                                      or not isinstance(value, (int, float, str))):
        return tk._("Must be a whole number")
    if key in TEXT_PARAMETERS and not isinstance(value, (str, int, float)):
        return tk._("Must be a text")
    if key in LIST_PARAMETERS and not (
        (isinstance(value, str) and key != "fq_list")
        or (isinstance(value, list) and all(isinstance(v, str) for v in value))
    ):
        return tk._("Must be a list of texts")
    return None


def _size_problem(value: Any) -> str | None:
    texts = [value] if isinstance(value, str) else (
        [v for v in value if isinstance(v, str)] if isinstance(value, list) else [])
    limit = tk.config.get(MAX_LENGTH_KEY)
    for text in texts:
        if len(text) > limit:
            return tk._("Too long: at most {max} characters").format(max=limit)
        if _SPACE_RUN.search(text):
            return tk._("More than {max} spaces in a row").format(max=MAX_SPACE_RUN)
    return None


def _facet_fields(data_dict: dict[str, Any]) -> list[str]:
    """The requested facet fields; a malformed value is left to CKAN's schema."""
    value = data_dict.get("facet.field")
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return []
    if not isinstance(value, list):
        return []
    return [v for v in value if isinstance(v, str)]


def _syntax_problems(data_dict: dict[str, Any]) -> list[tuple[str, str]]:
    """(parameter, reason) for each text the PostgreSQL backend cannot compile."""
    q = data_dict.get("q")
    q = q if isinstance(q, str) and q not in ("", '""', "''") else "*:*"
    # The parser CKAN will choose (PackageSearchQuery.run): dismax unless the
    # query has a colon or another parser is asked for.
    def_type = data_dict.get("defType") or ("dismax" if ":" not in q else "lucene")
    checks: list[tuple[str, Any]] = [
        ("q", lambda: query.check_clause(q, def_type, data_dict.get("mm"),
                                         data_dict.get("qf"))),
    ]
    if isinstance(data_dict.get("fq"), str):
        checks.append(("fq", lambda: _check_fq(data_dict["fq"])))
    for text in data_dict.get("fq_list") or []:  # each one a Solr fq of its own
        checks.append(("fq_list", lambda text=text: query.check_clause(text)))
    if isinstance(data_dict.get("sort"), str):
        checks.append(("sort", lambda: query.check_sort(data_dict["sort"])))
    problems = []
    for key, check in checks:
        value = data_dict.get(key)
        # Local params ({!...}) are CKAN's to accept or refuse first.
        if "{!" in str(value):
            continue
        try:
            check()
        except SortError:
            pass  # CKAN answers these itself: 'Invalid "sort" parameter' (400)
        except (QuerySyntaxError, BadRequest) as e:
            problems.append((key, _reason(str(e))))
        except RecursionError:
            problems.append((key, "query too deeply nested"))
    return problems


def _check_fq(fq: str) -> None:
    """CKAN runs ``fq`` between clauses of its own ("+capacity:public {fq}
    +state:(active)"), where a dangling operator such as "AND" is harmless:
    refuse only what fails in that position too."""
    try:
        query.check_clause(fq)
    except (QuerySyntaxError, BadRequest):
        try:
            query.check_clause(f"+state:active {fq} +state:active")
        except (QuerySyntaxError, BadRequest):
            pass
        else:
            return
        raise


def _reason(message: str) -> str:
    message = message.removeprefix("org.apache.solr.search.SyntaxError: ")
    return message if len(message) <= _REASON_LENGTH else message[:_REASON_LENGTH] + "…"


@tk.chained_action
@tk.side_effect_free
def package_search(original: Any, context: dict[str, Any], data_dict: dict[str, Any]) -> Any:
    from ckan.lib.search.common import SearchError, SearchQueryError

    errors = errors_of(data_dict, check_syntax=backend() == "postgres")
    if errors and set(errors) <= set(SEARCH_TEXT_PARAMETERS):
        # CKAN's search pages pass these on from the visitor and show a
        # SearchError as "error while searching" (a ValidationError would be
        # a 500 there); the API answers it as a 409 "Search error".
        raise SearchError("; ".join(f"{key}: {message}" for key, messages in errors.items()
                                    for message in messages))
    if errors:
        raise tk.ValidationError(errors)
    mincount = data_dict.get("facet.mincount")
    if backend() == "solr" and mincount is not None and int(mincount) < 1:
        # Solr lists every indexed value with count 0, the values of
        # datasets the user may not read included: never below 1 there.
        data_dict = {**data_dict, "facet.mincount": 1}
    try:
        return original(context, data_dict)
    except SearchQueryError:
        raise  # CKAN's wording: only the user's own sort or parameter names
    except SearchError as e:
        if not isinstance(e.__context__, pysolr.SolrError):
            raise  # raised by CKAN or a plugin with a message meant for users
        # CKAN's message repeats the whole request, permission labels included.
        log.info("Search refused by the index: %s", e)
        if str(e.__context__) == connection.TIMEOUT_MESSAGE:
            raise SearchError(tk._("The search took too long and was cancelled")) from None
        raise SearchError(tk._("The search could not be run: please check q, fq and sort")) \
            from None
