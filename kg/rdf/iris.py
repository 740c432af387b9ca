"""Deterministic IRIs: the same thing gets the same IRI in every build, whatever the order of sources.

Layout under one configurable base:
  {base}id/doc/{source}                 a report
  {base}id/doc/{source}/{path}          a node of its structure (path from kinds and positions)
  {base}id/{kind}/{key}                 an entity; key = a hash of its kind and normalised name
  {base}id/taskcount/{hash}             a count derived at build time (kg/summaries.py)
  {base}graph/{source}, {base}graph/ontology and {base}graph/summaries    the named graphs
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

from rdflib import URIRef

ENTITY_KINDS = frozenset(
    {
        "place",
        "org",
        "policy",
        "project",
        "facility",
        "indicator",
        "observation",
        "series",
        "task",
        "sector",
        "status",
        "mention",
        "statement",
        "concept",
        "dataset",
    }
)
_SPACE = re.compile(r"\s+")


def normalise_name(name: str) -> str:
    """The form of a name used for identity: NFKC (full-width → half-width), no whitespace."""
    return _SPACE.sub("", unicodedata.normalize("NFKC", name))


def name_key(*parts: str) -> str:
    joined = "\x1f".join(normalise_name(p) for p in parts)
    return hashlib.sha1(joined.encode("utf-8")).hexdigest()[:12]


class Minter:
    def __init__(self, base: str) -> None:
        self.base = base if base.endswith("/") else base + "/"

    def document(self, source_id: str) -> URIRef:
        return URIRef(f"{self.base}id/doc/{source_id}")

    def node(self, source_id: str, path: str) -> URIRef:
        return URIRef(f"{self.base}id/doc/{source_id}/{path}")

    def entity(self, kind: str, *name_parts: str) -> URIRef:
        """An entity IRI from its kind and the parts of its identity (e.g. its normalised name)."""
        if kind not in ENTITY_KINDS:
            raise ValueError(f"unknown entity kind {kind!r}")
        return URIRef(f"{self.base}id/{kind}/{name_key(*name_parts)}")

    def slug(self, kind: str, slug: str) -> URIRef:
        """An entity IRI from a curated ascii id (registers, gazetteer, concept schemes)."""
        if kind not in ENTITY_KINDS or not re.fullmatch(r"[A-Za-z0-9._-]+", slug):
            raise ValueError(f"bad curated id {kind}/{slug}")
        return URIRef(f"{self.base}id/{kind}/{slug}")

    def graph(self, name: str) -> URIRef:
        return URIRef(f"{self.base}graph/{name}")
