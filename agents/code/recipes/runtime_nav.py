"""Bodies of the navigation modules: breadcrumbs, back to results, persistent navigation.

They run inside runtime.py's CORE_JS with runtime_more.HELPERS, on the page as the browser shows it.
"""

from __future__ import annotations

from agents.code.recipes.runtime_more import HELPERS

BREADCRUMBS_BODY = HELPERS + r"""
  addStyle(".vl-breadcrumbs{margin:.5rem 0 1rem;font-size:.95rem}.vl-breadcrumbs ol{list-style:none;margin:0;"
    + "padding:0;display:flex;flex-wrap:wrap;align-items:center}.vl-breadcrumbs li{display:inline}"
    + ".vl-breadcrumbs li+li::before{content:'" + OPTIONS.separator + "';margin:0 .45rem;color:#666}"
    + ".vl-breadcrumbs a{text-decoration:underline}.vl-breadcrumbs [aria-current]{font-weight:600}");
  var trail = null;

  function pathOf(a) { return new URL(a.href, location.href).pathname.replace(/\/index\.\w+$/, "/"); }
  function navLinks() {
    return Array.prototype.filter.call(document.querySelectorAll("nav a[href], header a[href], [role=navigation] a[href]"),
      function (a) { return !ours(a) && sameOrigin(a); });
  }
  // The site's home: the shallowest link of its header or navigation to a folder's index, else "/".
  function home() {
    var best = null;
    navLinks().forEach(function (a) {
      var path = pathOf(a);
      if (!/\/$/.test(path)) return;
      if (!best || path.split("/").length < pathOf(best).split("/").length) best = a;
    });
    return { href: best ? best.href : "/", path: best ? pathOf(best) : "/" };
  }
  // A detail page: not the home page, not a section the navigation links to, and titled by a heading.
  function current() {
    var path = location.pathname.replace(/\/index\.\w+$/, "/");
    if (path === home().path) return null;
    if (navLinks().some(function (a) { return pathOf(a) === path; })) return null;
    if (document.querySelector("nav[aria-label*=breadcrumb i], [class*=breadcrumb i], [id*=breadcrumb i]")) return null;
    return firstHeading(region());
  }
  // Levels in between, from the path: /guides/setup/printer -> /guides, /guides/setup, kept only when
  // the page links to them (a level that exists), named as the page names them.
  function levels() {
    var parts = location.pathname.split("/").filter(Boolean), out = [], start = home().path;
    var links = Array.prototype.filter.call(document.querySelectorAll("a[href]"), function (a) { return !ours(a) && sameOrigin(a); });
    for (var i = 1; i < parts.length; i++) {
      var prefix = "/" + parts.slice(0, i).join("/");
      if (prefix.length < start.length) continue;
      var link = links.filter(function (a) { var p = pathOf(a); return p === prefix || p === prefix + "/"; })[0];
      if (link && letters(textOf(link)).length >= 2 && textOf(link).length <= 40) out.push({ href: link.href, label: textOf(link) });
    }
    return out;
  }
  function build(heading) {
    var nav = document.createElement("nav");
    nav.className = "vl-breadcrumbs";
    nav.setAttribute("data-vl", "breadcrumbs");
    nav.setAttribute("aria-label", OPTIONS.label);
    var list = document.createElement("ol");
    [{ href: home().href, label: OPTIONS.home }].concat(levels()).forEach(function (crumb) {
      var li = document.createElement("li"), a = document.createElement("a");
      a.href = crumb.href;
      a.textContent = crumb.label;
      li.appendChild(a);
      list.appendChild(li);
    });
    var last = document.createElement("li");
    last.setAttribute("aria-current", "page");
    last.textContent = textOf(heading).slice(0, 80);
    list.appendChild(last);
    nav.appendChild(list);
    return nav;
  }
  keepInstalled(function () {
    if (trail && trail.isConnected) return;
    var heading = current();
    if (!heading) return;
    trail = trail || build(heading);
    if (OPTIONS.placement === "top") region().insertBefore(trail, region().firstChild);
    else heading.insertAdjacentElement("beforebegin", trail);
  });
"""

