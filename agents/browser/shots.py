"""Small screenshots of a session's steps (its first page, each submit, its end), one folder per session.

A thumbnail is the viewport at half scale as a JPEG of quality 40 (about 15 KB), taken by Chromium's own
DevTools call: Playwright's page.screenshot cannot scale, and encoding the full 1280×800 viewport took
half as long again (33 ms against 50 ms a shot on the bundled shop), which a panel pays every session.

Files live under the panel's artifacts dir, in a folder named by the session's id; records hold their
paths relative to the artifacts root (settings.artifacts_dir), so a moved data dir keeps its replays.
"""

from __future__ import annotations

import base64
import shutil
from pathlib import Path
from weakref import WeakKeyDictionary

from playwright.async_api import CDPSession, Page

from ids import has_prefix

THUMB_SCALE = 0.5
THUMB_QUALITY = 40

# One DevTools session per tab: tabs are reused across sessions, and opening one costs a round trip.
_devtools: WeakKeyDictionary[Page, CDPSession] = WeakKeyDictionary()


async def capture_thumbnail(page: Page, path: Path) -> None:
    """Write what the user sees now (the visible viewport, wherever it is scrolled) to `path`."""
    devtools = _devtools.get(page)
    if devtools is None:
        devtools = _devtools[page] = await page.context.new_cdp_session(page)
    # A clip is in page coordinates: without the scroll offset a scrolled page captures blank paper.
    viewport = (await devtools.send("Page.getLayoutMetrics"))["cssVisualViewport"]
    clip = {"x": viewport["pageX"], "y": viewport["pageY"], "width": viewport["clientWidth"],
            "height": viewport["clientHeight"], "scale": THUMB_SCALE}
    shot = await devtools.send("Page.captureScreenshot", {"format": "jpeg", "quality": THUMB_QUALITY, "clip": clip})
    path.write_bytes(base64.b64decode(shot["data"]))


def stored_path(path: Path, artifacts_root: Path) -> str:
    """How a record names a screenshot: relative to the artifacts root (settings.artifacts_dir), absolute
    when outside it (a bench's temporary folder)."""
    root = artifacts_root.resolve()
    path = path.resolve()
    return str(path.relative_to(root)) if path.is_relative_to(root) else str(path)


def prune_session_folders(stage_dir: Path, keep: set[str]) -> int:
    """Delete the screenshot folders of sessions that are no longer recorded; returns how many.

    Only folders named like a session id are touched: whatever else lives in `stage_dir` is not ours.
    """
    if not stage_dir.is_dir():
        return 0
    gone = [p for p in stage_dir.iterdir() if p.is_dir() and has_prefix(p.name, "browser_session") and p.name not in keep]
    for folder in gone:
        shutil.rmtree(folder, ignore_errors=True)
    return len(gone)
