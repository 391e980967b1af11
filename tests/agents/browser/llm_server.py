"""A loopback server speaking OpenAI chat completions, answering browser-use with scripted AgentOutput JSON.

Scripts are keyed by a phrase of the task (so concurrent sessions each follow their own): a list of
functions, one per step, each getting the prompt (the browser state browser-use sends) and returning
that step's actions, e.g. [{"click": {"index": 12}}]; they read element indices from the prompt
exactly as a model would.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Step = Callable[[str], list[dict[str, Any]]]


def index_of(prompt: str, pattern: str) -> int:
    """The browser-use element index whose serialized element matches pattern (e.g. a button's text)."""
    lines = prompt.splitlines()
    for number, line in enumerate(lines):
        match = re.search(r"\[(\d+)\]<", line)
        # browser-use writes an element's text on the line after its tag
        shown = line + " " + (lines[number + 1] if number + 1 < len(lines) else "")
        if match and re.search(pattern, shown, re.IGNORECASE):
            return int(match.group(1))
    raise AssertionError(f"no element matching {pattern!r} in the browser state")


class ScriptedLLM:
    def __init__(self, scripts: dict[str, list[Step]]) -> None:
        self.scripts = scripts
        self.prompts: list[str] = []
        self.calls: dict[str, int] = dict.fromkeys(scripts, 0)
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                prompt = "\n".join(_text(m.get("content")) for m in body["messages"] if m["role"] == "user")
                outer.prompts.append(prompt)
                key = next(k for k in outer.scripts if k in prompt)
                steps = outer.scripts[key]
                step = steps[min(outer.calls[key], len(steps) - 1)]
                outer.calls[key] += 1
                try:
                    actions = step(prompt)
                except AssertionError as exc:
                    actions = [{"done": {"text": f"script could not act: {exc}", "success": False}}]
                content = json.dumps(
                    {
                        "thinking": "scripted",
                        "evaluation_previous_goal": "ok",
                        "memory": "",
                        "next_goal": "continue",
                        "action": actions,
                    }
                )
                payload = json.dumps(
                    {
                        "id": f"chatcmpl-{len(outer.prompts)}",
                        "object": "chat.completion",
                        "created": 0,
                        "model": body.get("model", "scripted"),
                        "choices": [
                            {
                                "index": 0,
                                "finish_reason": "stop",
                                "message": {"role": "assistant", "content": content},
                            }
                        ],
                        "usage": {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20},
                    }
                ).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _text(content: Any) -> str:
    if isinstance(content, str):
        return content
    return "\n".join(part.get("text", "") for part in content or [] if isinstance(part, dict))
