"""Screenshots of the default theme for the README: build the sample site, serve it, photograph it.

    python scripts/screenshots.py [--out docs/screenshots] [--dark] [--full]

Builds the repository's sample site into a temporary folder, serves it on 127.0.0.1 at a free
port, and saves the home page, a weeknote and a case study at 375 px and 1280 px wide as PNGs.
Needs Playwright and a Chromium (``CHROMIUM_PATH``, else ``chromium`` on PATH, as ``.ci/run``
installs it; never ``playwright install``, which downloads a browser of its own).
"""

from __future__ import annotations

import argparse
import functools
import os
import shutil
import sys
import tempfile
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from site_builder import cli  # noqa: E402 - after the path is set, so a checkout works uninstalled

PAGES = {
    "home": "",
    "weeknote": "weeknotes/2026/11/platform-week-46/",
    "case-study": "case-studies/missed-bins/",
}
# Width -> (viewport height, tallest part of the page kept): enough to show the design, not a scroll.
SIZES = {375: (812, 2200), 1280: (900, 1600)}
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # the stdlib's parameter name
        pass


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots", help="where PNGs go")
    parser.add_argument("--dark", action="store_true", help="dark colour scheme (names end in -dark)")
    parser.add_argument("--full", action="store_true", help="whole pages, not just the top")
    args = parser.parse_args(argv)
    chromium = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        print("No Chromium found: apt-get install chromium, or set CHROMIUM_PATH.", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="site-builder-shots-") as tmp:
        site = Path(tmp) / "site"
        handler = functools.partial(_Quiet, directory=str(site))
        httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{httpd.server_address[1]}/"
        try:
            if cli.main(["build", str(ROOT), "--out", str(site), "--base-url", base]) != 0:
                print("The sample site did not build.", file=sys.stderr)
                return 1
            missing = [p for p in PAGES.values() if not (site / p / "index.html").is_file()]
            if missing:
                print(f"Sample pages missing from the build: {missing}", file=sys.stderr)
                return 1
            args.out.mkdir(parents=True, exist_ok=True)
            for path in _shoot(chromium, base, args.out, dark=args.dark, full=args.full):
                print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)
        finally:
            httpd.shutdown()
            httpd.server_close()
    return 0


def _shoot(chromium: str, base: str, out: Path, *, dark: bool, full: bool) -> list[Path]:
    from playwright.sync_api import sync_playwright

    saved = []
    scheme = "dark" if dark else "light"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            for width, (height, keep) in SIZES.items():
                viewport = {"width": width, "height": height}
                context = browser.new_context(viewport=viewport, color_scheme=scheme)
                page = context.new_page()
                for name, path in PAGES.items():
                    page.goto(base + path, wait_until="load")
                    total = page.evaluate("document.documentElement.scrollHeight")
                    clip = None if full else {"x": 0, "y": 0, "width": width, "height": min(total, keep)}
                    target = out / f"{name}-{width}{'-dark' if dark else ''}.png"
                    page.screenshot(path=str(target), full_page=True, clip=clip)
                    saved.append(target)
                context.close()
        finally:
            browser.close()
    return saved


if __name__ == "__main__":
    sys.exit(main())
