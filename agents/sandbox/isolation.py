"""How a sandboxed process is launched: bubblewrap argv, a dedicated uid, rlimits, a scrubbed env.

Why a dedicated uid: RLIMIT_NPROC is counted per *real user* and uid 0 is exempt from it, so as
root a fork bomb would only stop at the host's pid_max. When we are root, bwrap keeps just enough
capability to switch to a per-sandbox unprivileged uid (setpriv) before the command starts; that
uid owns the workdir and nothing else, and its process count is the sandbox's alone. When we are
not root, bwrap runs as our own uid in a user namespace and the process limit is our current
process count plus the budget (weaker: it is shared with our other processes).
"""

from __future__ import annotations

import hashlib
import logging
import os
import subprocess
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from agents.sandbox.base import IsolationUnavailable

log = logging.getLogger(__name__)

BWRAP = "/usr/bin/bwrap"
WORKSPACE = "/workspace"
RUN_DIR = "/run/variantlab"
# HOME and every package manager's cache: outside the workspace, so they are never part of a diff.
HOME = "/home/sandbox"
_UID_BASE, _UID_SPAN = 200_000, 100_000
# Only what python3, sh, git and node need to start; TLS and DNS only for a networked install.
# (Each bind costs a mount: fewer binds, faster commands.)
_ETC = ("ld.so.cache", "alternatives", "mime.types", "localtime")
_ETC_NETWORK = ("ssl", "ca-certificates", "nsswitch.conf", "hosts", "resolv.conf", "gai.conf", "host.conf")
_PATH = "/usr/local/bin:/usr/bin:/bin"


@dataclass(frozen=True)
class Limits:
    """Per process: CPU time and the process count. Memory is a budget of the whole sandbox
    (agents/sandbox/watchdog.py), not an address-space limit per process."""

    cpu_s: int
    max_processes: int


def sandbox_uid(sandbox_id: str) -> int:
    """A per-sandbox uid when we can switch users; our own uid otherwise."""
    if os.geteuid() != 0:
        return os.getuid()
    digest = int(hashlib.sha256(sandbox_id.encode()).hexdigest(), 16)
    return _UID_BASE + digest % _UID_SPAN


def cache_env(home: str) -> dict[str, str]:
    """Point npm, pnpm, yarn, pip and XDG caches below `home` (never the workspace)."""
    return {
        "HOME": home, "XDG_CACHE_HOME": f"{home}/.cache", "XDG_DATA_HOME": f"{home}/.local/share",
        "XDG_CONFIG_HOME": f"{home}/.config", "npm_config_cache": f"{home}/.npm",
        "npm_config_store_dir": f"{home}/.local/share/pnpm/store", "YARN_CACHE_FOLDER": f"{home}/.cache/yarn",
        "PIP_CACHE_DIR": f"{home}/.cache/pip", "COREPACK_HOME": f"{home}/.cache/corepack",
        "npm_config_update_notifier": "false", "PIP_DISABLE_PIP_VERSION_CHECK": "1",
    }


def base_env(extra: dict[str, str] | None = None, *, home: str = HOME) -> dict[str, str]:
    """The allowlist: nothing of the host's environment leaks in (no keys, no host paths)."""
    env = {
        "PATH": _PATH, **cache_env(home), "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "TERM": "dumb",
        "TMPDIR": "/tmp", "USER": "sandbox", "PYTHONDONTWRITEBYTECODE": "1",
        "GIT_AUTHOR_NAME": "variantlab", "GIT_AUTHOR_EMAIL": "sandbox@variantlab.invalid",
        "GIT_COMMITTER_NAME": "variantlab", "GIT_COMMITTER_EMAIL": "sandbox@variantlab.invalid",
        "GIT_CONFIG_NOSYSTEM": "1",
    }
    env.update(extra or {})
    return env


def _nproc_budget(uid: int, max_processes: int) -> int:
    if os.geteuid() == 0:
        return max_processes
    mine = sum(1 for p in Path("/proc").iterdir() if p.name.isdigit() and _owner(p) == uid)
    return mine + max_processes


def _owner(proc_dir: Path) -> int | None:
    try:
        return proc_dir.stat().st_uid
    except OSError:
        return None


def limit_prefix(uid: int, limits: Limits) -> list[str]:
    """prlimit before anything else, so bwrap and everything below inherit the limits."""
    return [
        "/usr/bin/prlimit",
        f"--nproc={_nproc_budget(uid, limits.max_processes)}",
        # SIGXCPU at the soft limit says which limit struck; SIGKILL a little later if it is ignored.
        f"--cpu={limits.cpu_s}:{limits.cpu_s + 5}",
        "--core=0",
    ]


