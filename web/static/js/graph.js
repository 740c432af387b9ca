// Graph drawing with vis-network (vendored): the explorer, the entity page's neighbourhood, CONSTRUCT results.
// Labels come from documents, so tooltips are DOM elements filled with textContent, never HTML strings.
(function () {
  "use strict";

  const PALETTE = {
    Place: "#4e79a7", AdministrativeArea: "#2f5f8f", Facility: "#59a14f", Canteen: "#8cd17d", School: "#86bcb6",
    Organization: "#f28e2b", SchoolGroup: "#ffbe7d", CollectiveUnit: "#d4a373", Policy: "#b07aa1",
    Project: "#e15759", Task: "#9c755f", Indicator: "#edc948", StatusRecord: "#bab0ac", Report: "#76b7b2",
    Concept: "#ff9da7", Thing: "#999999",
  };
  const SPARE = ["#17becf", "#bcbd22", "#7f7f7f", "#8c564b", "#e377c2", "#1f77b4"];

  function colour(group) {
    if (PALETTE[group]) return PALETTE[group];
    let h = 0;
    for (const c of group) h = (h * 31 + c.charCodeAt(0)) >>> 0;
    return SPARE[h % SPARE.length];
  }

  function tooltip(node) {
    const box = document.createElement("div");
    box.className = "graph-tip";
    const strong = document.createElement("strong");
    strong.textContent = node.label;
    box.appendChild(strong);
    if (node.groupLabel) {
      const kind = document.createElement("div");
      kind.textContent = node.groupLabel;
      box.appendChild(kind);
    }
    return box;
  }

  function short(text, n) { return text.length > n ? text.slice(0, n - 1) + "…" : text; }

  function KGGraph(container, opts) {
    opts = opts || {};
    this.container = container;
    this.nodes = new vis.DataSet();
    this.edges = new vis.DataSet();
    this.info = new Map();
    this.expanded = new Set();
    this.hiddenGroups = new Set();
    this.onChange = opts.onChange || function () {};
    this.network = new vis.Network(container, { nodes: this.nodes, edges: this.edges }, {
      nodes: { shape: "dot", size: 14, font: { size: opts.small ? 12 : 14, face: "WenQuanYi Zen Hei, sans-serif" } },
      edges: { arrows: { to: { enabled: true, scaleFactor: 0.5 } }, font: { size: 10, align: "middle" },
               color: { color: "#9aa5b1", highlight: "#333" }, smooth: false },
      physics: { solver: "forceAtlas2Based", stabilization: { iterations: 200, updateInterval: 50 },
                 forceAtlas2Based: { gravitationalConstant: -60, springLength: 110 } },
      interaction: { hover: true, tooltipDelay: 150, keyboard: { enabled: true, bindToWindow: false } },
    });
    // Physics settles the layout, then stops so the view stays still (and cheap at hundreds of nodes).
    this.network.on("stabilizationIterationsDone", () => this.network.setOptions({ physics: { enabled: false } }));
  }

  KGGraph.prototype.settle = function () {
    this.network.setOptions({ physics: { enabled: true } });
    this.network.stabilize(150);
  };

  KGGraph.prototype.add = function (data, near) {
    const origin = near && this.network.getPositions([near])[near];
    const newNodes = [];
    (data.nodes || []).forEach((n) => {
      if (this.nodes.get(n.id)) return;
      this.info.set(n.id, n);
      const c = colour(n.group);
      newNodes.push({
        id: n.id, label: short(n.label, 18), title: tooltip(n), group: n.group,
        color: { background: c, border: "#333", highlight: { background: c, border: "#000" } },
        hidden: this.hiddenGroups.has(n.group),
        x: origin ? origin.x + (Math.random() - 0.5) * 80 : undefined,
        y: origin ? origin.y + (Math.random() - 0.5) * 80 : undefined,
      });
    });
    this.nodes.add(newNodes);
    const newEdges = (data.edges || []).filter((e) => !this.edges.get(e.id)).map((e) => ({
      id: e.id, from: e.from, to: e.to, label: short(e.label || "", 14), prop: e.prop, fullLabel: e.label || "",
    }));
    this.edges.add(newEdges);
    if (newNodes.length || newEdges.length) this.settle();
    this.onChange(this);
    return newNodes.length;
  };

  KGGraph.prototype.expand = function (iri) {
    this.expanded.add(iri);
    return fetch("/api/graph/node?iri=" + encodeURIComponent(iri), { headers: { Accept: "application/json" } })
      .then((r) => r.json())
      .then((data) => this.add(data, this.nodes.get(iri) ? iri : null));
  };

  KGGraph.prototype.toggleGroup = function (group) {
    if (this.hiddenGroups.has(group)) this.hiddenGroups.delete(group); else this.hiddenGroups.add(group);
    const hide = this.hiddenGroups.has(group);
    this.nodes.update(this.nodes.get({ filter: (n) => n.group === group }).map((n) => ({ id: n.id, hidden: hide })));
    this.onChange(this);
  };

  KGGraph.prototype.clear = function () {
    this.nodes.clear(); this.edges.clear(); this.info.clear(); this.expanded.clear();
    this.onChange(this);
  };

  function ntLiteral(text) {
    return '"' + text.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n").replace(/\r/g, "\\r") + '"';
  }

  KGGraph.prototype.turtle = function () {
    const lines = ["@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> ."];
    this.nodes.forEach((n) => lines.push("<" + n.id + "> rdfs:label " + ntLiteral(this.info.get(n.id).label) + " ."));
    this.edges.forEach((e) => lines.push("<" + e.from + "> <" + e.prop + "> <" + e.to + "> ."));
    return lines.join("\n") + "\n";
  };

  // N-Triples, as the endpoint returns a CONSTRUCT: enough of the grammar for IRIs, blank nodes, literals.
  const NT = /^(<[^>]*>|_:\S+)\s+<([^>]*)>\s+(<[^>]*>|_:\S+|"(?:[^"\\]|\\.)*"(?:@[A-Za-z0-9-]+|\^\^<[^>]*>)?)\s*\.\s*$/;
  function unescapeNT(s) {
    return s.replace(/\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})|\\(.)/g, function (_, u4, u8, c) {
      if (u4 || u8) return String.fromCodePoint(parseInt(u4 || u8, 16));
      return { n: "\n", r: "\r", t: "\t" }[c] || c;
    });
  }
  function parseNTriples(text) {
    const out = [];
    text.split("\n").forEach((line) => {
      const m = NT.exec(line.trim());
      if (!m) return;
      const term = (t) => t.startsWith("<") ? { type: "iri", value: t.slice(1, -1) }
        : t.startsWith("_:") ? { type: "bnode", value: t }
        : { type: "literal", value: unescapeNT(t.slice(1, t.lastIndexOf('"'))) };
      out.push({ s: term(m[1]), p: m[2], o: term(m[3]) });
    });
    return out;
  }

  // Draw triples whose object is a node; ask the server for labels and classes of their IRIs.
  KGGraph.prototype.addTriples = function (triples) {
    const links = triples.filter((t) => t.o.type !== "literal");
    const ids = new Set(), props = new Set();
    links.forEach((t) => { ids.add(t.s.value); ids.add(t.o.value); props.add(t.p); });
    return fetch("/api/graph/describe", {
      method: "POST", headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify({ iris: Array.from(ids).slice(0, 500), props: Array.from(props) }),
    }).then((r) => r.json()).then((data) => {
      const known = new Set(data.nodes.map((n) => n.id));
      const edges = links.filter((t) => known.has(t.s.value) && known.has(t.o.value)).map((t) => ({
        id: t.s.value + " " + t.p + " " + t.o.value, from: t.s.value, to: t.o.value, prop: t.p,
        label: data.props[t.p] || t.p,
      }));
      return this.add({ nodes: data.nodes, edges: edges });
    });
  };

  function download(blob, name) {
    const a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = name;
    document.body.appendChild(a);
    a.click();
    setTimeout(() => { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
  }

  function runConstruct(query) {
    return fetch("/sparql", {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: "application/n-triples" },
      body: new URLSearchParams({ query: query }),
    }).then((r) => {
      if (!r.ok) return r.text().then((t) => { throw new Error(t); });
      return r.text();
    }).then(parseNTriples);
  }

  window.KGGraph = KGGraph;
  window.KGGraph.parseNTriples = parseNTriples;
  window.KGGraph.download = download;
  window.KGGraph.runConstruct = runConstruct;

  // ---------- the explorer page
  function legend(graph, list) {
    const groups = new Map();
    graph.info.forEach((n) => { if (graph.nodes.get(n.id)) groups.set(n.group, n.groupLabel || n.group); });
    list.replaceChildren();
    Array.from(groups.keys()).sort().forEach((g) => {
      const li = document.createElement("li");
      const button = document.createElement("button");
      button.type = "button";
      button.className = "legend-item" + (graph.hiddenGroups.has(g) ? " off" : "");
      button.setAttribute("aria-pressed", graph.hiddenGroups.has(g) ? "false" : "true");
      const swatch = document.createElement("span");
      swatch.className = "swatch";
      swatch.style.backgroundColor = colour(g);
      button.appendChild(swatch);
      button.appendChild(document.createTextNode(groups.get(g)));
      button.addEventListener("click", () => graph.toggleGroup(g));
      li.appendChild(button);
      list.appendChild(li);
    });
  }

  function explorer(container) {
    const text = JSON.parse(document.getElementById("i18n").textContent);
    const count = document.getElementById("node-count"), edgeCount = document.getElementById("edge-count");
    const selected = document.getElementById("selected"), legendList = document.getElementById("legend");
    const graph = new KGGraph(container, {
      onChange: (g) => {
        count.textContent = String(g.nodes.length);
        edgeCount.textContent = String(g.edges.length);
        legend(g, legendList);
      },
    });
    window.kgExplorer = graph;
    function select(iri) {
      const n = graph.info.get(iri);
      selected.replaceChildren();
      if (!n) return;
      selected.appendChild(document.createTextNode(text.selected + n.label + " "));
      const a = document.createElement("a");
      a.href = n.path;
      a.textContent = text.open_page;
      selected.appendChild(a);
    }
    graph.network.on("click", (params) => {
      if (!params.nodes.length) return;
      const iri = params.nodes[0];
      select(iri);
      if (!graph.expanded.has(iri)) graph.expand(iri);
    });
    graph.network.on("doubleClick", (params) => {
      if (params.nodes.length) window.location.href = graph.info.get(params.nodes[0]).path;
    });
    JSON.parse(container.dataset.start || "[]").forEach((iri) => graph.expand(iri));
    document.getElementById("add-q").addEventListener("kg:pick", (ev) => {
      graph.expand(ev.detail.iri).then(() => select(ev.detail.iri));
      ev.target.value = "";
    });
    document.getElementById("add-form").addEventListener("submit", (ev) => ev.preventDefault());
    document.getElementById("path-form").addEventListener("submit", (ev) => {
      ev.preventDefault();
      const from = document.getElementById("path-from").dataset.iri, to = document.getElementById("path-to").dataset.iri;
      const out = document.getElementById("path-result");
      if (!from || !to) return;
      fetch("/api/graph/path?" + new URLSearchParams({ from: from, to: to }).toString())
        .then((r) => r.json()).then((data) => {
          if (!data.found) { out.textContent = text.no_path; return; }
          graph.add(data);
          graph.network.selectNodes(data.nodes.map((n) => n.id));
          out.textContent = data.nodes.map((n) => n.label).join(" → ");
        });
    });
    const constructForm = document.getElementById("construct-form");
    constructForm.addEventListener("submit", (ev) => {
      ev.preventDefault();
      runConstruct(document.getElementById("construct-q").value)
        .then((triples) => graph.addTriples(triples))
        .catch((err) => { selected.textContent = String(err.message || err).slice(0, 300); });
    });
    if (container.dataset.autoload === "construct") constructForm.requestSubmit();
    document.getElementById("dl-ttl").addEventListener("click", () =>
      download(new Blob([graph.turtle()], { type: "text/turtle" }), "graph.ttl"));
    document.getElementById("dl-png").addEventListener("click", () => {
      const canvas = container.querySelector("canvas");
      if (canvas) canvas.toBlob((blob) => download(blob, "graph.png"), "image/png");
    });
    document.getElementById("clear").addEventListener("click", () => graph.clear());
  }

  // ---------- the entity page's neighbourhood
  function mini(container) {
    const graph = new KGGraph(container, { small: true });
    graph.expand(container.dataset.iri);
    graph.network.on("click", (params) => {
      if (params.nodes.length && params.nodes[0] !== container.dataset.iri) {
        window.location.href = graph.info.get(params.nodes[0]).path;
      }
    });
  }

  const big = document.getElementById("graph");
  if (big) explorer(big);
  const small = document.getElementById("mini-graph");
  if (small) mini(small);
})();
