"""The web pages through Flask's test client, against the small fixture store of ``web_support``."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote

import pytest
from rdflib import Graph
from rdflib.namespace import DCAT, RDF
from web_support import BASE, SOURCE, XSS_NAME, fixture_home, make_app

HTML = {"Accept": "text/html"}
HAIDIAN, XUEYUAN, PKU = BASE + "id/place/haidian", BASE + "id/place/xueyuanlu", BASE + "id/org/pku"
PAGES = [
    "/", "/search?q=海淀", "/search?type=" + quote("https://kg.haidian.example/ontology#Canteen"),
    "/id/place/haidian", "/id/place/xueyuanlu", "/id/org/zgc", "/id/facility/xss-canteen",
    "/id/indicator/gdp-growth", "/id/project/xishan-2", f"/source/{SOURCE}", f"/source/{SOURCE}?hl=10-13",
    "/explore", "/explore?iri=" + quote(HAIDIAN), "/query", "/validation", "/downloads",
    "/resource?iri=" + quote("https://kg.haidian.example/ontology#Place"),
]


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory):  # noqa: ANN201
    settings = fixture_home(tmp_path_factory.mktemp("web"))
    app = make_app(settings)
    app.testing = True
    return app.test_client()


def page(client, url: str, lang: str | None = None) -> str:  # noqa: ANN001
    if lang:
        client.set_cookie("lang", lang)
    try:
        response = client.get(url, headers=HTML)
    finally:
        client.delete_cookie("lang")
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


@pytest.mark.parametrize("url", PAGES)
def test_every_page_renders_with_security_headers(client, url: str) -> None:  # noqa: ANN001
    response = client.get(url, headers=HTML)
    assert response.status_code == 200
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp and "unsafe" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"


@pytest.mark.parametrize("url", PAGES)
def test_no_document_markup_is_ever_emitted(client, url: str) -> None:  # noqa: ANN001
    html = page(client, url)
    assert "<script>window.__xss" not in html
    assert "<img src=x" not in html and "<svg onload" not in html
    assert "onerror=" not in html.replace("onerror=&#34;", "").replace("onerror=&quot;", "")


@pytest.mark.parametrize("url", PAGES)
def test_pages_load_nothing_from_outside_and_run_no_inline_script(client, url: str) -> None:  # noqa: ANN001
    html = page(client, url)
    for tag in re.findall(r"<(?:script|link|img)\b[^>]*>", html):
        source = re.search(r'(?:src|href)="([^"]*)"', tag)
        if source:
            assert source[1].startswith("/"), tag
    for script in re.findall(r"<script\b([^>]*)>(.*?)</script>", html, re.S):
        assert script[1].strip() == "" or 'type="application/json"' in script[0]
    links = re.findall(r'href="([^"]*)"', html)
    assert not [link for link in links if link.startswith(BASE)], "entity links must be local paths"


def test_search_ranks_exact_then_prefix_then_substring(client) -> None:  # noqa: ANN001
    results = client.get("/api/search?q=海淀").json["results"]
    assert results[0]["iri"] == HAIDIAN  # its alternative name 海淀 is an exact match
    labels = [r["label"] for r in client.get("/api/search?q=学院路").json["results"]]
    assert labels[0] == "学院路街道"
    assert client.get("/api/search?q=路街").json["results"][0]["label"] == "学院路街道"  # substring


def test_search_by_pinyin_initials_and_full_pinyin(client) -> None:  # noqa: ANN001
    assert client.get("/api/search?q=hdq").json["results"][0]["iri"] == HAIDIAN
    assert client.get("/api/search?q=xyljd").json["results"][0]["iri"] == XUEYUAN
    assert client.get("/api/search?q=beijingda").json["results"][0]["iri"] == PKU
    assert client.get("/api/search?q=BJDX").json["results"][0]["iri"] == PKU


def test_search_type_filter_and_facets(client) -> None:  # noqa: ANN001
    data = client.get("/api/search?q=学院&type=" + quote(BASE[:-1] + "/ontology#Organization")).json
    assert data["results"] == []
    assert {f["label"] for f in data["facets"]} >= {"行政区划"}
    canteens = client.get("/api/search?type=" + quote(BASE + "ontology#Canteen")).json["results"]
    assert [r["label"] for r in canteens] == [XSS_NAME]


def test_search_ties_are_broken_by_degree(client) -> None:  # noqa: ANN001
    results = client.get("/api/search?q=区").json["results"]
    degrees = [r["degree"] for r in results if r["label"] in ("海淀区",)]
    assert degrees and degrees[0] > 0


def test_entity_page_facts_sources_and_formats(client) -> None:  # noqa: ANN001
    html = page(client, "/id/place/xueyuanlu")
    assert "<h1>学院路街道</h1>" in html and "行政区划" in html
    assert ">位于</a>" in html  # the property's label from the ontology, in Chinese
    assert "<mark>学院路街道</mark>" in html and "<mark>海淀区</mark>" in html
    assert re.search(rf'href="/source/{SOURCE}\?hl=\d+-\d+#seg-sentence-\d+"', html)
    assert 'href="/id/place/xueyuanlu?format=ttl"' in html and 'href="/id/place/xueyuanlu?format=jsonld"' in html
    assert "北京大学" in html  # what lies in it
    english = page(client, "/id/place/xueyuanlu", lang="en")
    assert ">located in</a>" in english and "Xueyuanlu Subdistrict" in english


def test_place_lists_what_lies_in_it(client) -> None:  # noqa: ANN001
    html = page(client, "/id/place/haidian")
    section = html.split("位于此地的", 1)[1].split("</section>", 1)[0]
    assert "学院路街道" in section and "西山步道二期" in section
    assert "海淀" in html.split("别名", 1)[1][:200]


def test_indicator_chart_targets_against_actuals(client) -> None:  # noqa: ANN001
    html = page(client, "/id/indicator/gdp-growth")
    svg = html.split("<svg", 1)[1].split("</svg>", 1)[0]
    assert svg.count("<circle") == 5 and svg.count("<polyline") == 2
    assert "series-target" in svg and "series-actual" in svg
    assert "<td>2024</td><td>实际值</td><td>6.0%</td>" in html.replace("\n", "")


def test_the_district_an_entity_is_named_in_is_in_its_header_not_its_facts(client) -> None:  # noqa: ANN001
    html = page(client, "/id/org/pku")
    header = html.split('<header class="entity-head">', 1)[1].split("</header>", 1)[0]
    assert '<p class="named-in"><span>见于报告:</span>' in header and 'href="/id/place/haidian">海淀区</a>' in header
    assert "namedIn" not in html.split("</header>", 1)[1]


def test_indicator_chart_is_one_districts_series(client) -> None:  # noqa: ANN001
    """Another district's observation of the same indicator is its own chart, chosen by ?district=, not a
    sixth point on Haidian's line."""
    html = page(client, "/id/indicator/gdp-growth")
    assert "<h2>目标与实际 · 海淀区</h2>" in html and '<select name="district">' in html
    assert html.index(">海淀区</option>") < html.index(">西城区</option>")
    other = page(client, "/id/indicator/gdp-growth?district=https://kg.haidian.example/id/place/xicheng")
    svg = other.split("<svg", 1)[1].split("</svg>", 1)[0]
    assert svg.count("<circle") == 1 and "4.8%" in svg and "<h2>目标与实际 · 西城区</h2>" in other


