"""Extraction CPU per page: the page object against a bare lxml parse (floor) and trafilatura (peer).

Every contender sees the same generated pages. The page object and trafilatura get the decoded
text (what the spider passes: ``response.text``), lxml gets the bytes. The contenders are
interleaved page by page (page 1 with each, then page 2 with each, …) and each page is timed
with ``time.process_time`` N times per contender, keeping its fastest time: a burst of load
from elsewhere on a shared machine then hits every contender alike, and the ratios stay
comparable. The figure is the sum of the per-page bests divided by the number of pages. The
garbage collector stays on (its cost is part of real extraction).
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any

import lxml.html
import trafilatura

from newscrawl.discovery.urls import canonical_url, classify, path_segments
from newscrawl.extract.pages.rfi import RfiArticlePage

if TYPE_CHECKING:
    from collections.abc import Callable

    from bench.corpus import Page


def best_cpu_per_page(contenders: dict[str, tuple[Callable[[Any], object], list[Any], int]]) -> dict[str, float]:
    """Seconds of CPU per page for each contender: ``name -> (function, inputs, repeats)``.

    Round r times every contender that still has repetitions left on every page, in turn; each
    page keeps its fastest time per contender.
    """
    best = {name: [float("inf")] * len(inputs) for name, (_, inputs, _) in contenders.items()}
    for round_ in range(max(repeats for _, _, repeats in contenders.values())):
        for index in range(len(next(iter(best.values())))):
            for name, (function, inputs, repeats) in contenders.items():
                if round_ < repeats:
                    started = time.process_time()
                    function(inputs[index])
                    best[name][index] = min(best[name][index], time.process_time() - started)
    return {name: sum(times) / len(times) for name, times in best.items()}


def parse_with_page_object(page: tuple[str, str | bytes]) -> object:
    """The page object on one (url, html) page, as the spider calls it; it must see an article whose
    body the RFI template gives (the generic path would be another measurement).

    The URL caches are emptied first: every timing pass must pay for the page's URLs as a crawl
    that meets the page once does.
    """
    canonical_url.cache_clear()
    path_segments.cache_clear()
    classify.cache_clear()
    result = RfiArticlePage(*page).extract()
    if result.kind != "article" or result.sources.get("body") != "dom":
        raise RuntimeError(
            f"the page object did not read an RFI-template article in {page[0]}: {result.kind} {result.sources} "
            f"{result.problems}"
        )
    return result


def measure(pages: list[Page], repeats: int, peer_repeats: int) -> dict[str, Any]:
    logging.getLogger("trafilatura").setLevel(logging.ERROR)
    texts = [(page.url, page.html.decode("utf-8")) for page in pages]
    blobs = [page.html for page in pages]
    # The page object gets the UTF-8 bytes, as the spider passes an rfi.fr response body.
    bodies = [(page.url, page.html) for page in pages]
    per_page = best_cpu_per_page(
        {
            "lxml": (lxml.html.fromstring, blobs, repeats),
            "ours": (parse_with_page_object, bodies, repeats),
            "trafilatura": (lambda page: trafilatura.extract(page[1], with_metadata=True), texts, peer_repeats),
        }
    )
    lxml_s, ours_s, peer_s = per_page["lxml"], per_page["ours"], per_page["trafilatura"]
    return {
        "pages": len(pages),
        "mean_page_kib": round(sum(len(b) for b in blobs) / len(blobs) / 1024, 1),
        "repeats": repeats,
        "peer_repeats": peer_repeats,
        "ms_per_page": {
            "lxml": round(lxml_s * 1000, 3),
            "ours": round(ours_s * 1000, 3),
            "trafilatura": round(peer_s * 1000, 3),
        },
        "pages_per_s_one_core": {
            "lxml": round(1 / lxml_s),
            "ours": round(1 / ours_s),
            "trafilatura": round(1 / peer_s),
        },
        "ratio_ours_lxml": round(ours_s / lxml_s, 2),
        "ratio_trafilatura_ours": round(peer_s / ours_s, 2),
    }
