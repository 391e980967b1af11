"""Bodies of the onboarding, empty-state and loading modules (the navigation ones are in runtime_nav.py).

Each body runs inside runtime.py's CORE_JS, so it can use ours(), normalize(), addStyle(),
findListing(), itemsOf() and keepInstalled(); HELPERS below adds what these modules share. They act
on the page as the browser shows it, whatever rendered it, and again when content arrives later.
"""

from __future__ import annotations

HELPERS = r"""
  function shown(el) {
    if (!el || !el.isConnected) return false;
    var style = getComputedStyle(el);
    return el.getClientRects().length > 0 && style.visibility !== "hidden" && style.display !== "none";
  }
  function textOf(el) { return ((el && (el.innerText || el.textContent)) || "").replace(/\s+/g, " ").trim(); }
  function letters(text) { return (text || "").replace(/[^A-Za-z\u00C0-\u024F]+/g, ""); }
  function sameOrigin(a) { try { return new URL(a.href, location.href).origin === location.origin; } catch (e) { return false; } }
  function here(url) { var u = new URL(url, location.href); return u.pathname + u.search === location.pathname + location.search; }
  // Where page content starts: the main landmark, else the body.
  function region() { return document.querySelector("main, [role=main]") || document.body; }
  function firstHeading(root) {
    var h = Array.prototype.filter.call(root.querySelectorAll("h1"), function (el) { return shown(el) && !ours(el); })[0];
    return h || null;
  }
  // A route that creates something: /create, /posts/new, /notes/add, /compose, /write ...
  var CREATE = /(^|\/)(new|create|add|compose|write|publish)(\/|\.\w+$|$)/i;
  var AUTH = /log.?in|sign.?in|log.?out|sign.?out|regist|sign.?up|forgot|reset|password/i;
"""

