"""The shared request frontier: scrapy-redis's queue, with leases.

scrapy-redis pops a request and forgets it: when the process that popped it dies, it is gone.
Here a popped request is *leased*: it moves to a sorted set of in-flight requests scored by a
deadline, which its process pushes back while it lives (``renew``). When the deadline passes
(the process was killed, the machine is gone), any process ``reap``s it back into the queue.
A lease ends with ``ack`` once the request's outcome is final (its article published, or
nothing to publish) or ``release`` (give it back at once, unfinished).

One request per frontier key (the article's canonical URL, request meta ``newscrawl_frontier``):
``push`` is refused while the key is queued or in flight, and answers "published" when the seen
hash already holds it, in one atomic script — two processes that discover the same article at
the same moment hand it to the fleet once.

Keys under ``<prefix>frontier:``: ``queue`` (zset key → order: priority, then push order),
``requests`` (hash key → the request as JSON, :mod:`newscrawl.fleet.request_json`), ``inflight``
(zset key → deadline, ms on the Redis clock), ``owners`` (hash key → run id), ``seq``.
"""

from __future__ import annotations

import enum
import logging
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from scrapy_redis.queue import Base

from newscrawl.fleet import request_json
from newscrawl.fleet.request_json import FRONTIER_KEY, RequestCodec, RequestRefused

if TYPE_CHECKING:
    from collections.abc import Iterable

    import redis
    from scrapy import Request, Spider

logger = logging.getLogger(__name__)

# Request meta set on a request this process took from the frontier (its key): the requests derived
# from it (retries, redirects) keep it, and stay in this process under the same lease.
LEASED = "newscrawl_leased"
_BATCH = 500
_POP_ATTEMPTS = 50  # published-meanwhile entries skipped per pop call, at most

_NOW_MS = "local t = redis.call('TIME') local now = t[1] * 1000 + math.floor(t[2] / 1000)\n"
# Front of the queue: one before the first score (a requeued request goes first).
_FRONT = (
    "local first = redis.call('ZRANGE', KEYS[3], 0, 0, 'WITHSCORES') local front = first[2] and (first[2] - 1) or 0\n"
)

# KEYS queue, requests, seen, seq; ARGV key, data, priority → 1 queued, 0 already in the frontier, 2 published.
_PUSH = """
if redis.call('HEXISTS', KEYS[3], ARGV[1]) == 1 then return 2 end
if redis.call('HSETNX', KEYS[2], ARGV[1], ARGV[2]) == 0 then return 0 end
local seq = redis.call('INCR', KEYS[4])
redis.call('ZADD', KEYS[1], -tonumber(ARGV[3]) * 1e12 + seq, ARGV[1])
return 1
"""

# KEYS queue, requests, inflight, owners, seen; ARGV owner, lease ms → {key, data} leased,
# {key, false} published meanwhile (dropped), or nil when the queue is empty.
_POP = (
    _NOW_MS
    + """
local head = redis.call('ZPOPMIN', KEYS[1])
if #head == 0 then return nil end
local key = head[1]
local data = redis.call('HGET', KEYS[2], key)
if data and redis.call('HEXISTS', KEYS[5], key) == 0 then
  redis.call('ZADD', KEYS[3], now + ARGV[2], key)
  redis.call('HSET', KEYS[4], key, ARGV[1])
  return {key, data}
end
redis.call('HDEL', KEYS[2], key)
return {key, false}
"""
)

# KEYS inflight, owners, requests; ARGV owner, keys… → how many of owner's leases ended.
_ACK = """
local n = 0
for i = 2, #ARGV do
  if redis.call('HGET', KEYS[2], ARGV[i]) == ARGV[1] then
    redis.call('ZREM', KEYS[1], ARGV[i])
    redis.call('HDEL', KEYS[2], ARGV[i])
    redis.call('HDEL', KEYS[3], ARGV[i])
    n = n + 1
  end
end
return n
"""

# KEYS inflight, owners, queue; ARGV owner, keys… → how many of owner's leases went back to the queue.
_RELEASE = (
    _FRONT
    + """
local n = 0
for i = 2, #ARGV do
  if redis.call('HGET', KEYS[2], ARGV[i]) == ARGV[1] then
    redis.call('ZREM', KEYS[1], ARGV[i])
    redis.call('HDEL', KEYS[2], ARGV[i])
    redis.call('ZADD', KEYS[3], front, ARGV[i])
    n = n + 1
  end
end
return n
"""
)

# KEYS inflight, owners; ARGV owner, lease ms, keys… → the keys owner no longer holds.
_RENEW = (
    _NOW_MS
    + """
local lost = {}
for i = 3, #ARGV do
  if redis.call('HGET', KEYS[2], ARGV[i]) == ARGV[1] then
    redis.call('ZADD', KEYS[1], 'XX', now + ARGV[2], ARGV[i])
  else
    lost[#lost + 1] = ARGV[i]
  end
end
return lost
"""
)

# KEYS inflight, owners, queue; ARGV limit → {key, owner, …} of the expired leases put back in the queue.
_REAP = (
    _NOW_MS
    + _FRONT
    + """
local expired = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, ARGV[1])
local reaped = {}
for _, key in ipairs(expired) do
  reaped[#reaped + 1] = key
  reaped[#reaped + 1] = redis.call('HGET', KEYS[2], key) or ''
  redis.call('ZREM', KEYS[1], key)
  redis.call('HDEL', KEYS[2], key)
  redis.call('ZADD', KEYS[3], front, key)
end
return reaped
"""
)

