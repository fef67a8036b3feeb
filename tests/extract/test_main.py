"""`python -m newscrawl.extract`: one JSON object per page, clean errors."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from newscrawl.extract.__main__ import main
from tests.conftest import REPO

PAGES = REPO / "fixtures" / "replay" / "pages"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, list[dict[str, Any]], str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, [json.loads(line) for line in out.splitlines()], err


def test_one_page_prints_its_fields_and_their_sources(capsys: pytest.CaptureFixture[str]) -> None:
    status, lines, _ = run(capsys, str(PAGES / "news-update.html"))
    assert status == 0
    [line] = lines
    assert line["kind"] == "article"
    assert line["title"] == "中国商务部回应欧盟对中国电动汽车进口实施登记 称将坚决维护企业合法权益"
    assert line["published"] == "2024-03-29T09:21:37Z"
    assert line["field_sources"]["body"] == "dom"
    assert line["body"].startswith("中国商务部新闻发言人29日")


def test_generic_takes_the_body_from_the_generic_path(capsys: pytest.CaptureFixture[str]) -> None:
    _, [template], _ = run(capsys, str(PAGES / "news-update.html"))
    _, [generic], _ = run(capsys, "--generic", str(PAGES / "news-update.html"))
    assert generic["field_sources"]["body"] in ("fallback", "jsonld")
    assert generic["title"] == template["title"]
    assert "【更新】中国驻欧盟使团当天晚间发表声明" in generic["body"]


def test_a_folder_gives_one_line_per_page_and_the_reason_a_page_was_declined(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status, lines, _ = run(capsys, str(PAGES))
    assert status == 0
    names = [Path(line["source"]).name for line in lines]
    assert names == sorted(p.name for p in PAGES.glob("*.html"))
    declined = {Path(line["source"]).stem: line["declined"] for line in lines if "declined" in line}
    assert declined == {"static-page": "not_article", "challenge": "shell", "retry-429-too-many-requests": "shell"}


def test_url_option_and_legacy_encodings(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    page = tmp_path / "gbk.html"
    page.write_bytes(
        '<html><head><meta charset="gbk"><meta property="og:type" content="article">'
        "<title>标题</title></head><body><article><p>这是用国标码写的一段正文，句子完整。</p></article></body></html>".encode(
            "gbk"
        )
    )
    status, [line], _ = run(capsys, str(page), "--url", "https://example.com/a")
    assert status == 0
    assert (line["url"], line["title"]) == ("https://example.com/a", "标题")
    assert line["body"] == "这是用国标码写的一段正文，句子完整。"


def test_missing_file_is_one_line_and_exit_status_2(capsys: pytest.CaptureFixture[str]) -> None:
    status, lines, err = run(capsys, "no/such/page.html")
    assert (status, lines) == (2, [])
    assert err == "python -m newscrawl.extract: error: no such file or folder: no/such/page.html\n"


def test_url_with_a_folder_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run(capsys, str(PAGES), "--url", "https://www.rfi.fr/cn/x")
    assert status == 2
    assert len(err.splitlines()) == 1


def test_standard_input_through_the_module(tmp_path: Path) -> None:
    page = (PAGES / "jsonld-array.html").read_bytes()
    done = subprocess.run(
        [sys.executable, "-m", "newscrawl.extract", "-"], input=page, capture_output=True, cwd=REPO, check=False
    )
    assert done.returncode == 0, done.stderr
    [line] = [json.loads(x) for x in io.StringIO(done.stdout.decode("utf-8"))]
    assert line["source"] == "-"
    assert line["title"] == "日韩外长会谈 同意加强半导体供应链合作"
