"""An output folder inside what the build reads is refused before anything is read or written.

``--out static/site`` used to copy the last output into the next build, growing the site on every
run while the summary said nothing changed. Any ``--out`` inside ``content/``, ``static/`` or a
theme folder, or holding the site, now ends in exit 1 naming the folder, with a hint; a link that
makes ``static/`` lead into the output is caught the same way.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from site_builder.cli import main
from tests.gitrepo import git, isolate

Cli = Callable[[Sequence[str]], tuple[int, str, str]]
MakeSite = Callable[..., Path]
NEEDS_LINKS = pytest.mark.skipif(
    sys.platform == "win32",
    reason="making a symbolic link needs administrator rights or Developer Mode on Windows, and git "
    "checks a committed link out there as a plain file: a planted link is an attack on POSIX only",
)
SITE_TOML = 'title = "T"\nbase_url = "https://example.org/"\ntheme = "mine"\n'
FILES = {
    "content/about.md": "---\ntitle: About\n---\nAbout us.\n",
    "static/css/extra.css": "body { margin: 0 }\n",
    "themes/mine/templates/.keep": "",
    "themes/mine/static/css/mine.css": "p { color: teal }\n",
}


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file of the site (the output aside), to show that a refused build touched nothing."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and "output" not in p.relative_to(root).parts
    }


@pytest.mark.parametrize(
    ("out", "says"),
    [
        ("static/site", "inside static/"),
        ("static", "inside static/"),
        ("content/site", "inside content/"),
        ("content", "inside content/"),
        ("themes/mine/static/x", "inside themes/mine/static/"),
        ("themes/mine/templates", "inside themes/mine/templates/"),
        ("themes", "around themes/mine/templates/"),
        (".", "is the site folder itself"),
        ("..", "is a folder that holds the site"),
    ],
)
def test_an_out_inside_what_the_build_reads_is_refused(
    out: str, says: str, make_site: MakeSite, run_cli: Cli
) -> None:
    root = make_site(FILES, config=SITE_TOML)
    before = snapshot(root)
    target = (root / out).resolve()
    for _ in range(2):  # the second run must not see anything the first left behind
        code, stdout, err = run_cli(["build", str(root), "--out", str(target), "--jobs", "1"])
        assert code == 1, (stdout, err)
        assert "Traceback" not in err
        first = err.splitlines()[0]
        assert first.startswith(f"{target}: error: the output folder") and says in first, first
        assert first.endswith("[output/inside-source]")
        assert err.splitlines()[1].startswith("  hint: choose an --out outside content/, static/ and themes/")
        assert "the previous output was left as it was" in stdout
    assert snapshot(root) == before
    assert not list(root.parent.glob(".*staging*")) and not list(root.rglob(".*staging*"))


@pytest.mark.parametrize("out", ["public", "../elsewhere"])
def test_an_out_beside_the_sources_builds(out: str, make_site: MakeSite, run_cli: Cli) -> None:
    root = make_site(FILES, config=SITE_TOML)
    target = (root / out).resolve()
    for _ in range(2):
        code, _stdout, err = run_cli(["build", str(root), "--out", str(target), "--jobs", "1"])
        assert code == 0, err
    assert (target / "about" / "index.html").is_file() and (target / "css" / "extra.css").is_file()
    assert not (target / "public").exists() and not (root / "static" / "public").exists()


@NEEDS_LINKS
def test_static_as_a_link_into_the_output_is_refused(make_site: MakeSite, run_cli: Cli) -> None:
    root = make_site(FILES, config=SITE_TOML)
    assert run_cli(["build", str(root), "--jobs", "1"])[0] == 0
    built = {
        p.relative_to(root / "output"): p.read_bytes() for p in (root / "output").rglob("*") if p.is_file()
    }
    (root / "static").rename(root / "static-was")
    (root / "static").symlink_to("output", target_is_directory=True)
    code, _, err = run_cli(["build", str(root), "--jobs", "1"])
    assert code == 1 and "inside static/" in err and "[output/inside-source]" in err
    after = {
        p.relative_to(root / "output"): p.read_bytes() for p in (root / "output").rglob("*") if p.is_file()
    }
    assert after == built


@NEEDS_LINKS
def test_content_as_a_link_around_the_output_is_refused(make_site: MakeSite, run_cli: Cli) -> None:
    root = make_site(FILES, config=SITE_TOML)
    (root / "docs").mkdir()
    (root / "content").rename(root / "docs" / "content")
    (root / "content").symlink_to("docs/content", target_is_directory=True)
    code, _, err = run_cli(["build", str(root), "--out", str(root / "docs"), "--jobs", "1"])
    assert code == 1 and "around content/" in err
    assert run_cli(["build", str(root), "--jobs", "1"])[0] == 0  # the link itself is fine


@NEEDS_LINKS
@pytest.mark.skipif(
    subprocess.run(["git", "--version"], capture_output=True).returncode != 0, reason="needs git"
)
def test_deploy_refuses_before_building(
    make_site: MakeSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    isolate(monkeypatch, tmp_path / "home")
    root = make_site(FILES, config=SITE_TOML)
    (root / "static").rename(root / "static-was")
    (root / "static").symlink_to("output", target_is_directory=True)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "The site")
    code = main(["deploy", str(root)])
    _, err = capsys.readouterr()
    assert code == 1 and "[output/inside-source]" in err and "Traceback" not in err
    assert not (root / "output").exists()
    assert subprocess.run(["git", "rev-parse", "-q", "--verify", "gh-pages"], cwd=root).returncode != 0


def test_import_into_a_folder_inside_the_old_site_does_not_copy_itself(tmp_path: Path, run_cli: Cli) -> None:
    old = tmp_path / "old"
    (old / "_posts").mkdir(parents=True)
    (old / "_posts" / "2024-01-02-hello.md").write_text("---\ntitle: Hello\n---\nHi.\n")
    (old / "assets").mkdir()
    (old / "assets" / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\nlogo")
    code, _, err = run_cli(["import", "jekyll", str(old), str(old / "new")])
    assert code == 0, err
    static = old / "new" / "static"
    assert sorted(p.relative_to(static).as_posix() for p in static.rglob("*") if p.is_file()) == [
        "assets/logo.png"
    ]
