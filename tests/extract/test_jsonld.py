from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newscrawl.extract.jsonld import (
    duration_seconds,
    first_string,
    load_json,
    parse_scripts,
    read_authors,
    read_image,
    read_keywords,
    read_media,
    types_of,
)


def test_each_script_is_parsed_on_its_own_and_broken_ones_are_counted() -> None:
    scripts = [
        json.dumps({"@type": "Organization", "name": "RFI"}),
        "{ not json",
        json.dumps([{"@type": "WebPage"}, {"@type": "NewsArticle", "headline": "标题"}]),
        "   ",
        '{"@type": "BreadcrumbList"',  # truncated
    ]
    ld = parse_scripts(scripts)
    assert ld.invalid == 2
    assert [sorted(types_of(o)) for o in ld.objects] == [["Organization"], ["WebPage"], ["NewsArticle"]]
    assert ld.article() == {"@type": "NewsArticle", "headline": "标题"}


def test_graph_nested_lists_and_main_entity_are_opened() -> None:
    script = {
        "@context": "https://schema.org",
        "@graph": [
            [{"@type": "WebSite"}],
            {"@type": "WebPage", "mainEntity": {"@type": ["ReportageNewsArticle", "Thing"], "headline": "里"}},
        ],
    }
    ld = parse_scripts([json.dumps(script)])
    article = ld.article()
    assert article is not None
    assert article["headline"] == "里"
    assert [sorted(types_of(o)) for o in ld.objects] == [
        [],
        ["WebSite"],
        ["WebPage"],
        ["ReportageNewsArticle", "Thing"],
    ]


def test_raw_newlines_inside_strings_are_accepted() -> None:
    ld = parse_scripts(['{"@type": "NewsArticle", "articleBody": "第一段\n\n第二段"}'])
    assert ld.invalid == 0
    assert ld.objects[0]["articleBody"] == "第一段\n\n第二段"


@pytest.mark.parametrize(
    ("obj", "expected"),
    [
        ({"@type": "NewsArticle"}, {"NewsArticle"}),
        ({"@type": ["Article", "BlogPosting"]}, {"Article", "BlogPosting"}),
        ({"@type": "schema:NewsArticle"}, {"NewsArticle"}),
        ({"@type": "https://schema.org/LiveBlogPosting"}, {"LiveBlogPosting"}),
        ({"@type": 3}, set()),
        ({}, set()),
    ],
)
def test_types_of(obj: dict[str, Any], expected: set[str]) -> None:
    assert types_of(obj) == expected


def test_no_article_object() -> None:
    assert parse_scripts([json.dumps({"@type": "CollectionPage"})]).article() is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (
            [{"@type": "Person", "name": "小山"}, {"@type": "Person", "name": "Jean Dupont et Marie Curie"}],
            ["小山", "Jean Dupont", "Marie Curie"],
        ),
        ({"@type": "Person", "name": "小山、大海"}, ["小山", "大海"]),
        ("法广记者 / 小山", ["法广记者", "小山"]),
        (
            [
                {"@type": "Organization", "name": "RFI"},
                {"@type": "NewsMediaOrganization", "name": "RFI 华语"},
                {"name": "无类型"},
            ],
            ["无类型"],
        ),
        ([{"@type": "Person", "name": ["甲", "乙"]}, "小山", {"@type": "Person"}], ["甲", "乙", "小山"]),
        (None, []),
        (42, []),
    ],
)
def test_read_authors(value: Any, expected: list[str]) -> None:
    assert read_authors(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("日本,美国，菲律宾、日本", ["日本", "美国", "菲律宾"]),
        (["日本", " 美国 ", "日本", ""], ["日本", "美国"]),
        ([{"@type": "DefinedTerm", "name": "人权"}, "中国", 3], ["人权", "中国"]),
        (None, []),
    ],
)
def test_read_keywords(value: Any, expected: list[str]) -> None:
    assert read_keywords(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("https://s.rfi.fr/a.jpg", "https://s.rfi.fr/a.jpg"),
        ({"@type": "ImageObject", "url": "https://s.rfi.fr/b.jpg", "width": 1280}, "https://s.rfi.fr/b.jpg"),
        ({"@type": "ImageObject", "contentUrl": "https://s.rfi.fr/c.jpg"}, "https://s.rfi.fr/c.jpg"),
        (
            [{"@type": "ImageObject", "url": "https://s.rfi.fr/d.jpg"}, "https://s.rfi.fr/e.jpg"],
            "https://s.rfi.fr/d.jpg",
        ),
        ([{"@type": "ImageObject"}, "https://s.rfi.fr/e.jpg"], "https://s.rfi.fr/e.jpg"),
        (None, None),
    ],
)
def test_read_image(value: Any, expected: str | None) -> None:
    assert read_image(value) == expected