# KEYS inflight → {in flight, expired}
_COUNT_EXPIRED = _NOW_MS + "return {redis.call('ZCARD', KEYS[1]), redis.call('ZCOUNT', KEYS[1], '-inf', now)}"


class Pushed(enum.Enum):
    QUEUED = 1  # handed to the fleet
    IN_FRONTIER = 0  # another process (or this one) already handed it to the fleet
    PUBLISHED = 2  # the seen-store already holds it


@dataclass(frozen=True)
class FrontierSummary:
    queued: int
    in_flight: int
    expired: int  # in flight past their deadline: their process is gone, a reap will requeue them
    leases_by_owner: dict[str, int]


class LeasedQueue(Base):
    """scrapy-redis's per-spider queue (``key`` is ``<prefix>frontier``), with leases for ``owner``."""

    def __init__(
        self,
        server: redis.Redis,
        spider: Spider,
        key: str,
        serializer: Any = request_json,
        *,
        seen_key: str,
        owner: str,
        lease: float,
    ) -> None:
        super().__init__(server, spider, key, serializer)
        self.codec = RequestCodec(spider)
        self.owner = owner
        self.lease_ms = max(1, round(lease * 1000))
        self.queue_key = f"{self.key}:queue"
        self.requests_key = f"{self.key}:requests"
        self.inflight_key = f"{self.key}:inflight"
        self.owners_key = f"{self.key}:owners"
        self.seq_key = f"{self.key}:seq"
        self.seen_key = seen_key
        self._push = server.register_script(_PUSH)
        self._pop = server.register_script(_POP)
        self._ack = server.register_script(_ACK)
        self._release = server.register_script(_RELEASE)
        self._renew = server.register_script(_RENEW)
        self._reap = server.register_script(_REAP)
        self._count_expired = server.register_script(_COUNT_EXPIRED)
        self.leased: set[str] = set()  # frontier keys this process holds
        self.refused = 0  # entries found in Redis that did not fit the request schema

    # scrapy-redis's hooks: our codec and schema instead of request.to_dict() + pickle.
    def _encode_request(self, request: Request) -> str:
        return str(self.serializer.dumps(self.codec.encode(request)))

    def _decode_request(self, encoded_request: str) -> Request:
        return self.codec.decode(self.serializer.loads(encoded_request))

    def __len__(self) -> int:
        return int(self.server.zcard(self.queue_key))

    def push(self, request: Request) -> Pushed:
        key = str(request.meta[FRONTIER_KEY])
        data = self._encode_request(request)
        keys = [self.queue_key, self.requests_key, self.seen_key, self.seq_key]
        return Pushed(int(self._push(keys=keys, args=[key, data, request.priority])))

    def pop(self, timeout: int = 0) -> Request | None:
        """Lease the next request; None when the queue is empty."""
        keys = [self.queue_key, self.requests_key, self.inflight_key, self.owners_key, self.seen_key]
        for _ in range(_POP_ATTEMPTS):
            popped = self._pop(keys=keys, args=[self.owner, self.lease_ms])
            if popped is None:
                return None
            key, data = popped[0], popped[1]
            if data is None:
                logger.debug("Frontier entry %s was published meanwhile: dropped", key)
                continue
            try:
                request = self._decode_request(data)
            except RequestRefused as error:
                self.refused += 1
                logger.error("Refused a request from the shared frontier (%s): %s; it is dropped", key, error)
                self._ack(keys=[self.inflight_key, self.owners_key, self.requests_key], args=[self.owner, key])
                continue
            self.leased.add(key)
            request.meta[LEASED] = key
            return request
        return None

    def ack(self, keys: Iterable[str]) -> int:
        """End these leases of ours: the requests are done."""
        return self._each_batch(self._ack, [self.inflight_key, self.owners_key, self.requests_key], keys)

    def release(self, keys: Iterable[str]) -> int:
        """Give these leases of ours back to the queue, at its front: the requests are not done."""
        return self._each_batch(self._release, [self.inflight_key, self.owners_key, self.queue_key], keys)

    def _each_batch(self, script: Any, script_keys: list[str], keys: Iterable[str]) -> int:
        ended = sorted(set(keys) & self.leased)
        self.leased.difference_update(ended)
        done = 0
        for start in range(0, len(ended), _BATCH):
            done += int(script(keys=script_keys, args=[self.owner, *ended[start : start + _BATCH]]))
        return done

    def renew(self) -> list[str]:
        """Push back the deadline of every lease of ours; forget and return those we lost."""
        keys = sorted(self.leased)
        lost: list[str] = []
        for start in range(0, len(keys), _BATCH):
            chunk = keys[start : start + _BATCH]
            lost += self._renew(keys=[self.inflight_key, self.owners_key], args=[self.owner, self.lease_ms, *chunk])
        self.leased.difference_update(lost)
        return lost

    def reap(self, limit: int = 1000) -> Counter[str]:
        """Put expired leases (of processes that died) back in the queue; how many per former owner."""
        flat = self._reap(keys=[self.inflight_key, self.owners_key, self.queue_key], args=[limit])
        return Counter(flat[1::2])

    def summary(self) -> FrontierSummary:
        in_flight, expired = self._count_expired(keys=[self.inflight_key])
        owners = Counter(self.server.hvals(self.owners_key))
        return FrontierSummary(len(self), int(in_flight), int(expired), dict(owners))

    def clear(self) -> None:
        self.server.delete(self.queue_key, self.requests_key, self.inflight_key, self.owners_key, self.seq_key)
