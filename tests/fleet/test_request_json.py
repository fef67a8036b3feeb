"""The shared frontier's request format: round trips, and everything it refuses."""

from __future__ import annotations

import contextlib
import json
import pickle
import random
from typing import Any

import pytest
from scrapy import FormRequest, Request, Spider

from newscrawl.fleet import request_json
from newscrawl.fleet.request_json import RequestCodec, RequestRefused
from tests.fleet.fakespider import URL, Entry, FleetSpider, Lead, Secret, article_request


@pytest.fixture
def spider() -> FleetSpider:
    return FleetSpider()


@pytest.fixture
def codec(spider: FleetSpider) -> RequestCodec:
    return RequestCodec(spider)


def round_trip(codec: RequestCodec, request: Request) -> Request:
    return codec.decode(request_json.loads(request_json.dumps(codec.encode(request))))


def test_an_article_request_comes_back_equal(spider: FleetSpider, codec: RequestCodec) -> None:
    original = article_request(spider)
    data = request_json.dumps(codec.encode(original))
    assert "中国" in data, "UTF-8, not \\u escapes"
    back = codec.decode(request_json.loads(data))
    assert back.url == original.url
    assert back.callback == spider.parse_article
    assert back.errback == spider.article_failed
    assert back.cb_kwargs == original.cb_kwargs
    lead = back.cb_kwargs["lead"]
    assert isinstance(lead, Lead)
    assert isinstance(lead.entries[0], tuple)
    assert isinstance(lead.entries[0][1], Entry)
    assert hash(lead.entries[0][1]) == hash(original.cb_kwargs["lead"].entries[0][1])
    assert back.meta == original.meta
    assert (back.priority, back.dont_filter, back.method) == (3, False, "GET")


def test_the_stored_form_is_plain_json_with_method_names(spider: FleetSpider, codec: RequestCodec) -> None:
    stored = json.loads(request_json.dumps(codec.encode(article_request(spider))))
    assert stored["callback"] == "parse_article"
    assert stored["cb_kwargs"]["lead"]["$type"] == "Lead"
    assert set(stored) == {"v", "url", "method", "priority", "dont_filter", "callback", "errback", "cb_kwargs", "meta"}


def stored_form(spider: FleetSpider, codec: RequestCodec) -> dict[str, Any]:
    stored: dict[str, Any] = json.loads(request_json.dumps(codec.encode(article_request(spider))))
    return stored


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.update(_class="scrapy.http.FormRequest"), "fields must be exactly"),
        (lambda d: d.update(callback="close"), "not one of the spider's frontier_callbacks"),
        (lambda d: d.update(callback="parse_other"), "not one of the spider's frontier_callbacks"),
        (lambda d: d.update(errback="__init__"), "not a public method name"),
        (lambda d: d.update(callback="os.system"), "not a public method name"),
        (lambda d: d["meta"].update(download_slot="x"), "meta keys not allowed"),
        (lambda d: d.update(method="POST"), "only GET"),
        (lambda d: d.update(url="file:///etc/passwd"), r"not an http\(s\) URL"),
        (lambda d: d.update(priority="1"), "wrong type"),
        (lambda d: d.update(dont_filter=1), "wrong type"),
        (lambda d: d.update(v=2), "unknown request format version"),
        (lambda d: d["cb_kwargs"]["lead"].update({"$type": "Secret"}), "not one of the spider's frontier_types"),
        (lambda d: d["cb_kwargs"]["lead"]["fields"].update(extra=1), "fields must be"),
        (lambda d: d["cb_kwargs"].update(t={"$tuple": [1], "x": 2}), "malformed tuple"),
    ],
)
def test_tampered_requests_are_refused(spider: FleetSpider, codec: RequestCodec, change: Any, message: str) -> None:
    stored = stored_form(spider, codec)
    change(stored)
    data = json.dumps(stored)
    with pytest.raises(RequestRefused, match=message):
        codec.decode(request_json.loads(data))


@pytest.mark.parametrize(
    "data",
    [
        pickle.dumps({"url": URL}),
        b"\x80\x04K\x01.",
        "[]",
        '{"v": 1, "url": NaN}',
        "not json",
        "[" * 100_000,
    ],
)
def test_what_is_not_json_of_the_schema_is_refused(data: str | bytes) -> None:
    with pytest.raises(RequestRefused):
        request_json.loads(data)


def test_a_non_finite_number_is_refused(spider: FleetSpider, codec: RequestCodec) -> None:
    with pytest.raises(RequestRefused):
        codec.encode(article_request(spider, cb_kwargs={"x": float("nan")}))


