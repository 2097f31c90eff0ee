"""Symbolic links never publish a secret (SECURITY.md, "Links never leave the site").

A kept secret sits in a fake ``.git/config`` inside the site (on CI it carries the checkout's auth
header) and in a folder beside the site. Every way a link can point at it is tried: file and folder
links, ``content/`` and ``static/`` themselves links, theme folders, relative and absolute targets,
chains, ``..``. Each ends in exit 0 with the link left out, or exit 1 naming the link with a hint;
never a traceback; the previous output untouched; and the secret in no output file, no ``gh-pages``
commit and no imported file.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from site_builder.cli import main
from site_builder.publish import publish
from tests.gitrepo import git, isolate

pytestmark = pytest.mark.skipif(
    sys.platform == "win32",
    reason="making a symbolic link needs administrator rights or Developer Mode on Windows, and git "
    "checks a committed link out there as a plain file: a planted link is an attack on POSIX only",
)
Cli = Callable[[Sequence[str]], tuple[int, str, str]]
MakeSite = Callable[..., Path]
SECRET = "SENTINEL-7d1e0c-do-not-publish"
GIT_CONFIG = f'[http "https://github.com/"]\n\textraheader = AUTHORIZATION: basic {SECRET}\n'
FILES = {
    "content/about.md": "---\ntitle: About\n---\nAbout us.\n",
    "content/weeknotes/_index.md": "---\ntitle: Weeknotes\n---\n",
    "content/weeknotes/week-1.md": "---\ntitle: Week 1\ndate: 2026-01-05\n---\nA week.\n",
    "static/css/extra.css": "body { margin: 0 }\n",
    "shared/notes.txt": "shared notes, fine to publish\n",
}


def leaks(folder: Path) -> list[str]:
    """Files under ``folder`` (links not followed; ``.git`` and ``.env``, where the secret is kept,
    left out) whose bytes hold the secret, and links inside any output, which a build never writes."""
    found = []
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = [d for d in dirnames if d != ".git"]
        for name in filenames:
            path = Path(dirpath, name)
            rel = path.relative_to(folder).as_posix()
            if rel != ".env" and not path.is_symlink() and SECRET.encode() in path.read_bytes():
                found.append(rel)
    output = folder / "output"
    found += [f"link {p}" for p in output.rglob("*") if p.is_symlink()] if output.is_dir() else []
    return found


def tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A folder beside the site with a secret file, a post and a theme in it."""
    folder = tmp_path / "outside"
    (folder / "content" / "weeknotes").mkdir(parents=True)
    (folder / "secret.txt").write_text(f"{SECRET}\n")
    (folder / "content" / "leak.md").write_text(f"---\ntitle: Leak\n---\n{SECRET}\n")
    (folder / "content" / "secret.txt").write_text(f"{SECRET}\n")
    (folder / "theme" / "templates").mkdir(parents=True)
    (folder / "theme" / "templates" / "base.html").write_text(f"<html><body>{SECRET}</body></html>\n")
    (folder / "theme" / "static").mkdir()
    (folder / "theme" / "static" / "secret.txt").write_text(f"{SECRET}\n")
    return folder


@pytest.fixture
def site(make_site: MakeSite) -> Path:
    root = make_site(FILES)
    (root / ".git").mkdir()
    (root / ".git" / "config").write_text(GIT_CONFIG)
    (root / ".env").write_text(f"TOKEN={SECRET}\n")
    return root


def link(at: Path, target: str | Path) -> None:
    at.parent.mkdir(parents=True, exist_ok=True)
    at.symlink_to(target, target_is_directory=Path(at.parent, target).is_dir())


def _swap(path: Path, target: str) -> None:
    path.unlink()
    path.symlink_to(target)


def _replace(folder: Path, target: str | Path) -> None:
    """Swap a folder for a link to ``target``, keeping its files beside the site for nothing."""
    folder.rename(folder.with_name(folder.name + "-was"))
    folder.symlink_to(target, target_is_directory=True)


