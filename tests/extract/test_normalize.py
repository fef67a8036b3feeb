from __future__ import annotations

from dataclasses import asdict

from newscrawl.extract.normalize import normalize_article
from newscrawl.items import Article, FeedProvenance, Image, Media, article_id

CANONICAL = "https://www.rfi.fr/cn/%E4%B8%AD%E5%9B%BD/20240401-%E6%B5%8B%E8%AF%95"


def messy() -> Article:
    return Article(
        url="http://rfi.fr/cn/中国/20240401-测试/?xtor=RSS-1#top",
        title=" 标题\u3000 - 要闻分析 - RFI - 法国国际广播电台 ",
        lead="\u00a0导语\u200b。 ",
        body=" 第一段 \n\n\n\n 第二段\u00a0a \n",
        authors=["小山、 大海", "小山"],
        tags=[" 中国", "中国 ", "", "人权"],
        section=" 中国 ",
        published="2024-03-31T17:00:00+02:00",
        modified="2024-03-31T15:00:00Z",
        images=[
            Image(url=" https://s.rfi.fr/a.jpg", caption="  说明\u3000文字 "),
            Image(url="https://s.rfi.fr/a.jpg", caption="重复"),
            Image(url="https://s.rfi.fr/b.jpg", caption=" "),
        ],
        media=[
            Media(type="audio", url="https://aod.rfi.fr/a.mp3", duration=754),
            Media(type="audio", url="https://aod.rfi.fr/a.mp3 ", duration=None),
        ],
        alternates={"zh-Hant": " https://www.rfi.fr/tw/a "},
        id="stale",
        feed=FeedProvenance(
            url="https://www.rfi.fr/cn/rss",
            entry_id=" guid-1 ",
            entry_title=" 标题 ",
            entry_published="2024-03-31T17:00:00+02:00",
            position=3,
        ),
        fetched_at="2024-04-02T06:00:18.123Z",
    )


def test_normalize_article() -> None:
    article = messy()
    normalized = normalize_article(article)
    assert asdict(normalized) == {
        "url": CANONICAL,
        "id": article_id(CANONICAL),
        "title": "标题",
        "lead": "导语。",
        "body": "第一段\n\n第二段 a",
        "authors": ["小山", "大海"],
        "tags": ["中国", "人权"],
        "section": "中国",
        "published": "2024-03-31T15:00:00Z",
        "modified": "2024-03-31T15:00:00Z",
        "images": [
            {"url": "https://s.rfi.fr/a.jpg", "caption": "说明 文字"},
            {"url": "https://s.rfi.fr/b.jpg", "caption": None},
        ],
        "media": [{"type": "audio", "url": "https://aod.rfi.fr/a.mp3", "duration": 754}],
        "alternates": {"zh-Hant": "https://www.rfi.fr/tw/a"},
        "schema_version": 1,
        "edition": "cn",
        "language": "zh-Hans",
        "content_source": "page",
        "fetched_with": "http",
        "feed": {
            "url": "https://www.rfi.fr/cn/rss",
            "entry_id": "guid-1",
            "entry_title": "标题",
            "entry_published": "2024-03-31T15:00:00Z",
            "position": 3,
        },
        "fetched_at": "2024-04-02T06:00:18Z",
        "spider": "rfi_cn",
    }
    assert article.title == " 标题\u3000 - 要闻分析 - RFI - 法国国际广播电台 "  # the input is left alone


def test_normalize_is_idempotent() -> None:
    once = normalize_article(messy())
    assert normalize_article(once) == once


def test_junk_dates_become_null() -> None:
    article = normalize_article(Article(url=CANONICAL, published="昨天", modified="2024-03-31"))
    assert (article.published, article.modified, article.feed, article.title) == (None, None, None, None)
