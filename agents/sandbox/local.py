"""The local sandbox: a fresh clone per sandbox, commands and preview under bubblewrap."""

from __future__ import annotations

import logging
import os
import secrets
import shutil
import socket
import subprocess
import time
from pathlib import Path
from typing import Self

from agents.sandbox import isolation, paths, preview, scratch, seccomp, steps
from agents.sandbox.appconfig import load_app_config
from agents.sandbox.base import AppConfig, CommandResult, DiffSummary, SandboxError
from agents.sandbox.depcache import DependencyCache, cache_key
from agents.sandbox.diffparse import STATUS_ARGV, diff_argv, parse_diff, parse_status
from agents.sandbox.process import LimitSettings, kill_commands_bound_to, kill_tree, kill_uid, run_process
from agents.sandbox.repos import git, resolve
from agents.sandbox.watchdog import MemoryBudget
from settings import SandboxSettings

log = logging.getLogger(__name__)
_BRIDGE = Path(__file__).with_name("bridge.py")


class LocalSandbox:
    """One checkout of `repo` at `ref` (plus `patch`), owned by a dedicated sandbox uid, brought up
    by its plan: install (the only step with network), build, setup steps."""

    def __init__(self, repo: str, ref: str | None = None, *, patch: str | None = None,
                 sandbox: SandboxSettings, data_dir: Path) -> None:
        self._cfg = sandbox
        self.isolated = isolation.require_isolation(self._cfg.allow_unisolated)
        self.id = f"sbx_{secrets.token_hex(8)}"
        self._root = data_dir / "sandboxes" / self.id
        self.workdir = self._root / "work"
        self._run_dir = self._root / "run"
        self._home = self._root / "home"  # HOME and package caches: outside the workdir and its diff
        self._deps = DependencyCache(data_dir / "cache" / "dependencies")
        self._budget = MemoryBudget(self._cfg.memory_limit_mb)
        self._preview: subprocess.Popen | None = None
        self._url: str | None = None
        self._destroyed = False
        self._mounted = False
        self.dependencies = "none"  # "installed" | "reused" | "none": what bring-up did
        self.step_ms: dict[str, float] = {}
        self._produced: tuple[str, ...] = ()  # paths bring-up created or changed: never in a diff
        self._seccomp: Path | None = None
        self.uid = isolation.sandbox_uid(self.id) if self.isolated else os.getuid()
        try:
            source = resolve(repo, ref, data_dir / "repos")
            self.base_commit = source.commit
            self._checkout(source.git_dir, source.commit, patch)
            self.app: AppConfig = load_app_config(self.workdir)
            # What the patch changed is a change; what bring-up changes after it is not.
            patched = self._status_on_host() if patch else ()
            self._install()
            for step, command, key in steps.build_steps(self.app):
                self._step(step, command, key, network=False)
            self._produced = tuple(p for p in self._bringup_products() if p not in patched)
        except BaseException:
            self.destroy()
            raise

    # -- creation ---------------------------------------------------------------------------
    def _checkout(self, git_dir: Path, commit: str, patch: str | None) -> None:
        scratch.reap_orphans(self._root.parent)
        self._mounted = scratch.make_root(self._root, self._cfg.memory_limit_mb)
        scratch.claim_root(self._root)
        self._run_dir.mkdir()
        self._home.mkdir()
        # --no-hardlinks: the sandbox owns its objects, so none may be shared with the cache.
        git("clone", "--quiet", "--no-checkout", "--no-hardlinks", "--template=", str(git_dir),
            str(self.workdir))
        git("-C", str(self.workdir), "checkout", "--quiet", "--detach", commit)
        if patch:
            try:
                git("-C", str(self.workdir), "apply", "--whitespace=nowarn", "-", input=patch)
            except SandboxError as exc:
                raise SandboxError(f"the patch does not apply on {commit[:12]}: {exc}") from exc
        isolation.write_identity(self._run_dir, self.uid)
        filter_program = seccomp.program()
        if filter_program is not None:  # in the root, which is not bound in: the sandbox cannot swap it
            self._seccomp = self._root / "seccomp.bpf"
            self._seccomp.write_bytes(filter_program)
        shutil.copyfile(_BRIDGE, self._run_dir / "bridge.py")
        for name in ("bridge.py", "passwd", "group"):  # readable whatever the host's umask
            os.chmod(self._run_dir / name, 0o444)

    def _chown_tree(self) -> None:
        """Hand the workdir (with any dependencies copied in) and HOME to the sandbox uid."""
        if not self.isolated or self.uid == os.getuid():
            return
        os.chown(self._run_dir, self.uid, self.uid)
        for top in (self.workdir, self._home):
            for dirpath, _, filenames in os.walk(top):
                os.lchown(dirpath, self.uid, self.uid)
                for name in filenames:
                    os.lchown(os.path.join(dirpath, name), self.uid, self.uid)

    def _install(self) -> None:
        """Install once per distinct (command, lockfiles, package manager); copy it in after that."""
        # Only isolated: installs write absolute paths (a venv's scripts), and only under bwrap is
        # the workdir at the same path (/workspace) in every sandbox.
        key = cache_key(self.app, self.workdir) if self.isolated else None
        if key is None:
            self._chown_tree()
            if self.app.install:
                self._step("install", self.app.install, "install", network=self._cfg.install_network)
                self.dependencies = "installed"
            return
        with self._deps.locked(key) as entry:  # a sandbox created meanwhile waits, then reuses
            start = time.perf_counter()
            reused = self._deps.restore(entry, self.workdir, self.app.dependency_dirs)
            self._chown_tree()
            if reused:
                self.step_ms["install"] = (time.perf_counter() - start) * 1000
                self.dependencies = "reused"
                return
            self._step("install", self.app.install or "", "install", network=self._cfg.install_network)
            self.dependencies = "installed"
            self._deps.save(entry, self.workdir, self.app.dependency_dirs)

    def _status_on_host(self) -> tuple[str, ...]:
        # Safe on the host only now: no untrusted code has run, the .git is our fresh clone's.
        done = subprocess.run(["git", "-C", str(self.workdir), *STATUS_ARGV[1:]], capture_output=True,
                              text=True, check=False)
        if done.returncode != 0:
            raise SandboxError(f"git status failed after applying the patch: {done.stderr.strip()[:300]}")
        return parse_status(done.stdout)

    def _bringup_products(self) -> tuple[str, ...]:
        if not self.step_ms:
            return ()
        status = self.run(STATUS_ARGV, timeout_s=60)
        if not status.ok:
            raise SandboxError(f"git status failed in the sandbox after bring-up: {steps.excerpt(status)}")
        return parse_status(status.stdout)

    def _step(self, step: str, command: str, key: str, *, network: bool) -> None:
        result = self._exec(["/bin/sh", "-c", command], timeout_s=self._cfg.bringup_timeout_s,
                            env=steps.app_env(self.app) if step != "install" else None, cwd=None,
                            network=network, timeout_setting=steps.TIMEOUT_SETTING)
        self.step_ms[step] = result.duration_ms
        if not result.ok:
            raise steps.failed(step, result, key, network=network if step == "install" else None)

    # -- commands ---------------------------------------------------------------------------
    def run(self, cmd: list[str] | str, *, timeout_s: float | None = None,
            env: dict[str, str] | None = None, cwd: str | None = None) -> CommandResult:
        argv = ["/bin/sh", "-c", cmd] if isinstance(cmd, str) else list(cmd)
        return self._exec(argv, timeout_s=timeout_s, env={**steps.app_env(self.app), **(env or {})},
                          cwd=cwd, network=False)

    def _exec(self, argv: list[str], *, timeout_s: float | None, env: dict[str, str] | None,
              cwd: str | None, network: bool,
              timeout_setting: str = "VARIANTLAB_SANDBOX__COMMAND_TIMEOUT_S") -> CommandResult:
        self._alive()
        inner_cwd = self._inner(cwd)
        timeout = timeout_s if timeout_s is not None else self._cfg.command_timeout_s
        limits = LimitSettings(timeout_setting, self._cfg.cpu_time_limit_s, self._cfg.max_processes)
        if not self.isolated:
            log.warning("sandbox %s: running %s UNISOLATED", self.id, argv[:3])
            host_cwd = str(self.workdir / Path(inner_cwd).relative_to(isolation.WORKSPACE))
            full = self._limits() + argv
            return run_process(full, env=isolation.base_env(env, home=str(self._home)), cwd=host_cwd,
                               timeout_s=timeout, budget=self._budget, limits=limits)
        full = self._limits() + isolation.bwrap_argv(
            workdir=self.workdir, run_dir=self._run_dir, home=self._home, uid=self.uid,
            network=network, chdir=inner_cwd, seccomp=self._seccomp) + argv
        return run_process(full, env=isolation.base_env(env), cwd=str(self._root), timeout_s=timeout,
                           budget=self._budget, limits=limits)

    def _limits(self) -> list[str]:
        cfg = self._cfg
        return isolation.limit_prefix(self.uid, isolation.Limits(cfg.cpu_time_limit_s, cfg.max_processes))

    def _inner(self, cwd: str | None) -> str:
        if cwd in (None, "", "."):
            return isolation.WORKSPACE
        rel = paths.confine(self.workdir, cwd).relative_to(self.workdir.resolve())
        return f"{isolation.WORKSPACE}/{rel}"

    def _alive(self) -> None:
        if self._destroyed:
            raise SandboxError(f"sandbox {self.id} was destroyed")

    # -- files ------------------------------------------------------------------------------
    def read_file(self, path: str) -> str:
        self._alive()
        return paths.read_text(self.workdir, path)

    def write_file(self, path: str, content: str) -> None:
        self._alive()
        owner = self.uid if self.uid != os.getuid() else None
        paths.write_text(self.workdir, path, content, owner)

    def read_bytes(self, path: str) -> bytes:
        self._alive()
        return paths.read_bytes(self.workdir, path)

    def write_bytes(self, path: str, data: bytes) -> None:
        self._alive()
        owner = self.uid if self.uid != os.getuid() else None
        paths.write_bytes(self.workdir, path, data, owner)

    def list_files(self, path: str = ".") -> list[str]:
        self._alive()
        return paths.list_files(self.workdir, path)

    @property
    def peak_memory_mb(self) -> float:
        """The most memory (PSS) the sandbox's processes held together at one sample so far."""
        return self._budget.peak_bytes / 2**20

    # -- preview ----------------------------------------------------------------------------
    @property
    def preview_headers(self) -> dict[str, str]:
        return {}  # the preview listens on the host's loopback only: no token to carry

    def start_preview(self) -> str:
        self._alive()
        if self._url and self._preview and self._preview.poll() is None:
            return self._url
        if self.app.start:
            bridge_args = ["proxy", str(self.app.port), self.app.start]  # PORT set by the bridge too
        else:
            static = self._inner(self.app.static_root)
            if not self.isolated:
                static = str(self.workdir / Path(static).relative_to(isolation.WORKSPACE))
            bridge_args = ["static", static]
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.bind(("127.0.0.1", 0))
        listener.listen(128)
        port = listener.getsockname()[1]
        try:
            self._preview = self._spawn_bridge(listener, bridge_args)
        finally:
            listener.close()  # the sandbox holds it now; if it dies, connections are refused
        self._url = f"http://127.0.0.1:{port}/"
        preview.wait_ready(self._preview, port, app=self.app, timeout_s=self._cfg.preview_ready_timeout_s,
                           log_path=self._root / "preview.log", budget=self._budget)
        return self._url

    def _spawn_bridge(self, listener: socket.socket, bridge_args: list[str]) -> subprocess.Popen:
        # The listening socket goes in as stdin; the shell moves it to fd 3 where the bridge expects it.
        app_env = steps.app_env(self.app, port=self.app.port)  # the start command inherits it
        if self.isolated:
            prefix = isolation.bwrap_argv(workdir=self.workdir, run_dir=self._run_dir, home=self._home,
                                          uid=self.uid, network=False, seccomp=self._seccomp)
            script, env = f"{isolation.RUN_DIR}/bridge.py", isolation.base_env(app_env)
            cwd = self._root  # bwrap itself changes into /workspace
        else:
            log.warning("sandbox %s: preview server running UNISOLATED", self.id)
            prefix, script = [], str(self._run_dir / "bridge.py")
            env = isolation.base_env(app_env, home=str(self._home))
            cwd = self.workdir
        argv = self._limits() + prefix + ["/bin/sh", "-c", 'exec 3<&0 0</dev/null; exec "$@"', "sh",
                                          "python3", "-I", "-S", script, *bridge_args]
        with open(self._root / "preview.log", "wb") as logfile:
            proc = subprocess.Popen(argv, stdin=listener.fileno(), stdout=logfile, stderr=logfile,
                                    env=env, cwd=str(cwd), process_group=0)
        self._budget.track(proc.pid)  # the app's server counts against the sandbox's memory too
        return proc

    # -- diff & lifecycle -------------------------------------------------------------------
    def diff(self) -> DiffSummary:
        # Runs inside the sandbox: the workdir's .git/config is writable by untrusted code, so host
        # git must never read it (core.fsmonitor, diff drivers and the like would run on the host).
        result = self.run(diff_argv(self.base_commit, self.app.dependency_dirs + self._produced),
                          timeout_s=60)
        if not result.ok:
            raise SandboxError(f"git diff failed in the sandbox: {result.stderr.strip()[-300:]}")
        return parse_diff(result.stdout)

    def destroy(self) -> None:
        if self._destroyed:
            return
        self._destroyed = True
        if self._preview is not None:
            kill_tree(self._preview)
            self._preview.wait()
            self._budget.untrack(self._preview.pid)
        scratch.remove_root(self._root, self._mounted)

    def stop(self) -> None:
        # Twice: a command may start between the kill and destroy (destroy is idempotent, and a
        # second pass finds what slipped in).
        for _ in range(2):
            kill_commands_bound_to(str(self.workdir))
            kill_uid(self.uid)  # a no-op unless the sandbox has its own uid
            self.destroy()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.destroy()
