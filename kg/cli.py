"""The `kg` command: build, validate, query, export, stats and serve the knowledge graph."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from kg.config import Settings, load_settings
from kg.errors import KGError, ValidationFailed


def _settings(ctx: click.Context) -> Settings:
    return ctx.obj["settings"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--home",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="KG_HOME",
    help="Project home: every path (sources, store, exports, caches) resolves against it. "
    "Default: $KG_HOME, else the current directory.",
)
@click.option("--base-iri", help="Base of every minted IRI (default from kg.toml / $KG_BASE_IRI).")
@click.version_option(package_name="kg")
@click.pass_context
def cli(ctx: click.Context, home: Path | None, base_iri: str | None) -> None:
    """A knowledge graph of a district's policies, projects and places, built from its annual reports.

    Typical use: `kg build` then `kg serve`. Settings come from HOME/kg.toml, overridden by KG_*
    environment variables (KG_STORE, KG_BASE_IRI, KG_PORT …), overridden by options.
    """
    ctx.ensure_object(dict)
    ctx.obj["settings"] = load_settings(home, base_iri=base_iri)


@cli.command()
@click.option("--target", metavar="URL", default=None,
              help="Then load the graph into a SPARQL 1.1 store, one named graph per request: a Graph Store "
                   "endpoint (…/sparql-graph-crud, …/data, …/rdf-graphs/service) or an update endpoint "
                   "(…/sparql, …/update, …/statements). Credentials as http://user:pass@host/….")
@click.option("--target-protocol", type=click.Choice(["auto", "gsp", "update"]), default="auto", show_default=True,
              help="Graph Store Protocol PUT, or SPARQL Update; auto guesses from the URL.")
@click.pass_context
def build(ctx: click.Context, target: str | None, target_protocol: str) -> None:
    """Build every source in data/sources into a new validated store, then swap it in atomically.

    If any document fails to parse or to validate, the previous store stays exactly as it was.
    """
    from tqdm import tqdm  # imported here, not at the top: the other commands need not pay for it

    from kg.build import build as run_build
    from kg.sources import load_sources

    settings = _settings(ctx)
    steps = len(load_sources(settings.sources_dir, settings.max_source_bytes)) + 1
    started = time.perf_counter()
    with tqdm(total=steps, desc="build", unit="step", disable=None) as bar:

        def progress(message: str) -> None:
            bar.set_postfix_str(message)
            bar.update(1)

        result = run_build(settings, progress)
    click.echo(
        f"built {result.triples} triples from {len(result.documents)} sources "
        f"in {time.perf_counter() - started:.2f} s → {result.build_dir}"
    )
    click.echo("  " + "  ".join(f"{stage} {secs:.2f}s" for stage, secs in result.stage_seconds.items()))
    for doc in result.documents:
        click.echo(
            f"  {doc['id']}: {doc['triples']} triples, {doc['characters']} characters, "
            f"{len(doc['unplaced'])} unplaced spans"
            + (f", {len(doc['unregistered'])} table units not in the register" if doc["unregistered"] else "")
        )
    if target:
        from kg.remote import push_store, redact
        from kg.store import open_store

        loaded = push_store(open_store(settings.store_dir), target, target_protocol,
                            progress=lambda m: click.echo(f"  {m}", err=True))
        click.echo(f"loaded {len(loaded)} graphs ({sum(n for _, n in loaded)} triples) into {redact(target)}")


@cli.command()
@click.pass_context
def validate(ctx: click.Context) -> None:
    """Parse and validate every source against the SHACL shapes, without touching the store."""
    from kg.build import validate_sources

    reports = validate_sources(_settings(ctx), progress=lambda m: click.echo(m, err=True))
    for report in reports:
        click.echo(report.text())
    if not all(r.conforms for r in reports):
        sys.exit(1)


@cli.command()
@click.argument("query_or_file")
@click.option(
    "--format",
    "fmt",
    default=None,
    type=click.Choice(["json", "csv", "tsv", "xml", "ttl", "nt", "jsonld"]),
    help="Result format (default: csv for SELECT/ASK, ttl for CONSTRUCT/DESCRIBE).",
)
@click.pass_context
def query(ctx: click.Context, query_or_file: str, fmt: str | None) -> None:
    """Run a SPARQL query (text, or a .rq file) over all graphs; our prefixes are predeclared."""
    from kg.query import run_query, serialize_result
    from kg.store import open_store

    path = Path(query_or_file)
    sparql = path.read_text(encoding="utf-8") if path.suffix == ".rq" and path.is_file() else query_or_file
    result = run_query(open_store(_settings(ctx).store_dir), sparql)
    import pyoxigraph as ox

    fmt = fmt or ("ttl" if isinstance(result, ox.QueryTriples) else "csv")
    sys.stdout.buffer.write(serialize_result(result, fmt))


@cli.command()
@click.option(
    "--format",
    "fmt",
    default="ttl",
    show_default=True,
    type=click.Choice(["ttl", "trig", "nt", "nq", "jsonld"]),
    help="ttl/jsonld: the union graph; trig/nq: one named graph per source; nt: canonical, sorted.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Output file (default: HOME/var/exports/kg.FORMAT).",
)
@click.pass_context
def export(ctx: click.Context, fmt: str, output: Path | None) -> None:
    """Export the current store. The nt export is sorted: two builds of the same sources give identical bytes."""
    from kg.export import export as run_export
    from kg.store import open_store

    settings = _settings(ctx)
    output = output or settings.exports_dir / f"kg.{fmt}"
    count = run_export(open_store(settings.store_dir), fmt, output)
    click.echo(f"wrote {count} statements to {output}")


@cli.command()
@click.pass_context
def stats(ctx: click.Context) -> None:
    """Triples, entities per class and sources of the current store."""
    from kg.stats import graph_stats
    from kg.store import StoreLayout, open_store

    settings = _settings(ctx)
    store = open_store(settings.store_dir)
    found = graph_stats(store)
    info = StoreLayout(settings.store_dir).build_info()
    graphs = sum(1 for _ in store.named_graphs())  # the sources', the ontology's, the summaries'
    click.echo(f"triples: {found.triples} distinct ({found.quads} quads in {graphs} named graphs)")
    click.echo(f"built: {info.get('built_at', '?')}")
    click.echo("sources:")
    for source_id, title, execution, plan in found.sources:
        click.echo(f"  {source_id}  {execution}/{plan}  {title}")
    click.echo("instances per class:")
    for iri, label, count in found.classes:
        click.echo(f"  {count:>7}  {label or iri}")


@cli.command()
@click.option("--host", default=None, help="Interface to listen on (default 127.0.0.1).")
@click.option("--port", default=None, type=int, help="Port (default 8000).")
@click.pass_context
def serve(ctx: click.Context, host: str | None, port: int | None) -> None:
    """Serve the web app and the SPARQL endpoint with waitress (a production WSGI server)."""
    import waitress

    from web import create_app, warm_caches

    settings = _settings(ctx)
    host, port = host or settings.host, port or settings.port
    app = create_app(settings)
    warm_caches(app)
    click.echo(f"serving http://{host}:{port}/ (store {settings.store_dir})")
    # poll(), not select(): a store of many reports keeps thousands of files open, and select() fails on a
    # descriptor above 1024 (the server's loop died with "filedescriptor out of range" at 1,000 reports).
    waitress.serve(app, host=host, port=port, threads=settings.threads, ident="kg", asyncore_use_poll=True)


@cli.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--title", required=True, help="The report's title, as printed.")
@click.option("--district", required=True, help="The district it reports on, e.g. 北京市朝阳区.")
@click.option("--execution-year", required=True, type=int, help="The year whose results it reports.")
@click.option("--plan-year", required=True, type=int, help="The year it plans (the execution year + 1).")
@click.option("--publisher", default=None, help="Publisher (default: the district's 人民政府).")
@click.option("--id", "source_id", default=None, help="Source id, lower-case ascii (default: from years and content).")
@click.pass_context
def ingest(ctx: click.Context, file: Path, title: str, district: str, execution_year: int, plan_year: int,
           publisher: str | None, source_id: str | None) -> None:
    """Add a report FILE to data/sources with its metadata, then rebuild the store.

    Refuses a report whose text is already ingested. If anything fails, the added files are removed and
    the previous store stays in place.
    """
    from kg.ingest import ReportMeta
    from kg.ingest import ingest as run_ingest

    meta = ReportMeta(title, district, execution_year, plan_year, publisher, source_id)
    started = time.perf_counter()
    new_id, result = run_ingest(_settings(ctx), file, meta, progress=lambda m: click.echo(m, err=True))
    click.echo(f"ingested {file} as source {new_id!r}; built {result.triples} triples from "
               f"{len(result.documents)} sources in {time.perf_counter() - started:.2f} s")


@cli.command()
@click.argument("count", type=click.IntRange(min=1))
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Directory for the reports and their .toml metadata (e.g. a home's data/sources).")
@click.option("--seed", default=0, show_default=True, help="Same seed, same corpus, byte for byte.")
def synth(count: int, out_dir: Path, seed: int) -> None:
    """Write COUNT synthetic reports shaped like ours (invented names that recur across reports)."""
    from kg.synth import generate

    written = generate(count, out_dir, seed)
    click.echo(f"wrote {len(written)} synthetic reports to {out_dir}")


@cli.command()
@click.option("--quick", is_flag=True, help="A small run (under a minute): what CI smoke-runs.")
@click.option("--json", "json_path", type=click.Path(dir_okay=False, path_type=Path), help="Write the figures as JSON.")
@click.option("--sizes", default=None, help="Synthetic corpus sizes, comma-separated (default 10,100,1000).")
def bench(quick: bool, json_path: Path | None, sizes: str | None) -> None:
    """Benchmark build, saved queries (Oxigraph against rdflib), web and endpoint, and synthetic scale."""
    from kg.config import PROJECT_ROOT

    sys.path.insert(0, str(PROJECT_ROOT))  # benchmarks/ lives beside the package, not inside it
    from benchmarks.run import run
    from benchmarks.table import render

    parsed = tuple(int(n) for n in sizes.split(",")) if sizes else None
    report = run(quick=quick, sizes=parsed, json_path=json_path, say=lambda m: click.echo(m, err=True))
    click.echo(render(report))


def main() -> None:
    try:
        cli(standalone_mode=False)
    except click.exceptions.Abort:
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except ValidationFailed as exc:
        click.echo(f"error: {exc}", err=True)
        click.echo(exc.report, err=True)
        sys.exit(1)
    except KGError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)


if __name__ == "__main__":
    main()
