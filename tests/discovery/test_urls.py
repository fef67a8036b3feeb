from __future__ import annotations

import random
import re
from collections import Counter
from urllib.parse import quote, unquote, urljoin, urlsplit, urlunsplit

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newscrawl.discovery import urls
from newscrawl.discovery.urls import (
    MAX_URL_LENGTH,
    canonical_url,
    classify,
    is_edition_page_url,
    is_programme_url,
    path_segments,
    section_from_url,
)
from tests.conftest import TEST_DATA

# 174 real /cn/ and /tw/ URLs of a 2021 crawl, copied verbatim from shared/rfi/urls-2021-12-09.txt.
REAL_URLS = [
    line.strip()
    for line in (TEST_DATA / "urls-2021-12-09.txt").read_text(encoding="utf-8").splitlines()
    if line.strip() and not line.startswith("#")
]
CN_URLS = [u for u in REAL_URLS if u.startswith("https://www.rfi.fr/cn/")]
TW_URLS = [u for u in REAL_URLS if u.startswith("https://www.rfi.fr/tw/")]
PROGRAMME_ROOTS = ("专栏检索", "專欄檢索")  # the Traditional spelling occurs under /cn/ in the crawl
DATED = re.compile(r"^\d{8}-.+")
# The slug-only /cn/<slug> wire items of the list (articles the URL shape cannot tell from pages).
WIRE_ITEMS = (
    "亚马逊涉垄断-义大利反托拉斯当局开罚11亿欧元",
    "保护记者委员会-2021年全球遭监禁记者人数破纪录",
    "布吉纳法索总理率政府总辞",
    "柯瑞率队击败拓荒者-离nba三分球纪录只剩9颗",
    "英国采购欧洲速度最快列车-合约金额近731亿元",
)
TRACKING = "xtor=RSS-1&utm_source=twitter&utm_medium=social"
BASE = "https://www.rfi.fr/cn/"


def test_the_list_is_the_one_expected() -> None:
    assert len(REAL_URLS) == 174
    assert len(CN_URLS) + len(TW_URLS) == 174


def iri(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=unquote(parts.path)))


def lowercase_hex(url: str) -> str:
    return re.sub(r"%[0-9A-F]{2}", lambda m: m.group().lower(), url)


def reencoded(url: str) -> str:
    parts = urlsplit(iri(url))
    return urlunsplit(parts._replace(path=quote(parts.path, safe="/")))


def mixed(url: str) -> str:
    parts = urlsplit(url)
    segments = parts.path.split("/")
    path = "/".join(lowercase_hex(s) if i % 2 else unquote(s) for i, s in enumerate(segments))
    return urlunsplit(parts._replace(path=path))


def with_host(url: str, host: str) -> str:
    return urlunsplit(urlsplit(url)._replace(netloc=host))


def with_tracking(url: str) -> str:
    return f"{url}?{TRACKING}#fragment"


def as_http(url: str) -> str:
    return "http://" + url.removeprefix("https://")


VARIANTS = {
    "iri": iri,
    "percent-encoded": reencoded,
    "lowercase-hex": lowercase_hex,
    "iri-and-lowercase-hex-segments": mixed,
    "tracking-and-fragment": with_tracking,
    "http": as_http,
    "bare-host": lambda u: with_host(u, "rfi.fr"),
    "mixed-case-host": lambda u: with_host(u, "WWW.Rfi.FR"),
    "default-port": lambda u: with_host(u, "www.rfi.fr:443"),
    "trailing-dot-host": lambda u: with_host(u, "www.rfi.fr."),
    "surrounding-whitespace": lambda u: f"  {u}\n",
    "everything-at-once": lambda u: with_tracking(as_http(with_host(mixed(u), "RFI.fr"))),
}


# --- canonical_url: properties over every real URL -------------------------------------------------


@pytest.mark.parametrize("url", REAL_URLS)
def test_real_urls_are_already_canonical_and_idempotent(url: str) -> None:
    canonical = canonical_url(url)
    assert canonical == url
    assert canonical_url(canonical) == canonical


