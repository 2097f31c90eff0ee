#!/usr/bin/env python3
"""Live-preview benchmark: from saving a post to the browser being told to reload (BENCHMARKS.md).

    python benchmarks/serve_edit.py [--posts 1000] [--edits 10] [--gap 1.0] [--after-search]
                                    [--corpus-script PATH]

Generates the deterministic corpus (benchmarks/make_corpus.py, canonical flavour), starts
``serve`` on it in this process (127.0.0.1, a free port), connects one SSE client to
``/_sb/events`` and edits one post ``--edits`` times. For each edit it measures
  edit-to-reload   the file write until the client receives the ``reload`` event
  rebuild          the rebuild time the server logs ("Rebuilt N pages, M feeds in X ms")
and prints a Markdown table (median, min, max) with the machine it ran on, and when the background
search index (Pagefind, once after the first build) was ready: edits before then compete with it for
the CPU, so ``--after-search`` waits for it before the first edit.
"""

from __future__ import annotations

import argparse
import http.client
import io
import os
import platform
import queue
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CORPUS_SCRIPT = REPO / "benchmarks" / "make_corpus.py"
sys.path.insert(0, str(REPO))

from site_builder.commands import serve  # noqa: E402
from site_builder.model import BuildOptions  # noqa: E402
from site_builder.report import Reporter  # noqa: E402

LOGGED = re.compile(r"Rebuilt (\d+) pages?, (\d+) feeds? in (\d+) ms")


def machine() -> str:
    cpu = "unknown CPU"
    mem = "unknown RAM"
    try:
        cpu = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
        kib = int(Path("/proc/meminfo").read_text().split("MemTotal:", 1)[1].split()[0])
        mem = f"{kib / 1024 / 1024:.1f} GiB RAM"
    except (OSError, StopIteration, IndexError, ValueError):
        pass
    return f"{os.cpu_count()} cores ({cpu}), {mem}, Python {platform.python_version()}"


def listen(port: int, events: queue.Queue[tuple[str, str, float]], ready: threading.Event) -> None:
    """One SSE client: puts (event name, data, arrival time) on ``events`` until the server stops."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    conn.request("GET", "/_sb/events")
    resp = conn.getresponse()
    ready.set()
    name, data = "", ""
    while line := resp.fp.readline():
        text = line.decode().rstrip("\n")
        if text.startswith("event: "):
            name = text[7:]
        elif text.startswith("data: "):
            data = text[6:]
        elif text == "" and name:
            events.put((name, data, time.perf_counter()))
            name = ""


def row(label: str, values: list[float]) -> str:
    return f"| {label} | {statistics.median(values):.0f} | {min(values):.0f} | {max(values):.0f} |"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=1000)
    parser.add_argument("--edits", type=int, default=10)
    parser.add_argument("--gap", type=float, default=1.0, help="seconds between a reload and the next edit")
    parser.add_argument("--corpus-script", type=Path, default=CORPUS_SCRIPT)
    parser.add_argument(
        "--after-search", action="store_true", help="wait for the background search index before editing"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="serve-edit-") as tmp:
        root = Path(tmp) / "corpus"
        command = [sys.executable, str(args.corpus_script), "--posts", str(args.posts), "--out", str(root)]
        subprocess.run(
            [*command, "--flavor", "canonical"],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        posts = sorted((root / "content" / "weeknotes").glob("*.md"))
        post = posts[len(posts) // 2]
        log = io.StringIO()
        started = time.perf_counter()
        session = serve.start(root, "127.0.0.1", 0, BuildOptions(), Reporter(log, io.StringIO()))
        first = time.perf_counter() - started
        search_ready: list[float] = []  # when the background Pagefind index joined the generation
        if session.builder.search is not None:
            indexing = session.builder.search

            def note_search() -> None:
                if indexing.wait(600):
                    search_ready.append(time.perf_counter() - started - first)

            threading.Thread(target=note_search, daemon=True).start()
        events: queue.Queue[tuple[str, str, float]] = queue.Queue()
        ready = threading.Event()
        port = session.server.server_address[1]
        threading.Thread(target=listen, args=(port, events, ready), daemon=True).start()
        ready.wait(10)
        if args.after_search and session.builder.search is not None:
            session.builder.search.wait(600)
        original = post.read_text(encoding="utf-8")
        to_reload: list[float] = []
        try:
            for n in range(1, args.edits + 1):
                time.sleep(args.gap)  # separate saves, not one burst
                wrote = time.perf_counter()
                post.write_text(original + f"\nEdit number {n} for the benchmark.\n", encoding="utf-8")
                while True:
                    try:
                        name, data, arrived = events.get(timeout=300)
                    except queue.Empty:
                        raise SystemExit(f"no reload in 300 s; the server said:\n{log.getvalue()}") from None
                    if name == "error":
                        raise SystemExit(f"the rebuild failed: {data}")
                    if name == "reload":
                        to_reload.append((arrived - wrote) * 1000)
                        break
                session.wait_rebuilds(n, timeout=600)
        finally:
            session.stop()
        logged = [m.groups() for m in LOGGED.finditer(log.getvalue())]
    rebuild = [float(ms) for _, _, ms in logged]
    pages = [float(p) for p, _, _ in logged]
    feeds = [float(f) for _, f, _ in logged]
    print(f"serve on {args.posts} posts, {args.edits} edits of {post.name}; first build {first:.2f} s")
    if search_ready:
        print(f"search index (background) ready {search_ready[0]:.1f} s after the first build")
    print(f"machine: {machine()}\n")
    print("| measure | median | min | max |")
    print("|---|---:|---:|---:|")
    print(row("edit-to-reload (ms)", to_reload))
    print(row("rebuild, as logged (ms)", rebuild))
    print(row("pages rendered per rebuild", pages))
    print(row("feeds rendered per rebuild", feeds))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