def test_project_status_timeline(client) -> None:  # noqa: ANN001
    html = page(client, "/id/project/xishan-2")
    timeline = html.split('class="timeline"', 1)[1].split("</ol>", 1)[0]
    assert timeline.index("2023") < timeline.index("计划") < timeline.index("2024") < timeline.index("在建")


def test_source_view_marks_mentions_and_the_requested_span(client) -> None:  # noqa: ANN001
    html = page(client, f"/source/{SOURCE}")
    assert html.count('class="mention"') >= 8
    assert '<a class="mention" href="/id/org/pku"' in html
    assert '<aside class="box"' in html and "<td " in html
    link = re.search(r'href="(/source/[^"]+)"', page(client, "/id/org/pku"))[1].replace("&amp;", "&")
    marked = page(client, link)
    assert '<a class="mention hl" href="/id/' in marked  # the fact's first mention in its sentence
    assert '<mark class="hl" id="hl">位于</mark>' in page(client, f"/source/{SOURCE}?hl=66-68")


def test_unknown_things_are_404(client) -> None:  # noqa: ANN001
    assert client.get("/source/nope", headers=HTML).status_code == 404
    assert client.get("/resource?iri=" + quote(BASE + "id/place/nowhere"), headers=HTML).status_code == 404
    assert client.get("/source/..%2F..", headers=HTML).status_code == 404


def test_explorer_api_neighbours_describe_and_path(client) -> None:  # noqa: ANN001
    data = client.get("/api/graph/node?iri=" + quote(HAIDIAN)).json
    ids = {n["id"] for n in data["nodes"]}
    assert {HAIDIAN, XUEYUAN, BASE + "id/project/xishan-2"} <= ids
    assert all(n["path"].startswith("/") for n in data["nodes"])
    assert not any("/mention/" in i or "/statement/" in i for i in ids)
    path = client.get(f"/api/graph/path?from={quote(PKU)}&to={quote(BASE + 'id/project/xishan-2')}").json
    assert path["found"] and [n["label"] for n in path["nodes"]] == ["北京大学", "学院路街道", "海淀区", "西山步道二期"]
    assert client.get(f"/api/graph/path?from={quote(PKU)}&to={quote(BASE + 'id/sector/ai')}").json["found"] is False
    located_in = BASE + "ontology#locatedIn"
    described = client.post("/api/graph/describe", json={"iris": [PKU], "props": [located_in]}).json
    assert described["nodes"][0]["group"] == "Organization" and described["props"][located_in] == "位于"


