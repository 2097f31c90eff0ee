"""``site-builder deploy`` end to end: the sample site in a git repo, a bare repo as the remote."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

import site_builder
from site_builder.cli import main
from tests.gitrepo import git, isolate

REPO = Path(site_builder.__file__).resolve().parents[1]

pytestmark = pytest.mark.skipif(
    subprocess.run(["git", "--version"], capture_output=True).returncode != 0, reason="needs git"
)


@pytest.fixture(autouse=True)
def isolated_git(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    isolate(monkeypatch, tmp_path / "home")


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """The repository's sample site, committed once, with a bare 'origin' and an untracked file."""
    root = tmp_path / "site"
    root.mkdir()
    shutil.copy(REPO / "site.toml", root / "site.toml")
    shutil.copytree(REPO / "content", root / "content")
    (root / ".gitignore").write_text("/output/\n/.site-builder/\n")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "The site")
    git(tmp_path, "init", "-q", "--bare", "remote.git")
    git(root, "remote", "add", "origin", str(tmp_path / "remote.git"))
    (root / "draft-ideas.txt").write_text("untracked, and must stay so\n")
    return root


def state(root: Path) -> dict[str, object]:
    """Everything deploy promises not to touch: files, untracked files, index, HEAD, branches."""
    return {
        "status": git(root, "status", "--porcelain", "--untracked-files=all"),
        "index": (root / ".git" / "index").read_bytes(),
        "HEAD": (root / ".git" / "HEAD").read_text(),
        "main": git(root, "rev-parse", "main"),
        "about": (root / "content" / "about.md").read_bytes(),
    }


def deploy(root: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["deploy", str(root), *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_two_deploys_make_two_commits_pushed_and_a_third_makes_none(
    site: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    remote = tmp_path / "remote.git"
    before = state(site)

    code, out, err = deploy(site, capsys, "--remote", "origin")
    assert code == 0, err
    first = git(site, "rev-parse", "gh-pages")
    assert out.strip() == f"Deployed output/ to gh-pages as {first[:7]}, pushed to origin."
    assert state(site) == before

    # A content change, committed, between the deploys.
    post = site / "content" / "weeknotes" / "platform-week-47.md"
    post.write_text(post.read_text().replace("A quiet week", "A very quiet week"))
    git(site, "commit", "-q", "-am", "Edit a weeknote")
    before = state(site)
    code, out, err = deploy(site, capsys, "--remote", "origin")
    assert code == 0, err
    second = git(site, "rev-parse", "gh-pages")
    assert second != first and git(site, "rev-parse", "gh-pages^") == first
    assert git(remote, "rev-parse", "gh-pages") == second
    assert git(remote, "rev-list", "--count", "gh-pages") == "2"
    assert state(site) == before

    code, out, err = deploy(site, capsys, "--remote", "origin")
    assert code == 0, err
    assert out.strip() == f"Nothing changed: gh-pages is still {second[:7]}, pushed to origin."
    assert git(site, "rev-parse", "gh-pages") == second == git(remote, "rev-parse", "gh-pages")
    assert state(site) == before


def test_the_branch_holds_the_built_site_and_not_the_sources(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = deploy(site, capsys)
    assert code == 0, err
    files = set(git(site, "ls-tree", "-r", "--name-only", "gh-pages").splitlines())
    assert {"index.html", ".nojekyll", "feed.xml", "sitemap.xml"} <= files
    assert "weeknotes/2026/11/platform-week-47/index.html" in files
    assert not {"site.toml", ".gitignore", "draft-ideas.txt", ".site-builder-output"} & files
    assert not any(f.startswith("content/") or f.endswith(".md") for f in files)
    source = git(site, "rev-parse", "--short", "main")
    assert git(site, "log", "-1", "--format=%s|%an", "gh-pages").startswith(f"Deploy {source} at ")
    assert git(site, "log", "-1", "--format=%an <%ae>", "gh-pages") == "site-builder <site-builder@localhost>"


def test_another_branch_and_base_url(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = deploy(site, capsys, "--branch", "pages", "--base-url", "https://example.org/x/")
    assert code == 0, err
    assert out.startswith("Deployed output/ to pages as ")
    assert 'href="https://example.org/x/' in git(site, "show", "pages:index.html")


def test_outside_a_git_repository_fails_clearly(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "plain"
    shutil.copytree(REPO / "content", root / "content")
    shutil.copy(REPO / "site.toml", root / "site.toml")
    code, out, err = deploy(root, capsys)
    assert code == 1
    assert "not inside a git repository" in err and "[deploy/not-a-repository]" in err
    assert "Traceback" not in err + out
    assert not (root / "output").exists()  # refused before spending time on a build


def test_a_failed_build_deploys_nothing(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (site / "content" / "weeknotes" / "broken.md").write_text("---\ndate: [unclosed\n---\nText\n")
    code, out, err = deploy(site, capsys, "--remote", "origin")
    assert code == 1
    assert "broken.md" in err and "nothing was deployed" in out
    assert "Traceback" not in err
    assert subprocess.run(["git", "rev-parse", "--verify", "-q", "gh-pages"], cwd=site).returncode != 0


def test_a_rejected_push_exits_1_with_the_reason(
    site: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    hook = tmp_path / "remote.git" / "hooks" / "pre-receive"
    hook.write_bytes(b"#!/bin/sh\necho 'deploys are frozen today' >&2\nexit 1\n")  # LF: run by sh
    hook.chmod(0o755)
    code, _, err = deploy(site, capsys, "--remote", "origin")
    assert code == 1
    assert "[deploy/push]" in err and "origin" in err and "Traceback" not in err