def bwrap_argv(
    *, workdir: Path, run_dir: Path, home: Path, uid: int, network: bool, chdir: str = WORKSPACE,
    seccomp: Path | None = None,
) -> list[str]:
    """bwrap (and setpriv) up to the command. `seccomp`: a filter file (seccomp.py) the sandbox
    cannot write, handed to bwrap on fd 9 by a shell that then becomes bwrap."""
    argv = ["/bin/sh", "-c", 'f=$1; shift; exec "$@" 9<"$f"', "sh", str(seccomp)] if seccomp else []
    argv += [
        BWRAP, "--ro-bind", "/usr", "/usr",
        "--symlink", "usr/bin", "/bin", "--symlink", "usr/sbin", "/sbin",
        "--symlink", "usr/lib", "/lib", "--symlink", "usr/lib64", "/lib64",
        # /tmp as on any host (sticky, world-writable): tools put their scratch files there.
        "--proc", "/proc", "--dev", "/dev", "--perms", "1777", "--tmpfs", "/tmp",
        # bwrap would create these parents 0700 as root, unreadable to the sandbox uid.
        "--perms", "0755", "--dir", "/etc", "--perms", "0755", "--dir", "/run",
        "--perms", "0755", "--dir", "/home",
        "--bind", str(workdir), WORKSPACE, "--bind", str(run_dir), RUN_DIR, "--bind", str(home), HOME,
        "--ro-bind", str(run_dir / "passwd"), "/etc/passwd",
        "--ro-bind", str(run_dir / "group"), "/etc/group",
    ]
    if not network:  # its own loopback names: the host's /etc/hosts is not bound without the network
        argv += ["--ro-bind", str(run_dir / "hosts"), "/etc/hosts",
                 "--ro-bind", str(run_dir / "nsswitch.conf"), "/etc/nsswitch.conf"]
    for name in _ETC + (_ETC_NETWORK if network else ()):
        if os.path.exists(f"/etc/{name}"):
            argv += ["--ro-bind", f"/etc/{name}", f"/etc/{name}"]
    argv += ["--chdir", chdir, "--hostname", "sandbox", "--die-with-parent", "--new-session"]
    if seccomp:
        argv += ["--seccomp", "9"]
    namespaces = ["--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try"]
    if not network:
        namespaces.append("--unshare-net")
    if os.geteuid() == 0:
        # No user namespace: the command must land on a real unprivileged host uid (see module doc).
        argv += namespaces + ["--cap-drop", "ALL"]
        argv += ["--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID", "--cap-add", "CAP_SETPCAP"]
        argv += [
            "/usr/bin/setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups",
            "--bounding-set=-all", "--inh-caps=-all", "--",
        ]
    else:
        argv += namespaces + ["--unshare-user", "--disable-userns", "--cap-drop", "ALL", "--"]
    return argv


def write_identity(run_dir: Path, uid: int) -> None:
    """/etc/passwd and /etc/group for the sandbox user only (tools like git and npm look them up), and
    the names of its own loopback: without /etc/hosts, `localhost` is asked of a DNS the isolated
    sandbox cannot reach (EAI_AGAIN), and test runners and dev servers that listen on or call
    localhost fail on the unchanged app."""
    (run_dir / "passwd").write_text(f"sandbox:x:{uid}:{uid}:sandbox:{HOME}:/bin/sh\n")
    (run_dir / "group").write_text(f"sandbox:x:{uid}:\n")
    (run_dir / "hosts").write_text("127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n"
                                   "127.0.1.1\tsandbox\n")
    (run_dir / "nsswitch.conf").write_text("passwd: files\ngroup: files\nhosts: files\n")


@lru_cache(maxsize=1)
def bwrap_problem() -> str | None:
    """Why bubblewrap cannot isolate here (None: it can). Checked once per process."""
    if not os.access(BWRAP, os.X_OK):
        return f"{BWRAP} is not installed"
    probe = [BWRAP, "--ro-bind", "/usr", "/usr", "--symlink", "usr/bin", "/bin",
             "--symlink", "usr/lib", "/lib", "--symlink", "usr/lib64", "/lib64", "--proc", "/proc",
             "--dev", "/dev", "--unshare-all", "--die-with-parent", "--", "/bin/true"]
    try:
        done = subprocess.run(probe, capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"bubblewrap failed to start: {exc}"
    if done.returncode != 0:
        return f"bubblewrap cannot create namespaces here: {done.stderr.strip()[:200]}"
    return None


def require_isolation(allow_unisolated: bool) -> bool:
    """True: run under bwrap. False: unisolated (only when allowed; warned on every use)."""
    problem = bwrap_problem()
    if problem is None:
        return True
    if not allow_unisolated:
        raise IsolationUnavailable(
            f"cannot isolate untrusted code: {problem}; install bubblewrap with user namespaces, "
            "or set VARIANTLAB_SANDBOX__ALLOW_UNISOLATED=true to run it unisolated at your own risk"
        )
    log.warning("sandbox running UNISOLATED (%s): untrusted code has your user's access", problem)
    return False
