"""A response cache in front of a provider: identical requests are answered from a SQLite file.

The key is a sha256 over everything that shapes the answer (provider, model, temperature, schema,
system, prompt, task, context, endpoint base URL). Only the validated JSON and its token counts are stored; API keys
never enter the key or the data. One connection per call plus WAL and a busy timeout keep it safe
for several threads and processes (Dagster runs steps in subprocesses).
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import time
from contextlib import closing
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from agents.llm.base import LLMProvider, LLMResult, ModelSpec

T = TypeVar("T", bound=BaseModel)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS responses (
    key TEXT PRIMARY KEY,
    provider TEXT NOT NULL,
    model TEXT NOT NULL,
    schema_name TEXT NOT NULL,
    value_json TEXT NOT NULL,
    input_tokens INTEGER NOT NULL,
    output_tokens INTEGER NOT NULL,
    created_at REAL NOT NULL
)
"""


def cache_key(
    *,
    provider: str,
    model: str,
    temperature: float,
    schema: type[BaseModel],
    system: str | None,
    prompt: str,
    task: str,
    context: dict | None,
    base_url: str | None = None,
) -> str:
    material = {
        "provider": provider,
        # The same model name at two endpoints (a local vLLM and OpenRouter) are two models.
        "base_url": base_url,
        "model": model,
        "temperature": float(temperature),
        "schema": [schema.__name__, schema.model_json_schema()],
        "system": system,
        "prompt": prompt,
        "task": task,
        "context": context,
    }
    encoded = json.dumps(material, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(encoded.encode()).hexdigest()


class ResponseCache:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with closing(self._connect()) as conn, conn:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute(_SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=30.0)
        conn.execute("PRAGMA busy_timeout=30000")
        return conn

    def get(self, key: str) -> tuple[str, int, int] | None:
        with closing(self._connect()) as conn:
            row = conn.execute(
                "SELECT value_json, input_tokens, output_tokens FROM responses WHERE key = ?", (key,)
            ).fetchone()
        return None if row is None else (row[0], int(row[1]), int(row[2]))

    def put(self, key: str, result: LLMResult[Any], schema_name: str) -> None:
        with closing(self._connect()) as conn, conn:
            conn.execute(
                "INSERT OR REPLACE INTO responses VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    key,
                    result.provider,
                    result.model,
                    schema_name,
                    result.value.model_dump_json(),
                    result.input_tokens,
                    result.output_tokens,
                    time.time(),
                ),
            )


class CachedProvider:
    """Wraps a provider; a hit returns cached=True, the original token counts and no new cost."""

    def __init__(self, inner: LLMProvider, spec: ModelSpec, cache: ResponseCache) -> None:
        self.inner = inner
        self.spec = spec
        self.cache = cache

    def __repr__(self) -> str:
        return f"CachedProvider({self.inner!r}, path={str(self.cache.path)!r})"

    def complete(
        self,
        *,
        task: str,
        prompt: str,
        schema: type[T],
        context: dict | None = None,
        system: str | None = None,
        temperature: float = 0.0,
        max_tokens: int = 4096,
    ) -> LLMResult[T]:
        started = time.perf_counter()
        key = cache_key(
            provider=self.spec.provider,
            model=self.spec.model_id,
            temperature=temperature,
            schema=schema,
            system=system,
            prompt=prompt,
            task=task,
            context=context,
            base_url=getattr(self.inner, "_base_url", None),
        )
        hit = self.cache.get(key)
        if hit is not None:
            try:
                value = schema.model_validate_json(hit[0])
            except ValidationError:
                value = None  # stored under an older shape of the same schema name: ask again
            if value is not None:
                return LLMResult(
                    value=value,
                    input_tokens=hit[1],
                    output_tokens=hit[2],
                    latency_ms=(time.perf_counter() - started) * 1000,
                    cost_usd=0.0,
                    cached=True,
                    provider=self.spec.provider,
                    model=self.spec.model_id,
                )
        result = self.inner.complete(
            task=task,
            prompt=prompt,
            schema=schema,
            context=context,
            system=system,
            temperature=temperature,
            max_tokens=max_tokens,
        )
        self.cache.put(key, result, schema.__name__)
        return result
