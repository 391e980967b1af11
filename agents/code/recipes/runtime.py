"""Behaviour modules: one script added to the app's document shell that acts on the rendered DOM.

They find what they enhance in the page as the browser shows it, so it does not matter whether a
template, a server or a client-side script rendered it; a MutationObserver installs them again when
content arrives later (a grid filled by fetch, a React re-render, a client-side route change).
Each module injects its own styles, so the shell needs one tag per module.
"""

from __future__ import annotations

import json

from agents.code.markup import Editor, escape_attr
from agents.code.recipes.base import RecipeContext, RecipeError
from agents.code.recipes.other_pages import PAGES_JS
from agents.code.shadow_dom import shadow_walk_js
from agents.code.shell import BODY_END, Shell

CORE_JS = """/* variantlab %(what)s: acts on the rendered page, also on content a script renders later. */
(function () {
  "use strict";
  if (window.__variantlab_%(key)s) return;
  window.__variantlab_%(key)s = true;
  var OPTIONS = %(options)s;
  // The hidden frame a module loads the app in to read a listing's other pages (other_pages.py):
  // only a module that reads them runs there, and it shows nothing.
  var PAGES_FRAME = "variantlab-pages";
  if (window.parent !== window && window.name === PAGES_FRAME && !OPTIONS.pages) return;

  // Our nodes carry data-vl with a module's name. A numeric data-vl is not ours: the simulated-user
  // panel tags the app's own links, buttons and fields it can act on that way (agents/browser/page_view.py),
  // and a module that took those for its own would ignore the app's pager, buttons and items.
  function ours(node) {
    for (var el = node.nodeType === 1 ? node : hostUp(node); el; el = hostUp(el)) {
      var mark = el.getAttribute("data-vl");
      if (mark !== null && !/^\\d+$/.test(mark)) return true;
    }
    return false;
  }
  function normalize(text) {
    return (text || "").toLowerCase().normalize("NFKD").replace(/[\\u0300-\\u036f]/g, "").replace(/\\s+/g, " ").trim();
  }
  function signature(el) {
    return el.tagName + "." + Array.prototype.slice.call(el.classList).sort().join(".");
  }
  // Open shadow roots (web components) hold content a visitor sees like any other: the listing, its
  // items and their text may sit in one, or in several nested. These walk into them.
  function hostUp(node) {
    if (node.nodeType === 11) return node.host || null;  // a shadow root: on to its host
    return node.parentElement || (node.parentNode && node.parentNode.host) || null;
  }
  function closestAcross(el, selector) {
    for (var node = el; node; node = hostUp(node)) if (node.matches(selector)) return node;
    return null;
  }
""" + shadow_walk_js("deepAll", "deepFind", indent="  ") + """\
  // An element's text as textContent reads it, or, when it holds a shadow root or a slot, as that
  // renders (slots filled with the host's children they take).
  function deepText(el) {
    var composed = [el].concat(deepAll(el)).some(function (d) { return d.shadowRoot || d.tagName === "SLOT"; });
    if (!composed) return el.textContent || "";
    function flat(node) {
      if (node.nodeType === 3) return node.textContent;
      if (node.nodeType !== 1 || /^(SCRIPT|STYLE|TEMPLATE)$/.test(node.tagName)) return "";
      var slotted = node.tagName === "SLOT" ? node.assignedNodes({ flatten: true }) : [];
      var kids = node.shadowRoot ? node.shadowRoot.childNodes : slotted.length ? slotted : node.childNodes;
      return Array.prototype.map.call(kids, flat).join(" ");
    }
    return flat(el);
  }
  var STYLES = [];
  function addStyle(css) {
    var style = document.createElement("style");
    style.setAttribute("data-vl", "%(key)s");
    style.textContent = css;
    STYLES.push(css);
    (document.head || document.documentElement).appendChild(style);
  }
  // The page's styles stop at a shadow root: a control placed inside one brings its own.
  function styleAt(node) {
    var root = node.getRootNode();
    if (!root.host || !STYLES.length || root.querySelector("style[data-vl='%(key)s']")) return;
    var style = document.createElement("style");
    style.setAttribute("data-vl", "%(key)s");
    style.textContent = STYLES.join("\\n");
    root.appendChild(style);
  }
  // The listing: the group of same-shaped siblings (3 or more) that each hold text and a link, a heading,
  // an image or a button, with the most content; a row of short navigation links loses to real items.
  function findListing() {
    var best = null, bestScore = 0;
    var parents = document.body ? deepAll(document.body) : [];
    for (var i = 0; i < parents.length; i++) {
      var parent = parents[i];
      if (parent.children.length < 3 || ours(parent) || closestAcross(parent, "nav, header, footer, select, datalist, svg, form")) continue;
      var groups = {};
      for (var j = 0; j < parent.children.length; j++) {
        var child = parent.children[j];
        if (/^(SCRIPT|STYLE|TEMPLATE|BR|HR|OPTION|INPUT|LABEL)$/.test(child.tagName) || ours(child)) continue;
        var key = signature(child);
        (groups[key] = groups[key] || []).push(child);
      }
      for (var key2 in groups) {
        var items = groups[key2], score = 0, ok = items.length >= 3;
        for (var k = 0; ok && k < items.length; k++) {
          var text = deepText(items[k]).trim();
          ok = text.length > 0 && (items[k].tagName === "A" || !!deepFind(items[k], "a[href], h1, h2, h3, h4, h5, h6, img, button"));
          score += Math.min(text.length, 200);
        }
        if (ok && score > bestScore) { bestScore = score; best = { container: parent, key: key2 }; }
      }
    }
    return best;
  }
  function itemsOf(listing) {
    return Array.prototype.filter.call(listing.container.children, function (el) { return signature(el) === listing.key; });
  }
  // Install now and again whenever the page's own content changes (not when ours does), in the
  // document or in any open shadow root (an observer of the document does not see into those): the
  // roots already there, and those that arrive with the elements the page adds later.
  function keepInstalled(install) {
    var queued = false, watched = new WeakSet();
    function watchIn(root) {
      [root].concat(deepAll(root)).forEach(function (el) {
        if (el.shadowRoot && !watched.has(el.shadowRoot)) {
          watched.add(el.shadowRoot);
          observer.observe(el.shadowRoot, { childList: true, subtree: true });
        }
      });
    }
    var observer = new MutationObserver(function (records) {
      records.forEach(function (r) {
        Array.prototype.forEach.call(r.addedNodes, function (n) { if (n.nodeType === 1) watchIn(n); });
      });
      var foreign = records.some(function (r) {
        if (ours(r.target)) return false;
        var nodes = Array.prototype.slice.call(r.addedNodes).concat(Array.prototype.slice.call(r.removedNodes));
        return nodes.some(function (n) { return !ours(n); });
      });
      if (foreign && !queued) { queued = true; setTimeout(function () { queued = false; install(); }, 30); }
    });
    observer.observe(document.documentElement, { childList: true, subtree: true });
    watchIn(document.documentElement);
    install();
  }
%(body)s
})();
"""

