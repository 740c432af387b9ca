"""Saved queries: ``queries/*.rq`` listed at /queries (HTML or JSON) and run at /queries/NAME.

The header convention is documented in queries/README.md. Parameters are validated against their
declared type and bound as RDF terms: an inline ``VALUES`` of terms serialized by pyoxigraph (escaped,
never the caller's raw text), on the embedded store as on a remote one. A parameter's default is a
one-variable ``VALUES ?name { … }`` in the query body, which is dropped when the caller gives a value,
so every .rq file also runs as it is in any SPARQL tool.
"""

from __future__ import annotations

import datetime
import json
import re
import urllib.parse
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pyoxigraph as ox
from flask import Blueprint, Response, abort, current_app, render_template_string, request

from kg.export import PREFIX_MAP
from web.sparql import FORMAT_PARAMS, answer_query, error
from web.sparql_formats import negotiate
from web.sparql_text import values_block, variables, with_values

bp = Blueprint("saved_queries", __name__)

NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
XSD = "http://www.w3.org/2001/XMLSchema#"
MAX_VALUE = 500  # characters of one parameter value
LITERAL_TYPES = {  # declared type -> pattern its lexical form must match
    "xsd:string": r"[^\x00-\x08\x0b\x0c\x0e-\x1f]*",
    "xsd:integer": r"[+-]?\d{1,18}",
    "xsd:decimal": r"[+-]?(\d{1,18}(\.\d{0,18})?|\.\d{1,18})",
    "xsd:double": r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?|INF|-INF|NaN",
    "xsd:boolean": r"true|false|1|0",
    "xsd:date": r"\d{4}-\d{2}-\d{2}",
    "xsd:gYear": r"-?\d{4}",
}
LANG_TYPE = re.compile(r"@[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*")
# A body line "#@when NAME: PATTERN" is a comment (the file runs as it is: every value) until a caller
# gives NAME; then its pattern joins the query. For a parameter that narrows by a join which, unbound,
# would repeat rows (a filter that tests it, Oxigraph evaluates after the rest of the group).
WHEN = re.compile(r"^([ \t]*)#@when[ \t]+([A-Za-z_][A-Za-z0-9_]*)[ \t]*:[ \t]*(.*)$", re.MULTILINE)


@dataclass
class Param:
    name: str
    type: str
    label: str
    default: str | None = None  # the VALUES default in the body, as written


@dataclass
class SavedQuery:
    name: str
    title: str
    title_zh: str
    title_en: str
    description: str
    params: list[Param]
    text: str
    problems: list[str] = field(default_factory=list)

    def summary(self) -> dict:
        found = asdict(self)
        found.pop("text")
        found["url"] = f"/queries/{self.name}"
        found["source"] = f"/queries/{self.name}.rq"
        return found


# --- reading the files ---------------------------------------------------------------------------

def load(path: Path) -> SavedQuery:
    text = path.read_text(encoding="utf-8")
    header = _header_lines(text)
    title, description, params = _parse_header(header)
    names = re.split(r"\s+[/|]\s+", title, maxsplit=1)
    zh, en = names[0], names[1] if len(names) > 1 else ""
    found = SavedQuery(path.stem, title or path.stem, zh, en, description, params, text)
    used = variables(text)
    for param in params:
        if param.name not in used:
            found.problems.append(f"parameter {param.name!r} is not a variable (?{param.name}) of the query")
        if param.type not in LITERAL_TYPES and param.type != "iri" and not LANG_TYPE.fullmatch(param.type):
            found.problems.append(f"parameter {param.name!r} has an unknown type {param.type!r}")
        span = values_block(text, param.name)
        if span:
            param.default = text[span[0]:span[1]].split("{", 1)[1].rstrip("}").strip()
    declared = {p.name for p in params}
    for when in WHEN.finditer(text):
        if when[2] not in declared:
            found.problems.append(f"#@when {when[2]}: names no parameter of the query")
    return found


