"""Turn a variant's sessions into its analysis: success, a summary with numbers, specific findings.

`success` means the variant lets users do what the flows ask: at least half of all sessions
completed their task (SUCCESS_THRESHOLD), judged by our programmatic checks only. A session whose
site failed (a page never became ready, the site stopped answering) did not complete its task either,
but it is reported as the site's failure, never as a user failing: no user got to try.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from statistics import median
from urllib.parse import urlsplit

from agents.browser.results import FailureCause, SessionResult
from agents.schemas import VariantAnalysis

SUCCESS_THRESHOLD = 0.5
_MAX_LISTED = 5
_BLOCKED_SUFFIX = " (blocked: outside origin)"  # how session.py marks a request the panel's proxy refused
_BLOCKED_ISSUE = re.compile(r"^blocked \d+ request\(s\) leaving the site's origin")


def analyze_panel(results: list[SessionResult]) -> VariantAnalysis:
    if not results:
        return VariantAnalysis(
            success=False, summary="no sessions ran", issues=["the panel produced no sessions"]
        )
    done = [r for r in results if r.success]
    rate = len(done) / len(results)
    tried = [r for r in results if not r.site_failed]  # sessions in which a user got to act
    parts = [f"{len(done)}/{len(results)} sessions completed their task ({rate:.0%})"]
    parts += _site_failures(results)
    if tried:
        parts.append(
            f"median {median(r.n_actions for r in tried):g} actions, "
            f"median {median(r.duration_ms for r in tried) / 1000:.1f} s per session"
        )
    else:
        parts.append("no user got a page to act on")
    return VariantAnalysis(
        success=rate >= SUCCESS_THRESHOLD,
        summary="; ".join(parts),
        insights=_insights(results),
        issues=[f"{line}, not users failing the task" for line in _site_failures(results)] + _issues(results),
    )


def _site_failures(results: list[SessionResult]) -> list[str]:
    """One line per way the site failed: "3 of 16 sessions: the page never became ready within 10 s — ..."."""
    ways = Counter(r.summary for r in results if r.site_failed)
    return [f"{n} of {len(results)} sessions: {way} — a site failure" for way, n in ways.items()]


def _insights(results: list[SessionResult]) -> list[str]:
    out = []
    by_flow: dict[str, list[SessionResult]] = defaultdict(list)
    for r in results:
        by_flow[r.flow_name].append(r)
    for flow, all_runs in by_flow.items():
        runs = [r for r in all_runs if not r.site_failed]
        ok = [r for r in runs if r.success]
        if not runs:
            out.append(f"'{flow}': no session had a working page to try it on (a site failure)")
            continue
        line = f"'{flow}': {len(ok)}/{len(runs)} succeeded"
        if len(runs) < len(all_runs):
            line += f" ({len(all_runs) - len(runs)} more session(s) never had a working page: a site failure)"
        if ok:
            line += f", median {median(r.n_actions for r in ok):g} actions when it worked"
        personas = sorted({r.persona for r in runs if not r.success})
        if personas:
            line += f"; failed for {', '.join(personas)}"
        out.append(line)
        if ok:
            fastest = min(ok, key=lambda r: r.n_actions)
            out.append(
                f"'{flow}': fastest was the {fastest.persona} ({fastest.n_actions} actions): {fastest.summary}"
            )
    backtracks = sum(r.backtracks for r in results)
    if backtracks:
        out.append(f"{backtracks} backtrack(s) to already visited pages across {len(results)} sessions")
    ready = [
        r.time_to_ready_ms
        for r in results
        if r.time_to_ready_ms is not None and r.failure_cause is not FailureCause.SITE_NOT_READY
    ]
    if ready:
        out.append(
            f"first page ready after median {median(ready) / 1000:.1f} s, worst {max(ready) / 1000:.1f} s"
        )
    lcps = [r.lcp_ms for r in results if r.lcp_ms is not None]
    if lcps:
        out.append(
            f"largest contentful paint: median {median(lcps):.0f} ms, worst {max(lcps):.0f} ms; "
            f"worst CLS {max(r.cls or 0.0 for r in results):.3f}"
        )
    return out


def _failures(results: list[SessionResult]) -> list[str]:
    """One line per distinct failure: the same flow ending the same way on the same page is one finding.

    Sixteen copies of "the form was still rejected" bury the one line that differs; a grouped line
    keeps who failed (personas with counts) and which seeds replay it, in the panel's order.
    """
    groups: dict[tuple[str, str, str], list[SessionResult]] = defaultdict(list)
    for r in results:
        if not r.success and not r.site_failed:
            where = r.pages_visited[-1] if r.pages_visited else "the start page"
            groups[(r.flow_name, where, r.summary)].append(r)
    out = []
    for (flow, where, summary), runs in groups.items():
        if len(runs) == 1:
            who = f"for the {runs[0].persona} (seed {runs[0].seed})"
        else:
            personas = Counter(r.persona for r in runs)
            named = ", ".join(f"{name} x{n}" if n > 1 else name for name, n in personas.items())
            seeds = ", ".join(str(r.seed) for r in runs[:3]) + (", ..." if len(runs) > 3 else "")
            who = f"in {len(runs)} sessions ({named}; seeds {seeds})"
        out.append(f"'{flow}' failed {who} at {where}: {summary}")
    return out


def _blocked(results: list[SessionResult]) -> list[str]:
    """Requests to other origins (CDNs, APIs), which the panel blocks, as one line for all sessions: by
    host, since every session of every page asks for the same few files."""
    hosts: dict[str, set[str]] = defaultdict(set)
    sessions = 0
    for r in results:
        urls = [u.removesuffix(_BLOCKED_SUFFIX) for u in r.failed_requests if u.endswith(_BLOCKED_SUFFIX)]
        sessions += bool(urls)
        for url in urls:
            hosts[urlsplit(url).netloc or url].add(url)
    if not hosts:
        return []
    named = ", ".join(f"{host} ({len(urls)} file(s))" for host, urls in
                      sorted(hosts.items(), key=lambda kv: (-len(kv[1]), kv[0]))[:_MAX_LISTED])
    more = f" and {len(hosts) - _MAX_LISTED} more host(s)" if len(hosts) > _MAX_LISTED else ""
    return [f"requests to other origins, blocked by the panel: {named}{more} (seen in {sessions} session(s))"]


def _issues(results: list[SessionResult]) -> list[str]:
    out = _failures(results)
    form_errors = Counter(i for r in results for i in r.issues if i.startswith("form error shown"))
    out += [f"{text} ({n} session(s))" for text, n in form_errors.most_common(_MAX_LISTED)]
    other = Counter(i for r in results for i in r.issues
                    if not i.startswith("form error shown") and not _BLOCKED_ISSUE.match(i))
    out += [f"{text} ({n} session(s))" for text, n in other.most_common(_MAX_LISTED)]
    out += _blocked(results)
    for label, values in (
        ("console error", [e for r in results for e in r.console_errors]),
        ("broken link", [u for r in results for u in r.broken_links]),
        ("broken image", [u for r in results for u in r.broken_images]),
        ("failed request", [u for r in results for u in r.failed_requests if not u.endswith(_BLOCKED_SUFFIX)]),
    ):
        for value, n in Counter(values).most_common(_MAX_LISTED):
            out.append(f"{label}: {value} (seen in {n} session(s))")
    rules: dict[str, set[str]] = defaultdict(set)
    impact: dict[str, str] = {}
    for r in results:
        for v in r.a11y_details:
            rules[v["id"]].add(v.get("url", ""))
            impact[v["id"]] = f"{v.get('impact') or 'unknown'}: {v.get('help', '')}"
    for rule, pages in sorted(rules.items(), key=lambda kv: -len(kv[1])):
        out.append(f"accessibility violation {rule} ({impact[rule]}) on {len(pages)} page(s)")
    timeouts = sum(1 for r in results if r.error and "timed out" in r.error)
    if timeouts:
        out.append(f"{timeouts} session(s) timed out")
    return out
