"""The snapshot: the latest version of every article, from the dataset files alone, as JSON Lines or
Parquet; and the README's pandas and duckdb snippets on files of both schema versions."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
from dataclasses import asdict
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import pyarrow.parquet as pq
import pytest

from newscrawl.items import Article, PageContent, Tombstone
from newscrawl.schema import record_validator
from newscrawl.store.snapshot import write_snapshot
from tests.conftest import REPO, crawl_env

if TYPE_CHECKING:
    from pathlib import Path

CN = "https://www.rfi.fr/cn/%E4%B8%AD%E5%9B%BD/"


def record(n: int, version: int = 1, title: str | None = None, fetched: str = "2024-04-01T09:00:00Z") -> dict[str, Any]:
    content = PageContent(
        f"{CN}20240401-{n}",
        title=title or f"标题{n}",
        body=f"正文{n}。",
        section="中国",
        published="2024-04-01T08:00:00Z",
        images=[{"url": f"https://s.rfi.fr/{n}.jpg", "caption": None}],
        media=[{"type": "audio", "url": f"https://aod.rfi.fr/{n}.mp3", "duration": 60}],
        alternates={"zh-Hant": f"https://www.rfi.fr/tw/{n}"},
    )
    feed = {"url": "https://www.rfi.fr/cn/rss", "entry_id": None, "entry_title": None, "entry_published": None,
            "position": n}  # fmt: skip
    article = Article.from_content(content, fetched_at=fetched, feed=feed, version=version,
                                   first_seen="2024-04-01T09:00:00Z")  # fmt: skip
    return asdict(article)


def v1(n: int) -> dict[str, Any]:
    old = {k: v for k, v in record(n).items() if k not in ("version", "content_hash", "first_seen", "status")}
    return {**old, "schema_version": 1}


def write(root: Path, day: str, run: str, records: list[dict[str, Any]]) -> None:
    folder = root / "articles" / day
    folder.mkdir(parents=True, exist_ok=True)
    text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
    (folder / f"{run}.jsonl").write_text(text, encoding="utf-8")


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """Three runs: v1 files from before schema v2, then versions and a tombstone."""
    spider = tmp_path / "data" / "rfi_cn"
    write(spider, "2024-04-01", "20240401T090000Z-aaaaaaaa", [v1(1), v1(2), v1(3)])
    write(spider, "2024-04-02", "20240402T090000Z-bbbbbbbb", [record(4), record(1, 2, "标题1（更正）")])
    stone = Tombstone.of(v1(2), version=2, removed_at="2024-04-03T08:00:00Z", fetched_at="2024-04-03T14:00:00Z")
    write(spider, "2024-04-03", "20240403T140000Z-cccccccc", [asdict(stone), record(1, 3, "标题1（再更正）")])
    return spider


def latest(records: list[dict[str, Any]]) -> dict[str, tuple[int, str, str]]:
    return {r["url"].rsplit("-", 1)[1]: (r["version"], r["status"], r["title"]) for r in records}


def test_the_latest_version_of_each_article_without_the_removed_ones(root: Path) -> None:
    result = write_snapshot(root, root / "snapshot.jsonl", "jsonl")
    assert (result.articles, result.removed_left_out, result.records_read) == (3, 1, 7)
    rows = [json.loads(line) for line in (root / "snapshot.jsonl").read_text(encoding="utf-8").splitlines()]
    assert latest(rows) == {"1": (3, "live", "标题1（再更正）"), "3": (1, "live", "标题3"), "4": (1, "live", "标题4")}
    validator = record_validator()
    for row in rows:
        assert not list(validator.iter_errors(row)), row["url"]
    (three,) = [r for r in rows if r["url"].endswith("-3")]
    content = {k: three[k] for k in ("title", "lead", "body", "authors", "tags", "images", "media")}
    text = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    assert three["content_hash"] == hashlib.sha256(text.encode()).hexdigest(), "a v1 record gains its hash"
    assert three["first_seen"] == three["fetched_at"]
    assert not list(root.glob("*.part"))


def test_include_removed_keeps_the_tombstones(root: Path) -> None:
    write_snapshot(root, root / "all.jsonl", "jsonl", include_removed=True)
    rows = [json.loads(line) for line in (root / "all.jsonl").read_text(encoding="utf-8").splitlines()]
    assert latest(rows)["2"] == (2, "removed", "标题2")
    assert [r["removed_at"] for r in rows if r["status"] == "removed"] == ["2024-04-03T08:00:00Z"]


def test_parquet_has_typed_columns_and_the_same_rows(root: Path) -> None:
    write_snapshot(root, root / "snapshot.jsonl", "jsonl", include_removed=True)
    write_snapshot(root, root / "snapshot.parquet", "parquet", include_removed=True)
    table = pq.read_table(root / "snapshot.parquet")
    types = {field.name: str(field.type) for field in table.schema}
    assert types["version"] == "int32"
    assert types["published"] == types["removed_at"] == "timestamp[ms, tz=UTC]"
    assert types["authors"] == "list<element: string>"
    assert types["media"] == "list<element: struct<type: string, url: string, duration: int32>>"
    assert types["alternates"].startswith("map<string, string")
    rows = table.to_pylist()
    jsonl = [json.loads(line) for line in (root / "snapshot.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in rows] == [r["id"] for r in jsonl]
    one = next(r for r in rows if r["url"].endswith("-1"))
    assert one["published"] == datetime(2024, 4, 1, 8, tzinfo=UTC)
    assert one["media"] == [{"type": "audio", "url": "https://aod.rfi.fr/1.mp3", "duration": 60}]
    assert one["alternates"] == [("zh-Hant", "https://www.rfi.fr/tw/1")]
    assert one["feed"]["position"] == 1


def test_the_command_writes_the_default_path_and_refuses_a_missing_dataset(root: Path, tmp_path: Path) -> None:
    def snapshot(*args: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "scrapy", "snapshot", *args]
        return subprocess.run(command, cwd=REPO, env=crawl_env(), capture_output=True, text=True, check=False)

    done = snapshot("-s", f"NEWSCRAWL_DATA_DIR={root.parent}", "--format", "parquet")
    assert done.returncode == 0, done.stderr[-3000:]
    assert "3 articles (latest versions of 7 records; 1 removed left out)" in done.stderr
    assert pq.read_table(root / "snapshot.parquet").num_rows == 3
    missing = snapshot("-s", f"NEWSCRAWL_DATA_DIR={tmp_path / 'nothing'}")
    assert missing.returncode == 2
    assert "no dataset under" in missing.stderr


def readme_snippets() -> list[str]:
    """The Python blocks of the README's "Loading the dataset" section, as written there."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## Loading the dataset") : text.index("### The current state as one table")]
    return re.findall(r"```python\n(.*?)```", section, re.DOTALL)


def test_the_readme_snippets_load_v1_and_v2_files_together(
    root: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Run in the data dir's parent (their paths are relative), on three runs of both schema versions."""
    monkeypatch.chdir(root.parent.parent)
    plain, with_pandas, with_duckdb = readme_snippets()
    expected = {"1": 3, "3": 1, "4": 1}  # article 2's latest version is a tombstone
    names: dict[str, Any] = {}
    exec(plain, names)
    assert len(names["records"]) == 7
    assert {r["url"].rsplit("-", 1)[1]: r.get("version", 1) for r in names["online"]} == expected
    names = {}
    exec(with_pandas, names)
    online = names["online"]
    assert dict(zip(online["url"].str.rsplit("-", n=1).str[1], online["version"], strict=True)) == expected
    assert set(names["df"]["first_seen"]) == {"2024-04-01T09:00:00Z"}
    names = {}
    exec(with_duckdb, names)
    shown = capsys.readouterr().out
    assert re.search(r"中国\s*│\s*3\b", shown), shown
    query = "SELECT url, coalesce(version, 1) FROM current WHERE coalesce(status, 'live') = 'live'"
    relation = names["duckdb"].sql(query)
    assert {url.rsplit("-", 1)[1]: version for url, version in relation.fetchall()} == expected
