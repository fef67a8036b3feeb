"""Files that are complete or absent: written under a temporary name, fsynced, renamed."""

from __future__ import annotations

import os
from pathlib import Path
from typing import IO

TEMP_SUFFIX = ".part"  # temporary files never end in .jsonl


class AtomicFile:
    def __init__(self, final_path: Path) -> None:
        self.final_path = final_path
        self.temp_path = final_path.with_name(final_path.name + TEMP_SUFFIX)

    def open(self) -> IO[bytes]:
        self.temp_path.parent.mkdir(parents=True, exist_ok=True)
        return self.temp_path.open("wb")

    def publish(self, file: IO[bytes]) -> Path:
        file.flush()
        os.fsync(file.fileno())
        file.close()
        os.replace(self.temp_path, self.final_path)
        fsync_dir(self.final_path.parent)
        return self.final_path

    def discard(self, file: IO[bytes] | None = None) -> None:
        if file is not None:
            file.close()
        self.temp_path.unlink(missing_ok=True)


def fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_atomically(path: Path, data: bytes) -> None:
    target = AtomicFile(path)
    file = target.open()
    file.write(data)
    target.publish(file)
