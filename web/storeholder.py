"""The web app's handle on the store, and values derived from it: each computed once per build, again
when a build swaps ``current``."""

from __future__ import annotations

from pathlib import Path
from typing import TypeVar

import pyoxigraph as ox
from flask import current_app

from kg import store as kg_store
from kg.store import StoreLayout, open_store

T = TypeVar("T")


class PerBuild(kg_store.PerBuild[T]):
    """kg.store.PerBuild of the app's store, unless given another layout."""

    def layout(self) -> StoreLayout:
        return self._layout or StoreLayout(current_app.config["KG_SETTINGS"].store_dir)


class StoreHolder:
    """The store of the current build, opened read-only."""

    def __init__(self, store_root: Path) -> None:
        self._store = kg_store.PerBuild(lambda _build: open_store(store_root), StoreLayout(store_root))

    def get(self) -> ox.Store:
        return self._store.get()


def store() -> ox.Store:
    return current_app.extensions["kg_store"].get()
