"""A theme's macro libraries, remembered by their arguments while one view of the site renders.

A template whose name starts with ``_`` (the built-in ``_macros.html``) is a library of macros that
pages import. Imported without context, as ``{% from "_macros.html" import post_item %}`` does, a
macro sees its arguments, the library's own names and the environment's globals (``site``, one
view per renderer) and nothing else, so the same arguments give the same text. A list item is
then made once per post, however many lists show the post (ARCHITECTURE.md, "What a build may
skip"). Templates see no cache and name no key.

Arguments are compared by value when they are text, numbers, None or frozen values that hash
(a pager, a feed link), and tuples of these; by identity when they are the site's documents,
terms, sections and streams, which do not hash (their fields hold mappings): the memo then keeps
a reference to each, so no other object can take its identity while the memo lives. A call with
anything else (a list, a ``caller`` block) is made as it is.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any

import jinja2
from jinja2.runtime import Macro

from .model import Document, Section, Stream, Term

_BY_VALUE = (str, int, float, bool, type(None))
_BY_IDENTITY = (Document, Term, Section, Stream)
_UNFIT = object()  # an argument the memo cannot key


class _Remembered:
    """A macro's body that returns what it returned before for the same arguments. It replaces
    the body inside the macro itself, so calls from the library's other macros (a list calling
    its items) are remembered too."""

    def __init__(self, body: Callable[..., str]) -> None:
        self.body = body
        self.made: dict[Hashable, tuple[str, tuple[Any, ...]]] = {}  # key -> (text, its arguments)

    def __call__(self, *arguments: Any) -> str:
        key = _key(arguments)
        if key is _UNFIT:
            return self.body(*arguments)
        found = self.made.get(key)
        if found is None:  # kept with the arguments: no object can take their identities
            found = self.made[key] = (self.body(*arguments), arguments)
        return found[0]


def remember_libraries(env: jinja2.Environment) -> None:
    """Wrap every macro of every ``_``-named template of ``env`` for as long as its loaded
    templates live (a renderer with another view drops them: render._bind)."""
    try:
        names = env.list_templates(filter_func=lambda n: n.rpartition("/")[2].startswith("_"))
    except TypeError:  # a loader that cannot list its templates: nothing is remembered
        return
    for name in names:
        try:
            module = env.get_template(name).module
        except Exception:  # a library that does not load: the page that imports it reports why
            continue
        for value in vars(module).values():
            # Jinja's Macro calls its body as ``_func`` with every argument filled in, the
            # ``caller`` block too (which is no key: such a call is made as it is).
            if isinstance(value, Macro) and not isinstance(getattr(value, "_func", None), _Remembered):
                value._func = _Remembered(value._func)


def _key(value: Any) -> Hashable:
    if isinstance(value, _BY_VALUE):
        return (type(value), value)
    if isinstance(value, _BY_IDENTITY):
        return (type(value), id(value))
    params = getattr(type(value), "__dataclass_params__", None)
    if params is not None and params.frozen:
        try:
            return (type(value), hash(value), value)
        except TypeError:  # a field that does not hash
            return _UNFIT
    if isinstance(value, tuple):
        parts = tuple(_key(v) for v in value)
        return _UNFIT if any(p is _UNFIT for p in parts) else parts
    return _UNFIT
