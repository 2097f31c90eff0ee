"""Commit a built output folder to a branch with git plumbing, then push it (``site-builder deploy``).

Only object, ref and temporary-index commands are used: the working tree, the real index and
HEAD are never read or written, so uncommitted work is safe while a site is deployed.
"""

from __future__ import annotations

import datetime as dt
import os
import stat
import subprocess
import tempfile
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path

from .diagnostics import Diagnostic, error
from .fence import link_refusal

FALLBACK_NAME = "site-builder"
FALLBACK_EMAIL = "site-builder@localhost"


@dataclass(frozen=True, slots=True)
class Published:
    """What ``publish`` did: ``commit`` is the branch tip afterwards (new or unchanged)."""

    branch: str
    commit: str
    changed: bool
    remote: str | None = None
    pushed: bool = False


class _GitFailed(Exception):
    """Private: carries Diagnostics out of a helper; ``publish`` turns them back into values."""

    def __init__(self, diagnostic: Diagnostic, *more: Diagnostic) -> None:
        super().__init__(diagnostic.message)
        self.diagnostics = [diagnostic, *more]


def publish(
    repo: Path,
    folder: Path,
    branch: str = "gh-pages",
    remote: str | None = None,
    *,
    skip: Collection[str] = (),
    now: dt.datetime | None = None,
) -> tuple[Published | None, list[Diagnostic]]:
    """Commit ``folder`` (minus top-level names in ``skip``) as the next commit on ``branch``."""
    try:
        return _publish(repo, folder, branch, remote, skip, now or dt.datetime.now(dt.UTC)), []
    except _GitFailed as exc:
        return None, exc.diagnostics


def preflight(repo: Path, branch: str = "gh-pages") -> list[Diagnostic]:
    """The checks ``publish`` starts with, for a command to run before spending time on a build."""
    try:
        _Git(repo).preflight(f"refs/heads/{branch}")
    except _GitFailed as exc:
        return exc.diagnostics
    return []


def _publish(
    repo: Path, folder: Path, branch: str, remote: str | None, skip: Collection[str], now: dt.datetime
) -> Published:
    git = _Git(repo)
    ref = f"refs/heads/{branch}"
    git.preflight(ref)
    local = git.commit_of(ref)
    parent = git.newest(local, git.remote_tip(remote, ref) if remote else None)
    tree = git.write_tree(folder, skip, Path(os.path.realpath(repo)))
    if parent and git.run("rev-parse", f"{parent}^{{tree}}").stdout.strip() == tree:
        commit, changed = parent, False
    else:
        commit, changed = git.commit(tree, parent, _message(git, now)), True
    if commit != local:  # also fast-forwards a local branch that was behind the remote's
        git.run("update-ref", "-m", "site-builder deploy", ref, commit, local or "")
    if remote:
        git.push(remote, ref)
    return Published(branch, commit, changed, remote, pushed=bool(remote))


def _message(git: _Git, now: dt.datetime) -> str:
    head = git.run("rev-parse", "--verify", "--quiet", "--short", "HEAD^{commit}", check=False)
    source = head.stdout.strip() if head.returncode == 0 else ""
    when = now.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    return f"Deploy {source} at {when}" if source else f"Deploy at {when}"


