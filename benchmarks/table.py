"""The plain-text (Markdown) table ``kg bench`` prints, from the JSON report."""

from __future__ import annotations


def ms(figure: dict) -> str:
    if not figure.get("n"):
        return "–"
    return f"{1000 * figure['median']:.1f} ms (p95 {1000 * figure['p95']:.1f})"


PER_DOCUMENT = ("parse", "extract", "rdf", "validate", "load")  # the others run once per build


def build_rows(build: dict) -> list[str]:
    wall = build["wall"]
    rows = [f"| build, both reports (wall) | {wall['median']:.2f} s (spread {wall['spread']:.2f}, n={wall['n']}) "
            f"| peak {build['peak_mb']['median']:.0f} MB |",
            f"| throughput | {build['chars_per_s']:.0f} chars/s | {build['triples_per_s']:.0f} triples/s |"]
    for stage, figure in build["stage_seconds"].items():
        peak = build["stage_peak_mb"].get(stage, {}).get("peak_mb")
        name = f"stage {stage} (summed over documents)" if stage in PER_DOCUMENT else f"stage {stage}"
        rows.append(f"| {name} | {figure['median']:.2f} s | " + (f"peak {peak:.0f} MB |" if peak else "|"))
    return rows


def render(report: dict) -> str:
    m = report["machine"]
    lines = [f"Machine: {m['cores']} cores, {m['memory_gb']} GB, Python {m['python']}, "
             + ", ".join(f"{k} {v}" for k, v in m["libraries"].items() if v)
             + f"; load average at start {tuple(round(x, 1) for x in m['load_average'] or ())}", "",
             "| figure | value | |", "| --- | --- | --- |", *build_rows(report["build"]), "",
             "| saved query | Oxigraph median (p95) | rdflib median (p95) | ratio |", "| --- | --- | --- | --- |"]
    for name, q in report["queries"].items():
        ratio = f"{q['ratio']:.0f}×" if "ratio" in q else (
            f"> {q['ratio_at_least']:.0f}× (rdflib timed out)" if "ratio_at_least" in q else "–")
        lines.append(f"| {name} | {ms(q['oxigraph'])} | {ms(q.get('rdflib', {}))} | {ratio} |")
    web = report["web"]
    lines += ["", "| page (sequential) | median (p95) |", "| --- | --- |"]
    lines += [f"| {label} | {ms(f)}{' — HTTP errors: ' + str(f['errors']) if f.get('errors') else ''} |"
              for label, f in web["sequential"].items()]
    c = web["concurrent"]
    lines += ["", f"Concurrent: {c['clients']} clients for {c['seconds']:.0f} s from a second process: "
              f"{c['requests']} requests ({c['requests'] / c['seconds']:.0f}/s), {c['errors']} errors, latency "
              f"{ms(c['latency'])}, p99 {1000 * c['latency'].get('p99', float('nan')):.1f} ms.", "",
              "| synthetic reports | build | peak memory | triples | store on disk | slowest saved query (median) "
              "| entity page, server (median) | search, server (median) | shortest path (median; first) |",
              "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for row in report["scale"].values():
        pages = row.get("pages", {})
        first_path = pages.get("path graph load (first path request)")
        lines.append(f"| {row['reports']} | {row['build_s']:.1f} s | {row['peak_mb']:.0f} MB | {row['triples']} | "
                     f"{row['store_mb']:.0f} MB | {row['query_median_max_ms']:.1f} ms | "
                     f"{ms(pages.get('entity page', {}))} | {ms(pages.get('search', {}))} | "
                     f"{ms(pages.get('path', {}))}; {f'{first_path:.2f} s' if first_path else '–'} |")
    return "\n".join(lines + kept_answer_rows(report["scale"]))


def kept_answer_rows(scale: dict) -> list[str]:
    """The saved queries over 200 ms on the engine at scale, served: the first request, then read back."""
    rows = [f"| {size} | {name} | {ms(row['queries'][name])} | {pages[f'{label} (first request)'] * 1000:.1f} ms "
            f"| {ms(pages[label])} |"
            for size, row in scale.items() for pages in [row.get("pages", {})]
            for label in pages if label.startswith("query page: ") and not label.endswith("(first request)")
            for name in [label.removeprefix("query page: ")]]
    if not rows:
        return []
    return ["", "| synthetic reports | saved query over 200 ms on the engine | engine median | page, first request "
            "| page, answer kept (median) |", "| --- | --- | --- | --- | --- |", *rows]