NEXT_STEP_BODY = HELPERS + r"""
  addStyle(".vl-next-step{margin:1rem 0 1.5rem;padding:1rem 1.25rem;border:2px solid #1a56db;border-radius:.5rem;"
    + "background:#eef4ff;color:#111}.vl-next-step h2{margin:0 0 .4rem;font-size:1.25rem}"
    + ".vl-next-step p{margin:0 0 .75rem}.vl-next-step a{display:inline-block;padding:.6rem 1.1rem;"
    + "border-radius:.4rem;background:#1a56db;color:#fff!important;font-weight:600;text-decoration:none}"
    + ".vl-next-step a:hover,.vl-next-step a:focus{background:#1e429f}");
  var KEY = "variantlab-next-step";
  var SIGNUP = /regist|sign.?up|join|create.{0,12}account|get started|enrol/i;
  var LOGIN = /log.?\s?in|sign.?\s?in/i;
  // What a new member most likely came to do, best first: create, then their own space, then browse;
  // after those, any section of the site's navigation, and only then its home page.
  var STEPS = [/\b(create|new|write|compose|add|start|get started|set up|begin|publish|upload)\b/i,
               /\b(dashboard|profile|account|settings|continue|my)\b/i,
               /\b(browse|explore|discover|shop|catalog(ue)?|all)\b/i];
  function homeLink(a) { return /^\/(index\.\w+)?$/.test(new URL(a.href).pathname) || /^home$/i.test(textOf(a)); }

  function isSignUp(form) {
    var submit = form.querySelector("[type=submit], button:not([type])");
    var h1 = firstHeading(document);
    var text = textOf(form) + " " + (submit ? submit.value || "" : "") + " " + (form.getAttribute("action") || "")
      + " " + document.title + " " + (h1 ? textOf(h1) : "") + " " + location.pathname;
    var passwords = form.querySelectorAll("input[type=password]").length;
    var email = !!form.querySelector("input[type=email], input[name*=mail i]");
    if (passwords > 1) return true;
    if (LOGIN.test(text) && !SIGNUP.test(text)) return false;
    return SIGNUP.test(text) && (passwords > 0 || email);
  }
  function signUpShown() {
    return Array.prototype.some.call(document.forms, function (f) { return shown(f) && isSignUp(f); });
  }
  function save(state) { try { sessionStorage.setItem(KEY, JSON.stringify(state)); } catch (e) { /* private mode */ } }
  function drop() { try { sessionStorage.removeItem(KEY); } catch (e) {} }
  function load() { try { return JSON.parse(sessionStorage.getItem(KEY) || "null"); } catch (e) { return null; } }

  // The next step: a log-in form on the landing page (the account exists, the member is not in yet),
  // else the best-ranked visible link of the app that is not an account link and does not lead back
  // to the sign-up page, else the home page.
  function nextStep(from) {
    var login = Array.prototype.filter.call(document.forms, function (f) {
      return shown(f) && f.querySelector("input[type=password]");
    })[0];
    if (login) {
      if (!login.id) login.id = "vl-login-form";
      return { href: "#" + login.id, label: OPTIONS.login, form: login };
    }
    var best = null;
    Array.prototype.forEach.call(document.querySelectorAll("a[href]"), function (a) {
      if (ours(a) || !shown(a) || !sameOrigin(a) || here(a.href) || a.getAttribute("href").charAt(0) === "#") return;
      var path = new URL(a.href).pathname, text = textOf(a) || a.getAttribute("aria-label") || "";
      if (AUTH.test(text + " " + path) || (from && path === from)) return;
      var rank = CREATE.test(path) ? 0 : STEPS.length;
      for (var r = 0; r < STEPS.length && rank === STEPS.length; r++) if (STEPS[r].test(text + " " + path)) rank = r;
      // Any other link of the site's navigation comes next, its home page last; links in the text do not.
      if (rank === STEPS.length && a.closest("nav, header, [role=navigation]")) rank = STEPS.length - (homeLink(a) ? 0.25 : 0.5);
      if (!best || rank < best.rank) best = { rank: rank, href: a.href, text: letters(text).length >= 3 ? text : "" };
    });
    if (best && best.rank < STEPS.length) return { href: best.href, label: best.text || OPTIONS.create };
    if (location.pathname !== "/" && from !== "/") return { href: "/", label: OPTIONS.home };
    return null;
  }

  // A sign-up the app turned down says so: a field marked invalid, or an alert that was not there before.
  function alerts() {
    return Array.prototype.filter.call(document.querySelectorAll("[role=alert]"), shown).map(textOf).join("|");
  }
  function rejected(form, before) {
    return !!form.querySelector("[aria-invalid=true]") || (alerts() !== before && alerts().replace(/\|/g, "") !== "");
  }

  var panel = null;
  function show(from) {
    if (!panel) {
      var step = nextStep(from);
      panel = document.createElement("div");
      panel.className = "vl-next-step";
      panel.setAttribute("data-vl", "next-step");
      panel.setAttribute("role", "status");
      var title = document.createElement("h2");
      title.textContent = OPTIONS.welcome;
      var lead = document.createElement("p");
      lead.textContent = step ? OPTIONS.lead : OPTIONS.done;
      panel.appendChild(title);
      panel.appendChild(lead);
      if (step) {
        var link = document.createElement("a");
        link.href = step.href;
        link.textContent = step.label;
        if (step.form) link.addEventListener("click", function (e) {
          var field = step.form.querySelector("input:not([type=hidden]), select, textarea");
          if (field) { e.preventDefault(); step.form.scrollIntoView({ block: "center" }); field.focus(); }
        });
        panel.appendChild(link);
      }
    }
    if (panel.isConnected) return;
    var h1 = firstHeading(region());
    if (OPTIONS.placement === "after-heading" && h1) h1.insertAdjacentElement("afterend", panel);
    else region().insertBefore(panel, region().firstChild);
  }

  // A sign-up sent by the browser lands on another page (or the same one, re-rendered): remembered
  // here, judged there. A sign-up a script handles in place is judged by what happens to the form.
  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (!form || ours(form) || !isSignUp(form)) return;  // (capture: seen even if the app stops it)
    var from = location.pathname;
    save({ at: Date.now(), from: from });
    var started = Date.now(), before = alerts();
    var timer = setInterval(function () {
      if (!form.isConnected || !shown(form)) {
        clearInterval(timer);
        if (!signUpShown()) { drop(); show(from); }
      } else if (rejected(form, before) || Date.now() - started > 10000) {
        clearInterval(timer);  // rejected, or nothing came of it: no welcome later on another page
        drop();
      }
    }, 200);
  }, true);

  var pending = load();
  if (pending && Date.now() - pending.at < 30000) {
    var shownOnce = false;
    setTimeout(function () {
      keepInstalled(function () {
        if (!shownOnce && signUpShown()) { drop(); pending = null; return; }  // the sign-up was rejected
        if (!pending) return;
        shownOnce = true;
        drop();
        show(pending.from);
      });
    }, 300);
  }
"""

