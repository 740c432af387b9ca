// The SPARQL page: a CodeMirror editor (highlighting, prefix completion), example queries, and results
// from the /sparql endpoint as a sortable table (or a graph for CONSTRUCT/DESCRIBE), with downloads.
(function () {
  "use strict";
  const form = document.getElementById("sparql-form");
  if (!form) return;
  const base = form.dataset.base;
  const completions = JSON.parse(document.getElementById("completions").textContent);
  const text = JSON.parse(document.getElementById("i18n").textContent);
  const status = document.getElementById("status");
  const results = document.getElementById("results");
  const graphBox = document.getElementById("result-graph");
  let graph = null;

  function hint(cm) {
    const cur = cm.getCursor(), line = cm.getLine(cur.line);
    let start = cur.ch;
    while (start > 0 && /[\w:-]/.test(line.charAt(start - 1))) start--;
    const word = line.slice(start, cur.ch);
    const before = line.slice(0, start);
    let list;
    if (/PREFIX\s*$/i.test(before)) {
      list = Object.keys(completions.prefixes).map((p) => p + ": <" + completions.prefixes[p] + ">");
    } else {
      list = Object.keys(completions.prefixes).map((p) => p + ":").concat(completions.terms);
    }
    list = list.filter((w) => w.toLowerCase().startsWith(word.toLowerCase()));
    return { list: list.slice(0, 60), from: CodeMirror.Pos(cur.line, start), to: CodeMirror.Pos(cur.line, cur.ch) };
  }

  const editor = CodeMirror.fromTextArea(document.getElementById("sparql-q"), {
    mode: "application/sparql-query", lineNumbers: true, matchBrackets: true, viewportMargin: Infinity,
    extraKeys: {
      "Ctrl-Space": (cm) => cm.showHint({ hint: hint, completeSingle: false }),
      "Ctrl-Enter": () => form.requestSubmit(),
    },
  });
  // Offer completion as soon as a prefix is being typed.
  editor.on("inputRead", (cm, change) => {
    if (/[\w:]/.test(change.text.join(""))) cm.showHint({ hint: hint, completeSingle: false });
  });
  window.kgEditor = editor;

  document.querySelectorAll("button.example").forEach((b) => b.addEventListener("click", () => {
    editor.setValue(b.dataset.query);
    form.requestSubmit();
  }));

  function queryForm(q) {
    const body = q.replace(/#[^\n]*/g, "").replace(/(PREFIX|BASE)\s+[^<]*<[^>]*>/gi, "");
    const m = /\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b/i.exec(body);
    return m ? m[1].toUpperCase() : "SELECT";
  }

  function ask(accept) {
    return fetch("/sparql", {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: accept },
      body: new URLSearchParams({ query: editor.getValue() }),
    }).then((r) => {
      if (!r.ok) return r.text().then((t) => { throw new Error(r.status + ": " + t); });
      return r;
    });
  }

  function href(iri) {
    return iri.startsWith(base + "id/") ? "/" + iri.slice(base.length) : "/resource?iri=" + encodeURIComponent(iri);
  }

  function cell(term) {
    const td = document.createElement("td");
    if (!term) return td;
    if (term.type === "uri" || term.type === "iri") {
      const a = document.createElement("a");
      a.href = href(term.value);
      a.textContent = term.value.startsWith(base) ? term.value.slice(base.length) : term.value;
      td.appendChild(a);
    } else {
      td.textContent = term.value;
      if (term["xml:lang"]) td.title = "@" + term["xml:lang"];
      if (/^-?\d+(\.\d+)?$/.test(term.value)) td.className = "num";
    }
    td.dataset.sort = term.value;
    return td;
  }

  function table(vars, rows) {
    const t = document.createElement("table");
    t.className = "data sortable";
    const head = t.createTHead().insertRow();
    const body = t.createTBody();
    vars.forEach((v, i) => {
      const th = document.createElement("th");
      const button = document.createElement("button");
      button.type = "button";
      button.textContent = v;
      let asc = true;
      button.addEventListener("click", () => {
        const sorted = Array.from(body.rows).sort((a, b) => {
          const x = a.cells[i].dataset.sort || "", y = b.cells[i].dataset.sort || "";
          const nx = Number(x), ny = Number(y);
          const c = x !== "" && y !== "" && !isNaN(nx) && !isNaN(ny) ? nx - ny : x.localeCompare(y, "zh");
          return asc ? c : -c;
        });
        asc = !asc;
        body.replaceChildren(...sorted);
      });
      th.appendChild(button);
      head.appendChild(th);
    });
    rows.forEach((row) => {
      const tr = body.insertRow();
      vars.forEach((v) => tr.appendChild(cell(row[v])));
    });
    return t;
  }

  function showGraph(triples) {
    results.replaceChildren(table(["s", "p", "o"], triples.map((t) => ({
      s: { type: t.s.type === "iri" ? "uri" : "bnode", value: t.s.value },
      p: { type: "uri", value: t.p },
      o: { type: t.o.type === "iri" ? "uri" : t.o.type, value: t.o.value },
    }))));
    graphBox.hidden = false;
    if (!graph) graph = new KGGraph(graphBox, {});
    graph.clear();
    return graph.addTriples(triples);
  }

  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    status.textContent = text.running;
    results.replaceChildren();
    graphBox.hidden = true;
    const kind = queryForm(editor.getValue());
    const started = performance.now();
    const done = (n) => { status.textContent = n + " " + text.rows + " · " + Math.round(performance.now() - started) + " ms"; };
    let work;
    if (kind === "CONSTRUCT" || kind === "DESCRIBE") {
      work = ask("application/n-triples").then((r) => r.text()).then((body) => {
        const triples = KGGraph.parseNTriples(body);
        return showGraph(triples).then(() => done(triples.length));
      });
    } else {
      work = ask("application/sparql-results+json").then((r) => r.json()).then((data) => {
        if ("boolean" in data) { results.textContent = String(data.boolean); done(1); return; }
        results.replaceChildren(table(data.head.vars, data.results.bindings));
        done(data.results.bindings.length);
      });
    }
    work.catch((err) => { status.textContent = ""; const pre = document.createElement("pre");
      pre.className = "error"; pre.textContent = String(err.message || err); results.replaceChildren(pre); });
  });

  function save(accept, name) {
    ask(accept).then((r) => r.blob()).then((blob) => KGGraph.download(blob, name))
      .catch((err) => { status.textContent = String(err.message || err).slice(0, 200); });
  }
  document.getElementById("dl-csv").addEventListener("click", () => save("text/csv", "results.csv"));
  document.getElementById("dl-json").addEventListener("click", () => save("application/sparql-results+json", "results.json"));
})();