@pytest.mark.parametrize("variant", VARIANTS)
def test_every_form_of_a_real_url_gives_one_key(variant: str) -> None:
    make = VARIANTS[variant]
    mismatches = {u: canonical_url(make(u)) for u in REAL_URLS if canonical_url(make(u)) != canonical_url(u)}
    assert mismatches == {}


@pytest.mark.parametrize("variant", VARIANTS)
def test_the_key_has_one_shape(variant: str) -> None:
    for url in REAL_URLS:
        key = canonical_url(VARIANTS[variant](url))
        assert key is not None
        assert key.startswith("https://www.rfi.fr/")
        assert key.isascii()
        assert "#" not in key
        assert "?" not in key  # the real URLs have no other query than the tracking one added
        assert re.search(r"%(?![0-9A-F]{2})", key) is None, "percent escapes use uppercase hex"
        assert canonical_url(key) == key


def test_a_relative_link_joins_on_its_page() -> None:
    for url in CN_URLS:
        path = urlsplit(url).path
        assert canonical_url(path, "https://www.rfi.fr/cn/中国/") == url
        assert canonical_url(unquote(path), "http://rfi.fr/") == url
        assert canonical_url("//www.rfi.fr" + path, "https://feedx.net/rss/rfi.xml") == url


def test_a_trailing_slash_after_an_article_slug_is_dropped_but_not_after_a_listing() -> None:
    articles = [u for u in CN_URLS if classify(u) == "article"]
    assert articles
    for url in articles:
        assert canonical_url(url + "/") == url
    assert canonical_url("https://www.rfi.fr/cn/中国/") == "https://www.rfi.fr/cn/%E4%B8%AD%E5%9B%BD/"
    assert canonical_url("https://www.rfi.fr/cn/中国") == "https://www.rfi.fr/cn/%E4%B8%AD%E5%9B%BD"


def test_other_query_parameters_are_kept_in_a_stable_order() -> None:
    url = "https://www.rfi.fr/cn/中国/20240101-x"
    expected = "https://www.rfi.fr/cn/%E4%B8%AD%E5%9B%BD/20240101-x?a=1&page=2"
    assert canonical_url(f"{url}?page=2&utm_campaign=x&a=1&fbclid=y&XTOR=z") == expected
    assert canonical_url(f"{url}?a=1&page=2") == expected
    assert canonical_url(f"{url}?utm_source=a&xtor=b") == canonical_url(url)


def test_offsite_urls_keep_their_own_scheme_and_host() -> None:
    assert canonical_url("http://feedx.net/rss/rfi.xml?utm_source=x") == "http://feedx.net/rss/rfi.xml"
    assert canonical_url("https://FEEDX.net/rss/rfi.xml#top") == "https://feedx.net/rss/rfi.xml"
    assert classify("https://feedx.net/rss/rfi.xml") == "offsite"


# --- classify ------------------------------------------------------------------------------------


def expected_kind(url: str) -> str:
    """The kind of a real /cn/ URL, decided from its shape independently of newscrawl.discovery.urls."""
    if urlsplit(url).path.endswith("/"):
        return "not_article_url"  # section, tag, author, archive and programme listings
    rest = path_segments(url)[1:]
    if len(rest) == 2 and DATED.match(rest[1]):
        return "article"
    if len(rest) == 3 and rest[0] in PROGRAMME_ROOTS and DATED.match(rest[2]):
        return "article"
    if len(rest) == 1 and rest[0] in WIRE_ITEMS:
        return "maybe_article"
    return "not_article_url"  # static pages: /cn/应用, /cn/直播, /cn/视频, …


def test_every_real_cn_url_is_classified_by_its_shape() -> None:
    wrong = {u: (classify(u), expected_kind(u)) for u in CN_URLS if classify(u) != expected_kind(u)}
    assert wrong == {}
    assert Counter(classify(u) for u in CN_URLS) == {"article": 58, "not_article_url": 46, "maybe_article": 5}


