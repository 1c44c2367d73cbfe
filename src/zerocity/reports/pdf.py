"""PDF rendering of a :class:`~zerocity.reports.document.Report`: HTML from a Jinja2 template, then WeasyPrint.

A4 pages with the report title and subtitle in the header, the generator and date in the footer
and ``Page n of m`` (translated) at the bottom right; a cover page with the report's identity and
a table of contents with page numbers; charts as inline SVG (:mod:`zerocity.reports.charts`).
Fonts: a CSS list with CJK fallbacks (WenQuanYi Micro Hei from Debian ``fonts-wqy-microhei``,
Noto Sans CJK SC), so Chinese text renders wherever one of them is installed.
"""

from __future__ import annotations

import functools
import logging
import os
import re
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2

from zerocity.i18n import LANGUAGES, format_number, gettext, install_jinja
from zerocity.reports.charts import svg_chart
from zerocity.reports.document import Chart, ColumnKind, KeyValues, Paragraph, Report, Table

__all__ = ["render_html", "write_pdf"]

log = logging.getLogger(__name__)

_TEMPLATE = "report.html.j2"


def _css_string(text: str) -> str:
    """A CSS string literal."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def page_counter_css(lang: str) -> str:
    """CSS ``content`` of the page number: the catalogue's ``page_counter`` with CSS counters.

    >>> page_counter_css("en")
    '"Page " counter(page) " of " counter(pages)'
    """
    text = gettext(lang, "page_counter", page="{page}", pages="{pages}")
    parts = []
    for piece in re.split(r"(\{page\}|\{pages\})", text):
        if piece == "{page}":
            parts.append("counter(page)")
        elif piece == "{pages}":
            parts.append("counter(pages)")
        elif piece:
            parts.append(_css_string(piece))
    return " ".join(parts)


_CSS = {
    ColumnKind.TEXT: "",
    ColumnKind.CODE: "code",
    ColumnKind.NUMBER: "num",
    ColumnKind.INTEGER: "num",
    ColumnKind.PERCENT: "num",
}


def _cell(value: Any, kind: ColumnKind, lang: str) -> str:
    """Display text of a cell."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if kind is ColumnKind.PERCENT:
        return format_number(value, lang, decimals=1)
    if kind is ColumnKind.INTEGER:
        return format_number(value, lang, decimals=0)
    if kind in {ColumnKind.TEXT, ColumnKind.CODE} and not isinstance(value, float | int):
        return str(value)
    return format_number(value, lang)


def _block_view(block: Any, lang: str) -> dict[str, Any]:
    """What the template needs of a block."""
    if isinstance(block, Table):
        return {
            "type": "table",
            "caption": block.caption,
            "header": [{"label": c.label, "css": _CSS[c.kind]} for c in block.columns],
            "rows": [
                {
                    "style": block.style(i),
                    "cells": [
                        {"text": _cell(v, c.kind, lang), "css": _CSS[c.kind]}
                        for v, c in zip(row, block.columns, strict=True)
                    ],
                }
                for i, row in enumerate(block.rows)
            ],
            "notes": block.notes,
        }
    if isinstance(block, KeyValues):
        return {
            "type": "kv",
            "caption": block.caption,
            "rows": [(label, _cell(v, block.kind, lang)) for label, v in block.rows],
        }
    if isinstance(block, Paragraph):
        return {"type": "p", "text": block.text, "note": block.note}
    if isinstance(block, Chart):
        return {"type": "chart", "title": block.title, "svg": svg_chart(block)}
    raise TypeError(f"not a report block: {type(block).__name__}")


@functools.cache
def _environment() -> jinja2.Environment:
    def load(name: str) -> str:
        return resources.files("zerocity.reports").joinpath("templates", name).read_text(encoding="utf-8")

    env = jinja2.Environment(
        loader=jinja2.FunctionLoader(load),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return install_jinja(env)


def render_html(report: Report) -> str:
    """The HTML (with print CSS) a PDF is made from.

    Parameters
    ----------
    report : Report

    Returns
    -------
    str
        A complete HTML document; charts are inline SVG, nothing is fetched.
    """
    lang = report.lang
    context = {
        "lang": lang,
        "html_lang": LANGUAGES[lang].html,
        "title": report.title,
        "subtitle": report.subtitle,
        "cover": _block_view(report.cover, lang),
        "sections": [
            {"id": f"s{i}", "title": s.title, "wide": s.wide, "blocks": [_block_view(b, lang) for b in s.blocks]}
            for i, s in enumerate(report.sections, start=1)
        ],
        "footer": report.footer,
        "css_title": _css_string(report.title),
        "css_subtitle": _css_string(report.subtitle),
        "css_footer": _css_string(report.footer),
        "css_page": page_counter_css(lang),
    }
    return _environment().get_template(_TEMPLATE).render(**context)


def write_pdf(report: Report, path: str | os.PathLike[str]) -> Path:
    """Write a report as PDF with WeasyPrint.

    Parameters
    ----------
    report : Report
    path : path-like
        Target ``.pdf`` file (its folder must exist).

    Returns
    -------
    pathlib.Path
        ``path``.
    """
    import weasyprint  # slow to import (Pango, fontconfig): only when a PDF is made

    out = Path(path)
    html = render_html(report)
    weasyprint.HTML(string=html, base_url=None).write_pdf(out)
    log.info("wrote PDF report %r to %s", report.title, out)
    return out
