"""What a seen-store is, whichever engine keeps it: the embedded SQLite default
(``newscrawl.store.seen.SeenStore``) or Redis for many processes (``newscrawl.store.redis_seen``).

A seen-store remembers every URL already published (canonical URLs, and the feed links that led
to them), and is written once per run, after the run's dataset file was published. A store that
many processes share also takes claims: before a process accepts an article for its dataset file
it claims the article's URL, atomically, so that two processes never publish the same article.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple, Protocol, runtime_checkable

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator


class StoreUnavailable(OSError):
    """The seen-store cannot be reached (Redis lost): the run must stop and publish nothing more."""


class SeenRow(NamedTuple):
    url: str  # a published URL, or a link that led to one
    article_url: str  # the published article's canonical URL (equal to url for the article itself)
    run_id: str  # the run that published it
    stored_at: str  # when that run recorded it (UTC, YYYY-MM-DDTHH:MM:SSZ)


@runtime_checkable
class SeenStoreBackend(Protocol):
    def __contains__(self, url: object) -> bool:
        """Was ``url`` published (as an article or a link that led to one)?"""

    def __len__(self) -> int: ...

    def add(self, rows: Iterable[tuple[str, str]], run_id: str, stored_at: str) -> int:
        """Record (url, article_url) pairs as published by ``run_id``; returns how many were new.

        Called only after the dataset file holding those articles is in place (commit after
        publication): a run that dies before that leaves its articles to be fetched again.
        """

    def rows(self) -> Iterator[SeenRow]:
        """Every row, in no particular order (migration between backends)."""

    def close(self) -> None: ...


@runtime_checkable
class SharedSeenStoreBackend(SeenStoreBackend, Protocol):
    """A seen-store several processes use at once: published URLs plus leased claims.

    ``owner`` is the claiming process's run id; ``add(rows, run_id, ...)`` drops ``run_id``'s
    claims on the article URLs it records.
    """

    def claim(self, url: str, owner: str, lease: float) -> bool:
        """Atomically: True when ``url`` is neither published nor claimed by another live owner.

        The claim lapses after ``lease`` seconds unless renewed, so a claim of a process that
        died frees the article for another one.
        """

    def renew(self, owner: str, lease: float) -> int:
        """Push back the expiry of every claim ``owner`` holds; returns how many it still holds."""

    def hold(self, owner: str, seconds: float) -> list[str]:
        """Just before publication: keep ``owner``'s claims for ``seconds`` more (time enough to
        record the publication) and return the URLs it no longer holds (taken over after its
        lease lapsed). Publishing with any of those would publish them twice.
        """

    def release(self, owner: str) -> int:
        """Give up every claim ``owner`` still holds (a run that publishes nothing)."""
