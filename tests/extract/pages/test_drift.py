"""The template-drift set (fixtures/drift/): RFI pages whose template was broken as a redesign
would break it still give the right title and dates, and a body close to the hand-written one."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.scoring import body_f1
from newscrawl.extract.pages.rfi import RfiArticlePage
from tests.conftest import REPO

DRIFT = REPO / "fixtures" / "drift"
VARIANTS: dict[str, str] = json.loads((DRIFT / "variants.json").read_text(encoding="utf-8"))


def expected_record(base: str) -> dict[str, object]:
    record: dict[str, object] = json.loads((REPO / "fixtures" / "expected" / f"{base}.json").read_text("utf-8"))
    return record


def test_the_set_has_a_dozen_variants_each_with_a_page() -> None:
    assert len(VARIANTS) >= 12
    assert sorted(p.stem for p in DRIFT.glob("*.html")) == sorted(VARIANTS)


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_a_drifted_page_keeps_its_title_dates_and_body(name: str) -> None:
    page: Path = DRIFT / f"{name}.html"
    html = page.read_text(encoding="utf-8")
    assert "t-content__body" not in html, "a drift variant must not carry the RFI body container"
    expected = expected_record(VARIANTS[name])
    result = RfiArticlePage(str(expected["url"]), html).extract()
    assert result.kind == "article", result.problems
    assert result.content is not None
    content = result.content
    assert (content.title, content.published, content.modified) == (
        expected["title"],
        expected["published"],
        expected["modified"],
    )
    assert result.sources["body"] in ("fallback", "jsonld")
    assert body_f1(str(expected["body"]), content.body) >= 0.95
    # paragraphs stay paragraphs (one may be split or merged differently, not all run together)
    assert content.body is not None
    assert len(content.body.split("\n\n")) >= len(str(expected["body"]).split("\n\n")) - 1
