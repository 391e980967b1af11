"""Behaviour modules for a rendered listing: category filter, sort and result count.

They run inside runtime.CORE_JS (findListing, itemsOf, keepInstalled, ...). What an item's category
and price are is read from the rendered items themselves: a data-category / data-price attribute
when the markup has one, else the field (the same place in every item) whose short texts repeat
across items, and the first price-looking text.
"""

from __future__ import annotations

FIELDS_JS = """
  var PRICE = /(?:[$\\u20ac\\u00a3\\u00a5]\\s?(\\d[\\d,]*(?:\\.\\d{1,2})?)|(\\d[\\d,]*(?:\\.\\d{2})?)\\s?(?:\\u20ac|EUR|USD|GBP|kr))/;
  function leafPath(item, leaf) {
    var parts = [];
    for (var el = leaf; el && el !== item; el = hostUp(el)) parts.unshift(signature(el));
    return parts.join(">");
  }
  // The category of each item: its data-category, else the field whose values repeat across items.
  function categoryOf(listing) {
    var items = itemsOf(listing);
    var tagged = items.every(function (it) { return it.hasAttribute("data-category") || deepFind(it, "[data-category]"); });
    if (tagged) {
      return function (it) {
        var el = it.hasAttribute("data-category") ? it : deepFind(it, "[data-category]");
        return el.getAttribute("data-category").trim();
      };
    }
    var byPath = {};
    items.forEach(function (it) {
      deepAll(it).forEach(function (leaf) {
        if (leaf.children.length || /^(A|BUTTON|H1|H2|H3|H4|H5|H6)$/.test(leaf.tagName)) return;
        var text = (leaf.textContent || "").replace(/\\s+/g, " ").trim();
        if (!text || text.length > 30 || PRICE.test(text) || /\\d/.test(text)) return;
        var key = leafPath(it, leaf);
        (byPath[key] = byPath[key] || []).push(text);
      });
    });
    var best = null, bestDistinct = 0;
    Object.keys(byPath).forEach(function (key) {
      var values = byPath[key];
      if (values.length !== items.length) return;
      var distinct = Object.keys(values.reduce(function (m, v) { m[v] = 1; return m; }, {})).length;
      if (distinct >= 2 && distinct < values.length && distinct > bestDistinct) { best = key; bestDistinct = distinct; }
    });
    if (!best) return null;
    return function (it) {
      var leaf = deepAll(it).filter(function (el) { return leafPath(it, el) === best; })[0];
      return leaf ? leaf.textContent.replace(/\\s+/g, " ").trim() : "";
    };
  }
  function priceOf(it) {
    var el = it.hasAttribute("data-price") ? it : deepFind(it, "[data-price]");
    if (el) return parseFloat(el.getAttribute("data-price"));
    var m = deepText(it).match(PRICE);
    return m ? parseFloat((m[1] || m[2]).replace(/,/g, "")) : Infinity;
  }
  function nameOf(it) {
    var title = deepFind(it, "h1, h2, h3, h4, h5, h6, a[href]") || it;
    return normalize(deepText(title));
  }
  function place(box, container) {
    if (OPTIONS.placement === "top") {
      var around = container.parentElement;
      var region = (around && around.closest("main, section, article")) || container.parentNode;
      region.insertBefore(box, region.firstChild);
    } else {
      container.parentNode.insertBefore(box, container);
    }
    styleAt(box);
  }
"""

