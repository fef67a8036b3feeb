"""The shared frontier's request format: JSON with a small, explicit schema — never pickle.

scrapy-redis pickles requests by default, and unpickling runs code: anyone who can write to the
Redis could run code in every crawler. Here a request in Redis is one JSON object::

    {"v": 1, "url": "https://www.rfi.fr/cn/...", "method": "GET", "priority": 0, "dont_filter": false,
     "callback": "parse_article", "errback": "article_failed",
     "cb_kwargs": {"listing": {"$type": "Listing", "fields": {...}}},
     "meta": {"newscrawl_entry": "https://www.rfi.fr/cn/...", "newscrawl_role": "page", ...}}

- ``callback``/``errback`` are method NAMES, accepted only when the spider lists them in
  ``frontier_callbacks``; nothing else of the spider can be reached.
- ``cb_kwargs`` values are JSON; a dataclass travels as ``{"$type": <name>, "fields": {...}}``
  and is rebuilt only when its class is in the spider's ``frontier_types`` (tuples travel as
  ``{"$tuple": [...]}`` so frozen dataclasses come back equal and hashable).
- ``meta`` keys come from :data:`ALLOWED_META`; no headers, body, cookies or request class.

The module's ``dumps``/``loads`` are scrapy-redis's serializer interface (``SCHEDULER_SERIALIZER``)
and check the schema both ways; :class:`RequestCodec` turns a Request into that dict and back
for one spider.
"""

from __future__ import annotations

import dataclasses
import json
import math
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from scrapy import Request

from newscrawl.run.outcomes import ENTRY_REQUEST

if TYPE_CHECKING:
    from scrapy import Spider

VERSION = 1
# Request meta holding the request's key in the shared frontier: the run's entry-request mark, whose
# value is the listing's (the article's canonical) URL. Each such request is one article to fetch.
FRONTIER_KEY = ENTRY_REQUEST
ALLOWED_META = frozenset(
    {
        FRONTIER_KEY,
        "newscrawl_role",
        "newscrawl_browser",
        "dont_retry",
        "max_retry_times",
        "dont_redirect",
        "download_timeout",
        "handle_httpstatus_list",
    }
)
_FIELDS: dict[str, type | tuple[type, ...]] = {
    "v": int,
    "url": str,
    "method": str,
    "priority": int,
    "dont_filter": bool,
    "callback": (str, type(None)),
    "errback": (str, type(None)),
    "cb_kwargs": dict,
    "meta": dict,
}
_TYPE_TAG = "$type"
_TUPLE_TAG = "$tuple"
_MAX_DEPTH = 20


class RequestRefused(ValueError):
    """A request that does not fit the schema (refused when pushed, dropped when popped)."""


def dumps(obj: dict[str, Any]) -> str:
    check(obj)
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def loads(data: str | bytes) -> dict[str, Any]:
    try:
        obj = json.loads(data)
    except (ValueError, RecursionError) as error:
        raise RequestRefused(f"not JSON: {error}") from None
    check(obj)
    return dict(obj)


def check(obj: object) -> None:
    """Raise RequestRefused unless ``obj`` is a request dict of the schema above."""
    if not isinstance(obj, dict):
        raise RequestRefused("a request is a JSON object")
    if set(obj) != set(_FIELDS):
        raise RequestRefused(f"request fields must be exactly {sorted(_FIELDS)}, not {sorted(obj)}")
    for name, kind in _FIELDS.items():
        value = obj[name]
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise RequestRefused(f"request field {name!r} has the wrong type: {value!r:.80}")
    if obj["v"] != VERSION:
        raise RequestRefused(f"unknown request format version {obj['v']!r}")
    if obj["method"] != "GET":
        raise RequestRefused(f"only GET requests are shared, not {obj['method']!r:.20}")
    if urlsplit(obj["url"]).scheme not in ("http", "https"):
        raise RequestRefused(f"not an http(s) URL: {obj['url']!r:.200}")
    for name in ("callback", "errback"):
        method = obj[name]
        if method is not None and (not method.isidentifier() or method.startswith("_")):
            raise RequestRefused(f"{name} {method!r:.80} is not a public method name")
    unknown = set(obj["meta"]) - ALLOWED_META
    if unknown:
        raise RequestRefused(f"meta keys not allowed in a shared request: {sorted(unknown)}")
    _check_json(obj["meta"], 0)
    _check_json(obj["cb_kwargs"], 0)


def _check_json(value: object, depth: int) -> None:
    if depth > _MAX_DEPTH:
        raise RequestRefused("value nested too deep")
    if value is None or isinstance(value, str | bool | int):
        return
    if isinstance(value, float):
        if not math.isfinite(value):
            raise RequestRefused("not a finite number")
        return
    if isinstance(value, list):
        for item in value:
            _check_json(item, depth + 1)
        return
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise RequestRefused("object keys must be strings")
            _check_json(item, depth + 1)
        return
    raise RequestRefused(f"not a JSON value: {type(value).__name__}")