class _Git:
    """Runs git in one repository; a failure raises ``_GitFailed`` with git's own words."""

    def __init__(self, cwd: Path) -> None:
        self.cwd = cwd

    def run(
        self,
        *args: str,
        check: bool = True,
        stdin: str | None = None,
        env: Mapping[str, str] | None = None,
    ) -> subprocess.CompletedProcess[str]:
        try:
            done = subprocess.run(
                ["git", *args],
                cwd=self.cwd,
                input=stdin,
                capture_output=True,
                text=True,
                encoding="utf-8",
                errors="surrogateescape",
                env={**os.environ, **env} if env else None,
                check=False,
            )
        except FileNotFoundError:
            raise _GitFailed(
                error(
                    "deploy/no-git",
                    str(self.cwd),
                    "git is not installed (or not on PATH)",
                    hint="install git from https://git-scm.com/ and run the command again",
                )
            ) from None
        if check and done.returncode != 0:
            raise _GitFailed(
                error(
                    "deploy/git",
                    str(self.cwd),
                    f"'git {args[0]}' failed: {_last_lines(done.stderr)}",
                    hint="this is git's own message; fix what it says and run deploy again",
                )
            )
        return done

    def preflight(self, ref: str) -> None:
        self.check_repository()
        if self.run("check-ref-format", ref, check=False).returncode != 0:
            name = ref.removeprefix("refs/heads/")
            raise _GitFailed(error("deploy/branch", name, f"{name!r} is not a valid branch name"))
        self.refuse_checked_out(ref)

    def check_repository(self) -> None:
        done = self.run("rev-parse", "--is-inside-work-tree", check=False)
        if done.returncode != 0 and "not a git repository" not in done.stderr:
            self.run("rev-parse", "--is-inside-work-tree")  # e.g. "dubious ownership": git's words
        if done.stdout.strip() != "true":
            raise _GitFailed(
                error(
                    "deploy/not-a-repository",
                    str(self.cwd),
                    f"{self.cwd} is not inside a git repository, so there is no branch to deploy to",
                    hint="run 'git init' and commit your site first, or publish output/ another way",
                )
            )

    def refuse_checked_out(self, ref: str) -> None:
        """Moving a branch that a worktree has checked out would change that worktree's files."""
        listing = self.run("worktree", "list", "--porcelain").stdout.splitlines()
        if f"branch {ref}" in listing:
            name = ref.removeprefix("refs/heads/")
            raise _GitFailed(
                error(
                    "deploy/branch-checked-out",
                    name,
                    f"the branch {name!r} is checked out, so deploying to it would change your files",
                    hint="switch to your source branch first, or deploy to another branch with --branch",
                )
            )

    def commit_of(self, rev: str) -> str | None:
        done = self.run("rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}", check=False)
        return done.stdout.strip() if done.returncode == 0 else None

    def remote_tip(self, remote: str, ref: str) -> str | None:
        """The remote's branch tip, fetched when missing here, so history continues across clones."""
        done = self.run("ls-remote", "--heads", remote, ref, check=False)
        if done.returncode != 0:
            raise _GitFailed(
                error(
                    "deploy/remote",
                    remote,
                    f"could not read the remote {remote!r}: {_last_lines(done.stderr)}",
                    hint="check the name with 'git remote -v', and your access to it",
                )
            )
        listed = done.stdout.split()
        if not listed:
            return None
        if self.commit_of(listed[0]) is None:
            self.run("fetch", "--no-tags", "--no-write-fetch-head", remote, ref)
        return listed[0]

    def newest(self, local: str | None, remote: str | None) -> str | None:
        """The parent for the next commit: the remote's tip when the local branch is behind it."""
        if not local or not remote or local == remote:
            return local or remote
        behind = self.run("merge-base", "--is-ancestor", local, remote, check=False)
        return remote if behind.returncode == 0 else local

    def write_tree(self, folder: Path, skip: Collection[str], fence: Path) -> str:
        """Blobs for every file, staged in a throwaway index, so the real index is never touched."""
        files = _files(folder, skip, fence)
        blobs = self.run("hash-object", "-w", "--no-filters", "--stdin-paths", stdin=_lines(files)).stdout
        entries = "".join(
            f"{mode} {sha}\t{rel}\0" for (rel, mode, _), sha in zip(files, blobs.split(), strict=True)
        )
        with tempfile.TemporaryDirectory(prefix="site-builder-deploy-") as tmp:
            env = {"GIT_INDEX_FILE": str(Path(tmp) / "index")}
            self.run("update-index", "--add", "-z", "--index-info", stdin=entries, env=env)
            return self.run("write-tree", env=env).stdout.strip()

    def commit(self, tree: str, parent: str | None, message: str) -> str:
        args = ["commit-tree", tree, "-m", message] + (["-p", parent] if parent else [])
        return self.run(*args, env=self._identity()).stdout.strip()

    def _identity(self) -> dict[str, str]:
        """A fallback author and committer for machines with no git user (CI runners, containers)."""
        env: dict[str, str] = {}
        for who in ("AUTHOR", "COMMITTER"):
            if self.run("var", f"GIT_{who}_IDENT", check=False).returncode != 0:
                env[f"GIT_{who}_NAME"] = FALLBACK_NAME
                env[f"GIT_{who}_EMAIL"] = FALLBACK_EMAIL
        return env

    def push(self, remote: str, ref: str) -> None:
        done = self.run("push", "--porcelain", remote, f"{ref}:{ref}", check=False)
        if done.returncode != 0:
            raise _GitFailed(
                error(
                    "deploy/push",
                    remote,
                    f"pushing {ref.removeprefix('refs/heads/')} to {remote!r} failed: "
                    f"{_last_lines(done.stderr or done.stdout)}",
                    hint="the commit is kept on your local branch; fix access to the remote "
                    "(or fetch it if someone else deployed) and run deploy again",
                )
            )


def _files(folder: Path, skip: Collection[str], fence: Path) -> list[tuple[str, str, Path]]:
    """(relative POSIX path, git mode, path to read) for every file, in a stable order.

    A build never writes links, so a link here was put there by something else: it is published
    only when its target is a file inside the site (``fence``) and not in ``.git`` or another
    hidden folder (SECURITY.md); any other link stops the deploy. Links to folders are not entered.
    """
    if not folder.is_dir():
        raise _GitFailed(error("deploy/no-output", str(folder), f"{folder} is not a folder"))
    if os.path.islink(folder) and (problem := _refused(folder, folder.name, fence)):
        raise _GitFailed(problem)
    refused: list[Diagnostic | None] = []
    found: list[tuple[str, str, Path]] = []
    for dirpath, dirnames, filenames in os.walk(folder):
        here = Path(dirpath)
        dirnames[:] = [d for d in dirnames if d != ".git"]
        for name in filenames:
            path = here / name
            rel = path.relative_to(folder).as_posix()
            if rel in skip or not path.is_file():
                continue
            if "\n" in rel or "\0" in rel:
                raise _GitFailed(
                    error("deploy/file-name", rel, "a file name contains a line break", hint="rename it")
                )
            if path.is_symlink():
                refused.append(_refused(path, rel, fence))
                path = Path(os.path.realpath(path))  # hash the target checked now, not the link again
            executable = path.stat().st_mode & stat.S_IXUSR
            found.append((rel, "100755" if executable else "100644", path))
    if problems := [p for p in refused if p is not None]:
        raise _GitFailed(*problems)
    return sorted(found)


def _refused(link: Path, rel: str, fence: Path) -> Diagnostic | None:
    why = link_refusal(link, fence)
    if why is None:
        return None
    return error(
        "deploy/symlink-out",
        rel,
        f"the output holds a link ({rel} -> {os.readlink(link)}) that is not published: {why}; "
        "nothing was deployed",
        hint="remove the link from the output folder (a build never makes one) and deploy again",
    )


def _lines(files: list[tuple[str, str, Path]]) -> str:
    return "".join(f"{path}\n" for _, _, path in files)


def _last_lines(text: str, count: int = 3) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return " / ".join(lines[-count:]) or "no message from git"
