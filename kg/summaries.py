"""Build-time summaries: facts that hold across documents, derived once the documents are loaded.

A saved query whose answer depends on the whole corpus (which projects more than one report follows)
would otherwise recompute it on every run, with a subquery that makes Oxigraph hash-join every later
pattern against the whole graph. The store is read-only between builds, so such facts are derived
here, by SPARQL over the merge, into their own named graph (``graph/summaries``) and into the merge:

- ``?record kg:aboutProject ?project``: the whole project a status record reports on, the record's
  project or, for a phase (``kg:partOf`` a project), its parent;
- ``?project kg:statusReports ?n``: how many reports state a status of the project (its phases'
  records included), and ``?project kg:statusDistrict ?area``: the district of those reports, so that a
  district's projects are reached from the district;
- a ``kg:TaskCount`` per district and responsible unit: how many key tasks of the district's plans the
  unit answers for (``kg:refArea``, ``kg:taskUnit``, ``kg:tasks``);
- a ``kg:TargetOutcome`` per numeric target and actual of one indicator, district and year: whether the
  actual met or missed the target (``kg:outcome``), judged once here instead of in every query that asks.

Derived only from validated document graphs, deterministically: two builds of the same sources give
the same summaries.
"""

from __future__ import annotations

import pyoxigraph as ox

from kg.export import PREFIX_MAP
from kg.rdf.iris import Minter

SUMMARIES_GRAPH = "summaries"


def summaries_graph(base_iri: str) -> str:
    """The IRI of the named graph the summaries are derived into."""
    return str(Minter(base_iri).graph(SUMMARIES_GRAPH))

_ABOUT_PROJECT = """
INSERT { ?record kg:aboutProject ?project . GRAPH ?summaries { ?record kg:aboutProject ?project } }
WHERE {
  ?p kg:statusRecord ?record .
  OPTIONAL { ?p kg:partOf ?parent . ?parent a kg:Project }
  BIND(COALESCE(?parent, ?p) AS ?project)
}"""

_STATUS_REPORTS = """
INSERT { ?project kg:statusReports ?n . GRAPH ?summaries { ?project kg:statusReports ?n } }
WHERE {
  { SELECT ?project (COUNT(DISTINCT ?doc) AS ?n) WHERE { ?record kg:aboutProject ?project ; kg:document ?doc }
    GROUP BY ?project }
}"""

_STATUS_DISTRICTS = """
INSERT { ?project kg:statusDistrict ?area . GRAPH ?summaries { ?project kg:statusDistrict ?area } }
WHERE {
  { SELECT DISTINCT ?project ?area WHERE {
      ?record kg:aboutProject ?project ; kg:document ?doc .
      ?doc kg:district ?area .
  } }
}"""

# The count's IRI is minted from the district's and the unit's: the same in every build. Its label names
# both (the smallest of their labels, should the reports give one several), for the pages that list it.
_TASK_COUNTS = """
INSERT {
  ?count a kg:TaskCount ; rdfs:label ?label ; kg:refArea ?area ; kg:taskUnit ?unit ; kg:tasks ?n .
  GRAPH ?summaries { ?count a kg:TaskCount ; rdfs:label ?label ; kg:refArea ?area ; kg:taskUnit ?unit ; kg:tasks ?n }
}
WHERE {
  { SELECT ?area ?unit (COUNT(DISTINCT ?task) AS ?n) (MIN(?a) AS ?areaName) (MIN(?u) AS ?unitName) WHERE {
      ?task a kg:Task ; kg:document ?report ; kg:responsibleUnit ?unit .
      ?report kg:district ?area .
      ?area rdfs:label ?a .  # places and organizations have Chinese labels only (ontology/shapes.ttl)
      ?unit rdfs:label ?u .
    } GROUP BY ?area ?unit }
  BIND(IRI(CONCAT(?countBase, MD5(CONCAT(STR(?area), " ", STR(?unit))))) AS ?count)
  BIND(STRLANG(CONCAT(?areaName, " · ", ?unitName, "：", STR(?n), "项重点任务"), "zh") AS ?label)
}"""