# What is tried -> (how, the path the error must name). IGNORED ones end in exit 0, nothing published.
Setup = Callable[[Path, Path], None]
REFUSED: dict[str, tuple[Setup, str]] = {
    "relative file link to .git/config": (
        lambda r, o: link(r / "content/weeknotes/config.txt", "../../.git/config"),
        "content/weeknotes/config.txt",
    ),
    "absolute file link to .git/config": (
        lambda r, o: link(r / "content/weeknotes/config.txt", r / ".git/config"),
        "content/weeknotes/config.txt",
    ),
    "a post that is a link to .git/config": (
        lambda r, o: link(r / "content/weeknotes/week-2.md", "../../.git/config"),
        "content/weeknotes/week-2.md",
    ),
    "a contribution that is a link to .git/config": (
        lambda r, o: link(r / "content/contributions/mine.md", "../../.git/config"),
        "content/contributions/mine.md",
    ),
    "link to .env at the root": (lambda r, o: link(r / "static/env.txt", "../.env"), "static/env.txt"),
    "static file link out of the site": (
        lambda r, o: link(r / "static/css/theme.css", o / "secret.txt"),
        "static/css/theme.css",
    ),
    "relative link climbing out with ..": (
        lambda r, o: link(r / "content/secret.txt", "../../outside/secret.txt"),
        "content/secret.txt",
    ),
    "chain: link to a link to .git/config": (
        lambda r, o: (
            link(r / "shared/hop.txt", "../.git/config"),
            link(r / "static/a.txt", "../shared/hop.txt"),
        ),
        "static/a.txt",
    ),
    "chain through a folder link into .git": (
        lambda r, o: (
            link(r / "shared/gitdir", "../.git"),
            link(r / "static/b.txt", "../shared/gitdir/config"),
        ),
        "static/b.txt",
    ),
    "chain out and back into .git": (
        lambda r, o: (link(o / "back", r / ".git/config"), link(r / "content/c.txt", o / "back")),
        "content/c.txt",
    ),
    "a dotted path into .git": (
        lambda r, o: link(r / "content/d.txt", "../content/../.git/./config"),
        "content/d.txt",
    ),
    "content/ is a link out of the site": (lambda r, o: _replace(r / "content", o / "content"), "content"),
    "static/ is a link out of the site": (lambda r, o: _replace(r / "static", o), "static"),
    "static/ is a link to .git": (lambda r, o: _replace(r / "static", ".git"), "static"),
    # content/ then holds the output folder: refused as an output inside what the build reads
    "content/ is a link to the site itself": (lambda r, o: _replace(r / "content", "."), "{out}"),
    "content/ is a link to ..": (lambda r, o: _replace(r / "content", ".."), "{out}"),
}
IGNORED: dict[str, Setup] = {
    "folder link to ..": lambda r, o: link(r / "content/weeknotes/up", ".."),
    "folder link to the parent of the site": lambda r, o: link(r / "static/all", "../.."),
    "folder link to .git": lambda r, o: link(r / "static/git", "../.git"),
    "folder link out of the site": lambda r, o: link(r / "content/elsewhere", o),
    "dangling link": lambda r, o: link(r / "static/gone.txt", "../nowhere.txt"),
    "link loop": lambda r, o: (link(r / "static/x.txt", "y.txt"), link(r / "static/y.txt", "x.txt")),
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_a_link_to_a_secret_is_refused_by_name(case: str, site: Path, outside: Path, run_cli: Cli) -> None:
    setup, named = REFUSED[case]
    assert run_cli(["build", str(site), "--jobs", "1"])[0] == 0
    before = tree(site / "output")
    setup(site, outside)
    code, out, err = run_cli(["build", str(site), "--jobs", "1"])
    assert code == 1, (out, err)
    assert "Traceback" not in err
    named = named.format(out=site / "output")
    lines = [line for line in err.splitlines() if line.startswith(f"{named}: error:")]
    assert lines and lines[0].endswith(("[discover/symlink-out]", "[output/inside-source]")), err
    assert "hint:" in err.split(lines[0], 1)[1].splitlines()[1]
    assert tree(site / "output") == before
    assert leaks(site) == []


@pytest.mark.parametrize("case", sorted(IGNORED))
def test_a_link_that_publishes_nothing_is_skipped(case: str, site: Path, outside: Path, run_cli: Cli) -> None:
    IGNORED[case](site, outside)
    code, _out, err = run_cli(["build", str(site), "--jobs", "1"])
    assert code == 0, err
    assert "Traceback" not in err
    assert leaks(site) == []
    assert (site / "output" / "about" / "index.html").is_file()


@pytest.mark.parametrize(
    ("setup", "named"),
    [
        (
            lambda r: link(r / "content/contributions/avatar.png", "../../.git/config"),
            "content/contributions/avatar.png",
        ),
        (lambda r: _replace(r / "content", "."), "content"),
        (lambda r: _replace(r / "content", ".."), "content"),
        (lambda r: _replace(r / "static", "content"), None),  # inside the site: fine
    ],
)
def test_check_reports_the_links_a_pull_request_adds(
    setup: Callable[[Path], None], named: str | None, site: Path, run_cli: Cli
) -> None:
    """``check`` is what CI runs on a pull request: the link is an error there, before any merge."""
    setup(site)
    code, out, err = run_cli(["check", str(site), "--format", "github"])
    assert SECRET not in out + err and "Traceback" not in err
    if named is None:
        assert code == 0, out
    else:
        assert code == 1
        assert f"::error file={named}," in out and "symlink-out" in out


def test_a_link_inside_the_site_keeps_working(site: Path, run_cli: Cli) -> None:
    link(site / "static/notes.txt", "../shared/notes.txt")
    link(site / "content/weeknotes/week-2.md", "week-1.md")
    code, _, err = run_cli(["build", str(site), "--jobs", "1"])
    assert code == 0, err
    assert (site / "output/notes.txt").read_text() == "shared notes, fine to publish\n"
    assert not (site / "output/notes.txt").is_symlink()


def test_content_as_a_link_inside_the_site_is_followed(site: Path, run_cli: Cli) -> None:
    (site / "docs").mkdir()
    (site / "content").rename(site / "docs" / "content")
    (site / "content").symlink_to("docs/content", target_is_directory=True)
    code, _, err = run_cli(["build", str(site), "--jobs", "1"])
    assert code == 0, err
    assert (site / "output/about/index.html").is_file()


# --- themes --------------------------------------------------------------------------------------

THEMED = 'title = "T"\nbase_url = "https://example.org/"\ntheme = "mine"\n'


@pytest.mark.parametrize(
    ("setup", "named"),
    [
        pytest.param(
            lambda r, o: link(r / "themes/mine/templates/base.html", "../../../.git/config"),
            ["themes/mine/templates/base.html"],
            id="template",
        ),
        pytest.param(
            lambda r, o: link(r / "themes/mine/templates", o / "theme/templates"),
            ["themes/mine/templates"],
            id="templates-dir",
        ),
        pytest.param(
            lambda r, o: link(r / "themes/mine/static/secret.txt", "../../../.env"),
            ["themes/mine/static/secret.txt"],
            id="static-file",
        ),
        pytest.param(
            lambda r, o: link(r / "themes/mine/static", o / "theme/static"),
            ["themes/mine/static"],
            id="static-dir",
        ),
        pytest.param(
            lambda r, o: link(r / "themes/mine", o / "theme"),
            ["themes/mine/templates", "themes/mine/static"],
            id="theme-dir",
        ),
    ],
)
def test_theme_links_out_are_refused(
    setup: Setup, named: list[str], make_site: MakeSite, outside: Path, run_cli: Cli
) -> None:
    root = make_site(FILES, config=THEMED)
    (root / ".git").mkdir()
    (root / ".git" / "config").write_text(GIT_CONFIG)
    (root / ".env").write_text(f"TOKEN={SECRET}\n")
    (root / "themes").mkdir(exist_ok=True)
    setup(root, outside)
    if not (root / "themes/mine").exists():
        (root / "themes/mine").mkdir()
    code, out, err = run_cli(["build", str(root), "--jobs", "1"])
    assert code == 1, (out, err)
    assert "Traceback" not in err
    for path in named:
        line = next(line for line in err.splitlines() if line.startswith(f"{path}: error:"))
        assert line.endswith("symlink-out]") and " -> " in line, line
    assert leaks(root) == []
    assert not (root / "output").exists()


# --- deploy ----------------------------------------------------------------------------------

needs_git = pytest.mark.skipif(
    subprocess.run(["git", "--version"], capture_output=True).returncode != 0, reason="needs git"
)


@pytest.fixture
def repo(site: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """The site as a git repository whose config holds an auth header, as actions/checkout leaves it."""
    isolate(monkeypatch, tmp_path / "home")
    (site / ".git" / "config").unlink()
    (site / ".git").rmdir()
    (site / ".env").unlink()
    (site / ".gitignore").write_text("/output/\n/.site-builder/\n")
    git(site, "init", "-q", "-b", "main")
    git(site, "config", "http.https://github.com/.extraheader", f"AUTHORIZATION: basic {SECRET}")
    git(site, "add", "-A")
    git(site, "commit", "-q", "-m", "The site")
    return site


def branch_leaks(root: Path, branch: str = "gh-pages") -> list[str]:
    """Blobs reachable from ``branch`` that hold the secret ([] when the branch does not exist)."""
    if subprocess.run(
        ["git", "rev-parse", "--verify", "-q", branch], cwd=root, capture_output=True
    ).returncode:
        return []
    objects = git(root, "rev-list", "--objects", branch).splitlines()
    found = []
    for line in objects:
        sha, _, name = line.partition(" ")
        if git(root, "cat-file", "-t", sha) == "blob" and SECRET in git(root, "cat-file", "-p", sha):
            found.append(name)
    return found


@needs_git
@pytest.mark.parametrize(
    "target",
    ["../../.git/config", "{root}/.git/config", "../../.git/../.git/config", "{outside}/secret.txt"],
)
def test_deploy_of_a_merged_link_publishes_nothing(
    target: str, repo: Path, outside: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    link(repo / "content/weeknotes/config.txt", target.format(root=repo, outside=outside))
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "A contribution")
    code = main(["deploy", str(repo)])
    _out, err = capsys.readouterr()
    assert code == 1 and "content/weeknotes/config.txt" in err and "Traceback" not in err
    assert branch_leaks(repo) == [] and leaks(repo) == []


@needs_git
@pytest.mark.parametrize(
    "plant",
    [
        pytest.param(lambda r, o: link(r / "output/config", "../.git/config"), id="relative"),
        pytest.param(lambda r, o: link(r / "output/css/x.css", r / ".git/config"), id="absolute"),
        pytest.param(lambda r, o: link(r / "output/secret.txt", o / "secret.txt"), id="outside"),
        pytest.param(
            lambda r, o: (link(r / "shared/hop", "../.git/config"), link(r / "output/hop", "../shared/hop")),
            id="chain",
        ),
        pytest.param(lambda r, o: _replace(r / "output", ".git"), id="output-is-a-link-to-git"),
        pytest.param(lambda r, o: _replace(r / "output", o), id="output-is-a-link-out"),
    ],
)
def test_publish_refuses_links_in_the_output(plant: Setup, repo: Path, outside: Path) -> None:
    (repo / "output" / "css").mkdir(parents=True)
    (repo / "output" / "index.html").write_text("<p>hi</p>")
    plant(repo, outside)
    published, problems = publish(repo, repo / "output")
    assert published is None
    assert [p.code for p in problems] and {p.code for p in problems} == {"deploy/symlink-out"}
    assert all(p.hint for p in problems)
    assert branch_leaks(repo) == []


@needs_git
def test_publish_keeps_a_link_inside_the_site_and_skips_folder_links(repo: Path) -> None:
    (repo / "output").mkdir()
    (repo / "output" / "index.html").write_text("<p>hi</p>")
    link(repo / "output/notes.txt", "../shared/notes.txt")
    link(repo / "output/git", "../.git")  # a folder link: not entered
    link(repo / "output/up", "..")
    published, problems = publish(repo, repo / "output")
    assert published is not None and problems == []
    files = git(repo, "ls-tree", "-r", "--name-only", "gh-pages").splitlines()
    assert files == ["index.html", "notes.txt"]
    assert git(repo, "show", "gh-pages:notes.txt") == "shared notes, fine to publish"
    assert branch_leaks(repo) == []


# --- import ----------------------------------------------------------------------------------


@pytest.fixture
def old(tmp_path: Path) -> Path:
    """A Jekyll site with a post, an asset and a ``.git/config`` holding the secret."""
    src = tmp_path / "old"
    (src / "_posts").mkdir(parents=True)
    (src / "_posts" / "2024-01-02-hello.md").write_text("---\ntitle: Hello\n---\nHi.\n")
    (src / "assets").mkdir()
    (src / "assets" / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\nlogo")
    (src / ".git").mkdir()
    (src / ".git" / "config").write_text(GIT_CONFIG)
    (src / "_config.yml").write_text("title: Old\n")
    return src


@pytest.mark.parametrize(
    ("setup", "named"),
    [
        (lambda s, o: link(s / "_posts/2024-01-03-leak.md", "../.git/config"), "_posts/2024-01-03-leak.md"),
        (lambda s, o: link(s / "assets/config.txt", s / ".git/config"), "assets/config.txt"),
        (lambda s, o: link(s / "assets/secret.txt", o / "secret.txt"), "assets/secret.txt"),
        (lambda s, o: link(s / "_drafts", o / "content"), "_drafts"),
        (lambda s, o: _swap(s / "_config.yml", ".git/config"), "_config.yml"),
        (
            lambda s, o: (link(s / "assets/hop", "../.git/config"), link(s / "assets/chain.txt", "hop")),
            "assets/chain.txt",
        ),
    ],
)
def test_jekyll_import_refuses_links_out(
    setup: Setup, named: str, old: Path, outside: Path, tmp_path: Path, run_cli: Cli
) -> None:
    setup(old, outside)
    dest = tmp_path / "new"
    code, _out, err = run_cli(["import", "jekyll", str(old), str(dest)])
    assert code == 1 and "Traceback" not in err
    assert any(
        line.startswith(f"{named}: error:") and "import/symlink-out" in line for line in err.splitlines()
    )
    assert leaks(dest) == []
    assert (dest / "static/assets/logo.png").is_file()


@pytest.mark.parametrize(
    ("setup", "named"),
    [
        (lambda s, o: _replace(s / "content", o / "content"), "content"),
        (lambda s, o: link(s / "content/posts/leak.md", "../../.git/config"), "content/posts/leak.md"),
        (lambda s, o: link(s / "content/posts/bundle.txt", o / "secret.txt"), "content/posts/bundle.txt"),
        (lambda s, o: link(s / "content/more", o / "content"), "content/more"),
        (lambda s, o: _replace(s / "static", ".git"), "static"),
        (lambda s, o: link(s / "content/page.md", "../.git/config"), "content/page.md"),
    ],
)
def test_hugo_import_refuses_links_out(
    setup: Setup, named: str, outside: Path, tmp_path: Path, run_cli: Cli
) -> None:
    src = tmp_path / "hugo"
    (src / "content" / "posts").mkdir(parents=True)
    (src / "content" / "posts" / "first.md").write_text("---\ntitle: First\ndate: 2024-01-02\n---\nHi.\n")
    (src / "static").mkdir()
    (src / "static" / "robots.txt").write_text("User-agent: *\n")
    (src / ".git").mkdir()
    (src / ".git" / "config").write_text(GIT_CONFIG)
    (src / "hugo.toml").write_text('title = "Old"\n')
    setup(src, outside)
    dest = tmp_path / "new"
    code, _out, err = run_cli(["import", "hugo", str(src), str(dest)])
    assert code == 1 and "Traceback" not in err, err
    assert any(
        line.startswith(f"{named}: error:") and "import/symlink-out" in line for line in err.splitlines()
    )
    assert "hint:" in err
    assert leaks(dest) == []


def test_import_copies_a_link_inside_the_old_site(old: Path, tmp_path: Path, run_cli: Cli) -> None:
    link(old / "assets/logo-copy.png", "logo.png")
    dest = tmp_path / "new"
    code, _, err = run_cli(["import", "jekyll", str(old), str(dest)])
    assert code == 0, err
    copy = dest / "static/assets/logo-copy.png"
    assert copy.read_bytes() == b"\x89PNG\r\n\x1a\nlogo" and not copy.is_symlink()
