"""Answers of slow queries kept on disk per build: a build's store never changes once written, so the same
job (query text, format, row cap) always gets the same answer from it.

At 1,000 synthetic reports, projects-in-both-reports over every district takes 9 s and entity-facts for a
name that 125 districts share 0.7 s: the engine reads every row at about 10 µs a look-up, which no plan
avoids. Such an answer is computed once per build and read back afterwards.

Only answers whose query took at least ``min_seconds`` (setting ``result_cache_seconds``; the worker's own
time, not the wait for a worker under load) are kept: a fast query is cheaper to run than to read. They are
kept under ``root/BUILD/KEY.{json,body}``, written whole or not at all, and filed under the build the worker
read (it says which), so an answer is never kept for a build it did not come from; other builds' folders
are removed. The cache holds at most ``max_bytes``: past that, answers are not kept, and the next build
starts empty.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from contextlib import suppress
from pathlib import Path

from kg.store import StoreLayout, write_whole

MAX_BYTES = 512 * 1024 * 1024


class ResultCache:
    def __init__(self, root: Path, layout: StoreLayout, min_seconds: float = 0.1,
                 max_bytes: int = MAX_BYTES) -> None:
        self.root, self.layout = root, layout
        self.min_seconds, self.max_bytes = min_seconds, max_bytes

    @staticmethod
    def key(job: dict) -> str:
        return hashlib.sha256(json.dumps(job, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()

    def get(self, job: dict) -> tuple[dict, bytes] | None:
        build = self.layout.current_build()
        if build is None:
            return None
        stem = self.root / build.name / self.key(job)
        try:
            header = json.loads(stem.with_suffix(".json").read_text(encoding="utf-8"))
            body = stem.with_suffix(".body").read_bytes()
        except (OSError, ValueError):
            return None
        if len(body) != header.get("bytes"):  # the header is written last: a body without one is not read
            return None
        return header | {"cached": True}, body

    def put(self, job: dict, header: dict, body: bytes, seconds: float) -> bool:
        """Keep a successful answer that took ``min_seconds`` or more; False when it is not kept."""
        build = header.get("build")
        if header.get("status") != 200 or not build or seconds < self.min_seconds:
            return False
        folder = self.root / build
        try:
            self._drop_other_builds(build)
            if self._size(folder) + len(body) > self.max_bytes:
                return False
            folder.mkdir(parents=True, exist_ok=True)
            stem = folder / self.key(job)
            write_whole(stem.with_suffix(".body"), body)
            write_whole(stem.with_suffix(".json"), json.dumps(header | {"bytes": len(body)}).encode("utf-8"))
        except OSError:
            return False  # a read-only or full disk only costs the next run its time
        return True

    def _drop_other_builds(self, build: str) -> None:
        if self.root.is_dir():
            for old in self.root.iterdir():
                if old.name != build:
                    shutil.rmtree(old, ignore_errors=True)

    @staticmethod
    def _size(folder: Path) -> int:
        total = 0
        with suppress(OSError):
            total = sum(p.stat().st_size for p in folder.iterdir())
        return total
