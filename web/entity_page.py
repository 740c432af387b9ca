"""The HTML face of an entity IRI (the linked-data route calls this for browsers)."""

from __future__ import annotations

from flask import render_template

from kg.query import run_query
from web.storeholder import store

FACTS = "SELECT ?p ?o WHERE { ?s ?p ?o } ORDER BY ?p ?o LIMIT 500"


def render_entity_page(iri: str) -> str | None:
    """The page of one entity, or None when the graph says nothing about it."""
    import pyoxigraph as ox

    rows = list(run_query(store(), FACTS, substitutions={ox.Variable("s"): ox.NamedNode(iri)}))
    if not rows:
        return None
    facts = [(r["p"].value, getattr(r["o"], "value", str(r["o"]))) for r in rows]
    return render_template("entity.html", iri=iri, facts=facts)
