"""Feeds, sitemap, robots and social tags of the sample site."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import feedparser
import pytest
from lxml import etree, html

from site_builder.cli import main
from tests.samples import copy_sample_site

SCHEMAS = Path(__file__).resolve().parents[1] / "schemas"
BASE = "https://northmoor-digital.github.io/site-builder/"
ATOM = "{http://www.w3.org/2005/Atom}"
FEED_NAMES = ("feed.xml", "atom.xml", "feed.json")


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = copy_sample_site(tmp_path_factory.mktemp("sample"))
    assert main(["build", str(site), "--base-url", BASE]) == 0
    return site / "output"


def feeds(out: Path, name: str) -> list[Path]:
    return sorted(out.rglob(name))


def test_every_scope_has_all_three_feeds(out: Path) -> None:
    scopes = [
        "",
        "weeknotes/",
        "case-studies/",
        "contributions/",
        "tags/digitalinsurgents/",
        "authors/amara-okafor/",
        "teams/platform/",
        "teams/resident-services/",
    ]
    for scope in scopes:
        for name in FEED_NAMES:
            assert (out / scope / name).is_file(), scope + name
    # every tag page has feeds
    for tag_page in (out / "tags").glob("*/index.html"):
        assert (tag_page.parent / "atom.xml").is_file(), tag_page


def test_rss_and_atom_parse_clean(out: Path) -> None:
    paths = feeds(out, "feed.xml") + feeds(out, "atom.xml")
    assert len(paths) > 20
    for path in paths:
        parsed = feedparser.parse(path.read_bytes())
        assert not parsed.bozo, (path, parsed.get("bozo_exception"))
        assert parsed.entries, path


def test_atom_valid_against_rfc4287_schema(out: Path) -> None:
    schema = etree.RelaxNG(etree.parse(str(SCHEMAS / "atom.rng")))
    for path in feeds(out, "atom.xml"):
        tree = etree.parse(str(path))
        assert schema.validate(tree), (path, schema.error_log)
        # RFC 4287 rules RELAX NG cannot express: an author for the feed or for every entry,
        # and an alternate link or content for every entry.
        root = tree.getroot()
        entries = root.findall(f"{ATOM}entry")
        assert root.find(f"{ATOM}author") is not None or all(
            e.find(f"{ATOM}author") is not None for e in entries
        )
        for entry in entries:
            assert entry.find(f"{ATOM}content") is not None
            links = entry.findall(f"{ATOM}link")
            assert any(
                link.get("rel", "alternate") == "alternate" for link in links
            )  # no rel means alternate


def test_rss_valid_against_minimal_schema(out: Path) -> None:
    schema = etree.RelaxNG(etree.parse(str(SCHEMAS / "rss20.rng")))
    for path in feeds(out, "feed.xml"):
        assert schema.validate(etree.parse(str(path))), (path, schema.error_log)
    channel = etree.parse(str(out / "feed.xml")).getroot().find("channel")
    assert channel is not None
    assert channel.findtext("link") == BASE  # the site, not the feed itself (a feedgen pitfall)


def test_json_feed_has_the_spec_required_fields(out: Path) -> None:
    for path in feeds(out, "feed.json"):
        feed = json.loads(path.read_text(encoding="utf-8"))
        assert feed["version"] == "https://jsonfeed.org/version/1.1"
        assert isinstance(feed["title"], str) and feed["title"]
        assert feed["feed_url"] == BASE + path.relative_to(out).as_posix()
        assert feed["home_page_url"].startswith(BASE)
        assert feed["items"]
        for item in feed["items"]:
            assert isinstance(item["id"], str) and item["id"].startswith(BASE)
            assert item["content_html"]
            dt.datetime.fromisoformat(item["date_published"])  # RFC 3339
            assert item["url"] == item["id"]


def _contents(out: Path) -> list[tuple[Path, str]]:
    found = []
    for path in feeds(out, "feed.json"):
        found += [(path, i["content_html"]) for i in json.loads(path.read_text())["items"]]
    for path in feeds(out, "atom.xml") + feeds(out, "feed.xml"):
        found += [(path, e.content[0].value) for e in feedparser.parse(path.read_bytes()).entries]
    return found


def test_no_entry_content_holds_a_relative_url(out: Path) -> None:
    contents = _contents(out)
    assert len(contents) > 100
    for path, content in contents:
        for url in re.findall(r'(?:href|src)="([^"]*)"', content):
            assert url.startswith(("https://", "http://", "mailto:")), (path, url)
    # the sample's footnotes, relative .md links and root-relative images are all covered
    everything = "\n".join(c for _, c in contents)
    assert f'src="{BASE}images/velocity.svg"' in everything
    assert (
        re.search(r'href="' + re.escape(BASE) + r"weeknotes/2026/\d\d/[\w-]+/#fn", everything)
        or "#fn" in everything
    )
    assert f'href="{BASE}weeknotes/2026/10/platform-week-40/#numbers"' in everything


def test_site_feed_is_newest_first_and_limited(out: Path) -> None:
    entries = feedparser.parse((out / "atom.xml").read_bytes()).entries
    assert len(entries) == 20  # feed_limit in site.toml; the sample has more posts than that
    published = [e.published_parsed for e in entries]
    assert published == sorted(published, reverse=True)
    assert all(e.get("author") for e in entries[:5])  # contributions name their contributor
    assert all(e.get("tags") for e in entries[:5])
    assert all(e.get("updated") for e in entries)


def test_drafts_and_future_posts_are_in_no_feed_or_sitemap(out: Path) -> None:
    for path in [
        *feeds(out, "feed.xml"),
        *feeds(out, "atom.xml"),
        *feeds(out, "feed.json"),
        out / "sitemap.xml",
    ]:
        text = path.read_text(encoding="utf-8")
        assert "platform-week-41" not in text, path  # the draft
        assert "january-cutover" not in text, path  # dated 2027


def test_entry_ids_are_stable_between_builds(out: Path, tmp_path: Path) -> None:
    site = copy_sample_site(tmp_path / "again")
    assert main(["build", str(site), "--base-url", BASE]) == 0
    for name in ("atom.xml", "tags/digitalinsurgents/atom.xml"):
        first = [e.id for e in feedparser.parse((out / name).read_bytes()).entries]
        second = [e.id for e in feedparser.parse((site / "output" / name).read_bytes()).entries]
        assert first == second and len(set(first)) == len(first)


def test_pages_link_their_feeds_and_carry_social_tags(out: Path) -> None:
    for page in out.rglob("index.html"):
        tree = html.parse(str(page))
        root = tree.getroot()
        assert root.get("lang") == "en-GB", page
        types = {link.get("type") for link in root.iter("link") if link.get("rel") == "alternate"}
        assert {"application/rss+xml", "application/atom+xml", "application/feed+json"} <= types, page
        assert root.xpath("//link[@rel='canonical']/@href")[0].startswith(BASE)
        assert root.xpath("//meta[@property='og:title']/@content"), page
        assert root.xpath("//meta[@name='twitter:card']/@content"), page
    post = html.parse(str(out / "case-studies/missed-bins/index.html")).getroot()
    assert post.xpath("//meta[@property='og:type']/@content") == ["article"]
    assert post.xpath("//meta[@property='og:image']/@content")[0].startswith(BASE + "images/")


@pytest.mark.parametrize(
    "page",
    [
        "weeknotes/index.html",
        "tags/digitalinsurgents/index.html",
        "authors/amara-okafor/index.html",
        "teams/platform/index.html",
    ],
)
def test_list_pages_show_a_visible_subscribe_link_to_their_own_feed(out: Path, page: str) -> None:
    root = html.parse(str(out / page)).getroot()
    subscribe = root.xpath("//main//p[@class='subscribe']")
    assert subscribe and "Subscribe" in subscribe[0].text_content()
    hrefs = subscribe[0].xpath(".//a/@href")
    folder = "/site-builder/" + page.removesuffix("index.html")
    assert hrefs == [folder + "feed.xml", folder + "atom.xml", folder + "feed.json"]


def test_sitemap_lists_every_page_with_lastmod(out: Path) -> None:
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    tree = etree.parse(str(out / "sitemap.xml"))
    locs = tree.xpath("//s:loc/text()", namespaces=ns)
    assert len(locs) == len(set(locs)) > 50
    for loc in locs:
        assert loc.startswith(BASE)
        rel = loc.removeprefix(BASE)
        assert (out / rel / "index.html").is_file() or (out / rel).is_file(), loc
    post = BASE + "weeknotes/2026/10/platform-week-40/"
    entry = tree.xpath("//s:url[s:loc=$loc]", namespaces=ns, loc=post)[0]
    assert entry.findtext("s:lastmod", namespaces=ns).startswith("2026-10-02")
    assert BASE + "404.html" not in locs
    assert (out / "robots.txt").read_text().splitlines()[-1] == f"Sitemap: {BASE}sitemap.xml"


def test_github_pages_files(out: Path, tmp_path: Path) -> None:
    assert (out / ".nojekyll").is_file()
    assert not (out / "CNAME").exists()  # the sample sets no domain
    site = tmp_path / "site"
    (site / "content").mkdir(parents=True)
    (site / "site.toml").write_text(
        'title = "T"\nbase_url = "https://example.org/"\ndomain = "weeknotes.example.org"\n'
    )
    (site / "content" / "about.md").write_text(
        "---\ntitle: About\naliases: [/old-about.html, /about-us/]\n---\nHi\n"
    )
    assert main(["build", str(site)]) == 0
    assert (site / "output" / "CNAME").read_text() == "weeknotes.example.org\n"
    for alias in ("old-about.html", "about-us/index.html"):
        page = html.parse(str(site / "output" / alias)).getroot()
        assert page.xpath("//link[@rel='canonical']/@href") == ["https://example.org/about/"]
        refresh = page.xpath("//meta[@http-equiv='refresh']/@content")[0]
        assert refresh == "0; url=https://example.org/about/"
