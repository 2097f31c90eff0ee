"""`site-builder check` on a fixture site with one of each problem, in all three formats."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from site_builder.commands import check
from site_builder.model import BuildOptions
from site_builder.report import Reporter

BROKEN = Path(__file__).resolve().parents[1] / "sites" / "broken"
NOW = dt.datetime(2026, 11, 23, 12, tzinfo=dt.UTC)
# (code, file, line or None) that the fixture site must produce, read off the fixture by hand.
EXPECTED = {
    ("front-matter/yaml", "content/weeknotes/bad-yaml.md", 3),
    ("front-matter/missing", "content/weeknotes/no-date.md", None),
    ("front-matter/challenge", "content/case-studies/unknown-challenge.md", 4),
    ("url/duplicate", "content/contributions/no-alt.md", None),
    ("link/broken", "content/weeknotes/good.md", 6),
    ("link/anchor", "content/weeknotes/good.md", 6),
    ("image/alt", "content/weeknotes/good.md", 8),
    ("image/alt", "content/contributions/no-alt.md", None),
    ("content/future", "content/weeknotes/future.md", None),
    ("content/skipped", "content/weeknotes/_notes.md", None),
    ("front-matter/tool", "content/contributions/also-same.md", 6),
    ("image/broken", "content/weeknotes/good.md", 8),
    ("front-matter/team", "content/weeknotes/unknown-team.md", 3),
    ("front-matter/author", "content/weeknotes/misspelled-author.md", 4),
    ("link/broken", "content/weeknotes/broken-links.md", 6),
    ("image/broken", "content/weeknotes/broken-links.md", 8),
    ("link/anchor", "content/weeknotes/broken-links.md", 10),
    ("front-matter/image", "content/weeknotes/broken-links.md", 4),
}


@pytest.fixture
def site(tmp_path: Path) -> Path:
    return Path(shutil.copytree(BROKEN, tmp_path / "broken"))


def run_check(site: Path, fmt: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = check.run(site, fmt, Reporter(), BuildOptions(now=NOW))
    return code, capsys.readouterr().out


def test_json_lists_each_problem_with_file_and_line(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run_check(site, "json", capsys)
    assert code == 1
    found = json.loads(out)
    keys = {(d["code"], d["path"], d["line"]) for d in found}
    for code_, path, line in EXPECTED:
        if line is None:
            assert any(k[0] == code_ and k[1] == path for k in keys), (code_, path)
        else:
            assert (code_, path, line) in keys, (code_, path, line)
    assert all(d["severity"] in ("error", "warning", "note") and d["message"] and d["hint"] for d in found)
    duplicate = next(d for d in found if d["code"] == "url/duplicate")
    assert "content/contributions/also-same.md" in duplicate["message"]  # names both files
    assert "no-alt.md" not in {d["path"] for d in found if d["code"] == "content/draft"}


def test_text_format(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run_check(site, "text", capsys)
    assert code == 1
    assert "content/weeknotes/bad-yaml.md:3: error: invalid YAML front matter" in out
    assert "content/case-studies/unknown-challenge.md:4: error: unknown challenge 'bureaucracy'" in out
    assert out.strip().splitlines()[-1].startswith("Checked: 5 errors,")
    assert "unknown-team.md:3: error: unknown team 'our-teem'" in out
    assert "'Amara Okafr' has no profile in site.toml" in out and "did you mean 'Amara Okafor'?" in out
    assert "Traceback" not in out


def test_github_format_is_workflow_annotations(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run_check(site, "github", capsys)
    assert code == 1
    lines = out.strip().splitlines()
    assert all(line.startswith(("::error ", "::warning ", "::notice ")) for line in lines)
    assert "::error file=content/weeknotes/bad-yaml.md,line=3,title=front-matter/yaml::" in out
    assert "::warning file=content/weeknotes/good.md,line=8,title=image/alt::" in out


def test_a_clean_site_exits_zero(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "content").mkdir()
    (tmp_path / "site.toml").write_text('title = "Clean"\nbase_url = "https://example.org/"\n')
    (tmp_path / "content" / "about.md").write_text("---\ntitle: About\n---\nAll fine.\n")
    code, out = run_check(tmp_path, "text", capsys)
    assert code == 0
    assert out.strip() == "Checked: 0 errors, 0 warnings."
    assert not (tmp_path / "output").exists()  # check writes nothing


def test_build_reports_the_same_problems_as_check(
    site: Path, capsys: pytest.CaptureFixture[str], build: Callable[..., Any]
) -> None:
    """One set of rules: build prints what check lists (build on this site fails, so nothing is written)."""
    _, out = run_check(site, "json", capsys)
    checked = {(d["code"], d["path"], d["line"]) for d in json.loads(out)}
    result = build(site, now=NOW)
    built = {(d.code, d.path, d.line) for d in result.diagnostics}
    assert built == checked
    assert not result.written


def test_strict_check_fails_on_warnings_alone(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "content").mkdir()
    (tmp_path / "site.toml").write_text('title = "T"\nbase_url = "https://example.org/"\n')
    (tmp_path / "content" / "about.md").write_text("---\ntitle: About\n---\n![](/images/none.png)\n")
    (tmp_path / "content" / "_notes.md").write_text("a partial, left out on purpose\n")
    assert check.run(tmp_path, "text", Reporter(), BuildOptions(now=NOW)) == 0
    out = capsys.readouterr().out
    assert out.strip().endswith("Checked: 0 errors, 2 warnings, 1 note.")
    assert check.run(tmp_path, "text", Reporter(), BuildOptions(now=NOW, strict=True)) == 1
    (tmp_path / "content" / "about.md").write_text("---\ntitle: About\n---\nFine.\n")
    assert (
        check.run(tmp_path, "text", Reporter(), BuildOptions(now=NOW, strict=True)) == 0
    )  # a note never fails


def test_a_problem_without_a_line_is_annotated_on_line_1(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, out = run_check(site, "github", capsys)
    assert "::notice file=content/weeknotes/future.md,line=1,title=content/future::" in out
