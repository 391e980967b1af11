"""A local sandbox runs its bring-up plan: steps in order, the plan's env, dependencies installed
once per lockfile, caches outside the work folder, and none of it in a diff."""

from __future__ import annotations

import os
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from agents.sandbox import local
from agents.sandbox.base import AppConfig, BringupFailed, SandboxError
from agents.sandbox.factory import open_sandbox
from settings import SandboxSettings
from tests.agents.conftest import OpenSandbox
from tests.agents.sandbox.conftest import git_init, make_site

# Installs leave a mark outside the sandbox (its HOME is per sandbox) only through their output.
INSTALL = "mkdir -p deps/pkg && echo $RANDOM$$ > deps/pkg/stamp && cat lock.txt > deps/pkg/from-lock"


@pytest.fixture
def site(tmp_path: Path) -> Path:
    root = make_site(tmp_path / "site")
    (root / "lock.txt").write_text("is-number@7.0.0\n")
    git_init(root)
    return root


def _plan(monkeypatch: pytest.MonkeyPatch, **keys: object) -> AppConfig:
    plan = AppConfig(kind="custom", **keys)  # type: ignore[arg-type]
    monkeypatch.setattr(local, "load_app_config", lambda root: plan)
    return plan


def test_steps_run_in_order_and_only_later_steps_get_the_plan_env(site: Path,
                                                                  monkeypatch: pytest.MonkeyPatch,
                                                                  open_box: OpenSandbox) -> None:
    _plan(monkeypatch, install='echo "install ${GREETING:-none}" >> order',
          build='echo "build $GREETING" >> order', setup=("echo setup-1 >> order", "echo setup-2 >> order"),
          env=(("GREETING", "hi"),))
    with open_box(str(site)) as sb:
        assert sb.read_file("order").splitlines() == ["install none", "build hi", "setup-1", "setup-2"]
        assert sb.run("echo $GREETING").stdout == "hi\n"  # the app's tests see it too
        assert set(sb.step_ms) == {"install", "build", "setup step 1", "setup step 2"}


def test_a_failing_setup_step_is_one_line_naming_the_step_and_key(
        site: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch, open_box: OpenSandbox) -> None:
    _plan(monkeypatch, setup=("true", "echo no such table >&2; exit 3"))
    with pytest.raises(BringupFailed) as caught:  # the same commit fails the same way: never retried
        open_box(str(site))
    assert str(caught.value) == ("setup step 2 failed (exit 3): no such table — "
                                 "set `setup` in variantlab.toml")
    assert list((data_dir / "sandboxes").iterdir()) == []