@pytest.mark.parametrize(
    "changes",
    [
        {"callback": lambda response: None},
        {"callback": FleetSpider().parse_article},  # another spider's method
        {"cb_kwargs": {"secret": Secret("rm -rf /")}},
        {"cb_kwargs": {"s": {1, 2}}},
        {"cb_kwargs": {"d": {"$type": "Lead"}}},
        {"meta": {"proxy": "http://evil"}},
        {"headers": {"Cookie": "a=b"}},
    ],
)
def test_requests_outside_the_schema_are_not_pushed(spider: FleetSpider, codec: RequestCodec, changes: Any) -> None:
    with pytest.raises(RequestRefused):
        codec.encode(article_request(spider, **changes))


def test_request_subclasses_are_not_pushed(spider: FleetSpider, codec: RequestCodec) -> None:
    with pytest.raises(RequestRefused):
        codec.encode(FormRequest(URL, callback=spider.parse_article, formdata={"a": "b"}))


def test_a_spider_without_allow_lists_shares_no_callback(spider: FleetSpider, codec: RequestCodec) -> None:
    stored = request_json.loads(request_json.dumps(codec.encode(article_request(spider, cb_kwargs={}))))
    bare = RequestCodec(Spider(name="bare"))
    with pytest.raises(RequestRefused):
        bare.decode(stored)
    with pytest.raises(RequestRefused):
        bare.encode(article_request(spider, cb_kwargs={}))


def random_json(rng: random.Random, depth: int = 0) -> Any:
    kind = rng.randrange(8 if depth < 3 else 6)
    if kind == 0:
        return None
    if kind == 1:
        return rng.random() < 0.5
    if kind == 2:
        return rng.randint(-(2**40), 2**40)
    if kind == 3:
        return rng.uniform(-1e6, 1e6)
    if kind in (4, 5):
        return "".join(rng.choice("ab$_.:/中 ") for _ in range(rng.randrange(6)))
    if kind == 6:
        return [random_json(rng, depth + 1) for _ in range(rng.randrange(4))]
    keys = ["v", "url", "method", "callback", "meta", "cb_kwargs", "$type", "$tuple", "fields", "x"]
    return {rng.choice(keys): random_json(rng, depth + 1) for _ in range(rng.randrange(5))}


def test_loads_and_decode_refuse_arbitrary_json_cleanly(spider: FleetSpider, codec: RequestCodec) -> None:
    """Whatever JSON sits in Redis, the only failure is RequestRefused (seeded, reproducible)."""
    rng = random.Random(14)
    valid = stored_form(spider, codec)
    for _ in range(3_000):
        obj = random_json(rng)
        if rng.random() < 0.5:  # also mutate a valid request, field by field
            obj = {**valid, rng.choice(list(valid)): random_json(rng)}
        with contextlib.suppress(RequestRefused):
            codec.decode(request_json.loads(json.dumps(obj)))


def test_the_rfi_spiders_article_requests_travel_whole() -> None:
    """The real spider's request: a Listing merged from a feed entry and a news-sitemap entry."""
    from newscrawl.discovery.feeds import FeedEntry
    from newscrawl.discovery.listings import Listing
    from newscrawl.discovery.sitemap_walk import SITEMAPS_ORDER, feed_order
    from newscrawl.discovery.sitemaps import SitemapEntry, SitemapImage
    from newscrawl.spiders.rfi_cn import RfiCnSpider

    spider = RfiCnSpider()
    url = "https://www.rfi.fr/cn/%E4%B8%AD%E5%9B%BD/20240401-a"
    listing = Listing(url)
    listing.add(
        feed_order(0),
        FeedEntry(
            "https://www.rfi.fr/cn/rss",
            2,
            url,
            "id-1",
            "标题",
            "2024-04-01T08:00:00Z",
            "2024-04-01T08:30:00Z",
            "<p>全文</p>",
            ("记者甲",),
            ("中国",),
            (("https://x/a.mp3", "audio/mpeg"),),
            "2024-04-01T09:00:00Z",
        ),
    )
    image = SitemapImage("https://s.rfi.fr/a.jpg", "图说")
    listing.add(
        (SITEMAPS_ORDER, 0, 3),
        SitemapEntry(
            "https://www.rfi.fr/sitemaps/cn/news.xml", 7, url, "2024-04-01", "标题", None, ("中国",), (image,)
        ),
    )
    request = spider._article_request(listing)
    codec = RequestCodec(spider)
    back = codec.decode(request_json.loads(request_json.dumps(codec.encode(request))))
    assert back.cb_kwargs["listing"] == listing
    assert back.cb_kwargs["listing"].provenance() == listing.provenance()
    assert back.callback == spider.parse_article
    assert back.errback == spider.article_failed
