"""The output folder is not trusted (SECURITY.md): pages planted in it with a marker that this
machine's site-builder did not sign are never reused, a link left in it is never written through,
files no build made are never deployed, and a forged marker costs a full build, never a crash."""

from __future__ import annotations

import json
import os
import shutil
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from tests.gitrepo import git, isolate

Cli = Callable[[Sequence[str]], tuple[int, str, str]]
PLANTED = "<script>alert('planted')</script>"
POST = "---\ntitle: One\ndate: 2026-10-01\ncontributor: Eve\n---\nHello.\n"
NEEDS_LINKS = pytest.mark.skipif(
    sys.platform == "win32",
    reason="making a symbolic link needs administrator rights or Developer Mode on Windows, and git "
    "checks a committed link out there as a plain file: a planted link is an attack on POSIX only",
)


@pytest.fixture
def site(make_site: Callable[..., Path]) -> Path:
    return make_site({"content/contributions/one.md": POST})


def plant(out: Path) -> None:
    page = out / "contributions" / "one" / "index.html"
    page.write_text(page.read_text().replace("Hello.", "Hello." + PLANTED))


def test_pages_planted_with_a_marker_from_another_machine_are_rendered_again(
    site: Path, run_cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An attacker builds the same site on their machine, plants a script, and commits the output
    (or a hidden .output.old-N the build would adopt): a CI runner has another key."""
    attacker = tmp_path / "attacker"
    shutil.copytree(site, attacker)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "attackers-cache"))
    assert run_cli(["build", str(attacker), "--no-search"])[0] == 0
    plant(attacker / "output")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "runners-cache"))
    for planted_as in ("output", ".output.old-424242"):
        shutil.rmtree(site / "output", ignore_errors=True)
        shutil.copytree(attacker / "output", site / planted_as)
        code, out, err = run_cli(["build", str(site), "--no-search"])
        assert code == 0, err
        assert "nothing changed" not in out
        assert PLANTED not in (site / "output/contributions/one/index.html").read_text()


@pytest.mark.parametrize(
    "marker",
    [
        '{"tool": "site-builder", "files": {"index.html": 1}}',
        "null",
        '{"files": {"../../etc/passwd": "x"}}',
        "signed 00\n{}",
        '{"tool": "site-builder", "fingerprint": 5, "warnings": [{"severity": "x"}], "counts": {"a": 1}}',
        "\x00\xff",
    ],
)
def test_a_forged_marker_costs_a_full_build_never_a_crash(site: Path, run_cli: Cli, marker: str) -> None:
    assert run_cli(["build", str(site), "--no-search"])[0] == 0
    (site / "output" / ".site-builder-output").write_text(marker, errors="surrogateescape")
    code, _, err = run_cli(["build", str(site), "--no-search"])
    assert code == 0 and "Traceback" not in err
    assert run_cli(["build", str(site), "--no-search"])[1].count("nothing changed") == 1  # signed again


@NEEDS_LINKS
def test_a_link_left_in_the_output_is_never_written_through(site: Path, run_cli: Cli, tmp_path: Path) -> None:
    victim = tmp_path / "bashrc"
    victim.write_text("# the user's own file\n")
    assert run_cli(["build", str(site), "--no-search"])[0] == 0
    for name in os.listdir(site / "output"):
        if name.startswith(".site-builder-output."):
            os.unlink(site / "output" / name)
    os.symlink(victim, site / "output" / ".site-builder-output.tmp")
    # Other options, same pages: the build only records itself in the marker.
    assert run_cli(["build", str(site), "--no-search", "--jobs", "1"])[0] == 0
    assert victim.read_text() == "# the user's own file\n"


def test_files_no_build_made_are_not_deployed(
    site: Path, run_cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    isolate(monkeypatch, tmp_path / "home")
    (site / ".gitignore").write_text("/output/\n/.site-builder/\n")
    git(site, "init", "-q", "-b", "main")
    git(site, "add", "-A")
    git(site, "commit", "-q", "-m", "The site")
    assert run_cli(["build", str(site)])[0] == 0  # as deploy builds: its own build changes nothing
    (site / "output" / "evil.html").write_text(PLANTED)
    code, _, err = run_cli(["deploy", str(site)])
    assert code == 0, err
    assert "[deploy/unplanned]" in err and "evil.html" in err
    files = git(site, "ls-tree", "-r", "--name-only", "gh-pages").splitlines()
    assert "evil.html" not in files and "contributions/one/index.html" in files


def test_the_marker_records_nothing_a_reader_can_edit_unseen(site: Path, run_cli: Cli) -> None:
    """Its JSON is signed: changing one key by hand makes the next build start over."""
    assert run_cli(["build", str(site), "--no-search"])[0] == 0
    marker = site / "output" / ".site-builder-output"
    first, _, text = marker.read_text().partition("\n")
    assert first.startswith("signed ")
    data = json.loads(text)
    data["files"]["contributions/one/index.html"] = "another key"
    marker.write_text(first + "\n" + json.dumps(data, indent=0) + "\n")
    _, out, _ = run_cli(["build", str(site), "--no-search"])
    assert "nothing changed" not in out
