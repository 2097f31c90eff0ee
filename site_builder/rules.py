"""Checks on content that every command runs the same way: ``build``, ``serve`` and ``check`` report
one set of problems, printed alike (README, "Errors and warnings").

Most rules live where the value is read (front matter in ``kinds`` and ``parse``, links in
``links``); these need every parsed document, published or not, and the build's clock.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from .diagnostics import Diagnostic, note, warning
from .model import Document


def content_rules(docs: Iterable[Document], now: dt.datetime, drafts: bool, future: bool) -> list[Diagnostic]:
    """Images without alt text (warnings); drafts and future posts left out (notes)."""
    found: list[Diagnostic] = []
    for doc in docs:
        path = f"content/{doc.id}"
        for image in doc.images:
            if not image.alt.strip():
                found.append(
                    warning(
                        "image/alt",
                        path,
                        f"the image {image.src} has no alt text",
                        image.line,
                        hint="describe the image in the brackets: ![what it shows](...)",
                    )
                )
        field = next((ref for ref in doc.links if ref.kind == "field"), None)
        if doc.image and not doc.image_alt.strip():
            found.append(
                warning(
                    "image/alt",
                    path,
                    "'image' has no 'image_alt'",
                    field.line if field else None,
                    hint="add image_alt: with what the image shows",
                )
            )
        if doc.draft and not drafts:
            found.append(
                note("content/draft", path, "this is a draft: the site leaves it out", hint=_DRAFT_HINT)
            )
        elif doc.date is not None and is_future(doc, now) and not future:
            found.append(
                note(
                    "content/future",
                    path,
                    f"dated {doc.date.date().isoformat()}, in the future: it appears on that day",
                    hint="check the date; the daily build publishes it when the day comes",
                )
            )
    return found


_DRAFT_HINT = "remove 'draft: true' to publish it, or build with --drafts to preview it"


def is_future(doc: Document, now: dt.datetime) -> bool:
    """A date-only post is never in the future on its own day in the site time zone: it goes live that day."""
    if doc.date is None:
        return False
    return doc.date.date() > now.date() if doc.date_only else doc.date > now
