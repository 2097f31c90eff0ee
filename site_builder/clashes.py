"""Output paths that would take another's place: a post or alias on a file the site makes for
itself, on a static file, or on a folder one of them needs. Route planning reports them."""

from __future__ import annotations

import posixpath
from collections.abc import Iterator, Mapping

from .diagnostics import Diagnostic, error
from .pages import DocumentPage, RedirectPage, Route
from .urls import file_key

# Files the build or the dev server writes for itself, besides routes: no post may take their place.
RESERVED_FILES = {".nojekyll": "the file GitHub Pages reads", "CNAME": "the file GitHub Pages reads"}
RESERVED_FOLDERS = {"pagefind/": "the search index", "_sb/": "the live-reload files of 'serve'"}


def clashes(routes: list[Route], statics: Mapping[str, str]) -> list[Diagnostic]:
    """A post or alias that lands on a file the site makes for itself, on a static file, or on a
    folder one of them needs (or the other way round) would replace it, silently: an error naming
    both. Posts and aliases among themselves are ``collect``'s to report."""
    taken = {file_key(path): what for path, what in RESERVED_FILES.items()}  # file key -> its maker
    copied = {file_key(rel): rel for rel in statics}
    for key, rel in copied.items():
        taken.setdefault(key, f"the static file {rel}")
    content = []
    problems = []
    for route in routes:
        if isinstance(route.context, (DocumentPage, RedirectPage)):
            content.append(route)
        elif (key := file_key(route.path)) in copied:  # a feed a file would replace, or the other way
            rel = copied[key]
            problems.append(
                error(
                    "url/duplicate",
                    statics[rel],
                    f"this file would take the place of a page the site generates ({route.url})",
                    hint="rename or remove the file",
                )
            )
        else:
            taken.setdefault(key, f"a page the site generates ({route.url})")
    reserved = {f.casefold(): what for f, what in RESERVED_FOLDERS.items()}
    folders = dict(reserved)  # folder key ("a/b/") -> what needs it
    for key, maker in taken.items():
        for parent in _parents(key):
            folders.setdefault(parent + "/", maker)
    for route in content:
        key = file_key(route.path)
        what: str | None = taken.get(key) or folders.get(
            key + "/"
        )  # the same file, or a file where a folder is
        for parent in _parents(key):  # a folder where a file is, or inside a reserved folder
            what = what or taken.get(parent) or reserved.get(parent + "/")
        if what is None:
            continue
        if isinstance(route.context, DocumentPage):
            message, hint = f"{route.url} is also {what}", "give the post another 'slug' or 'permalink'"
            doc_id = route.context.doc
        else:
            message, hint = f"the alias {route.url} lands on {what}", "remove it from 'aliases'"
            doc_id = route.inputs[0]
        problems.append(error("url/duplicate", f"content/{doc_id}", message, hint=hint))
    return problems


def _parents(key: str) -> Iterator[str]:
    """ "a/b/index.html" -> "a/b", "a"."""
    folder = posixpath.dirname(key)
    while folder:
        yield folder
        folder = posixpath.dirname(folder)
