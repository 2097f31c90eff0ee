"""Tags, authors, teams, challenges and tools: normalising spellings into terms with one slug.

SPEC §3: ``Digital Insurgents``, ``#digitalinsurgents`` and ``digital-insurgents`` are one tag. Two
spellings are the same term when they match once case, ``#`` and separators are dropped; the display
name is the one ``site.toml`` gives, else the spelling of the oldest post that uses it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict

from slugify import slugify as _slugify

from .config import SiteConfig
from .model import Document, Term
from .urls import slugify

# Which taxonomies get pages, and the title of their index page.
TERM_INDEXES = {
    "tags": "Tags",
    "authors": "Authors",
    "teams": "Teams",
    "challenges": "Challenges",
    "tools": "Tools",
    "sectors": "Sectors",
    "contributors": "Contributors",
}


@functools.lru_cache(maxsize=1 << 16)  # pure; a site spells a few hundred terms thousands of times
def term_key(name: str) -> str:
    """What makes two spellings one term: letters and digits only, lower case."""
    return _slugify(name.lstrip("#"), separator="") or name.strip().lower()


def build_terms(
    docs: Iterable[Document], config: SiteConfig, section_of_kind: Mapping[str, str]
) -> dict[str, dict[str, Term]]:
    """Every taxonomy's terms; ``docs`` come newest first and terms list them in that order."""
    docs = list(docs)
    oldest_first = list(reversed(docs))
    challenge_base = f"/{section_of_kind.get('case-study', 'case-studies')}/challenges/"
    tools_base = f"/{section_of_kind.get('contribution', 'contributions')}/tools/"
    tag_names = {term_key(k): v for k, v in config.tags.items()}
    return {
        "tags": _terms(
            "tags",
            "/tags/",
            docs,
            oldest_first,
            lambda d: d.tags,
            lambda key, seen: tag_names.get(key, seen),
            lambda key: {},
        ),
        "authors": _terms(
            "authors",
            "/authors/",
            docs,
            oldest_first,
            lambda d: d.authors,
            lambda key, seen: _profile_name(config.authors, seen),
            lambda key: _profile(config.authors, key),
        ),
        "teams": _terms(
            "teams",
            "/teams/",
            docs,
            oldest_first,
            lambda d: (d.team,) if d.team else (),
            lambda key, seen: _profile_name(config.teams, seen),
            lambda key: _profile(config.teams, key),
        ),
        "challenges": _terms(
            "challenges",
            challenge_base,
            docs,
            oldest_first,
            lambda d: d.fields.get("challenges", ()),
            lambda key, seen: seen.replace("-", " ").capitalize(),
            lambda key: {"description": config.challenges.get(key, "")},
        ),
        "tools": _terms(
            "tools",
            tools_base,
            docs,
            oldest_first,
            lambda d: d.fields.get("tools", ()),
            lambda key, seen: seen,
            lambda key: {},
        ),
        "sectors": _terms(
            "sectors",
            f"/{section_of_kind.get('case-study', 'case-studies')}/sectors/",
            docs,
            oldest_first,
            lambda d: (d.fields["sector"],) if d.fields.get("sector") else (),
            lambda key, seen: seen[:1].upper() + seen[1:],
            lambda key: {},
        ),
        "contributors": _terms(
            "contributors",
            f"/{section_of_kind.get('contribution', 'contributions')}/contributors/",
            docs,
            oldest_first,
            lambda d: (d.fields["contributor"].name,) if d.fields.get("contributor") else (),
            lambda key, seen: seen,
            lambda key: {},
        ),
    }


def _terms(
    taxonomy: str,
    base: str,
    docs: list[Document],
    oldest_first: list[Document],
    values: Callable[[Document], Iterable[str]],
    display: Callable[[str, str], str],
    profile: Callable[[str], dict[str, str]],
) -> dict[str, Term]:
    first_spelling: dict[str, str] = {}
    for doc in oldest_first:
        for value in values(doc):
            first_spelling.setdefault(term_key(value), value)
    members: dict[str, list[str]] = {key: [] for key in first_spelling}
    for doc in docs:
        for key in dict.fromkeys(term_key(v) for v in values(doc)):
            members[key].append(doc.id)
    terms: dict[str, Term] = {}
    for key, seen in first_spelling.items():
        name = display(key, seen)
        slug = slugify(name) if taxonomy in ("tags", "tools") else slugify(seen)
        terms[slug] = Term(taxonomy, key, slug, name, f"{base}{slug}/", tuple(members[key]), profile(slug))
    return dict(sorted(terms.items()))


def _profile_name(profiles: Mapping[str, object], seen: str) -> str:
    found = profiles.get(slugify(seen))
    return str(getattr(found, "name", "")) or seen


def _profile(profiles: Mapping[str, object], slug: str) -> dict[str, str]:
    found = profiles.get(slug)
    return {k: str(v) for k, v in asdict(found).items() if v} if found is not None else {}  # type: ignore[call-overload]


def lookup(values: Iterable[str], by_key: Mapping[str, Term]) -> list[Term]:
    """The terms a document's raw values map to (``by_key``: term key -> term), in its order, once each."""
    found: list[Term] = []
    for value in values:
        term = by_key.get(term_key(value))
        if term is not None and term not in found:
            found.append(term)
    return found
