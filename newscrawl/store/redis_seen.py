"""The seen-store in Redis, for many processes: one hash of published URLs, and one key per claim.

Keys (``prefix`` is per spider, e.g. ``newscrawl:{rfi_cn}:``):
- ``<prefix>seen``: hash ``url`` → ``article_url <TAB> run_id <TAB> stored_at``
  (the same rows as the SQLite table);
- ``<prefix>claim:<url>``: the run id of the process that accepted the article for its dataset
  file and has not recorded its publication yet; it expires unless renewed (``renew``).

Every check-then-write is a Lua script, so it is atomic in Redis: two processes that find the
same article at the same moment cannot both claim it.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

import redis

from newscrawl.store.backend import SeenRow, StoreUnavailable

if TYPE_CHECKING:
    from collections.abc import Generator

logger = logging.getLogger(__name__)

_BATCH = 500  # rows or keys per script call: big enough to be cheap, small enough not to stall Redis

# KEYS[1] seen hash, KEYS[2] the claim key. ARGV: url, owner, lease in ms.
# Returns 1 claimed (or already ours), 0 claimed by another owner, -1 already published.
_CLAIM = """
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then return -1 end
if redis.call('SET', KEYS[2], ARGV[2], 'NX', 'PX', ARGV[3]) then return 1 end
if redis.call('GET', KEYS[2]) == ARGV[2] then
  redis.call('PEXPIRE', KEYS[2], ARGV[3])
  return 1
end
return 0
"""

# KEYS: claim keys. ARGV[1] owner, ARGV[2] ms. Extends the claims still held by owner; returns
# the (1-based) positions of those it no longer holds.
_EXTEND = """
local lost = {}
for i, key in ipairs(KEYS) do
  if redis.call('GET', key) == ARGV[1] then
    redis.call('PEXPIRE', key, ARGV[2])
  else
    lost[#lost + 1] = i
  end
end
return lost
"""

# KEYS: claim keys. ARGV[1] owner. Deletes the claims still held by owner; returns how many.
_DROP = """
local dropped = 0
for _, key in ipairs(KEYS) do
  if redis.call('GET', key) == ARGV[1] then
    redis.call('DEL', key)
    dropped = dropped + 1
  end
end
return dropped
"""

# KEYS[1] seen hash, KEYS[2..] the claim key of each row's article URL. ARGV[1] owner, then
# (url, value) pairs. Records new rows and drops owner's claims; returns how many rows were new.
_ADD = """
local added = 0
for i = 2, #KEYS do
  local url, value = ARGV[2 * i - 2], ARGV[2 * i - 1]
  added = added + redis.call('HSETNX', KEYS[1], url, value)
  if redis.call('GET', KEYS[i]) == ARGV[1] then redis.call('DEL', KEYS[i]) end
end
return added
"""


@contextlib.contextmanager
def _reachable(client: redis.Redis) -> Generator[None, None, None]:
    """Redis's errors, as the store interface's StoreUnavailable (the URL without its password)."""
    try:
        yield
    except redis.RedisError as error:
        kwargs = client.connection_pool.connection_kwargs
        where = kwargs.get("path") or f"{kwargs.get('host')}:{kwargs.get('port')}/{kwargs.get('db')}"
        raise StoreUnavailable(f"Redis at {where} is unreachable ({error})") from error


class RedisSeenStore:
    """Published URLs and claims in Redis (see the module docstring).

    Every failure to reach Redis is raised as StoreUnavailable (redis-py has already retried).
    """

    def __init__(self, client: redis.Redis, prefix: str) -> None:
        self.client = client
        self.prefix = prefix
        self.seen_key = f"{prefix}seen"
        self._claim = client.register_script(_CLAIM)
        self._extend = client.register_script(_EXTEND)
        self._drop = client.register_script(_DROP)
        self._add = client.register_script(_ADD)
        self._claims: dict[str, set[str]] = {}  # owner → URLs claimed through this object

    def claim_key(self, url: str) -> str:
        return f"{self.prefix}claim:{url}"

    def __contains__(self, url: object) -> bool:
        with _reachable(self.client):
            return isinstance(url, str) and bool(self.client.hexists(self.seen_key, url))

    def __len__(self) -> int:
        with _reachable(self.client):
            return int(self.client.hlen(self.seen_key))

    def add(self, rows: Iterable[tuple[str, str]], run_id: str, stored_at: str) -> int:
        added = 0
        batch: list[tuple[str, str]] = []
        for row in rows:
            batch.append(row)
            if len(batch) == _BATCH:
                added += self._add_batch(batch, run_id, stored_at)
                batch = []
        if batch:
            added += self._add_batch(batch, run_id, stored_at)
        return added

    def _add_batch(self, rows: list[tuple[str, str]], run_id: str, stored_at: str) -> int:
        keys = [self.seen_key] + [self.claim_key(article_url) for _, article_url in rows]
        values = [part for url, article_url in rows for part in (url, f"{article_url}\t{run_id}\t{stored_at}")]
        with _reachable(self.client):
            added = int(self._add(keys=keys, args=[run_id, *values]))
        claimed = self._claims.get(run_id)
        if claimed:
            claimed.difference_update(article_url for _, article_url in rows)
        return added

    def rows(self) -> Iterator[SeenRow]:
        with _reachable(self.client):
            for url, value in self.client.hscan_iter(self.seen_key, count=1000):
                article_url, run_id, stored_at = str(value).split("\t", 2)
                yield SeenRow(str(url), article_url, run_id, stored_at)

    # --- claims ---------------------------------------------------------------------------------

    def claim(self, url: str, owner: str, lease: float) -> bool:
        with _reachable(self.client):
            result = int(self._claim(keys=[self.seen_key, self.claim_key(url)], args=[url, owner, _ms(lease)]))
        if result == 1:
            self._claims.setdefault(owner, set()).add(url)
        return result == 1

    def claimed(self, owner: str) -> set[str]:
        """The URLs ``owner`` claimed through this object and has not recorded or released."""
        return set(self._claims.get(owner, ()))

    def renew(self, owner: str, lease: float) -> int:
        lost = self._extend_all(owner, lease)
        if lost:
            logger.error("Lost %d claim(s) of %s: their leases lapsed before a renewal", len(lost), owner)
        return len(self._claims.get(owner, ()))

    def hold(self, owner: str, seconds: float) -> list[str]:
        return self._extend_all(owner, seconds)

    def _extend_all(self, owner: str, seconds: float) -> list[str]:
        """Extend every claim of owner; forget and return those it no longer holds."""
        urls = sorted(self._claims.get(owner, ()))
        lost: list[str] = []
        for start in range(0, len(urls), _BATCH):
            chunk = urls[start : start + _BATCH]
            with _reachable(self.client):
                positions = self._extend(keys=[self.claim_key(u) for u in chunk], args=[owner, _ms(seconds)])
            lost += [chunk[int(i) - 1] for i in positions]
        if lost:
            self._claims[owner].difference_update(lost)
        return lost

    def release(self, owner: str) -> int:
        urls = sorted(self._claims.pop(owner, ()))
        dropped = 0
        for start in range(0, len(urls), _BATCH):
            chunk = urls[start : start + _BATCH]
            with _reachable(self.client):
                dropped += int(self._drop(keys=[self.claim_key(u) for u in chunk], args=[owner]))
        return dropped

    def close(self) -> None:
        self.client.close()


def _ms(seconds: float) -> int:
    return max(1, round(seconds * 1000))
