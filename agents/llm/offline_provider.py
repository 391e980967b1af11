"""The offline provider: deterministic heuristics per task, labelled provider="offline".

It does real work from the structured `context` (not the prompt), and refuses tasks it cannot do
with LLMUnavailable rather than pretending.
"""

from __future__ import annotations

import time
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from agents.llm import offline_flows, offline_suggestions
from agents.llm.base import LLMBadResponse, LLMResult, LLMUnavailable
from agents.schemas import ScoutInventory, VariantAnalysis

T = TypeVar("T", bound=BaseModel)

OFFLINE_MODEL = "offline-heuristics"


class OfflineProvider:
    def __init__(self, model: str = OFFLINE_MODEL) -> None:
        self.model = model

    def __repr__(self) -> str:
        return f"OfflineProvider(model={self.model!r})"

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
        answer = self._answer(task, context or {})
        try:
            value = schema.model_validate(answer.model_dump())
        except ValidationError as exc:
            raise LLMBadResponse(
                f"offline heuristics for {task!r} produce {type(answer).__name__}, "
                f"which does not fit the requested {schema.__name__}: {exc.error_count()} errors"
            ) from None
        return LLMResult(
            value=value,
            input_tokens=0,
            output_tokens=0,
            latency_ms=(time.perf_counter() - started) * 1000,
            cost_usd=0.0,
            cached=False,
            provider="offline",
            model=self.model,
        )

    def _answer(self, task: str, context: dict[str, Any]) -> BaseModel:
        if task == "derive_flows":
            inventory = ScoutInventory.model_validate(_required(context, task, "inventory"))
            return offline_flows.derive_flows(str(context.get("goal", "")), inventory)
        if task == "suggest_changes":
            analysis = VariantAnalysis.model_validate(_required(context, task, "analysis"))
            return offline_suggestions.suggest_changes(
                str(context.get("goal", "")), analysis, int(_required(context, task, "n")),
                existing=frozenset(context.get("existing") or ()),
                unsupported=frozenset(context.get("unsupported") or ()),
            )
        if task == "code_agent_step":
            raise LLMUnavailable("offline provider cannot run the tool-use code agent; use the recipe agent")
        raise LLMUnavailable(f"offline provider has no heuristic for the task {task!r}")


def _required(context: dict[str, Any], task: str, key: str) -> Any:
    if key not in context:
        raise LLMUnavailable(f"offline heuristics for {task!r} need context[{key!r}]; it was not given")
    return context[key]
