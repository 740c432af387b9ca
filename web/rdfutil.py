"""Small helpers shared by the pages: labels in the UI language, local links, terms for templates."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import quote

import pyoxigraph as ox
from flask import current_app

from kg.config import ONTOLOGY_NS
from kg.links import is_entity_iri
from kg.query import iri_values, run_query
from web.storeholder import store

LABELS = """
SELECT ?s ?label WHERE {
  VALUES ?s { %s }
  { ?s rdfs:label ?label } UNION { ?s skos:prefLabel ?label }
}
"""
TYPES = "SELECT ?s ?type WHERE { ?s a ?type }"
BATCH = 400  # IRIs per VALUES block


def base_iri() -> str:
    return current_app.config["KG_SETTINGS"].base_iri


def local_path(iri: str) -> str:
    """The path of this site that shows an IRI: /id/… for ours, /resource?iri=… for any other."""
    base = base_iri()
    if iri.startswith(base + "id/"):
        return "/" + iri[len(base) :]
    return "/resource?iri=" + quote(iri, safe="")


def short_name(iri: str) -> str:
    """A readable fallback for an IRI without a label: its last segment, or a prefixed name."""
    if iri.startswith(ONTOLOGY_NS):
        return "kg:" + iri[len(ONTOLOGY_NS) :]
    tail = iri.rstrip("/#").replace("#", "/").rsplit("/", 1)[-1]
    return tail or iri


def _pick(candidates: list[ox.Literal], lang: str) -> str:
    """The label in the UI language, else Chinese, else English, else any."""
    by_lang: dict[str, str] = {}
    for literal in candidates:
        by_lang.setdefault((literal.language or "").split("-")[0], literal.value)
    for choice in (lang, "zh", "en", ""):
        if choice in by_lang:
            return by_lang[choice]
    return candidates[0].value


def labels(iris: Iterable[str], lang: str) -> dict[str, str]:
    """Labels of many IRIs at once (rdfs:label or skos:prefLabel); missing ones get a short name."""
    wanted = sorted(set(iris))
    found: dict[str, list[ox.Literal]] = {}
    for i in range(0, len(wanted), BATCH):
        values = iri_values(wanted[i : i + BATCH])
        if not values:
            continue
        for row in run_query(store(), LABELS % values):
            if isinstance(row["label"], ox.Literal):
                found.setdefault(row["s"].value, []).append(row["label"])
    return {iri: _pick(found[iri], lang) if iri in found else short_name(iri) for iri in wanted}


def types_of(iri: str) -> list[str]:
    rows = run_query(store(), TYPES, substitutions={ox.Variable("s"): ox.NamedNode(iri)})
    return [r["type"].value for r in rows if isinstance(r["type"], ox.NamedNode)]


@dataclass(frozen=True)
class Term:
    """An RDF term ready for a template: a link for an IRI, text (and language/datatype) for a literal."""

    text: str
    href: str | None = None
    iri: str | None = None
    note: str = ""  # language tag or datatype of a literal


def literal_note(literal: ox.Literal) -> str:
    if literal.language:
        return "@" + literal.language
    datatype = literal.datatype.value
    if datatype.endswith(("#string", "#langString")):
        return ""
    return short_name(datatype)


def term(node: object, names: dict[str, str]) -> Term:
    if isinstance(node, ox.NamedNode):
        return Term(names.get(node.value, short_name(node.value)), local_path(node.value), node.value)
    if isinstance(node, ox.Literal):
        return Term(node.value, note=literal_note(node))
    return Term(str(node))


def class_key(iri: str) -> str:
    """A short, CSS-safe key of a class, used for colours and filters."""
    name = short_name(iri).removeprefix("kg:")
    return "".join(c for c in name if c.isalnum()) or "Thing"


def is_entity(iri: str) -> bool:
    """Entities have pages in search and graphs: ours under id/, but not the segments of a document."""
    return is_entity_iri(base_iri(), iri)
