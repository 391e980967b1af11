"""Personas see what a user sees: nothing transparent, off-screen or clipped away; everything one can scroll to."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.async_api import async_playwright

from agents.browser.chromium import launch
from agents.browser.page_view import PageView, read_view
from agents.browser.panel import run_panel
from agents.schemas import FlowSpec, TaskSpec
from settings import Settings
from tests.agents.browser.conftest import serve

pytestmark = pytest.mark.browser

SR_ONLY = (
    "position:absolute;width:1px;height:1px;padding:0;margin:-1px;overflow:hidden;"
    "clip:rect(0 0 0 0);white-space:nowrap;border:0"
)
HIDDEN = {
    "transparent": "opacity:0",
    "off-screen": "position:absolute;left:-9999px",
    "sr-only": SR_ONLY,
}
LINKS = "".join(
    f'<p><a href="{key}.html" style="{style}">{key} link</a></p>' for key, style in HIDDEN.items()
)
FOUR_LINKS = f'<!DOCTYPE html><title>Links</title><p><a href="seen.html">Visible link</a></p>{LINKS}'

# Hidden in other ways a user meets, next to things a user does see (and can reach by scrolling).
MIXED = f"""<!DOCTYPE html><html><head><title>Mixed</title><style>
.sr {{ {SR_ONLY} }}
.card {{ content-visibility: auto; contain-intrinsic-size: auto 120px; height: 120px; }}
.box {{ position: relative; display: inline-block; width: 18px; height: 18px; border: 1px solid #333; }}
.box input {{ position: absolute; inset: 0; margin: 0; width: 100%; height: 100%; opacity: 0; }}
</style></head><body>
<span class="sr"><a href="skip.html">Nested in sr-only</a></span>
<div style="opacity:0"><a href="ghost.html">Inside a transparent box</a></div>
<div style="max-height:0;overflow:hidden"><a href="folded.html">In a collapsed section</a></div>
<a href="clipped.html" style="position:absolute;top:40px;clip:rect(0,0,0,0)">Clipped to nothing</a>
<a href="above.html" style="position:absolute;top:-500px">Above the page</a>
<p style="visibility:hidden"><a href="invisible.html">visibility hidden</a></p>
<form novalidate>
<label for="email">Email</label>
<input id="email" name="email" type="email" aria-describedby="said unsaid">
<small id="said">We never share it.</small><span id="unsaid" class="sr">Screen readers only.</span>
<label><span class="box"><input name="styled" type="checkbox"></span> Styled checkbox</label>
<input id="hidden-box" name="hidden_box" type="checkbox" class="sr"><label for="hidden-box">Hidden box</label>
<span class="box"><input name="unlabelled" type="checkbox"></span>
<button type="submit">Send</button>
</form>
<div style="height:60px;overflow:auto"><p style="height:200px">x</p><a href="scrolled.html">Down a scroll box</a></div>
<p style="margin-top:3000px"><a href="deep.html">Far below the fold</a></p>
{"".join(f'<div class="card"><a href="c{i}.html">Card {i}</a> ${i}.00</div>' for i in range(30))}
</body></html>
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("visibility")
    (root / "four.html").write_text(FOUR_LINKS)
    (root / "mixed.html").write_text(MIXED)
    url, server = serve(root)
    yield url
    server.shutdown()


def read(url: str, settings: Settings) -> PageView:
    async def go() -> PageView:
        async with async_playwright() as pw:
            browser = await launch(pw, browser=settings.browser)
            try:
                page = await browser.new_page(viewport={"width": 1280, "height": 800})
                await page.goto(url, wait_until="load")
                return await read_view(page)
            finally:
                await browser.close()

    return asyncio.run(go())


def test_only_the_visible_link_is_offered(site: str, settings: Settings) -> None:
    view = read(site + "four.html", settings)
    assert [link.text for link in view.links] == ["Visible link"]
    assert view.hrefs == [
        site + h for h in ("seen.html", "transparent.html", "off-screen.html", "sr-only.html")
    ]


def test_hidden_in_other_ways_stays_unseen_and_what_a_user_can_scroll_to_stays_seen(site: str,
                                                                                    settings: Settings) -> None:
    view = read(site + "mixed.html", settings)
    texts = [link.text for link in view.links]
    assert texts == ["Down a scroll box", "Far below the fold", *(f"Card {i}" for i in range(30))]
    # Cards below the fold that the browser does not render yet (content-visibility: auto) are items.
    assert [i.name for i in view.items] == [f"Card {i}" for i in range(30)]
    fields = {f.name: f for f in view.inputs}
    assert set(fields) == {"email", "styled", "hidden_box"}  # the unlabelled transparent box is not
    assert fields["email"].hint.startswith("We never share it.")
    assert "Screen readers only" not in fields["email"].hint
    assert [b.text for b in view.buttons] == ["Send"]


LISTING = """<!DOCTYPE html><title>Lamps</title><h1>Lamps</h1><ul>
<li><a href="brass-lamp.html">Brass Lamp</a> $40.00</li>
<li><a href="ghost-lamp.html" style="opacity:0">Ghost Lamp</a> $41.00</li>
<li><a href="far-lamp.html" style="position:absolute;left:-9999px">Far Lamp</a> $42.00</li>
<li><a href="reader-lamp.html" style="{sr}">Reader Lamp</a> $43.00</li>
</ul>"""


def find(name: str, order: int) -> FlowSpec:
    return FlowSpec(
        name=f"find {name}",
        description=f"find {name}",
        instructions=f"Find {name}.",
        order=order,
        task=TaskSpec(kind="find_item", params={"item_name": name, "add_to_cart": False}),
    )


def test_an_item_no_user_can_see_is_not_found(tmp_path: Path, settings: Settings) -> None:
    shop = tmp_path / "lamps"
    shop.mkdir()
    (shop / "index.html").write_text(LISTING.format(sr=SR_ONLY))
    for page in ("brass-lamp", "ghost-lamp", "far-lamp", "reader-lamp"):
        name = page.replace("-", " ").title()
        (shop / f"{page}.html").write_text(f"<!DOCTYPE html><title>{name}</title><h1>{name}</h1>")
    url, server = serve(shop)
    try:
        names = ("Brass Lamp", "Ghost Lamp", "Far Lamp", "Reader Lamp")
        results = run_panel(
            {"v": url},
            [find(name, i) for i, name in enumerate(names, 1)],
            sessions_per_flow=4,
            concurrency=4,
            artifacts_dir=tmp_path / "art",
            settings=settings,
        )
    finally:
        server.shutdown()
    assert len(results) == 16
    for r in results:
        if r.flow_name == "find Brass Lamp":
            assert r.success and r.pages_visited[-1].endswith("brass-lamp.html"), r.summary
            continue
        assert not r.success, (r.flow_name, r.persona, r.summary)
        assert r.summary.startswith(("reached the end of the listing", "gave up")), r.summary
        hidden_page = r.flow_name.removeprefix("find ").lower().replace(" ", "-") + ".html"
        assert not any(u.endswith(hidden_page) for u in r.pages_visited), r.pages_visited  # never opened


FORM = f"""<!DOCTYPE html><title>Join</title><style>.sr {{ {SR_ONLY} }}</style><h1>Join the club</h1>
<div id="error" role="alert" hidden></div>
<form id="f" novalidate>
<label for="email">Email *</label><input id="email" name="email" type="email" required>
<input id="terms" name="terms" type="checkbox" class="sr" required>
<label for="terms">I accept the terms *</label>
<button type="submit">Join</button>
</form>
<script>
document.getElementById("f").addEventListener("submit", function (e) {{
  e.preventDefault();
  if (!document.getElementById("terms").checked) {{
    var error = document.getElementById("error"); error.textContent = "Please accept the terms"; error.hidden = false;
    return;
  }}
  window.location.href = "welcome.html";
}});
</script>"""


def test_a_styled_checkbox_is_ticked_through_its_visible_label(tmp_path: Path, settings: Settings) -> None:
    site = tmp_path / "join"
    site.mkdir()
    (site / "index.html").write_text(FORM)
    (site / "welcome.html").write_text("<!DOCTYPE html><title>Welcome</title><h1>Welcome to the club</h1>")
    url, server = serve(site)
    flow = FlowSpec(
        name="join",
        description="join",
        instructions="Join.",
        task=TaskSpec(kind="complete_form", params={"values": {"email": "ana@example.com"}}),
    )
    try:
        results = run_panel({"v": url}, [flow], sessions_per_flow=2, artifacts_dir=tmp_path / "art",
                            settings=settings)
    finally:
        server.shutdown()
    for r in results:
        assert r.success and r.pages_visited[-1].endswith("welcome.html"), r.summary
        assert any(a["type"] == "check" and "terms" in a["target"] for a in r.action_log), r.action_log
