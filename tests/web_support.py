"""A small store for the web tests: one report with its structure, mentions and statements, places,
organizations, a project with status records, an indicator with observations, and names that carry
HTML (``<script>``, ``<img onerror>``) to prove that nothing from a document is ever run as markup.

Written into the real store layout (builds/<id>/oxigraph, build.json, validation/, ``current``), so the
app reads it exactly as it reads a built store.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, PROV, QB, RDF, RDFS, SKOS, XSD

from kg.build import derive_summaries
from kg.config import PROJECT_ROOT, Settings, load_settings
from kg.links import LINKS_FILE, append_links, entity_links
from kg.rdf.document import selector_triples
from kg.rdf.namespaces import KG, bind_prefixes
from kg.store import StoreLayout, load_graph

BASE = "https://kg.haidian.example/"
ID = Namespace(BASE + "id/")
SOURCE = "fixture-2024"
XSS_NAME = '<script>window.__xss=1</script>食堂<img src=x onerror="window.__xss=1">'
XSS_ALT = '"><svg onload="window.__xss=1">'
FIXTURES = Path(__file__).parent / "fixtures" / "web"

LINES = [
    ("title", "关于海淀区2024年计划执行情况的报告"),
    ("part", "一、主要成绩"),
    ("para", "海淀区地区生产总值增长6.0%。中关村科学城推进人工智能产业发展。"),
    ("para", "学院路街道位于海淀区，北京大学位于学院路街道。"),
    ("part", "二、2025年计划"),
    ("para", f"海淀区推进西山步道二期建设。{XSS_NAME}设于学院路街道。"),
    ("box", "专栏1 重点项目"),
    ("row", "西山步道二期\t在建"),
]
TEXT = "\n".join(line for _, line in LINES) + "\n"

ENTITIES = {  # key: (IRI, class, zh label, en label)
    "haidian": (ID["place/haidian"], KG.AdministrativeArea, "海淀区", "Haidian District"),
    "xueyuan": (ID["place/xueyuanlu"], KG.AdministrativeArea, "学院路街道", "Xueyuanlu Subdistrict"),
    "pku": (ID["org/pku"], KG.Organization, "北京大学", "Peking University"),
    "zgc": (ID["org/zgc"], KG.Organization, "中关村科学城", "Zhongguancun Science City"),
    "xishan": (ID["project/xishan-2"], KG.Project, "西山步道二期", "Xishan trail phase 2"),
    "canteen": (ID["facility/xss-canteen"], KG.Canteen, XSS_NAME, None),
    "ai": (ID["sector/ai"], SKOS.Concept, "人工智能", "Artificial intelligence"),
    "gdp": (ID["indicator/gdp-growth"], KG.Indicator, "地区生产总值增速", "GDP growth"),
}
MENTIONS = {
    "haidian": "海淀区",
    "xueyuan": "学院路街道",
    "pku": "北京大学",
    "zgc": "中关村科学城",
    "xishan": "西山步道二期",
    "canteen": XSS_NAME,
    "ai": "人工智能",
}
FACTS = [  # (subject, predicate, object, sentence containing it)
    ("xueyuan", KG.locatedIn, "haidian", "学院路街道位于海淀区，北京大学位于学院路街道。"),
    ("pku", KG.locatedIn, "xueyuan", "学院路街道位于海淀区，北京大学位于学院路街道。"),
    ("xishan", KG.locatedIn, "haidian", "海淀区推进西山步道二期建设。"),
    ("canteen", KG.locatedIn, "xueyuan", f"{XSS_NAME}设于学院路街道。"),
    ("zgc", KG.addressesSector, "ai", "中关村科学城推进人工智能产业发展。"),
]
OBSERVATIONS = [
    ("2023", "target", 5.0),
    ("2023", "actual", 5.2),
    ("2024", "target", 5.5),
    ("2024", "actual", 6.0),
    ("2025", "target", 5.5),
]


class Doc:
    """Segments of the fixture report, with offsets into TEXT, as the RDF of kg.rdf.document has them."""

    def __init__(self, graph: Graph) -> None:
        self.graph, self.doc = graph, ID[f"doc/{SOURCE}"]
        self.sentences: list[tuple[int, int, URIRef]] = []
        self.counts: dict[str, int] = {}

    def segment(
        self,
        path: str,
        cls: URIRef,
        parent: URIRef,
        order: int,
        start: int,
        end: int,
        text: bool = False,
        label: str | None = None,
    ) -> URIRef:
        iri = ID[f"doc/{SOURCE}/{path}"]
        g = self.graph
        for t in [
            (iri, RDF.type, cls),
            (iri, KG.document, self.doc),
            (iri, DCTERMS.isPartOf, parent),
            (iri, KG.order, Literal(order)),
            *selector_triples(iri, self.doc, start, end, TEXT[start:end]),
        ]:
            g.add(t)
        if text:
            g.add((iri, KG.text, Literal(TEXT[start:end], lang="zh")))
        if label:
            g.add((iri, RDFS.label, Literal(label, lang="zh")))
        if cls in (KG.Sentence, KG.TitleBlock):
            self.sentences.append((start, end, iri))
        return iri

    def sentence_at(self, sentence: str) -> tuple[int, URIRef]:
        start = TEXT.index(sentence)
        return start, next(iri for s, e, iri in self.sentences if s <= start < e)

    def count(self, kind: str) -> int:
        self.counts[kind] = self.counts.get(kind, 0) + 1
        return self.counts[kind]


def _structure(doc: Doc) -> None:
    at, part, box = 0, None, None
    for kind, line in LINES:
        start, end = at, at + len(line)
        at = end + 1
        if kind == "title":
            doc.segment("title", KG.TitleBlock, doc.doc, 1, start, end, text=True)
        elif kind == "part":
            n = doc.count("part")
            part = doc.segment(f"part/{n}", KG.Part, doc.doc, n + 1, start, end, label=line[2:])
            doc.graph.add((part, KG.number, Literal("一二"[n - 1])))
        elif kind == "para":
            para = doc.segment(f"paragraph/{doc.count('paragraph')}", KG.Paragraph, part, 1, start, end)
            for i, piece in enumerate(p + "。" for p in line.split("。") if p):
                s = start + line.index(piece)
                doc.segment(
                    f"sentence/{doc.count('sentence')}",
                    KG.Sentence,
                    para,
                    i + 1,
                    s,
                    s + len(piece),
                    text=True,
                )
        elif kind == "box":
            box = doc.segment("box/1", KG.Box, part, 9, start, end, label=line)
        else:
            table = doc.segment("box/1/table", KG.Table, box, 1, start, end)
            row = doc.segment("box/1/table/row/1", KG.TableRow, table, 1, start, end)
            for i, cell in enumerate(line.split("\t"), 1):
                s = start + line.index(cell)
                c = doc.segment(f"box/1/table/row/1/cell/{i}", KG.TableCell, row, i, s, s + len(cell))
                sent = doc.segment(
                    f"sentence/{doc.count('sentence')}", KG.Sentence, c, 1, s, s + len(cell), text=True
                )
                doc.graph.add((sent, DCTERMS.isPartOf, c))


def _entities(g: Graph) -> None:
    for iri, cls, zh, en in ENTITIES.values():
        g.add((iri, RDF.type, cls))
        g.add((iri, RDFS.label, Literal(zh, lang="zh")))
        if en:
            g.add((iri, RDFS.label, Literal(en, lang="en")))
    g.add((ENTITIES["haidian"][0], SKOS.altLabel, Literal("海淀", lang="zh")))
    g.add((ENTITIES["canteen"][0], SKOS.altLabel, Literal(XSS_ALT, lang="zh")))
    g.add((ENTITIES["canteen"][0], KG.address, Literal(XSS_NAME + "路1号")))
    g.add((ENTITIES["xishan"][0], KG.phase, Literal("二期")))
    g.add((ENTITIES["gdp"][0], KG.unit, Literal("%")))
    g.add((ENTITIES["pku"][0], KG.namedIn, ENTITIES["haidian"][0]))  # as kg.extract.report.named_in gives


def _mentions_and_facts(doc: Doc) -> None:
    g = doc.graph
    for key, words in MENTIONS.items():
        entity, start = ENTITIES[key][0], -1
        while (start := TEXT.find(words, start + 1)) >= 0:
            m = ID[f"doc/{SOURCE}/mention/{start}-{start + len(words)}-{key}"]
            sentence = next(iri for s, e, iri in doc.sentences if s <= start < e)
            for t in [
                (m, RDF.type, KG.Mention),
                (m, KG.mentionOf, entity),
                (m, KG.document, doc.doc),
                (m, DCTERMS.isPartOf, sentence),
                (m, KG.sentence, sentence),
                (m, KG.order, Literal(1)),
                *selector_triples(m, doc.doc, start, start + len(words), words),
                (entity, PROV.wasDerivedFrom, m),
            ]:
                g.add(t)
    for n, (s, p, o, sentence) in enumerate(FACTS):
        subject, obj = ENTITIES[s][0], ENTITIES[o][0]
        g.add((subject, p, obj))
        st = ID[f"doc/{SOURCE}/statement/{n}"]
        _, seg = doc.sentence_at(sentence)
        for t in [
            (st, RDF.type, RDF.Statement),
            (st, RDF.subject, subject),
            (st, RDF.predicate, p),
            (st, RDF.object, obj),
            (st, KG.document, doc.doc),
            (st, PROV.wasDerivedFrom, seg),
        ]:
            g.add(t)


def _project_and_indicator(doc: Doc) -> None:
    g = doc.graph
    project, gdp = ENTITIES["xishan"][0], ENTITIES["gdp"][0]
    statuses = {"planned": ("计划", "planned"), "underway": ("在建", "under way")}
    for key, (zh, en) in statuses.items():
        g.add((ID[f"concept/status-{key}"], RDF.type, SKOS.Concept))
        g.add((ID[f"concept/status-{key}"], SKOS.prefLabel, Literal(zh, lang="zh")))
        g.add((ID[f"concept/status-{key}"], SKOS.prefLabel, Literal(en, lang="en")))
    for year, key, sentence in [
        ("2023", "planned", "海淀区推进西山步道二期建设。"),
        ("2024", "underway", "西山步道二期"),
    ]:
        record = ID[f"status/xishan-{year}"]
        g.add((project, KG.statusRecord, record))
        g.add((record, RDF.type, KG.StatusRecord))
        g.add((record, KG.year, Literal(year, datatype=XSD.gYear)))
        g.add((record, KG.status, ID[f"concept/status-{key}"]))
        g.add((record, PROV.wasDerivedFrom, doc.sentence_at(sentence)[1]))
    for kind, zh in (("target", "目标值"), ("actual", "实际值")):
        g.add((ID[f"concept/{kind}"], RDF.type, SKOS.Concept))
        g.add((ID[f"concept/{kind}"], SKOS.prefLabel, Literal(zh, lang="zh")))
        g.add((ID[f"concept/{kind}"], SKOS.prefLabel, Literal(kind, lang="en")))
    # Each district's observations are a series (a qb:Slice), as kg.extract.indicators makes them; one of
    # another district (西城区, after 海淀区 by name) must not join Haidian's line.
    series = {}
    for key, area in (("haidian", ENTITIES["haidian"][0]), ("xicheng", ID["place/xicheng"])):
        series[key] = ID[f"series/gdp-{key}"]
        for t in [(series[key], RDF.type, QB.Slice), (series[key], QB.sliceStructure, KG.seriesKey),
                  (series[key], KG.indicator, gdp), (series[key], KG.refArea, area)]:
            g.add(t)
    g.add((ID["place/xicheng"], RDFS.label, Literal("西城区", lang="zh")))
    for year, kind, value, key in [*((*o, "haidian") for o in OBSERVATIONS), ("2024", "actual", 4.8, "xicheng")]:
        obs = ID[f"observation/gdp-{key}-{year}-{kind}"]
        g.add((series[key], QB.observation, obs))
        for t in [
            (obs, RDF.type, QB.Observation),
            (obs, KG.indicator, gdp),
            (obs, KG.refYear, Literal(year, datatype=XSD.gYear)),
            (obs, KG.valueKind, ID[f"concept/{kind}"]),
            (obs, KG.value, Literal(str(value), datatype=XSD.decimal)),
            (obs, KG.valueText, Literal(f"{value}%")),
        ]:
            g.add(t)


def fixture_graph() -> Graph:
    g = Graph()
    bind_prefixes(g)
    doc = Doc(g)
    for t in [
        (doc.doc, RDF.type, KG.Report),
        (doc.doc, RDFS.label, Literal(XSS_NAME + "报告", lang="zh")),
        (doc.doc, DCTERMS.title, Literal(XSS_NAME + "报告", lang="zh")),
        (doc.doc, DCTERMS.identifier, Literal(SOURCE)),
        (doc.doc, KG.executionYear, Literal("2024", datatype=XSD.gYear)),
        (doc.doc, KG.planYear, Literal("2025", datatype=XSD.gYear)),
        (doc.doc, KG.district, ENTITIES["haidian"][0]),
    ]:
        g.add(t)
    _structure(doc)
    _entities(g)
    _mentions_and_facts(doc)
    _project_and_indicator(doc)
    return g


def write_store(settings: Settings, graph: Graph) -> Path:
    """Publish ``graph`` (plus the ontology and the summaries) as the current build of ``settings``' store."""
    layout = StoreLayout(settings.store_dir)
    build = layout.new_build_dir()
    st = ox.Store(str(build / "oxigraph"))
    ontology = Graph().parse(PROJECT_ROOT / "ontology" / "kg.ttl")
    for name, g in (("ontology", ontology), (SOURCE, graph)):
        load_graph(st, g.serialize(format="nt", encoding="utf-8"), BASE + "graph/" + name)
    append_links(build / LINKS_FILE, entity_links(graph, BASE))
    derive_summaries(st, build / LINKS_FILE, BASE)  # as a build does
    st.flush()
    del st
    (build / "validation").mkdir()
    shutil.copy(FIXTURES / "validation.ttl", build / "validation" / f"{SOURCE}.ttl")
    info = {"built_at": "2025-01-01T00:00:00Z", "base_iri": BASE, "documents": [{"id": SOURCE}]}
    (build / "build.json").write_text(json.dumps(info), encoding="utf-8")
    layout.swap_to(build)
    return build


