"""The web app's handle on the store, and values derived from it: each computed once per build, again
when a build swaps ``current``."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Generic, TypeVar

import pyoxigraph as ox
from flask import current_app

from kg.store import StoreLayout, open_store

T = TypeVar("T")
_UNSET = object()


class PerBuild(Generic[T]):
    """A value derived from the store once per build (the build directory is the key: a build never changes
    once written), under a lock: whoever asks while it is computed waits for it, not for a second run."""

    def __init__(self, compute: Callable[[Path | None], T], layout: StoreLayout | None = None) -> None:
        self._compute = compute
        self._layout = layout  # None: the app's store
        self._lock = threading.Lock()
        self._build: object = _UNSET
        self._value: T | None = None

    def get(self) -> T:
        """The value of the current build (a cheap symlink check per call)."""
        layout = self._layout or StoreLayout(current_app.config["KG_SETTINGS"].store_dir)
        build = layout.current_build()
        with self._lock:
            if build != self._build:
                self._value = self._compute(build)
                self._build = build
            return self._value  # type: ignore[return-value]


class StoreHolder:
    """The store of the current build, opened read-only."""

    def __init__(self, store_root: Path) -> None:
        self._store: PerBuild[ox.Store] = PerBuild(lambda _build: open_store(store_root), StoreLayout(store_root))

    def get(self) -> ox.Store:
        return self._store.get()


def store() -> ox.Store:
    return current_app.extensions["kg_store"].get()