# A target of one indicator, district and year meets each actual of its year slice (qb:Slice under
# kg:seriesYearKey). Only numbers are judged (a target without kg:value, an actual without a number:
# no outcome), and "missed" depends on the target's comparator and the indicator's direction:
# - an upper bound (<, 以内, 以下, 不高于, 低于…, 不超过) or, without a comparator that says otherwise, a
#   lower-is-better indicator: missed when the actual (the lower end of a range) is above the target;
# - otherwise: missed when the actual (the upper end of a range) is below the target;
# - a target "x左右" (about x) is missed only beyond 5% of x;
# - an indicator of no known direction is judged only where the comparator decides.
# The outcome's IRI is minted from the target's and the actual's; its label names district, indicator,
# year and both values as written.
_TARGET_OUTCOMES = """
INSERT {
  ?outcome a kg:TargetOutcome ; rdfs:label ?label ; kg:target ?t ; kg:actual ?a ; kg:outcome ?result ;
           kg:indicator ?indicator ; kg:refArea ?area ; kg:refYear ?year .
  GRAPH ?summaries {
    ?outcome a kg:TargetOutcome ; rdfs:label ?label ; kg:target ?t ; kg:actual ?a ; kg:outcome ?result ;
             kg:indicator ?indicator ; kg:refArea ?area ; kg:refYear ?year .
  }
}
WHERE {
  { SELECT ?t ?a ?indicator ?area ?year ?missed (MIN(?i) AS ?indicatorName) (MIN(?d) AS ?areaName) WHERE {
      ?slice qb:sliceStructure kg:seriesYearKey ; kg:refArea ?area ; kg:refYear ?year ; qb:observation ?t , ?a .
      ?t kg:valueKind kg:valuekind-target ; kg:indicator ?indicator ; kg:value ?tv .
      ?a kg:valueKind kg:valuekind-actual .
      OPTIONAL { ?t kg:comparator ?tc }
      OPTIONAL { ?a kg:value ?av }
      OPTIONAL { ?a kg:valueMin ?amin }
      OPTIONAL { ?a kg:valueMax ?amax }
      OPTIONAL { ?indicator kg:desiredDirection ?dir }
      BIND(COALESCE(?tc, "") AS ?cmp)
      BIND(REGEX(?cmp, "^(<|≤|以内|以下|不高于|低于|不超过)") AS ?upperBound)
      BIND(REGEX(?cmp, "^(>|≥|以上|余|不少于|不低于|超过|高于)") AS ?lowerBound)
      BIND(?upperBound || (!?lowerBound && ?dir = kg:direction-lower) AS ?lowerIsBetter)
      BIND(IF(?cmp = "左右", 0.05, 0.0) AS ?slack)
      BIND(IF(?lowerIsBetter, COALESCE(?amin, ?av), COALESCE(?amax, ?av)) AS ?actualValue)
      FILTER(BOUND(?actualValue))
      BIND(IF(?lowerIsBetter, ?actualValue > ?tv * (1 + ?slack), ?actualValue < ?tv * (1 - ?slack)) AS ?missed)
      FILTER(BOUND(?missed))  # values that do not compare are not judged
      ?indicator rdfs:label ?i .
      ?area rdfs:label ?d .
    } GROUP BY ?t ?a ?indicator ?area ?year ?missed }
  ?t kg:valueText ?targetText .
  ?a kg:valueText ?actualText .
  BIND(IF(?missed, kg:outcome-missed, kg:outcome-met) AS ?result)
  BIND(IRI(CONCAT(?outcomeBase, MD5(CONCAT(STR(?t), " ", STR(?a))))) AS ?outcome)
  BIND(STRLANG(CONCAT(?areaName, " · ", ?indicatorName, " ", STR(?year), "：目标 ", ?targetText, "，实际 ",
                      ?actualText, IF(?missed, "（未完成）", "（完成）")), "zh") AS ?label)
}"""

UPDATES = (_ABOUT_PROJECT, _STATUS_REPORTS, _STATUS_DISTRICTS, _TASK_COUNTS, _TARGET_OUTCOMES)  # in order: the
# first derives what the next two read


def summarize(store: ox.Store, graph_iri: str, base_iri: str) -> None:
    """Derive the summaries from the store's merge into ``graph_iri`` and into the merge itself; derived
    nodes get IRIs under ``base_iri``."""
    # Bound in the text: Store.update takes no substitutions. Serialized terms, never raw text.
    terms = {"?summaries": str(ox.NamedNode(graph_iri)), "?countBase": str(ox.Literal(f"{base_iri}id/taskcount/")),
             "?outcomeBase": str(ox.Literal(f"{base_iri}id/outcome/"))}
    for update in UPDATES:
        for variable, term in terms.items():
            update = update.replace(variable, term)
        store.update(update, prefixes=PREFIX_MAP)
