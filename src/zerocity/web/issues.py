"""Validation reports and form errors in the page's language.

The library reports a bad input row as a :class:`zerocity.errors.RecordIssue` (row, column, an
English sentence, the value) and the service as an :class:`~zerocity.service.errors.ApiError`
(status, code, English message, structured details). The dashboard shows them in the page's
language: each English sentence the inventory validation produces is recognised by
:data:`RECORD_RULES` (one rule per kind of issue, with the sentence's variable parts captured)
and rendered from the catalogue message of that kind with row, column, value and the captured
parts filled in. A sentence no rule knows (free text, e.g. a factor search that found nothing)
keeps its English detail after a translated lead (``web_issue_other``), so nothing is lost.
Service errors are rendered the same way, by their code (:data:`API_CODE_IDS`).

The rules follow the sentences of :mod:`zerocity.inventory.records` (``prepare_records`` and the
sector methods' checks), :mod:`zerocity.units` (``parse_unit``),
:mod:`zerocity.service.inventories` (own-entity rows) and the dashboard's own pre-checks;
``tests/web/test_issue_messages.py`` runs real invalid files through the library so that a
changed sentence shows up as an untranslated issue there.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from zerocity.errors import RecordIssue
from zerocity.i18n import N_, format_number

__all__ = [
    "API_CODE_IDS",
    "DIMENSION_IDS",
    "RECORD_RULES",
    "FormIssue",
    "IssueRule",
    "ShownIssue",
    "api_error_text",
    "form_messages",
    "issue_kind",
    "shown_issues",
]

Translate = Callable[..., str]


@dataclass(frozen=True)
class IssueRule:
    """One kind of record issue: the English sentence it is written as, and its catalogue message.

    Attributes
    ----------
    kind : str
        Stable name of the kind (``required_empty``, ``unknown_unit``...).
    pattern : re.Pattern
        Matches the whole English sentence; named groups are the message's parameters.
    msgid : str
        Catalogue message; its placeholders are the named groups plus ``row``, ``column``, ``value``.
    keep_detail : bool
        Also show the English sentence (when part of it cannot be translated, e.g. a list of
        unit examples that the catalogue message summarises).
    """

    kind: str
    pattern: re.Pattern[str]
    msgid: str
    keep_detail: bool = False


def _rule(kind: str, pattern: str, msgid: str, *, keep_detail: bool = False) -> IssueRule:
    return IssueRule(kind, re.compile(pattern, re.S), msgid, keep_detail)


#: The kinds of record issues the dashboard translates, tried in order.
RECORD_RULES: tuple[IssueRule, ...] = (
    _rule("required_empty", r"required value is empty", N_("web_issue_required_empty")),
    _rule(
        "column_missing",
        r"required column (?:is )?missing \((?:columns are|needed by) (?P<detail>.*)\)",
        N_("web_issue_column_missing"),
    ),
    _rule("column_required", r"the column '(?P<name>[^']*)' is required", N_("web_issue_column_required")),
    _rule(
        "column_required_entity",
        r"the column 'entity' is required and must be '(?P<expected>[^']*)'",
        N_("web_issue_column_required_entity"),
    ),
    _rule("not_number", r"expected a number|not a number", N_("web_issue_not_number")),
    _rule("number_min", r"expected a number >= (?P<low>\S+)", N_("web_issue_number_min")),
    _rule("number_max", r"expected a number <= (?P<high>\S+)", N_("web_issue_number_max")),
    _rule("year_range", r"expected a year between (?P<low>\d+) and (?P<high>\d+)", N_("web_issue_year_range")),
    _rule("unknown_gpc", r"unknown GPC reference number \(e\.g\. (?P<examples>[^)]*)\)", N_("web_issue_unknown_gpc")),
    _rule(
        "unknown_activity",
        r"unknown activity id \(see `zerocity factors activities`\)",
        N_("web_issue_unknown_activity"),
    ),
    _rule("unknown_unit", r"unknown unit '(?P<unit>[^']*)': expected a unit such as .*", N_("web_issue_unknown_unit")),
    _rule("malformed_unit", r"unit '(?P<unit>[^']*)' is malformed: .*", N_("web_issue_malformed_unit")),
    _rule("empty_unit", r"empty unit: .*", N_("web_issue_required_empty")),
    _rule(
        "unit_dimension",
        r"expected a unit of (?P<expected_dims>mass, volume or energy), not (?P<found>.+)",
        N_("web_issue_unit_dimension"),
    ),
    _rule("ef_unit_dimension", r"expected gas mass per activity unit .*, not (?P<found>.+)", N_("web_issue_ef_unit")),
    _rule(
        "ef_unit_missing", r"explicit factors \(ef_co2, ef_ch4, ef_n2o\) need ef_unit", N_("web_issue_ef_unit_missing")
    ),
    _rule(
        "negative_amount",
        r"expected a non-negative amount \(only measured rows of V\.2 land may be negative: removals\)",
        N_("web_issue_negative_amount"),
    ),
    _rule("notation_amount", r"a row with a notation key has no amount", N_("web_issue_notation_amount")),
    _rule("negative", r"expected a non-negative (?:factor|carbon content)", N_("web_issue_negative")),
    _rule("percentage", r"expected a percentage >= 0", N_("web_issue_percentage")),
    _rule("unknown_factor", r"no factor with this id in the library", N_("web_issue_unknown_factor")),
    _rule("measured_mass", r"a measured emission is a mass of gas \(t, kg\)", N_("web_issue_measured_mass")),
    _rule("carbon_unit", r"carbon_content needs carbon_unit \(t/t, percent, tC/TJ\)", N_("web_issue_carbon_unit")),
    _rule("duplicate_id", r"duplicate (?:record_id|unit id)", N_("web_issue_duplicate_id")),
    _rule("region", r"expected GLOBAL, a country code \(CN\) or a subdivision code \(CN-JS\)", N_("web_issue_region")),
    _rule(
        "region_subdivision",
        r"unknown subdivision of (?P<country>[A-Z]{2}); expected one of (?P<choices>.+)",
        N_("web_issue_region_subdivision"),
    ),
    _rule(
        "method",
        r"expected factor, mass_balance, measured or a sector method \((?P<choices>[^)]*)\)",
        N_("web_issue_method"),
    ),
    _rule("method_ref", r"method (?P<method>\S+) computes (?P<refs>.+) sources", N_("web_issue_method_ref")),
    _rule(
        "method_activity",
        r"method (?P<method>\S+) expects an activity of category (?P<categories>.+?) \(see .*\)",
        N_("web_issue_method_activity"),
    ),
    _rule(
        "method_unit",
        r"method (?P<method>\S+) needs an amount of (?P<dimensions>.+)",
        N_("web_issue_method_unit"),
    ),
    _rule("method_required", r"required by method (?P<method>\S+)", N_("web_issue_method_required")),
    _rule("own_entity", r"must be your entity '(?P<expected>[^']*)'(?:, got '[^']*')?", N_("web_issue_own_entity")),
    _rule("no_rows", r"the file has no data rows", N_("web_issue_no_rows")),
    _rule("file_type", r"expected a \.csv or \.xlsx file, got '(?P<name>[^']*)'", N_("web_issue_file_type")),
    _rule(
        "file_unreadable", r"cannot read the file: (?P<reason>.*)", N_("web_issue_file_unreadable"), keep_detail=True
    ),
    _rule(
        "reported_entity", r"expected '(?P<expected>[^']*)' \(the reported entity\)", N_("web_issue_reported_entity")
    ),
    _rule("reported_year", r"expected '(?P<expected>[^']*)' \(the reported year\)", N_("web_issue_reported_year")),
    # last: any other "expected a, b or c" sentence (notation keys, quality, flow, a column's choices)
    _rule("choice", r"expected (?:one of )?(?P<choices>[^()']+? or [^()']+?|[^()']+, [^()']+)", N_("web_issue_choice")),
)


@dataclass(frozen=True)
class ShownIssue:
    """A record issue as a page shows it.

    Attributes
    ----------
    row : int
        1-based data row; 0 for the file as a whole.
    column : str
        Column of the input file (a data identifier, shown as is).
    kind : str
        The :class:`IssueRule` kind, or ``other``.
    text : str
        The issue in the page's language.
    detail : str
        The library's English sentence when the text does not say all of it; else empty.
    value : str
        The offending value.
    """

    row: int
    column: str
    kind: str
    text: str
    detail: str
    value: str


def issue_kind(message: str) -> tuple[IssueRule | None, dict[str, str]]:
    """The rule that recognises an English issue sentence and its captured parts ((None, {}) if none)."""
    text = message.strip()
    for rule in RECORD_RULES:
        found = rule.pattern.fullmatch(text)
        if found is not None:
            return rule, {k: v for k, v in found.groupdict().items() if v is not None}
    return None, {}


#: Dimension names of :mod:`zerocity.units` (``dimension_name``) -> message ids.
DIMENSION_IDS: dict[str, str] = {
    "mass": N_("web_dim_mass"),
    "volume": N_("web_dim_volume"),
    "energy": N_("web_dim_energy"),
    "distance": N_("web_dim_distance"),
    "area": N_("web_dim_area"),
    "time": N_("web_dim_time"),
    "money": N_("web_dim_money"),
    "persons": N_("web_dim_persons"),
    "animals": N_("web_dim_animals"),
    "households": N_("web_dim_households"),
    "dimensionless": N_("web_dim_dimensionless"),
}
#: Captured parts that are lists ("a, b or c") or dimension names, shown in the page's language.
_LISTS = ("choices", "categories", "dimensions", "refs", "expected_dims")
_DIMENSIONS = ("found", "dimensions", "expected_dims")


def _dimension(text: str, t: Translate) -> str:
    """``mass/energy`` -> each known part translated; a form not known (pint's raw form) stays as it is."""
    parts = [p.strip() for p in text.split("/")]
    if not all(p in DIMENSION_IDS or p == "1" for p in parts):
        return text
    return "/".join(p if p == "1" else t(DIMENSION_IDS[p]) for p in parts)


def _list(text: str, t: Translate, *, dimensions: bool) -> str:
    """``a, b or c`` joined the page's language's way (``a、b或c``)."""
    items = [i.strip() for i in re.split(r",\s*|\s+or\s+", text) if i.strip()]
    if dimensions:
        items = [_dimension(i, t) for i in items]
    if len(items) < 2:
        return items[0] if items else text
    return t("web_list_or", head=t("web_list_sep").join(items[:-1]), last=items[-1])


def _localise(params: dict[str, str], t: Translate) -> dict[str, str]:
    out = dict(params)
    for key, value in params.items():
        if key in _LISTS:
            out[key] = _list(value, t, dimensions=key in _DIMENSIONS)
        elif key in _DIMENSIONS:
            out[key] = _dimension(value, t)
    return out


def shown_issues(issues: Iterable[RecordIssue], t: Translate) -> list[ShownIssue]:
    """Record issues in the page's language (:func:`issue_kind`; unknown sentences keep their English)."""
    out = []
    for issue in issues:
        rule, params = issue_kind(issue.message)
        if rule is None:
            out.append(
                ShownIssue(issue.row, issue.column, "other", t("web_issue_other"), issue.message, str(issue.value))
            )
            continue
        text = t(rule.msgid, column=issue.column, value=issue.value, row=issue.row, **_localise(params, t))
        detail = issue.message if rule.keep_detail else ""
        out.append(ShownIssue(issue.row, issue.column, rule.kind, text, detail, str(issue.value)))
    return out


@dataclass(frozen=True)
class FormIssue:
    """A form field that could not be used: the field, a message id and its parameters.

    Parameters named ``field`` are message ids of the field's label (translated when shown);
    ``low`` and ``high`` are numbers (formatted in the page's language).
    """

    field: str
    msgid: str
    params: Mapping[str, Any]


def form_messages(issues: Iterable[FormIssue], lang: str, t: Translate) -> list[dict[str, str]]:
    """Form issues in the page's language: ``field`` (the input's name) and ``text``."""
    out = []
    for issue in issues:
        params = dict(issue.params)
        if "field" in params:
            params["field"] = t(str(params["field"]))
        for key in ("low", "high", "floor", "ceiling"):
            value = params.get(key)
            if isinstance(value, int | float):
                params[key] = format_number(value, lang, decimals=0 if float(value).is_integer() else None)
        out.append({"field": issue.field, "text": t(issue.msgid, **params)})
    return out


#: Service error codes -> the message that leads their English detail (or says all of it).
API_CODE_IDS: dict[str, str] = {
    "forbidden": N_("web_api_forbidden"),
    "not_found": N_("web_api_not_found"),
    "conflict": N_("web_api_conflict"),
    "invalid_request": N_("web_api_invalid"),
    "own_entity": N_("web_api_own_entity"),
    "own_report": N_("web_api_own_report"),
    "no_entity": N_("web_api_no_entity"),
    "no_household": N_("web_api_no_household"),
    "insufficient_balance": N_("web_api_insufficient_balance"),
}
#: Codes whose catalogue message says everything (no English detail shown after it).
_COMPLETE = {"own_entity", "own_report", "no_entity", "no_household", "insufficient_balance"}
#: Exact service sentences translated in full.
_API_SENTENCES = {"a rejection needs at least one reason": N_("web_api_reason_needed")}


def api_error_text(code: str, message: str, details: Iterable[Any], lang: str, t: Translate) -> tuple[str, str]:
    """A service error in the page's language: (translated text, English detail or "")."""
    if message in _API_SENTENCES:
        return t(_API_SENTENCES[message]), ""
    if code == "insufficient_balance":
        found = next((d for d in details if isinstance(d, Mapping) and "balance" in d), None)
        if found is not None:
            return t("web_api_insufficient_balance", balance=format_number(found["balance"], lang)), ""
        return t("web_api_other"), message
    msgid = API_CODE_IDS.get(code)
    if msgid is None:
        return t("web_api_other"), message
    return t(msgid), "" if code in _COMPLETE else message
