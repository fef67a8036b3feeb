"""The first stage fills the id and checks the record; it never cleans what the extractors return."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from newscrawl.items import Article, PageContent, article_id
from newscrawl.pipelines.complete import CompletePipeline
from newscrawl.run.extension import Run
from newscrawl.run.outcomes import Outcome, OutcomeDropped
from tests.conftest import run_extension

URL = "https://www.rfi.fr/cn/%E4%B8%AD%E5%9B%BD/20240101-a"


def pipeline_and_run(tmp_path: Path) -> tuple[CompletePipeline, Run]:
    run = run_extension(tmp_path)
    pipeline = CompletePipeline(run.crawler)
    pipeline.open_spider()
    return pipeline, run


def test_fills_a_missing_id_and_leaves_every_value_as_the_extractor_gave_it(tmp_path: Path) -> None:
    pipeline, _ = pipeline_and_run(tmp_path)
    # Not clean (double space, a title suffix): this stage is no second cleaning pass.
    item = Article(url=URL, title="标题  - RFI", body=" 正文 ")
    completed = pipeline.process_item(item)
    assert completed == replace(item, id=article_id(URL))


@pytest.mark.parametrize(
    ("url", "record_id", "fields"),
    [
        ("http://rfi.fr/cn/中国/20240101-a?xtor=RSS", article_id(URL), ["url", "id"]),
        (URL, "0" * 64, ["id"]),
    ],
)
def test_an_inconsistent_record_is_rejected_not_repaired(
    tmp_path: Path, url: str, record_id: str, fields: list[str]
) -> None:
    pipeline, run = pipeline_and_run(tmp_path)
    item = Article.from_content(PageContent(url=url, title="标题"))
    item = replace(item, id=record_id)
    with pytest.raises(OutcomeDropped) as dropped:
        pipeline.process_item(item)
    assert dropped.value.outcome == Outcome("rejected", url=url, detail="; ".join(fields))
    path = run.rejects.publish()
    assert path is not None
    (reject,) = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert reject["reason"] == "inconsistent"
    assert [e["field"] for e in reject["errors"]] == fields
    assert reject["record"]["url"] == url
