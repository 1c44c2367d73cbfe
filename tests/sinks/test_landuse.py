"""Land-use emissions and removals (IPCC 2006 Vol. 4): hand-worked examples, signs, bad input, CLI, demo.

Factor values used by hand below (all from the shipped table, ``sinks/data/landuse/ipcc_defaults.csv``):
CF = 0.47 (Vol. 4 Table 4.3); R = 0.20 for subtropical humid forest, AGB < 125 t d.m./ha (Table 4.4);
perennial cropland, temperate: 2.1 t C/ha/yr growth and 63 t C/ha at harvest (Table 5.1);
annual cropland 5.0 t C/ha (Table 5.9); grassland, warm temperate wet: 13.5 t d.m./ha total (Table 6.4),
i.e. 13.5 * 0.47 = 6.345 t C/ha; settlements and other land: 0 t C/ha after conversion (Tier 1).
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
import typer
from typer.testing import CliRunner

from zerocity.cli_sinks_landuse import landuse_command
from zerocity.errors import FactorNotFoundError, InvalidRecordsError
from zerocity.sinks.landuse import (
    C_TO_CO2,
    LandFactors,
    Method,
    Parameter,
    carbon_growth_rate,
    co2_from_carbon,
    conversion_change,
    demo_inputs,
    demo_landuse,
    gain_loss,
    landuse_emissions,
    loss_disturbance,
    loss_fuelwood,
    loss_wood_removals,
    read_areas,
    read_changes,
    stock_difference,
)

#: Sums of a handful of floats: exact up to rounding.
REL = 1e-9
ZONE = "warm_temperate_moist"


def approx(x: float) -> object:
    return pytest.approx(x, rel=REL, abs=1e-9)


# ---------------------------------------------------------------- pure functions, by hand


def test_gain_loss_by_hand() -> None:
    # G_W = 4.0 t d.m./ha/yr (user value), R = 0.20 (Table 4.4), CF = 0.47 (Table 4.3):
    # 4.0 * 1.20 * 0.47 = 2.256 t C/ha/yr.
    rate = carbon_growth_rate(4.0, 0.20, 0.47)
    assert rate == approx(2.256)
    # 100 ha, losses 50 t C/yr: 225.6 - 50 = 175.6 t C/yr -> -175.6 * 44/12 = -643.8667 t CO2 (a removal).
    dc = gain_loss(100.0, rate, 50.0)
    assert dc == approx(175.6)
    assert co2_from_carbon(dc) == approx(-643.866666666666)


def test_losses_by_hand() -> None:
    # Eq. 2.12: 1000 m3 * 0.9 t/m3 * 1.2 * 0.47 = 507.6 t C
    assert loss_wood_removals(1000.0, 0.9, 0.2, 0.47) == approx(507.6)
    # Eq. 2.13: (100 * 0.9 * 1.2 + 50 * 0.5) * 0.47 = (108 + 25) * 0.47 = 62.51 t C
    assert loss_fuelwood(100.0, 50.0, 0.9, 0.2, 0.5, 0.47) == approx(62.51)
    # Eq. 2.14: 10 ha * 100 t/ha * 1.2 * 0.47 * 0.5 = 282 t C
    assert loss_disturbance(10.0, 100.0, 0.2, 0.5, 0.47) == approx(282.0)


def test_stock_difference_and_conversion_by_hand() -> None:
    # 1000 ha at 50 t C/ha (2015) -> 1000 ha at 60 t C/ha (2020): (60000 - 50000) / 5 = 2000 t C/yr
    assert stock_difference(50_000.0, 60_000.0, 2015, 2020) == approx(2000.0)
    # 10 ha of 6.345 t C/ha grassland to 5.0 t C/ha cropland: 10 * (5 - 6.345) = -13.45 t C
    assert conversion_change(10.0, 6.345, 5.0) == approx(-13.45)


def test_functions_take_arrays() -> None:
    out = gain_loss(pd.Series([1.0, 2.0]).to_numpy(), 2.0)
    assert list(out) == [2.0, 4.0]


# ---------------------------------------------------------------- factors


def test_shipped_factors_resolve_with_sources() -> None:
    f = LandFactors.defaults()
    assert f.get("forest_land", ZONE, Parameter.CARBON_FRACTION).value == 0.47
    assert "Table 4.3" in f.get("forest_land", ZONE, Parameter.CARBON_FRACTION).source
    rate, src = f.growth_rate("cropland:perennial", ZONE)
    assert rate == 2.1 and "Table 5.1" in src
    stock, src = f.carbon_stock("grassland", ZONE)
    assert stock == approx(13.5 * 0.47) and "Table 6.4" in src
    assert f.carbon_stock("cropland:annual", ZONE)[0] == 5.0
    # settlements:green_space falls back to settlements (Tier 1: no growth, zero after conversion)
    assert f.growth_rate("settlements:green_space", ZONE)[0] == 0.0
    # every shipped row carries a table/section reference
    assert f.table["source"].str.contains(r"IPCC 2006 Guidelines Vol\. 4 Ch\. \d").all()


def test_missing_factor_names_the_key() -> None:
    with pytest.raises(FactorNotFoundError, match=r"forest_land.*warm_temperate_moist"):
        LandFactors.defaults().growth_rate("forest_land", ZONE)
    # perennial cropland in a zone without a Table 5.1 row does not fall back to annual cropland
    with pytest.raises(FactorNotFoundError, match="boreal"):
        LandFactors.defaults().growth_rate("cropland:perennial", "boreal_moist")


def test_user_factors_override_and_bad_factor_rows(tmp_path: Path) -> None:
    good = tmp_path / "f.csv"
    good.write_text(
        "land_class,zone,parameter,value,unit,source\n"
        f"forest_land,{ZONE},agb_growth,4.0,t d.m. / ha / yr,national inventory 2020\n"
    )
    f = LandFactors.from_csv(good, LandFactors.defaults())
    assert f.growth_rate("forest_land", ZONE)[0] == approx(2.256)
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "land_class,zone,parameter,value,unit,source\n"
        f"forest_land,{ZONE},agb_growth,4.0,t C / ha / yr,x\n"
        f"forest_land,{ZONE},root_shoot,-1,unitless,\n"
    )
    with pytest.raises(InvalidRecordsError) as exc:
        LandFactors.from_csv(bad)
    cells = {(i.row, i.column) for i in exc.value.issues}
    assert cells == {(1, "unit"), (2, "value"), (2, "source")}


# ---------------------------------------------------------------- tables: gain-loss, stock difference, matrix


def _areas(rows: list[dict[str, object]]) -> pd.DataFrame:
    return read_areas(pd.DataFrame(rows), "areas", zone=ZONE)


def test_conversion_matrix_by_hand() -> None:
    areas = _areas(
        [
            {"year": 2020, "land_class": "cropland:perennial", "area_ha": 120.0},
            {"year": 2039, "land_class": "cropland:perennial", "area_ha": 120.0},
            {"year": 2040, "land_class": "cropland:perennial", "area_ha": 120.0},
        ]
    )
    changes = read_changes(
        pd.DataFrame(
            [
                {"year": 2020, "from_class": "grassland", "to_class": "cropland:annual", "area_ha": 10.0},
                {"year": 2020, "from_class": "cropland:annual", "to_class": "cropland:perennial", "area_ha": 20.0},
                {"year": 2020, "from_class": "grassland", "to_class": "settlements", "area_ha": 5.0},
            ]
        ),
        zone=ZONE,
    )
    rows = landuse_emissions(areas, changes).rows
    conv = rows[rows["source"] == Method.CONVERSION.value].set_index("land_class")["tco2e"]
    # grassland -> annual cropland: 10 * (5.0 - 6.345) = -13.45 t C -> +49.3167 t CO2
    assert conv["cropland:annual"] == approx(13.45 * 44 / 12)
    # annual -> perennial cropland: perennial grows, starts at 0: 20 * (0 - 5.0) = -100 t C -> +366.667
    assert conv["cropland:perennial"] == approx(100 * 44 / 12)
    # grassland -> settlements: 5 * (0 - 6.345) = -31.725 t C -> +116.325 t CO2
    assert conv["settlements"] == approx(31.725 * 44 / 12)
    gl = rows[rows["source"] == Method.GAIN_LOSS.value].set_index(["year", "subcategory"])["tco2e"]
    # 2020: remaining 100 ha * 2.1 = 210 t C, converted 20 ha * 2.1 = 42 t C (removals)
    assert gl[(2020, "remaining")] == approx(-210 * 44 / 12)
    assert gl[(2020, "converted")] == approx(-42 * 44 / 12)
    # 2039 is the 20th year of the conversion (converted); in 2040 all 120 ha are "remaining"
    assert gl[(2039, "converted")] == approx(-42 * 44 / 12)
    assert (2040, "converted") not in gl.index
    assert gl[(2040, "remaining")] == approx(-252 * 44 / 12)


def test_changes_between_surveys_spread_over_conversion_years() -> None:
    ch = read_changes(
        pd.DataFrame(
            [
                {
                    "year_from": 2015,
                    "year_to": 2018,
                    "from_class": "grassland",
                    "to_class": "settlements",
                    "area_ha": 30.0,
                }
            ]
        ),
        zone=ZONE,
    )
    assert ch["year"].tolist() == [2016, 2017, 2018]
    assert ch["area_ha"].tolist() == [10.0, 10.0, 10.0]


def test_stock_difference_rows_by_hand() -> None:
    areas = _areas(
        [
            {"year": 2015, "land_class": "forest_land", "area_ha": 1000.0, "stock_tc_per_ha": 50.0},
            {"year": 2020, "land_class": "forest_land", "area_ha": 1000.0, "stock_tc_per_ha": 60.0},
        ]
    )
    rows = landuse_emissions(areas).rows
    assert rows["year"].tolist() == [2016, 2017, 2018, 2019, 2020]
    assert set(rows["source"]) == {Method.STOCK_DIFFERENCE.value}
    # 2000 t C/yr gained -> -7333.33 t CO2/yr
    assert rows["tco2e"].tolist() == [approx(-2000 * 44 / 12)] * 5


def test_signs_and_totals() -> None:
    areas = _areas([{"year": 2020, "land_class": "cropland:perennial", "area_ha": 100.0}])
    changes = read_changes(
        pd.DataFrame([{"year": 2020, "from_class": "grassland", "to_class": "settlements", "area_ha": 5.0}]), zone=ZONE
    )
    result = landuse_emissions(areas, changes)
    assert (result.rows["gpc_ref"] == "V.2").all() and (result.rows["scope"] == 1).all()
    assert (result.rows["gas"] == "CO2").all()
    assert (result.rows["tonnes"] == result.rows["tco2e"]).all()
    t = result.totals().iloc[0]
    # removals: 100 ha * 2.1 t C = -770 t CO2; emissions: 5 * 6.345 * 44/12 = 116.325 t CO2
    assert t["removals"] == approx(-210 * C_TO_CO2)
    assert t["gross_emissions"] == approx(31.725 * C_TO_CO2)
    assert t["net"] == approx((31.725 - 210) * C_TO_CO2)
    inv = result.inventory_rows()
    assert list(inv.columns) == ["year", "district", "gpc_ref", "scope", "gas", "tonnes", "tco2e", "source"]
    assert inv["tco2e"].sum() == approx(t["net"])


def test_losses_reduce_removals() -> None:
    areas = _areas([{"year": 2020, "land_class": "cropland:perennial", "area_ha": 100.0, "losses_tc": 300.0}])
    # 210 - 300 = -90 t C: a net emission of 330 t CO2
    assert landuse_emissions(areas).rows["tco2e"].sum() == approx(90 * 44 / 12)


# ---------------------------------------------------------------- bad input


def test_bad_areas_name_row_and_column() -> None:
    frame = pd.DataFrame(
        [
            {"year": 2020, "land_class": "forest", "area_ha": 10, "zone": ZONE},
            {"year": "20x0", "land_class": "cropland:annual", "area_ha": -1, "zone": ""},
        ]
    )
    with pytest.raises(InvalidRecordsError) as exc:
        read_areas(frame, "a.csv")
    cells = {(i.row, i.column) for i in exc.value.issues}
    assert cells == {(1, "land_class"), (2, "year"), (2, "area_ha"), (2, "zone")}
    assert "a.csv" in str(exc.value)


def test_bad_changes_and_missing_columns() -> None:
    with pytest.raises(InvalidRecordsError) as exc:
        read_changes(
            pd.DataFrame([{"from_class": "grassland", "to_class": "grassland", "area_ha": 1, "year": 2020}]), zone=ZONE
        )
    assert {(i.row, i.column) for i in exc.value.issues} == {(1, "to_class")}
    with pytest.raises(InvalidRecordsError, match="area_ha"):
        read_areas(pd.DataFrame([{"year": 2020, "land_class": "grassland"}]))


# ---------------------------------------------------------------- CLI


def _app() -> typer.Typer:
    app = typer.Typer()
    app.command("x")(landuse_command)
    app.command("y")(lambda: None)
    return app


def test_cli_json(tmp_path: Path) -> None:
    areas = tmp_path / "areas.csv"
    areas.write_text(f"year,land_class,area_ha,zone\n2020,cropland:perennial,100,{ZONE}\n")
    changes = tmp_path / "changes.csv"
    changes.write_text(f"year,from_class,to_class,area_ha,zone\n2020,grassland,settlements,5,{ZONE}\n")
    res = CliRunner().invoke(_app(), ["x", str(areas), "--changes", str(changes), "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["gpc_ref"] == "V.2"
    (t,) = data["totals"]
    assert t["removals"] == approx(-210 * C_TO_CO2)
    assert t["gross_emissions"] == approx(31.725 * C_TO_CO2)


def test_cli_bad_input_exit_2(tmp_path: Path) -> None:
    areas = tmp_path / "areas.csv"
    areas.write_text(f"year,land_class,area_ha,zone\n2020,cropland:perennial,-5,{ZONE}\n")
    res = CliRunner().invoke(_app(), ["x", str(areas)])
    assert res.exit_code == 2
    assert "row 1, column 'area_ha'" in res.stderr
    res = CliRunner().invoke(_app(), ["x"])
    assert res.exit_code == 2 and "--demo" in res.stderr


# ---------------------------------------------------------------- Demo City


@pytest.fixture(scope="module")
def city() -> object:
    from zerocity.demo import build_demo_city

    return build_demo_city()


def test_demo_inference(city: object) -> None:
    areas, changes = demo_inputs(city)
    land = city.land  # type: ignore[attr-defined]
    # each year's gains of forest and green space are fully sourced (cropland or other land)
    gains = changes[changes["to_class"] == "forest_land"].groupby("year")["area_ha"].sum()
    forest = land.groupby("year")["forest_ha"].sum()
    assert gains[2024] == approx(forest[2024] - forest[2023])
    assert len(areas) == 3 * len(land)


def test_demo_runs_with_hand_totals(city: object) -> None:
    result = demo_landuse(city)
    t = result.totals().set_index("year")
    land = city.land.groupby("year").sum(numeric_only=True)  # type: ignore[attr-defined]
    # removals 2024: forest area * G_W 4.0 (ASSUMED) * (1 + 0.20) * 0.47 * 44/12 = area * 8.272 t CO2/ha;
    # green space and annual cropland: Tier 1 zero.
    assert t.loc[2024, "removals"] == pytest.approx(-land.loc[2024, "forest_ha"] * 8.272, rel=1e-9)
    # gross emissions 2024: every ha of cropland lost (to forest, green space or built-up land)
    # loses 5.0 t C/ha (Table 5.9): 418.580063 ha * 5 * 44/12 = 7673.97 t CO2
    lost = land.loc[2023, "cropland_ha"] - land.loc[2024, "cropland_ha"]
    assert t.loc[2024, "gross_emissions"] == pytest.approx(lost * 5.0 * 44 / 12, rel=1e-9)
    assert t.loc[2010, "gross_emissions"] == 0.0
    cats = result.by_category(2024).set_index(["land_category", "subcategory"])["area_ha"]
    # land converted to forest since 2011 (within 20 years) vs forest remaining since 2010
    assert cats[("forest_land", "converted")] == approx(land.loc[2024, "forest_ha"] - land.loc[2010, "forest_ha"])
    assert cats[("forest_land", "remaining")] == approx(land.loc[2010, "forest_ha"])


def test_cli_demo_json(city: object) -> None:
    res = CliRunner().invoke(_app(), ["x", "--demo", "--year", "2024", "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert [t["year"] for t in data["totals"]] == [2024]
    assert data["totals"][0]["net"] < 0
    assert {r["year"] for r in data["rows"]} == {2024}


def test_removals_enter_the_inventory_as_v2_records(tmp_path):
    """Land-use results become measured V.2 records; the inventory reports gross, removals and net."""
    from zerocity.demo import build_demo_city
    from zerocity.inventory.engine import compute_inventory
    from zerocity.sinks.landuse import demo_landuse

    result = demo_landuse(build_demo_city())
    records = result.inventory_records(region="CN-JS")
    assert set(records["gpc_ref"]) == {"V.2"} and (records["method"] == "measured").all()
    fuel = pd.DataFrame(
        {"year": [2024], "gpc_ref": ["I.1.1"], "activity": ["natural_gas"], "amount": [1.0e6], "unit": ["m3"]}
    )
    inv = compute_inventory(pd.concat([fuel, records[records["year"] == 2024]], ignore_index=True), region="CN-JS")
    land = result.totals().set_index("year").loc[2024]
    doc = inv.to_dict(include_records=False)
    assert inv.total("BASIC+") == pytest.approx(inv.total("BASIC") + land["net"], rel=1e-9)
    # BASIC leaves V.2 out; BASIC+ counts it: the removals appear in the BASIC+ report.
    plus = compute_inventory(
        pd.concat([fuel, records[records["year"] == 2024]], ignore_index=True), region="CN-JS", level="BASIC+"
    ).to_dict(include_records=False)
    assert plus["removals_tco2e"] == pytest.approx(-land["removals"], rel=1e-9)
    assert plus["gross_tco2e"] - plus["removals_tco2e"] == pytest.approx(plus["total_tco2e"], rel=1e-9)
    assert doc["removals_tco2e"] == 0.0  # BASIC total: no land
    bad = fuel.assign(amount=[-1.0])
    from zerocity.errors import InvalidRecordsError

    with pytest.raises(InvalidRecordsError, match=r"only measured rows of V\.2 land may be negative"):
        compute_inventory(bad, region="CN-JS")


def test_settlement_crown_cover_method_by_hand() -> None:
    # CRW is a user value (none shipped): 2.0 t C per ha of crown cover per year, for this test only.
    crw = LandFactors(
        pd.DataFrame(
            [
                {
                    "land_class": "settlements",
                    "zone": "*",
                    "parameter": "crown_growth",
                    "value": "2.0",
                    "unit": "t C / ha crown cover / yr",
                    "source": "test",
                }
            ]
        ),
        "test",
    )
    factors = LandFactors.defaults().merged(crw)
    areas = read_areas(
        pd.DataFrame(
            [{"year": 2020, "land_class": "settlements", "area_ha": 1000, "crown_cover_ha": 200, "zone": ZONE}]
        )
    )
    changes = read_changes(
        pd.DataFrame([{"year": 2020, "from_class": "cropland:annual", "to_class": "settlements", "area_ha": 100}]),
        zone=ZONE,
    )
    rows = landuse_emissions(areas, changes, factors).rows
    cc = rows[rows["source"] == Method.CROWN_COVER.value].set_index("subcategory")["tco2e"]
    # 200 ha crown x 2.0 = 400 t C/yr, split by area: 900 ha remaining -> 360, 100 ha converted -> 40
    assert cc["remaining"] == approx(-360 * C_TO_CO2)
    assert cc["converted"] == approx(-40 * C_TO_CO2)
    # without a CRW the message names the parameter
    with pytest.raises(FactorNotFoundError, match="crown_growth"):
        landuse_emissions(areas)
    with pytest.raises(InvalidRecordsError) as exc:
        read_areas(
            pd.DataFrame(
                [{"year": 2020, "land_class": "settlements", "area_ha": 10, "crown_cover_ha": 11, "zone": ZONE}]
            )
        )
    assert {(i.row, i.column) for i in exc.value.issues} == {(1, "crown_cover_ha")}