def test_every_tw_url_is_the_other_edition() -> None:
    assert {classify(u) for u in TW_URLS} == {"other_edition"}
    assert not any(is_edition_page_url(u) for u in TW_URLS)


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("https://www.rfi.fr/cn/中国/20211208-中国公务员大范围降薪", "article"),
        (
            "https://www.rfi.fr/cn/专栏检索/要闻分析/20211208-抵制北京冬奥和民主峰会-糟糕的中国人权永远的被告",
            "article",
        ),
        (
            "https://www.rfi.fr/cn/專欄檢索/要聞分析/20211208-抵制北京冬奧和民主峰會-糟糕的中國人權永遠的被告",
            "article",
        ),
        ("https://www.rfi.fr/cn/视频/20211209-中国全过程民主实录-国际人权日", "article"),
        ("https://www.rfi.fr/cn/亚马逊涉垄断-义大利反托拉斯当局开罚11亿欧元", "maybe_article"),
        ("https://www.rfi.fr/cn/中国/某个专题/20211208-x", "maybe_article"),
        ("https://www.rfi.fr/cn/中国/", "not_article_url"),
        ("https://www.rfi.fr/cn/中国", "not_article_url"),
        ("https://www.rfi.fr/cn/关键词/拿破仑/", "not_article_url"),
        ("https://www.rfi.fr/cn/关键词/拿破仑", "not_article_url"),
        ("https://www.rfi.fr/cn/作者/王明/", "not_article_url"),
        ("https://www.rfi.fr/cn/档案资料库/2021/", "not_article_url"),
        ("https://www.rfi.fr/cn/档案资料库/2021/12/08", "not_article_url"),
        ("https://www.rfi.fr/cn/专栏检索/要闻分析/", "not_article_url"),
        ("https://www.rfi.fr/cn/专栏检索/要闻分析", "not_article_url"),
        ("https://www.rfi.fr/cn/直播", "not_article_url"),
        ("https://www.rfi.fr/cn/如何收听法广", "not_article_url"),
        ("https://www.rfi.fr/cn/", "not_article_url"),
        ("https://www.rfi.fr/cn", "not_article_url"),
        ("https://www.rfi.fr/", "other_edition"),
        ("https://www.rfi.fr/fr/france/20240101-x", "other_edition"),
        ("https://www.rfi.fr/tw/中國/20211208-中國公務員大範圍降薪", "other_edition"),
        ("https://feedx.net/rss/rfi.xml", "offsite"),
        ("http://www.rfi.fr/cn/中国/20211208-x", "offsite"),  # not canonical: classify takes canonical URLs
    ],
)
def test_classify_examples(url: str, kind: str) -> None:
    assert classify(url) == kind
    canonical = canonical_url(url)
    assert canonical is not None
    assert classify(canonical) == ("article" if url.startswith("http://www.rfi.fr") else kind)


# --- hostile input -------------------------------------------------------------------------------

