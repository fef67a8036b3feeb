"""The shipped schema really enforces formats (date-time, uri): not only the patterns."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pytest

from newscrawl.items import Article, PageContent
from newscrawl.pipelines.validate import ValidatePipeline
from newscrawl.run.outcomes import Outcome, OutcomeDropped
from newscrawl.schema import record_validator
from tests.conftest import run_extension

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
