"""The fleet at a glance (``scrapy fleet``): every process from its heartbeats, the frontier, the claims.

Read-only: it takes nothing, renews nothing, reaps nothing.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from newscrawl.fleet.roster import Roster

if TYPE_CHECKING:
    import redis

_COUNT_CLAIMS_BATCH = 1000

# KEYS queue, inflight → {queued, in flight, expired}
_FRONTIER = """
local t = redis.call('TIME')
local now = t[1] * 1000 + math.floor(t[2] / 1000)
return {redis.call('ZCARD', KEYS[1]), redis.call('ZCARD', KEYS[2]), redis.call('ZCOUNT', KEYS[2], '-inf', now)}
"""


@dataclass(frozen=True)
class ProcessRow:
    run_id: str
    host: str
    pid: int | None
    state: str  # busy, idle, closing; finished or failed once closed; "lost" when its heartbeat stopped
    heartbeat_age: float | None  # seconds since its last report (None once closed)
    entries: int
    articles: int
    errors: int
    leases: int  # requests it holds in the frontier now
    job: str | None  # Scrapyd's job id, when it runs as a Scrapyd job


@dataclass(frozen=True)
class FleetSummary:
    queued: int
    in_flight: int
    expired: int
    claims: int
    published: int
    processes: list[ProcessRow]

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def fleet_summary(client: redis.Redis, prefix: str) -> FleetSummary:
    queued, in_flight, expired = client.eval(_FRONTIER, 2, f"{prefix}frontier:queue", f"{prefix}frontier:inflight")
    leases: dict[str, int] = {}
    for owner in client.hvals(f"{prefix}frontier:owners"):
        leases[str(owner)] = leases.get(str(owner), 0) + 1
    claims = sum(1 for _ in client.scan_iter(match=f"{_escape(prefix)}claim:*", count=_COUNT_CLAIMS_BATCH))
    rows = []
    for member in Roster(client, prefix).members():
        report = member.report
        if member.lost:
            state = "lost"
        elif member.alive:
            state = member.state
        else:
            state = str(report.get("status") or "closed")
        rows.append(
            ProcessRow(
                run_id=member.run_id,
                host=str(report.get("host", "?")),
                pid=report.get("pid"),
                state=state,
                heartbeat_age=member.heartbeat_age,
                entries=int(report.get("entries", 0)),
                articles=int(report.get("articles", 0)),
                errors=int(report.get("errors", 0)),
                leases=leases.get(member.run_id, 0),
                job=report.get("job"),
            )
        )
    published = int(client.hlen(f"{prefix}seen"))
    return FleetSummary(int(queued), int(in_flight), int(expired), claims, published, rows)


def format_summary(summary: FleetSummary, where: str) -> str:
    lines = [
        f"Fleet on {where}",
        f"frontier: {summary.queued} queued, {summary.in_flight} in flight ({summary.expired} past their lease); "
        f"claims: {summary.claims}; published URLs: {summary.published}",
    ]
    if not summary.processes:
        lines.append("no process has reported yet")
        return "\n".join(lines) + "\n"
    header = ("run id", "host", "pid", "state", "heartbeat", "entries", "articles", "errors", "leases", "job")
    table = [header]
    for row in summary.processes:
        heartbeat = f"{row.heartbeat_age:.0f} s ago" if row.heartbeat_age is not None else "-"
        table.append(
            (
                row.run_id,
                row.host,
                str(row.pid or "-"),
                row.state,
                heartbeat,
                str(row.entries),
                str(row.articles),
                str(row.errors),
                str(row.leases),
                row.job or "-",
            )
        )
    widths = [max(len(line[i]) for line in table) for i in range(len(header))]
    lines += ["  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip() for line in table]
    return "\n".join(lines) + "\n"


def _escape(prefix: str) -> str:
    """A key prefix as a literal in a SCAN MATCH pattern."""
    return "".join(f"\\{char}" if char in "*?[]\\" else char for char in prefix)