EMPTY_STATE_BODY = HELPERS + r"""
  addStyle(".vl-empty{margin:.75rem 0 1rem;padding:1rem 1.25rem;border:1px dashed #8a94a6;border-radius:.5rem;"
    + "background:#fafbfc;color:#222}.vl-empty p{margin:0 0 .6rem}.vl-empty a,.vl-empty button{display:inline-block;"
    + "padding:.45rem .9rem;border:0;border-radius:.4rem;background:#1a56db;color:#fff!important;font:inherit;"
    + "font-weight:600;text-decoration:none;cursor:pointer}");
  // A container meant to hold items: a list element, a list role, or a name that says so.
  var LISTY = /(^|[-_\s])(list|items|grid|results|feed|cards|entries|rows|collection|gallery)($|[-_\s])/i;
  var SKIP = "nav, header, footer, form, select, datalist, template, dialog, [role=menu], [role=menubar], "
    + "[role=navigation], [role=tablist], [aria-hidden=true], li";
  var since = new Map(), notes = new Map();

  function listLike(el) {
    if (/^(UL|OL|TBODY|DL)$/.test(el.tagName)) return true;
    if (/^(list|feed|grid|table|rowgroup)$/.test(el.getAttribute("role") || "")) return true;
    return LISTY.test((el.id || "") + " " + (typeof el.className === "string" ? el.className : ""));
  }
  function empty(el) {
    for (var c = el.firstChild; c; c = c.nextSibling) {
      if (c.nodeType === 1 && !/^(SCRIPT|TEMPLATE|STYLE)$/.test(c.tagName) && !ours(c)) return false;
      if (c.nodeType === 3 && c.textContent.trim()) return false;
    }
    return true;
  }
  function candidates() {
    return Array.prototype.filter.call(document.body.querySelectorAll("*"), function (el) {
      return listLike(el) && !ours(el) && !(el.parentElement && el.parentElement.closest(SKIP)) && empty(el) && shown(el);
    });
  }
  // What the list holds, in the page's own words: the heading above it ("Your notes" -> "notes").
  function noun(el) {
    for (var node = el, up = 0; node && node !== document.body && up < 4; node = node.parentElement, up++) {
      for (var prev = node.previousElementSibling; prev; prev = prev.previousElementSibling) {
        var heading = /^H[1-6]$/.test(prev.tagName) ? prev : prev.querySelector && prev.querySelector("h1, h2, h3, h4, h5, h6");
        if (heading && !ours(heading)) {
          var words = textOf(heading).replace(/^((your|my|our|the|all|latest|recent|new)\s+)+/i, "");
          return /[{}<>]/.test(words) || words.length > 40 ? "" : words.toLowerCase();
        }
      }
    }
    return "";
  }
  // What to do about it: create the first item, use the page's own add form, undo a search, or go home.
  function action() {
    var create = Array.prototype.filter.call(document.querySelectorAll("a[href]"), function (a) {
      return !ours(a) && shown(a) && sameOrigin(a) && CREATE.test(new URL(a.href).pathname);
    })[0];
    if (create) return { href: create.href, label: letters(textOf(create)).length >= 3 ? textOf(create) : OPTIONS.create };
    var field = Array.prototype.filter.call(document.querySelectorAll("form input, form textarea"), function (f) {
      return shown(f) && /^(text|url|email|number|textarea)$/.test(f.type) && !f.closest("[role=search]")
        && !/search|query|^q$/i.test(f.name + " " + f.type + " " + (f.getAttribute("aria-label") || ""));
    })[0];
    if (field) return { focus: field, label: OPTIONS.add };
    var searched = location.search && /[?&](q|query|search|s|filter|category)=/i.test(location.search);
    if (searched) return { href: location.pathname, label: OPTIONS.clear };
    if (location.pathname !== "/") return { href: "/", label: OPTIONS.home };
    return null;
  }
  function note(el) {
    var what = noun(el), box = document.createElement("div");
    box.className = "vl-empty";
    box.setAttribute("data-vl", "empty-state");
    box.setAttribute("role", "status");
    var p = document.createElement("p");
    p.textContent = what ? OPTIONS.wording.replace("{noun}", what) : OPTIONS.bare;
    box.appendChild(p);
    var act = action();
    if (act && act.focus) {
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = act.label;
      button.addEventListener("click", function () { act.focus.scrollIntoView({ block: "center" }); act.focus.focus(); });
      box.appendChild(button);
    } else if (act) {
      var link = document.createElement("a");
      link.href = act.href;
      link.textContent = act.label;
      box.appendChild(link);
    }
    return box;
  }
  // A list counts as empty once it has stayed empty for a moment: a list filled by a fetch is only
  // empty while it loads, and must not flash "nothing here" first.
  function install() {
    var now = Date.now(), wait = Infinity, seen = candidates();
    notes.forEach(function (box, el) {
      if (seen.indexOf(el) === -1) { box.remove(); notes.delete(el); since.delete(el); }
    });
    since.forEach(function (at, el) { if (seen.indexOf(el) === -1) since.delete(el); });
    seen.forEach(function (el) {
      if (!since.has(el)) since.set(el, now);
      var left = since.get(el) + OPTIONS.wait - now;
      if (left > 0) { wait = Math.min(wait, left); return; }
      var box = notes.get(el) || note(el);
      notes.set(el, box);
      var anchor = el.tagName === "TBODY" && el.closest("table") ? el.closest("table") : el;
      if (!box.isConnected) anchor.insertAdjacentElement(OPTIONS.placement === "before" ? "beforebegin" : "afterend", box);
    });
    if (wait < Infinity) setTimeout(install, wait + 20);
  }
  keepInstalled(install);
"""

