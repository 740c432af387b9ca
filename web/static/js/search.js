// Autocomplete for every <input data-autocomplete>: asks /api/search as you type and lists the matches.
// Data from the graph is only ever written with textContent, never as HTML.
(function () {
  "use strict";

  function el(tag, cls, text) {
    const node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function setup(input, n) {
    const list = el("ul", "suggest");
    list.id = "suggest-" + n;
    list.setAttribute("role", "listbox");
    list.hidden = true;
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-controls", list.id);
    input.setAttribute("aria-expanded", "false");
    input.insertAdjacentElement("afterend", list);
    const wrap = input.parentElement;
    if (wrap) wrap.classList.add("has-suggest");
    let items = [], active = -1, timer = null, seq = 0;

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      active = -1;
    }

    function choose(result) {
      close();
      const mode = input.dataset.pick;
      if (mode === "value" || mode === "explore") {
        input.value = result.label;
        input.dataset.iri = result.iri;
        input.dispatchEvent(new CustomEvent("kg:pick", { detail: result, bubbles: true }));
      } else {
        window.location.href = result.path;
      }
    }

    function highlight(i) {
      active = i;
      Array.from(list.children).forEach(function (li, j) {
        li.setAttribute("aria-selected", j === i ? "true" : "false");
      });
      if (i >= 0) input.setAttribute("aria-activedescendant", list.children[i].id);
    }

    function render(results) {
      list.replaceChildren();
      items = results;
      results.forEach(function (r, i) {
        const li = el("li", "suggest-item");
        li.id = list.id + "-" + i;
        li.setAttribute("role", "option");
        li.appendChild(el("span", "suggest-label", r.label));
        if (r.types.length) li.appendChild(el("span", "badge cls-" + r.types[0].key, r.types[0].label));
        li.addEventListener("mousedown", function (ev) { ev.preventDefault(); choose(r); });
        list.appendChild(li);
      });
      list.hidden = results.length === 0;
      input.setAttribute("aria-expanded", results.length ? "true" : "false");
      active = -1;
    }

    function lookup() {
      const q = input.value.trim();
      if (!q) { close(); return; }
      const params = new URLSearchParams({ q: q, limit: "8" });
      const select = input.form && input.form.querySelector("select[name=type]");
      if (select && select.value) params.set("type", select.value);
      const mine = ++seq;
      fetch("/api/search?" + params.toString(), { headers: { Accept: "application/json" } })
        .then(function (r) { return r.json(); })
        .then(function (data) { if (mine === seq) render(data.results || []); })
        .catch(function () { close(); });
    }

    input.addEventListener("input", function () {
      delete input.dataset.iri;
      clearTimeout(timer);
      timer = setTimeout(lookup, 120);
    });
    input.addEventListener("keydown", function (ev) {
      if (list.hidden) return;
      if (ev.key === "ArrowDown") { ev.preventDefault(); highlight(Math.min(active + 1, items.length - 1)); }
      else if (ev.key === "ArrowUp") { ev.preventDefault(); highlight(Math.max(active - 1, 0)); }
      else if (ev.key === "Enter" && active >= 0) { ev.preventDefault(); choose(items[active]); }
      else if (ev.key === "Escape") { close(); }
    });
    input.addEventListener("blur", function () { setTimeout(close, 150); });
  }

  document.querySelectorAll("input[data-autocomplete]").forEach(setup);
})();
