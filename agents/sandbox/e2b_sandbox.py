"""The E2B sandbox: the same contract on a remote microVM, through the `e2b` SDK.

The repo is resolved locally exactly as for the local sandbox (cache under data_dir/repos), shipped
as a git bundle, cloned inside the VM and checked out at the commit. Previews stay private unless
settings.sandbox.e2b_public_previews: requests must then carry `preview_headers`.
"""

from __future__ import annotations

import collections
import contextlib
import posixpath
import shlex
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Self

import e2b
import httpx

from agents.sandbox import steps
from agents.sandbox.appconfig import load_app_config
from agents.sandbox.base import (
    AppConfig,
    BringupFailed,
    CommandResult,
    DiffSummary,
    PathEscape,
    SandboxAuthError,
    SandboxError,
    SandboxNotFound,
    SandboxRateLimited,
    SandboxTimeout,
)
from agents.sandbox.diffparse import STATUS_ARGV, diff_argv, parse_diff, parse_status
from agents.sandbox.excerpt import cause_excerpt
from agents.sandbox.repos import git, resolve
from settings import SandboxSettings

WORKDIR = "/home/user/app"
TRAFFIC_HEADER = "e2b-traffic-access-token"
OUTPUT_LINES_KEPT = 400  # chunks of the app's output kept for a start failure's cause


@contextlib.contextmanager
def provider_errors(action: str) -> Iterator[None]:
    """Map the SDK's exceptions to ours, with a message that says what to do."""
    try:
        yield
    except e2b.AuthenticationException as exc:
        raise SandboxAuthError(f"E2B rejected the API key while trying to {action}; check "
                               "VARIANTLAB_SANDBOX__E2B_API_KEY") from exc
    except e2b.RateLimitException as exc:
        raise SandboxRateLimited(f"E2B is rate limiting us ({action}); retry later") from exc
    except e2b.NotFoundException as exc:
        raise SandboxNotFound(f"E2B sandbox or file not found ({action}): {exc}") from exc
    except e2b.TimeoutException as exc:
        raise SandboxTimeout(f"E2B did not answer in time ({action}): {exc}") from exc
    except e2b.SandboxException as exc:
        raise SandboxError(f"E2B failed to {action}: {exc}") from exc


def plan_of(git_dir: Path, commit: str, patch: str | None) -> AppConfig:
    """The bring-up plan, read from the commit (+ patch) on the host exactly as the local sandbox
    reads it: the VM only runs the commands."""
    with tempfile.TemporaryDirectory(prefix="vl-plan-") as tmp:
        archive = subprocess.run(["git", "-C", str(git_dir), "archive", "--format=tar", commit],
                                 capture_output=True, check=False)
        if archive.returncode != 0:
            raise SandboxError(f"cannot read {commit[:12]}: {archive.stderr.decode(errors='replace')[:300]}")
        subprocess.run(["tar", "-x", "-C", tmp], input=archive.stdout, check=True, capture_output=True)
        if patch:
            git("-C", tmp, "apply", "--whitespace=nowarn", "-", input=patch)
        return load_app_config(Path(tmp))