LOADING_BODY = HELPERS + r"""
  addStyle(".vl-busy{position:fixed;z-index:2147483000;display:flex;align-items:center;gap:.5rem;" + OPTIONS.position
    + "padding:.4rem .8rem;border-radius:.4rem;background:#1f2937;color:#fff;font:inherit;font-size:.95rem;"
    + "box-shadow:0 2px 8px rgba(0,0,0,.3)}.vl-busy[hidden]{display:none}"
    + ".vl-busy::before{content:'';width:1em;height:1em;border:.18em solid rgba(255,255,255,.35);"
    + "border-top-color:#fff;border-radius:50%;animation:vl-spin .8s linear infinite}"
    + "[data-vl-busy]{cursor:progress;opacity:.75}"
    + "@keyframes vl-spin{to{transform:rotate(360deg)}}"
    + "@media (prefers-reduced-motion:reduce){.vl-busy::before{animation:none}}");
  var pending = 0, sending = false, timer = null, indicator = null, busy = [];

  function build() {
    indicator = document.createElement("div");
    indicator.className = "vl-busy";
    indicator.setAttribute("data-vl", "loading");
    indicator.setAttribute("role", "status");
    indicator.setAttribute("aria-live", "polite");
    indicator.hidden = true;
    document.body.appendChild(indicator);
  }
  function show() {
    timer = null;
    if (!document.body) return;
    if (!indicator || !indicator.isConnected) build();
    indicator.textContent = sending ? OPTIONS.sending : OPTIONS.loading;
    indicator.hidden = false;
  }
  function hide() {
    clearTimeout(timer);
    timer = null;
    if (indicator) indicator.hidden = true;
    busy.forEach(function (el) { el.removeAttribute("aria-busy"); el.removeAttribute("data-vl-busy"); });
    busy = [];
  }
  // Quick answers never show it: only a wait a person notices (OPTIONS.delay ms) does.
  function update() {
    if (pending > 0 || sending) { if (!timer && (!indicator || indicator.hidden)) timer = setTimeout(show, OPTIONS.delay); }
    else hide();
  }
  function mark(els) {
    els.forEach(function (el) {
      if (el && !el.hasAttribute("aria-busy")) { el.setAttribute("aria-busy", "true"); el.setAttribute("data-vl-busy", ""); busy.push(el); }
    });
  }
  var lastSubmit = null;
  function begin() {
    pending++;
    if (lastSubmit && Date.now() - lastSubmit.at < 500) mark([lastSubmit.form, lastSubmit.button]);
    update();
  }
  function end() { pending = Math.max(0, pending - 1); update(); }

  if (window.fetch) {
    var fetch0 = window.fetch;
    window.fetch = function () {
      begin();
      try {
        var request = fetch0.apply(this, arguments);
        request.then(end, end);
        return request;
      } catch (err) { end(); throw err; }
    };
  }
  if (window.XMLHttpRequest) {
    var send0 = XMLHttpRequest.prototype.send;
    XMLHttpRequest.prototype.send = function () {
      begin();
      this.addEventListener("loadend", end, { once: true });
      try { return send0.apply(this, arguments); } catch (err) { end(); throw err; }
    };
  }
  // A form the browser sends stays busy until the next page replaces this one; one a script handles
  // is busy for as long as the requests it makes.
  document.addEventListener("submit", function (e) {
    var form = e.target, button = e.submitter || form.querySelector("[type=submit], button:not([type])");
    lastSubmit = { form: form, button: button, at: Date.now() };
    var target = (button && button.getAttribute("formtarget")) || form.getAttribute("target") || "";
    setTimeout(function () {
      // A form sent to another tab, or answered with a download, never replaces this page: its wait
      // is not this page's, and a page still here after OPTIONS.patience ms is not waiting any more.
      if (e.defaultPrevented || (target && target !== "_self")) return;
      sending = true;
      mark([form, button]);
      update();
      setTimeout(function () { sending = false; update(); }, OPTIONS.patience);
    }, 0);
  });
  // Coming back with the back button shows the page as it was left: not busy any more.
  window.addEventListener("pageshow", function (e) { if (e.persisted) { sending = false; pending = 0; hide(); } });
"""