SEARCH_BODY = PAGES_JS + """
  if (window.parent !== window && window.name === PAGES_FRAME) { crawlHere(); return; }
  addStyle(".vl-search{margin:0 0 1rem;display:flex;flex-wrap:wrap;gap:.5rem;align-items:center}"
    + ".vl-search input{flex:1 1 16rem;padding:.5rem .75rem;font-size:1rem}"
    + ".vl-search-status{margin:.25rem 0 0;width:100%}");
  var state = { listing: null, box: null, input: null, status: null, more: null };

  function build() {
    var box = document.createElement("div");
    box.setAttribute("data-vl", "search");
    box.className = "vl-search";
    box.setAttribute("role", "search");
    var input = document.createElement("input");
    input.type = "search";
    input.id = "vl-search";
    input.placeholder = OPTIONS.placeholder;
    input.setAttribute("aria-label", OPTIONS.label);
    input.autocomplete = "off";
    var status = document.createElement("p");
    status.className = "vl-search-status";
    status.setAttribute("aria-live", "polite");
    box.appendChild(input);
    box.appendChild(status);
    input.addEventListener("focus", gather);
    input.addEventListener("input", filter);
    input.addEventListener("keydown", function (e) { if (e.key === "Escape") { input.value = ""; filter(); } });
    state.box = box; state.input = input; state.status = status;
  }

  // A visitor who turns to the box may search for what is on another page: gather the other pages
  // now, so their items are there by the time the query is typed.
  function gather() {
    if (OPTIONS.pages && state.listing) gatherPages(state.listing);
  }
  otherPages.update = function () { if (state.input && state.input.value) filter(); };

  // Matches from other pages: the app's own markup for them, in a copy of the listing's container
  // right after it, so they look like the items here and open through their own links.
  function showMore(entries) {
    if (!entries.length) { if (state.more) state.more.remove(); return; }
    if (!state.more) {
      state.more = state.listing.container.cloneNode(false);
      state.more.removeAttribute("id");
      state.more.setAttribute("data-vl", "search-more");
    }
    state.more.innerHTML = entries.map(function (e) { return e.html; }).join("");
    var container = state.listing.container;
    if (state.more.previousSibling !== container) container.parentNode.insertBefore(state.more, container.nextSibling);
  }

  function filter() {
    if (!state.listing) return;
    var query = normalize(state.input.value);
    var words = query ? query.split(" ") : [];
    var items = itemsOf(state.listing), hits = 0, here = {};
    items.forEach(function (item) {
      var text = normalize(deepText(item) + " " + (item.getAttribute("data-category") || ""));
      var hit = words.every(function (w) { return text.indexOf(w) !== -1; });
      item.style.display = hit ? "" : "none";
      here[keyOf(item, location.href)] = true;
      if (hit) hits++;
    });
    if (words.length) gather();
    var elsewhere = otherPages.items.filter(function (e) { return !here[e.key]; });
    var more = !words.length ? [] : elsewhere.filter(function (e) {
      return words.every(function (w) { return e.text.indexOf(w) !== -1; });
    });
    showMore(more);
    hits += more.length;
    var total = items.length + elsewhere.length;
    var said = state.input.value.trim();
    // While other pages are still being read a "nothing matches" would be premature: say so, and
    // mark the status busy so anyone waiting for the page to settle waits for the answer.
    var reading = words.length && otherPages.started && !otherPages.done;
    state.status.setAttribute("aria-busy", reading ? "true" : "false");
    state.status.textContent = !words.length ? "" : hits
      ? OPTIONS.found.replace("{n}", hits).replace("{total}", total).replace("{q}", said)
      : reading ? OPTIONS.reading : OPTIONS.none.replace("{q}", said);
  }

  function place(container) {
    if (OPTIONS.placement === "top") {
      var around = container.parentElement;
      var region = (around && around.closest("main, section, article")) || container.parentNode;
      region.insertBefore(state.box, region.firstChild);
    } else {
      container.parentNode.insertBefore(state.box, container);
    }
    styleAt(state.box);
  }

  keepInstalled(function () {
    if (!state.listing || !state.listing.container.isConnected || itemsOf(state.listing).length < 3) {
      state.listing = findListing();
      if (!state.listing) return;
      if (state.more) { state.more.remove(); state.more = null; }
    }
    if (!state.box) build();
    if (!state.box.isConnected) place(state.listing.container);
    if (state.input.value) filter();
  });
"""

