"""``scrapy snapshot``'s memory against the number of articles: peak RSS at 1k and 100k articles.

``python -m bench.snapshot [--sizes 1000,100000] [--folder DIR]``. Each size is a data dir of
dataset files (100 records a run file; every fifth article has a second version later, one in a
hundred a tombstone after that; bodies of 6–12 paragraphs, ≈ 2.4 KB of UTF-8), built once and
reused. Each (size, format) is measured in a fresh process (``python -m bench.snapshot measure``)
that runs ``newscrawl.store.snapshot.write_snapshot`` and reports its peak RSS (VmHWM) and its time.
The figures and the command are in bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import time
from dataclasses import asdict
from pathlib import Path

from bench.corpus import ORIGIN, SECTIONS, WORDS
from bench.measure import REPO, bench_env, high_water_rss
from newscrawl.items import Article, PageContent, Tombstone

DATA_VERSION = 2  # bump when the generator changes: cached data dirs are rebuilt
PER_FILE = 100
FORMATS = ("jsonl", "parquet")


def _paragraph(rng: random.Random) -> str:
    return "".join(rng.choices(WORDS, k=rng.randint(25, 45))) + "。"


def _article(index: int, version: int, rng: random.Random) -> dict[str, object]:
    day = 1 + index // 40 % 28
    content = PageContent(
        url=f"{ORIGIN}/cn/{SECTIONS[index % len(SECTIONS)]}/202403{day:02d}-{index}",
        title="".join(rng.choices(WORDS, k=8)) + ("（更新）" if version > 1 else ""),
        lead=_paragraph(rng),
        body="\n\n".join(_paragraph(rng) for _ in range(rng.randint(6, 12))),
        authors=[rng.choice(("林文", "王立", "Clément Dubois"))],
        tags=rng.sample(WORDS, 3),
        section="中国",
        published=f"2024-03-{day:02d}T08:00:00Z",
        images=[{"url": f"https://s.rfi.fr/media/display/{index}/w:1280/p:16x9/{index}.jpg", "caption": "图片说明"}],
    )
    fetched = f"2024-03-{day:02d}T{8 + version:02d}:00:00Z"
    feed = {"url": f"{ORIGIN}/cn/rss", "entry_id": None, "entry_title": None, "entry_published": None, "position": 0}
    article = Article.from_content(content, fetched_at=fetched, feed=feed, version=version)
    return asdict(article)


def build(folder: Path, size: int) -> Path:
    """A spider folder with ``size`` articles (reused when it exists)."""
    root = folder / f"snapshot-v{DATA_VERSION}-{size}" / "rfi_cn"
    if root.is_dir():
        return root
    rng = random.Random(size)
    records: list[dict[str, object]] = [_article(i, 1, rng) for i in range(size)]
    records += [_article(i, 2, rng) for i in range(0, size, 5)]
    stones = [Tombstone.of(r, version=3, removed_at="2024-04-01T00:00:00Z", fetched_at="2024-04-01T06:00:00Z")
              for r in records[size:][::20]]  # fmt: skip
    records += [asdict(stone) for stone in stones]
    partial = root.parent.with_suffix(".partial") / "rfi_cn"
    for start in range(0, len(records), PER_FILE):
        run = start // PER_FILE
        path = partial / "articles" / f"2024-04-{1 + run % 28:02d}" / f"run-{run:06d}.jsonl"
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", encoding="utf-8") as out:
            for record in records[start : start + PER_FILE]:
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
    partial.parent.rename(root.parent)
    return root


def measure_one(root: Path, fmt: str) -> dict[str, object]:
    """In this (fresh) process: one snapshot, its time and this process's peak memory."""
    from newscrawl.store.snapshot import write_snapshot

    started = time.perf_counter()
    result = write_snapshot(root, root.parent / f"snapshot.{fmt}", fmt)
    return {
        "format": fmt,
        "articles_written": result.articles,
        "records_read": result.records_read,
        "seconds": round(time.perf_counter() - started, 1),
        "peak_rss_mib": round(high_water_rss() / 2**20, 1),
        "output_mib": round(result.path.stat().st_size / 2**20, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("command", nargs="?", choices=["measure"], help="(internal) measure one snapshot")
    parser.add_argument("--sizes", default="1000,100000")
    parser.add_argument("--folder", type=Path, default=Path("/tmp/newscrawl-bench-snapshot"))
    parser.add_argument("--root", type=Path)
    parser.add_argument("--format", choices=FORMATS)
    args = parser.parse_args()
    if args.command == "measure":
        print(json.dumps(measure_one(args.root, args.format)))
        return
    results = []
    for size in (int(s) for s in args.sizes.split(",")):
        root = build(args.folder, size)
        data_mib = sum(p.stat().st_size for p in root.glob("articles/*/*.jsonl")) / 2**20
        for fmt in FORMATS:
            command = [sys.executable, "-m", "bench.snapshot", "measure", "--root", str(root), "--format", fmt]
            done = subprocess.run(command, cwd=REPO, env=bench_env(), capture_output=True, text=True, check=True)
            result = {"articles": size, "dataset_mib": round(data_mib, 1), **json.loads(done.stdout)}
            results.append(result)
            print(json.dumps(result), flush=True)
    for fmt in FORMATS:
        peaks = [r["peak_rss_mib"] for r in results if r["format"] == fmt]
        print(f"{fmt}: peak RSS largest/smallest = {float(peaks[-1]) / float(peaks[0]):.3f}")


if __name__ == "__main__":
    main()
