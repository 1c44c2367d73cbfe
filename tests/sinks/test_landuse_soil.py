"""Soil carbon of land use (IPCC 2006 Vol. 4 Eq. 2.25, 2.26): hand-worked examples.

Shipped values used by hand (``sinks/data/landuse/ipcc_defaults.csv``, reproduction S1 of the tables):
SOC_REF warm temperate moist: HAC 88, LAC 63 t C/ha (Table 2.3); F_LU long-term cultivated, temperate moist
0.69, paddy rice 1.10 (Table 5.5); F_MG full tillage = F_I medium = 1 (Table 5.5); forest and nominally
managed grassland F = 1 (Tier 1); drained organic cropland soils, warm temperate 10 t C/ha/yr (Table 5.6).
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
    LandUseError,
    Method,
    landuse_emissions,
    mineral_soil_change,
    organic_soil_loss,
    read_areas,
    read_changes,
    soil_carbon_stock,
)

ZONE = "warm_temperate_moist"


def approx(x: float) -> object:
    return pytest.approx(x, rel=1e-9, abs=1e-9)


def _grow(cls: str) -> pd.DataFrame:
    # Growth rates are not under test here: a user rate keeps forest land computable.
    return pd.DataFrame(
        [
            {
                "land_class": cls,
                "zone": ZONE,
                "parameter": "carbon_growth",
                "value": "1.0",
                "unit": "t C / ha / yr",
                "source": "test",
            }
        ]
    )


FACTORS = LandFactors.defaults().merged(LandFactors(_grow("forest_land"), "test"))


def test_pure_functions_by_hand() -> None:
    # 100 ha of HAC soil under long-term cultivation: 100 * 88 * 0.69 = 6,072 t C
    assert soil_carbon_stock(100, 88, 0.69, 1.0, 1.0) == approx(6072.0)
    # back to native (F = 1) over D = 20 yr: (8,800 - 6,072) / 20 = 136.4 t C/yr
    assert mineral_soil_change(8800.0, 6072.0, 20) == approx(136.4)
    assert organic_soil_loss(50, 10.0) == approx(500.0)
    with pytest.raises(LandUseError):
        mineral_soil_change(1.0, 0.0, 0)


def test_shipped_soil_factors() -> None:
    f = LandFactors.defaults()
    assert f.soc_ref(ZONE, "hac")[0] == 88.0
    assert f.soc_ref(ZONE, "lac")[0] == 63.0
    assert f.soc_ref("cool_temperate_moist", "spodic")[0] == 115.0
    assert f.soil_factor("cropland:annual", ZONE)[0] == approx(0.69)
    assert f.soil_factor("cropland:paddy", ZONE)[0] == approx(1.10)
    assert f.soil_factor("grassland", ZONE)[0] == 1.0
    assert "Table 5.5" in f.soil_factor("cropland:annual", ZONE)[1]
    # no Tier 1 default for settlements: the message names the parameter and the class
    with pytest.raises(FactorNotFoundError, match=r"f_lu.*settlements"):
        f.soil_factor("settlements", ZONE)
    # spodic soils do not occur in the warm temperate moist zone (NA in Table 2.3)
    with pytest.raises(FactorNotFoundError):
        f.soc_ref(ZONE, "spodic")


def _case(
    soil_type: str = "hac", to_class: str = "forest_land", from_class: str = "cropland:annual"
) -> tuple[pd.DataFrame, pd.DataFrame]:
    areas = read_areas(
        pd.DataFrame([{"year": y, "land_class": to_class, "area_ha": 100.0, "zone": ZONE} for y in (2020, 2021, 2022)])
    )
    changes = read_changes(
        pd.DataFrame(
            [
                {
                    "year": 2020,
                    "from_class": from_class,
                    "to_class": to_class,
                    "area_ha": 100.0,
                    "soil_type": soil_type,
                }
            ]
        ),
        zone=ZONE,
    )
    return areas, changes


def test_conversion_spreads_soil_change_over_d_years() -> None:
    areas, changes = _case()
    rows = landuse_emissions(areas, changes, FACTORS, soil=True).rows
    soil = rows[rows["pool"] == "soil"].set_index("year")
    # cropland (F 0.69) -> forest (F 1): 100 ha * 88 * (1 - 0.69) / 20 = 136.4 t C/yr gained, each year
    assert list(soil.index) == [2020, 2021, 2022]
    assert (soil["source"] == Method.MINERAL_SOIL.value).all()
    for t in soil["tco2e"]:
        assert t == approx(-136.4 * C_TO_CO2)
    # D = 2: only the conversion year and the next
    short = landuse_emissions(areas, changes, FACTORS, soil=True, soil_years=2).rows
    assert sorted(short[short["pool"] == "soil"]["year"]) == [2020, 2021]
    # soil off: no soil rows, biomass unchanged
    plain = landuse_emissions(areas, changes, FACTORS).rows
    assert (plain["pool"] == "biomass").all()
    assert plain["tco2e"].sum() == approx(rows[rows["pool"] == "biomass"]["tco2e"].sum())


def test_paddy_to_cropland_on_lac_loses_soil_carbon() -> None:
    areas, changes = _case("lac", "cropland:annual", "cropland:paddy")
    rows = landuse_emissions(areas, changes, FACTORS, soil=True).rows
    soil = rows[rows["pool"] == "soil"]
    # 100 * 63 * (0.69 - 1.10) / 20 = -129.15 t C/yr: an emission
    assert soil["tco2e"].iloc[0] == approx(129.15 * C_TO_CO2)


def test_missing_factors_fail_or_are_reported_ne() -> None:
    areas, changes = _case(to_class="settlements")
    with pytest.raises(FactorNotFoundError, match="settlements"):
        landuse_emissions(areas, changes, FACTORS, soil=True)
    result = landuse_emissions(areas, changes, FACTORS, soil=True, missing_soil="skip")
    assert (result.rows["pool"] == "biomass").all()
    (ne,) = result.not_estimated
    assert ne["pool"] == "mineral soil" and ne["land_class"] == "settlements" and ne["area_ha"] == 100.0
    assert result.to_dict()["not_estimated"][0]["reason"].startswith("factor set")


def test_soil_type_required_and_validated() -> None:
    areas, changes = _case()
    with pytest.raises(LandUseError, match="soil type"):
        landuse_emissions(areas, changes.assign(soil_type=""), FACTORS, soil=True)
    with pytest.raises(InvalidRecordsError) as exc:
        read_changes(
            pd.DataFrame(
                [
                    {
                        "year": 2020,
                        "from_class": "grassland",
                        "to_class": "forest_land",
                        "area_ha": 1,
                        "soil_type": "clay",
                    }
                ]
            ),
            "c.csv",
            zone=ZONE,
        )
    assert {(i.row, i.column) for i in exc.value.issues} == {(1, "soil_type")}


def test_drained_organic_soil() -> None:
    areas = read_areas(
        pd.DataFrame(
            [{"year": 2020, "land_class": "cropland:annual", "area_ha": 300.0, "organic_ha": 50.0, "zone": ZONE}]
        )
    )
    rows = landuse_emissions(areas, None, FACTORS, soil=True).rows
    organic = rows[rows["source"] == Method.ORGANIC_SOIL.value]
    # 50 ha * 10 t C/ha/yr = 500 t C lost -> +1,833.33 t CO2
    assert organic["tco2e"].sum() == approx(500 * C_TO_CO2)
    # soil rows are pools of counted land: by_category area stays 300 ha
    assert landuse_emissions(areas, None, FACTORS, soil=True).by_category(2020)["area_ha"].sum() == 300.0
    with pytest.raises(InvalidRecordsError):
        read_areas(
            pd.DataFrame([{"year": 2020, "land_class": "cropland", "area_ha": 10, "organic_ha": 11, "zone": ZONE}])
        )


def test_cli_soil(tmp_path: Path) -> None:
    app = typer.Typer()
    app.command("x")(landuse_command)
    app.command("y")(lambda: None)
    areas = tmp_path / "a.csv"
    areas.write_text(f"year,land_class,area_ha,zone\n2020,grassland,100,{ZONE}\n")
    changes = tmp_path / "c.csv"
    changes.write_text(f"year,from_class,to_class,area_ha,zone\n2020,cropland:annual,grassland,100,{ZONE}\n")
    res = CliRunner().invoke(
        app, ["x", str(areas), "--changes", str(changes), "--soil", "--soil-type", "hac", "--json"]
    )
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    soil = [p for p in data["by_pool"] if p["pool"] == "soil"]
    # cropland -> grassland: 100 * 88 * (1 - 0.69) / 20 = 136.4 t C -> -500.13 t CO2
    assert soil[0]["tco2e"] == approx(-136.4 * C_TO_CO2)
    res = CliRunner().invoke(app, ["x", str(areas), "--changes", str(changes), "--soil"])
    assert res.exit_code == 2 and "soil type" in res.stderr


def test_demo_soil_runs() -> None:
    from zerocity.demo import build_demo_city
    from zerocity.sinks.landuse import demo_landuse

    result = demo_landuse(build_demo_city(), soil=True)
    soil = result.rows[result.rows["pool"] == "soil"]
    assert len(soil) > 0 and (soil["from_class"] == "cropland:annual").all()
    assert (soil["tco2e"] < 0).all()  # cropland to forest gains soil carbon
    assert result.not_estimated  # settlements and other land have no shipped soil factors
