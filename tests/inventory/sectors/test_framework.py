"""The sector-method framework: parameters from the library, overrides, qualifiers, history years."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from zerocity.cli import app
from zerocity.errors import FactorSetError, InvalidRecordsError
from zerocity.factors.library import default_library
from zerocity.inventory.engine import compute_inventory
from zerocity.inventory.sectors import METHODS, MethodColumn, MethodContext, SectorMethod, register
from zerocity.units import parse_unit

SOURCE = {
    "source_publisher": "test",
    "source_document": "hand-made",
    "source_table": "n/a",
    "source_year": "2024",
}


def carbonate_rows(**extra: list[object]) -> pd.DataFrame:
    base = {
        "year": [2024, 2024],
        "gpc_ref": ["IV.1", "IV.1"],
        "activity": ["calcite", "calcite"],
        "amount": [100.0, 100.0],
        "unit": ["t", "kt"],
        "method": ["carbonate", "carbonate"],
    }
    base.update(extra)
    return pd.DataFrame(base)


def test_units_of_the_sector_methods() -> None:
    assert parse_unit("mu").to(parse_unit("ha")) == pytest.approx(1 / 15)
    assert parse_unit("wan_head").to(parse_unit("head")) == pytest.approx(1e4)
    assert parse_unit("kg/head/yr").dimension == "mass/animals/time"
    assert parse_unit("1/yr").dimension == "1/time"
    assert parse_unit("g/person/d").to(parse_unit("kg/person/yr")) == pytest.approx(365.25e-3)
    with pytest.raises(Exception, match="cannot convert"):
        parse_unit("head").to(parse_unit("person"))


def test_library_parameter_with_unit_conversion_and_override() -> None:
    # 100 t and 100 kt of CaCO3 at the stoichiometric 44.0095/100.0869 t CO2/t (IPCC Vol. 3 Table 2.1).
    ef = 0.43971
    result = compute_inventory(carbonate_rows(carbonate_ef=["", "0.4"]), region="CN")
    totals = result.record_totals()["CO2"].to_numpy()
    assert totals == pytest.approx([100 * ef, 100_000 * 0.4])
    ids = result.record_factor_ids()
    assert ids[0] == "IPCC2006-V3-T2.1-calcite"
    assert ids[1] == "row"  # the row gives its own value, as for explicit factors
    assert "IPCC2006-V3-T2.1-calcite" in result.factor_ids and "row" not in result.factor_ids


def _user_set(rows: list[dict[str, str]]) -> pd.DataFrame:
    return pd.DataFrame([{**SOURCE, **r} for r in rows])


def test_qualifier_preferred_then_generic() -> None:
    lib = default_library().with_user_set(
        _user_set(
            [
                {
                    "factor_id": "U-kiln-a",
                    "parameter": "carbonate_ef",
                    "activity": "calcite",
                    "qualifier": "kiln_a",
                    "value": "0.40",
                    "unit": "t/t",
                    "region": "GLOBAL",
                },
            ]
        ),
        name="mine",
    )
    a = lib.resolve("carbonate_ef", "calcite", region="CN", year=2024, qualifier="kiln_a", gpc_ref="IV.1")
    assert a.winner is not None and a.winner.factor_id == "U-kiln-a"
    # No record with this qualifier: the generic (unqualified) value applies.
    b = lib.resolve("carbonate_ef", "calcite", region="CN", year=2024, qualifier="kiln_b", gpc_ref="IV.1")
    assert b.winner is not None and b.winner.factor_id == "IPCC2006-V3-T2.1-calcite"
    # Without a qualifier a qualified record never applies.
    c = lib.resolve("carbonate_ef", "calcite", region="CN", year=2024, gpc_ref="IV.1")
    assert c.winner is not None and c.winner.factor_id == "IPCC2006-V3-T2.1-calcite"


def test_user_set_parameter_names_and_dimensions_are_checked() -> None:
    with pytest.raises(FactorSetError, match="row 1, column 'parameter'"):
        default_library().with_user_set(
            _user_set(
                [
                    {
                        "factor_id": "U1",
                        "parameter": "no_such_parameter",
                        "activity": "calcite",
                        "value": "1",
                        "unit": "t/t",
                        "region": "GLOBAL",
                    }
                ]
            ),
            name="bad",
        )
    with pytest.raises(FactorSetError, match="a carbonate_ef needs a unit of dimension dimensionless, not mass"):
        default_library().with_user_set(
            _user_set(
                [
                    {
                        "factor_id": "U1",
                        "parameter": "carbonate_ef",
                        "activity": "calcite",
                        "value": "1",
                        "unit": "t",
                        "region": "GLOBAL",
                    }
                ]
            ),
            name="bad",
        )


def test_registry_refuses_duplicates_and_kind_conflicts() -> None:
    with pytest.raises(ValueError, match="already registered"):
        register(METHODS["carbonate"])
    clash = SectorMethod(
        name="clash_test",
        title="",
        gpc_refs=("IV.1",),
        activity_categories=("carbonate",),
        amount_dimensions=("mass",),
        columns=(MethodColumn("carbonate_ef", "text", "same name, other kind"),),
        compute=lambda rows, ctx: None,
        reference="",
    )
    with pytest.raises(ValueError, match="elsewhere a number"):
        register(clash)
    assert "clash_test" not in METHODS


def _deposits_method() -> SectorMethod:
    """A toy history method: each deposit emits 1 t CH4 in every later inventory year."""

    def compute(rows: pd.DataFrame, ctx: MethodContext) -> None:
        years = np.array(ctx.years)
        later = rows["year"].to_numpy()[:, None] < years[None, :]
        r, y = np.nonzero(later)
        ctx.emit(rows, "CH4", np.ones(len(r)), year=years[y], positions=r)

    return SectorMethod(
        name="toy_history",
        title="toy",
        gpc_refs=("III.1",),
        activity_categories=("carbonate",),
        amount_dimensions=("mass",),
        columns=(),
        compute=compute,
        reference="test",
        history=True,
    )


def test_history_rows_emit_in_the_inventory_years(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(METHODS, "toy_history", _deposits_method())
    rows = pd.DataFrame(
        {
            "year": [2020, 2021, 2022, 2023],
            "gpc_ref": ["III.1.1", "III.1.1", "III.1.1", "I.1.1"],
            "activity": ["calcite", "calcite", "calcite", "natural_gas"],
            "amount": [1.0, 1.0, 1.0, 1.0],
            "unit": ["t", "t", "t", "TJ"],
            "method": ["toy_history", "toy_history", "toy_history", "factor"],
        }
    )
    # Default years: only the factor row's year (2023); the deposits 2020-2022 each emit 1 t then.
    result = compute_inventory(rows, region="GLOBAL", gwp="AR5")
    assert result.years == (2023,)
    by_year = result.by_year()
    assert list(by_year) == ["2023"]
    ch4 = result.emissions[result.emissions["gas"] == "CH4"]
    assert ch4.loc[ch4["activity"] == "calcite", "tonnes"].sum() == pytest.approx(3.0)
    # Explicit years: the deposits emit in each later year; the 2023 factor row is left out of 2022.
    result = compute_inventory(rows, region="GLOBAL", years=[2021, 2022])
    assert result.years == (2021, 2022)
    e = result.emissions
    assert sorted(e["year"].unique().tolist()) == [2021, 2022]
    assert e.loc[e["year"] == 2021, "tonnes"].sum() == pytest.approx(1.0)  # the 2020 deposit
    assert e.loc[e["year"] == 2022, "tonnes"].sum() == pytest.approx(2.0)  # 2020 and 2021 deposits
    assert result.by_year()["2022"]["basic_tco2e"] == pytest.approx(2.0 * 28)  # CH4 GWP AR5 = 28
    records = result.records_json()
    assert records[0]["emission_years"] == {"2021": pytest.approx(28.0), "2022": pytest.approx(28.0)}
    assert "emission_years" not in records[3]


def test_method_rows_are_validated_by_their_declaration() -> None:
    rows = carbonate_rows(calcination_fraction=["2", "x"], gpc_ref=["I.1.1", "IV.1"], unit=["t", "head"])
    with pytest.raises(InvalidRecordsError) as exc:
        compute_inventory(rows, region="CN")
    found = {(i.row, i.column): i.message for i in exc.value.issues}
    assert "expected a number <= 1" in found[(1, "calcination_fraction")]
    assert found[(2, "calcination_fraction")] == "expected a number"
    assert "method carbonate computes IV.1 sources" in found[(1, "gpc_ref")]
    assert "needs an amount of mass" in found[(2, "unit")]


def test_unknown_method_lists_the_sector_methods() -> None:
    with pytest.raises(InvalidRecordsError, match="carbonate"):
        compute_inventory(carbonate_rows(method=["landfil", "carbonate"]), region="CN")


def test_cli_lists_methods_and_filters_years(tmp_path) -> None:  # type: ignore[no-untyped-def]
    runner = CliRunner()
    res = runner.invoke(app, ["inventory", "methods", "--json"])
    assert res.exit_code == 0, res.output
    names = {d["method"] for d in json.loads(res.output)}
    assert {"factor", "mass_balance", "measured", "carbonate"} <= names
    res = runner.invoke(app, ["inventory", "methods", "carbonate"])
    assert res.exit_code == 0 and "calcination_fraction" in res.output
    path = tmp_path / "r.csv"
    frame = carbonate_rows()
    frame.loc[1, "year"] = 2023
    frame.to_csv(path, index=False)
    res = runner.invoke(app, ["inventory", "compute", str(path), "--region", "CN", "--year", "2024", "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.output)
    assert list(doc["by_year"]) == ["2024"]
    assert doc["total_tco2e"] == pytest.approx(0.0)  # IV.1 is BASIC+; BASIC total is zero
    assert doc["basic_plus_tco2e"] == pytest.approx(100 * 0.43971)
