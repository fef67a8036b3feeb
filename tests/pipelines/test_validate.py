"""The shipped schema really enforces formats (date-time, uri): not only the patterns."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newscrawl.items import Article, PageContent
from newscrawl.pipelines.validate import ValidatePipeline
from newscrawl.run.outcomes import Outcome, OutcomeDropped
from newscrawl.schema import record_check, record_validator
from tests.conftest import run_extension

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator

URL = "https://www.rfi.fr/cn/%E4%B8%AD%E5%9B%BD/20240101-a"


def valid_record() -> dict[str, Any]:
    content = PageContent(url=URL, title="标题", body="正文第一段。\n\n正文第二段。", published="2024-01-01T08:00:00Z")
    return asdict(Article.from_content(content, fetched_at="2024-01-01T09:00:00Z"))


def error_fields(record: dict[str, Any]) -> list[str]:
    return [".".join(map(str, e.absolute_path)) for e in record_validator().iter_errors(record)]


def test_a_complete_record_is_valid() -> None:
    assert error_fields(valid_record()) == []


def test_an_impossible_date_is_rejected_by_the_format_checker() -> None:
    record = valid_record()
    record["published"] = "2024-02-30T25:61:00Z"  # matches the pattern, not a date
    assert error_fields(record) == ["published"]


def test_a_non_ascii_iri_is_rejected_as_uri() -> None:
    record = valid_record()
    record["url"] = "https://www.rfi.fr/cn/中国/20240101-a"  # matches the pattern; must be percent-encoded
    record["id"] = "0" * 64
    assert error_fields(record) == ["url"]


def test_missing_and_extra_fields_are_rejected() -> None:
    record = valid_record()
    del record["lead"]
    record["extra"] = 1
    assert error_fields(record) == ["", ""]


def test_validate_pipeline_drops_and_writes_the_reject(tmp_path: Path) -> None:
    run = run_extension(tmp_path)
    pipeline = ValidatePipeline(run.crawler)
    pipeline.open_spider()
    good = Article.from_content(PageContent(url=URL, title="标题", body="正文。"))
    assert pipeline.process_item(good) is good
    bad = Article.from_content(PageContent(url=URL, title="标题", body="正文。", published="2024-13-01T00:00:00Z"))
    with pytest.raises(OutcomeDropped, match="fails the schema") as dropped:
        pipeline.process_item(bad)
    assert dropped.value.outcome == Outcome("rejected", url=URL, detail="published")
    assert not list(tmp_path.glob("rfi_cn/rejects/*/*.jsonl")), "published only when the spider closes"
    run.spider_closed(run.crawler.spider, "finished")  # type: ignore[arg-type]
    (reject_file,) = (tmp_path / "rfi_cn" / "rejects").glob("*/*.jsonl")
    (reject,) = [json.loads(line) for line in reject_file.read_text(encoding="utf-8").splitlines()]
    assert reject["reason"] == "schema"
    assert [e["field"] for e in reject["errors"]] == ["published"]
    assert reject["record"]["published"] == "2024-13-01T00:00:00Z"
    assert run.rejects.published == reject_file


# Values that test each keyword of the schema at its edges: formats against patterns, Unicode
# digits, a trailing newline (``$`` before it), 1.0 and True as integers, duplicates, extras; and
# where Rust's regular expressions and numbers (the fast check) could read a value otherwise than
# Python's (jsonschema): characters Python's ``\s`` has and Unicode's White_Space has not (U+001C),
# U+2028, a character beyond the BMP in a length, 2.0 for a constant 2, an integer beyond 64 bits.
TRICKY_VALUES: list[Any] = [
    None,
    "",
    "x",
    "2024-01-01T08:00:00Z",
    "2024-01-01T08:00:00z",
    "2024-01-01T08:00:00Z\n",
    "2024-02-30T25:61:00Z",
    "２０２４-01-01T08:00:00Z",
    "٢٠٢٤-٠١-٠١T08:00:00Z",
    URL,
    URL + "\n",
    "https://www.rfi.fr/cn/中国/20240101-a",
    "https://www.rfi.fr/cn/a b",
    "https://www.rfi.fr/cn/%zz",
    URL + "\x1c",
    "https://www.rfi.fr/cn/a\x1cb",
    "https://www.rfi.fr/cn/a\u2028b",
    "2024-01-01T08:00:00Z\x1c",
    "𠀀",
    "zh-Hant\x1c",
    "http://example.com/x.jpg",
    "//example.com/x.jpg",
    "0" * 64,
    "A" * 64,
    0,
    -1,
    1,
    1.0,
    2.0,
    2**70,
    True,
    [],
    ["a", "a"],
    ["a", ""],
    [1],
    {},
    {"url": "http://example.com/x.jpg", "caption": None},
    [{"url": "http://example.com/x.jpg", "caption": None}],
    [{"url": "http://example.com/x.jpg", "caption": ""}],
    [{"type": "audio", "url": "https://example.com/a.mp3", "duration": 1.0}],
    [{"type": "audio", "url": "https://example.com/a.mp3", "duration": True}],
    {"zh-Hant": "https://www.rfi.fr/tw/a"},
    {"zh_Hant": "https://www.rfi.fr/tw/a"},
    {"zh-Hant": "https://www.rfi.fr/tw/a\n"},
    {"url": "https://www.rfi.fr/cn/rss", "entry_id": None, "entry_title": None, "entry_published": None, "position": 0},
    {
        "url": "https://www.rfi.fr/cn/rss",
        "entry_id": None,
        "entry_title": None,
        "entry_published": None,
        "position": 1.0,
    },
]


@cache
def fast_check() -> Callable[[dict[str, Any]], bool]:
    return record_check()


@cache
def reference() -> Draft202012Validator:
    return record_validator()


def agree(record: dict[str, Any]) -> None:
    """The fast check never passes a record jsonschema refuses. It refuses a few that jsonschema
    passes (a value ending in a newline: Python's ``$`` matches before it, the compiled patterns'
    does not); the pipeline then asks jsonschema, so the outcome is always jsonschema's."""
    passes, valid = fast_check()(record), reference().is_valid(record)
    assert valid or not passes, record
    if not any(isinstance(v, str) and v.endswith("\n") for v in _strings(record)):
        assert passes == valid, record


def _strings(value: Any) -> list[Any]:
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return [value]


def test_the_fast_check_passes_exactly_what_jsonschema_passes_field_by_field() -> None:
    for name in [*valid_record(), "extra"]:
        for value in TRICKY_VALUES:
            agree({**valid_record(), name: value})
        agree({k: v for k, v in valid_record().items() if k != name})


@settings(max_examples=300, deadline=None)
@given(
    changes=st.dictionaries(
        st.sampled_from([*valid_record(), "extra"]), st.sampled_from(TRICKY_VALUES), min_size=2, max_size=4
    ),
)
def test_the_fast_check_passes_exactly_what_jsonschema_passes_in_combination(changes: dict[str, Any]) -> None:
    agree({**valid_record(), **changes})


def test_a_record_only_the_fast_check_refuses_is_judged_by_jsonschema(tmp_path: Path) -> None:
    run = run_extension(tmp_path)
    pipeline = ValidatePipeline(run.crawler)
    pipeline.open_spider()
    item = Article.from_content(PageContent(url=URL, title="标题", body="正文。", published="2024-01-01T08:00:00Z\n"))
    assert not pipeline.passes(asdict(item))
    assert pipeline.process_item(item) is item