class RequestCodec:
    """Request ⇄ schema dict for one spider, with its allow-lists.

    The spider names what may travel: ``frontier_callbacks`` (method names) and
    ``frontier_types`` (dataclasses allowed in ``cb_kwargs``).
    """

    def __init__(self, spider: Spider) -> None:
        self.spider = spider
        self.callbacks = frozenset(getattr(spider, "frontier_callbacks", ()))
        self.types: dict[str, type] = {cls.__name__: cls for cls in getattr(spider, "frontier_types", ())}

    def encode(self, request: Request) -> dict[str, Any]:
        if type(request) is not Request:
            raise RequestRefused(f"only plain Requests are shared, not {type(request).__name__}")
        if request.body or request.cookies or request.headers:
            raise RequestRefused("shared requests carry no body, cookies or headers")
        obj = {
            "v": VERSION,
            "url": request.url,
            "method": request.method,
            "priority": request.priority,
            "dont_filter": request.dont_filter,
            "callback": self._method_name(request.callback),
            "errback": self._method_name(request.errback),
            "cb_kwargs": {name: self._encode_value(value, 0) for name, value in request.cb_kwargs.items()},
            "meta": dict(request.meta),
        }
        check(obj)
        return obj

    def decode(self, obj: dict[str, Any]) -> Request:
        check(obj)
        return Request(
            obj["url"],
            callback=self._method(obj["callback"]),
            errback=self._method(obj["errback"]),
            method="GET",
            priority=obj["priority"],
            dont_filter=obj["dont_filter"],
            cb_kwargs={name: self._decode_value(value, 0) for name, value in obj["cb_kwargs"].items()},
            meta=obj["meta"],
        )

    def _method_name(self, method: object) -> str | None:
        if method is None:
            return None
        name = getattr(method, "__name__", None)
        if getattr(method, "__self__", None) is not self.spider or name not in self.callbacks:
            raise RequestRefused(f"callback {method!r:.80} is not one of the spider's frontier_callbacks")
        return str(name)

    def _method(self, name: str | None) -> Any:
        if name is None:
            return None
        if name not in self.callbacks:
            raise RequestRefused(f"callback {name!r:.80} is not one of the spider's frontier_callbacks")
        return getattr(self.spider, name)

    def _encode_value(self, value: object, depth: int) -> Any:
        if depth > _MAX_DEPTH:
            raise RequestRefused("value nested too deep")
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            name = type(value).__name__
            if self.types.get(name) is not type(value):
                raise RequestRefused(f"{name} is not one of the spider's frontier_types")
            fields = {f.name: self._encode_value(getattr(value, f.name), depth + 1) for f in dataclasses.fields(value)}
            return {_TYPE_TAG: name, "fields": fields}
        if isinstance(value, tuple):
            return {_TUPLE_TAG: [self._encode_value(item, depth + 1) for item in value]}
        if isinstance(value, list):
            return [self._encode_value(item, depth + 1) for item in value]
        if isinstance(value, dict):
            if any(not isinstance(key, str) or key.startswith("$") for key in value):
                raise RequestRefused("dict keys must be strings not starting with '$'")
            return {key: self._encode_value(item, depth + 1) for key, item in value.items()}
        _check_json(value, depth)
        return value

    def _decode_value(self, value: Any, depth: int) -> Any:
        if depth > _MAX_DEPTH:
            raise RequestRefused("value nested too deep")
        if isinstance(value, list):
            return [self._decode_value(item, depth + 1) for item in value]
        if not isinstance(value, dict):
            return value
        if _TUPLE_TAG in value:
            if set(value) != {_TUPLE_TAG} or not isinstance(value[_TUPLE_TAG], list):
                raise RequestRefused("malformed tuple")
            return tuple(self._decode_value(item, depth + 1) for item in value[_TUPLE_TAG])
        if _TYPE_TAG in value:
            return self._decode_dataclass(value, depth)
        return {key: self._decode_value(item, depth + 1) for key, item in value.items()}

    def _decode_dataclass(self, value: dict[str, Any], depth: int) -> Any:
        cls = self.types.get(value[_TYPE_TAG]) if isinstance(value[_TYPE_TAG], str) else None
        fields = value.get("fields")
        if cls is None or set(value) != {_TYPE_TAG, "fields"} or not isinstance(fields, dict):
            raise RequestRefused(f"{str(value[_TYPE_TAG])!r:.80} is not one of the spider's frontier_types")
        expected = {f.name for f in dataclasses.fields(cls) if f.init}
        if set(fields) != expected:
            raise RequestRefused(f"{cls.__name__} fields must be {sorted(expected)}, not {sorted(fields)}")
        return cls(**{name: self._decode_value(item, depth + 1) for name, item in fields.items()})
