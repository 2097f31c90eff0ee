"""publish.py against real git repositories in tmp_path: plumbing only, errors as values."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest

from site_builder.diagnostics import Severity
from site_builder.publish import FALLBACK_EMAIL, FALLBACK_NAME, preflight, publish
from tests.gitrepo import git, isolate

pytestmark = pytest.mark.skipif(
    subprocess.run(["git", "--version"], capture_output=True).returncode != 0, reason="needs git"
)

NOW = dt.datetime(2026, 11, 23, 9, 30, 5, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def isolated_git(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    isolate(monkeypatch, tmp_path / "home")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A source repository with one commit, a built folder (ignored) and an untracked file."""
    root = tmp_path / "site"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    (root / ".gitignore").write_text("/output/\n")
    (root / "site.toml").write_text('title = "Test"\n')
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "Source")
    (root / "notes.txt").write_text("not committed\n")
    write_output(root / "output", {"index.html": "<h1>One</h1>\n", "css/site.css": "body{}\n"})
    return root


def write_output(folder: Path, files: dict[str, str | bytes]) -> None:
    for rel, data in files.items():
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data if isinstance(data, bytes) else data.encode())


def snapshot(root: Path) -> tuple[str, bytes, str, str]:
    """Working tree status (with untracked files), the index bytes, HEAD and where it points."""
    return (
        git(root, "status", "--porcelain", "--untracked-files=all", "--ignored"),
        (root / ".git" / "index").read_bytes(),
        (root / ".git" / "HEAD").read_text(),
        git(root, "rev-parse", "HEAD"),
    )


def files_on(root: Path, rev: str) -> list[str]:
    return git(root, "ls-tree", "-r", "--name-only", rev).splitlines()


def test_first_publish_creates_the_branch_and_touches_nothing_else(repo: Path) -> None:
    before = snapshot(repo)
    published, problems = publish(repo, repo / "output", now=NOW)
    assert problems == []
    assert published is not None and published.changed and not published.pushed
    assert git(repo, "rev-parse", "gh-pages") == published.commit
    assert files_on(repo, "gh-pages") == ["css/site.css", "index.html"]
    assert git(repo, "show", "gh-pages:index.html") == "<h1>One</h1>"
    assert snapshot(repo) == before
    source = git(repo, "rev-parse", "--short", "HEAD")
    assert git(repo, "log", "-1", "--format=%s", "gh-pages") == f"Deploy {source} at 2026-11-23 09:30:05 UTC"


def test_history_is_kept_and_an_unchanged_tree_makes_no_commit(repo: Path) -> None:
    first, _ = publish(repo, repo / "output")
    write_output(repo / "output", {"index.html": "<h1>Two</h1>\n"})
    second, _ = publish(repo, repo / "output")
    third, problems = publish(repo, repo / "output")
    assert first and second and third and problems == []
    assert git(repo, "rev-parse", f"{second.commit}^") == first.commit
    assert not third.changed and third.commit == second.commit
    assert git(repo, "rev-list", "--count", "gh-pages") == "2"


def test_skipped_names_and_nested_git_folders_are_left_out(repo: Path) -> None:
    write_output(repo / "output", {".site-builder-output": "{}", ".git/config": "x", ".nojekyll": ""})
    publish(repo, repo / "output", skip={".site-builder-output"})
    assert files_on(repo, "gh-pages") == [".nojekyll", "css/site.css", "index.html"]


def test_bytes_are_committed_exactly_whatever_the_repository_filters(repo: Path) -> None:
    git(repo, "config", "core.autocrlf", "true")
    write_output(repo / "output", {"dos.txt": b"a\r\nb\r\n", ".gitattributes": "* text eol=lf\n"})
    publish(repo, repo / "output")
    blob = subprocess.run(["git", "show", "gh-pages:dos.txt"], cwd=repo, capture_output=True, check=True)
    assert blob.stdout == b"a\r\nb\r\n"


