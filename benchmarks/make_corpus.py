#!/usr/bin/env python3
# ruff: noqa: E501 (the other tools' templates are written out as they are, long lines too)
"""Deterministic synthetic weeknotes corpus for benchmarking static site generators.

    python benchmarks/make_corpus.py --posts N --out DIR [--flavor F] [--seed S] [--repeat-code]

The benchmarks (bench.py, serve_edit.py) and tests/unit/test_markdown_fast.py generate their corpus
with it; BENCHMARKS.md says which flags each figure used.

The same N posts (same text, dates, tags, authors, drafts) are laid out for one tool:

  canonical  DIR/site.toml + DIR/content/weeknotes/<slug>.md, YAML front matter
             (title, date, tags, authors, summary, draft).
  hugo       DIR/hugo.toml, DIR/content/posts/<slug>.md, minimal layouts/.
  pelican    DIR/pelicanconf.py, DIR/content/<slug>.md (Pelican metadata), DIR/theme/.
  eleventy   DIR/eleventy.config.js (+ package.json "type": "module"), DIR/posts/<slug>.md,
             Nunjucks layouts. Needs @11ty/eleventy resolvable from DIR (e.g. a symlinked
             DIR/node_modules); the RSS, syntax-highlight and footnote plugins are used when
             they resolve, else a hand-written feed template is used.
  jekyll     DIR/_config.yml, DIR/_posts/YYYY-MM-DD-<slug>.md, layouts, and a _plugins/ generator
             for tag and author pages; jekyll-feed is used when it can be required, else a
             hand-written feed.

Every flavor builds the same set of outputs, so the work compared is the same:
  one page per non-draft post     /posts/<slug>/           (canonical: the tool decides)
  home, latest 20 with summaries  /index.html
  archive of every post           /posts/index.html
  one page per tag + tag index    /tags/<tag>/, /tags/
  one page per author + index     /authors/<author>/, /authors/
  site-wide feed, latest 20, full content   /feed.xml

Posts are weeknotes-style: 300-1500 words, headings, lists, links, emphasis, inline code,
0-3 fenced code blocks, a table in about a quarter, footnotes in about a fifth, task lists
and block quotes now and then. Dates run from 2014 to 2026 with timezone offsets; about 5%
are drafts. Each post comes from its own RNG seeded by (seed, index), so output depends only
on --posts, --seed and --flavor (and never on hash seeds or the clock). Python 3.11 stdlib only.
No text contains '{{', '{%' or '{:', so Liquid, Nunjucks and kramdown leave it alone.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import re
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

# --------------------------------------------------------------------------- vocabulary

TAGS = [
    "accessibility",
    "agile",
    "alpha",
    "beta",
    "api",
    "analytics",
    "architecture",
    "automation",
    "blockers",
    "budget",
    "cloud",
    "community",
    "content-design",
    "continuous-delivery",
    "data",
    "design-system",
    "devops",
    "digital-inclusion",
    "discovery",
    "documentation",
    "ethics",
    "governance",
    "hiring",
    "infrastructure",
    "interaction-design",
    "learning",
    "legacy",
    "leadership",
    "metrics",
    "migration",
    "onboarding",
    "open-data",
    "open-source",
    "performance",
    "personas",
    "procurement",
    "prototyping",
    "python",
    "retrospective",
    "roadmap",
    "security",
    "service-design",
    "show-and-tell",
    "stakeholders",
    "strategy",
    "testing",
    "training",
    "user-research",
    "wellbeing",
    "working-in-the-open",
]

AUTHORS = [
    "Amara Okafor",
    "Ben Thornton",
    "Chloé Dubois",
    "Dafydd Rhys",
    "Eleanor Whitfield",
    "Farah Haddad",
    "Gareth Llewellyn",
    "Hannah Kowalski",
    "Imran Siddiqui",
    "Jess O'Neill",
    "Kwame Mensah",
    "Laura Fernández",
    "Mei Lin",
    "Niamh Gallagher",
    "Oliver Brandt",
    "Priya Raman",
    "Rhiannon Price",
    "Siân Evans",
    "Tomasz Nowak",
    "Zoë Hart",
]

TEAMS = ["platform", "data", "design", "content", "delivery", "research", "infrastructure"]

NOUNS = [
    "backlog",
    "service",
    "prototype",
    "pipeline",
    "dashboard",
    "roadmap",
    "workshop",
    "sprint",
    "release",
    "migration",
    "form",
    "journey",
    "survey",
    "interview",
    "standup",
    "retro",
    "ticket",
    "deployment",
    "database",
    "API",
    "component",
    "pattern",
    "style guide",
    "audit",
    "team",
    "stakeholder",
    "budget",
    "contract",
    "supplier",
    "policy",
    "dataset",
    "report",
    "spreadsheet",
    "wiki",
    "repository",
    "pull request",
    "build",
    "test suite",
    "feed",
    "newsletter",
    "blog post",
    "show and tell",
    "meetup",
    "community",
    "playbook",
    "checklist",
    "onboarding guide",
    "incident",
    "runbook",
    "alert",
    "server",
    "cluster",
    "search index",
    "content model",
    "sitemap",
    "glossary",
    "persona",
    "hypothesis",
    "metric",
    "milestone",
]

ADJECTIVES = [
    "new",
    "old",
    "shared",
    "open",
    "public",
    "internal",
    "tricky",
    "slow",
    "fast",
    "simple",
    "messy",
    "useful",
    "accessible",
    "unexpected",
    "first",
    "final",
    "draft",
    "updated",
    "brittle",
    "robust",
    "small",
    "big",
    "quarterly",
    "weekly",
    "legacy",
    "cross-team",
    "experimental",
    "stable",
    "noisy",
    "quiet",
    "overdue",
    "promising",
    "clearer",
    "better",
]

VERBS_PAST = [
    "shipped",
    "tested",
    "reviewed",
    "wrote",
    "fixed",
    "planned",
    "migrated",
    "prototyped",
    "discussed",
    "presented",
    "documented",
    "refactored",
    "released",
    "paired on",
    "rebuilt",
    "measured",
    "untangled",
    "sketched",
    "published",
    "simplified",
    "retired",
    "deployed",
    "interviewed users about",
    "ran a workshop on",
    "mapped",
    "scoped",
    "estimated",
    "demoed",
]

VERBS_ING = [
    "Shipping",
    "Testing",
    "Untangling",
    "Rebuilding",
    "Publishing",
    "Measuring",
    "Mapping",
    "Simplifying",
    "Retiring",
    "Opening up",
    "Fixing",
    "Learning from",
    "Rethinking",
    "Documenting",
    "Scaling",
    "Hiring for",
    "Migrating",
    "Prototyping",
    "Reviewing",
]

CONNECTORS = [
    "This week",
    "On Monday",
    "On Tuesday",
    "Midweek",
    "On Thursday",
    "By Friday",
    "Meanwhile",
    "Separately",
    "Unexpectedly",
    "As planned",
    "After some back and forth",
    "In the end",
    "For the first time",
    "Once again",
    "Finally",
]

CLAUSES = [
    "which took longer than we hoped",
    "and it went better than expected",
    "with help from the {team} team",
    "so that users can find things faster",
    "because the old approach did not scale",
    "after a long conversation with {person}",
    "ahead of the show and tell",
    "to unblock the {team} team",
    "which surfaced a few surprises",
    "and we wrote up what we learned",
    "while keeping the old version running",
    "so the next person does not have to",
    "and the feedback was encouraging",
    "though we still have questions about the {noun}",
    "which means fewer emails and more links",
    "in the open, as usual",
]

FILLER = [
    "we",
    "the",
    "a",
    "our",
    "their",
    "with",
    "for",
    "about",
    "into",
    "from",
    "and",
    "but",
    "so",
    "then",
    "again",
    "still",
    "already",
    "mostly",
    "nearly",
    "really",
    "quite",
    "together",
    "carefully",
    "quickly",
    "properly",
    "openly",
    "weekly",
]

SECTIONS = [
    "What we did",
    "What we learned",
    "What's next",
    "Blockers",
    "Shout-outs",
    "Reading",
    "Numbers",
    "Things we shipped",
    "User research",
    "Team news",
    "Questions we are asking",
    "Risks and issues",
    "Show and tell",
    "Hiring",
    "Wellbeing",
]

SUBSECTIONS = [
    "Discovery",
    "Delivery",
    "Research",
    "Design",
    "Data",
    "Platform",
    "Content",
    "Ops",
    "Procurement",
    "Community",
]

DOMAINS = [
    "https://www.gov.uk/service-manual",
    "https://design-system.service.gov.uk",
    "https://example.org/blog",
    "https://docs.python.org/3/library",
    "https://github.com/example",
    "https://weeknot.es",
    "https://en.wikipedia.org/wiki",
    "https://www.w3.org/WAI",
    "https://developer.mozilla.org/en-US/docs",
    "https://18f.gsa.gov/blog",
]

LANG_SNIPPETS = {
    "python": [
        "import csv",
        "from pathlib import Path",
        "",
        "def load_{w}(path: Path) -> list[dict]:",
        '    """Read the {w} export and drop empty rows."""',
        '    with path.open(newline="", encoding="utf-8") as f:',
        "        rows = [row for row in csv.DictReader(f) if any(row.values())]",
        "    return rows",
        "",
        'for row in load_{w}(Path("{w}.csv")):',
        '    print(row["id"], row.get("status", "unknown"))',
    ],
    "bash": [
        "#!/usr/bin/env bash",
        "set -euo pipefail",
        "export ENV=staging",
        "git switch -c fix/{w}",
        "make test",
        "curl -sS https://api.example.org/v1/{w} -o {w}.json",
        "jq '.items | length' {w}.json",
        'echo "done: $ENV"',
    ],
    "yaml": [
        "name: build-{w}",
        "on:",
        "  push:",
        "    branches: [main]",
        "jobs:",
        "  build:",
        "    runs-on: ubuntu-latest",
        "    steps:",
        "      - uses: actions/checkout@v4",
        "      - run: make {w}",
    ],
    "json": [
        "[",
        '  {"id": 1, "name": "{w}", "status": "live"},',
        '  {"id": 2, "name": "{w}-beta", "status": "beta"},',
        '  {"id": 3, "name": "{w}-alpha", "status": "alpha", "owners": ["data", "design"]}',
        "]",
    ],
    "javascript": [
        "const items = document.querySelectorAll('.{w}');",
        "for (const item of items) {",
        "  item.addEventListener('click', (event) => {",
        "    event.preventDefault();",
        "    item.classList.toggle('is-open');",
        "  });",
        "}",
    ],
    "sql": [
        "SELECT team, count(*) AS {w}_count",
        "FROM tickets",
        "WHERE status = 'done'",
        "  AND closed_at >= now() - interval '7 days'",
        "GROUP BY team",
        "ORDER BY {w}_count DESC;",
    ],
}

TIMEZONES = [
    "+00:00",
    "+01:00",
    "+01:00",
    "+00:00",
    "-05:00",
    "-04:00",
    "+05:30",
    "-08:00",
    "+10:00",
    "+02:00",
]

START = dt.date(2014, 1, 6)
END = dt.date(2026, 6, 26)

# --------------------------------------------------------------------------- model


@dataclass
class Post:
    index: int
    slug: str
    title: str
    date: dt.datetime  # aware
    tags: list[str]
    authors: list[str]
    summary: str
    draft: bool
    body: str  # Markdown, no front matter

    @property
    def iso_date(self) -> str:
        return self.date.isoformat()


def slugify(text: str) -> str:
    text = text.lower().replace("'", "").replace("’", "")  # noqa: RUF001 (curly apostrophes in titles)
    text = re.sub(r"[^a-z0-9]+", "-", text)
    return text.strip("-")


class Writer:
    """Builds one post's Markdown body from its own RNG."""

    def __init__(self, rng: random.Random, footnotes: bool, index: int = 0) -> None:
        self.rng = rng
        self.index = index
        self.blocks = 0
        self.words = 0
        self.footnotes = footnotes
        self.notes: list[str] = []

    def fill(self, template: str) -> str:
        r = self.rng
        return (
            template.replace("{team}", r.choice(TEAMS))
            .replace("{person}", r.choice(AUTHORS).split()[0])
            .replace("{noun}", r.choice(NOUNS))
        )

    def inline(self, phrase: str) -> str:
        """Decorate a phrase with emphasis, code or a link, now and then."""
        r = self.rng.random()
        if r < 0.08:
            return f"*{phrase}*"
        if r < 0.13:
            return f"**{phrase}**"
        if r < 0.17:
            return f"`{phrase.replace(' ', '_')}`"
        if r < 0.27:
            url = f"{self.rng.choice(DOMAINS)}/{slugify(phrase)}"
            return f"[{phrase}]({url})"
        return phrase

    def sentence(self) -> str:
        r = self.rng
        parts = [
            r.choice(CONNECTORS),
            "we",
            r.choice(VERBS_PAST),
            "the",
            self.inline(f"{r.choice(ADJECTIVES)} {r.choice(NOUNS)}"),
        ]
        for _ in range(r.randint(0, 6)):
            parts.append(r.choice(FILLER))
        if r.random() < 0.7:
            parts.append(self.fill(r.choice(CLAUSES)))
        if r.random() < 0.3:
            parts += ["and", r.choice(FILLER), "the", self.inline(r.choice(NOUNS))]
        text = " ".join(parts)
        text = text[0].upper() + text[1:]
        if self.footnotes and r.random() < 0.04 and len(self.notes) < 4:
            self.notes.append(self.fill(r.choice(CLAUSES)).capitalize() + ".")
            text += f"[^{len(self.notes)}]"
        self.words += len(text.split())
        return text + r.choice([".", ".", ".", ".", "!", "?"])

    def paragraph(self) -> str:
        return " ".join(self.sentence() for _ in range(self.rng.randint(2, 6)))

    def bullet_list(self, ordered: bool = False, tasks: bool = False) -> str:
        items = []
        for i in range(self.rng.randint(3, 7)):
            s = self.sentence()
            if tasks:
                mark = "- [x] " if self.rng.random() < 0.6 else "- [ ] "
            else:
                mark = f"{i + 1}. " if ordered else "- "
            items.append(mark + s)
        return "\n".join(items)

    def code_block(self) -> str:
        r = self.rng
        lang = r.choice(sorted(LANG_SNIPPETS))
        word = slugify(r.choice(NOUNS)).replace("-", "_")
        if UNIQUE_CODE:  # real posts rarely paste the same snippet twice: no highlight cache gets a free ride
            self.blocks += 1
            word = f"{word}_{self.index}_{self.blocks}"
        lines = LANG_SNIPPETS[lang]
        start = r.randint(0, max(0, len(lines) - 5))
        body = [ln.replace("{w}", word) for ln in lines[start:]]
        self.words += sum(len(ln.split()) for ln in body)
        return f"```{lang}\n" + "\n".join(body) + "\n```"

    def table(self) -> str:
        r = self.rng
        head = ["Metric", "Last week", "This week", "Change"]
        rows = []
        for _ in range(r.randint(3, 8)):
            a, b = r.randint(3, 900), r.randint(3, 900)
            name = f"{r.choice(ADJECTIVES).capitalize()} {r.choice(NOUNS)}s"
            rows.append([name, str(a), str(b), f"{(b - a) * 100 // max(a, 1):+d}%"])
        self.words += 4 * (len(rows) + 1)
        out = ["| " + " | ".join(head) + " |", "| --- | ---: | ---: | ---: |"]
        out += ["| " + " | ".join(row) + " |" for row in rows]
        return "\n".join(out)

    def quote(self) -> str:
        return "> " + self.sentence() + " " + self.sentence()


