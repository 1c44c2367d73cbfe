"""The message catalogue: complete in both languages, every id the code uses exists, formats per locale."""

from __future__ import annotations

import datetime as dt
import logging
import re
import string
from pathlib import Path

import jinja2
import pytest

import zerocity
from zerocity.i18n import (
    LANGUAGES,
    UnknownLanguageError,
    catalogue,
    format_date,
    format_number,
    gettext,
    install_jinja,
    translator,
)

SRC = Path(zerocity.__file__).parent

# Ways the code names a message id (see zerocity.i18n): N_("id") anywhere; t("id") / t('id') in
# modules that import the translator; gettext(lang, "id"); _("id") in Jinja templates.
_N = re.compile(r"""\bN_\(\s*["']([^"']+)["']""")
_T = re.compile(r"""\bt\(\s*["']([A-Za-z0-9_.]+)["']""")
_GETTEXT = re.compile(r"""\bgettext\(\s*\w+\s*,\s*["']([^"']+)["']""")
_JINJA = re.compile(r"""\b_\(\s*["']([^"']+)["']""")
# The dashboard's notice pages: message(page, "id", status) in zerocity/web.
_WEB_MESSAGE = re.compile(r"""\bmessage\(\s*\w+\s*,\s*["']([^"']+)["']""")


def used_ids() -> dict[str, set[str]]:
    """Message id -> files using it, from every module and template of the package."""
    found: dict[str, set[str]] = {}

    def add(ids: list[str], path: Path) -> None:
        for msgid in ids:
            found.setdefault(msgid, set()).add(str(path.relative_to(SRC)))

    for path in SRC.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        add(_N.findall(text) + _GETTEXT.findall(text), path)
        if "zerocity.i18n" in text:
            add(_T.findall(text), path)
        if path.parent.name == "web":
            add(_WEB_MESSAGE.findall(text), path)
    for path in SRC.rglob("*.j2"):
        add(_JINJA.findall(path.read_text(encoding="utf-8")), path)
    return found


def test_extraction_finds_the_ids_of_every_kind_of_use():
    ids = used_ids()
    assert "col_ref" in ids  # N_ in inventory/export.py
    assert "ent_reason_text" in ids  # t(...) in reports/enterprise.py
    assert "page_counter" in ids  # gettext(lang, ...) in reports/pdf.py
    assert "contents" in ids  # _() in reports/templates/report.html.j2
    assert "note_offline" in ids  # _() in inventory/templates/summary.html.j2
    assert "web_forbidden" in ids  # message(page, ...) in web/pages.py
    assert "web_nav_overview" in ids  # N_ in web/pages.py
    assert "web_login_failed" in ids  # page.t(...) in web/pages.py
    assert "web_skip" in ids  # _() in web/templates/base.html.j2
    assert len(ids) > 200


@pytest.mark.parametrize("lang", sorted(LANGUAGES))
def test_every_id_used_has_a_translation(lang):
    messages = catalogue(lang)
    missing = {msgid: sorted(files) for msgid, files in used_ids().items() if not messages.get(msgid)}
    assert not missing, f"ids without a {lang} translation: {missing}"


def test_both_catalogues_have_the_same_ids_and_no_empty_text():
    en, zh = catalogue("en"), catalogue("zh")
    assert set(en) == set(zh)
    assert all(v.strip() for v in en.values()) and all(v.strip() for v in zh.values())


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_placeholders_agree_between_languages():
    en, zh = catalogue("en"), catalogue("zh")
    differ = {k: (_fields(en[k]), _fields(zh[k])) for k in en if _fields(en[k]) != _fields(zh[k])}
    assert not differ


def test_chinese_text_is_chinese():
    assert gettext("zh", "scope_1") == "范围一"
    assert gettext("zh", "inv_report_title") == "城市温室气体清单报告"
    assert gettext("en", "level_total", level="BASIC+") == "Total (BASIC+) [tCO2e]"
    assert gettext("zh", "level_total", level="BASIC+") == "合计（BASIC+）[tCO2e]"


def test_every_sector_method_has_a_title():
    from zerocity.inventory.sectors.registry import METHODS
    from zerocity.reports.inventory import SECTOR_METHOD_TITLES

    assert set(SECTOR_METHOD_TITLES) == set(METHODS)


def test_unknown_language_is_a_clear_value_error():
    with pytest.raises(UnknownLanguageError, match=r"unknown language 'fr'; expected one of en, zh"):
        gettext("fr", "scope_1")
    with pytest.raises(ValueError, match="language"):
        translator("de")


def test_missing_id_comes_back_as_itself_with_a_warning(caplog):
    with caplog.at_level(logging.WARNING, logger="zerocity.i18n"):
        assert gettext("en", "no_such_message_id") == "no_such_message_id"
    assert "no_such_message_id" in caplog.text


@pytest.mark.parametrize(
    ("value", "lang", "decimals", "expected"),
    [
        (79_662_400.97, "en", None, "79,662,401"),  # >= 10,000: no decimals, grouped
        (79_662_400.97, "zh", None, "79,662,401"),  # CLDR zh_Hans_CN groups by three with ','
        (1234.56, "en", None, "1,234.6"),
        (61.2665, "en", None, "61.27"),
        (0.0001, "en", None, "0.0001"),  # below 1: three significant digits
        (0.0612665, "en", None, "0.0613"),
        (-0.0, "en", None, "0"),
        (5, "en", None, "5"),  # an int stays an int
        (12.3456, "en", 1, "12.3"),
        (float("nan"), "en", None, ""),
        (None, "zh", None, ""),
    ],
)
def test_format_number(value, lang, decimals, expected):
    assert format_number(value, lang, decimals=decimals) == expected


def test_format_date():
    day = dt.date(2026, 11, 26)
    assert format_date(day, "zh") == "2026年11月26日"
    assert format_date(day, "en") == "November 26, 2026"


def test_jinja_installation_uses_the_render_language():
    env = install_jinja(jinja2.Environment(autoescape=True))
    template = env.from_string('{{ _("scope_2") }} {{ value | number }} {{ _("note_level", level="BASIC") }}')
    assert template.render(lang="en", value=1234.56) == (
        "Scope 2 1,234.6 Totals by scope, sector and year count the sources of the BASIC level."
    )
    assert (
        template.render(lang="zh", value=1234.56) == "范围二 1,234.6 按范围、部门和年份的合计只计入BASIC级别的排放源。"
    )
