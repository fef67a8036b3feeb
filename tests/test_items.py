"""The record contract of schema v2: the version fields, the content hash, tombstones."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, replace
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from newscrawl.items import Article, PageContent, Tombstone, content_hash
from newscrawl.schema import record_validator
from tests.conftest import REPO

EXPECTED = sorted((REPO / "fixtures" / "expected").glob("*.json"))
URL = "https://www.rfi.fr/cn/%E4%B8%AD%E5%9B%BD/20240401-x"


def recipe(record: dict[str, Any]) -> str:
    """The README's recipe, written out apart from the code under test: the seven content fields as
    one JSON object, keys sorted at every level, no spaces, non-ASCII as is, SHA-256 of its UTF-8."""

    def canonical(value: Any) -> str:
        return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))

    keys = sorted(["title", "lead", "body", "authors", "tags", "images", "media"])
    text = "{" + ",".join(f"{canonical(k)}:{canonical(record[k])}" for k in keys) + "}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def golden() -> list[dict[str, Any]]:
    records = [json.loads(p.read_text(encoding="utf-8")) for p in EXPECTED]
    return [r for r in records if "schema_version" in r]


@pytest.mark.parametrize("record", golden(), ids=lambda r: r["url"][-20:])
def test_golden_records_are_version_1_with_the_documented_hash(record: dict[str, Any]) -> None:
    assert record["schema_version"] == 2
    assert record["version"] == 1
    assert record["status"] == "live"
    assert record["first_seen"] == record["fetched_at"]
    assert record["content_hash"] == recipe(record)
    assert "removed_at" not in record


def article(**changes: Any) -> Article:
    content = PageContent(
        URL, title="标题", lead="导语。", body="第一段。\n\n第二段。", authors=["记者甲"], tags=["中国"]
    )
    return replace(Article.from_content(content, fetched_at="2024-04-02T06:00:00Z"), **changes)


def test_from_content_makes_version_1_first_seen_at_the_fetch() -> None:
    record = asdict(article())
    assert (record["version"], record["status"], record["first_seen"]) == (1, "live", "2024-04-02T06:00:00Z")
    assert record["content_hash"] == recipe(record)
    assert not list(record_validator().iter_errors(record))


# Any text (control characters, quotes, backslashes, U+2028, astral planes) and any nesting the
# content fields can hold: lists of strings, of objects with string, integer and null values.
_TEXT = st.text()
_VALUE = st.one_of(st.none(), _TEXT, st.integers(min_value=-(2**63), max_value=2**64 - 1))
_OBJECTS = st.lists(st.dictionaries(_TEXT, st.one_of(_VALUE, st.lists(_TEXT, max_size=3)), max_size=5), max_size=3)


@settings(max_examples=500, deadline=None)
@given(
    st.fixed_dictionaries(
        {
            "title": st.one_of(st.none(), _TEXT),
            "lead": st.one_of(st.none(), _TEXT),
            "body": st.one_of(st.none(), _TEXT),
            "authors": st.lists(_TEXT, max_size=3),
            "tags": st.lists(_TEXT, max_size=3),
            "images": _OBJECTS,
            "media": _OBJECTS,
        }
    )
)
def test_the_hash_is_the_readme_recipe_for_any_content(content: dict[str, Any]) -> None:
    assert content_hash({**content, "fetched_at": "2024-04-02T06:00:00Z"}) == recipe(content)


def test_the_hash_covers_content_only() -> None:
    base = asdict(article())
    later = {**base, "fetched_at": "2024-04-03T00:00:00Z", "modified": "2024-04-03T00:00:00Z", "section": "国际"}
    assert content_hash(later) == content_hash(base)
    for name, value in [("title", "新标题"), ("body", base["body"] + "\n\n更正。"), ("tags", ["中国", "法国"])]:
        assert content_hash({**base, name: value}) != content_hash(base), name


def test_a_tombstone_carries_removed_at_and_a_live_record_may_not() -> None:
    validator = record_validator()
    live = asdict(article())
    stone = asdict(Tombstone.of(live, version=2, removed_at="2024-04-03T00:00:00Z", fetched_at="2024-04-03T06:00:00Z"))
    assert (stone["status"], stone["version"], stone["fetched_at"]) == ("removed", 2, "2024-04-03T06:00:00Z")
    assert {k: v for k, v in stone.items() if k not in ("status", "version", "fetched_at", "removed_at")} == {
        k: v for k, v in live.items() if k not in ("status", "version", "fetched_at")
    }
    assert not list(validator.iter_errors(stone))
    assert list(validator.iter_errors({**stone, "removed_at": None}))
    del stone["removed_at"]
    assert list(validator.iter_errors(stone)), "a tombstone without removed_at"
    assert list(validator.iter_errors({**live, "removed_at": "2024-04-03T00:00:00Z"})), "removed_at on a live record"
    assert list(validator.iter_errors({**live, "version": 0}))


def test_the_tombstone_of_a_v1_record_gets_the_v2_fields_from_it() -> None:
    live = asdict(article())
    v1 = {k: v for k, v in live.items() if k not in ("version", "content_hash", "first_seen", "status")}
    v1["schema_version"] = 1
    stone = asdict(Tombstone.of(v1, version=2, removed_at="2024-04-03T00:00:00Z", fetched_at="2024-04-03T06:00:00Z"))
    assert stone["schema_version"] == 2
    assert stone["content_hash"] == recipe(live)
    assert stone["first_seen"] == live["fetched_at"]
    assert not list(record_validator().iter_errors(stone))


def test_a_v1_record_stays_valid_against_the_shipped_v1_schema() -> None:
    schema = json.loads((REPO / "newscrawl" / "schema" / "article.v1.schema.json").read_text(encoding="utf-8"))
    v1 = {k: v for k, v in asdict(article()).items() if k not in ("version", "content_hash", "first_seen", "status")}
    v1["schema_version"] = 1
    validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    assert not list(validator.iter_errors(v1))
    assert list(record_validator().iter_errors(v1)), "a v1 record is not a v2 record"
