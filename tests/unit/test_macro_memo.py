"""macro_memo: a library macro's text is made once per argument, and only where that is sound."""

from __future__ import annotations

from collections.abc import Callable

import jinja2

from site_builder.macro_memo import remember_libraries
from site_builder.model import Document
from site_builder.pages import Pager

LIBRARY = """\
{% macro item(doc) %}<li>{{ doc.title | counted }}</li>{% endmacro %}
{% macro items(docs) %}{% for d in docs %}{{ item(d) }}{% endfor %}{% endmacro %}
{% macro pages(pager) %}{{ pager.number | counted }}/{{ pager.total }}{% endmacro %}
{% macro boxed() %}[{{ caller() | counted }}]{% endmacro %}
"""


def environment(page: str) -> tuple[jinja2.Environment, list[str]]:
    made: list[str] = []
    loader = jinja2.DictLoader({"_lib.html": LIBRARY, "page.html": page})
    env = jinja2.Environment(loader=loader, autoescape=True)
    env.filters["counted"] = lambda value: made.append(str(value)) or value
    remember_libraries(env)
    return env, made


def test_an_item_is_made_once_however_many_lists_show_it(make_doc: Callable[..., Document]) -> None:
    env, made = environment(
        '{% from "_lib.html" import item, items %}{{ items(docs) }}{{ items(docs) }}{{ item(docs[0]) }}'
    )
    docs = [make_doc("a.md", title="A"), make_doc("b.md", title="B")]
    html = env.get_template("page.html").render(docs=docs)
    assert html == "<li>A</li><li>B</li>" * 2 + "<li>A</li>"
    assert made == ["A", "B"]  # the list itself (a list argument) is made twice, its items once


def test_documents_are_told_apart_by_identity_not_by_title(make_doc: Callable[..., Document]) -> None:
    env, made = environment('{% from "_lib.html" import item %}{{ item(a) }}{{ item(b) }}')
    html = env.get_template("page.html").render(
        a=make_doc("a.md", title="Same"), b=make_doc("b.md", title="Same")
    )
    assert html == "<li>Same</li>" * 2 and made == ["Same", "Same"]


def test_frozen_values_are_compared_by_value() -> None:
    env, made = environment('{% from "_lib.html" import pages %}{{ pages(p) }} {{ pages(q) }} {{ pages(r) }}')
    p, q = (Pager(1, 3, ("a.md",), "/", None, "/page/2/") for _ in range(2))
    r = Pager(2, 3, ("b.md",), "/page/2/", "/", "/page/3/")
    assert env.get_template("page.html").render(p=p, q=q, r=r) == "1/3 1/3 2/3"
    assert made == ["1", "2"]


def test_a_call_block_is_made_every_time() -> None:
    env, made = environment(
        '{% from "_lib.html" import boxed %}'
        "{% for n in [1, 2] %}{% call boxed() %}{{ n }}{% endcall %}{% endfor %}"
    )
    assert env.get_template("page.html").render() == "[1][2]"
    assert made == ["1", "2"]
