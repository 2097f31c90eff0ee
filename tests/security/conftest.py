"""What the security tests look for in a built site (SECURITY.md): anything live that came from content.

``find_live(out)`` parses every output with a real parser (lxml for HTML and XML, json for JSON
Feed) and lists script elements, event-handler attributes and dangerous URLs, in pages, feeds
(their HTML content parsed too), JSON Feed, the sitemap and redirect pages. The theme's own scripts
are known by their ``src`` and are allowed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from lxml import etree
from lxml import html as lxml_html

DANGEROUS_URL = re.compile(r"^(javascript|vbscript|data:text/html|data:image/svg|file):", re.IGNORECASE)
URL_ATTRIBUTES = frozenset({"href", "src", "action", "formaction", "data", "poster", "xlink:href", "content"})
THEME_SCRIPTS = re.compile(r"^(/[\w./-]*)?/(js/search\.js|pagefind/[\w./-]+)$")
# The default theme's own inline scripts, known by their text.
THEME_SOURCE = "".join(
    p.read_text() for p in (Path(__file__).parents[2] / "themes/default/templates").glob("*.html")
)
EMBEDDING = frozenset({"iframe", "object", "embed", "frame", "base"})


def _bad_url(value: str) -> bool:
    cleaned = re.sub(r"[\x00-\x20]", "", value)
    if cleaned.lower().startswith("0;url="):  # <meta http-equiv="refresh" content="0; url=…">
        cleaned = cleaned[len("0;url=") :]
    return bool(DANGEROUS_URL.match(cleaned)) or cleaned.startswith(("/\\", "\\"))


def _in_tree(root: etree._Element, where: str) -> list[str]:
    found = []
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        tag = etree.QName(element).localname.lower()
        theirs = (element.text or "").strip() and (element.text or "").strip()[:200] in THEME_SOURCE
        if tag == "script" and not (THEME_SCRIPTS.match(element.get("src", "")) or theirs):
            found.append(f"{where}: <script> {(element.text or '')[:60]!r}")
        if tag in EMBEDDING:
            found.append(f"{where}: <{tag}>")
        for name, value in element.attrib.items():
            local = etree.QName(name).localname.lower() if name.startswith("{") else name.lower()
            if local.startswith("on"):
                found.append(f"{where}: {tag}[{local}]")
            if local in URL_ATTRIBUTES and _bad_url(value):
                found.append(f"{where}: {tag}[{local}]={value[:60]!r}")
    return found


def _fragment(text: str, where: str) -> list[str]:
    if not text.strip():
        return []
    return _in_tree(lxml_html.fragment_fromstring(text, create_parent="div"), where)


def find_live(out: Path) -> list[str]:
    """Everything live from content in the output folder ``out``; [] when all is inert."""
    found: list[str] = []
    for path in sorted(p for p in out.rglob("*") if p.is_file() and "pagefind" not in p.parts):
        where = str(path.relative_to(out))
        data = path.read_bytes()
        if path.suffix == ".html":
            found += _in_tree(lxml_html.fromstring(data), where)
        elif path.suffix == ".xml":
            root = etree.fromstring(data)
            found += _in_tree(root, where)
            for node in root.iter():  # feed content and summaries are HTML in text or CDATA
                tag = etree.QName(node).localname if isinstance(node.tag, str) else ""
                if tag in ("description", "encoded", "content", "summary") and node.text:
                    found += _fragment(node.text, f"{where} <{tag}>")
                if tag in ("uri", "loc", "link", "id", "guid") and node.text and _bad_url(node.text):
                    found.append(f"{where}: <{tag}>{node.text[:60]!r}")
        elif path.suffix == ".json":
            feed = json.loads(data)
            for item in feed.get("items", []):
                found += _fragment(item.get("content_html", ""), f"{where} item")
                urls = [item.get("url", ""), item.get("image", "")]
                urls += [a.get("url", "") for a in item.get("authors", [])]
                found += [f"{where}: url {u[:60]!r}" for u in urls if u and _bad_url(u)]
    return found


@pytest.fixture(scope="session")
def live_content() -> Callable[[Path], list[str]]:
    return find_live
