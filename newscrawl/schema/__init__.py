"""The JSON Schema of a record, shipped as package data (loadable from a Scrapyd egg), and its validators.

Every record goes through a compiled check (fastjsonschema: the schema turned into Python code,
about 30 µs a record, against about 250 µs for jsonschema's interpreter). Only a record it
refuses goes through jsonschema, whose errors (path and message of each problem) the rejects
file carries. Both enforce ``format`` with the same two functions (``FORMATS``). The check never
passes a record jsonschema refuses; it refuses a value ending in a newline that jsonschema's
patterns let through (Python's ``$`` matches before a final newline), and jsonschema, asked
next, decides: the outcome is always jsonschema's (tests/pipelines/test_validate.py).
"""

from __future__ import annotations

import json
from functools import cache
from importlib.resources import files
from typing import TYPE_CHECKING, Any

import fastjsonschema
from rfc3339_validator import validate_rfc3339
from rfc3986_validator import validate_rfc3986

if TYPE_CHECKING:
    from collections.abc import Callable

    from jsonschema import Draft202012Validator

SCHEMA_FILE = "article.schema.json"


def is_date_time(value: object) -> bool:
    """RFC 3339 date-time, as jsonschema's own ``date-time`` checker reads it (upper-cased)."""
    return not isinstance(value, str) or bool(validate_rfc3339(value.upper()))


def is_uri(value: object) -> bool:
    """RFC 3986 absolute URI (a non-ASCII IRI is not one), as jsonschema's ``uri`` checker with rfc3986-validator."""
    return not isinstance(value, str) or bool(validate_rfc3986(value, rule="URI"))


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
    compiled = fastjsonschema.compile(record_schema(), formats=FORMATS)

    def passes(record: dict[str, Any]) -> bool:
        try:
            compiled(record)
        except fastjsonschema.JsonSchemaValueException:
            return False
        return True

    return passes


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
