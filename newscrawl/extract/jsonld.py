"""JSON-LD reading: every script on its own, and the few shapes schema.org values come in."""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import orjson

from newscrawl.extract.text import Element, clean_text, split_keywords, split_names
from newscrawl.items import Media

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

JsonObject = dict[str, Any]

ARTICLE_TYPES = frozenset(
    {"NewsArticle", "Article", "ReportageNewsArticle", "AnalysisNewsArticle", "BlogPosting", "LiveBlogPosting"}
)

_ISO_DURATION = re.compile(
    r"P(?:(?P<w>\d+(?:[.,]\d+)?)W)?(?:(?P<d>\d+(?:[.,]\d+)?)D)?"
    r"(?:T(?:(?P<h>\d+(?:[.,]\d+)?)H)?(?:(?P<m>\d+(?:[.,]\d+)?)M)?(?:(?P<s>\d+(?:[.,]\d+)?)S)?)?",
    re.I,
)
_HUGE = float(2**63)
_DURATION_UNITS = {"w": 604800, "d": 86400, "h": 3600, "m": 60, "s": 1}


@dataclass
class JsonLd:
    objects: list[JsonObject]  # every object of every script, in document order
    invalid: int = 0  # scripts that are not JSON

    def article(self) -> JsonObject | None:
        return next((o for o in self.objects if types_of(o) & ARTICLE_TYPES), None)

    def breadcrumb(self) -> list[tuple[str | None, str | None]]:
        """(name, URL) of each item of the first BreadcrumbList, by position."""
        for obj in self.objects:
            if "BreadcrumbList" in types_of(obj):
                items = [i for i in as_list(obj.get("itemListElement")) if isinstance(i, dict)]
                items.sort(key=_position)
                return [_breadcrumb_item(i) for i in items]
        return []


def page_jsonld(scripts: Iterable[Element]) -> JsonLd:
    """The JSON-LD of a page, given its `<script>` elements: the `application/ld+json` ones, each on its own."""
    return parse_scripts(s.text or "" for s in scripts if "ld+json" in (s.get("type") or "").lower())


def parse_scripts(texts: Iterable[str]) -> JsonLd:
    """Parse each script text on its own; concatenating them is what breaks other scrapers."""
    objects: list[JsonObject] = []
    invalid = 0
    for text in texts:
        if not text.strip():
            continue
        try:
            data = load_json(text)
        except ValueError:
            invalid += 1
            continue
        objects.extend(flatten(data))
    return JsonLd(objects, invalid)


def load_json(text: str) -> Any:
    """``json.loads(text, strict=False)`` (raw newlines inside strings are common in JSON-LD).

    orjson reads the same value about four times as fast. It refuses what the standard module's
    lenient mode takes (control characters in strings, NaN, lone surrogates), and it reads an
    integer beyond 64 bits as a float (of magnitude 2**63 or more): the standard module reads
    both.
    """
    try:
        value = orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text, strict=False)
    return json.loads(text, strict=False) if _has_huge_float(value) else value


def _has_huge_float(value: Any) -> bool:
    stack = [value]
    while stack:
        item = stack.pop()
        kind = type(item)
        if kind is dict:
            stack.extend(item.values())
        elif kind is list:
            stack.extend(item)
        elif kind is float and abs(item) >= _HUGE:
            return True
    return False


def flatten(data: Any) -> Iterator[JsonObject]:
    """Every object of a JSON-LD value: arrays (nested too), `@graph` and `mainEntity` opened."""
    if isinstance(data, list):
        for item in data:
            yield from flatten(item)
    elif isinstance(data, dict):
        yield data
        for key in ("@graph", "mainEntity"):
            if key in data:
                yield from flatten(data[key])


def as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def types_of(obj: JsonObject) -> frozenset[str]:
    """`@type` names, string or list, without a `schema:` / `https://schema.org/` prefix."""
    return frozenset(re.split(r"[/:#]", t)[-1] for t in as_list(obj.get("@type")) if isinstance(t, str))


def first_string(value: Any) -> str | None:
    """The value when it is a string, else the first string of a list (cleaned)."""
    for item in as_list(value):
        if isinstance(item, str) and (text := clean_text(item)):
            return text
    return None


def read_authors(value: Any) -> list[str]:
    """Author names from a list, an object or a string; organisations are not authors."""
    names: list[str] = []
    for item in as_list(value):
        if isinstance(item, str):
            names.append(item)
        elif isinstance(item, dict) and not any(t.endswith("Organization") for t in types_of(item)):
            names.extend(n for n in as_list(item.get("name")) if isinstance(n, str))
    return split_names(names)


def read_keywords(value: Any) -> list[str]:
    """`keywords` as a comma string or a list (of strings or `DefinedTerm`s)."""
    if isinstance(value, str):
        return split_keywords(value)
    words = [item.get("name") if isinstance(item, dict) else item for item in as_list(value)]
    return split_keywords([w for w in words if isinstance(w, str)])


def read_image(value: Any) -> str | None:
    """The URL of an `image`: a URL, an `ImageObject`, or a list of them (the first)."""
    for item in as_list(value):
        url = first_string(item.get("url") or item.get("contentUrl")) if isinstance(item, dict) else first_string(item)
        if url:
            return url
    return None


def read_media(article: JsonObject) -> list[Media]:
    """The article's `audio` and `video` (object or list): `contentUrl`, else `embedUrl`."""
    media: list[Media] = []
    for kind in ("audio", "video"):
        for item in as_list(article.get(kind)):
            if isinstance(item, dict):
                url = first_string(item.get("contentUrl")) or first_string(item.get("embedUrl"))
                duration = duration_seconds(item.get("duration"))
            else:
                url, duration = first_string(item), None
            if url:
                media.append(Media(type=kind, url=url, duration=duration))
    return media


def duration_seconds(value: Any) -> int | None:
    """Whole seconds of an ISO 8601 duration (`PT12M34S` → 754) or of a number of seconds."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return round(value) if math.isfinite(value) and value >= 0 else None
    if not isinstance(value, str):
        return None
    text = value.strip()
    if text.isdigit():
        return int(text)
    match = _ISO_DURATION.fullmatch(text)
    if not match or not any(match.groupdict().values()) or text.upper().endswith("T"):
        return None
    total = sum(float(v.replace(",", ".")) * _DURATION_UNITS[k] for k, v in match.groupdict().items() if v)
    return round(total)


def _position(item: JsonObject) -> float:
    try:
        return float(item.get("position", 0))
    except (TypeError, ValueError):
        return 0.0


def _breadcrumb_item(item: JsonObject) -> tuple[str | None, str | None]:
    target = item.get("item")
    name = first_string(item.get("name"))
    if isinstance(target, dict):
        name = name or first_string(target.get("name"))
        target = target.get("@id") or target.get("url")
    url = first_string(target) or first_string(item.get("url"))
    return name, url
