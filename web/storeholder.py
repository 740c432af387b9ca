"""The web app's handle on the store: opened read-only, reopened when a build swaps ``current``."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Generic, TypeVar

import pyoxigraph as ox
from flask import current_app

from kg.store import StoreLayout, open_store


class StoreHolder:
    def __init__(self, store_root: Path) -> None:
        self.layout = StoreLayout(store_root)
        self._lock = threading.Lock()
        self._build: Path | None = None
        self._store: ox.Store | None = None

    def get(self) -> ox.Store:
        """The store of the current build (a cheap symlink check per call)."""
        build = self.layout.current_build()
        with self._lock:
            if self._store is None or build != self._build:
                self._store = open_store(self.layout.root)
                self._build = build
            return self._store


def store() -> ox.Store:
    return current_app.extensions["kg_store"].get()


T = TypeVar("T")
_UNSET = object()


class PerBuild(Generic[T]):
    """A value derived from the store once per build (the build directory is the key: a build never changes
    once written), under a lock: whoever asks while it is computed waits for it, not for a second run."""

    def __init__(self, compute: Callable[[Path | None], T]) -> None:
        self._compute = compute
        self._lock = threading.Lock()
        self._build: object = _UNSET
        self._value: T | None = None

    def get(self, layout: StoreLayout) -> T:
        build = layout.current_build()
        with self._lock:
            if build != self._build:
                self._value = self._compute(build)
                self._build = build
            return self._value  # type: ignore[return-value]