CATEGORY_BODY = FIELDS_JS + """
  var state = { listing: null, box: null, select: null, category: null, values: "" };
  function build() {
    var box = document.createElement("div");
    box.setAttribute("data-vl", "category");
    box.className = "vl-category";
    box.style.margin = "0 0 1rem";
    var label = document.createElement("label");
    label.textContent = OPTIONS.label + " ";
    var select = document.createElement("select");
    select.id = "vl-category";
    label.appendChild(select);
    box.appendChild(label);
    select.addEventListener("change", filter);
    state.box = box; state.select = select;
  }
  function fill() {
    var items = itemsOf(state.listing);
    var values = items.map(state.category).filter(Boolean).sort().filter(function (v, i, a) { return a.indexOf(v) === i; });
    if (values.join("|") === state.values) return;
    state.values = values.join("|");
    var chosen = state.select.value;
    state.select.textContent = "";
    [""].concat(values).forEach(function (v) {
      var option = document.createElement("option");
      option.value = v;
      option.textContent = v || OPTIONS.all;
      state.select.appendChild(option);
    });
    state.select.value = values.indexOf(chosen) !== -1 ? chosen : "";
  }
  function filter() {
    var chosen = state.select.value;
    itemsOf(state.listing).forEach(function (it) {
      it.style.display = !chosen || state.category(it) === chosen ? "" : "none";
    });
  }
  keepInstalled(function () {
    if (!state.listing || !state.listing.container.isConnected || itemsOf(state.listing).length < 3) {
      state.listing = findListing();
      if (!state.listing) return;
      state.category = categoryOf(state.listing);
      if (!state.category) { state.listing = null; return; }
    }
    if (!state.box) build();
    fill();
    if (!state.box.isConnected) place(state.box, state.listing.container);
    filter();
  });
"""

SORT_BODY = FIELDS_JS + """
  var state = { listing: null, box: null, select: null };
  var ORDERS = {
    "price-asc": function (a, b) { return priceOf(a) - priceOf(b); },
    "price-desc": function (a, b) { return priceOf(b) - priceOf(a); },
    "name-asc": function (a, b) { return nameOf(a).localeCompare(nameOf(b)); }
  };
  function build() {
    var box = document.createElement("div");
    box.setAttribute("data-vl", "sort");
    box.style.margin = "0 0 1rem";
    var label = document.createElement("label");
    label.textContent = OPTIONS.label + " ";
    var select = document.createElement("select");
    select.id = "vl-sort";
    OPTIONS.choices.forEach(function (c) {
      var option = document.createElement("option");
      option.value = c[0];
      option.textContent = c[1];
      select.appendChild(option);
    });
    label.appendChild(select);
    box.appendChild(label);
    select.addEventListener("change", order);
    state.box = box; state.select = select;
  }
  // A flex or grid container is ordered with CSS (the page's own script keeps its nodes where it put
  // them); any other container has its items moved.
  function order() {
    var items = itemsOf(state.listing);
    var compare = ORDERS[state.select.value];
    var sorted = compare ? items.slice().sort(compare) : items;
    if (sorted.every(function (it, i) { return it === items[i]; }) && !items.some(function (it) { return it.style.order; })) return;
    var display = getComputedStyle(state.listing.container).display;
    if (/flex|grid/.test(display)) {
      items.forEach(function (it) { it.style.order = compare ? String(sorted.indexOf(it)) : ""; });
    } else if (compare) {
      var anchor = items[items.length - 1].nextSibling;
      sorted.forEach(function (it) { state.listing.container.insertBefore(it, anchor); });
    }
  }
  keepInstalled(function () {
    if (!state.listing || !state.listing.container.isConnected || itemsOf(state.listing).length < 3) {
      state.listing = findListing();
      if (!state.listing) return;
    }
    if (!state.box) build();
    if (!state.box.isConnected) place(state.box, state.listing.container);
    if (state.select.value) order();
  });
"""

COUNT_BODY = FIELDS_JS + """
  var state = { listing: null, line: null };
  function shown(el) { return el.style.display !== "none" && !el.hidden; }
  function count() {
    if (!state.listing || !state.line) return;
    var items = itemsOf(state.listing);
    var visible = items.filter(shown).length;
    var text = OPTIONS.wording.replace("{n}", visible).replace("{total}", items.length);
    if (state.line.textContent !== text) state.line.textContent = text;
  }
  keepInstalled(function () {
    if (!state.listing || !state.listing.container.isConnected || itemsOf(state.listing).length < 3) {
      state.listing = findListing();
      if (!state.listing) return;
    }
    if (!state.line) {
      state.line = document.createElement("p");
      state.line.setAttribute("data-vl", "count");
      state.line.setAttribute("role", "status");
    }
    if (!state.line.isConnected) place(state.line, state.listing.container);
    count();
  });
  // Other controls (a search, a filter) hide items: count again after the user acts.
  ["input", "change", "click"].forEach(function (type) {
    document.addEventListener(type, function () { setTimeout(count, 60); }, true);
  });
"""
