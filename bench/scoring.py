"""Body-text scores as the Scrapinghub article-extraction benchmark computes them.

Its evaluation (``evaluate.py`` of scrapinghub/article-extraction-benchmark): the text is cut into
tokens, the tokens into overlapping 4-token shingles, and a page's true positives, false positives
and false negatives are counted over the shingle multisets, then divided by their sum so that
every page weighs the same. Precision and recall are the means over pages (a page with nothing
expected and nothing predicted scores 1); F1 is their harmonic mean. Intervals come from resampling
the pages with replacement (bootstrap).

Tokens: runs of word characters, as there, except that each CJK ideograph is a token of its own.
The benchmark's ``\\w+`` makes a whole Chinese sentence one token, so one wrong character would
cost the sentence; on text without CJK characters both rules cut the same tokens.
"""

from __future__ import annotations

import random
import re
import statistics
from collections import Counter
from dataclasses import dataclass

from newscrawl.extract.text import CJK_IDEOGRAPHS

SHINGLE = 4
_TOKEN = re.compile(rf"[{CJK_IDEOGRAPHS}]|(?:(?![{CJK_IDEOGRAPHS}])\w)+")

PageCounts = tuple[float, float, float]  # true positives, false positives, false negatives (normalised)


def tokens(text: str | None) -> list[str]:
    return _TOKEN.findall(text or "")


def _shingles(text: str | None) -> Counter[tuple[str, ...]]:
    words = tokens(text)
    return Counter(tuple(words[i : i + SHINGLE]) for i in range(max(1, len(words) - SHINGLE + 1)) if words[i:])


def page_counts(expected: str | None, predicted: str | None) -> PageCounts:
    """A page's (tp, fp, fn) over shingles, divided by their sum."""
    true, pred = _shingles(expected), _shingles(predicted)
    tp = sum((true & pred).values())
    fp = sum((pred - true).values())
    fn = sum((true - pred).values())
    total = tp + fp + fn
    return (tp / total, fp / total, fn / total) if total else (0.0, 0.0, 0.0)


def _precision(tp: float, fp: float, fn: float) -> float:
    if fp == fn == 0:
        return 1.0
    return tp / (tp + fp) if tp + fp else 0.0


def _recall(tp: float, fp: float, fn: float) -> float:
    if fp == fn == 0:
        return 1.0
    return tp / (tp + fn) if tp + fn else 0.0


@dataclass(frozen=True)
class Scores:
    f1: float
    precision: float
    recall: float


def scores(pages: list[PageCounts]) -> Scores:
    """Mean precision and recall over pages, and their harmonic mean."""
    precision = statistics.mean([_precision(*p) for p in pages if p[0] + p[1] > 0] or [0.0])
    recall = statistics.mean([_recall(*p) for p in pages if p[0] + p[2] > 0] or [0.0])
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Scores(f1, precision, recall)


def body_f1(expected: str | None, predicted: str | None) -> float:
    """F1 of one body against its expected text."""
    return scores([page_counts(expected, predicted)]).f1


@dataclass(frozen=True)
class Interval:
    value: float
    std: float  # bootstrap standard deviation (the benchmark's "±")
    low: float  # 2.5th percentile
    high: float  # 97.5th percentile

    def __str__(self) -> str:
        return f"{self.value:.3f} ± {self.std:.3f} [{self.low:.3f}, {self.high:.3f}]"


def bootstrap(pages: list[PageCounts], rounds: int = 1000, seed: int = 0) -> dict[str, Interval]:
    """F1, precision and recall with bootstrap spread and 95 % percentile interval."""
    rng = random.Random(seed)
    samples: dict[str, list[float]] = {"f1": [], "precision": [], "recall": []}
    for _ in range(rounds):
        resampled = scores([pages[rng.randrange(len(pages))] for _ in pages])
        for name, values in samples.items():
            values.append(getattr(resampled, name))
    point = scores(pages)
    result = {}
    for name, values in samples.items():
        values.sort()
        result[name] = Interval(
            getattr(point, name),
            statistics.stdev(values),
            values[int(0.025 * (rounds - 1))],
            values[int(0.975 * (rounds - 1))],
        )
    return result


def paired_difference(ours: list[PageCounts], peer: list[PageCounts], rounds: int = 1000, seed: int = 0) -> Interval:
    """F1(ours) - F1(peer) over the same resampled pages: is the gap larger than the noise?"""
    rng = random.Random(seed)
    differences = []
    for _ in range(rounds):
        picks = [rng.randrange(len(ours)) for _ in ours]
        differences.append(scores([ours[i] for i in picks]).f1 - scores([peer[i] for i in picks]).f1)
    differences.sort()
    return Interval(
        scores(ours).f1 - scores(peer).f1,
        statistics.stdev(differences),
        differences[int(0.025 * (rounds - 1))],
        differences[int(0.975 * (rounds - 1))],
    )
