"""taxonomies: spellings of one tag become one term with one slug; display names."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from site_builder.config import Profile, SiteConfig
from site_builder.model import Document
from site_builder.taxonomies import build_terms, term_key, terms_by_doc

SECTIONS = {"case-study": "case-studies", "contribution": "contributions"}
MakeDoc = Callable[..., Document]


@pytest.mark.parametrize(
    "spelling", ["Digital Insurgents", "#digitalinsurgents", "digital-insurgents", "DIGITAL_INSURGENTS"]
)
def test_spellings_share_one_key(spelling: str) -> None:
    assert term_key(spelling) == "digitalinsurgents"


def test_different_tags_have_different_keys() -> None:
    assert term_key("user research") != term_key("user") != term_key("research")


def newest_first(make_doc: MakeDoc) -> list[Document]:
    return [
        make_doc("weeknotes/c.md", date="2026-03-03", tags=("digital-insurgents",)),
        make_doc("weeknotes/b.md", date="2026-02-02", tags=("#digitalinsurgents", "beta")),
        make_doc("weeknotes/a.md", date="2026-01-01", tags=("Digital Insurgents",)),
    ]


def test_three_spellings_are_one_tag_named_by_the_oldest_post(make_doc: MakeDoc) -> None:
    tags = build_terms(newest_first(make_doc), SiteConfig(root=Path(".")), SECTIONS)["tags"]
    assert sorted(tags) == ["beta", "digital-insurgents"]
    term = tags["digital-insurgents"]
    assert term.name == "Digital Insurgents"  # a.md is the oldest
    assert term.url == "/tags/digital-insurgents/"
    assert term.docs == ("weeknotes/c.md", "weeknotes/b.md", "weeknotes/a.md")  # newest first


def test_site_toml_display_name_wins(make_doc: MakeDoc) -> None:
    config = SiteConfig(root=Path("."), tags={"digitalinsurgents": "#DigitalInsurgents"})
    tags = build_terms(newest_first(make_doc), config, SECTIONS)["tags"]
    assert sorted(tags) == ["beta", "digitalinsurgents"]
    assert tags["digitalinsurgents"].name == "#DigitalInsurgents"
    assert len(tags["digitalinsurgents"].docs) == 3


def test_every_spelling_maps_to_the_one_slug(make_doc: MakeDoc) -> None:
    tags = build_terms(newest_first(make_doc), SiteConfig(root=Path(".")), SECTIONS)["tags"]
    doc = make_doc("a.md", tags=("#digitalinsurgents", "Digital Insurgents", "digital-insurgents", "beta"))
    assert terms_by_doc([doc], {"tags": tags})["a.md"] == {"tags": ("digital-insurgents", "beta")}


def test_a_post_tagged_twice_is_listed_once(make_doc: MakeDoc) -> None:
    docs = [make_doc("weeknotes/a.md", date="2026-01-01", tags=("Beta", "beta", "#beta"))]
    assert build_terms(docs, SiteConfig(root=Path(".")), SECTIONS)["tags"]["beta"].docs == ("weeknotes/a.md",)


def test_authors_use_profile_names_and_slugs(make_doc: MakeDoc) -> None:
    config = SiteConfig(root=Path("."), authors={"amara-okafor": Profile("Amara Okafor", bio="Delivery")})
    docs = [
        make_doc("weeknotes/b.md", date="2026-02-02", authors=("amara okafor", "Ben Ilori")),
        make_doc("weeknotes/a.md", date="2026-01-01", authors=("Amara Okafor",)),
    ]
    authors = build_terms(docs, config, SECTIONS)["authors"]
    assert sorted(authors) == ["amara-okafor", "ben-ilori"]
    assert authors["amara-okafor"].name == "Amara Okafor"
    assert authors["amara-okafor"].profile["bio"] == "Delivery"
    assert authors["amara-okafor"].docs == ("weeknotes/b.md", "weeknotes/a.md")
    assert authors["ben-ilori"].profile == {}


def test_challenges_and_tools_live_under_their_sections(make_doc: MakeDoc) -> None:
    docs = [
        make_doc("case-studies/a.md", kind="case-study", fields={"challenges": ("funding",)}),
        make_doc("contributions/b.md", kind="contribution", fields={"tools": ("Google Forms",)}),
    ]
    terms = build_terms(docs, SiteConfig(root=Path(".")), SECTIONS)
    assert terms["challenges"]["funding"].url == "/case-studies/challenges/funding/"
    assert terms["challenges"]["funding"].name == "Funding"
    assert terms["tools"]["google-forms"].url == "/contributions/tools/google-forms/"
    assert terms["tools"]["google-forms"].name == "Google Forms"
