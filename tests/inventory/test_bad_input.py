"""Every invalid input is an InvalidRecordsError naming the 1-based data row and the column.

Each case is a three-row file whose middle row (data row 2) carries one mistake, so a wrong
row count (0-based, header-based) is caught. Records are given as text, as read from a CSV.
Nothing may be returned when any row is invalid.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from zerocity.errors import InvalidRecordsError
from zerocity.factors import default_library
from zerocity.inventory import compute_inventory, prepare_records, read_records

GOOD = {"year": "2020", "gpc_ref": "I.1.1", "activity": "natural_gas", "amount": "1", "unit": "TJ"}
BAD_ROW = 2  # 1-based data row of the mistake (the header is row 0)


def three_rows(**bad: str) -> pd.DataFrame:
    rows = [dict(GOOD), {**GOOD, **bad}, dict(GOOD)]
    df = pd.DataFrame(rows)
    return df.astype(object).where(df.notna(), "").astype(str)


def via_prepare(frame: pd.DataFrame) -> object:
    return prepare_records(frame, library=default_library(), source="records.csv")


def via_compute(frame: pd.DataFrame) -> object:
    return compute_inventory(frame, source="records.csv")


ENTRY_POINTS = [pytest.param(via_prepare, id="prepare_records"), pytest.param(via_compute, id="compute_inventory")]


def issues_of(call: Callable[[pd.DataFrame], object], frame: pd.DataFrame) -> list[tuple[int, str]]:
    with pytest.raises(InvalidRecordsError) as info:
        call(frame)
    err = info.value
    assert err.source == "records.csv"
    assert "nothing was computed" in str(err)
    return [(i.row, i.column) for i in err.issues]


# Validation errors: (id, bad cells of row 2, column expected in the issue).
VALIDATION_CASES = [
    ("unknown-unit", {"unit": "bananas_per_fortnight"}, "unit"),
    ("unit-not-mass-volume-energy", {"unit": "km"}, "unit"),
    ("negative-amount", {"amount": "-5"}, "amount"),
    ("non-numeric-amount", {"amount": "twelve"}, "amount"),
    ("empty-amount", {"amount": ""}, "amount"),
    ("unknown-activity", {"activity": "unobtainium"}, "activity"),
    ("unknown-gpc-ref", {"gpc_ref": "I.9.9"}, "gpc_ref"),
    ("empty-gpc-ref", {"gpc_ref": ""}, "gpc_ref"),
    ("missing-year", {"year": ""}, "year"),
    ("year-before-1900", {"year": "1850"}, "year"),
    ("year-after-2100", {"year": "2200"}, "year"),
    ("fractional-year", {"year": "2020.5"}, "year"),
    ("non-numeric-year", {"year": "last year"}, "year"),
    ("bad-notation", {"notation": "XX", "activity": "", "amount": "", "unit": ""}, "notation"),
    ("notation-with-amount", {"notation": "NO", "amount": "5"}, "amount"),
    ("explicit-factor-without-ef-unit", {"ef_co2": "50000"}, "ef_unit"),
    ("ef-unit-not-a-ratio", {"ef_co2": "50000", "ef_unit": "TJ"}, "ef_unit"),
    ("negative-explicit-factor", {"ef_co2": "-1", "ef_unit": "kg/TJ"}, "ef_co2"),
    ("unknown-factor-id", {"factor_id": "NO-SUCH-FACTOR-1"}, "factor_id"),
    ("unknown-method", {"method": "guess"}, "method"),
    ("unknown-quality", {"quality": "great"}, "quality"),
    ("negative-uncertainty", {"activity_uncertainty_pct": "-3"}, "activity_uncertainty_pct"),
    ("measured-in-energy", {"method": "measured", "activity": "", "unit": "TJ"}, "unit"),
    ("carbon-content-without-unit", {"method": "mass_balance", "unit": "t", "carbon_content": "0.8"}, "carbon_unit"),
    (
        "bad-flow",
        {"method": "mass_balance", "unit": "t", "carbon_content": "0.8", "carbon_unit": "t/t", "flow": "sideways"},
        "flow",
    ),
]


@pytest.mark.parametrize("call", ENTRY_POINTS)
@pytest.mark.parametrize(("bad", "column"), [pytest.param(b, c, id=i) for i, b, c in VALIDATION_CASES])
def test_validation_error_names_row_and_column(
    call: Callable[[pd.DataFrame], object], bad: dict[str, str], column: str
) -> None:
    issues = issues_of(call, three_rows(**bad))
    assert (BAD_ROW, column) in issues
    # Only the bad row is blamed.
    assert {row for row, _ in issues} == {BAD_ROW}


@pytest.mark.parametrize("call", ENTRY_POINTS)
def test_issue_carries_value_and_message(call: Callable[[pd.DataFrame], object]) -> None:
    with pytest.raises(InvalidRecordsError) as info:
        call(three_rows(amount="-5"))
    (issue,) = info.value.issues
    assert issue.value == "-5"
    assert "non-negative" in issue.message
    assert "row 2, column 'amount'" in str(info.value)


@pytest.mark.parametrize("call", ENTRY_POINTS)
def test_duplicate_record_id(call: Callable[[pd.DataFrame], object]) -> None:
    frame = pd.DataFrame([{**GOOD, "record_id": "A"}, {**GOOD, "record_id": "B"}, {**GOOD, "record_id": "A"}])
    issues = issues_of(call, frame)
    # The second occurrence (data row 3) is the duplicate.
    assert issues == [(3, "record_id")]


@pytest.mark.parametrize("call", ENTRY_POINTS)
@pytest.mark.parametrize("column", ["year", "gpc_ref"])
def test_missing_required_column(call: Callable[[pd.DataFrame], object], column: str) -> None:
    frame = three_rows().drop(columns=[column])
    issues = issues_of(call, frame)
    # A missing column is a header problem: row 0.
    assert issues == [(0, column)]


@pytest.mark.parametrize("call", ENTRY_POINTS)
def test_missing_amount_column_flags_every_data_row(call: Callable[[pd.DataFrame], object]) -> None:
    issues = issues_of(call, three_rows().drop(columns=["amount"]))
    assert issues == [(1, "amount"), (2, "amount"), (3, "amount")]


@pytest.mark.parametrize("call", ENTRY_POINTS)
def test_several_bad_rows_all_reported(call: Callable[[pd.DataFrame], object]) -> None:
    rows = [
        dict(GOOD),  # 1: fine
        {**GOOD, "amount": "-1"},  # 2
        {**GOOD, "unit": "bananas_per_fortnight"},  # 3
        {**GOOD, "gpc_ref": "Z.1", "year": "1066"},  # 4: two mistakes
        dict(GOOD),  # 5: fine
        {**GOOD, "activity": "unobtainium"},  # 6
        {**GOOD, "notation": "maybe", "activity": "", "amount": "", "unit": ""},  # 7
    ]
    issues = issues_of(call, pd.DataFrame(rows))
    assert issues == [
        (2, "amount"),
        (3, "unit"),
        (4, "gpc_ref"),
        (4, "year"),
        (6, "activity"),
        (7, "notation"),
    ]


def test_csv_file_rows_are_data_rows(tmp_path: Path) -> None:
    path = tmp_path / "city_2020.csv"
    path.write_text(
        "year,gpc_ref,activity,amount,unit\n"
        "2020,I.1.1,natural_gas,1,TJ\n"
        "2020,I.1.1,natural_gas,abc,TJ\n"
        "2020,I.1.1,natural_gas,1,furlongz\n",
        encoding="utf-8",
    )
    frame = read_records(path)
    with pytest.raises(InvalidRecordsError) as info:
        compute_inventory(frame, source=path.name)
    assert [(i.row, i.column) for i in info.value.issues] == [(2, "amount"), (3, "unit")]
    assert "city_2020.csv" in str(info.value)


def test_notation_row_without_amount_is_valid() -> None:
    # The counterpart of the notation errors: a proper notation row computes to nothing.
    frame = three_rows(notation="NO", activity="", amount="", unit="")
    result = compute_inventory(frame)
    assert result.to_dict()["by_gpc_ref"]["I.1.1"]["notation"] == ["NO"]


# ------------------------------------------------------------------ errors found while computing


def _electricity_library():
    # A user grid factor so that electricity_grid has a factor whatever the shipped data hold.
    factor = {
        "factor_id": "TEST-BAD-INPUT-ELEC",
        "parameter": "ef",
        "activity": "electricity_grid",
        "gas": "CO2",
        "value": "0.5",
        "unit": "t/MWh",
        "region": "GLOBAL",
        "source_publisher": "Test",
        "source_document": "Synthetic",
        "source_table": "T1",
        "source_year": "2023",
    }
    return default_library().with_user_set(pd.DataFrame([factor]), name="bad_input_elec")


def test_unit_that_does_not_fit_the_factor_is_reported_on_its_row() -> None:
    # electricity_grid in tonnes: the factor is per MWh and no NCV turns tonnes into MWh.
    frame = three_rows(activity="electricity_grid", unit="t", gpc_ref="I.1.2")
    with pytest.raises(InvalidRecordsError) as info:
        compute_inventory(frame, library=_electricity_library(), source="records.csv")
    rows = {i.row for i in info.value.issues}
    assert rows == {BAD_ROW}


@pytest.mark.parametrize(
    "bad",
    [
        pytest.param({"activity": "electricity_grid", "unit": "t", "gpc_ref": "I.1.2"}, id="electricity-in-t"),
        pytest.param({"unit": "m3"}, id="natural-gas-in-m3-without-volume-ncv"),
    ],
)
def test_unit_that_does_not_fit_the_factor_names_unit_column(bad: dict[str, str]) -> None:
    with pytest.raises(InvalidRecordsError) as info:
        compute_inventory(three_rows(**bad), library=_electricity_library(), source="records.csv")
    assert {(i.row, i.column) for i in info.value.issues} == {(BAD_ROW, "unit")}


def test_no_factor_for_activity_is_reported_on_its_row() -> None:
    # steam has no emission factor in the GLOBAL region of the shipped library.
    assert default_library().resolve("ef", "steam", gas="CO2", year=2020).winner is None
    frame = three_rows(activity="steam", unit="t", gpc_ref="I.1.2")
    with pytest.raises(InvalidRecordsError) as info:
        compute_inventory(frame, source="records.csv")
    assert [(i.row, i.column) for i in info.value.issues] == [(BAD_ROW, "activity")]
    assert "steam" in info.value.issues[0].message


def test_unknown_gas_of_measured_row() -> None:
    rows = [
        {"year": "2020", "gpc_ref": "IV.1", "method": "measured", "gas": "CO2", "amount": "1", "unit": "t"},
        {"year": "2020", "gpc_ref": "IV.1", "method": "measured", "gas": "XYZ", "amount": "1", "unit": "t"},
    ]
    with pytest.raises(InvalidRecordsError) as info:
        compute_inventory(pd.DataFrame(rows), source="records.csv")
    assert [(i.row, i.column) for i in info.value.issues] == [(2, "gas")]


def test_validation_and_factor_errors_reported_together() -> None:
    rows = [
        {**GOOD, "amount": "-1"},  # 1: validation error
        dict(GOOD),  # 2: fine
        {**GOOD, "activity": "steam", "unit": "t", "gpc_ref": "I.1.2"},  # 3: no factor
    ]
    with pytest.raises(InvalidRecordsError) as info:
        compute_inventory(pd.DataFrame(rows), source="records.csv")
    assert {i.row for i in info.value.issues} == {1, 3}


def test_unknown_region_codes_are_refused_with_the_listed_ones() -> None:
    # regions.csv lists every subdivision of CN, so CN-XX cannot be one; DE-BY (Bavaria) is a
    # well-formed ISO 3166-2 code of a country the library does not list, and is accepted.
    frame = pd.DataFrame(
        {
            "year": [2022] * 4,
            "gpc_ref": ["I.1.1"] * 4,
            "activity": ["natural_gas"] * 4,
            "amount": [1.0] * 4,
            "unit": ["TJ"] * 4,
            "region": ["CN-XX", "DE-BY", "cn-js", "Jiangsu"],
        }
    )
    with pytest.raises(InvalidRecordsError) as info:
        prepare_records(frame, library=default_library(), source="records.csv")
    issues = {(i.row, i.column): i.message for i in info.value.issues}
    assert set(issues) == {(1, "region"), (4, "region")}
    assert "CN-JS" in issues[(1, "region")]


def test_corrupt_xlsx_is_a_clear_file_error(tmp_path) -> None:
    from zerocity.inventory.records import RecordFileError

    bad = tmp_path / "records.xlsx"
    bad.write_bytes(b"PK\x03\x04 this is not a workbook")
    with pytest.raises(RecordFileError, match=r"records\.xlsx: cannot read"):
        read_records(bad)