def fixture_home(tmp: Path) -> Settings:
    settings = load_settings(tmp, env={})
    write_store(settings, fixture_graph())
    queries = tmp / "queries"
    queries.mkdir(exist_ok=True)
    (queries / "places.rq").write_text(
        "# Places and what they lie in\nSELECT ?place ?label ?in WHERE {\n"
        "  ?place kg:locatedIn ?in ; rdfs:label ?label .\n"
        '  FILTER(lang(?label) = "zh")\n} ORDER BY ?label\n',
        encoding="utf-8",
    )
    return load_settings(tmp, env={}, queries=str(queries))


def make_app(settings: Settings):  # noqa: ANN201 - a Flask app
    """The real app; routes other engineers own are stood in for only while they have not landed."""
    from web import create_app

    app = create_app(settings)
    rules = {r.rule.split("<")[0] for r in app.url_map.iter_rules()}
    if "/id/" not in rules:
        _stand_in_linked_data(app, settings)
    if "/sparql" not in rules:
        _stand_in_sparql(app)
    return app


def _stand_in_linked_data(app, settings: Settings) -> None:  # noqa: ANN001
    from flask import abort

    from web.entity_page import render_entity_page

    def entity(path: str) -> str:
        return render_entity_page(settings.base_iri + "id/" + path) or abort(404)

    app.add_url_rule("/id/<path:path>", "stand_in_id", entity)


def _stand_in_sparql(app) -> None:  # noqa: ANN001
    from flask import Response, request

    from kg.query import run_query, serialize_result
    from web.storeholder import store

    formats = {"text/csv": "csv", "application/n-triples": "nt", "text/turtle": "ttl"}

    def sparql() -> Response:
        result = run_query(store(), request.values["query"])
        accept = request.headers.get("Accept", "")
        fmt = next((f for mime, f in formats.items() if mime in accept), "json")
        if fmt == "json" and "Triples" in type(result).__name__:
            fmt = "nt"
        return Response(serialize_result(result, fmt), mimetype=accept.split(",")[0] or "application/json")

    app.add_url_rule("/sparql", "stand_in_sparql", sparql, methods=["GET", "POST"])
