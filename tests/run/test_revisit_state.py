"""The version store of a data dir written before revisits is taken from its run files, once."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from scrapy.settings import Settings
from scrapy.statscollectors import MemoryStatsCollector
from scrapy.utils.test import get_crawler

from newscrawl.discovery.revisits import RevisitPolicy
from newscrawl.items import Article, PageContent
from newscrawl.run.revisits import Revisits
from newscrawl.store.versions import VersionStore
from tests.test_revisits import recipe

if TYPE_CHECKING:
    from pathlib import Path

URL = "https://www.rfi.fr/cn/%E4%B8%AD%E5%9B%BD/20240401-"


def v1(n: int) -> dict[str, Any]:
    article = Article.from_content(
        PageContent(URL + str(n), title=f"标题{n}", body="正文。"), fetched_at="2024-04-01T09:00:00Z"
    )
    record = {k: v for k, v in asdict(article).items() if k not in ("version", "content_hash", "first_seen", "status")}
    return {**record, "schema_version": 1}


def test_an_empty_version_store_adopts_the_latest_record_of_each_article(tmp_path: Path) -> None:
    root = tmp_path / "rfi_cn"
    for day, name, records in [
        ("2024-04-01", "r1", [v1(1), v1(2)]),
        ("2024-04-02", "r2", [{**v1(1), "schema_version": 2, "version": 2, "title": "新标题",
                               "content_hash": "f" * 64, "first_seen": "2024-04-01T09:00:00Z", "status": "live",
                               "fetched_at": "2024-04-02T09:00:00Z"}]),
    ]:  # fmt: skip
        (root / "articles" / day).mkdir(parents=True)
        (root / "articles" / day / f"{name}.jsonl").write_text(
            "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8"
        )
    stats = MemoryStatsCollector(get_crawler())
    policy = RevisitPolicy.from_settings(Settings())
    revisits = Revisits(stats, policy, datetime(2024, 4, 3, tzinfo=UTC), root)
    revisits.open(VersionStore(root / "versions.sqlite3"))
    one, two = revisits.state(URL + "1"), revisits.state(URL + "2")
    assert one is not None
    assert two is not None
    assert (one.version, one.record_file, one.content_hash) == (2, "articles/2024-04-02/r2.jsonl", "f" * 64)
    assert (two.version, two.status, two.first_seen, two.checked_at) == (1, "live", "2024-04-01T09:00:00Z",
                                                                          "2024-04-01T09:00:00Z")  # fmt: skip
    assert two.content_hash == recipe(v1(2))
    revisits.close()
    again = Revisits(stats, policy, datetime(2024, 4, 3, tzinfo=UTC), root)
    (root / "articles" / "2024-04-01" / "r1.jsonl").unlink()
    again.open(VersionStore(root / "versions.sqlite3"))
    assert again.state(URL + "2") == two, "adopted once: a store with rows is not rebuilt"
    again.close()
