"""The response cache: hits, misses, what the key depends on, and several processes at once."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from pydantic import BaseModel, SecretStr

from agents.llm.anthropic_provider import AnthropicProvider
from agents.llm.base import LLMResult, ModelSpec
from agents.llm.cache import CachedProvider, ResponseCache, cache_key
from agents.llm.factory import get_provider
from settings import LLMSettings
from tests.agents.llm import loopback
from tests.agents.llm.conftest import API_KEY, FAST, Verdict

GOOD = {"answer": "ship it", "score": 7}
SPEC = ModelSpec("anthropic", "claude-sonnet-4-6", config=FAST)


class OtherVerdict(Verdict):
    """Same fields, another schema name."""


def _cached(url: str, path: Path) -> CachedProvider:
    inner = AnthropicProvider(SPEC, llm=LLMSettings(), api_key=SecretStr(API_KEY), base_url=url)
    return CachedProvider(inner, SPEC, ResponseCache(path))


def test_second_identical_call_is_served_from_the_cache(tmp_path: Path) -> None:
    with loopback.ScriptedServer([loopback.anthropic_tool_reply("submit_verdict", GOOD)]) as server:
        provider = _cached(server.url, tmp_path / "c.sqlite")
        first = provider.complete(task="judge", prompt="Is it good?", schema=Verdict, system="Be brief.")
        second = provider.complete(task="judge", prompt="Is it good?", schema=Verdict, system="Be brief.")
    assert len(server.requests) == 1
    assert not first.cached and second.cached
    assert second.value == first.value
    assert (second.input_tokens, second.output_tokens) == (first.input_tokens, first.output_tokens)
    assert second.cost_usd == 0.0 and first.cost_usd > 0
    assert API_KEY.encode() not in (tmp_path / "c.sqlite").read_bytes()


@pytest.mark.parametrize(
    "change",
    [
        {"temperature": 0.7},
        {"schema": OtherVerdict},
        {"prompt": "Is it bad?"},
        {"system": "Be verbose."},
        {"task": "rate"},
        {"context": {"n": 2}},
    ],
)
def test_anything_that_shapes_the_answer_misses_the_cache(tmp_path: Path, change: dict) -> None:
    reply = loopback.anthropic_tool_reply("submit_verdict", GOOD)
    other = loopback.anthropic_tool_reply("submit_other_verdict", GOOD)
    call = {
        "task": "judge",
        "prompt": "Is it good?",
        "schema": Verdict,
        "system": "Be brief.",
        "context": {"n": 1},
    }
    replies = [reply, other if change.get("schema") else reply]
    with loopback.ScriptedServer(replies) as server:
        provider = _cached(server.url, tmp_path / "c.sqlite")
        provider.complete(**call)
        changed = provider.complete(**{**call, **change})
        provider.complete(**call)  # the original is still cached
    assert not changed.cached
    assert len(server.requests) == 2


def test_key_is_stable_and_ignores_dict_order() -> None:
    base = {
        "provider": "anthropic",
        "model": "m",
        "temperature": 0.0,
        "schema": Verdict,
        "system": None,
        "prompt": "p",
        "task": "t",
    }
    assert cache_key(**base, context={"a": 1, "b": 2}) == cache_key(**base, context={"b": 2, "a": 1})
    assert cache_key(**base, context=None) != cache_key(**{**base, "model": "m2"}, context=None)


def test_factory_wraps_real_providers_in_the_cache_under_the_data_dir(tmp_path: Path) -> None:
    llm = LLMSettings(anthropic_api_key=SecretStr(API_KEY))
    provider = get_provider(SPEC, llm=llm, data_dir=tmp_path)
    assert isinstance(provider, CachedProvider)
    assert provider.cache.path == tmp_path / "llm-cache.sqlite"
    assert not isinstance(get_provider(SPEC, llm=llm, data_dir=tmp_path, cache=False), CachedProvider)
    assert not isinstance(get_provider(SPEC, llm=LLMSettings(cache=False), data_dir=tmp_path), CachedProvider)
    offline = get_provider(ModelSpec("offline", "offline-heuristics"), llm=llm, data_dir=tmp_path)
    assert offline.__class__.__name__ == "OfflineProvider"


_WRITER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from pydantic import BaseModel
    from agents.llm.base import LLMResult
    from agents.llm.cache import ResponseCache

    class Note(BaseModel):
        text: str

    cache = ResponseCache(Path(sys.argv[1]))
    for i in range(40):
        value = Note(text=f"{sys.argv[2]}-{i}")
        cache.put(f"{sys.argv[2]}-{i}", LLMResult(value, i, 1, 0.0, 0.0, False, "anthropic", "m"), "Note")
    """
)


class Note(BaseModel):
    text: str


def test_several_processes_write_one_cache_file(tmp_path: Path) -> None:
    path = tmp_path / "shared.sqlite"
    root = Path(__file__).resolve().parents[3]
    writers = [
        subprocess.Popen([sys.executable, "-c", _WRITER, str(path), name], cwd=root) for name in ("a", "b")
    ]
    cache = ResponseCache(path)
    for i in range(40):  # this process writes at the same time
        cache.put(
            f"main-{i}", LLMResult(Note(text=f"main-{i}"), i, 1, 0.0, 0.0, False, "anthropic", "m"), "Note"
        )
    assert [w.wait(timeout=60) for w in writers] == [0, 0]
    for name in ("a", "b", "main"):
        for i in (0, 39):
            value, tokens_in, _ = cache.get(f"{name}-{i}")
            assert Note.model_validate_json(value).text == f"{name}-{i}" and tokens_in == i
