"""List prices (USD per 1M tokens) for the models we know; everything else is unknown, not free."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Price:
    input_per_mtok: float
    output_per_mtok: float
    # Anthropic bills cache writes at 1.25x and cache reads at 0.1x the input price (5-minute TTL).
    cache_write_factor: float = 1.25
    cache_read_factor: float = 0.1


_ANTHROPIC: dict[str, Price] = {
    "claude-opus-4-6": Price(5.0, 25.0),
    "claude-opus-4-5": Price(5.0, 25.0),
    "claude-opus-4-1": Price(15.0, 75.0),
    "claude-opus-4": Price(15.0, 75.0),
    "claude-sonnet-4-6": Price(3.0, 15.0),
    "claude-sonnet-4-5": Price(3.0, 15.0),
    "claude-sonnet-4": Price(3.0, 15.0),
    "claude-haiku-4-5": Price(1.0, 5.0),
    "claude-3-5-haiku": Price(0.8, 4.0),
}


def price_for(provider: str, model: str) -> Price | None:
    """The price of `model`, matching dated ids (claude-sonnet-4-5-20250929) by their longest prefix."""
    if provider != "anthropic":
        return None
    for known in sorted(_ANTHROPIC, key=len, reverse=True):
        if model == known or model.startswith(known + "-"):
            return _ANTHROPIC[known]
    return None


def cost_usd(
    provider: str,
    model: str,
    *,
    input_tokens: int,
    output_tokens: int,
    cache_write_tokens: int = 0,
    cache_read_tokens: int = 0,
) -> tuple[float, bool]:
    """(cost, known). `input_tokens` excludes the cache write/read tokens, as Anthropic reports them."""
    price = price_for(provider, model)
    if price is None:
        return 0.0, provider == "offline"
    billed_input = (
        input_tokens
        + cache_write_tokens * price.cache_write_factor
        + cache_read_tokens * price.cache_read_factor
    )
    return (billed_input * price.input_per_mtok + output_tokens * price.output_per_mtok) / 1e6, True
