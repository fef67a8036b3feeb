"""Which URLs this run publishes, committed to the seen-store only once the dataset file is stored.

The de-duplication pipeline claims each record's canonical URL; the spider notes the feed links
(aliases) that led to an article. Both reach the seen-store in one transaction after the run's
dataset file was renamed into place, so an article fetched by a run that died (or whose file
could not be stored) is fetched again by the next run.

With a store shared by many processes (Redis), a claim is also taken in the store, atomically
and with a lease (renewed by the fleet's heartbeat): two processes never accept the same article.
Just before the dataset file is published the claims are held for ``PUBLICATION_HOLD`` (time to
record them); a claim lost meanwhile means the file is not published. If recording fails after
the file is in place, the rows go to ``seen-pending/<run_id>.jsonl`` and the next run of this
data dir records them first; the held claims keep the fleet from fetching those articles again
meanwhile. Once the store is unreachable (``unavailable``), nothing more is asked of it.
"""

from __future__ import annotations

import contextlib
import json
import logging
from typing import TYPE_CHECKING

from newscrawl.extract.text import counted
from newscrawl.run.clock import RunClock
from newscrawl.store.atomic import write_atomically
from newscrawl.store.backend import SharedSeenStoreBackend, StoreUnavailable

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from newscrawl.store.backend import SeenStoreBackend

logger = logging.getLogger(__name__)

# How long claims are held once the dataset file is about to be published: long enough to survive
# a Redis outage between the rename and the record, short enough that a node that never comes
# back does not keep its articles from the fleet for ever.
PUBLICATION_HOLD = 30 * 86400


class Publication:
    def __init__(
        self,
        run_id: str,
        clock: RunClock | None = None,
        *,
        pending_dir: Path | None = None,
        on_unavailable: Callable[[str], None] | None = None,
    ) -> None:
        self.run_id = run_id
        self.clock = clock or RunClock()
        self.pending_dir = pending_dir
        self.on_unavailable = on_unavailable
        self.store: SeenStoreBackend | None = None
        self.lease: float | None = None  # claims in a shared store lapse after this many seconds
        self.unavailable: str | None = None  # why the shared store is given up, once it is
        self.claimed: set[str] = set()
        self.aliases: dict[str, set[str]] = {}  # article URL -> feed links that led to it
        self.dataset: str | None = None  # the published dataset file, relative to the spider's folder
        self.refused: str | None = None  # why the dataset file was not published (before_publishing)

    def open(self, store: SeenStoreBackend, lease: float | None = None) -> None:
        self.store = store
        self.lease = lease
        if self.shared is not None:
            self._record_pending()

    @property
    def shared(self) -> SharedSeenStoreBackend | None:
        store = self.store
        return store if isinstance(store, SharedSeenStoreBackend) and self.lease is not None else None

    def store_unavailable(self, error: StoreUnavailable | str) -> None:
        if self.unavailable is None:
            self.unavailable = str(error)
            if self.on_unavailable is not None:
                self.on_unavailable(self.unavailable)

    def is_published(self, url: str) -> bool:
        """Whether an earlier run published ``url`` (an article URL or a link that led to one)."""
        if self.store is None or self.unavailable is not None:
            return False
        try:
            return url in self.store
        except StoreUnavailable as error:
            self.store_unavailable(error)
            return False

    def claim(self, url: str) -> str | None:
        """Claim ``url`` for this run; the duplicate reason when it cannot be claimed.

        Raises StoreUnavailable when a shared store cannot be reached (the record is not published).
        """
        if url in self.claimed:
            return "same_canonical"
        if self.unavailable is not None:
            raise StoreUnavailable(self.unavailable)
        shared = self.shared
        if shared is None:
            if self.is_published(url):
                return "already_stored"
        else:
            assert self.lease is not None
            try:
                if not shared.claim(url, self.run_id, self.lease):
                    # Published, or accepted by another process of the fleet (the same canonical page).
                    return "already_stored" if url in shared else "same_canonical"
            except StoreUnavailable as error:
                self.store_unavailable(error)
                raise
        self.claimed.add(url)
        return None

    def note_alias(self, alias: str, article_url: str) -> None:
        """Remember a link that led to ``article_url``, so later runs do not fetch it again."""
        if alias != article_url:
            self.aliases.setdefault(article_url, set()).add(alias)

    def renew_claims(self, lease: float) -> None:
        shared = self.shared
        if shared is not None and self.unavailable is None:
            try:
                shared.renew(self.run_id, lease)
            except StoreUnavailable as error:
                self.store_unavailable(error)

    def before_publishing(self) -> str | None:
        """Why the dataset file must not be published now (None: go ahead); remembered in ``refused``."""
        self.refused = self._refusal()
        return self.refused

    def _refusal(self) -> str | None:
        if self.unavailable is not None:
            return f"the dataset file is not published: {self.unavailable}"
        shared = self.shared
        if shared is None:
            return None
        try:
            lost = shared.hold(self.run_id, PUBLICATION_HOLD)
        except StoreUnavailable as error:
            self.store_unavailable(error)
            return f"the dataset file is not published: {error}"
        if lost:
            self.claimed.difference_update(lost)
            return (
                f"the dataset file is not published: the claims on {len(lost)} of its articles lapsed (this process "
                f"stalled longer than NEWSCRAWL_REDIS_LEASE) and another process may have taken them, e.g. {lost[0]}"
            )
        return None

    def dataset_stored(self, relative_path: str) -> None:
        """The dataset file is in place: the claimed URLs and their aliases are published."""
        assert self.store is not None
        self.dataset = relative_path
        rows = [(url, url) for url in self.claimed]
        rows += [(alias, url) for url, aliases in self.aliases.items() if url in self.claimed for alias in aliases]
        stored_at = self.clock.stamp()
        try:
            added = self.store.add(rows, self.run_id, stored_at)
        except StoreUnavailable as error:
            self._keep_pending(rows, stored_at)
            self.store_unavailable(error)
            return
        logger.info("Seen-store: %s recorded as published", counted(added, "URL"))

    def _keep_pending(self, rows: list[tuple[str, str]], stored_at: str) -> None:
        assert self.pending_dir is not None
        path = self.pending_dir / f"{self.run_id}.jsonl"
        lines = (json.dumps([url, article_url, stored_at], ensure_ascii=False) for url, article_url in rows)
        write_atomically(path, "".join(line + "\n" for line in lines).encode("utf-8"))
        logger.error(
            "The dataset file is published but the seen-store could not record it: %d URLs kept in %s, "
            "recorded by the next run of this data dir (their claims are held until then)",
            len(rows),
            path,
        )

    def _record_pending(self) -> None:
        """Record what a run before us published but could not record (its rows, kept aside)."""
        if self.pending_dir is None or not self.pending_dir.is_dir():
            return
        assert self.store is not None
        for path in sorted(self.pending_dir.glob("*.jsonl")):
            rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
            try:
                if rows:
                    self.store.add([(url, article_url) for url, article_url, _ in rows], path.stem, rows[0][2])
            except StoreUnavailable as error:
                self.store_unavailable(error)
                return
            path.unlink()
            logger.info(
                "Seen-store: recorded %d URLs published by run %s before it lost the store", len(rows), path.stem
            )

    def close(self) -> None:
        if self.store is None:
            return
        shared = self.shared
        if shared is not None and self.dataset is None and self.unavailable is None:
            with contextlib.suppress(StoreUnavailable):  # if so, they lapse after the lease
                shared.release(self.run_id)  # nothing published: the articles are free for others at once
        self.store.close()
