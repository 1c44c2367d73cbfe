"""Message catalogue of the user-facing text (reports, exports, later the web UI) and locale formatting.

The catalogues are gettext ``.po`` files, ``locale/<lang>/LC_MESSAGES/zerocity.po``, read at run
time with Babel (no compile step). Message ids are stable keys (``col_ref``, ``ent_grade``), not
English text, so the English wording can change without touching code; every id has a non-empty
translation in every catalogue (``tests/i18n`` checks it, and that every id the code and the
templates use is in both).

>>> gettext("zh", "scope_1")
'范围一'
>>> gettext("en", "level_total", level="BASIC")
'Total (BASIC) [tCO2e]'

Placeholders are ``str.format`` fields (``{level}``), flagged ``python-brace-format`` in the files.

In Python code, ids built at run time are declared with :func:`N_` where they are listed, so the
extraction that checks the catalogues finds them. In Jinja2 templates, :func:`install_jinja`
adds ``_("id", **params)`` (language from the template variable ``lang``) and the filters
``number`` and ``percent``.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any, Final

import jinja2
from babel.dates import format_date as _babel_format_date
from babel.messages.pofile import read_po
from babel.numbers import format_decimal

from zerocity.errors import ZerocityError

__all__ = [
    "DOMAIN",
    "LANGUAGES",
    "N_",
    "Language",
    "UnknownLanguageError",
    "catalogue",
    "check_language",
    "format_date",
    "format_number",
    "gettext",
    "install_jinja",
    "po_path",
    "translator",
]

log = logging.getLogger(__name__)

#: gettext domain (file name of the catalogues).
DOMAIN: Final = "zerocity"


@dataclass(frozen=True)
class Language:
    """A supported language.

    Attributes
    ----------
    code : str
        Code used by zerocity (``--lang``): ``en``, ``zh``.
    locale : str
        Babel / CLDR locale of number and date formats.
    html : str
        BCP 47 tag for ``<html lang>``.
    name : str
        Name of the language in itself.
    """

    code: str
    locale: str
    html: str
    name: str


#: Supported languages by code: English and Simplified Chinese.
LANGUAGES: Final[Mapping[str, Language]] = {
    "en": Language("en", "en", "en", "English"),
    "zh": Language("zh", "zh_Hans_CN", "zh-CN", "简体中文"),
}


class UnknownLanguageError(ZerocityError, ValueError):
    """A language with no catalogue."""

    code = "language"


def check_language(lang: str) -> Language:
    """The :class:`Language` of a code.

    Raises
    ------
    UnknownLanguageError
        For a code other than those of :data:`LANGUAGES` (the message lists them).
    """
    try:
        return LANGUAGES[lang]
    except (KeyError, TypeError):
        raise UnknownLanguageError(f"unknown language {lang!r}; expected one of {', '.join(LANGUAGES)}") from None


def N_(msgid: str) -> str:  # noqa: N802 (the gettext convention)
    """Mark a message id for extraction without translating it (returns ``msgid``)."""
    return msgid


def po_path(lang: str) -> Any:
    """The catalogue file of a language (an importlib ``Traversable``)."""
    check_language(lang)
    return resources.files("zerocity.i18n").joinpath("locale", lang, "LC_MESSAGES", f"{DOMAIN}.po")


@functools.cache
def catalogue(lang: str) -> Mapping[str, str]:
    """Message id -> translation of a language, read once from its ``.po`` file.

    Entries with an empty translation or marked fuzzy are left out, so they count as missing.

    Raises
    ------
    UnknownLanguageError
        For an unknown language.
    """
    language = check_language(lang)
    with po_path(lang).open("rb") as fh:
        cat = read_po(fh, locale=language.locale, domain=DOMAIN)
    out: dict[str, str] = {}
    for message in cat:
        if not message.id or message.fuzzy or not isinstance(message.id, str):
            continue
        if isinstance(message.string, str) and message.string:
            out[message.id] = message.string
    log.debug("loaded %d messages of %s", len(out), lang)
    return out


def gettext(lang: str, msgid: str, /, **params: Any) -> str:
    """Translate a message id, filling its ``{placeholders}`` from ``params``.

    Parameters
    ----------
    lang : {"en", "zh"}
    msgid : str
        Message id (a key of the catalogues).
    **params
        Values of the placeholders, formatted with ``str.format`` (format numbers first with
        :func:`format_number` to get the locale's separators).

    Returns
    -------
    str
        The translation; an id missing from the catalogue is returned as itself with a logged
        warning (the catalogue test makes that a CI failure).

    Raises
    ------
    UnknownLanguageError
        For an unknown language.
    KeyError
        When the text has a placeholder that ``params`` does not give.
    """
    text = catalogue(lang).get(msgid)
    if text is None:
        log.warning("message %r has no %s translation", msgid, lang)
        text = msgid
    return text.format(**params) if params else text


def translator(lang: str) -> Callable[..., str]:
    """``_(msgid, **params)`` bound to one language (checked now, not at the first call)."""
    check_language(lang)
    return functools.partial(gettext, lang)


# --------------------------------------------------------------------------- formats
def _decimals(value: float) -> int:
    """Decimals shown for a value of 1 or more (zerocity's choice: about five significant digits)."""
    size = abs(value)
    if size >= 10_000 or size == 0:
        return 0
    if size >= 100:
        return 1
    return 2


def format_number(value: Any, lang: str, *, decimals: int | None = None) -> str:
    """A number in a language's conventions (grouping and decimal signs from CLDR via Babel).

    Parameters
    ----------
    value : float or int or None
        The number (any unit: the caller writes the unit).
    lang : {"en", "zh"}
    decimals : int, optional
        Fixed number of decimals; by default 0 from 10,000 up, 1 from 100, 2 from 1, and below 1
        three significant digits without trailing zeros (0.005, 0.0001; at most 8 decimals). A
        zerocity choice: about five significant digits in tables of emissions.

    Returns
    -------
    str
        ``""`` for None, NaN or an infinite value.
    """
    language = check_language(lang)
    if value is None:
        return ""
    try:
        v = float(value)
    except (TypeError, ValueError):
        return str(value)
    if not math.isfinite(v):
        return ""
    if isinstance(value, int) and not isinstance(value, bool) and decimals is None:
        return format_decimal(value, format="#,##0", locale=language.locale)
    if decimals is None and 0 < abs(v) < 1:
        n = min(8, 2 - math.floor(math.log10(abs(v))))
        rounded = round(v, n)
        if rounded == 0:
            return "0"
        return format_decimal(rounded, format="0." + "#" * n, locale=language.locale)
    n = _decimals(v) if decimals is None else decimals
    pattern = "#,##0" + ("." + "0" * n if n else "")
    rounded = round(v, n)
    if rounded == 0:
        return "0"
    return format_decimal(rounded, format=pattern, locale=language.locale, decimal_quantization=True)


def format_date(value: dt.date, lang: str) -> str:
    """A date in the long form of a language (``26 November 2026``, ``2026年11月26日``)."""
    language = check_language(lang)
    return _babel_format_date(value, format="long", locale=language.locale)


# --------------------------------------------------------------------------- Jinja2
@jinja2.pass_context
def _jinja_gettext(context: Any, msgid: str, **params: Any) -> str:
    return gettext(context["lang"], msgid, **params)


@jinja2.pass_context
def _jinja_number(context: Any, value: Any, decimals: int | None = None) -> str:
    return format_number(value, context["lang"], decimals=decimals)


def install_jinja(env: jinja2.Environment) -> jinja2.Environment:
    """Add ``_()`` and the ``number`` filter to a Jinja2 environment (language: template variable ``lang``).

    One environment serves every language: each render passes its own ``lang``.

    Returns
    -------
    jinja2.Environment
        ``env``.
    """
    env.globals["_"] = _jinja_gettext
    env.filters["number"] = _jinja_number
    return env
