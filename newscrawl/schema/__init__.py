"""The JSON Schema of a record, shipped as package data (loadable from a Scrapyd egg), and its validators.

Every record goes through a compiled check (jsonschema-rs: the schema compiled in Rust, about
12 µs a record with the formats, against about 250 µs for jsonschema's interpreter). Only a record
it refuses goes through jsonschema, whose errors (path and message of each problem) the rejects
file carries. Both enforce ``format`` with the same two functions (``FORMATS``). The check never
passes a record jsonschema refuses; it refuses a value ending in a newline that jsonschema's
patterns let through (Python's ``$`` matches before a final newline), and jsonschema, asked
next, decides: the outcome is always jsonschema's (tests/pipelines/test_validate.py).

The two format functions answer as rfc3339-validator and rfc3986-validator do (the packages
jsonschema's own checkers use), with a shortcut each for what records hold: a date-time is
checked once per distinct string (a run's records share their fetch times), and a URI made only
of what RFC 3986 allows everywhere after a plain ``http(s)://host[:port]`` (letters, digits,
``-._~!$&'()*+,;=:@/?``, ``%XX`` escapes, one ``#`` at most) is one without the grammar's
slower walk; anything else goes through the grammar (tests/test_schema_formats.py).
"""

from __future__ import annotations

import json
import re
from functools import cache, lru_cache
from importlib.resources import files
from typing import TYPE_CHECKING, Any

import jsonschema_rs
from rfc3339_validator import validate_rfc3339

if TYPE_CHECKING:
    from collections.abc import Callable

    from jsonschema import Draft202012Validator

SCHEMA_FILE = "article.schema.json"
# A strict subset of RFC 3986's URI: scheme http(s), a reg-name host, an optional port, then
# characters that a path, a query and a fragment all allow (the first "?" and "#" start the
# query and the fragment). A "%" must start an escape and a fragment holds no "#": checked apart.
_PLAIN_URI = re.compile(r"https?://[A-Za-z0-9.\-]+(?::[0-9]*)?(?:[/?#][A-Za-z0-9\-._~!$&'()*+,;=:@/?#%]*)?")
_BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")


def is_date_time(value: object) -> bool:
    """RFC 3339 date-time, as jsonschema's own ``date-time`` checker reads it (upper-cased)."""
    return not isinstance(value, str) or _is_rfc3339(value)


@lru_cache(maxsize=4096)
def _is_rfc3339(value: str) -> bool:
    return bool(validate_rfc3339(value.upper()))


def is_uri(value: object) -> bool:
    """RFC 3986 absolute URI (a non-ASCII IRI is not one), as jsonschema's ``uri`` checker with rfc3986-validator."""
    if not isinstance(value, str):
        return True
    if _PLAIN_URI.fullmatch(value) and value.count("#") <= 1 and not _BAD_ESCAPE.search(value):
        return True
    # Imported on the first URI the shortcut does not take: the grammar's regular expression
    # takes ~7 ms to compile, which a run whose records hold only plain URLs does not pay.
    from rfc3986_validator import validate_rfc3986

    return bool(validate_rfc3986(value, rule="URI"))


# The schema's formats and what enforces them: the same functions for both validators, whichever
# optional format packages happen to be installed beside jsonschema.
FORMATS: dict[str, Callable[[object], bool]] = {"date-time": is_date_time, "uri": is_uri}


@cache
def record_schema() -> dict[str, Any]:
    text = files(__package__).joinpath(SCHEMA_FILE).read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def record_check() -> Callable[[dict[str, Any]], bool]:
    """A fast yes/no: does the record pass the schema (formats included)?"""
    compiled = jsonschema_rs.Draft202012Validator(record_schema(), formats=FORMATS, validate_formats=True)
    return compiled.is_valid


def record_validator() -> Draft202012Validator:
    """jsonschema's validator of the schema, formats enforced by ``FORMATS``: every error of a record."""
    # Imported here, on the first record that fails the fast check: jsonschema and its
    # dependencies are ~60 ms of imports that a run without rejects does not pay.
    from jsonschema import Draft202012Validator, FormatChecker

    schema = record_schema()
    Draft202012Validator.check_schema(schema)
    checker = FormatChecker(formats=())
    for name, function in FORMATS.items():
        checker.checks(name)(function)
    return Draft202012Validator(schema, format_checker=checker)