def test_read_media() -> None:
    article = {
        "audio": {"@type": "AudioObject", "contentUrl": "https://aod.rfi.fr/a.mp3", "duration": "PT12M34S"},
        "video": [
            {"@type": "VideoObject", "embedUrl": "https://www.youtube.com/embed/x", "duration": "PT1H2S"},
            {"@type": "VideoObject", "contentUrl": "https://v.rfi.fr/b.mp4"},
            {"@type": "VideoObject"},
        ],
    }
    assert read_media(article) == [
        {"type": "audio", "url": "https://aod.rfi.fr/a.mp3", "duration": 754},
        {"type": "video", "url": "https://www.youtube.com/embed/x", "duration": 3602},
        {"type": "video", "url": "https://v.rfi.fr/b.mp4", "duration": None},
    ]
    assert read_media({}) == []


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("PT12M34S", 754),
        ("PT3M20S", 200),
        ("PT1H", 3600),
        ("P1DT2H", 93600),
        ("PT20.6S", 21),
        ("pt5m", 300),
        ("754", 754),
        (754, 754),
        (12.4, 12),
        ("PT", None),
        ("P", None),
        ("P1Y", None),  # a year has no fixed length
        ("12:34", None),
        (True, None),
        (-3, None),
        (float("nan"), None),
        (None, None),
    ],
)
def test_duration_seconds(value: Any, expected: int | None) -> None:
    assert duration_seconds(value) == expected


def test_breadcrumb_items_by_position() -> None:
    script = {
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": 3, "name": "标题"},
            {"@type": "ListItem", "position": 1, "item": {"@id": "https://www.rfi.fr/cn/", "name": "首页"}},
            {"@type": "ListItem", "position": "2", "name": "中国", "item": "https://www.rfi.fr/cn/中国/"},
        ],
    }
    assert parse_scripts([json.dumps(script)]).breadcrumb() == [
        ("首页", "https://www.rfi.fr/cn/"),
        ("中国", "https://www.rfi.fr/cn/中国/"),
        ("标题", None),
    ]


def test_first_string() -> None:
    assert first_string([" ", "  国际 ", "中国"]) == "国际"
    assert first_string("要闻") == "要闻"
    assert first_string({"name": "x"}) is None


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: st.lists(children) | st.dictionaries(st.text(), children),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(value=JSON_VALUES, ascii_only=st.booleans(), indent=st.sampled_from([None, 2]))
def test_json_is_read_as_the_standard_module_reads_it(value: object, ascii_only: bool, indent: int | None) -> None:
    text = json.dumps(value, ensure_ascii=ascii_only, indent=indent)
    assert load_json(text) == json.loads(text, strict=False)


@pytest.mark.parametrize(
    "text",
    [
        '{"a": "line\nbreak"}',  # a raw newline inside a string (strict=False)
        '{"a": NaN, "b": Infinity}',
        '{"a": 123456789012345678901234567890}',
        '{"a": [{"b": -123456789012345678901234567890}], "c": 18446744073709551615}',
        '{"a": 1e19, "b": 9223372036854775807}',
        '{"a": "\\ud83d"}',  # a lone surrogate
        '{"a": 1, "a": 2}',
        '{"a": 1E400, "b": -0, "c": 1.0}',
    ],
)
def test_what_orjson_refuses_or_reads_otherwise_is_read_by_the_standard_module(text: str) -> None:
    assert repr(load_json(text)) == repr(json.loads(text, strict=False))