BACK_TO_RESULTS_BODY = HELPERS + r"""
  addStyle(".vl-back{display:inline-block;margin:.5rem 0 1rem;font-weight:600}");
  var KEY = "variantlab-results", RESTORE = "variantlab-results-restore";
  var SEARCHY = /search|query|^q$|^s$|filter|keyword/i;

  function read(key) { try { return JSON.parse(sessionStorage.getItem(key) || "null"); } catch (e) { return null; } }
  function write(key, value) { try { sessionStorage.setItem(key, JSON.stringify(value)); } catch (e) { /* private mode */ } }
  function bare(url) { return String(url).split("#")[0]; }
  // How a field is found again when the listing is rendered anew (also our own search box).
  function keyOf(el) {
    if (el.id) return "#" + CSS.escape(el.id);
    if (el.name) return el.tagName.toLowerCase() + "[name=\"" + CSS.escape(el.name) + "\"]";
    var label = el.getAttribute("aria-label");
    return label ? el.tagName.toLowerCase() + "[aria-label=\"" + CSS.escape(label) + "\"]" : null;
  }
  function fields() {
    return Array.prototype.filter.call(document.querySelectorAll("input, select"), function (el) {
      return shown(el) && !/^(password|hidden|submit|button|reset|file|image|checkbox|radio)$/.test(el.type) && keyOf(el);
    });
  }
  function query(list) {
    var box = list.filter(function (f) { return f.el.type === "search" || SEARCHY.test((f.el.name || "") + " " + (f.el.id || "")); })[0];
    if (box && box.value.trim()) return box.value.trim();
    var params = new URLSearchParams(location.search);
    return params.get("q") || params.get("query") || params.get("search") || params.get("s") || "";
  }

  // Leaving a listing for one of its items: remember the listing as it is now (its address, what was
  // typed or chosen in its fields, how far down it was scrolled).
  document.addEventListener("click", function (e) {
    var a = e.target.closest && e.target.closest("a[href]");
    if (!a || ours(a) || !sameOrigin(a) || here(a.href)) return;
    var listing = findListing();
    if (!listing || !listing.container.contains(a)) return;
    var list = fields().map(function (el) { return { el: el, key: keyOf(el), value: el.value }; });
    state = { url: bare(location.href), target: bare(a.href), query: query(list),
              fields: list.map(function (f) { return { key: f.key, value: f.value }; }), scroll: window.scrollY };
    write(KEY, state);
    if (link) { link.remove(); link = null; }
  }, true);

  var state = read(KEY), link = null;
  function backLink() {
    link = document.createElement("a");
    link.className = "vl-back";
    link.setAttribute("data-vl", "back-to-results");
    link.href = state.url;
    link.textContent = state.query ? OPTIONS.wording.replace("{q}", state.query) : OPTIONS.bare;
    link.addEventListener("click", function () { write(RESTORE, state); });
    return link;
  }
  // On the item's page (also after a client-side route change to it, or a redirect from the link's
  // address): the way back, at the top.
  function onItem() {
    var at = bare(location.href);
    return !!state && at !== state.url && (at === state.target || bare(document.referrer) === state.url);
  }
  function installBack() {
    if (!onItem()) { if (link) link.remove(); return; }
    if (link && link.isConnected) return;
    link = link || backLink();
    var heading = firstHeading(region());
    if (OPTIONS.placement === "top" || !heading) region().insertBefore(link, region().firstChild);
    else heading.insertAdjacentElement("beforebegin", link);
  }
  // Back on the listing: put back what was typed once its fields are there, then the scroll position.
  var restore = read(RESTORE), started = Date.now(), retry = null;
  function installRestore() {
    if (!restore || bare(location.href) !== restore.url) return;
    var missing = restore.fields.filter(function (f) {
      var el = document.querySelector(f.key);
      if (!el) return true;
      if (el.value !== f.value) {
        var proto = el.tagName === "SELECT" ? HTMLSelectElement.prototype : HTMLInputElement.prototype;
        Object.getOwnPropertyDescriptor(proto, "value").set.call(el, f.value);  // also seen by React
        el.dispatchEvent(new Event("input", { bubbles: true }));
        el.dispatchEvent(new Event("change", { bubbles: true }));
      }
      return false;
    });
    if (!missing.length || Date.now() - started > 5000) {
      window.scrollTo(0, restore.scroll || 0);
      try { sessionStorage.removeItem(RESTORE); } catch (e) {}
      restore = null;
    } else if (!retry) {
      retry = setTimeout(function () { retry = null; installRestore(); }, 100);
    }
  }
  keepInstalled(function () { installBack(); installRestore(); });
"""

