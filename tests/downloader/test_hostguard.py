"""The host guard with a fetch origin: www.rfi.fr itself is never contacted."""

from __future__ import annotations

from pathlib import Path

from tests.archive import article_page, article_url
from tests.conftest import dataset, manifests, run_crawl
from tests.localserver import FeedItem, LocalServer, Reply, crawl_arguments, feed_reply, html, path_of


def test_an_absolute_redirect_to_www_rfi_fr_goes_to_the_fetch_origin(tmp_path: Path) -> None:
    listed, moved = article_url(1), article_url(1) + "-moved"
    with LocalServer() as server:
        server.route("/robots.txt", Reply(200, "User-agent: *\nAllow: /\n", {"Content-Type": "text/plain"}))
        server.route("/cn/rss", feed_reply([FeedItem("一", listed)]))
        # What the real site answers: an absolute Location on its own host.
        server.route(path_of(listed), Reply(301, b"", {"Location": moved}))
        server.route(path_of(moved), html(article_page(1, listed)))
        result = run_crawl(tmp_path, *crawl_arguments(server.origin), replay=None)
        assert result.returncode == 0, result.stderr[-4000:]
        assert len(server.requests_to(path_of(moved))) == 1
    assert [record["url"] for record in dataset(tmp_path)] == [listed]
    (manifest,) = manifests(tmp_path)
    assert manifest["stats"]["newscrawl/fetch_origin/rewritten"] == 1
    assert "newscrawl/blocked/offsite_request" not in manifest["stats"]