def test_sparql_page_lists_saved_queries_and_completions(client) -> None:  # noqa: ANN001
    html = page(client, "/query")
    assert "Places and what they lie in" in html
    assert "kg:locatedIn" in html.split('id="completions"', 1)[1]


def test_validation_page_groups_by_shape_and_links_focus(client) -> None:  # noqa: ANN001
    html = page(client, "/validation")
    assert "https://kg.haidian.example/shapes#Facility" in html
    assert 'href="/id/facility/xss-canteen"' in html and "&lt;script&gt;" in html


def test_downloads_generate_dumps_and_describe_them_in_dcat(client) -> None:  # noqa: ANN001
    assert "kg.ttl" in page(client, "/downloads")
    response = client.get("/downloads/kg.ttl")
    assert response.status_code == 200 and response.mimetype == "text/turtle"
    assert len(Graph().parse(data=response.get_data(as_text=True), format="turtle")) > 400
    assert client.get("/downloads/kg.nt").get_data(as_text=True).endswith(" .\n")
    assert client.get("/downloads/../secret").status_code == 404
    dcat = Graph().parse(data=client.get("/downloads/dcat.ttl").get_data(as_text=True), format="turtle")
    dataset = next(dcat.subjects(RDF.type, DCAT.Dataset))
    assert len(list(dcat.objects(dataset, DCAT.distribution))) == 5
    assert any(True for _ in dcat.objects(None, DCAT.byteSize))  # the dumps made above have sizes


def test_language_switch_keeps_the_page_and_never_leaves_the_site(client) -> None:  # noqa: ANN001
    response = client.get("/lang/en?next=/search%3Fq%3Dhd")
    assert response.status_code == 302 and response.headers["Location"] == "/search?q=hd"
    assert "lang=en" in response.headers["Set-Cookie"]
    for evil in ("//evil.example/", "https://evil.example/", "/\\evil.example"):
        assert client.get("/lang/zh?next=" + quote(evil)).headers["Location"] == "/"
    assert "Graph explorer" in page(client, "/", lang="en")
    assert "图谱浏览" in page(client, "/", lang="zh")


def test_vendored_assets_are_served_with_their_licences() -> None:
    vendor = Path(__file__).parents[1] / "web" / "static" / "vendor"
    names = ["vis-network/vis-network.min.js", "vis-network/vis-network.min.css", "vis-network/LICENSE-MIT",
             "codemirror/codemirror.js", "codemirror/sparql.js", "codemirror/show-hint.js", "codemirror/LICENSE"]
    for name in names:
        assert (vendor / name).stat().st_size > 0
    script = (vendor / "vis-network/vis-network.min.js").read_text(encoding="utf-8")
    assert 'if(!1){var C=document.head' in script  # the CSS injector a strict CSP would refuse stays off
    assert "sourceMappingURL" not in script


def test_pyvis_templates_would_reach_a_cdn_so_they_are_not_used() -> None:
    """Why the explorer drives vis-network itself: pyvis's own page template loads from CDNs."""
    import pyvis

    template = (Path(pyvis.__file__).parent / "templates" / "template.html").read_text(encoding="utf-8")
    assert "cdnjs.cloudflare.com" in template or "cdn.jsdelivr.net" in template
    web = Path(__file__).parents[1] / "web"
    for path in [*web.rglob("*.html"), *web.rglob("*.py"), *(web / "static" / "js").glob("*.js")]:
        text = path.read_text(encoding="utf-8")
        assert "cdnjs" not in text and "jsdelivr" not in text and "unpkg" not in text, path


def test_incoming_links_are_listed_per_property_with_how_many_more(client, monkeypatch) -> None:  # noqa: ANN001
    """Each property's first links, and a note of how many more: the ontology's 13 subclasses of
    kg:TextSegment, two listed. An indicator's observations are never read into its incoming links."""
    import web.entity_page

    monkeypatch.setattr(web.entity_page, "MAX_IN", 2)
    html = page(client, "/resource?iri=" + quote("https://kg.haidian.example/ontology#TextSegment"))
    section = html.split("指向此实体的链接", 1)[1].split("</section>", 1)[0]
    subclasses = section.split("rdf-schema%23subClassOf", 1)[1].split("<dt>", 1)[0]
    assert subclasses.count("<dd><a ") == 2 and '<dd class="note">另有 11 条未列出' in subclasses
    indicator = page(client, "/id/indicator/gdp-growth")
    assert "observation/gdp-" not in indicator.split("指向此实体的链接", 1)[-1]
