"""The listing state: validators and named maps, committed only when asked, robust to a bad file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from newscrawl.store.listings import ListingState, ListingStateStore, header_value

NEWS = "https://www.rfi.fr/sitemaps/cn/news.xml"
ROBOTS = "https://www.rfi.fr/robots.txt"


def test_validators_become_conditional_headers() -> None:
    state = ListingState(etag='"abc"', last_modified="Tue, 02 Apr 2024 06:00:01 GMT")
    assert state.request_headers() == {
        "If-None-Match": '"abc"',
        "If-Modified-Since": "Tue, 02 Apr 2024 06:00:01 GMT",
    }
    assert ListingState(etag='W/"x"').request_headers() == {"If-None-Match": 'W/"x"'}
    assert ListingState(kind="urlset").request_headers() == {}


def test_nothing_is_written_or_visible_before_commit(tmp_path: Path) -> None:
    path = tmp_path / "listings.json"
    store = ListingStateStore(path)
    store.put(NEWS, ListingState(etag='"1"', kind="urlset"))
    assert store.get(NEWS) is None
    assert not path.exists()
    store.commit()
    assert store.get(NEWS) == ListingState(etag='"1"', kind="urlset")
    again = ListingStateStore(path)
    assert again.get(NEWS) == ListingState(etag='"1"', kind="urlset")


def test_a_store_that_is_never_committed_leaves_the_old_state(tmp_path: Path) -> None:
    path = tmp_path / "listings.json"
    first = ListingStateStore(path)
    first.put(ROBOTS, ListingState(etag='"r"', kind="robots", children=(NEWS,)))
    first.commit()
    died = ListingStateStore(path)
    died.put(ROBOTS, ListingState(etag='"other"'))
    died.forget(ROBOTS)
    assert ListingStateStore(path).get(ROBOTS) == ListingState(etag='"r"', kind="robots", children=(NEWS,))


def test_forget_removes_a_url_and_the_file_layout_is_plain_json(tmp_path: Path) -> None:
    path = tmp_path / "listings.json"
    store = ListingStateStore(path)
    store.put(NEWS, ListingState(etag='"1"', last_modified="Tue, 02 Apr 2024 06:00:01 GMT", kind="urlset"))
    store.put(ROBOTS, ListingState(kind="robots", children=(NEWS,)))
    store.commit()
    assert json.loads(path.read_text(encoding="utf-8")) == {
        "version": 1,
        "listings": {
            ROBOTS: {"kind": "robots", "children": [NEWS]},
            NEWS: {"etag": '"1"', "last_modified": "Tue, 02 Apr 2024 06:00:01 GMT", "kind": "urlset"},
        },
    }
    store.forget(NEWS)
    store.commit()
    assert ListingStateStore(path).get(NEWS) is None
    assert ListingStateStore(path).get(ROBOTS) == ListingState(kind="robots", children=(NEWS,))


@pytest.mark.parametrize(
    "content",
    ["{broken", '{"version": 99, "listings": {}}', '["a"]', '{"version": 1, "listings": []}'],
)
def test_an_unreadable_file_means_full_requests(tmp_path: Path, content: str, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "listings.json"
    path.write_text(content, encoding="utf-8")
    assert ListingStateStore(path).get(NEWS) is None
    assert "every listing is requested in full" in caplog.text


def test_bad_rows_are_ignored_one_by_one(tmp_path: Path) -> None:
    path = tmp_path / "listings.json"
    rows = {
        NEWS: {"etag": '"ok"'},
        ROBOTS: {"etag": 5},
        "https://www.rfi.fr/cn/rss": {"children": "not a list"},
        "https://feedx.net/rss/rfi.xml": {"etag": '"a"\r\nX-Injected: 1', "kind": "feed"},
    }
    path.write_text(json.dumps({"version": 1, "listings": rows}), encoding="utf-8")
    store = ListingStateStore(path)
    assert store.get(NEWS) == ListingState(etag='"ok"')
    assert store.get(ROBOTS) is None
    assert store.get("https://www.rfi.fr/cn/rss") is None
    assert store.get("https://feedx.net/rss/rfi.xml") == ListingState(kind="feed"), "never sent back"


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        (b'"abc"', '"abc"'),
        ("Tue, 02 Apr 2024 06:00:01 GMT", "Tue, 02 Apr 2024 06:00:01 GMT"),
        (None, None),
        ("", None),
        ('"a"\r\nSet-Cookie: x', None),
        ("é", None),
        ("x" * 513, None),
    ],
)
def test_header_values(raw: str | bytes | None, value: str | None) -> None:
    assert header_value(raw) == value