def _header_lines(text: str) -> list[str]:
    lines = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        lines.append(line[1:])
    return lines


def _parse_header(lines: list[str]) -> tuple[str, str, list[Param]]:
    title, description, params = "", [], []
    for raw in lines:
        line = raw.strip()
        if line.startswith("@param"):
            parts = line.split(None, 3)
            if len(parts) >= 3:
                params.append(Param(parts[1].lstrip("?$"), parts[2], parts[3] if len(parts) > 3 else ""))
        elif line.lower().startswith("title:"):
            title = line[6:].strip()
        elif line.lower().startswith("description:"):
            description.append(line[12:].strip())
        elif line and not title:
            title = line  # a file without tags: its first comment line is the title
        elif line:
            description.append(line)
    return title, " ".join(description), params


def catalogue(folder: Path) -> dict[str, SavedQuery]:
    return {p.stem: load(p) for p in sorted(folder.glob("*.rq"))} if folder.is_dir() else {}


def find(name: str) -> SavedQuery:
    folder: Path = current_app.config["KG_SETTINGS"].queries_dir
    path = folder / f"{name}.rq"
    if not NAME.fullmatch(name) or not path.is_file():
        abort(404)
    return load(path)


# --- parameter values ----------------------------------------------------------------------------

class BadParameter(ValueError):
    pass


def term(param: Param, value: str) -> ox.NamedNode | ox.Literal:
    """A validated value as an RDF term, by the declared type."""
    if len(value) > MAX_VALUE:
        raise BadParameter(f"{param.name}: longer than {MAX_VALUE} characters")
    if param.type == "iri":
        return ox.NamedNode(_iri(param, value))
    if LANG_TYPE.fullmatch(param.type):
        _check(param, value, LITERAL_TYPES["xsd:string"])
        return ox.Literal(value, language=param.type[1:])
    pattern = LITERAL_TYPES.get(param.type)
    if pattern is None:
        raise BadParameter(f"{param.name}: the query declares an unknown type {param.type!r}")
    _check(param, value, pattern)
    if param.type == "xsd:date":
        try:
            datetime.date.fromisoformat(value)
        except ValueError as exc:
            raise BadParameter(f"{param.name}: {value!r} is not a date ({exc})") from exc
    if param.type == "xsd:string":
        return ox.Literal(value)
    return ox.Literal(value, datatype=ox.NamedNode(XSD + param.type.split(":", 1)[1]))


def _check(param: Param, value: str, pattern: str) -> None:
    if not re.fullmatch(pattern, value):
        raise BadParameter(f"{param.name}: {value!r} is not a valid {param.type}")


def _iri(param: Param, value: str) -> str:
    """An absolute IRI, a path of this site (/id/…), or a prefixed name (kg:Canteen)."""
    settings = current_app.config["KG_SETTINGS"]
    if value.startswith("/id/"):
        value = settings.base_iri + value[1:]
    elif re.fullmatch(r"[A-Za-z][\w-]*:[^/\s]*", value) and value.split(":", 1)[0] in PREFIX_MAP:
        prefix, local = value.split(":", 1)
        value = PREFIX_MAP[prefix] + local
    try:
        ox.NamedNode(value)
    except ValueError as exc:
        raise BadParameter(f"{param.name}: {value!r} is not an IRI ({exc})") from exc
    if not re.match(r"[A-Za-z][A-Za-z0-9+.-]*:", value):
        raise BadParameter(f"{param.name}: {value!r} is not an absolute IRI")
    return value


def bind(query: SavedQuery, args: dict[str, str]) -> str:
    """The text to run: defaults of given parameters dropped, their ``#@when`` patterns switched on, the
    values bound by an inline VALUES of serialized terms (one way for every store: the store plans the
    query knowing them)."""
    declared = {p.name: p for p in query.params}
    unknown = sorted(set(args) - set(declared))
    if unknown:
        raise BadParameter(f"unknown parameter(s) {', '.join(unknown)}; this query takes: "
                           f"{', '.join(declared) or 'none'}")
    text = WHEN.sub(lambda m: m[1] + m[3] if m[2] in args else m[0], query.text)
    bindings = {}
    for name, value in args.items():
        bindings[name] = str(term(declared[name], value))
        span = values_block(text, name)
        if span:
            text = text[:span[0]] + text[span[1]:]
    try:
        return with_values(text, bindings)
    except ValueError as exc:
        raise BadParameter(str(exc)) from exc


