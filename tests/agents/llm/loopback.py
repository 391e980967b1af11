"""A loopback HTTP server that speaks just enough of the Messages / Chat Completions APIs.

Replies are scripted: each request takes the next Reply (the last one repeats), so faults such as
429 with retry-after, 5xx, slow answers and malformed tool calls can be injected in order.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self


@dataclass
class Reply:
    status: int = 200
    body: dict[str, Any] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0


@dataclass
class Seen:
    at: float
    path: str
    headers: dict[str, str]
    body: dict[str, Any]


class ScriptedServer:
    def __init__(self, replies: list[Reply]) -> None:
        self.replies = list(replies)
        self.requests: list[Seen] = []
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("content-length", 0))
                body = json.loads(self.rfile.read(length) or b"{}")
                with server._lock:
                    headers = {k.lower(): v for k, v in self.headers.items()}
                    server.requests.append(Seen(time.monotonic(), self.path, headers, body))
                    index = min(len(server.requests), len(server.replies)) - 1
                    reply = server.replies[index]
                time.sleep(reply.delay_s)
                payload = json.dumps(reply.body).encode()
                try:
                    self.send_response(reply.status)
                    self.send_header("content-type", "application/json")
                    self.send_header("content-length", str(len(payload)))
                    for name, value in reply.headers.items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client timed out and hung up: that is the fault being tested

            def log_message(self, *args: Any) -> None:
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._httpd.server_address[1]}"

    def __enter__(self) -> Self:
        # A short poll interval: shutdown() waits up to one interval.
        threading.Thread(target=self._httpd.serve_forever, args=(0.02,), daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()


def anthropic_tool_reply(name: str, tool_input: dict[str, Any], **usage: int) -> Reply:
    return Reply(
        body={
            "id": "msg_loopback",
            "type": "message",
            "role": "assistant",
            "model": "claude-sonnet-4-6",
            "content": [{"type": "tool_use", "id": "toolu_1", "name": name, "input": tool_input}],
            "stop_reason": "tool_use",
            "stop_sequence": None,
            "usage": {"input_tokens": 100, "output_tokens": 20, **usage},
        }
    )


def anthropic_text_reply(text: str) -> Reply:
    return Reply(
        body={
            "id": "msg_loopback",
            "type": "message",
            "role": "assistant",
            "model": "claude-sonnet-4-6",
            "content": [{"type": "text", "text": text}],
            "stop_reason": "end_turn",
            "stop_sequence": None,
            "usage": {"input_tokens": 100, "output_tokens": 20},
        }
    )


def openai_tool_reply(name: str, tool_input: dict[str, Any]) -> Reply:
    call = {
        "id": "call_1",
        "type": "function",
        "function": {"name": name, "arguments": json.dumps(tool_input)},
    }
    return _openai_reply({"role": "assistant", "content": None, "tool_calls": [call]}, "tool_calls")


def openai_text_reply(text: str) -> Reply:
    return _openai_reply({"role": "assistant", "content": text}, "stop")


def _openai_reply(message: dict[str, Any], finish: str) -> Reply:
    return Reply(
        body={
            "id": "chatcmpl-loopback",
            "object": "chat.completion",
            "created": 0,
            "model": "llama3.1",
            "choices": [{"index": 0, "message": message, "finish_reason": finish}],
            "usage": {"prompt_tokens": 100, "completion_tokens": 20, "total_tokens": 120},
        }
    )


def error_reply(status: int, message: str, **headers: str) -> Reply:
    return Reply(
        status=status,
        headers=headers,
        body={"type": "error", "error": {"type": "api_error", "message": message}},
    )
