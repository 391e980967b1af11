"""Every operation of the sandbox contract, on a fixture site and on the bundled apps."""

from __future__ import annotations

import subprocess
import urllib.request
from pathlib import Path

import pytest

from agents.sandbox.base import Sandbox, SandboxError
from tests.agents.conftest import OpenSandbox
from tests.agents.sandbox.conftest import git_init, make_site


def test_the_app_s_own_tests_pass_inside_the_sandbox(app_repo: str, open_box: OpenSandbox) -> None:
    with open_box(app_repo) as sandbox:
        assert isinstance(sandbox, Sandbox)
        assert sandbox.app.test, "every bundled app declares its tests"
        result = sandbox.run(sandbox.app.test)
        assert result.ok, result.stderr[-800:]


def test_run_returns_exit_code_output_env_and_cwd(app_repo: str, open_box: OpenSandbox) -> None:
    with open_box(app_repo) as sandbox:
        result = sandbox.run("echo out; echo err >&2; echo $GREETING; pwd; exit 7",
                             env={"GREETING": "hi"})
        assert (result.exit_code, result.ok, result.timed_out) == (7, False, False)
        assert result.stdout.split() == ["out", "hi", "/workspace"]
        assert result.stderr.strip() == "err"
        sandbox.write_file("sub/dir/x.txt", "x")
        assert sandbox.run(["pwd"], cwd="sub/dir").stdout.strip() == "/workspace/sub/dir"


def test_timeout_is_reported(app_repo: str, open_box: OpenSandbox) -> None:
    with open_box(app_repo) as sandbox:
        result = sandbox.run(["sleep", "30"], timeout_s=0.5)
        assert result.timed_out and not result.ok and result.duration_ms < 10_000


def test_files_read_write_list(app_repo: str, open_box: OpenSandbox) -> None:
    with open_box(app_repo) as sandbox:
        files = sandbox.list_files()
        assert "index.html" in files and not any(f.startswith(".git/") for f in files)
        sandbox.write_file("notes/new.txt", "héllo\n")
        assert sandbox.read_file("notes/new.txt") == "héllo\n"
        assert sandbox.list_files("notes") == ["notes/new.txt"]
        # Written by the host, then edited by the sandboxed code: the sandbox user owns it.
        assert sandbox.run("echo more >> notes/new.txt").ok
        assert sandbox.read_file("notes/new.txt") == "héllo\nmore\n"


def test_bytes_read_and_written_as_they_are(tmp_path: Path, open_box: OpenSandbox) -> None:
    page = "<p>Caf\u00e9</p>\r\n<p>cr\u00e8me</p>\r\n".encode("latin-1")  # CRLF and latin-1: no text API keeps both
    with open_box(str(make_site(tmp_path / "s"))) as sandbox:
        sandbox.write_bytes("new/dir/page.html", page)
        assert sandbox.read_bytes("new/dir/page.html") == page == (sandbox.workdir / "new/dir/page.html").read_bytes()
        assert sandbox.read_file("new/dir/page.html") != page.decode("latin-1")
        # Written by the host, then edited by the sandboxed code: the sandbox user owns it.
        assert sandbox.run("printf 'more' >> new/dir/page.html").ok
        assert sandbox.read_bytes("new/dir/page.html") == page + b"more"
        (sandbox.workdir / "link").symlink_to("/etc")
        with pytest.raises(SandboxError):  # PathEscape: the same confinement as the text API
            sandbox.read_bytes("link/hostname")


def test_preview_answers_with_the_app(app_repo: str, open_box: OpenSandbox) -> None:
    with open_box(app_repo) as sandbox:
        url = sandbox.start_preview()
        assert url.startswith("http://127.0.0.1:")
        assert sandbox.start_preview() == url  # idempotent
        with urllib.request.urlopen(url, timeout=5) as response:
            expected = Path(sandbox.workdir / "index.html").read_bytes()
            assert response.status == 200 and response.read() == expected
        sandbox.write_file("index.html", "<h1>changed</h1>")
        with urllib.request.urlopen(url, timeout=5) as response:
            assert response.read() == b"<h1>changed</h1>"  # served live from the workdir
    # Destroyed: its server no longer answers. The freed port may already be another process's (a
    # second test run on the machine), so what must not come back is this sandbox's page.
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            body = response.read()
    except OSError:
        return
    assert body != b"<h1>changed</h1>", "the destroyed sandbox's server still answers"


def test_diff_counts_modified_and_new_files(app_repo: str, open_box: OpenSandbox) -> None:
    with open_box(app_repo) as sandbox:
        assert sandbox.diff().files_changed == []
        original = sandbox.read_file("index.html")
        sandbox.write_file("index.html", original + "<p>added line</p>\n")
        assert sandbox.run("printf 'a\\nb\\n' > brand-new.txt").ok
        diff = sandbox.diff()
        assert diff.files_changed == ["brand-new.txt", "index.html"]
        assert (diff.lines_added, diff.lines_removed) == (3, 0)
        assert "+<p>added line</p>" in diff.unified_diff and "+++ b/brand-new.txt" in diff.unified_diff