# --- routes --------------------------------------------------------------------------------------

def _wants_json() -> bool:
    formats = [f.lower() for f in request.args.getlist("format")]
    if formats:
        return formats[0] == "json"
    return not negotiate(request.headers.get("Accept"), ()).html and "json" in request.headers.get("Accept", "")


@bp.get("/queries")
def listing() -> Response:
    found = catalogue(current_app.config["KG_SETTINGS"].queries_dir)
    if _wants_json():
        body = json.dumps({"queries": [q.summary() for q in found.values()]}, ensure_ascii=False, indent=1)
        return Response(body, content_type="application/json", headers={"Vary": "Accept"})
    return Response(render_template_string(LIST_PAGE, queries=found.values()),
                    content_type="text/html; charset=utf-8", headers={"Vary": "Accept"})


@bp.get("/queries/<name>.rq")
def source(name: str) -> Response:
    return Response(find(name).text, content_type="application/sparql-query; charset=utf-8")


@bp.get("/queries/<name>")
def run(name: str) -> Response:
    query = find(name)
    args = {k: v for k, v in request.args.items() if k not in (*FORMAT_PARAMS, PAGE_PARAM)}
    try:
        text = bind(query, args)
    except BadParameter as exc:
        return error(400, str(exc))
    if negotiate(request.headers.get("Accept"), request.args.getlist("format")).html:
        return _html_run(query, text, args)
    return answer_query(text)


def page_job(text: str, cap: int) -> dict:
    """The job of a saved query's page: its table as JSON, capped."""
    return {"query": text, "table": "json", "graph": "ttl", "cap": cap}


# The warm-up's own time limit per saved query: a page over the whole corpus may take longer than a
# visitor's query may (projects-in-both-reports over every district: 11 s at 1,000 synthetic reports).
WARM_TIMEOUT = 300.0


def warm_pages() -> None:
    """Run every saved query's page as first opened (no parameter given), so that one slow over the whole
    corpus is kept by the result cache before a visitor asks (web.result_cache), even one longer than the
    endpoint's time limit."""
    from web.sparql import run_job

    settings = current_app.config["KG_SETTINGS"]
    for query in catalogue(settings.queries_dir).values():
        run_job(page_job(bind(query, {}), settings.result_cap), max(WARM_TIMEOUT, settings.query_timeout))


# The page shows its table PAGE_ROWS rows at a time (?page=N): the page of a kept 10,000-row answer at
# 1,000 reports took 200 ms, nearly all of it rendering rows nobody reads on one page (now 71 ms, most of it
# reading the answer back); the downloads give every row.
PAGE_ROWS, PAGE_PARAM = 500, "page"


