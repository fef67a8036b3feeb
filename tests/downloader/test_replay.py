from __future__ import annotations

import json
from pathlib import Path

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from newscrawl.config import SettingError
from newscrawl.downloader.replay import REPLAY_FLAG, ReplayArchive, ReplayMiddleware


def write_archive(folder: Path, lines: list[dict[str, object]], bodies: dict[str, bytes]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, body in bodies.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(body)
    (folder / "manifest.jsonl").write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    return folder


def middleware(folder: Path) -> ReplayMiddleware:
    crawler = get_crawler(settings_dict={"NEWSCRAWL_REPLAY_DIR": str(folder)})
    return ReplayMiddleware.from_crawler(crawler)


def test_lines_for_one_url_are_served_in_order_and_the_last_repeats(tmp_path: Path) -> None:
    url = "https://www.rfi.fr/cn/%E4%B8%AD%E5%9B%BD/20240101-a"
    archive = ReplayArchive(
        write_archive(
            tmp_path,
            [{"url": url, "status": 429}, {"url": url, "body": "a.html"}],
            {"a.html": b"<html>ok</html>"},
        )
    )
    # The IRI and lowercase-hex forms match the same line (w3lib canonicalize_url).
    first = archive.next_record("https://www.rfi.fr/cn/中国/20240101-a")
    second = archive.next_record("https://www.rfi.fr/cn/%e4%b8%ad%e5%9b%bd/20240101-a")
    third = archive.next_record(url)
    assert first is not None
    assert first["status"] == 429
    assert second is not None
    assert second.get("status", 200) == 200
    assert third == second
    assert archive.next_record("https://www.rfi.fr/cn/other") is None


def test_body_paths_cannot_leave_the_archive(tmp_path: Path) -> None:
    (tmp_path / "secret.txt").write_text("secret")
    archive = ReplayArchive(write_archive(tmp_path / "arch", [{"url": "https://x/", "body": "../secret.txt"}], {}))
    record = archive.next_record("https://x/")
    assert record is not None
    with pytest.raises(ValueError, match="leaves the archive"):
        archive.body_of(record)


def test_invalid_manifest_lines_are_skipped_and_counted(tmp_path: Path) -> None:
    (tmp_path / "manifest.jsonl").write_text('{"url": "https://a/"}\nnot json\n{"status": 200}\n\n', encoding="utf-8")
    archive = ReplayArchive(tmp_path)
    assert len(archive) == 1
    assert archive.invalid_lines == 2


def test_middleware_serves_typed_responses_and_404_for_unknown_urls(tmp_path: Path) -> None:
    folder = write_archive(
        tmp_path,
        [
            {
                "url": "https://www.rfi.fr/cn/a",
                "headers": {"Content-Type": "text/html; charset=utf-8", "Content-Encoding": "gzip"},
                "body": "a.html",
            }
        ],
        {"a.html": "<html><body>中文</body></html>".encode()},
    )
    mw = middleware(folder)
    response = mw.process_request(Request("https://www.rfi.fr/cn/a"))
    assert isinstance(response, HtmlResponse)
    assert response.status == 200
    assert "中文" in response.text
    assert REPLAY_FLAG in response.flags
    assert b"Content-Encoding" not in response.headers, "bodies are stored decompressed"
    missing = mw.process_request(Request("https://www.rfi.fr/cn/b"))
    assert missing.status == 404
    assert mw.crawler.stats.get_value("newscrawl/replay/missing") == 1


def test_a_folder_without_a_manifest_is_no_archive(tmp_path: Path) -> None:
    with pytest.raises(SettingError, match=r"^NEWSCRAWL_REPLAY_DIR: .* has no manifest\.jsonl"):
        middleware(tmp_path)
    with pytest.raises(SettingError, match=r"^NEWSCRAWL_REPLAY_DIR: .*/missing does not exist$"):
        middleware(tmp_path / "missing")
