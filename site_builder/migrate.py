"""Import a Jekyll or Hugo site: posts, settings and static files into our layout (issue 9).

Posts are copied byte for byte, except for one ``aliases`` entry added where our URL would differ
from the old one, so old links keep working through redirect pages. What cannot be mapped is
listed per file and key in the returned report; the caller prints it.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import tomllib
import zoneinfo
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from . import kinds
from .diagnostics import Diagnostic, error
from .fence import link_refusal
from .frontmatter import split
from .urls import UnsafePath, normalise, permalink, slugify

MARKDOWN = (".md", ".markdown")
# Jekyll's named permalink styles (jekyllrb.com/docs/permalinks/#built-in-formats)
JEKYLL_STYLES = {
    "date": "/:categories/:year/:month/:day/:title:output_ext",
    "pretty": "/:categories/:year/:month/:day/:title/",
    "ordinal": "/:categories/:year/:y_day/:title:output_ext",
    "none": "/:categories/:title:output_ext",
}
# Jekyll or Hugo token -> ours; a token missing here cannot be mapped (the section default is used).
_TOKENS = {
    "year": ":year",
    "month": ":month",
    "day": ":day",
    "i_month": ":i_month",
    "i_day": ":i_day",
    "title": ":slug",
    "slug": ":slug",
    "filename": ":slug",
    "slugorfilename": ":slug",
    "contentbasename": ":slug",
    "categories": ":categories",
    "section": ":section",
    "output_ext": ".html",
}
_TOKEN = re.compile(r":(\w+)")
_SKIPPED = {"Gemfile", "Gemfile.lock", "node_modules", "vendor", "package.json", "package-lock.json"}
# Our front matter: what a post may use and the tool understands (other keys go to params).
KNOWN_KEYS = frozenset({f.name for f in kinds.fields_of("page")} | kinds.IGNORED | {"url", "redirect_from"})


@dataclass(frozen=True, slots=True)
class Unmapped:
    path: str  # relative to the source site
    key: str
    why: str


@dataclass(frozen=True, slots=True)
class ImportReport:
    kind: str
    sections: tuple[str, ...]  # the content folders written
    posts: int = 0
    drafts: int = 0
    statics: int = 0
    aliases: int = 0
    unmapped: tuple[Unmapped, ...] = ()
    problems: tuple[Diagnostic, ...] = ()  # errors: nothing (or not everything) was imported


@dataclass(slots=True)
class _Work:
    """What an import has done so far; frozen into the report at the end."""

    src: Path  # the old site, as given
    fence: Path  # the same, resolved: no file is read from outside it (SECURITY.md)
    posts: int = 0
    drafts: int = 0
    statics: int = 0
    aliases: int = 0
    unmapped: list[Unmapped] = field(default_factory=list)
    problems: list[Diagnostic] = field(default_factory=list)


def import_site(kind: str, src: Path, dest: Path, section: str | None = None) -> ImportReport:
    """Copy the ``kind`` ("jekyll" or "hugo") site at ``src`` into a new site at ``dest``."""
    name = slugify(section) if section else "posts"
    refused = _refuse(src, dest)
    if refused:
        return ImportReport(kind, (), problems=(refused,))
    work = _Work(src, Path(os.path.realpath(src)))
    settings = _jekyll_config(src, work) if kind == "jekyll" else _hugo_config(src, work)
    tz = _timezone(settings.get("timezone", "UTC"), work)
    sections = _jekyll_posts(src, dest, name, settings, tz, work) if kind == "jekyll" else {}
    if kind == "hugo":
        sections = _hugo_content(src, dest, section, settings, tz, work)
    dest.mkdir(parents=True, exist_ok=True)  # also when no post was imported: settings still are
    (dest / "site.toml").write_text(_site_toml(settings, sections), encoding="utf-8")
    static = src / ("static" if kind == "hugo" else "")
    work.statics = _copy_statics(static, dest / "static", kind, work)
    work.unmapped.sort(key=lambda u: (u.path, u.key))
    return ImportReport(
        kind,
        tuple(sections),
        work.posts,
        work.drafts,
        work.statics,
        work.aliases,
        tuple(work.unmapped),
        tuple(work.problems),
    )


def _refuse(src: Path, dest: Path) -> Diagnostic | None:
    if not src.is_dir():
        return error("import/source", str(src), "no such folder", hint="give the folder of the old site")
    content = dest / "content"
    if (dest / "site.toml").exists() or (content.is_dir() and any(content.iterdir())):
        return error(
            "import/target",
            str(dest),
            "this folder already holds a site (site.toml or content/)",
            hint="import into a new, empty folder",
        )
    return None


# --- settings --------------------------------------------------------------------------------


def _jekyll_config(src: Path, work: _Work) -> dict[str, Any]:
    path = src / "_config.yml"
    data = _load(path, work) if path.is_file() and _vetted(path, work) else {}
    url = str(data.get("url") or "").rstrip("/")
    settings: dict[str, Any] = {"permalink": {"posts": _jekyll_pattern(data.get("permalink"))}}
    if url:
        settings["base_url"] = url + "/" + str(data.get("baseurl") or "").strip("/")
    for ours, theirs in (("title", "title"), ("description", "description"), ("timezone", "timezone")):
        if isinstance(data.get(theirs), str):
            settings[ours] = data[theirs]
    language = data.get("lang") or data.get("locale")
    if isinstance(language, str):
        settings["language"] = language.replace("_", "-")
    used = {"url", "baseurl", "permalink", "title", "description", "timezone", "lang", "locale"}
    used |= {"layout", "markdown", "kramdown", "highlighter", "exclude", "include", "plugins", "gems"}
    work.unmapped += [Unmapped("_config.yml", k, "no setting of ours") for k in data if k not in used]
    return settings


def _jekyll_pattern(value: Any) -> str:
    return JEKYLL_STYLES.get(str(value or "date"), str(value or ""))


def _hugo_config(src: Path, work: _Work) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for name in ("hugo.toml", "config.toml", "hugo.yaml", "config.yaml", "hugo.yml", "config.yml"):
        if (src / name).is_file():
            data = _load(src / name, work) if _vetted(src / name, work) else {}
            break
    settings: dict[str, Any] = {"permalink": {}}
    params: dict[str, Any] = data["params"] if isinstance(data.get("params"), dict) else {}
    mapping = {"title": "title", "base_url": "baseURL", "timezone": "timeZone", "language": "languageCode"}
    for ours, theirs in mapping.items():
        value = data.get(theirs) or data.get(theirs.lower())
        if isinstance(value, str):
            settings[ours] = value
    if isinstance(params.get("description"), str):
        settings["description"] = params["description"]
    links: dict[str, Any] = data["permalinks"] if isinstance(data.get("permalinks"), dict) else {}
    links = links["page"] if isinstance(links.get("page"), dict) else links
    settings["permalink"] = {k: v for k, v in links.items() if isinstance(v, str)}
    used = {"title", "baseURL", "baseurl", "timeZone", "timezone", "languageCode", "languagecode"}
    used |= {"permalinks", "params", "theme", "markup"}
    work.unmapped += [Unmapped("hugo config", k, "no setting of ours") for k in data if k not in used]
    return settings


def _load(path: Path, work: _Work) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
        data = tomllib.loads(text) if path.suffix == ".toml" else yaml.safe_load(text)
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, yaml.YAMLError) as exc:
        work.problems.append(error("import/config", str(path), f"cannot read the settings: {exc}"))
        return {}
    return data if isinstance(data, dict) else {}


def _timezone(name: Any, work: _Work) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(str(name))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        work.unmapped.append(Unmapped("config", "timezone", f"unknown time zone {name!r}; UTC is used"))
        return zoneinfo.ZoneInfo("UTC")


def our_pattern(theirs: str, path: str, work: _Work | None = None) -> str | None:
    """A Jekyll or Hugo permalink pattern in our tokens, or None when a token has no equivalent."""
    missing = [t for t in _TOKEN.findall(theirs) if t not in _TOKENS]
    if missing:
        if work is not None:
            why = f"{theirs!r}: no equivalent for :{', :'.join(missing)}; the section default is used"
            work.unmapped.append(Unmapped(path, "permalink", why))
        return None
    return _TOKEN.sub(lambda m: _TOKENS[m.group(1)], theirs)


def _site_toml(settings: dict[str, Any], sections: dict[str, str]) -> str:
    lines = []
    for key in ("title", "description", "base_url", "language", "timezone"):
        if key in settings:
            value = settings[key] if key != "base_url" else _base_url(settings[key])
            if key == "timezone" and value not in zoneinfo.available_timezones():
                continue
            lines.append(f"{key} = {json.dumps(value, ensure_ascii=False)}")
    for name, pattern in sections.items():
        lines += ["", f"[sections.{json.dumps(name)}]", 'kind = "page"']
        if pattern:
            lines.append(f"permalink = {json.dumps(pattern, ensure_ascii=False)}")
    return "\n".join(lines) + "\n"


def _base_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return "http://localhost:8000/"
    return url if url.endswith("/") else url + "/"


# --- posts -----------------------------------------------------------------------------------


def _jekyll_posts(
    src: Path, dest: Path, name: str, settings: dict[str, Any], tz: dt.tzinfo, work: _Work
) -> dict[str, str]:
    theirs = settings["permalink"]["posts"]
    pattern = our_pattern(theirs, "_config.yml", work)
    folder = dest / "content" / name
    for sub, draft in (("_posts", False), ("_drafts", True)):
        for path in (p for p in _files(src / sub, work) if p.suffix.lower() in MARKDOWN):
            rel = path.relative_to(src / sub)
            old = None if draft else _jekyll_url(theirs, path, rel, tz)
            ours = pattern or f"/{name}/:slug/"
            _copy_post(path, folder / rel, f"{sub}/{rel.as_posix()}", old, ours, name, tz, draft, work)
    for page in sorted(p for p in src.glob("*") if p.suffix.lower() in (*MARKDOWN, ".html")):
        work.unmapped.append(Unmapped(page.name, "(file)", "pages and layouts are not imported, only posts"))
    return {name: pattern or ""}


def _jekyll_url(theirs: str, path: Path, rel: Path, tz: dt.tzinfo) -> str | None:
    """The URL Jekyll gave this post: file-name slug as written, categories lower-cased."""
    meta = _meta(path)
    if meta is None:
        return None
    if isinstance(meta.get("permalink"), str):
        return normalise(meta["permalink"])
    stem = path.stem
    date = kinds.to_datetime(_date_of(meta, stem), tz)
    if date is None:
        return None
    categories = [
        *rel.parent.parts,
        *kinds._as_list(meta.get("categories") or meta.get("category") or [], True),
    ]
    slug = str(meta.get("slug") or kinds.jekyll_slug(stem))
    d = date[0]
    values = {
        "year": f"{d.year:04d}",
        "month": f"{d.month:02d}",
        "day": f"{d.day:02d}",
        "i_month": str(d.month),
        "i_day": str(d.day),
        "title": slug,
        "slug": slug,
        "categories": "/".join(str(c).lower() for c in categories),
        "output_ext": ".html",
        "y_day": f"{d.timetuple().tm_yday:03d}",
        "short_year": f"{d.year % 100:02d}",
    }
    return normalise(_TOKEN.sub(lambda m: values.get(m.group(1), m.group(0)), theirs))


def _date_of(meta: dict[str, Any], stem: str) -> Any:
    jekyll = kinds.JEKYLL_NAME.match(stem)
    if meta.get("date") is not None:
        return meta["date"]
    if jekyll:
        year, month, day = jekyll.groups()[:3]
        return f"{year}-{int(month):02d}-{int(day):02d}"
    return None


def _meta(path: Path) -> dict[str, Any] | None:
    try:
        parts = split(path.read_text(encoding="utf-8"), str(path))
    except (OSError, UnicodeDecodeError):
        return None
    return None if isinstance(parts, Diagnostic) else parts.meta


def _hugo_content(
    src: Path, dest: Path, section: str | None, settings: dict[str, Any], tz: dt.tzinfo, work: _Work
) -> dict[str, str]:
    content = src / "content"
    readable = _folder(content, work)
    folders = sorted(p for p in content.iterdir() if _section_folder(p, work)) if readable else []
    main = max(folders, key=lambda p: sum(1 for _ in p.rglob("*.md")), default=None)
    sections: dict[str, str] = {}
    for folder in folders:
        name = slugify(section) if section and folder == main else folder.name
        theirs = settings["permalink"].get(folder.name, "")
        pattern = our_pattern(theirs, "hugo config", work) if theirs else None
        sections[name] = pattern or ""
        for path in _files(folder, work):
            rel = path.relative_to(folder)
            target = dest / "content" / name / rel
            if path.suffix.lower() not in MARKDOWN:
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(path, target)  # page bundle resources stay beside their page
                continue
            old = _hugo_url(theirs, folder.name, path, rel, tz)
            ours = pattern or f"/{name}/:slug/"
            label = f"content/{folder.name}/{rel.as_posix()}"
            _copy_post(path, target, label, old, ours, name, tz, False, work)
    pages = content.glob("*.md") if readable else ()
    for page in sorted(p for p in pages if not p.name.startswith(".") and _vetted(p, work)):
        target = dest / "content" / page.name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(page, target)
    return sections


def _section_folder(path: Path, work: _Work) -> bool:
    return not path.name.startswith(".") and path.is_dir() and _vetted(path, work)


def _hugo_url(theirs: str, section: str, path: Path, rel: Path, tz: dt.tzinfo) -> str | None:
    """The URL Hugo gave this page: lower-cased, ``:title`` from the title, bundles by folder."""
    meta = _meta(path)
    if meta is None or path.name == "_index.md":
        return None
    if isinstance(meta.get("url"), str):
        return normalise(meta["url"])
    filename = rel.parent.name if path.stem == "index" else path.stem
    slug = str(meta.get("slug") or "")
    title = slugify(str(meta.get("title") or ""))
    if not theirs:
        folders = "/".join(rel.parent.parts[:-1] if path.stem == "index" else rel.parent.parts)
        return normalise(f"/{section}/{folders}/{slug or filename}/".lower())
    date = kinds.to_datetime(meta.get("date"), tz) if meta.get("date") is not None else None
    d = date[0] if date else None
    values = {
        "year": f"{d.year:04d}" if d else "",
        "month": f"{d.month:02d}" if d else "",
        "day": f"{d.day:02d}" if d else "",
        "title": title,
        "slug": slug or title,
        "filename": filename,
        "slugorfilename": slug or filename,
        "contentbasename": filename,
        "section": section,
    }
    return normalise(_TOKEN.sub(lambda m: values.get(m.group(1), m.group(0)), theirs).lower())


def _copy_post(
    path: Path,
    target: Path,
    label: str,
    old: str | None,
    pattern: str,
    section: str,
    tz: dt.tzinfo,
    draft: bool,
    work: _Work,
) -> None:
    text = path.read_text(encoding="utf-8", errors="surrogateescape")
    meta = _meta(path)
    additions: dict[str, Any] = {"draft": True} if draft else {}
    if meta is not None:
        work.unmapped += [
            Unmapped(label, k, "kept in params: no field of ours") for k in meta if k not in KNOWN_KEYS
        ]
        ours = _our_url(meta, path, pattern, section, tz)
        if old and ours and old != ours:
            if old.casefold() == ours.casefold():
                work.unmapped.append(
                    Unmapped(label, "url", f"old URL {old} differs from {ours} only by case")
                )
            else:
                additions["aliases"] = [old]
                work.aliases += 1
        if meta.get("draft") is True or meta.get("published") is False:
            draft = True
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(_with_front_matter(text, meta, additions, label, work), "utf-8", "surrogateescape")
    work.posts += 1
    work.drafts += draft


def _our_url(meta: dict[str, Any], path: Path, pattern: str, section: str, tz: dt.tzinfo) -> str | None:
    """The URL parse.py will give this post (the same rules: kinds' imported conventions)."""
    values = kinds._imported(meta, path.stem)
    if isinstance(values.get("permalink"), str):
        return normalise(values["permalink"])
    date = kinds.to_datetime(values["date"], tz) if values.get("date") is not None else None
    stem = path.parent.name if path.stem.lower() == "index" else kinds.jekyll_slug(path.stem)
    slug = slugify(str(values.get("slug") or stem))
    categories = kinds._as_list(values.get("categories") or values.get("category") or [], True)
    try:
        return permalink(
            pattern, slug=slug, section=section, date=date[0] if date else None, categories=tuple(categories)
        )
    except UnsafePath:  # the build will say so, naming the file and line
        return None


def _with_front_matter(
    text: str, meta: dict[str, Any] | None, additions: dict[str, Any], label: str, work: _Work
) -> str:
    """Add keys before the closing fence, leaving the rest of the file as it was."""
    taken = set(meta or ())
    if "aliases" in additions and "aliases" in taken:  # kinds maps redirect_from onto aliases too
        key = "redirect_from" if "redirect_from" not in taken else ""
        if key:
            additions[key] = additions["aliases"]
        else:
            work.unmapped.append(Unmapped(label, "aliases", f"add {additions['aliases'][0]} by hand"))
        del additions["aliases"]
    additions = {k: v for k, v in additions.items() if k not in taken}
    if not additions:
        return text
    toml = text.startswith("+++")
    # JSON values are valid TOML and YAML alike
    lines = [f"{k}{' =' if toml else ':'} {json.dumps(v, ensure_ascii=False)}" for k, v in additions.items()]
    fence = "+++" if toml else "---"
    if meta is None or not text.startswith(fence):
        return f"{fence}\n" + "\n".join(lines) + f"\n{fence}\n" + text
    end = re.compile(r"^" + re.escape(fence) + r"\s*$", re.MULTILINE)
    close = next(m for m in end.finditer(text) if m.start() > 0)
    return text[: close.start()] + "\n".join(lines) + "\n" + text[close.start() :]


def _copy_statics(folder: Path, target: Path, kind: str, work: _Work) -> int:
    """Hugo's static/; for Jekyll, every file outside ``_`` folders that is not a page or a post.
    A new site made inside the old one (``import jekyll . new``) is not copied into itself."""
    count = 0
    made = Path(os.path.realpath(target.parent))
    for path in _files(folder, work):
        rel = path.relative_to(folder)
        if Path(os.path.realpath(path)).is_relative_to(made):
            continue
        if kind == "jekyll" and (
            any(part.startswith(("_", ".")) or part in _SKIPPED for part in rel.parts)
            or path.suffix.lower() in (*MARKDOWN, ".html", ".yml", ".yaml")
        ):
            continue
        (target / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target / rel)
        count += 1
    return count


# --- links in the old site ---------------------------------------------------------------------


def _files(folder: Path, work: _Work) -> list[Path]:
    """Every file below ``folder`` that may be read, sorted; links to folders below it are not
    entered (pathlib's rglob), file links are held to ``_vetted``, and nothing hidden (``.git``,
    ``.env``) is ever copied (SECURITY.md)."""
    if not _folder(folder, work):
        return []
    found = (
        p for p in folder.rglob("*") if not any(part.startswith(".") for part in p.relative_to(folder).parts)
    )
    return sorted(p for p in found if p.is_file() and _vetted(p, work))


def _folder(folder: Path, work: _Work) -> bool:
    """A folder of the old site to read: one that is there and, if it is a link, ``_vetted``."""
    return folder.is_dir() and _vetted(folder, work)


def _vetted(path: Path, work: _Work) -> bool:
    """Whether a file or folder of the old site may be read. One reached through no link is; one
    reached through a link only when its target is inside the old site and not in ``.git`` or
    another hidden folder, so an import never copies ``.git/config`` or a file from elsewhere."""
    rel = path.relative_to(work.src)
    if Path(os.path.realpath(path)) == work.fence / rel:
        return True  # no link on the way
    why = link_refusal(path, work.fence)
    if why is None:
        return True
    shown = rel.as_posix()
    target = os.readlink(path) if path.is_symlink() else os.path.realpath(path)
    work.problems.append(
        error(
            "import/symlink-out",
            shown,
            f"this link ({shown} -> {target}) was not imported: {why}",
            hint="copy the file into the old site instead of linking it, or remove the link, "
            "then import again into a new folder",
        )
    )
    return False