def _page_number(total_rows: int) -> tuple[int, int]:
    """The page asked for (1 if not a number), kept within the pages there are, and how many there are."""
    pages = max(1, -(-total_rows // PAGE_ROWS))
    asked = request.args.get(PAGE_PARAM, "1")
    number = int(asked) if asked.isdigit() else 1
    return min(max(number, 1), pages), pages


def _html_run(query: SavedQuery, text: str, args: dict[str, str]) -> Response:
    """A browser gets the results as a table, a page of rows at a time (run as JSON through the same
    guarded path)."""
    from web.sparql import run_job

    settings = current_app.config["KG_SETTINGS"]
    answer = run_job(page_job(text, settings.result_cap), settings.query_timeout)
    table, message, rows, number, pages = None, None, [], 1, 1
    if answer.status_code == 200 and answer.mimetype == "application/sparql-results+json":
        table = json.loads(answer.get_data())
        bindings = table.get("results", {}).get("bindings", [])
        number, pages = _page_number(len(bindings))
        rows = bindings[(number - 1) * PAGE_ROWS:number * PAGE_ROWS]
    else:
        message = answer.get_data(as_text=True)
    page = render_template_string(RUN_PAGE, q=query, args=args, table=table, message=message, rows=rows,
                                  page=number, pages=pages, first=(number - 1) * PAGE_ROWS + 1,
                                  here=urllib.parse.urlencode(args) + "&" if args else "",
                                  truncated=answer.headers.get("X-KG-Truncated") == "true")
    return Response(page, status=answer.status_code, content_type="text/html; charset=utf-8",
                    headers={"Vary": "Accept"})


LIST_PAGE = """{% extends "base.html" %}
{% block title %}Saved queries{% endblock %}
{% block main %}
<h1>保存的查询 · Saved queries</h1>
<p>Each runs at <code>/queries/NAME</code> with its parameters as URL parameters; results by content
negotiation as on <a href="/sparql">/sparql</a> (or <code>?format=json|xml|csv|tsv</code>).
This list as <a href="/queries?format=json">JSON</a>.</p>
<dl class="saved-queries">
{% for q in queries %}
  <dt><a href="/queries/{{ q.name }}">{{ q.title }}</a>
    <small>(<a href="/queries/{{ q.name }}.rq">{{ q.name }}.rq</a>)</small></dt>
  <dd>{{ q.description }}
  {% if q.params %}<ul>{% for p in q.params %}<li><code>{{ p.name }}</code> ({{ p.type }}) {{ p.label }}
    {% if p.default %} — default {{ p.default }}{% endif %}</li>{% endfor %}</ul>{% endif %}
  {% for problem in q.problems %}<p class="problem">⚠ {{ problem }}</p>{% endfor %}
  </dd>
{% endfor %}
</dl>
{% endblock %}
"""

RUN_PAGE = """{% extends "base.html" %}
{% block title %}{{ q.title }}{% endblock %}
{% block main %}
<h1>{{ q.title }}</h1>
<p>{{ q.description }}</p>
{% if q.params %}
<form method="get" action="/queries/{{ q.name }}">
{% for p in q.params %}<label>{{ p.name }} <small>{{ p.type }} {{ p.label }}</small>
  <input name="{{ p.name }}" value="{{ args.get(p.name, '') }}" placeholder="{{ p.default or '' }}"></label>
{% endfor %}<button type="submit">Run</button></form>
{% endif %}
<p>Download: {% for f in ['json', 'xml', 'csv', 'tsv'] %}<a href="?{{ here }}format={{ f }}">{{ f }}</a> {% endfor %}
· <a href="/queries/{{ q.name }}.rq">{{ q.name }}.rq</a></p>
{% if message %}<pre class="error">{{ message }}</pre>{% endif %}
{% if table %}
{% if truncated %}<p class="warning">The result was cut at the row limit.</p>{% endif %}
{% if 'boolean' in table %}<p>{{ table.boolean }}</p>{% else %}
{% set total = table.results.bindings | length %}
{% macro pager() %}{% if pages > 1 %}<nav class="pager">
  Rows {{ first }}–{{ first + rows | length - 1 }} of {{ total }} ·
  {% for n in range(1, pages + 1) %}{% if n == page %}<strong>{{ n }}</strong>
  {% else %}<a href="?{{ here }}page={{ n }}">{{ n }}</a>{% endif %} {% endfor %}
</nav>{% endif %}{% endmacro %}
{{ pager() }}
<table><thead><tr>{% for v in table.head.vars %}<th>{{ v }}</th>{% endfor %}</tr></thead><tbody>
{% for row in rows %}<tr>{% for v in table.head.vars %}
  <td>{% if v in row %}{{ row[v].value }}{% endif %}</td>{% endfor %}</tr>
{% endfor %}</tbody></table>
{{ pager() }}
{% endif %}{% endif %}
{% endblock %}
"""
