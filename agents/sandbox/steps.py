"""The bring-up steps every provider runs, and the one line a failing step raises."""

from __future__ import annotations

from agents.sandbox.base import AppConfig, CommandResult, SandboxError

NETWORK_SETTING = "VARIANTLAB_SANDBOX__INSTALL_NETWORK"
TIMEOUT_SETTING = "VARIANTLAB_SANDBOX__BRINGUP_TIMEOUT_S"


def build_steps(plan: AppConfig) -> list[tuple[str, str, str]]:
    """(step name, command, the variantlab.toml key that overrides it) after the install."""
    steps = [("build", plan.build, "build")] if plan.build else []
    steps += [(f"setup step {i}" if len(plan.setup) > 1 else "setup", cmd, "setup")
              for i, cmd in enumerate(plan.setup, 1)]
    return steps


def app_env(plan: AppConfig, port: int | None = None, host: str = "127.0.0.1") -> dict[str, str]:
    """The plan's own environment; for the start command also PORT and HOST."""
    env = dict(plan.env)
    if port is not None:
        env.update(PORT=str(port), HOST=host)
    return env


def tail(result: CommandResult, limit: int = 300) -> str:
    """The last lines a command printed, as one line."""
    text = result.stderr.strip() or result.stdout.strip()
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    joined = " | ".join(lines[-4:]) or "no output"
    return joined if len(joined) <= limit else "…" + joined[-limit:]


def failed(step: str, result: CommandResult, key: str, *, network: bool | None = None) -> SandboxError:
    """`build failed (exit 1): … — set `build` in variantlab.toml` (plus what else may help)."""
    hint = f"set `{key}` in variantlab.toml"
    if network is False:
        hint = f"installs have no network here: set {NETWORK_SETTING}=true, or {hint}"
    return SandboxError(f"{step} failed (exit {result.exit_code}): {tail(result)} — {hint}")
