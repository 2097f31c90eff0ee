"""Tags, authors, teams, challenges and tools: normalising spellings into terms with one slug.

``Digital Insurgents``, ``#digitalinsurgents`` and ``digital-insurgents`` are one tag. Two
spellings are the same term when they match once case, ``#`` and separators are dropped; the display
name is the one ``site.toml`` gives, else the spelling of the oldest post that uses it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass

from slugify import slugify as _slugify

from .config import SiteConfig
from .model import DocId, Document, Term
from .urls import slugify


@dataclass(frozen=True, slots=True)
class Taxonomy:
    """One way of grouping posts: which values of a post it reads, where its pages live, and how a
    term is named and described. Every taxonomy is a row of ``TAXONOMIES``."""

    name: str  # "tags": the key in Site.taxonomies and in templates' ``site.terms_of(doc, name)``
    title: str  # the title of its index page
    values: Callable[[Document], tuple[str, ...]]
    under: str = ""  # a kind: its pages live under that kind's section ("case-study" -> /case-studies/…)
    profiles: str = ""  # "authors" or "teams": names and profiles come from site.toml
    display: Callable[[str], str] = str  # the name shown, from the first spelling seen
    slug_from_name: bool = False  # the slug follows the display name (tags renamed in site.toml)


def _one(value: object) -> tuple[str, ...]:
    return (str(value),) if value else ()


TAXONOMIES = (
    Taxonomy("tags", "Tags", lambda d: d.tags, slug_from_name=True),
    Taxonomy("authors", "Authors", lambda d: d.authors, profiles="authors"),
    Taxonomy("teams", "Teams", lambda d: _one(d.team), profiles="teams"),
    Taxonomy(
        "challenges",
        "Challenges",
        lambda d: tuple(d.fields.get("challenges", ())),
        under="case-study",
        display=lambda seen: seen.replace("-", " ").capitalize(),
    ),
    Taxonomy(
        "tools",
        "Tools",
        lambda d: tuple(d.fields.get("tools", ())),
        under="contribution",
        slug_from_name=True,
    ),
    Taxonomy(
        "sectors",
        "Sectors",
        lambda d: _one(d.fields.get("sector")),
        under="case-study",
        display=lambda seen: seen[:1].upper() + seen[1:],
    ),
    Taxonomy(
        "contributors",
        "Contributors",
        lambda d: _one(getattr(d.fields.get("contributor"), "name", "")),
        under="contribution",
    ),
)
BY_NAME = {t.name: t for t in TAXONOMIES}
# Which taxonomies get pages, and the title of their index page.
TERM_INDEXES = {t.name: t.title for t in TAXONOMIES}
DEFAULT_SECTIONS = {"case-study": "case-studies", "contribution": "contributions"}


def term_key(name: str) -> str:
    """What makes two spellings one term: letters and digits only, lower case."""
    return _slugify(name.lstrip("#"), separator="") or name.strip().lower()


class _TermKeys(dict[str, str]):
    """``term_key`` of each spelling, worked out once per pass over the site: a site spells a few
    hundred terms thousands of times, and remembering them makes that pass four times as fast."""

    def __missing__(self, name: str) -> str:
        key = self[name] = term_key(name)
        return key


def build_terms(
    docs: Iterable[Document], config: SiteConfig, section_of_kind: Mapping[str, str]
) -> dict[str, dict[str, Term]]:
    """Every taxonomy's terms; ``docs`` come newest first and terms list them in that order."""
    docs = list(docs)
    oldest_first = list(reversed(docs))
    return {t.name: _terms(t, _base(t, section_of_kind), docs, oldest_first, config) for t in TAXONOMIES}


def _base(taxonomy: Taxonomy, section_of_kind: Mapping[str, str]) -> str:
    if not taxonomy.under:
        return f"/{taxonomy.name}/"
    section = section_of_kind.get(taxonomy.under, DEFAULT_SECTIONS[taxonomy.under])
    return f"/{section}/{taxonomy.name}/"


def _terms(
    taxonomy: Taxonomy, base: str, docs: list[Document], oldest_first: list[Document], config: SiteConfig
) -> dict[str, Term]:
    keys = _TermKeys()
    first_spelling: dict[str, str] = {}
    for doc in oldest_first:
        for value in taxonomy.values(doc):
            first_spelling.setdefault(keys[value], value)
    members: dict[str, list[str]] = {key: [] for key in first_spelling}
    for doc in docs:
        for key in dict.fromkeys(keys[v] for v in taxonomy.values(doc)):
            members[key].append(doc.id)
    profiles: Mapping[str, object] = getattr(config, taxonomy.profiles) if taxonomy.profiles else {}
    tag_names = {term_key(k): v for k, v in config.tags.items()} if taxonomy.name == "tags" else {}
    terms: dict[str, Term] = {}
    for key, seen in first_spelling.items():
        name = tag_names.get(key) or (_profile_name(profiles, seen) if profiles else taxonomy.display(seen))
        slug = slugify(name) if taxonomy.slug_from_name else slugify(seen)
        profile = _profile(profiles, slug) if profiles else {}
        if taxonomy.name == "challenges":
            profile = {"description": config.challenges.get(key, "")}
        terms[slug] = Term(taxonomy.name, key, slug, name, f"{base}{slug}/", tuple(members[key]), profile)
    return dict(sorted(terms.items()))


def _profile_name(profiles: Mapping[str, object], seen: str) -> str:
    found = profiles.get(slugify(seen))
    return str(getattr(found, "name", "")) or seen


def _profile(profiles: Mapping[str, object], slug: str) -> dict[str, str]:
    found = profiles.get(slug)
    return {k: str(v) for k, v in asdict(found).items() if v} if found is not None else {}  # type: ignore[call-overload]


def terms_by_doc(
    docs: Iterable[Document], taxonomies: Mapping[str, Mapping[str, Term]]
) -> dict[DocId, dict[str, tuple[str, ...]]]:
    """Each document's terms (their slugs) by taxonomy, in the document's own order, once each:
    a page lists a post's tags as its writer ordered them."""
    by_key = {name: {t.key: t.slug for t in terms.values()} for name, terms in taxonomies.items()}
    term_keys = _TermKeys()
    found: dict[DocId, dict[str, tuple[str, ...]]] = {}
    for doc in docs:
        own: dict[str, tuple[str, ...]] = {}
        for taxonomy in TAXONOMIES:
            keys = by_key.get(taxonomy.name, {})
            slugs = (keys.get(term_keys[value]) for value in taxonomy.values(doc))
            if chosen := tuple(dict.fromkeys(slug for slug in slugs if slug is not None)):
                own[taxonomy.name] = chosen
        found[doc.id] = own
    return found
