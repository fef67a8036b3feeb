"""The JSON Schema of a record, shipped as package data (loadable from a Scrapyd egg)."""

from __future__ import annotations

import json
from functools import cache
from importlib.resources import files
from typing import Any

from jsonschema import Draft202012Validator

SCHEMA_FILE = "article.schema.json"


@cache
def record_schema() -> dict[str, Any]:
    text = files(__package__).joinpath(SCHEMA_FILE).read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def record_validator() -> Draft202012Validator:
    """A validator that really enforces ``format`` (date-time, uri): needs jsonschema[format-nongpl]."""
    schema = record_schema()
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