ARTICLE_PATH = "/cn/中国/20240101-x"
HOSTILE = [
    "javascript:alert(1)",
    " JaVaScRiPt:alert(document.cookie)//https://www.rfi.fr/cn/中国/20240101-x",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "data:text/html,https://www.rfi.fr/cn/中国/20240101-x",
    "file:///etc/passwd",
    "file://www.rfi.fr/cn/中国/20240101-x",
    "ftp://www.rfi.fr/cn/中国/20240101-x",
    "mailto:cn@rfi.fr",
    "https://www.rfi.fr@evil.com/cn/中国/20240101-x",
    "https://www.rfi.fr:443@evil.com/cn/中国/20240101-x",
    "https://www.rfi.fr.evil.com/cn/中国/20240101-x",
    "https://www.rfi.fr%2eevil.com/cn/中国/20240101-x",
    "https://evil.com/https://www.rfi.fr/cn/中国/20240101-x",
    "https://evil.com/cn/中国/20240101-x",
    "https://www.rfi.fr:8080/cn/中国/20240101-x",
    "https://www.rfi.fr:80/cn/中国/20240101-x",
    "http://www.rfi.fr:443/cn/中国/20240101-x",
    "https://www.rfi.fr:99999/cn/中国/20240101-x",
    "https://www.rfi.fr:-1/cn/中国/20240101-x",
    "https://www.rfi.fr:port/cn/中国/20240101-x",
    "https://user@www.rfi.fr/cn/中国/20240101-x",
    "https://user:password@www.rfi.fr/cn/中国/20240101-x",
    "https://:@www.rfi.fr/cn/中国/20240101-x",
    "https://evil.com\\@www.rfi.fr/cn/中国/20240101-x",
    "https:\\\\www.rfi.fr\\cn\\中国\\20240101-x",
    "https://www.rfi.fr\\cn\\中国\\20240101-x",
    "https://www.rfi.fr/cn\\中国\\20240101-x",
    "/\\evil.com/cn/中国/20240101-x",
    "\\\\evil.com/cn/中国/20240101-x",
    "//evil.com/cn/中国/20240101-x",
    "///evil.com/cn/中国/20240101-x",
    "https://www.rfi.fr/cn/中国/20240101-" + "长" * 2000,
    "https://www.rfi.fr/cn/中国/20240101-" + "a" * MAX_URL_LENGTH,
    "https://www.rfi.fr/cn/中国/20240101-x?" + "a=1&" * 2000,
    "https://www.rfi.fr/cn/中国/20240101-x\x00",
    "\x00https://www.rfi.fr/cn/中国/20240101-x",
    "https://www.rfi.fr/cn/中国/\x0720240101-x",
    "https://www.rfi.fr/cn/中国/20240101-x\x7f",
    "https://www.rfi.fr/cn/中国/\t20240101-x",
    "https://www.rfi.fr/cn/中国/2024\n0101-x",
    "https://www.rfi.fr/cn/中国/20240101-x\r\nSet-Cookie: a=b",
    "https://www\x00.rfi.fr/cn/中国/20240101-x",
    "http://[::1]/cn/中国/20240101-x",
    "http://[evil/cn/中国/20240101-x",
    "https://127.0.0.1/cn/中国/20240101-x",
    "https:///cn/中国/20240101-x",
    "https://",
    "",
    " ",
    "?",
    "#",
]


@pytest.mark.parametrize("url", HOSTILE, ids=[f"{i}-{u[:40]!r}" for i, u in enumerate(HOSTILE)])
@pytest.mark.parametrize("base", [None, BASE])
def test_hostile_input_never_becomes_an_article_and_never_raises(url: str, base: str | None) -> None:
    canonical = canonical_url(url, base)
    assert canonical is None or classify(canonical) not in ("article", "maybe_article"), canonical
    assert classify(url) not in ("article", "maybe_article")
    assert not is_edition_page_url(url)
    section_from_url(url)
    is_programme_url(url)


def test_refused_urls() -> None:
    for url in (
        "javascript:alert(1)",
        "file:///etc/passwd",
        "https://www.rfi.fr/cn\\a",
        "https://www.rfi.fr/\x00",
    ):
        assert canonical_url(url) is None
    assert canonical_url("https://www.rfi.fr/cn/" + "a" * MAX_URL_LENGTH) is None
    assert canonical_url("https://user@www.rfi.fr/cn/中国/20240101-x") == (
        "https://user@www.rfi.fr/cn/%E4%B8%AD%E5%9B%BD/20240101-x"  # kept as it is: never www.rfi.fr
    )


def test_random_strings_never_raise_and_keys_stay_idempotent() -> None:
    rng = random.Random(20211209)
    pieces = [
        *("https://", "http://", "//", "www.rfi.fr", "RFI.fr", "evil.com", "@", ":", "443", "[", "]", "\\"),
        *(
            "/cn/",
            "/tw/",
            "中国",
            "专栏检索",
            "/20240101-",
            "%",
            "%E4",
            "%e4",
            "%2F",
            "?",
            "#",
            "&",
            "=",
            ".",
        ),
        *("utm_source=x", "xtor=1", " ", "\t", "\x00", "\u3002", "\uff0e", "xn--", "..", "\ud800"),
    ]
    for _ in range(5000):
        url = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 12)))
        for base in (None, BASE):
            canonical = canonical_url(url, base)
            if canonical is not None:
                assert canonical_url(canonical) == canonical, url
                classify(canonical)
                section_from_url(canonical)
            classify(url)
            is_programme_url(url)