UNIQUE_CODE = True


def make_post(seed: int, index: int, n: int, used_slugs: set[str]) -> Post:
    rng = random.Random(f"{seed}:{index}")
    # Dates: spread evenly over START..END, with jitter, in posting order.
    span = (END - START).days
    day = START + dt.timedelta(days=int(span * index / max(n, 1)) + rng.randint(0, 1))
    tz = rng.choice(TIMEZONES)
    hours, minutes = int(tz[1:3]), int(tz[4:6])
    sign = -1 if tz[0] == "-" else 1
    tzinfo = dt.timezone(sign * dt.timedelta(hours=hours, minutes=minutes))
    date = dt.datetime(
        day.year, day.month, day.day, rng.randint(8, 18), rng.choice([0, 15, 30, 45]), 0, tzinfo=tzinfo
    )

    phrase = f"{rng.choice(VERBS_ING)} the {rng.choice(ADJECTIVES)} {rng.choice(NOUNS)}"
    style = rng.random()
    if style < 0.6:
        title = f"Weeknotes #{index + 1}: {phrase.lower()}"
    elif style < 0.8:
        iso = date.isocalendar()
        title = f"Week {iso.week}, {iso.year}: {phrase.lower()}"
    else:
        title = phrase
    slug = slugify(title)
    if slug in used_slugs:
        slug = f"{slug}-{index + 1}"
    used_slugs.add(slug)

    tags = sorted(rng.sample(TAGS, rng.randint(1, 5)))
    authors = rng.sample(AUTHORS, rng.choices([1, 2, 3], weights=[6, 3, 1])[0])
    draft = rng.random() < 0.05

    w = Writer(rng, footnotes=rng.random() < 0.2, index=index)
    summary = w.sentence()
    target = rng.randint(300, 1500)
    n_code = rng.choices([0, 1, 2, 3], weights=[4, 3, 2, 1])[0]
    want_table = rng.random() < 0.25
    blocks: list[str] = [w.paragraph()]
    sections = rng.sample(SECTIONS, len(SECTIONS))
    si = 0
    while w.words < target:
        blocks.append(f"## {sections[si % len(sections)]}")
        si += 1
        for _ in range(rng.randint(1, 4)):
            if w.words >= target:
                break
            k = rng.random()
            if k < 0.45:
                blocks.append(w.paragraph())
            elif k < 0.60:
                blocks.append(w.bullet_list())
            elif k < 0.66:
                blocks.append(w.bullet_list(ordered=True))
            elif k < 0.70:
                blocks.append(w.bullet_list(tasks=True))
            elif k < 0.74:
                blocks.append(w.quote())
            elif k < 0.82 and n_code:
                blocks.append(w.code_block())
                n_code -= 1
            elif k < 0.88 and want_table:
                blocks.append(w.table())
                want_table = False
            elif k < 0.93:
                blocks.append(f"### {rng.choice(SUBSECTIONS)}")
                blocks.append(w.paragraph())
            else:
                blocks.append(w.paragraph())
    while n_code:  # "a few code blocks": place any not yet used
        blocks.append(w.code_block())
        n_code -= 1
    if want_table:
        blocks.append(w.table())
    if w.notes:
        blocks.append("\n".join(f"[^{i + 1}]: {note}" for i, note in enumerate(w.notes)))
    body = "\n\n".join(blocks) + "\n"
    return Post(index, slug, title, date, tags, authors, summary, draft, body)


