"""The web app's handle on the store: opened read-only, reopened when a build swaps ``current``."""

from __future__ import annotations

import threading
from pathlib import Path

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
