"""`variantlab dashboard`: Streamlit on 127.0.0.1, headless, no usage statistics."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from cli.errors import UserError
from db.migrate import ensure_schema

APP = Path(__file__).resolve().parent.parent / "dashboard" / "app.py"


def streamlit_command(port: int) -> list[str]:
    return [
        sys.executable, "-m", "streamlit", "run", str(APP),
        "--server.address", "127.0.0.1", "--server.port", str(port), "--server.headless", "true",
        "--browser.gatherUsageStats", "false", "--client.toolbarMode", "minimal",
    ]


def serve_dashboard(port: int) -> int:
    """Run the dashboard until interrupted; returns Streamlit's exit code."""
    if not 1 <= port <= 65535:
        raise UserError(f"--port must be between 1 and 65535, got {port}")
    # Migrate before the server starts, so a failure is one clear line here and not a page error.
    url = ensure_schema()
    print(f"dashboard on http://127.0.0.1:{port}  (database: {url.split('@')[-1]})", flush=True)
    try:
        return subprocess.call(streamlit_command(port))
    except KeyboardInterrupt:
        return 0
