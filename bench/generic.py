"""Generic body extraction: quality (body F1 with bootstrap intervals) and CPU, ours against trafilatura.

Two labelled sets, read where they lie (never copied into the project):
- the Scrapinghub article-extraction benchmark (181 pages, mostly English news, MIT), from
  ``../shared/data/article-extraction-benchmark`` beside the checkout (``NEWSCRAWL_SHARED`` names
  another shared folder);
- ``bench/data/zh-news`` (12 Chinese news pages of 12 publishers, labelled by hand; README there).

"ours" is the generic path of the page object without the page-kind decision and without the RFI
clean-up: ``newscrawl.extract.generic.main_text`` and the JSON-LD ``articleBody`` rule. The peer is
``trafilatura.extract(html, include_comments=False)``, as the benchmark's own trafilatura runner
calls it. Both get the same decoded text. CPU is ``time.process_time`` per page, contenders
interleaved page by page, the fastest of N timings of each page kept (see bench/extraction.py).
"""

from __future__ import annotations

import gzip
import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import trafilatura
from w3lib.encoding import html_to_unicode

from bench.extraction import best_cpu_per_page
from bench.measure import REPO
from bench.scoring import bootstrap, page_counts, paired_difference
from newscrawl.extract.generic import article_body, main_text, prefer_article_body
from newscrawl.extract.jsonld import page_jsonld
from newscrawl.extract.text import parse_html

SCRAPINGHUB = "article-extraction-benchmark"
ZH_NEWS = REPO / "bench" / "data" / "zh-news"


def shared_dir() -> Path:
    return Path(os.environ.get("NEWSCRAWL_SHARED") or REPO.parent / "shared")


@dataclass(frozen=True)
class LabelledPage:
    key: str
    html: str
    expected: str


def load_set(folder: Path) -> list[LabelledPage]:
    """``ground-truth.json`` (key -> {"articleBody"}) and ``html/<key>.html.gz`` of a labelled set."""
    truth = json.loads((folder / "ground-truth.json").read_text(encoding="utf-8"))
    pages = []
    for key, item in truth.items():
        html = _decode(gzip.decompress((folder / "html" / f"{key}.html.gz").read_bytes()))
        pages.append(LabelledPage(key, html, item["articleBody"]))
    return pages


def _decode(data: bytes) -> str:
    """UTF-8 when the bytes are UTF-8 (pages saved from a browser keep a stale <meta charset>), else as declared."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return html_to_unicode(None, data)[1]


def ours(html: str) -> str:
    root = parse_html(html)
    article = (page_jsonld(root.iter("script")).article() or {}) if root is not None else {}
    found = prefer_article_body(main_text(html), article_body(article))
    return "\n\n".join(found[0]) if found else ""


def peer(html: str) -> str:
    return trafilatura.extract(html, include_comments=False) or ""


CONTENDERS = {"ours": ours, "trafilatura": peer}


def measure_set(pages: list[LabelledPage], repeats: int) -> dict[str, Any]:
    logging.getLogger("trafilatura").setLevel(logging.ERROR)
    outputs: dict[str, list[str]] = {name: [] for name in CONTENDERS}
    for page in pages:
        for name, extract in CONTENDERS.items():
            outputs[name].append(extract(page.html))
    htmls = [page.html for page in pages]
    cpu = best_cpu_per_page({name: (extract, htmls, repeats) for name, extract in CONTENDERS.items()})
    counts = {
        name: [page_counts(page.expected, out) for page, out in zip(pages, outs, strict=True)]
        for name, outs in outputs.items()
    }
    intervals = {name: bootstrap(c) for name, c in counts.items()}
    return {
        "pages": len(pages),
        "repeats": repeats,
        "scores": {name: {k: str(v) for k, v in i.items()} for name, i in intervals.items()},
        "f1": {name: round(i["f1"].value, 4) for name, i in intervals.items()},
        "f1_difference_ours_minus_peer": str(paired_difference(counts["ours"], counts["trafilatura"])),
        "ms_per_page": {name: round(s * 1000, 2) for name, s in cpu.items()},
        "ratio_cpu_ours_peer": round(cpu["ours"] / cpu["trafilatura"], 2),
    }


def measure(repeats: int) -> dict[str, Any]:
    """Both sets; a set that is not there is reported missing, with where it was looked for."""
    results: dict[str, Any] = {}
    for name, folder in (("scrapinghub", shared_dir() / "data" / SCRAPINGHUB), ("zh-news", ZH_NEWS)):
        if (folder / "ground-truth.json").exists():
            results[name] = measure_set(load_set(folder), repeats)
        else:
            results[name] = {"missing": str(folder)}
    return results


def report(results: dict[str, Any]) -> list[str]:
    lines = [
        "## Generic body extraction (body F1 ± bootstrap std [95 % interval]; CPU per page, fastest of N timings)",
        "",
        "| set | pages | contender | F1 | precision | recall | ms/page |",
        "|---|---:|---|---|---|---|---:|",
    ]
    notes = []
    for set_name, r in results.items():
        if "missing" in r:
            notes.append(f"{set_name}: not measured, no data at {r['missing']}")
            continue
        for name in CONTENDERS:
            s = r["scores"][name]
            lines.append(
                f"| {set_name} | {r['pages']} | {name} | {s['f1']} | {s['precision']} | {s['recall']} | "
                f"{r['ms_per_page'][name]} |"
            )
        notes.append(
            f"{set_name}: F1 ours − trafilatura {r['f1_difference_ours_minus_peer']} (paired bootstrap); "
            f"CPU ours/trafilatura **{r['ratio_cpu_ours_peer']}**"
        )
    return [*lines, "", *notes, ""]