VALIDATION_BODY = """
  addStyle(".vl-field-error{color:#b00020;margin:.25rem 0 .5rem;font-size:.9rem}"
    + "[aria-invalid=true]{border-color:#b00020;outline:2px solid #b00020}");
  var EMAIL = /^[^\\s@]+@[^\\s@]+\\.[^\\s@]+$/;
  // Rules the recipe read from the form's source, by field name (a format the page's own script
  // enforces, a field that must repeat another): what the rendered attributes alone do not say.
  var RULES = OPTIONS.rules || {};

  function labelOf(el) {
    if (RULES[el.name] && RULES[el.name].label) return RULES[el.name].label;
    var label = (el.labels && el.labels[0]) ? el.labels[0].textContent : (el.getAttribute("aria-label") || el.placeholder || el.name || "This field");
    return label.replace(/[*:]/g, "").trim() || "This field";
  }
  // The stated password rule is for choosing a password, not for logging in with one.
  function signUp(form) {
    var submit = form.querySelector("[type=submit], button:not([type])");
    var words = ((submit && (submit.textContent || submit.value)) || "") + " " + (form.getAttribute("action") || "") + " " + location.pathname;
    return passwords(form).length > 1 || !!form.querySelector("input[type=email]") || /regist|sign.?up|join|create|new/i.test(words);
  }
  function passwords(form) {
    return Array.prototype.filter.call(form.elements, function (el) { return el.type === "password"; });
  }
  function problem(el, form) {
    var label = labelOf(el);
    var value = el.type === "checkbox" ? "" : (el.value || "").trim();
    if (el.required && (el.type === "checkbox" ? !el.checked : value === "")) {
      return el.type === "checkbox" ? "Please tick \\u201c" + label + "\\u201d to continue." : label + " is required.";
    }
    if (!value) return "";
    if (el.type === "email" && !EMAIL.test(value)) return label + " must be an email address like name@example.com.";
    var own = RULES[el.name] || {};
    if (own.pattern && !new RegExp(own.pattern, own.flags || "").test(value)) return label + ": " + own.hint;
    if (own.sameAs && form.elements[own.sameAs] && el.value !== form.elements[own.sameAs].value) return own.hint;
    var pw = passwords(form);
    var rule = OPTIONS.password;
    if (el.type === "password" && el === pw[0] && signUp(form)) {
      var min = Math.max(rule.minLength || 0, el.minLength > 0 ? el.minLength : 0);
      if (min && el.value.length < min) return label + ": " + (rule.hint || "use at least " + min + " characters.");
      for (var i = 0; i < (rule.kinds || []).length; i++) {
        if (!new RegExp(rule.kinds[i]).test(el.value)) return label + ": " + rule.hint;
      }
    }
    if (el.type === "password" && pw.length > 1 && el === pw[1] && el.value !== pw[0].value) {
      return label + " does not match the password.";
    }
    if (el.minLength > 0 && value.length < el.minLength) return label + ": use at least " + el.minLength + " characters.";
    if (el.pattern && !new RegExp("^(?:" + el.pattern + ")$").test(value)) return label + " is not in the expected format" + (el.title ? ": " + el.title : ".");
    return "";
  }
  function anchorOf(el) {
    if (OPTIONS.placement === "row") {
      var row = el.closest("label, p, li, .field, .form-group, div");
      if (row && row !== el.form && row.contains(el)) return row;
    }
    return el.closest("label") || el;
  }
  function check(el, form) {
    var message = problem(el, form);
    var id = "vl-error-" + (el.id || el.name);
    var slot = el.getRootNode().getElementById(id);  // the form may sit in a web component's shadow root
    if (!slot && message) {
      slot = document.createElement("p");
      slot.id = id;
      slot.className = "vl-field-error";
      slot.setAttribute("data-vl", "validation");
      slot.setAttribute("aria-live", "polite");
      anchorOf(el).insertAdjacentElement("afterend", slot);
      styleAt(slot);
    }
    if (slot) { slot.textContent = message; slot.hidden = !message; }
    if (message) {
      el.setAttribute("aria-invalid", "true");
      el.setAttribute("aria-describedby", id);
    } else {
      el.removeAttribute("aria-invalid");
    }
    return !message;
  }
  function fields(form) {
    return Array.prototype.filter.call(form.elements, function (el) {
      return el.name && !/^(submit|button|reset|hidden|image)$/.test(el.type) && el.tagName !== "BUTTON";
    });
  }
  function enhance(form) {
    if (form.hasAttribute("data-vl-validated")) return;
    form.setAttribute("data-vl-validated", "");
    if (OPTIONS.mode === "eager") {
      form.addEventListener("focusout", function (e) { if (fields(form).indexOf(e.target) !== -1) check(e.target, form); });
    }
    form.addEventListener("input", function (e) { if (e.target.hasAttribute("aria-invalid")) check(e.target, form); });
    // The browser's own validation stops a submit before any submit event: say why next to the field too.
    form.addEventListener("invalid", function (e) { check(e.target, form); }, true);
    // On submit every wrong field says why, and the form is not sent until they are right.
    form.addEventListener("submit", function (e) {
      var wrong = fields(form).filter(function (el) { return !check(el, form); });
      if (wrong.length) { e.preventDefault(); e.stopImmediatePropagation(); wrong[0].focus(); }
    }, true);
  }
  keepInstalled(function () {
    deepAll(document.body).filter(function (el) { return el.matches(OPTIONS.forms || "form"); }).forEach(function (form) {
      if (form.querySelector("input[type=password], input[type=email], [required]")) enhance(form);
    });
  });
"""

