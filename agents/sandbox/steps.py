"""The bring-up steps every provider runs, and the one line a failing step raises."""

from __future__ import annotations

import re

from agents.sandbox.base import AppConfig, BringupFailed, CommandResult, SandboxError
from agents.sandbox.excerpt import cause_excerpt, has_cause

NETWORK_SETTING = "VARIANTLAB_SANDBOX__INSTALL_NETWORK"
TIMEOUT_SETTING = "VARIANTLAB_SANDBOX__BRINGUP_TIMEOUT_S"
# What npm, pip, yarn and curl print when the network, not the app, failed an install: worth a retry.
TRANSIENT_NETWORK = re.compile(
    r"ECONNRESET|ETIMEDOUT|EAI_AGAIN|Temporary failure in name resolution|Connection reset|socket hang up"
    r"|Read timed out|\b50[234]\s+(?:Bad Gateway|Service Unavailable|Gateway Time-?out|Server Error)"
    r"|(?:HTTP(?: error)?|status(?: code)?|code)\s*:?\s*E?50[234]\b", re.IGNORECASE)


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


def excerpt(result: CommandResult) -> str:
    """The lines of a command's output that carry the cause, as one line (see excerpt.py)."""
    stderr, stdout = result.stderr.strip(), result.stdout.strip()
    # Most tools print their error on stderr; some (pip's resolver, test runners) on stdout.
    return cause_excerpt(stdout if stdout and not has_cause(stderr) and has_cause(stdout) else stderr or stdout)


def transient_network(step: str, result: CommandResult, *, network: bool | None) -> bool:
    """An install the network failed (a reset, a DNS hiccup, a registry's 502/503/504): the next try
    may pass. Without network (network False) the same errors are the setting's, and they stay."""
    return step == "install" and network is not False and bool(
        TRANSIENT_NETWORK.search(f"{result.stdout}\n{result.stderr}"))


# A bundler or node that cannot find a file the app's own source imports (rollup, webpack, vite, esbuild,
# node): no build command fixes that; often the name differs only in case from the file (written on a
# case-insensitive disk).
_MISSING_IMPORT = re.compile(
    r"""(?:Could not resolve|Can't resolve|Cannot find module|Failed to resolve import)\s+["'`](\.{1,2}/[^"'`]+)["'`]""")


def failed(step: str, result: CommandResult, key: str, *, network: bool | None = None) -> SandboxError:
    """`build failed (exit 1): … — set `build` in variantlab.toml` (plus what else may help).

    BringupFailed (not retried: the same commit fails the same way) unless an install failed on the
    network, which a retry may get past."""
    hint = f"set `{key}` in variantlab.toml"
    if step == "build" and (missing := _MISSING_IMPORT.search(f"{result.stderr}\n{result.stdout}")):
        hint = (f"the app's own source imports {missing.group(1)}, which is not in the repository as written "
                "(file names are case-sensitive here): a fault of the app, not of its build command")
    elif network is False:
        hint = f"installs have no network here: set {NETWORK_SETTING}=true, or {hint}"
    message = f"{step} failed (exit {result.exit_code}): {excerpt(result)} — {hint}"
    if transient_network(step, result, network=network):
        return SandboxError(f"{message} (a network error: worth another try)")
    return BringupFailed(message)