# --- sections and programmes ---------------------------------------------------------------------


def test_section_of_every_real_article_is_its_parent_segment() -> None:
    for url in CN_URLS:
        if classify(url) == "article":
            assert section_from_url(url) == path_segments(url)[-2], url
        else:
            assert section_from_url(url) is None, url


@pytest.mark.parametrize(
    ("url", "section", "programme"),
    [
        ("https://www.rfi.fr/cn/中国/20211208-中国公务员大范围降薪", "中国", False),
        ("https://www.rfi.fr/cn/%E6%B8%AF%E6%BE%B3%E5%8F%B0/20211209-x", "港澳台", False),
        ("https://www.rfi.fr/cn/视频/20211209-中国全过程民主实录-国际人权日", "视频", False),
        ("https://www.rfi.fr/cn/专栏检索/要闻分析/20211208-x", "要闻分析", True),
        (
            "https://www.rfi.fr/cn/专栏检索/法国报纸摘要/20211209-法国学者联署-必须抵制北京冬奥会",
            "法国报纸摘要",
            True,
        ),
        (
            "https://www.rfi.fr/cn/专栏检索/第二次播音-北京时间-19-00-20-00/20211209-x",
            "第二次播音-北京时间-19-00-20-00",
            True,
        ),
        ("https://www.rfi.fr/cn/專欄檢索/要聞分析/20211208-x", "要聞分析", True),
        ("https://www.rfi.fr/cn/专栏检索/要闻分析/", None, False),
        ("https://www.rfi.fr/cn/中国/", None, False),
        ("https://www.rfi.fr/cn/亚马逊涉垄断-义大利反托拉斯当局开罚11亿欧元", None, False),
        ("https://www.rfi.fr/cn/中国/某个专题/20211208-x", None, False),
    ],
)
def test_section_and_programme(url: str, section: str | None, programme: bool) -> None:
    assert section_from_url(url) == section
    assert is_programme_url(url) is programme


@settings(max_examples=500, deadline=None)
@given(url=st.from_regex(urls._CANONICAL_RFI_URL, fullmatch=True))
def test_an_url_taken_as_canonical_at_sight_is_what_the_full_rules_make_of_it(url: str) -> None:
    assert urls._canonicalised(url, None) == url


@pytest.mark.parametrize("url", CN_URLS + TW_URLS)
def test_real_urls_come_out_the_same_with_or_without_the_shortcut(url: str) -> None:
    for form in (url, quote(unquote(url), safe="/:")):
        assert canonical_url(form) == urls._canonicalised(form, None)


@settings(max_examples=500, deadline=None)
@given(
    url=st.from_regex(urls.PLAIN_WEB_URL, fullmatch=True), base=st.sampled_from([BASE, "http://feedx.net/rss/rfi.xml"])
)
def test_a_plain_web_url_is_its_own_join_and_a_web_url(url: str, base: str) -> None:
    assert urls.join_link(base, url) == urljoin(base, url) == url
    assert urlsplit(url).scheme in ("http", "https")


@settings(max_examples=500, deadline=None)
@given(
    segments=st.lists(
        st.lists(
            st.sampled_from(["a", "中", "%E4", "%B8", "%AD", "%2F", "%2f", "%25", "%zz", "-", "%C3%A9", "."]),
            max_size=4,
        ),
        max_size=5,
    )
)
def test_path_segments_decode_the_whole_path_as_segment_by_segment(segments: list[list[str]]) -> None:
    url = "https://www.rfi.fr/" + "/".join("".join(parts) for parts in segments)
    path_segments.cache_clear()
    expected = tuple(unquote(s) for s in urlsplit(url).path.split("/") if s)
    assert path_segments(url) == expected


def test_a_host_whose_nfkc_form_hides_a_separator_is_no_usable_link() -> None:
    # U+FE13 is ":" once NFKC-normalised; urllib refuses such a host (found by the property above).
    assert urls.join_link(BASE, "https://a\ufe13b/x") is None
    assert urls.join_link(BASE, "https://例子.中国/x") == "https://例子.中国/x", "an IDN host is fine"