@pytest.mark.skipif(
    sys.platform == "win32", reason="Windows files have no executable bit for a commit to keep"
)
def test_modes_are_committed_exactly(repo: Path) -> None:
    (repo / "output" / "run.sh").write_bytes(b"#!/bin/sh\n")
    (repo / "output" / "run.sh").chmod(0o755)
    publish(repo, repo / "output")
    assert git(repo, "ls-tree", "gh-pages", "run.sh").startswith("100755 ")


def test_a_machine_without_a_git_user_commits_as_site_builder(repo: Path) -> None:
    published, problems = publish(repo, repo / "output")
    assert problems == [] and published
    who = git(repo, "log", "-1", "--format=%an <%ae>|%cn <%ce>", "gh-pages")
    assert who == f"{FALLBACK_NAME} <{FALLBACK_EMAIL}>|{FALLBACK_NAME} <{FALLBACK_EMAIL}>"
    with pytest.raises(subprocess.CalledProcessError):  # and no user was configured for later commands
        subprocess.run(["git", "var", "GIT_AUTHOR_IDENT"], cwd=repo, capture_output=True, check=True)


def test_a_configured_git_user_is_the_author(repo: Path) -> None:
    git(repo, "config", "user.name", "Amara Okafor")
    git(repo, "config", "user.email", "amara@example.org")
    publish(repo, repo / "output")
    assert git(repo, "log", "-1", "--format=%an <%ae>", "gh-pages") == "Amara Okafor <amara@example.org>"


def test_push_to_a_remote_and_continue_its_history_from_a_fresh_clone(repo: Path, tmp_path: Path) -> None:
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", str(remote))
    git(repo, "remote", "add", "origin", str(remote))
    first, problems = publish(repo, repo / "output", remote="origin")
    assert problems == [] and first and first.pushed and first.remote == "origin"
    assert git(remote, "rev-parse", "gh-pages") == first.commit

    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(remote), str(clone))  # no local gh-pages branch in the clone
    write_output(clone / "output", {"index.html": "<h1>From the clone</h1>\n"})
    second, problems = publish(clone, clone / "output", remote="origin")
    assert problems == [] and second
    assert git(clone, "rev-parse", f"{second.commit}^") == first.commit
    assert git(remote, "rev-parse", "gh-pages") == second.commit


def test_a_rejected_push_is_a_diagnostic_and_the_local_commit_stays(repo: Path, tmp_path: Path) -> None:
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", str(remote))
    hook = remote / "hooks" / "pre-receive"
    hook.write_bytes(b"#!/bin/sh\necho 'deploys are frozen today' >&2\nexit 1\n")  # LF: run by sh
    hook.chmod(0o755)
    published, problems = publish(repo, repo / "output", remote=str(remote))
    assert published is None
    [problem] = problems
    assert problem.severity is Severity.ERROR and problem.code == "deploy/push"
    assert "declined" in problem.message or "rejected" in problem.message
    assert git(repo, "rev-parse", "--verify", "gh-pages")  # kept locally, for the next try


def test_an_unknown_remote_is_a_diagnostic(repo: Path) -> None:
    published, [problem] = publish(repo, repo / "output", remote="nowhere")
    assert published is None and problem.code == "deploy/remote" and "nowhere" in problem.message


def test_outside_a_repository_is_a_diagnostic(tmp_path: Path) -> None:
    write_output(tmp_path / "output", {"index.html": "x"})
    published, [problem] = publish(tmp_path, tmp_path / "output")
    assert published is None and problem.code == "deploy/not-a-repository"
    assert "not inside a git repository" in problem.message and problem.hint


def test_missing_git_is_a_diagnostic(repo: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    published, [problem] = publish(repo, repo / "output")
    assert published is None and problem.code == "deploy/no-git"


@pytest.mark.parametrize(
    ("branch", "code"), [("main", "deploy/branch-checked-out"), ("a..b", "deploy/branch")]
)
def test_a_checked_out_or_invalid_branch_is_refused(repo: Path, branch: str, code: str) -> None:
    head = git(repo, "rev-parse", "main")
    assert [p.code for p in preflight(repo, branch)] == [code]
    published, problems = publish(repo, repo / "output", branch)
    assert published is None and [p.code for p in problems] == [code]
    assert git(repo, "rev-parse", "main") == head
