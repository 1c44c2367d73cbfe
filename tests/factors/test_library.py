"""Factor resolution rules of zerocity.factors.library, one rule per test.

Each test builds a small synthetic user factor set as a DataFrame (ids prefixed ``TEST-``, values
chosen so that every record is distinguishable) and adds it with
``default_library().with_user_set(...)``. The rule under test is the module docstring of
``zerocity/factors/library.py``:

1. distance in years from the validity window (a valid factor always wins);
2. a user's own set before shipped sets (most recently loaded first);
3. region: subdivision, grid region, country, GLOBAL;
4. sector: a factor for the record's GPC sector before a generic one;
5. latest valid_from, higher tier, factor id.

Deprecated records are never chosen; when an activity has no record, its IPCC proxy is used.
Shipped values quoted here: IPCC 2006 Vol.2 Ch.2 Table 2.3 (manufacturing industries and
construction) coal CH4 10 kg/TJ, N2O 1.5 kg/TJ; Table 1.4 natural gas CO2 56 100 kg/TJ.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from zerocity.errors import FactorNotFoundError, FactorSetError
from zerocity.factors import default_library, read_factor_file
from zerocity.factors.library import FactorLibrary
from zerocity.inventory import compute_inventory

# Factor values are read back from a CSV-like table; they must survive exactly.
REL = 1e-12


def factor_row(
    factor_id: str,
    value: float | str,
    *,
    parameter: str = "ef",
    activity: str = "natural_gas",
    gas: str = "CO2",
    unit: str = "kg/TJ",
    region: str = "GLOBAL",
    valid_from: str = "",
    valid_to: str = "",
    sector: str = "",
    deprecated: str = "false",
) -> dict[str, str]:
    return {
        "factor_id": factor_id,
        "parameter": parameter,
        "activity": activity,
        "gas": gas,
        "value": str(value),
        "unit": unit,
        "region": region,
        "valid_from": valid_from,
        "valid_to": valid_to,
        "sector": sector,
        "tier": "2",
        "uncertainty_lower_pct": "",
        "uncertainty_upper_pct": "",
        "source_publisher": "Test city energy office",
        "source_document": "Synthetic factor set for unit tests",
        "source_table": "Table 1",
        "source_year": "2023",
        "licence": "",
        "deprecated": deprecated,
        "notes": "",
    }


def user_library(*rows: dict[str, str], name: str = "test_user_set", base: FactorLibrary | None = None):
    lib = base if base is not None else default_library()
    return lib.with_user_set(pd.DataFrame(list(rows)), name=name, version="1")


def vacant_activity() -> str:
    """An activity of the vocabulary with no shipped ef/CO2 record (itself or via its proxy).

    Resolution tests that must not compete with shipped data (nearest year, deprecated only)
    use it, so new shipped datasets cannot change their outcome.
    """
    lib = default_library()
    for act in sorted(lib.activities):
        if not lib.resolve("ef", act, gas="CO2", year=2020).candidates:
            return act
    pytest.skip("every activity has a shipped CO2 factor")
    raise AssertionError  # unreachable


# ------------------------------------------------------------------ rule 3: region


def test_subdivision_before_country_before_global() -> None:
    lib = user_library(
        factor_row("TEST-REG-GLOBAL", 52000),
        factor_row("TEST-REG-CN", 51000, region="CN"),
        factor_row("TEST-REG-CN-JS", 50000, region="CN-JS"),
    )
    # Jiangsu: its own subdivision factor.
    res = lib.resolve("ef", "natural_gas", gas="CO2", gpc_ref="I.1.1", region="CN-JS", year=2020)
    assert res.winner is not None
    assert res.winner.factor_id == "TEST-REG-CN-JS"
    assert res.winner.value == pytest.approx(50000, rel=REL)
    # Guangdong: no subdivision factor, so the country one.
    res = lib.resolve("ef", "natural_gas", gas="CO2", gpc_ref="I.1.1", region="CN-GD", year=2020)
    assert res.winner.factor_id == "TEST-REG-CN"
    # Another country: only GLOBAL is on its chain.
    res = lib.resolve("ef", "natural_gas", gas="CO2", gpc_ref="I.1.1", region="US", year=2020)
    assert res.winner.factor_id == "TEST-REG-GLOBAL"


def test_region_chain_ends_with_global_most_specific_first() -> None:
    chain = default_library().region_chain("CN-JS")
    assert chain[0] == "CN-JS"
    assert chain[-1] == "GLOBAL"
    assert chain.index("CN") < chain.index("GLOBAL")


# ------------------------------------------------------------------ rule 4: sector


def test_sector_specific_before_generic() -> None:
    lib = user_library(
        factor_row("TEST-SEC-GENERIC", 7, gas="CH4"),
        factor_row("TEST-SEC-I3", 11, gas="CH4", sector="I.3"),
    )
    res = lib.resolve("ef", "natural_gas", gas="CH4", gpc_ref="I.3.1", region="GLOBAL", year=2020)
    assert res.winner.factor_id == "TEST-SEC-I3"
    assert res.winner.value == pytest.approx(11, rel=REL)
    # Residential I.1.1 is not in I.3: the generic record applies, the I.3 one is not eligible.
    res = lib.resolve("ef", "natural_gas", gas="CH4", gpc_ref="I.1.1", region="GLOBAL", year=2020)
    assert res.winner.factor_id == "TEST-SEC-GENERIC"
    i3 = next(c for c in res.candidates if c.record.factor_id == "TEST-SEC-I3")
    assert not i3.eligible
    assert "I.3" in i3.reason


def test_sector_prefix_matches_whole_components_only() -> None:
    # Sector "I.1" applies to I.1.1 but not to II.1.1, which merely contains the text "I.1".
    lib = user_library(factor_row("TEST-SEC-I1", 9, gas="CH4", sector="I.1"))
    res = lib.resolve("ef", "natural_gas", gas="CH4", gpc_ref="II.1.1", region="GLOBAL", year=2020)
    assert res.winner is None or res.winner.factor_id != "TEST-SEC-I1"
    cand = next(c for c in res.candidates if c.record.factor_id == "TEST-SEC-I1")
    assert not cand.eligible
    res = lib.resolve("ef", "natural_gas", gas="CH4", gpc_ref="I.1.1", region="GLOBAL", year=2020)
    assert res.winner.factor_id == "TEST-SEC-I1"


# ------------------------------------------------------------------ rule 2: user set


def test_user_set_before_shipped() -> None:
    shipped = default_library().resolve("ef", "natural_gas", gas="CO2", gpc_ref="I.1.1", year=2020)
    # IPCC 2006 Vol.2 Table 1.4: natural gas 56 100 kg CO2/TJ.
    assert shipped.winner.value == pytest.approx(56100, rel=REL)
    assert not shipped.winner.user

    lib = user_library(factor_row("TEST-USER-NG-CO2", 55000))
    res = lib.resolve("ef", "natural_gas", gas="CO2", gpc_ref="I.1.1", year=2020)
    assert res.winner.factor_id == "TEST-USER-NG-CO2"
    assert res.winner.user
    # The shipped record is still a candidate, ranked after the user's.
    ids = [c.record.factor_id for c in res.candidates]
    assert ids.index("TEST-USER-NG-CO2") < ids.index(shipped.winner.factor_id)

    # And the engine uses it: 1 TJ x 55 000 kg/TJ = 55 t CO2.
    records = pd.DataFrame(
        [{"year": "2020", "gpc_ref": "I.1.1", "activity": "natural_gas", "amount": "1", "unit": "TJ"}]
    )
    result = compute_inventory(records, library=lib, gwp="AR5")
    assert result.to_dict()["by_gas"]["CO2"] == pytest.approx(55.0, rel=1e-9)


def test_user_set_global_beats_shipped_more_specific_sector() -> None:
    # Shipped Table 2.5 CH4 for natural gas is specific to I.1;I.5 (5 kg/TJ); a generic user
    # record still wins because "user set" ranks before "sector".
    lib = user_library(factor_row("TEST-USER-NG-CH4", 4, gas="CH4"))
    res = lib.resolve("ef", "natural_gas", gas="CH4", gpc_ref="I.1.1", year=2020)
    assert res.winner.factor_id == "TEST-USER-NG-CH4"


def test_most_recently_loaded_user_set_wins() -> None:
    first = user_library(factor_row("TEST-FIRST-NG-CO2", 54000), name="first_set")
    second = user_library(factor_row("TEST-SECOND-NG-CO2", 53000), name="second_set", base=first)
    res = second.resolve("ef", "natural_gas", gas="CO2", gpc_ref="I.1.1", year=2020)
    assert res.winner.factor_id == "TEST-SECOND-NG-CO2"


def test_with_user_set_leaves_the_default_library_unchanged() -> None:
    before = len(default_library())
    user_library(factor_row("TEST-IMMUTABLE", 1))
    assert len(default_library()) == before
    with pytest.raises(FactorNotFoundError):
        default_library().get("TEST-IMMUTABLE")


# ------------------------------------------------------------------ rule 1: years


def test_year_inside_validity_window() -> None:
    act = vacant_activity()
    lib = user_library(
        factor_row("TEST-YEAR-2010", 1.0, activity=act, valid_from="2010", valid_to="2015"),
        factor_row("TEST-YEAR-2016", 2.0, activity=act, valid_from="2016", valid_to="2020"),
    )
    for year, expected in [
        (2010, "TEST-YEAR-2010"),
        (2015, "TEST-YEAR-2010"),
        (2016, "TEST-YEAR-2016"),
        (2020, "TEST-YEAR-2016"),
    ]:
        res = lib.resolve("ef", act, gas="CO2", year=year)
        assert res.winner.factor_id == expected, year
        assert res.warnings == []


def test_nearest_year_fallback_with_warning() -> None:
    act = vacant_activity()
    lib = user_library(
        factor_row("TEST-NEAR-2010", 1.0, activity=act, valid_from="2010", valid_to="2015"),
        factor_row("TEST-NEAR-2016", 2.0, activity=act, valid_from="2016", valid_to="2020"),
    )
    # 2023 is 3 years after 2020 and 8 after 2015: the 2016-2020 record is nearest.
    res = lib.resolve("ef", act, gas="CO2", year=2023)
    assert res.winner.factor_id == "TEST-NEAR-2016"
    assert len(res.warnings) == 1
    assert "TEST-NEAR-2016" in res.warnings[0]
    assert "2023" in res.warnings[0]
    # 2007 is 3 years before 2010.
    res = lib.resolve("ef", act, gas="CO2", year=2007)
    assert res.winner.factor_id == "TEST-NEAR-2010"
    assert res.warnings and "2007" in res.warnings[0]


def test_valid_year_beats_more_specific_region() -> None:
    lib = user_library(
        factor_row("TEST-VALID-GLOBAL", 52000),
        factor_row("TEST-OLD-CN-JS", 50000, region="CN-JS", valid_from="2005", valid_to="2010"),
    )
    res = lib.resolve("ef", "natural_gas", gas="CO2", gpc_ref="I.1.1", region="CN-JS", year=2020)
    assert res.winner.factor_id == "TEST-VALID-GLOBAL"
    assert res.warnings == []


# ------------------------------------------------------------------ deprecated


def test_deprecated_never_chosen() -> None:
    lib = user_library(
        factor_row("TEST-DEP-CN-JS", 40000, region="CN-JS", deprecated="true"),
        factor_row("TEST-LIVE-GLOBAL", 52000),
    )
    res = lib.resolve("ef", "natural_gas", gas="CO2", gpc_ref="I.1.1", region="CN-JS", year=2020)
    assert res.winner.factor_id == "TEST-LIVE-GLOBAL"
    dep = next(c for c in res.candidates if c.record.factor_id == "TEST-DEP-CN-JS")
    assert not dep.eligible
    assert "deprecated" in dep.reason


def test_only_deprecated_means_no_factor() -> None:
    act = vacant_activity()
    lib = user_library(factor_row("TEST-DEP-ONLY", 1.0, activity=act, deprecated="true"))
    res = lib.resolve("ef", act, gas="CO2", year=2020)
    assert res.winner is None
    assert [c.record.factor_id for c in res.candidates] == ["TEST-DEP-ONLY"]
    with pytest.raises(FactorNotFoundError) as info:
        lib.require("ef", act, gas="CO2", year=2020)
    assert act in str(info.value)
    # A deprecated record stays retrievable by id for recomputing old inventories.
    assert lib.get("TEST-DEP-ONLY").deprecated


# ------------------------------------------------------------------ proxy activity


@pytest.mark.parametrize(("gas", "published_kg_per_tj"), [("CH4", 10.0), ("N2O", 1.5)])
def test_proxy_activity_raw_coal_uses_other_bituminous_coal(gas: str, published_kg_per_tj: float) -> None:
    # activity_proxies.csv: raw_coal -> other_bituminous_coal. IPCC 2006 Vol.2 Table 2.3
    # (manufacturing industries and construction), other bituminous coal: CH4 10, N2O 1.5 kg/TJ.
    res = default_library().resolve("ef", "raw_coal", gas=gas, gpc_ref="I.3.1", region="GLOBAL", year=2020)
    assert res.winner is not None
    assert res.winner.activity == "other_bituminous_coal"
    assert res.winner.value == pytest.approx(published_kg_per_tj, rel=REL)
    assert res.winner.unit.text == "kg/TJ"
    top = res.candidates[0]
    assert top.record is res.winner
    assert top.via_proxy == "other_bituminous_coal"
    assert "proxy" in top.reason


def test_own_record_beats_proxy() -> None:
    lib = user_library(factor_row("TEST-RAW-COAL-CH4", 12, activity="raw_coal", gas="CH4"))
    res = lib.resolve("ef", "raw_coal", gas="CH4", gpc_ref="I.3.1", year=2020)
    assert res.winner.factor_id == "TEST-RAW-COAL-CH4"
    assert res.candidates[0].via_proxy is None


# ------------------------------------------------------------------ explanation


def test_explain_lists_ineligible_candidates_with_reason() -> None:
    lib = user_library(
        factor_row("TEST-EXP-WINNER", 52000, region="CN"),
        factor_row("TEST-EXP-OTHER-REGION", 49000, region="CN-GD"),
        factor_row("TEST-EXP-OTHER-SECTOR", 48000, sector="II.1"),
        factor_row("TEST-EXP-DEPRECATED", 47000, deprecated="true"),
    )
    res = lib.resolve("ef", "natural_gas", gas="CO2", gpc_ref="I.1.1", region="CN-JS", year=2020)
    assert res.winner.factor_id == "TEST-EXP-WINNER"
    by_id = {c.record.factor_id: c for c in res.candidates}
    assert by_id["TEST-EXP-WINNER"].eligible
    assert "user set" in by_id["TEST-EXP-WINNER"].reason

    region = by_id["TEST-EXP-OTHER-REGION"]
    assert not region.eligible
    assert "CN-GD" in region.reason
    sector = by_id["TEST-EXP-OTHER-SECTOR"]
    assert not sector.eligible
    assert "II.1" in sector.reason
    dep = by_id["TEST-EXP-DEPRECATED"]
    assert not dep.eligible
    assert "deprecated" in dep.reason
    # Eligible candidates come first, in rank order; the shipped IPCC record is eligible too.
    flags = [c.eligible for c in res.candidates]
    assert flags == sorted(flags, reverse=True)
    assert res.candidates[0].record is res.winner


def test_explain_unit_dimension_mismatch() -> None:
    lib = user_library(factor_row("TEST-DIM-PER-M3", 2.0, unit="kg/m3"))
    res = lib.resolve("ef", "natural_gas", gas="CO2", gpc_ref="I.1.1", year=2020, dimensions={"mass/energy"})
    cand = next(c for c in res.candidates if c.record.factor_id == "TEST-DIM-PER-M3")
    assert not cand.eligible
    assert "kg/m3" in cand.reason
    assert res.winner.factor_id != "TEST-DIM-PER-M3"


# ------------------------------------------------------------------ schema errors


def test_factor_csv_with_bad_cells_lists_row_and_column_of_each(tmp_path: Path) -> None:
    rows = [
        factor_row("TEST-BAD-1", "abc"),  # row 1: value not a number
        factor_row("TEST-BAD-2", 1.0, parameter="emission"),  # row 2: unknown parameter
        factor_row("TEST-BAD-3", 1.0, unit="bogus_unit"),  # row 3: unknown unit
        factor_row("TEST-BAD-4", 1.0, gas=""),  # row 4: ef without gas
        factor_row("TEST-BAD-5", 1.0, valid_from="2020", valid_to="2010"),  # row 5: window reversed
        factor_row("TEST-OK-6", 1.0),  # row 6: fine
        factor_row("TEST-BAD-7", -3.0),  # row 7: negative value
        factor_row("TEST-BAD-8", 1.0, parameter="ncv", gas="", unit="kg/TJ"),  # row 8: NCV in mass/energy
    ]
    path = tmp_path / "my_factors.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    frame = read_factor_file(path)
    with pytest.raises(FactorSetError) as info:
        default_library().with_user_set(frame, name="bad_set", source=str(path))
    message = str(info.value)
    for row, column in [
        (1, "value"),
        (2, "parameter"),
        (3, "unit"),
        (4, "gas"),
        (5, "valid_to"),
        (7, "value"),
        (8, "unit"),
    ]:
        assert f"row {row}, column '{column}'" in message, (row, column, message)
    assert "row 6," not in message
    assert "my_factors.csv" in message


def test_missing_required_column_refused() -> None:
    frame = pd.DataFrame([factor_row("TEST-NOCOL", 1.0)]).drop(columns=["source_table"])
    with pytest.raises(FactorSetError, match="source_table"):
        default_library().with_user_set(frame, name="no_column_set")


def test_duplicate_factor_id_within_set_refused() -> None:
    frame = pd.DataFrame([factor_row("TEST-DUP", 1.0), factor_row("TEST-DUP", 2.0, gas="CH4")])
    with pytest.raises(FactorSetError) as info:
        default_library().with_user_set(frame, name="dup_set")
    assert "row 2, column 'factor_id'" in str(info.value)


def test_factor_id_of_a_shipped_set_refused() -> None:
    shipped_id = "IPCC2006-V2-T1.4-natural_gas-CO2"
    assert default_library().get(shipped_id).value == pytest.approx(56100, rel=REL)
    frame = pd.DataFrame([factor_row(shipped_id, 50000)])
    with pytest.raises(FactorSetError) as info:
        default_library().with_user_set(frame, name="clash_set")
    assert shipped_id in str(info.value)


def test_unknown_activity_refused() -> None:
    frame = pd.DataFrame([factor_row("TEST-UNKNOWN-ACT", 1.0, activity="unobtainium_coal")])
    with pytest.raises(FactorSetError) as info:
        default_library().with_user_set(frame, name="unknown_act_set")
    assert "unobtainium_coal" in str(info.value)


def test_unsupported_factor_file_format(tmp_path: Path) -> None:
    path = tmp_path / "factors.json"
    path.write_text("{}", encoding="utf-8")
    with pytest.raises(FactorSetError, match="json"):
        read_factor_file(path)


def test_empty_region_is_the_global_default() -> None:
    # found by the API's schemathesis run: ?region= reached region_chain("") and crashed
    from zerocity.factors import default_library

    assert default_library().region_chain("") == ["GLOBAL"]