class E2BSandbox:
    def __init__(self, repo: str, ref: str | None = None, *, patch: str | None = None,
                 sandbox: SandboxSettings, data_dir: Path) -> None:
        self._cfg = sandbox
        key = self._cfg.e2b_api_key
        if key is None or not key.get_secret_value():
            raise SandboxAuthError("the e2b provider needs an API key: set VARIANTLAB_SANDBOX__E2B_API_KEY")
        source = resolve(repo, ref, data_dir / "repos")
        self.base_commit = source.commit
        bundle = subprocess.run(["git", "-C", str(source.git_dir), "bundle", "create", "-",
                                 source.commit, "--all"], capture_output=True, check=False)
        if bundle.returncode != 0:
            raise SandboxError(f"cannot bundle {repo}: {bundle.stderr.decode(errors='replace')[:300]}")
        self.app: AppConfig = plan_of(source.git_dir, source.commit, patch)
        self.dependencies = "installed" if self.app.install else "none"  # no reuse across VMs yet
        self._produced: tuple[str, ...] = ()
        self._url: str | None = None
        self._destroyed = False
        self._extended_at = time.monotonic()
        with provider_errors("create a sandbox"):
            self._sbx = e2b.Sandbox.create(
                template=self._cfg.e2b_template, timeout=self._cfg.e2b_lifetime_s,
                api_key=key.get_secret_value(), domain=self._cfg.e2b_domain,
                # E2B sets internet access per VM, not per command: the VM is the boundary, and it
                # has internet only when installs may use it.
                allow_internet_access=self._cfg.install_network,
                network={"allow_public_traffic": self._cfg.e2b_public_previews},
                metadata={"variantlab": "sandbox"},
            )
        self.id = self._sbx.sandbox_id
        try:
            self._prepare(bundle.stdout, patch)
        except BaseException:
            self.destroy()
            raise

    def _prepare(self, bundle: bytes, patch: str | None) -> None:
        with provider_errors("upload the repo"):
            self._sbx.files.write("/tmp/repo.bundle", bundle)
        checkout = f"git clone -q /tmp/repo.bundle {WORKDIR} && git -C {WORKDIR} checkout -q --detach {self.base_commit}"
        self._must(checkout, "check out the repo", cwd="/")
        if patch:
            with provider_errors("upload the patch"):
                self._sbx.files.write("/tmp/variant.patch", patch)
            self._must("git apply --whitespace=nowarn /tmp/variant.patch", "apply the patch")
        patched = self._status() if patch else ()
        if self.app.install:
            self._step("install", self.app.install, "install", network=self._cfg.install_network)
        for step, command, key in steps.build_steps(self.app):
            self._step(step, command, key)
        if self.app.install or self.app.build or self.app.setup:
            # A build's output, a lockfile the install wrote: never the agent's change.
            self._produced = tuple(p for p in self._status() if p not in patched)

    def _status(self) -> tuple[str, ...]:
        result = self._run_shell(shlex.join(STATUS_ARGV), timeout_s=60, env=None, cwd=WORKDIR)
        if not result.ok:
            raise SandboxError(f"git status failed in E2B: {steps.excerpt(result)}")
        return parse_status(result.stdout)

    def _must(self, cmd: str, action: str, cwd: str = WORKDIR) -> None:
        result = self._run_shell(cmd, timeout_s=self._cfg.command_timeout_s, env=None, cwd=cwd)
        if not result.ok:
            raise SandboxError(f"could not {action} in E2B (exit {result.exit_code}): "
                               f"{result.stderr.strip()[-300:]}")

    def _step(self, step: str, command: str, key: str, *, network: bool | None = None) -> None:
        env = steps.app_env(self.app) if step != "install" else None
        result = self._run_shell(command, timeout_s=self._cfg.bringup_timeout_s, env=env, cwd=WORKDIR)
        if result.timed_out:
            result = CommandResult(result.exit_code, result.stdout, result.stderr + (
                f"\n[killed after {self._cfg.bringup_timeout_s:g}s; raise {steps.TIMEOUT_SETTING}]"),
                result.duration_ms, timed_out=True)
        if not result.ok:
            raise steps.failed(step, result, key, network=network)

    # -- commands ---------------------------------------------------------------------------
    def run(self, cmd: list[str] | str, *, timeout_s: float | None = None,
            env: dict[str, str] | None = None, cwd: str | None = None) -> CommandResult:
        shell = cmd if isinstance(cmd, str) else shlex.join(cmd)
        inner = WORKDIR if cwd in (None, "", ".") else self._confine(cwd)
        timeout = timeout_s if timeout_s is not None else self._cfg.command_timeout_s
        return self._run_shell(shell, timeout_s=timeout, env={**steps.app_env(self.app), **(env or {})},
                               cwd=inner)

    def _run_shell(self, cmd: str, *, timeout_s: float, env: dict[str, str] | None,
                   cwd: str) -> CommandResult:
        self._alive()
        self._keep_alive()
        start = time.perf_counter()
        try:
            with provider_errors("run a command"):
                # The SDK's default command timeout is 60 s: always pass ours.
                done = self._sbx.commands.run(cmd, envs=env or {}, cwd=cwd, timeout=timeout_s,
                                              request_timeout=timeout_s + 30)
        except SandboxTimeout as exc:
            return CommandResult(124, "", str(exc), (time.perf_counter() - start) * 1000, timed_out=True)
        except SandboxError as exc:
            if not isinstance(exc.__cause__, e2b.CommandExitException):
                raise
            done = exc.__cause__  # a non-zero exit is a result, not an error
        return CommandResult(done.exit_code, done.stdout or "", done.stderr or "",
                             (time.perf_counter() - start) * 1000)

    def _keep_alive(self) -> None:
        """Push the VM's lifetime (E2B default 300 s) out again once half of it has passed."""
        if time.monotonic() - self._extended_at < self._cfg.e2b_lifetime_s / 2:
            return
        with provider_errors("extend the sandbox lifetime"):
            self._sbx.set_timeout(self._cfg.e2b_lifetime_s)
        self._extended_at = time.monotonic()

    # -- files ------------------------------------------------------------------------------
    def _confine(self, path: str) -> str:
        if not path or "\x00" in path or path.startswith("/") or ".." in path.split("/"):
            raise PathEscape(f"path must be relative and inside the workdir: {path!r}")
        full = posixpath.join(WORKDIR, path)
        real = self._run_shell(f"realpath -m -- {shlex.quote(full)}", timeout_s=30, env=None, cwd="/")
        resolved = real.stdout.strip()
        if not real.ok or not (resolved == WORKDIR or resolved.startswith(WORKDIR + "/")):
            raise PathEscape(f"{path} resolves outside the workdir (through a symlink)")
        return resolved

    def read_file(self, path: str) -> str:
        target = self._confine(path)
        with provider_errors(f"read {path}"):
            return self._sbx.files.read(target)

    def write_file(self, path: str, content: str) -> None:
        target = self._confine(path)
        with provider_errors(f"write {path}"):
            self._sbx.files.write(target, content)

    def read_bytes(self, path: str) -> bytes:
        target = self._confine(path)
        with provider_errors(f"read {path}"):
            return bytes(self._sbx.files.read(target, format="bytes"))

    def write_bytes(self, path: str, data: bytes) -> None:
        target = self._confine(path)
        with provider_errors(f"write {path}"):
            self._sbx.files.write(target, data)

    def list_files(self, path: str = ".") -> list[str]:
        base = WORKDIR if path in ("", ".") else self._confine(path)
        found = self._run_shell(f"find {shlex.quote(base)} -path '*/.git' -prune -o -type f -print",
                                timeout_s=60, env=None, cwd="/")
        return sorted(posixpath.relpath(line, WORKDIR) for line in found.stdout.splitlines() if line)

    # -- preview, diff, lifecycle -----------------------------------------------------------
    @property
    def preview_headers(self) -> dict[str, str]:
        token = getattr(self._sbx, "traffic_access_token", None)
        return {TRAFFIC_HEADER: token} if token else {}

    def start_preview(self) -> str:
        self._alive()
        if self._url:
            return self._url
        port = self.app.port
        if self.app.start:
            command = self.app.start
        else:
            command = f"python3 -m http.server {port} --bind 0.0.0.0 --directory {shlex.quote(self.app.static_root)}"
        # The app's output, kept (bounded) so a start that never answers can say why, as locally.
        output: collections.deque[str] = collections.deque(maxlen=OUTPUT_LINES_KEPT)
        with provider_errors("start the preview"):
            # E2B's proxy reaches the VM from outside its loopback: the app listens on all interfaces.
            self._sbx.commands.run(command, background=True, cwd=WORKDIR, timeout=0,
                                   envs=steps.app_env(self.app, port=port, host="0.0.0.0"),
                                   on_stdout=output.append, on_stderr=output.append)
            url = f"https://{self._sbx.get_host(port)}/"
        deadline = time.monotonic() + self._cfg.preview_ready_timeout_s
        while time.monotonic() < deadline:
            try:
                if httpx.get(url, headers=self.preview_headers, timeout=2.0).status_code < 500:
                    self._url = url
                    return url
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        # The same commit starts the same way next time: a bring-up failure, not retried.
        raise BringupFailed(f"start failed: nothing answered on port {port} in E2B within "
                            f"{self._cfg.preview_ready_timeout_s:g}s: {cause_excerpt(''.join(output))} "
                            "— set `start` and `port` in variantlab.toml")

    def diff(self) -> DiffSummary:
        result = self.run(diff_argv(self.base_commit, self.app.dependency_dirs + self._produced),
                          timeout_s=60)
        if not result.ok:
            raise SandboxError(f"git diff failed in the sandbox: {result.stderr.strip()[-300:]}")
        return parse_diff(result.stdout)

    def _alive(self) -> None:
        if self._destroyed:
            raise SandboxError(f"sandbox {self.id} was destroyed")

    def destroy(self) -> None:
        if self._destroyed:
            return
        self._destroyed = True
        # Already gone (expired or killed) is fine: destroy is idempotent.
        with contextlib.suppress(SandboxNotFound), provider_errors("kill the sandbox"):
            self._sbx.kill()

    def stop(self) -> None:
        # Killing the remote sandbox ends every command in it; the thread waiting on one gets its
        # connection closed.
        self.destroy()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.destroy()