def test_patch_is_applied_on_top_of_the_ref(app_repo: str, open_box: OpenSandbox) -> None:
    with open_box(app_repo) as first:
        first.write_file("index.html", first.read_file("index.html") + "<p>variant</p>\n")
        first.write_file("extra.txt", "new\n")
        patch = first.diff().unified_diff
    with open_box(app_repo, patch=patch) as variant:
        assert variant.read_file("index.html").endswith("<p>variant</p>\n")
        assert variant.read_file("extra.txt") == "new\n"
        assert variant.diff().files_changed == ["extra.txt", "index.html"]
    with pytest.raises(SandboxError, match="patch does not apply"):
        open_box(app_repo, patch="--- a/nope\n+++ b/nope\n@@ -1 +1 @@\n-x\n+y\n")


def test_destroy_is_idempotent_and_removes_everything(app_repo: str, data_dir: Path,
                                                      open_box: OpenSandbox) -> None:
    sandbox = open_box(app_repo)
    sandbox.start_preview()
    root = data_dir / "sandboxes" / sandbox.id
    assert root.is_dir()
    sandbox.destroy()
    sandbox.destroy()
    assert not root.exists()
    with pytest.raises(SandboxError, match="destroyed"):
        sandbox.run("true")


def test_local_git_repo_at_a_ref_and_bad_refs(tmp_path: Path, open_box: OpenSandbox) -> None:
    repo = make_site(tmp_path / "repo")
    git_init(repo)
    first = subprocess.run(["git", "-C", str(repo), "rev-parse", "HEAD"], capture_output=True,
                           text=True, check=True).stdout.strip()
    (repo / "index.html").write_text("<h1>second</h1>")
    subprocess.run(["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@t", "commit",
                    "-qam", "two"], check=True)
    with open_box(str(repo)) as head, open_box(str(repo), first) as old:
        assert head.read_file("index.html") == "<h1>second</h1>"
        assert "<h1>fixture</h1>" in old.read_file("index.html")
    with open_box(f"file://{repo}", "main") as by_url:  # a git URL goes through a mirror
        assert by_url.read_file("index.html") == "<h1>second</h1>"
    with pytest.raises(SandboxError, match="not found"):
        open_box(str(repo), "no-such-branch")
    with pytest.raises(SandboxError, match="not found"):
        open_box(str(tmp_path / "missing"))


def test_plain_folder_snapshots_are_reused_and_follow_edits(tmp_path: Path, data_dir: Path,
                                                            open_box: OpenSandbox) -> None:
    site = make_site(tmp_path / "site")
    with open_box(str(site)) as one, open_box(str(site)) as two:
        assert one.base_commit == two.base_commit
    assert len(list((data_dir / "repos").glob("snap-*.git"))) == 1
    (site / "about.html").write_text("<p>edited</p>\n")
    with open_box(str(site)) as three:
        assert three.base_commit != one.base_commit
        assert three.read_file("about.html") == "<p>edited</p>\n"


def test_roots_left_by_a_killed_process_are_reaped(tmp_path):
    """A run killed with SIGKILL leaves its sandbox roots (maybe a mounted tmpfs); the next sandbox
    removes them, and leaves live ones alone."""
    import subprocess
    import sys

    from agents.sandbox import scratch

    parent = tmp_path / "sandboxes"
    dead_root, live_root = parent / "sbx_dead", parent / "sbx_live"
    mounted = scratch.make_root(dead_root, 16)
    claim = "import sys; from pathlib import Path; from agents.sandbox import scratch; " \
            "scratch.claim_root(Path(sys.argv[1]))"
    child = subprocess.Popen([sys.executable, "-c", claim, str(dead_root)])
    child.wait(timeout=30)
    (dead_root / "leftover.txt").write_text("x")
    scratch.make_root(live_root, 16)
    scratch.claim_root(live_root)
    try:
        assert scratch.reap_orphans(parent) == 1
        assert not dead_root.exists() and live_root.exists()
        if mounted:
            assert str(dead_root) not in scratch._mounted_paths()
    finally:
        scratch.remove_root(live_root, str(live_root) in scratch._mounted_paths())


def test_a_root_being_claimed_is_never_reaped(tmp_path):
    """Two sandboxes created at once: one's reaper ran between the other's creating its owner file
    and writing it, read it empty, and removed a root that was being set up (a flaky solve run)."""
    from agents.sandbox import scratch

    parent = tmp_path / "sandboxes"
    for name in ("sbx_new", "sbx_pending"):
        (parent / name).mkdir(parents=True)
    (parent / "sbx_new" / ".owner").write_text("")  # what a reader could see mid-write before
    (parent / "sbx_pending" / ".owner.pending").write_text("1:1")  # claim_root's first step now
    assert scratch.reap_orphans(parent) == 0
    assert (parent / "sbx_new").exists() and (parent / "sbx_pending").exists()
    scratch.claim_root(parent / "sbx_pending")
    assert not (parent / "sbx_pending" / ".owner.pending").exists()
    assert scratch.reap_orphans(parent) == 0  # its owner is this live process