STICKY_NAV_BODY = HELPERS + r"""
  addStyle(".vl-sticky-nav{position:sticky;top:0;z-index:900;" + OPTIONS.edge + "}"
    + ".vl-sticky-nav.vl-fixed{position:fixed;left:0;right:0}");
  var bar = null;

  // The primary navigation: the first visible navigation (or header) with two links or more that is
  // not a breadcrumb trail and not in the footer.
  function primary() {
    var all = document.querySelectorAll("nav, [role=navigation], header, [role=banner]");
    for (var i = 0; i < all.length; i++) {
      var el = all[i];
      if (ours(el) || !shown(el) || el.closest("footer, [role=contentinfo]")) continue;
      if (/breadcrumb/i.test((el.getAttribute("aria-label") || "") + " " + el.className)) continue;
      var links = Array.prototype.filter.call(el.querySelectorAll("a[href]"), shown);
      if (links.length >= 2) return el;
    }
    return null;
  }
  // What stays on screen: the navigation with the bar around it (a header), as long as that bar is
  // short; its parent must be taller, or position:sticky has nowhere to stick.
  function outer(nav) {
    var el = nav;
    while (el.parentElement && el.parentElement !== document.body
           && el.parentElement.getBoundingClientRect().height <= innerHeight * 0.35) el = el.parentElement;
    return el;
  }
  function background(el) {
    for (var node = el; node && node.nodeType === 1; node = node.parentElement) {
      var bg = getComputedStyle(node).backgroundColor;
      if (bg && bg !== "transparent" && !/rgba\(.*,\s*0\)$/.test(bg)) return bg;
    }
    return "#fff";
  }
  // An ancestor that clips or scrolls traps a sticky element: there it has to be fixed instead.
  function trapped(el) {
    for (var node = el.parentElement; node && node !== document.body && node !== document.documentElement; node = node.parentElement) {
      if (!/^(visible|clip)$/.test(getComputedStyle(node).overflowY)) return true;
    }
    return el.parentElement.getBoundingClientRect().height < el.getBoundingClientRect().height * 2;
  }
  keepInstalled(function () {
    if (bar && bar.isConnected && bar.hasAttribute("data-vl-sticky")) return;
    var nav = primary();
    if (!nav) return;
    bar = outer(nav);
    var position = getComputedStyle(bar).position;
    if (position === "fixed" || position === "sticky") return;  // the app keeps it on screen already
    bar.setAttribute("data-vl-sticky", "");
    bar.style.backgroundColor = background(bar);
    bar.classList.add("vl-sticky-nav");
    if (OPTIONS.mode === "fixed" || trapped(bar)) {
      var spacer = document.createElement("div");
      spacer.setAttribute("data-vl", "sticky-nav");
      spacer.style.height = bar.getBoundingClientRect().height + "px";
      bar.parentElement.insertBefore(spacer, bar);
      bar.classList.add("vl-fixed");
    }
  });
"""
