"""The tool-use agent through the real Anthropic provider, against a loopback Messages API server."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import SecretStr

from agents.code.tool_agent import AgentAction, run_tool_agent
from agents.llm.base import ModelSpec
from agents.llm.factory import get_provider
from agents.llm.structured import tool_name
from agents.schemas import SuggestionSpec
from settings import LLMSettings, Settings
from tests.agents.code.conftest import SHOP
from tests.agents.conftest import OpenSandbox
from tests.agents.llm.loopback import ScriptedServer, anthropic_tool_reply

TOOL = tool_name(AgentAction)
SUGGESTION = SuggestionSpec(title="Rename the products heading", rationale="clearer")


def _replies(*actions: dict) -> list:
    return [anthropic_tool_reply(TOOL, a) for a in actions]


def _llm(server: ScriptedServer) -> LLMSettings:
    return LLMSettings(provider="anthropic", anthropic_base_url=server.url,
                       anthropic_api_key=SecretStr("sk-loopback-test"), cache=False)


@pytest.fixture
def serve(tmp_path: Path) -> Iterator:
    servers: list[ScriptedServer] = []

    def start(*actions: dict):  # type: ignore[no-untyped-def]
        server = ScriptedServer(_replies(*actions)).__enter__()
        servers.append(server)
        return server, get_provider(ModelSpec("anthropic", "claude-sonnet-4-6"), llm=_llm(server), data_dir=tmp_path)

    yield start
    for server in servers:
        server.__exit__(None, None, None)


def test_edits_submits_and_reports_path_escapes(serve, open_box: OpenSandbox) -> None:  # type: ignore[no-untyped-def]
    server, provider = serve(
        {"action": "read_file", "path": "index.html"},
        {"action": "write_file", "path": "../outside.txt", "content": "escape"},
        {"action": "replace_in_file", "path": "index.html", "old": "<h1>All products</h1>",
         "new": "<h1>Shop all products</h1>", "thought": "clearer heading"},
        {"action": "run", "command": "python3 -m unittest discover -s tests -q"},
        {"action": "submit", "summary": "renamed the heading"},
    )
    with open_box(str(SHOP)) as sandbox:
        result = run_tool_agent(sandbox, SUGGESTION, provider, max_steps=10)
        diff = sandbox.diff()
        heading = "<h1>Shop all products</h1>" in sandbox.read_file("index.html")
    assert result.status == "completed" and result.trajectory["exit_status"] == "submitted"
    assert result.summary == "renamed the heading"
    assert heading and diff.files_changed == ["index.html"]
    assert result.code_changes == [{"file": "index.html", "changes": "clearer heading"}]
    # The escape was refused by the sandbox and shown to the model, which carried on.
    third_prompt = server.requests[2].body["messages"][0]["content"]
    assert "Error: PathEscape" in third_prompt
    run_prompt = server.requests[4].body["messages"][0]["content"]
    assert "exit code 0" in run_prompt
    actions = [s["action"] for s in result.trajectory["steps"]]
    assert actions == ["read_file", "write_file", "edit_file", "run", "submit"]
    assert "error" in result.trajectory["steps"][1]
    assert result.tokens == 5 * 120 and len(result.loop_overhead_ms) == 5


@pytest.mark.parametrize(("limits", "reason"), [
    ({"max_steps": 3}, "step limit of 3"),
    ({"max_edits": 1}, "edit limit of 1"),
    ({"max_tokens": 200}, "token limit of 200"),
])
def test_limits_end_the_run_as_failed(serve, limits: dict, reason: str, open_box: OpenSandbox) -> None:  # type: ignore[no-untyped-def]
    _, provider = serve(
        {"action": "replace_in_file", "path": "index.html", "old": "All products", "new": "All products!"},
        {"action": "replace_in_file", "path": "index.html", "old": "All products!", "new": "All products"},
    )
    with open_box(str(SHOP)) as sandbox:
        result = run_tool_agent(sandbox, SUGGESTION, provider, **{"max_steps": 10, **limits})
    assert result.status == "failed"
    assert result.trajectory["exit_status"] == "limits_exceeded"
    assert reason in (result.error_message or "")


def test_ambiguous_replace_is_an_observation_not_a_crash(serve, open_box: OpenSandbox) -> None:  # type: ignore[no-untyped-def]
    server, provider = serve(
        {"action": "replace_in_file", "path": "index.html", "old": "<li", "new": "<li"},
        {"action": "read_file", "path": "no/such/file.html"},
        {"action": "submit", "summary": "gave up"},
    )
    with open_box(str(SHOP)) as sandbox:
        result = run_tool_agent(sandbox, SUGGESTION, provider)
        diff = sandbox.diff()
    assert result.status == "completed" and diff.files_changed == []
    second = server.requests[1].body["messages"][0]["content"]
    assert "must occur exactly once" in second
    assert "Error:" in server.requests[2].body["messages"][0]["content"].split("Step 2")[1]


def test_tool_request_carries_the_action_schema(serve, open_box: OpenSandbox) -> None:  # type: ignore[no-untyped-def]
    server, provider = serve({"action": "submit", "summary": "nothing to do"})
    with open_box(str(SHOP)) as sandbox:
        run_tool_agent(sandbox, SUGGESTION, provider)
    body = server.requests[0].body
    assert body["tools"][0]["name"] == TOOL
    assert "replace_in_file" in json.dumps(body["tools"][0]["input_schema"])
    assert SUGGESTION.title in body["messages"][0]["content"]


def test_solve_budget_cancels_a_run_that_is_still_going(serve) -> None:  # type: ignore[no-untyped-def]
    from agents.code.outcome import RunConfig
    from agents.code.solve import run_solve

    server, _ = serve({"action": "list_files", "path": "."})
    for reply in server.replies:
        reply.delay_s = 0.3  # a slow model that never submits
    outcome = run_solve(str(SHOP), SUGGESTION, matrix=[RunConfig(ModelSpec("anthropic", "claude-sonnet-4-6"), 0.0)],
                        max_parallel=1, time_budget_s=2, agent="tool", settings=Settings(llm=_llm(server)))
    run = outcome.runs[0]
    assert run.status == "cancelled" and "time budget" in run.error_message
    assert run.trajectory["total_steps"] >= 2  # it was really working when the budget ended
    assert outcome.champion_index is None


def test_the_model_gets_the_context_the_offline_agent_starts_from(serve, open_box: OpenSandbox) -> None:  # type: ignore[no-untyped-def]
    server, provider = serve({"action": "submit", "summary": "nothing to do"})
    search = SuggestionSpec(title="Add a search box", rationale="users page through everything", recipe="search")
    with open_box(str(SHOP)) as sandbox:
        run_tool_agent(sandbox, search, provider)
    prompt = server.requests[0].body["messages"][0]["content"]
    assert "The app: static: serve . as files." in prompt
    assert "Every page is rendered through: " in prompt and "index.html" in prompt
    assert "see the listing narrow" in prompt and "markup alone does not pass" in prompt
