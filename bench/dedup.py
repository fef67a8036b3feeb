"""De-duplication state: ``SeenStore`` lookups per second and peak memory against 1k…1M stored URLs.

Stores are built with ``SeenStore.add`` (one ``executemany`` in one transaction, rows in key
order). Each size is then measured in a fresh subprocess (``python -m bench.dedup lookup STORE
SIZE LOOKUPS``), so its peak RSS is that of a process that opened the store and looked up
``LOOKUPS`` URLs against it, half of them stored (drawn uniformly from the whole store) and half
not, in a shuffled order. The URL list is the same length for every size, so the sizes differ
only by the store.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import psutil

from bench.corpus import ORIGIN, SECTIONS, WORDS
from bench.measure import REPO, bench_env, high_water_rss
from newscrawl.store.seen import SeenStore

STORE_VERSION = 1  # bump when the URL generator changes: cached stores are rebuilt
RUN_ID = "20240401T000000Z-bench000"
STORED_AT = "2024-04-01T00:00:00Z"
_SECTIONS = [quote(s) for s in SECTIONS]
_WORDS = [quote(w) for w in WORDS]


def seen_url(index: int) -> str:
    """The ``index``-th stored URL: a realistic percent-encoded article URL (~170 bytes), unique per index."""
    rng = random.Random(index)
    day = 20240401 - index // 200 % 3000
    slug = "".join(rng.choices(_WORDS, k=5))
    return f"{ORIGIN}/cn/{rng.choice(_SECTIONS)}/{day}-{slug}-{index}"


def store_path(folder: Path, size: int) -> Path:
    return folder / f"seen-v{STORE_VERSION}-{size}.sqlite3"


def build_store(path: Path, size: int) -> Path:
    """A store holding ``seen_url(0 … size-1)`` (reused when it exists: the 1M store takes a while)."""
    if path.exists():
        return path
    partial = path.with_suffix(".partial")
    for leftover in partial.parent.glob(partial.name + "*"):
        leftover.unlink()
    store = SeenStore(partial)
    urls = sorted(seen_url(i) for i in range(size))
    store.add(((url, url) for url in urls), RUN_ID, STORED_AT)
    store.close()
    partial.rename(path)
    return path


def lookup(store_file: Path, size: int, lookups: int) -> dict[str, float | int]:
    """In this (fresh) process: open the store, look ``lookups`` URLs up, report speed and memory."""
    rng = random.Random(size)
    half = lookups // 2
    probes = [(seen_url(rng.randrange(size)), True) for _ in range(half)]
    probes += [(seen_url(size + rng.randrange(10**9)), False) for _ in range(lookups - half)]
    rng.shuffle(probes)
    rss_before_open = psutil.Process().memory_info().rss
    store = SeenStore(store_file)
    started = time.process_time()
    wall_started = time.perf_counter()
    found = sum(1 for url, _ in probes if url in store)
    cpu = time.process_time() - started
    wall = time.perf_counter() - wall_started
    expected = sum(1 for _, stored in probes if stored)
    if found != expected:
        raise RuntimeError(f"{found} URLs found in the store, {expected} expected")
    stored = len(store)
    store.close()
    return {
        "size": stored,
        "lookups": lookups,
        "hits": found,
        "lookups_per_s_cpu": round(lookups / cpu),
        "lookups_per_s_wall": round(lookups / wall),
        "rss_before_open_mib": round(rss_before_open / 2**20, 1),
        "peak_rss_mib": round(high_water_rss() / 2**20, 1),
    }


def measure(folder: Path, sizes: list[int], lookups: int) -> list[dict[str, float | int]]:
    """Build (or reuse) each store, then measure each in its own fresh process."""
    results = []
    for size in sizes:
        started = time.perf_counter()
        path = build_store(store_path(folder, size), size)
        built = time.perf_counter() - started
        command = [sys.executable, "-m", "bench.dedup", "lookup", str(path), str(size), str(lookups)]
        output = subprocess.run(command, cwd=REPO, env=bench_env(), capture_output=True, text=True, check=True)
        result = json.loads(output.stdout)
        result["store_mib"] = round(path.stat().st_size / 2**20, 1)
        result["build_or_reuse_s"] = round(built, 1)
        results.append(result)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description="one SeenStore lookup measurement (run by bench)")
    parser.add_argument("command", choices=["lookup"])
    parser.add_argument("store", type=Path)
    parser.add_argument("size", type=int)
    parser.add_argument("lookups", type=int)
    args = parser.parse_args()
    print(json.dumps(lookup(args.store, args.size, args.lookups)))


if __name__ == "__main__":
    main()