def make_posts(n: int, seed: int) -> list[Post]:
    used: set[str] = set()
    return [make_post(seed, i, n, used) for i in range(n)]


# --------------------------------------------------------------------------- helpers


def q(s: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(s, ensure_ascii=False)


def yaml_list(items: list[str]) -> str:
    return "[" + ", ".join(q(i) for i in items) + "]"


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8", newline="\n")


def yaml_front_matter(p: Post, extra: dict[str, str] | None = None) -> str:
    lines = [
        "---",
        f"title: {q(p.title)}",
        f"date: {p.iso_date}",
        f"tags: {yaml_list(p.tags)}",
        f"authors: {yaml_list(p.authors)}",
        f"summary: {q(p.summary)}",
        f"draft: {'true' if p.draft else 'false'}",
    ]
    for k, v in (extra or {}).items():
        lines.append(f"{k}: {v}")
    lines.append("---")
    return "\n".join(lines) + "\n\n"


SITE_TITLE = "Bench weeknotes"
BASE_URL = "https://example.org/"

# --------------------------------------------------------------------------- flavors


def flavor_canonical(posts: list[Post], out: Path) -> None:
    write(out / "site.toml", f'title = "{SITE_TITLE}"\nbase_url = "{BASE_URL}"\ntimezone = "Europe/London"\n')
    for p in posts:
        write(out / "content" / "weeknotes" / f"{p.slug}.md", yaml_front_matter(p) + p.body)


HUGO_CONFIG = f"""\
baseURL = "{BASE_URL}"
locale = "en-gb"
title = "{SITE_TITLE}"
# Same outputs as every other flavor: no sitemap/robots/404; RSS only for the home page.
disableKinds = ["sitemap", "robotsTXT", "404"]

[taxonomies]
  tag = "tags"
  author = "authors"

[permalinks.page]
  posts = "/posts/:slug/"

[outputs]
  home = ["html", "rss"]
  section = ["html"]
  taxonomy = ["html"]
  term = ["html"]

[services.rss]
  limit = 20

[outputFormats.rss]
  baseName = "feed"

[markup.goldmark.renderer]
  unsafe = true
"""

HUGO_LAYOUTS = {
    "baseof.html": """\
<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>{{ .Title }} | {{ site.Title }}</title>
{{ with site.Home.OutputFormats.Get "rss" }}<link rel="alternate" type="application/rss+xml" href="{{ .Permalink }}">{{ end }}
</head>
<body><header><a href="/">{{ site.Title }}</a> <a href="/posts/">Archive</a> <a href="/tags/">Tags</a> <a href="/authors/">Authors</a></header>
<main>{{ block "main" . }}{{ end }}</main>
</body>
</html>
""",
    "home.html": """\
{{ define "main" }}
<h1>{{ site.Title }}</h1>
{{ range first 20 (where site.RegularPages "Section" "posts") }}
<article><h2><a href="{{ .RelPermalink }}">{{ .Title }}</a></h2>
<time datetime="{{ .Date.Format "2006-01-02T15:04:05Z07:00" }}">{{ .Date.Format "2 January 2006" }}</time>
<p>{{ .Summary }}</p>
<p>{{ range .GetTerms "tags" }}<a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a> {{ end }}</p></article>
{{ end }}
{{ end }}
""",
    "single.html": """\
{{ define "main" }}
<article><h1>{{ .Title }}</h1>
<p><time datetime="{{ .Date.Format "2006-01-02T15:04:05Z07:00" }}">{{ .Date.Format "2 January 2006" }}</time>
by {{ range .GetTerms "authors" }}<a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a> {{ end }}</p>
{{ .Content }}
<p>Tags: {{ range .GetTerms "tags" }}<a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a> {{ end }}</p>
</article>
{{ end }}
""",
    "section.html": """\
{{ define "main" }}
<h1>Archive</h1>
<ul>{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> <time>{{ .Date.Format "2006-01-02" }}</time></li>
{{ end }}</ul>
{{ end }}
""",
    "taxonomy.html": """\
{{ define "main" }}
<h1>{{ .Title }}</h1>
<ul>{{ range .Data.Terms.Alphabetical }}<li><a href="{{ .Page.RelPermalink }}">{{ .Page.LinkTitle }}</a> ({{ .Count }})</li>
{{ end }}</ul>
{{ end }}
""",
    "term.html": """\
{{ define "main" }}
<h1>{{ .Title }}</h1>
<ul>{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> <time>{{ .Date.Format "2006-01-02" }}</time></li>
{{ end }}</ul>
{{ end }}
""",
    "home.rss.xml": """\
{{- printf "<?xml version=\\"1.0\\" encoding=\\"utf-8\\"?>" | safeHTML }}
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">
<channel>
<title>{{ site.Title }}</title>
<link>{{ .Permalink }}</link>
<description>{{ site.Title }}</description>
<atom:link href="{{ .Permalink }}feed.xml" rel="self" type="application/rss+xml"/>
{{- range first 20 (where site.RegularPages "Section" "posts") }}
<item>
<title>{{ .Title }}</title>
<link>{{ .Permalink }}</link>
<pubDate>{{ .Date.Format "Mon, 02 Jan 2006 15:04:05 -0700" | safeHTML }}</pubDate>
<guid>{{ .Permalink }}</guid>
<description>{{ .Content | transform.XMLEscape | safeHTML }}</description>
</item>
{{- end }}
</channel>
</rss>
""",
}


def flavor_hugo(posts: list[Post], out: Path) -> None:
    write(out / "hugo.toml", HUGO_CONFIG)
    for name, text in HUGO_LAYOUTS.items():
        write(out / "layouts" / name, text)
    for p in posts:
        write(out / "content" / "posts" / f"{p.slug}.md", yaml_front_matter(p, {"slug": q(p.slug)}) + p.body)


PELICAN_CONF = f"""\
# Pelican settings for the benchmark corpus: same outputs as every other flavor.
AUTHOR = "Bench"
SITENAME = "{SITE_TITLE}"
SITEURL = "{BASE_URL.rstrip("/")}"
PATH = "content"
THEME = "theme"
TIMEZONE = "UTC"
DEFAULT_LANG = "en"

ARTICLE_URL = "posts/{{slug}}/"
ARTICLE_SAVE_AS = "posts/{{slug}}/index.html"
DRAFT_SAVE_AS = ""
TAG_URL = "tags/{{slug}}/"
TAG_SAVE_AS = "tags/{{slug}}/index.html"
TAGS_SAVE_AS = "tags/index.html"
AUTHOR_URL = "authors/{{slug}}/"
AUTHOR_SAVE_AS = "authors/{{slug}}/index.html"
AUTHORS_SAVE_AS = "authors/index.html"
ARCHIVES_SAVE_AS = "posts/index.html"
CATEGORY_SAVE_AS = ""
CATEGORIES_SAVE_AS = ""
PAGE_SAVE_AS = ""
DIRECT_TEMPLATES = ["index", "tags", "authors", "archives"]
DEFAULT_PAGINATION = False

# One site-wide feed, latest 20, full content.
FEED_ALL_ATOM = None
FEED_ALL_RSS = "feed.xml"
CATEGORY_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
TRANSLATION_FEED_ATOM = None
FEED_MAX_ITEMS = 20
RSS_FEED_SUMMARY_ONLY = False
"""

PELICAN_TEMPLATES = {
    "base.html": """\
<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>{% block title %}{{ SITENAME }}{% endblock %}</title>
<link rel="alternate" type="application/rss+xml" href="{{ SITEURL }}/{{ FEED_ALL_RSS }}">
</head>
<body><header><a href="{{ SITEURL }}/">{{ SITENAME }}</a> <a href="{{ SITEURL }}/posts/">Archive</a> <a href="{{ SITEURL }}/tags/">Tags</a> <a href="{{ SITEURL }}/authors/">Authors</a></header>
<main>{% block content %}{% endblock %}</main>
</body>
</html>
""",
    "index.html": """\
{% extends "base.html" %}
{% block content %}
<h1>{{ SITENAME }}</h1>
{% for article in articles[:20] %}
<article><h2><a href="{{ SITEURL }}/{{ article.url }}">{{ article.title }}</a></h2>
<time datetime="{{ article.date.isoformat() }}">{{ article.locale_date }}</time>
<p>{{ article.summary }}</p>
<p>{% for tag in article.tags %}<a href="{{ SITEURL }}/{{ tag.url }}">{{ tag }}</a> {% endfor %}</p></article>
{% endfor %}
{% endblock %}
""",
    "article.html": """\
{% extends "base.html" %}
{% block title %}{{ article.title }} | {{ SITENAME }}{% endblock %}
{% block content %}
<article><h1>{{ article.title }}</h1>
<p><time datetime="{{ article.date.isoformat() }}">{{ article.locale_date }}</time>
by {% for author in article.authors %}<a href="{{ SITEURL }}/{{ author.url }}">{{ author }}</a> {% endfor %}</p>
{{ article.content }}
<p>Tags: {% for tag in article.tags %}<a href="{{ SITEURL }}/{{ tag.url }}">{{ tag }}</a> {% endfor %}</p>
</article>
{% endblock %}
""",
    "archives.html": """\
{% extends "base.html" %}
{% block content %}
<h1>Archive</h1>
<ul>{% for article in dates %}<li><a href="{{ SITEURL }}/{{ article.url }}">{{ article.title }}</a> <time>{{ article.date.strftime('%Y-%m-%d') }}</time></li>
{% endfor %}</ul>
{% endblock %}
""",
    "tags.html": """\
{% extends "base.html" %}
{% block content %}
<h1>Tags</h1>
<ul>{% for tag, articles in tags|sort %}<li><a href="{{ SITEURL }}/{{ tag.url }}">{{ tag }}</a> ({{ articles|count }})</li>
{% endfor %}</ul>
{% endblock %}
""",
    "tag.html": """\
{% extends "base.html" %}
{% block content %}
<h1>{{ tag }}</h1>
<ul>{% for article in articles %}<li><a href="{{ SITEURL }}/{{ article.url }}">{{ article.title }}</a> <time>{{ article.date.strftime('%Y-%m-%d') }}</time></li>
{% endfor %}</ul>
{% endblock %}
""",
    "authors.html": """\
{% extends "base.html" %}
{% block content %}
<h1>Authors</h1>
<ul>{% for author, articles in authors|sort %}<li><a href="{{ SITEURL }}/{{ author.url }}">{{ author }}</a> ({{ articles|count }})</li>
{% endfor %}</ul>
{% endblock %}
""",
    "author.html": """\
{% extends "base.html" %}
{% block content %}
<h1>{{ author }}</h1>
<ul>{% for article in articles %}<li><a href="{{ SITEURL }}/{{ article.url }}">{{ article.title }}</a> <time>{{ article.date.strftime('%Y-%m-%d') }}</time></li>
{% endfor %}</ul>
{% endblock %}
""",
}


def flavor_pelican(posts: list[Post], out: Path) -> None:
    write(out / "pelicanconf.py", PELICAN_CONF)
    for name, text in PELICAN_TEMPLATES.items():
        write(out / "theme" / "templates" / name, text)
    (out / "theme" / "static").mkdir(parents=True, exist_ok=True)
    for p in posts:
        meta = [
            f"Title: {p.title}",
            f"Date: {p.iso_date}",
            f"Slug: {p.slug}",
            "Category: weeknotes",  # not written (CATEGORY_SAVE_AS = ""); avoids a Pelican 4.12 draft crash
            f"Tags: {', '.join(p.tags)}",
            f"Authors: {', '.join(p.authors)}",
            f"Summary: {p.summary}",
        ]
        if p.draft:
            meta.append("Status: draft")
        write(out / "content" / f"{p.slug}.md", "\n".join(meta) + "\n\n" + p.body)


ELEVENTY_CONFIG = f"""\
// Eleventy config for the benchmark corpus: same outputs as every other flavor.
// Optional plugins are used when they resolve from this folder (node_modules).
const FALLBACK_FEED = `<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>{SITE_TITLE}</title><link>{BASE_URL}</link><description>{SITE_TITLE}</description>
{{%- for post in collections.postsDesc | head(20) %}}
<item><title>{{{{ post.data.title }}}}</title><link>{BASE_URL.rstrip("/")}{{{{ post.url }}}}</link>
<guid>{BASE_URL.rstrip("/")}{{{{ post.url }}}}</guid><pubDate>{{{{ post.date.toUTCString() }}}}</pubDate>
<description>{{{{ post.content }}}}</description></item>
{{%- endfor %}}
</channel></rss>
`;

export default async function (eleventyConfig) {{
  const used = [];
  try {{
    const {{ feedPlugin }} = await import("@11ty/eleventy-plugin-rss");
    eleventyConfig.addPlugin(feedPlugin, {{
      type: "rss",
      outputPath: "/feed.xml",
      collection: {{ name: "posts", limit: 20 }},
      metadata: {{ language: "en", title: "{SITE_TITLE}", subtitle: "{SITE_TITLE}",
                  base: "{BASE_URL}", author: {{ name: "Bench" }} }},
    }});
    used.push("rss");
  }} catch (e) {{
    eleventyConfig.addTemplate("feed.njk", FALLBACK_FEED,
      {{ permalink: "/feed.xml", eleventyExcludeFromCollections: true }});
  }}
  try {{
    const hl = (await import("@11ty/eleventy-plugin-syntaxhighlight")).default;
    eleventyConfig.addPlugin(hl);
    used.push("syntaxhighlight");
  }} catch (e) {{}}
  try {{
    const footnote = (await import("markdown-it-footnote")).default;
    eleventyConfig.amendLibrary("md", (md) => md.use(footnote));
    used.push("footnote");
  }} catch (e) {{}}
  if (process.env.BENCH_VERBOSE) console.log("bench plugins:", used.join(",") || "none");

  // Drafts are left out of the build (Eleventy 3 preprocessor).
  eleventyConfig.addPreprocessor("drafts", "md", (data) => {{
    if (data.draft) return false;
  }});

  const posts = (api) => api.getFilteredByGlob("posts/*.md");
  eleventyConfig.addCollection("posts", posts);
  eleventyConfig.addCollection("postsDesc", (api) => posts(api).reverse());
  const termMap = (key) => (api) => {{
    const map = {{}};
    for (const p of posts(api).reverse()) {{
      for (const t of p.data[key] || []) (map[t] ||= []).push(p);
    }}
    return map;
  }};
  eleventyConfig.addCollection("tagMap", termMap("tags"));
  eleventyConfig.addCollection("authorMap", termMap("authors"));
  eleventyConfig.addFilter("head", (arr, n) => arr.slice(0, n));
  eleventyConfig.addFilter("isoDate", (d) => d.toISOString().slice(0, 10));
  eleventyConfig.addFilter("keys", (o) => Object.keys(o).sort());
}}

export const config = {{
  dir: {{ input: ".", includes: "_includes", output: "_site" }},
}};
"""

ELEVENTY_FILES = {
    "package.json": '{\n  "name": "bench-eleventy-site",\n  "private": true,\n  "type": "module"\n}\n',
    ".eleventyignore": "node_modules\n_site\n",
    "_includes/base.njk": """\
<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>{{ title }} | Bench weeknotes</title>
<link rel="alternate" type="application/rss+xml" href="/feed.xml">
</head>
<body><header><a href="/">Bench weeknotes</a> <a href="/posts/">Archive</a> <a href="/tags/">Tags</a> <a href="/authors/">Authors</a></header>
<main>{{ content | safe }}</main>
</body>
</html>
""",
    "_includes/post.njk": """\
---
layout: base.njk
---
<article><h1>{{ title }}</h1>
<p><time datetime="{{ page.date.toISOString() }}">{{ page.date | isoDate }}</time>
by {% for a in authors %}<a href="/authors/{{ a | slugify }}/">{{ a }}</a> {% endfor %}</p>
{{ content | safe }}
<p>Tags: {% for t in tags %}<a href="/tags/{{ t | slugify }}/">{{ t }}</a> {% endfor %}</p>
</article>
""",
    "posts/posts.11tydata.json": '{\n  "layout": "post.njk",\n  "permalink": "/posts/{{ page.fileSlug }}/index.html"\n}\n',
    "index.njk": """\
---
layout: base.njk
title: Home
permalink: /index.html
---
<h1>Bench weeknotes</h1>
{% for post in collections.postsDesc | head(20) %}
<article><h2><a href="{{ post.url }}">{{ post.data.title }}</a></h2>
<time datetime="{{ post.date.toISOString() }}">{{ post.date | isoDate }}</time>
<p>{{ post.data.summary }}</p>
<p>{% for t in post.data.tags %}<a href="/tags/{{ t | slugify }}/">{{ t }}</a> {% endfor %}</p></article>
{% endfor %}
""",
    "archive.njk": """\
---
layout: base.njk
title: Archive
permalink: /posts/index.html
---
<h1>Archive</h1>
<ul>{% for post in collections.postsDesc %}<li><a href="{{ post.url }}">{{ post.data.title }}</a> <time>{{ post.date | isoDate }}</time></li>
{% endfor %}</ul>
""",
    "tags-index.njk": """\
---
layout: base.njk
title: Tags
permalink: /tags/index.html
---
<h1>Tags</h1>
<ul>{% for t in collections.tagMap | keys %}<li><a href="/tags/{{ t | slugify }}/">{{ t }}</a> ({{ collections.tagMap[t].length }})</li>
{% endfor %}</ul>
""",
    "tag.njk": """\
---
layout: base.njk
pagination:
  data: collections.tagMap
  size: 1
  alias: tag
permalink: /tags/{{ tag | slugify }}/index.html
eleventyComputed:
  title: "{{ tag }}"
---
<h1>{{ tag }}</h1>
<ul>{% for post in collections.tagMap[tag] %}<li><a href="{{ post.url }}">{{ post.data.title }}</a> <time>{{ post.date | isoDate }}</time></li>
{% endfor %}</ul>
""",
    "authors-index.njk": """\
---
layout: base.njk
title: Authors
permalink: /authors/index.html
---
<h1>Authors</h1>
<ul>{% for a in collections.authorMap | keys %}<li><a href="/authors/{{ a | slugify }}/">{{ a }}</a> ({{ collections.authorMap[a].length }})</li>
{% endfor %}</ul>
""",
    "author.njk": """\
---
layout: base.njk
pagination:
  data: collections.authorMap
  size: 1
  alias: author
permalink: /authors/{{ author | slugify }}/index.html
eleventyComputed:
  title: "{{ author }}"
---
<h1>{{ author }}</h1>
<ul>{% for post in collections.authorMap[author] %}<li><a href="{{ post.url }}">{{ post.data.title }}</a> <time>{{ post.date | isoDate }}</time></li>
{% endfor %}</ul>
""",
}


def flavor_eleventy(posts: list[Post], out: Path) -> None:
    write(out / "eleventy.config.js", ELEVENTY_CONFIG)
    for name, text in ELEVENTY_FILES.items():
        write(out / name, text)
    for p in posts:
        write(out / "posts" / f"{p.slug}.md", yaml_front_matter(p) + p.body)


JEKYLL_CONFIG = f"""\
title: "{SITE_TITLE}"
url: "{BASE_URL.rstrip("/")}"
baseurl: ""
markdown: kramdown
permalink: /posts/:title/
feed:
  path: feed.xml
  posts_limit: 20
defaults:
  - scope:
      path: ""
      type: posts
    values:
      layout: post
exclude: [Gemfile, Gemfile.lock, node_modules, vendor]
"""

JEKYLL_FILES = {
    "_layouts/base.html": """\
<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>{{ page.title }} | {{ site.title }}</title>
<link rel="alternate" type="application/rss+xml" href="{{ site.url }}/feed.xml">
</head>
<body><header><a href="/">{{ site.title }}</a> <a href="/posts/">Archive</a> <a href="/tags/">Tags</a> <a href="/authors/">Authors</a></header>
<main>{{ content }}</main>
</body>
</html>
""",
    "_layouts/post.html": """\
---
layout: base
---
<article><h1>{{ page.title }}</h1>
<p><time datetime="{{ page.date | date_to_xmlschema }}">{{ page.date | date: "%-d %B %Y" }}</time>
by {% for a in page.authors %}<a href="/authors/{{ a | slugify }}/">{{ a }}</a> {% endfor %}</p>
{{ content }}
<p>Tags: {% for t in page.tags %}<a href="/tags/{{ t | slugify }}/">{{ t }}</a> {% endfor %}</p>
</article>
""",
    "_layouts/term.html": """\
---
layout: base
---
<h1>{{ page.title }}</h1>
<ul>{% for post in page.posts %}<li><a href="{{ post.url }}">{{ post.title }}</a> <time>{{ post.date | date: "%Y-%m-%d" }}</time></li>
{% endfor %}</ul>
""",
    "_layouts/term-index.html": """\
---
layout: base
---
<h1>{{ page.title }}</h1>
<ul>{% for t in page.terms %}<li><a href="{{ page.prefix }}{{ t[0] | slugify }}/">{{ t[0] }}</a> ({{ t[1] }})</li>
{% endfor %}</ul>
""",
    "_layouts/feed-fallback.xml": """\
<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>{{ site.title }}</title><link>{{ site.url }}/</link><description>{{ site.title }}</description>
{% for post in site.posts limit:20 %}<item><title>{{ post.title | xml_escape }}</title><link>{{ site.url }}{{ post.url }}</link>
<guid>{{ site.url }}{{ post.url }}</guid><pubDate>{{ post.date | date_to_rfc822 }}</pubDate>
<description>{{ post.content | xml_escape }}</description></item>
{% endfor %}</channel></rss>
""",
    "index.html": """\
---
layout: base
title: Home
---
<h1>{{ site.title }}</h1>
{% for post in site.posts limit:20 %}
<article><h2><a href="{{ post.url }}">{{ post.title }}</a></h2>
<time datetime="{{ post.date | date_to_xmlschema }}">{{ post.date | date: "%-d %B %Y" }}</time>
<p>{{ post.summary }}</p>
<p>{% for t in post.tags %}<a href="/tags/{{ t | slugify }}/">{{ t }}</a> {% endfor %}</p></article>
{% endfor %}
""",
    "posts/index.html": """\
---
layout: base
title: Archive
---
<h1>Archive</h1>
<ul>{% for post in site.posts %}<li><a href="{{ post.url }}">{{ post.title }}</a> <time>{{ post.date | date: "%Y-%m-%d" }}</time></li>
{% endfor %}</ul>
""",
    "_plugins/bench_pages.rb": """\
# Tag and author pages (Jekyll core makes none), plus a site feed: jekyll-feed when it can be
# required, else a hand-written RSS template.
begin
  require "jekyll-feed"
  BENCH_FEED = :plugin
rescue LoadError
  BENCH_FEED = :fallback
end

module BenchPages
  class Generator < Jekyll::Generator
    safe true
    priority :low

    def term_page(site, dir, layout, data)
      page = Jekyll::PageWithoutAFile.new(site, site.source, dir, "index.html")
      page.content = ""
      page.data.merge!(data)
      page.data["layout"] = layout
      page
    end

    def generate(site)
      groups = { "tags" => Hash.new { |h, k| h[k] = [] }, "authors" => Hash.new { |h, k| h[k] = [] } }
      site.posts.docs.reverse_each do |post|
        groups.each_key do |key|
          Array(post.data[key]).each { |t| groups[key][t] << post }
        end
      end
      groups.each do |key, map|
        map.each do |term, posts|
          dir = File.join(key, Jekyll::Utils.slugify(term))
          site.pages << term_page(site, dir, "term", "title" => term, "posts" => posts)
        end
        terms = map.keys.sort.map { |t| [t, map[t].size] }
        site.pages << term_page(site, key, "term-index",
                                "title" => key.capitalize, "terms" => terms, "prefix" => "/#{key}/")
      end
      if BENCH_FEED == :fallback
        feed = Jekyll::PageWithoutAFile.new(site, site.source, "", "feed.xml")
        feed.content = File.read(File.join(site.source, "_layouts", "feed-fallback.xml"))
        feed.data["layout"] = nil
        site.pages << feed
      end
    end
  end
end
""",
}


def flavor_jekyll(posts: list[Post], out: Path) -> None:
    write(out / "_config.yml", JEKYLL_CONFIG)
    for name, text in JEKYLL_FILES.items():
        write(out / name, text)
    for p in posts:
        extra = {"published": "false"} if p.draft else None
        write(out / "_posts" / f"{p.date:%Y-%m-%d}-{p.slug}.md", yaml_front_matter(p, extra) + p.body)


FLAVORS = {
    "canonical": flavor_canonical,
    "hugo": flavor_hugo,
    "pelican": flavor_pelican,
    "eleventy": flavor_eleventy,
    "jekyll": flavor_jekyll,
}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--posts", type=int, required=True, help="number of posts (N)")
    ap.add_argument("--out", type=Path, required=True, help="folder to create (replaced if it exists)")
    ap.add_argument("--flavor", choices=sorted(FLAVORS), default="canonical")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument(
        "--repeat-code",
        action="store_true",
        help="draw code snippets from a small pool (about 1,250 distinct in 10,000 posts), "
        "as before 2026-12-06; by default every snippet is unique",
    )
    ap.add_argument(
        "--force", action="store_true", help="replace --out even if it was not made by this script"
    )
    args = ap.parse_args(argv)
    if args.posts < 1:
        ap.error("--posts must be at least 1")
    out: Path = args.out
    marker = out / ".bench-corpus"
    if out.exists() and any(out.iterdir()):
        if not (marker.exists() or args.force):
            ap.error(f"{out} exists and was not made by make_corpus.py (use --force to replace it)")
        shutil.rmtree(out)
    out.mkdir(parents=True, exist_ok=True)
    global UNIQUE_CODE
    UNIQUE_CODE = not args.repeat_code
    posts = make_posts(args.posts, args.seed)
    FLAVORS[args.flavor](posts, out)
    drafts = sum(p.draft for p in posts)
    words = sum(len(p.body.split()) for p in posts)
    write(
        marker,
        json.dumps(
            {
                "posts": args.posts,
                "seed": args.seed,
                "flavor": args.flavor,
                "unique_code": UNIQUE_CODE,
                "drafts": drafts,
                "published": args.posts - drafts,
                "tags": len({t for p in posts if not p.draft for t in p.tags}),
                "authors": len({a for p in posts if not p.draft for a in p.authors}),
                "words": words,
            },
            indent=1,
        )
        + "\n",
    )
    print(f"{args.flavor}: {args.posts} posts ({drafts} drafts, {words} words) -> {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
