"""The items of a paginated listing's other pages, for a module that must act on all of them.

A listing that shows one page at a time (a "Next" link or button near it) holds only that page in
the DOM, so a search that filters the DOM finds nothing that is on a later page. The module gathers
the other pages' items the way the app renders them, then shows the matching ones as results:

- a next link to another document (a server-rendered pager): the pages are fetched and parsed, and
  their items lifted, following each page's own next link. No script of theirs runs: cheap, and no
  side effect beyond the GETs a visitor's clicks would make.
- a next button, or pages whose items a script renders (a single-page app): the app is loaded again
  in a hidden same-origin frame and the module, running there too, presses its next control until
  the pager ends or comes round, handing each page's items to the page (a next link to another
  document found there is loaded in the frame in turn). The app's own rendering and data loading
  do the work, so it does not matter where its data comes from (a JSON endpoint, paged or whole,
  GraphQL, a store), which wrapping fetch could not tell apart from the app's other requests.

Gathering starts when the visitor turns to the search box, not on every page view: the hidden frame
loads the app a second time, which only a visitor who searches should pay for.
Runs inside runtime.CORE_JS (ours, normalize, signature, findListing, itemsOf).
"""

from __future__ import annotations

PAGES_JS = """
  var MAX_PAGES = 30;
  // Words of a control that shows the next page (or more of the list), as pagers put them.
  var NEXT = /^(next( page)?|older( posts| entries)?|(show |load )?more( results| items| posts)?|[\\u203a\\u00bb\\u2192>]+)$|^next\\b|\\bnext\\s*(page)?\\s*[\\u203a\\u00bb\\u2192>]*$/i;

  function inItem(el, key) {
    for (var node = el; node && node.nodeType === 1; node = node.parentElement) if (signature(node) === key) return true;
    return false;
  }
  function saysNext(el) {
    var text = (el.textContent || el.value || "").replace(/\\s+/g, " ").trim();
    return NEXT.test(text) || NEXT.test((el.getAttribute("aria-label") || "").trim()) || /\\bnext\\b/i.test(el.getAttribute("rel") || "");
  }
  // A button that would post a form (the "Next" of a multi-step form) changes something: no page turn.
  function posts(el) {
    return !!(el.form && el.tagName !== "A" && (el.type || "submit") === "submit" && /^post$/i.test(el.form.getAttribute("method") || ""));
  }
  // The listing's next control: the nearest one around its container (a pager sits beside the list,
  // not in the site header), never one inside an item, never one that is disabled or posts.
  function nextIn(root, key) {
    var all = root.querySelectorAll("a[href], button, [role=button], input[type=button], input[type=submit]");
    for (var i = 0; i < all.length; i++) {
      var el = all[i];
      if (ours(el) || el.disabled || el.getAttribute("aria-disabled") === "true" || el.closest("header")
          || inItem(el, key) || posts(el)) continue;
      if (saysNext(el)) return el;
    }
    return null;
  }
  function nextControl(container, key) {
    for (var el = container.parentElement, up = 0; el && up < 4; el = el.parentElement, up++) {
      var found = nextIn(el, key);
      if (found) return found;
    }
    return null;
  }
  // A next link that loads another document (not a hash route of this one), on this origin.
  function otherDocument(href, base) {
    if (!href || /^(#|javascript:)/i.test(href)) return null;
    var url = new URL(href, base);
    var from = new URL(base);
    if (url.origin !== from.origin) return null;
    url.hash = ""; from.hash = "";
    return url.href !== from.href ? url.href : null;
  }
  function keyOf(item, base) {
    var link = item.matches("a[href]") ? item : item.querySelector("a[href]");
    return link ? new URL(link.getAttribute("href"), base).href : normalize(item.textContent);
  }
  // An item as markup that works on this page: links and images made absolute, ids dropped (the page
  // may show the same item again).
  function entry(item, base) {
    var copy = item.cloneNode(true);
    [copy].concat(Array.prototype.slice.call(copy.querySelectorAll("[href], [src], [id]"))).forEach(function (el) {
      if (el.hasAttribute("href")) el.setAttribute("href", new URL(el.getAttribute("href"), base).href);
      if (el.hasAttribute("src")) el.setAttribute("src", new URL(el.getAttribute("src"), base).href);
      el.removeAttribute("id");
    });
    copy.style.display = "";
    return { key: keyOf(item, base), html: copy.outerHTML,
             text: normalize(item.textContent + " " + (item.getAttribute("data-category") || "")) };
  }
  function itemsIn(doc, key) {
    return Array.prototype.filter.call(doc.querySelectorAll(key.split(".")[0]), function (el) {
      return signature(el) === key && !el.closest("nav, header, footer");
    });
  }

  // What has been gathered so far: items arrive page by page, so a match shows as soon as its page
  // is read; `done` once every page has been (or the gathering gave up).
  var otherPages = { started: false, done: false, items: [], seen: {}, update: function () {} };
  function arrived(entries) {
    entries.forEach(function (e) {
      if (!otherPages.seen[e.key]) { otherPages.seen[e.key] = true; otherPages.items.push(e); }
    });
    otherPages.update();
  }

  // Server-rendered pages: fetch, parse, lift the items, follow the page's own next link. Resolves
  // false when the first page fetched has none of the items (a script renders them): the frame must.
  function viaLinks(url, key, visited) {
    if (visited.length >= MAX_PAGES || visited.indexOf(url) !== -1) return Promise.resolve(true);
    visited.push(url);
    return fetch(url, { credentials: "same-origin" }).then(function (res) { return res.ok ? res.text() : ""; }).then(function (html) {
      var doc = new DOMParser().parseFromString(html, "text/html");
      var found = itemsIn(doc, key);
      if (!found.length) return visited.length > 1;
      arrived(found.map(function (it) { return entry(it, url); }));
      var next = nextControl(found[0].parentElement, key);
      var to = next && next.tagName === "A" ? otherDocument(next.getAttribute("href"), url) : null;
      return to ? viaLinks(to, key, visited) : true;
    });
  }

  // Any pager: the app in a hidden frame, where this module presses next (crawlHere) and posts the
  // items of each page here.
  function viaFrame() {
    return new Promise(function (resolve) {
      var frame = document.createElement("iframe"), timer = 0, loads = [location.href.split("#")[0]];
      frame.name = PAGES_FRAME;
      frame.setAttribute("data-vl", "pages");
      frame.setAttribute("aria-hidden", "true");
      frame.tabIndex = -1;
      frame.style.cssText = "position:absolute;left:-100000px;top:0;border:0;visibility:hidden;width:"
        + innerWidth + "px;height:" + innerHeight + "px";
      function finish() {
        clearTimeout(timer);
        window.removeEventListener("message", receive);
        frame.remove();
        resolve();
      }
      function receive(e) {
        var got = e.source === frame.contentWindow && e.data && e.data.variantlabPages;
        if (!got) return;
        arrived(got.items);
        arm();
        if (!got.done) return;
        if (got.next && loads.indexOf(got.next) === -1 && loads.length < MAX_PAGES) {
          loads.push(got.next);
          frame.src = got.next;
        } else {
          finish();
        }
      }
      // A page that stops answering (an error, a login wall) ends the gathering with what came so far.
      function arm() { clearTimeout(timer); timer = setTimeout(finish, 10000); }
      window.addEventListener("message", receive);
      frame.src = location.href;
      document.body.appendChild(frame);
      arm();
    });
  }

  function until(test, ms) {
    return new Promise(function (resolve) {
      var start = Date.now();
      (function poll() {
        var value = test();
        if (value || Date.now() - start > ms) resolve(value); else setTimeout(poll, 50);
      })();
    });
  }
  // In the hidden frame: hand up this page's items, press next while it shows new ones. After the
  // first page the items are found by their shape, not as a listing: a last page may hold one item.
  function crawlHere() {
    if (window.__variantlab_crawling) return;
    window.__variantlab_crawling = true;
    var seen = {}, pages = 0, key = null;
    function send(items, done, next) {
      parent.postMessage({ variantlabPages: { items: items, done: done, next: next } }, location.origin);
    }
    function keys(items) { return items.map(function (it) { return keyOf(it, location.href); }).join("|"); }
    function step(items) {
      var fresh = [];
      (items || []).forEach(function (it) {
        var e = entry(it, location.href);
        if (!seen[e.key]) { seen[e.key] = true; fresh.push(e); }
      });
      var next = items && items.length ? nextControl(items[0].parentElement, key) : null;
      // No new items: the pager came round to the first page again.
      if (!fresh.length || !next || ++pages >= MAX_PAGES) return send(fresh, true, null);
      var to = next.tagName === "A" ? otherDocument(next.getAttribute("href"), location.href) : null;
      if (to) return send(fresh, true, to);
      send(fresh, false, null);
      var before = keys(items);
      next.click();
      until(function () {
        var now = itemsIn(document, key);
        return now.length && keys(now) !== before ? now : null;
      }, 5000).then(step);
    }
    until(function () { var l = findListing(); return l && itemsOf(l).length >= 3 ? l : null; }, 8000).then(function (listing) {
      if (!listing) return send([], true, null);
      key = listing.key;
      step(itemsOf(listing));
    });
  }

  // Start gathering the other pages, once; false when the listing has no next control (it is all here).
  function gatherPages(listing) {
    if (otherPages.started) return true;
    var next = nextControl(listing.container, listing.key);
    if (!next) return false;
    otherPages.started = true;
    var to = next.tagName === "A" ? otherDocument(next.getAttribute("href"), location.href) : null;
    var links = to ? viaLinks(to, listing.key, [location.href.split("#")[0]]) : Promise.resolve(false);
    links.then(function (read) { return read || viaFrame(); })
      .catch(function () { /* what arrived stands */ })
      .then(function () { otherPages.done = true; otherPages.update(); });
    return true;
  }
"""
