"""Structured output shared by the real providers: one forced tool whose input is the schema.

A provider asks the model to call `tool_name(schema)` with `json_schema(schema)` as its input
schema, validates what comes back with pydantic, and on failure asks once more with the
validation error in the prompt (`repair_prompt`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

T = TypeVar("T", bound=BaseModel)

_FENCE = re.compile(r"```(?:json)?\s*(.*?)```", re.DOTALL)


class Malformed(Exception):
    """The answer could not be turned into the schema; the message is fed back for the repair."""

    def __init__(self, message: str, answer: str = "") -> None:
        super().__init__(message)
        self.answer = answer


def tool_name(schema: type[BaseModel]) -> str:
    """A provider-safe tool name (^[a-zA-Z0-9_-]{1,64}$) derived from the schema's name."""
    snake = re.sub(r"(?<!^)(?=[A-Z])", "_", schema.__name__).lower()
    return ("submit_" + re.sub(r"[^a-z0-9_]", "_", snake))[:64]


def tool_description(schema: type[BaseModel]) -> str:
    doc = (schema.__doc__ or "").strip()
    return f"Submit the answer as a {schema.__name__}. {doc}".strip()


def json_schema(schema: type[BaseModel]) -> dict[str, Any]:
    return schema.model_json_schema()


def validate(schema: type[T], payload: Any) -> T:
    """Validate a tool input (dict) or a JSON string; raise Malformed with a readable error."""
    answer = payload if isinstance(payload, str) else json.dumps(payload, default=str)
    try:
        if isinstance(payload, str):
            return schema.model_validate_json(payload)
        return schema.model_validate(payload)
    except ValidationError as exc:
        errors = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or '(root)'}: {e['msg']}" for e in exc.errors()[:10]
        )
        raise Malformed(f"the answer does not match the {schema.__name__} schema: {errors}", answer) from None


def json_from_text(text: str) -> str:
    """The JSON object in a text answer (fenced or bare), for models that answer in content."""
    fenced = _FENCE.search(text)
    candidate = fenced.group(1) if fenced else text
    start, end = candidate.find("{"), candidate.rfind("}")
    if start < 0 or end <= start:
        raise Malformed("the answer contains no JSON object", text[:2000])
    return candidate[start : end + 1]


def repair_prompt(prompt: str, schema: type[BaseModel], failure: Malformed) -> str:
    """The original prompt plus why the last answer was rejected, so the model can correct it."""
    previous = f"\nYour previous answer was:\n{failure.answer[:4000]}\n" if failure.answer else "\n"
    return (
        f"{prompt}\n\n---\nA previous answer was rejected: {failure}.{previous}"
        f"Answer again by calling the tool `{tool_name(schema)}` exactly once, "
        "with input that satisfies its JSON schema."
    )


def ask_with_repair(prompt: str, schema: type[T], ask: Callable[[str], Any], extract: Callable[[Any], Any],
                    label: str) -> T:
    """Ask, validate the answer against the schema; on a malformed answer ask once more with the
    validation error fed back (`repair_prompt`), then give up with LLMBadResponse."""
    from agents.llm.base import LLMBadResponse

    asked, failure = prompt, None
    for _ in range(2):
        answer = ask(asked)
        try:
            return validate(schema, extract(answer))
        except Malformed as exc:
            failure = exc
            asked = repair_prompt(prompt, schema, exc)
    raise LLMBadResponse(f"{label}: invalid answer after a repair retry: {failure}")