def test_an_install_over_the_memory_budget_says_which_setting(data_dir: Path, site: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    configured = SandboxSettings(memory_limit_mb=200)
    _plan(monkeypatch, install="python3 -c \"b = bytearray(500 * 2 ** 20); b[::4096] = b'x' * len(b[::4096])\"")
    with pytest.raises(SandboxError, match=r"^install failed \(exit -9\): \[killed: .* more than 200 MB "
                                           r"of memory; raise VARIANTLAB_SANDBOX__MEMORY_LIMIT_MB\] — "):
        open_sandbox(str(site), sandbox=configured, data_dir=data_dir)


def test_start_serves_on_port_and_host_with_the_plan_env(site: Path, monkeypatch: pytest.MonkeyPatch,
                                                         open_box: OpenSandbox) -> None:
    _plan(monkeypatch, port=8131, env=(("GREETING", "hi"),),
          start='printf "%s %s %s" "$PORT" "$HOST" "$GREETING" > seen.txt; '
                'exec python3 -m http.server "$PORT" --bind "$HOST"')
    with open_box(str(site)) as sb, urllib.request.urlopen(sb.start_preview() + "seen.txt",
                                                               timeout=20) as response:
        assert response.read() == b"8131 127.0.0.1 hi"


def test_a_start_that_never_listens_is_one_line_naming_start_and_port(
        data_dir: Path, site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    configured = SandboxSettings(preview_ready_timeout_s=1)
    _plan(monkeypatch, start="echo listening elsewhere; sleep 30", port=8132)
    with open_sandbox(str(site), sandbox=configured, data_dir=data_dir) as sb, pytest.raises(BringupFailed) as caught:
        sb.start_preview()
    message = str(caught.value)
    assert message.startswith("start failed: nothing answered on port 8132 within 1s: listening elsewhere")
    assert "`start` and `port`" in message and "\n" not in message


def test_dependencies_are_installed_once_per_lockfile_and_copied_after(
        site: Path, monkeypatch: pytest.MonkeyPatch, open_box: OpenSandbox) -> None:
    _plan(monkeypatch, install=INSTALL, lockfiles=("lock.txt",), dependency_dirs=("deps",),
          package_manager="npm")
    with open_box(str(site)) as first:
        stamp = first.read_file("deps/pkg/stamp")
        assert first.dependencies == "installed"
        assert first.run("echo changed > deps/pkg/stamp").ok  # a sandbox may write its own copy...
    with open_box(str(site)) as second:
        assert second.dependencies == "reused"
        assert second.read_file("deps/pkg/stamp") == stamp  # ...never the cache's
        owner = (second.workdir / "deps" / "pkg" / "stamp").stat().st_uid
        assert owner == second.uid and second.run("echo mine > deps/pkg/stamp").ok
    patch = "--- a/lock.txt\n+++ b/lock.txt\n@@ -1 +1 @@\n-is-number@7.0.0\n+is-number@6.0.0\n"
    with open_box(str(site), patch=patch) as other_lock:
        assert other_lock.dependencies == "installed"  # another lockfile, another install
        assert other_lock.read_file("deps/pkg/from-lock") == "is-number@6.0.0\n"


def test_sandboxes_created_at_once_install_once(site: Path, monkeypatch: pytest.MonkeyPatch,
                                                open_box: OpenSandbox) -> None:
    _plan(monkeypatch, install="sleep 1; " + INSTALL, lockfiles=("lock.txt",), dependency_dirs=("deps",))
    outcomes: list[str] = []

    def create() -> None:
        with open_box(str(site)) as sb:
            outcomes.append(sb.dependencies)

    threads = [threading.Thread(target=create) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["installed", "reused", "reused"]


def test_a_repo_symlink_cannot_lead_the_dependency_copy_out(
        tmp_path: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch, open_box: OpenSandbox) -> None:
    root = make_site(tmp_path / "evil")
    (root / "lock.txt").write_text("x\n")
    os.symlink("/etc", root / "deps")  # restore and save run as root on the host
    git_init(root)
    _plan(monkeypatch, install="true", lockfiles=("lock.txt",), dependency_dirs=("deps",))
    for _ in range(2):
        with open_box(str(root)) as sb:
            assert sb.dependencies == "installed"  # nothing was kept from outside the workdir
    cache = data_dir / "cache" / "dependencies"
    assert not any(p.name == "passwd" for p in cache.rglob("*"))


def test_the_diff_holds_only_the_change(site: Path, monkeypatch: pytest.MonkeyPatch,
                                        open_box: OpenSandbox) -> None:
    # No .gitignore: dependency folders, tool caches and HOME must stay out all the same.
    _plan(monkeypatch, install="mkdir -p deps/a node_modules/b src/__pycache__ && touch deps/a/x "
                               "node_modules/b/y src/__pycache__/z.pyc && echo cached > $HOME/.npm-like",
          dependency_dirs=("deps",))
    with open_box(str(site)) as sb:
        assert sb.run('echo "$HOME" && test ! -e .npm-like && npm config get cache').stdout.split() == [
            "/home/sandbox", "/home/sandbox/.npm"]
        sb.write_file("notes/new.txt", "a new file the agent made\n")
        sb.write_file("about.html", "<p>about us</p>\n")
        assert sb.diff().files_changed == ["about.html", "notes/new.txt"]
        sb.write_file(".gitignore", "*.log\n")
        sb.write_file("debug.log", "noise\n")
        assert sb.diff().files_changed == [".gitignore", "about.html", "notes/new.txt"]


def test_what_bring_up_produces_is_not_a_change_but_the_patch_is(site: Path,
                                                                   monkeypatch: pytest.MonkeyPatch,
                                                                   open_box: OpenSandbox) -> None:
    # A build's output and a lockfile the install writes, in a repo with no .gitignore.
    _plan(monkeypatch, install="echo resolved > package-lock.json", build="mkdir -p dist && cp index.html dist/ "
          "&& cat lock.txt >> about.html")
    patch = "--- a/lock.txt\n+++ b/lock.txt\n@@ -1 +1 @@\n-is-number@7.0.0\n+is-number@6.0.0\n"
    with open_box(str(site), patch=patch) as sb:
        assert sb.read_file("dist/index.html") and "is-number@6.0.0" in sb.read_file("about.html")
        sb.write_file("index.html", "<h1>changed</h1>\n")
        assert sb.diff().files_changed == ["index.html", "lock.txt"]


def test_dependency_dirs_the_repo_already_ignores_are_fine(tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch,
                                                           open_box: OpenSandbox) -> None:
    root = make_site(tmp_path / "ignoring")
    (root / ".gitignore").write_text("node_modules\ndist\n")
    git_init(root)
    _plan(monkeypatch, install="mkdir -p node_modules/a && touch node_modules/a/x",
          build="mkdir -p dist && touch dist/app.js", dependency_dirs=("node_modules",))
    with open_box(str(root)) as sb:
        sb.write_file("new.html", "<p>new</p>\n")
        assert sb.diff().files_changed == ["new.html"]


def test_tmp_is_writable_and_private(site: Path, open_box: OpenSandbox) -> None:
    with open_box(str(site)) as sb:
        made = sb.run("f=$(mktemp) && echo scratch > $f && cat $f && stat -c %a /tmp")
        assert made.stdout.split() == ["scratch", "1777"], made.stderr


def test_an_app_server_over_the_memory_budget_says_which_setting(data_dir: Path, site: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    configured = SandboxSettings(memory_limit_mb=200)
    _plan(monkeypatch, port=8133, start="python3 -c \"b = bytearray(500 * 2 ** 20); "
                                        "b[::4096] = b'x' * len(b[::4096]); import time; time.sleep(30)\"")
    with open_sandbox(str(site), sandbox=configured, data_dir=data_dir) as sb, pytest.raises(SandboxError) as caught:
        sb.start_preview()
    assert str(caught.value) == ("start failed: killed: the sandbox's processes together used more than "
                                 "200 MB of memory; raise VARIANTLAB_SANDBOX__MEMORY_LIMIT_MB")


def test_unisolated_sandboxes_install_every_time(data_dir: Path, site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from agents.sandbox import isolation

    monkeypatch.setattr(isolation, "bwrap_problem", lambda: "simulated: no user namespaces")
    configured = SandboxSettings(allow_unisolated=True)
    _plan(monkeypatch, install=INSTALL, lockfiles=("lock.txt",), dependency_dirs=("deps",))
    for _ in range(2):
        with open_sandbox(str(site), sandbox=configured, data_dir=data_dir) as sb:
            assert sb.dependencies == "installed"
            assert sb.run("echo $HOME").stdout.strip() == str(sb._home)  # never the workdir


def test_entries_unused_for_two_weeks_are_pruned(tmp_path: Path) -> None:
    from agents.sandbox.depcache import UNUSED_FOR_S, DependencyCache

    cache = DependencyCache(tmp_path / "cache")
    for key in ("old", "recent", "busy"):
        (cache.root / key).mkdir(parents=True)
        (cache.root / key / ".complete").write_text("deps\n")
    for key in ("old", "busy"):
        aged = time.time() - UNUSED_FOR_S - 60
        os.utime(cache.root / key / ".complete", (aged, aged))
    with cache.locked("busy"):  # a sandbox is restoring it right now
        assert cache.prune(keep="new") == 1
    assert sorted(p.name for p in cache.root.iterdir() if p.is_dir()) == ["busy", "recent"]
