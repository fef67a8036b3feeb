from __future__ import annotations

from pathlib import Path

from newscrawl.store.feed_storage import AtomicFileFeedStorage
from newscrawl.store.seen import SeenStore


def test_dataset_file_appears_only_when_published(tmp_path: Path) -> None:
    final = tmp_path / "articles" / "2024-04-01" / "run.jsonl"
    storage = AtomicFileFeedStorage(final.as_uri())
    file = storage.open(spider=None)  # type: ignore[arg-type]
    file.write(b'{"a": 1}\n')
    assert not final.exists()
    assert [p.name for p in final.parent.iterdir()] == ["run.jsonl.part"]
    storage.store(file)
    assert final.read_bytes() == b'{"a": 1}\n'
    assert storage.published_path == final
    assert [p.name for p in final.parent.iterdir()] == ["run.jsonl"]


def test_seen_store_persists_across_connections(tmp_path: Path) -> None:
    path = tmp_path / "seen.sqlite3"
    store = SeenStore(path)
    assert (
        store.add(
            [("https://www.rfi.fr/cn/a", "https://www.rfi.fr/cn/a"), ("alias", "https://www.rfi.fr/cn/a")], "r1", "t"
        )
        == 2
    )
    assert store.add([("alias", "https://www.rfi.fr/cn/a")], "r2", "t") == 0
    store.close()
    reopened = SeenStore(path)
    assert "alias" in reopened
    assert "https://www.rfi.fr/cn/b" not in reopened
    assert len(reopened) == 2
    reopened.close()
