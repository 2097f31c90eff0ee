"""The command line: exit codes, messages with file and line, no tracebacks, old output kept.

The rules are in README.md, "Errors and warnings".
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from site_builder.cli import main

REPO = Path(__file__).resolve().parents[2]
RunCli = Callable[[Sequence[str]], tuple[int, str, str]]
HashTree = Callable[[Path], dict[str, str]]
POST = "content/weeknotes/platform-week-47.md"


def break_yaml(site: Path) -> None:
    """Line 3 of the post becomes 'team: platform: beta', which YAML refuses."""
    path = site / POST
    lines = path.read_text(encoding="utf-8").split("\n")
    assert lines[2] == "team: platform"
    lines[2] = "team: platform: beta"
    path.write_text("\n".join(lines), encoding="utf-8")


def test_sample_site_builds(sample_site: Path, run_cli: RunCli) -> None:
    code, out, err = run_cli(["build", str(sample_site)])
    assert code == 0, err
    assert "Traceback" not in out + err
    assert out.startswith("Built ")
    assert (sample_site / "output" / "index.html").is_file()
    assert (
        sample_site / "output" / "weeknotes" / "2026" / "11" / "platform-week-47" / "index.html"
    ).is_file()
    # the sample has a draft; it is counted in the summary and has no page
    assert "left out 1 draft" in out
    assert not (sample_site / "output" / "weeknotes" / "2026" / "10" / "platform-week-41").exists()


def test_broken_yaml_fails_with_file_and_line_and_keeps_the_old_output(
    sample_site: Path, run_cli: RunCli, hash_tree: HashTree
) -> None:
    assert run_cli(["build", str(sample_site)])[0] == 0
    before = hash_tree(sample_site / "output")
    break_yaml(sample_site)
    code, out, err = run_cli(["build", str(sample_site)])
    assert code == 1
    assert f"{POST}:3: error:" in err
    assert "[front-matter/yaml]" in err
    assert "hint:" in err
    assert "Traceback" not in out + err
    assert "previous output was left as it was" in out
    assert hash_tree(sample_site / "output") == before
    # nothing left beside it either: no staging or old folders
    assert [p.name for p in sample_site.iterdir() if p.name.startswith(".output")] == []


def test_out_at_a_folder_that_is_not_a_build_output(
    sample_site: Path, tmp_path: Path, run_cli: RunCli, hash_tree: HashTree
) -> None:
    precious = tmp_path / "home"
    (precious / "Documents").mkdir(parents=True)
    (precious / "Documents" / "report.odt").write_bytes(b"\x00important")
    (precious / "index.html").write_text("<p>my own page</p>")
    (precious / ".profile").write_text("PATH=$PATH\n")
    before = hash_tree(precious)
    code, out, err = run_cli(["build", str(sample_site), "--out", str(precious)])
    assert code == 1
    assert "[output/not-ours]" in err
    assert "nothing in it was touched" in err
    assert "Traceback" not in out + err
    assert hash_tree(precious) == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".home")] == []  # no staging beside it


def test_out_at_an_earlier_output_is_replaced(sample_site: Path, tmp_path: Path, run_cli: RunCli) -> None:
    out_dir = tmp_path / "public"
    assert run_cli(["build", str(sample_site), "--out", str(out_dir)])[0] == 0
    (out_dir / "stale.html").write_text("from an old build")
    about = sample_site / "content" / "about.md"
    about.write_text(
        about.read_text(encoding="utf-8").replace("title: ", "title: Renamed ", 1), encoding="utf-8"
    )
    assert run_cli(["build", str(sample_site), "--out", str(out_dir)])[0] == 0
    assert (out_dir / "about" / "index.html").read_text(encoding="utf-8").count("<h1") == 1
    assert "Renamed " in (out_dir / "about" / "index.html").read_text(encoding="utf-8")
    assert not (out_dir / "stale.html").exists()  # the new output was swapped in whole
    assert not (sample_site / "output").exists()  # --out was used, not the default


def test_missing_site_toml(tmp_path: Path, run_cli: RunCli) -> None:
    code, out, err = run_cli(["build", str(tmp_path)])
    assert code == 1
    assert "site.toml: error: no site.toml in" in err
    assert "site-builder init" in err  # says what to do
    assert "Traceback" not in out + err


def test_invalid_site_toml_names_the_key(make_site: Callable[..., Path], run_cli: RunCli) -> None:
    site = make_site({"content/a.md": "A"}, config='title = "x"\npaginate = "ten"\n')
    code, _, err = run_cli(["build", str(site)])
    assert code == 1
    assert "paginate: expected a whole number" in err


def test_duplicate_urls_name_both_files(make_site: Callable[..., Path], run_cli: RunCli) -> None:
    site = make_site(
        {
            "content/pages/a.md": "---\ntitle: A\nslug: same\n---\n",
            "content/pages/b.md": "---\ntitle: B\nslug: Same\n---\n",
        }
    )
    code, _, err = run_cli(["build", str(site)])
    assert code == 1
    assert (
        "content/pages/b.md: error: /pages/same/ is also the URL of content/pages/a.md [url/duplicate]" in err
    )
    assert not (site / "output").exists()


def test_strict_turns_warnings_into_a_failure(make_site: Callable[..., Path], run_cli: RunCli) -> None:
    site = make_site({"content/about.md": "---\ntitle: About\n---\n\nSee [x](nowhere.md).\n"})
    code, out, err = run_cli(["build", str(site)])
    assert code == 0
    assert "content/about.md:5: warning: broken link to nowhere.md" in err
    code, out, err = run_cli(["build", str(site), "--strict"])
    assert code == 1
    assert "--strict" in out


@pytest.mark.parametrize(
    "argv",
    [["build", "--jobs", "many"], ["frobnicate"], ["build", "--no-such-option"], []],
)
def test_usage_errors_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "usage: site-builder" in err
    assert "Traceback" not in err


def run_module(args: Sequence[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "CI": "true",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
    }
    return subprocess.run(
        [sys.executable, "-m", "site_builder", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_python_dash_m_builds_the_site_in_the_current_folder(sample_site: Path) -> None:
    done = run_module(["build"], cwd=sample_site)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Built ")
    assert "Traceback" not in done.stdout + done.stderr
    assert (sample_site / "output" / "index.html").is_file()
    assert (sample_site / "output" / ".site-builder-output").is_file()


def test_python_dash_m_usage_error_exits_2(tmp_path: Path) -> None:
    done = run_module(["build", "--jobs", "many"], cwd=tmp_path)
    assert done.returncode == 2
    assert "usage:" in done.stderr


def test_a_placeholder_base_url_warns_once_and_fails_strict(
    make_site: Callable[..., Path], run_cli: Callable[..., tuple[int, str, str]]
) -> None:
    root = make_site({"content/a.md": "A"}, config='title = "T"\nbase_url = "https://your-site.example/"\n')
    code, out, err = run_cli(["build", str(root)])
    assert code == 0 and "1 warning" in out and err.count("[config/base-url]") == 1
    code, out, err = run_cli(["build", str(root), "--strict"])
    assert code == 1 and "[config/base-url]" in err and "--strict" in out
    code, out, err = run_cli(["build", str(root), "--base-url", "https://team.github.io/site/"])
    assert code == 0 and "base-url" not in err and "0 warnings" in out