TOAST_BODY = """
  addStyle(".vl-toast{position:fixed;left:50%;transform:translateX(-50%);" + OPTIONS.position
    + "z-index:2147483000;background:#1b5e20;color:#fff;padding:.6rem 1rem;border-radius:.4rem;"
    + "box-shadow:0 2px 8px rgba(0,0,0,.3);font:inherit}");
  var ACTION = new RegExp(OPTIONS.actions, "i");
  var KEY = "variantlab-toast";

  function show(message) {
    var toast = document.querySelector(".vl-toast");
    if (!toast) {
      toast = document.createElement("div");
      toast.className = "vl-toast";
      toast.setAttribute("data-vl", "toast");
      toast.setAttribute("role", "status");
      toast.setAttribute("aria-live", "polite");
      document.body.appendChild(toast);
    }
    toast.textContent = message;
    toast.hidden = false;
    clearTimeout(show.timer);
    show.timer = setTimeout(function () { toast.hidden = true; }, OPTIONS.seconds * 1000);
  }
  function labelOf(el) {
    return ((el.value && el.tagName === "INPUT") ? el.value : (deepText(el) || el.getAttribute("aria-label") || "")).replace(/\\s+/g, " ").trim();
  }
  function itemName(el) {
    var listing = findListing();
    var item = listing && itemsOf(listing).filter(function (it) { return holds(it, el); })[0];
    var heading = item ? deepFind(item, "h1, h2, h3, h4, h5, h6, a[href]") : document.querySelector("main h1, h1");
    return heading ? deepText(heading).replace(/\\s+/g, " ").trim() : "";
  }
  function holds(item, el) {
    for (var node = el; node; node = hostUp(node)) if (node === item) return true;
    return false;
  }
  var PAST = { add: "Added", save: "Saved", post: "Posted", publish: "Published", create: "Created",
               submit: "Submitted", send: "Sent", subscribe: "Subscribed", book: "Booked", buy: "Bought", order: "Ordered" };
  function message(label, name) {
    var match = label.match(ACTION);
    var done = PAST[match[1].toLowerCase()] + label.slice(match.index + match[1].length).replace(/\\s+$/, "");
    return (name ? OPTIONS.wording : OPTIONS.bare).replace("{name}", name).replace("{done}", done);
  }
  function act(button) {
    if (!button || ours(button)) return "";
    var label = labelOf(button);
    return ACTION.test(label) ? message(label, itemName(button)) : "";
  }
  // A button that acts in place: say it at once. A click inside a web component reaches the document
  // retargeted to its host: where it landed is the first node of its composed path.
  document.addEventListener("click", function (e) {
    var origin = e.composedPath ? e.composedPath()[0] : e.target;
    var button = origin && origin.nodeType === 1 ? closestAcross(origin, "button, input[type=button], [role=button]") : null;
    if (!button || button.form && button.type === "submit") return;
    var text = act(button);
    if (text) show(text);
  }, true);
  // A form the app sends itself (a single-page app calls preventDefault and renders the result in
  // place): confirm once the app visibly responds near the form or in the list it feeds (an item
  // appears, the typed field is cleared, the form's dialog closes) within a couple of seconds, and
  // never when what it shows is an error.
  var ERROR_TEXT = /\\b(error|invalid|failed|required|must|wrong|try again|could ?n[o']t|unable|not allowed)\\b/i;
  var BUSY = /\u2026|\\.\\.\\.|\\b(loading|saving|sending|submitting|please wait|in progress)\\b/i;
  var ERROR_MARK = "[role=alert], [aria-invalid=true], [class*=error i], [class*=invalid i], [class*=danger i]";
  function shown(el) { return !!(el.offsetWidth || el.offsetHeight || el.getClientRects().length); }
  function errorsIn(scope) {
    return Array.prototype.filter.call(scope.querySelectorAll(ERROR_MARK), function (el) {
      return !el.closest(".vl-toast") && shown(el) && (el.getAttribute("aria-invalid") === "true" || !!el.textContent.trim());
    });
  }
  // A new row of a list is content, even when its text reads like an error ("Fix the login error").
  function isItem(el) {
    var parent = el && el.parentElement;
    if (!parent) return false;
    if (/^(UL|OL|TBODY|DL)$/.test(parent.tagName)) return true;
    return Array.prototype.some.call(parent.children, function (sib) { return sib !== el && signature(sib) === signature(el); });
  }
  function awaitResponse(form, done) {
    var scope = form;
    for (var up = 0; up < 3 && scope.parentElement && scope !== document.body; up++) scope = scope.parentElement;
    var typed = Array.prototype.filter.call(form.elements, function (f) {
      return /^(INPUT|TEXTAREA)$/.test(f.tagName) && !/^(hidden|submit|button|reset|image|checkbox|radio|file|range|color)$/.test(f.type) && f.value;
    });
    var before = errorsIn(document.body), beforeText = before.map(function (el) { return el.textContent; });
    var changed = [], finished = false, listing = null;
    function near(node) {
      if (scope.contains(node)) return true;
      listing = listing || findListing();
      return !!listing && listing.container.contains(node);
    }
    function content(node) {
      var el = node.nodeType === 1 ? node : node.parentElement;
      return !!el && !ours(el) && !/^(SCRIPT|STYLE|TEMPLATE)$/.test(el.tagName) && !!(node.textContent || "").trim();
    }
    // "Saving…" on the button is the app at work, not its answer: the answer comes after it.
    function busy(node) {
      var el = node.nodeType === 1 ? node : node.parentElement;
      return BUSY.test(node.textContent) || !!(el && el.closest("button, [type=submit], [aria-busy=true]"));
    }
    function saysError(node) {
      var el = node.nodeType === 1 ? node : node.parentElement;
      return content(node) && ERROR_TEXT.test(node.textContent) && !isItem(el);
    }
    function finish() { finished = true; observer.disconnect(); clearInterval(ticks); clearTimeout(limit); }
    function look() {
      if (finished) return;
      var nodes = changed.splice(0);
      var fresh = errorsIn(document.body).filter(function (el) {
        var at = before.indexOf(el);
        return at < 0 || beforeText[at] !== el.textContent;
      });
      if (fresh.length || nodes.some(saysError)) { finish(); return; }
      var responded = !form.isConnected || typed.some(function (f) { return !f.value; })
        || nodes.some(function (n) { return content(n) && !busy(n) && near(n); });
      if (responded) { finish(); done(); }
    }
    var observer = new MutationObserver(function (records) {
      records.forEach(function (r) {
        if (r.type === "characterData") changed.push(r.target);
        else Array.prototype.push.apply(changed, r.addedNodes);
      });
      look();
    });
    observer.observe(document.body, { childList: true, subtree: true, characterData: true });
    var ticks = setInterval(look, 100), limit = setTimeout(finish, 2000);
  }
  // A form sent by an action button: say it here, or on the page the form loads; when the app's own
  // script takes the submit over, say it once the app shows the result.
  // Capture phase, and watching from the first moment: a framework's own handler (React's, at its root)
  // may clear the field and render the new item within the event, before a bubbling listener or a
  // timer runs, and then there would be no response left to see.
  document.addEventListener("submit", function (e) {
    var form = e.target;
    var text = act(e.submitter || form.querySelector("[type=submit]"));
    if (!text) return;
    try { sessionStorage.setItem(KEY, JSON.stringify({ text: text, at: Date.now() })); } catch (err) { /* private mode */ }
    awaitResponse(form, function () { if (e.defaultPrevented) show(text); });
    setTimeout(function () {
      if (!e.defaultPrevented) { show(text); return; }
      try { sessionStorage.removeItem(KEY); } catch (err) {}
    }, 0);
  }, true);
  var pending = null;
  try { pending = JSON.parse(sessionStorage.getItem(KEY) || "null"); sessionStorage.removeItem(KEY); } catch (err) {}
  if (pending && Date.now() - pending.at < 10000) {
    if (document.body) show(pending.text); else document.addEventListener("DOMContentLoaded", function () { show(pending.text); });
  }
"""


def module_js(key: str, what: str, body: str, options: dict) -> str:
    return CORE_JS % {"key": key, "what": what, "options": json.dumps(options, indent=2), "body": body}


def add_module(ctx: RecipeContext, name: str, js: str, description: str) -> Shell:
    """Write the module into the served folder and load it from every document of the shell."""
    shell = ctx.shell
    if not shell.documents:
        raise RecipeError("no document shell to load the module from")
    ctx.write(shell.asset(name), js, f"new module: {description}")
    for document in shell.documents:
        text = ctx.read(document)
        src = shell.src(document, name)
        if src in text:
            continue
        ends = list(BODY_END.finditer(text))
        at = ends[-1].start() if ends else len(text)
        tag = f'<script src="{escape_attr(src) if shell.kind != "jinja" else src}" defer></script>\n'
        line = text.rfind("\n", 0, at) + 1
        if ends and not text[line:at].strip():  # </body> opens its line: the tag gets a line of its own
            tag, at = text[line:at] + "  " + tag, line
        editor = Editor(text)
        editor.insert(at, tag)
        ctx.write(document, editor.result(), f"loads {name} ({shell.kind} shell)")
    return shell
