"""Who is in the fleet: every process's heartbeat, state and counts, in Redis.

Keys: ``<prefix>fleet:procs`` (hash run id → the process's last report, JSON) and
``<prefix>fleet:alive`` (zset run id → the deadline of its last heartbeat, ms on the Redis
clock). A process whose deadline passed is gone (killed, its machine lost): its leases lapse at
the same moment. A process that closed removes itself from ``alive`` and leaves its final report,
which ``prune`` drops after ``KEEP_CLOSED`` seconds.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import redis

KEEP_CLOSED = 7 * 86400

# States a process reports. busy: it has requests to send or responses to handle; idle: nothing
# left here, it waits for the fleet; closing: it is publishing its file and leaving.
BUSY, IDLE, CLOSING = "busy", "idle", "closing"

# KEYS procs, alive; ARGV run id, report JSON, lease ms (0: the process left).
_BEAT = """
local t = redis.call('TIME')
local now = t[1] * 1000 + math.floor(t[2] / 1000)
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
if tonumber(ARGV[3]) > 0 then
  redis.call('ZADD', KEYS[2], now + ARGV[3], ARGV[1])
else
  redis.call('ZREM', KEYS[2], ARGV[1])
end
return now
"""

# KEYS procs, alive → {now, {run id, deadline, report}…}
_MEMBERS = """
local t = redis.call('TIME')
local now = t[1] * 1000 + math.floor(t[2] / 1000)
local out = {now}
local flat = redis.call('HGETALL', KEYS[1])
for i = 1, #flat, 2 do
  out[#out + 1] = flat[i]
  out[#out + 1] = redis.call('ZSCORE', KEYS[2], flat[i]) or ''
  out[#out + 1] = flat[i + 1]
end
return out
"""


@dataclass(frozen=True)
class Member:
    run_id: str
    report: dict[str, Any]
    deadline_ms: int | None  # None: the process left (closed)
    now_ms: int  # Redis's clock when the roster was read

    @property
    def alive(self) -> bool:
        return self.deadline_ms is not None and self.deadline_ms > self.now_ms

    @property
    def lost(self) -> bool:
        """Still registered, but its heartbeat stopped: killed, or its machine is gone."""
        return self.deadline_ms is not None and self.deadline_ms <= self.now_ms

    @property
    def heartbeat_age(self) -> float | None:
        """Seconds since the last heartbeat, on Redis's clock (None once the process left)."""
        if self.deadline_ms is None or "lease_ms" not in self.report:
            return None
        return (self.now_ms - (self.deadline_ms - int(self.report["lease_ms"]))) / 1000

    @property
    def state(self) -> str:
        return str(self.report.get("state", ""))


class Roster:
    def __init__(self, client: redis.Redis, prefix: str) -> None:
        self.client = client
        self.procs_key = f"{prefix}fleet:procs"
        self.alive_key = f"{prefix}fleet:alive"
        self._beat = client.register_script(_BEAT)
        self._members = client.register_script(_MEMBERS)

    def beat(self, run_id: str, report: dict[str, Any], lease: float) -> None:
        """Report and stay alive for ``lease`` seconds."""
        lease_ms = max(1, round(lease * 1000))
        report = {**report, "lease_ms": lease_ms}
        self._beat(keys=[self.procs_key, self.alive_key], args=[run_id, _dump(report), lease_ms])

    def leave(self, run_id: str, report: dict[str, Any]) -> None:
        """The final report of a process that closed."""
        self._beat(keys=[self.procs_key, self.alive_key], args=[run_id, _dump(report), 0])

    def members(self) -> list[Member]:
        flat = self._members(keys=[self.procs_key, self.alive_key])
        now = int(flat[0])
        members = []
        for i in range(1, len(flat), 3):
            run_id, deadline, report = flat[i], flat[i + 1], flat[i + 2]
            try:
                parsed = json.loads(report)
            except ValueError:
                parsed = {}
            members.append(
                Member(
                    str(run_id),
                    parsed if isinstance(parsed, dict) else {},
                    int(float(deadline)) if deadline else None,
                    now,
                )
            )
        return sorted(members, key=lambda member: member.run_id)

    def is_alive(self, run_id: str) -> bool:
        return any(member.run_id == run_id and member.alive for member in self.members())

    def prune(self) -> int:
        """Forget closed processes whose final report is older than KEEP_CLOSED; how many."""
        oldest = int(time.time() * 1000) - KEEP_CLOSED * 1000
        stale = [
            member.run_id
            for member in self.members()
            if member.deadline_ms is None and int(member.report.get("reported_ms", oldest)) < oldest
        ]
        if stale:
            self.client.hdel(self.procs_key, *stale)
        return len(stale)


def _dump(report: dict[str, Any]) -> str:
    return json.dumps(report, ensure_ascii=False, separators=(",", ":"), default=str)
