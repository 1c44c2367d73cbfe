"""zerocity.actions.buildings: benchmark, life cycle and retrofit plans against hand calculations.

Factors written here (region CN-JS, year 2024; the library uses its nearest year, 2023):

* grid electricity 0.5827 t CO2/MWh: MEE & NBS announcement 2025 No. 47, Table 3, Jiangsu 2023;
* natural gas per m3: NCV 38,931 kJ/m3 (GB/T 2589-2020 Appendix A), 15.30 tC/TJ and 99 % oxidation
  (NDRC 2013 guideline, Appendix 2), CH4 5 and N2O 0.1 kg/TJ (IPCC 2006 Vol. 2 Table 2.4), AR5 GWP
  28 and 265;
* embodied factors of GB/T 51366-2019 Table D.0.1 (C30 295 kg/m3, rebar 2340 kg/t, flat glass
  1130 kg/t) and transport factors of Table E.0.1 (10 t diesel truck 0.162, 18 t 0.129 kg/(t km)).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from zerocity.actions import buildings as bld
from zerocity.errors import InvalidRecordsError

DATA = Path(__file__).resolve().parents[1] / "data" / "actions"
REGION, YEAR = "CN-JS", 2024
EF_EL = 0.5827e-3  # t CO2 per kWh
GAS_NCV_TJ = 38.931e-6  # TJ per m3
EF_GAS = GAS_NCV_TJ * 15.30 * 0.99 * 44 / 12 + GAS_NCV_TJ * (5e-3 * 28 + 0.1e-3 * 265)  # t CO2e per m3
GAS_KWH = 38_931 / 3600  # kWh per m3
REL = 1e-6


def test_capital_recovery_factor_by_hand():
    growth = 1.06**10
    assert bld.capital_recovery_factor(0.06, 10) == pytest.approx(0.06 * growth / (growth - 1))
    assert bld.capital_recovery_factor(0.06, 10) == pytest.approx(0.1358680, rel=1e-6)
    assert bld.capital_recovery_factor(0.0, 5) == pytest.approx(0.2)
    with pytest.raises(bld.ActionInputError):
        bld.capital_recovery_factor(0.06, 0)


def test_operation_factors_match_published_values():
    f = bld.operation_factors(region=REGION, year=YEAR)
    assert f[bld.Carrier.ELECTRICITY].tco2e_per_unit == pytest.approx(EF_EL, rel=REL)
    assert f[bld.Carrier.GAS].tco2e_per_unit == pytest.approx(EF_GAS, rel=1e-5)
    # NDRC public-building guideline default for purchased heat: 0.11 t CO2/GJ
    assert f[bld.Carrier.HEAT].tco2e_per_unit == pytest.approx(0.11)
    assert "CN-MEENBS" in f[bld.Carrier.ELECTRICITY].factor_ids


def test_benchmark_ratio_grade_and_rank_by_hand():
    res = bld.benchmark(pd.read_csv(DATA / "buildings.csv"), region=REGION, year=YEAR)
    t = res.table.set_index("building_id")
    # office class A, hot-summer cold-winter: constraint 85, guide 70 kWh/(m2 a)
    assert t.loc["B1", "intensity_kwh_m2"] == pytest.approx(90.0)
    assert t.loc["B1", "ratio"] == pytest.approx(90 / 85)
    assert t.loc["B1", "grade"] == "exceeds_constraint"
    assert t.loc["B2", "ratio"] == pytest.approx(75 / 85)
    assert t.loc["B2", "grade"] == "within_constraint"
    b3 = (600_000 + 1000 * GAS_KWH) / 10_000
    assert t.loc["B3", "intensity_kwh_m2"] == pytest.approx(b3, rel=REL)
    assert t.loc["B3", "grade"] == "better_than_guide"
    assert t.loc["B4", "grade"] == "no_benchmark"  # no hotel cell shipped
    assert t.loc["B5", "grade"] == "no_benchmark"  # no class given, only class rows shipped
    assert t.loc["B1", "tco2e"] == pytest.approx(900_000 * EF_EL, rel=REL)
    assert t.loc["B1", "kgco2e_per_m2"] == pytest.approx(52.443, rel=REL)
    assert t.loc["B3", "tco2e"] == pytest.approx(600_000 * EF_EL + 1000 * EF_GAS, rel=1e-5)
    # worst ratio first; unbenchmarked last by carbon per m2 (B4 87.405 > B5 29.135 kg/m2)
    assert list(res.table["building_id"]) == ["B1", "B2", "B3", "B4", "B5"]
    assert list(res.table["rank"]) == [1, 2, 3, 4, 5]
    assert res.summary()["by_grade"]["no_benchmark"] == 2
    assert any("hotel" in n for n in res.notes)


def test_user_benchmark_table_and_gas_convention():
    user = pd.DataFrame(
        {
            "building_type": ["hotel", "office"],
            "building_class": ["", ""],
            "climate_zone": ["hot_summer_cold_winter", "hot_summer_cold_winter"],
            "constraint_kwh_m2": [160, 100],
            "guide_kwh_m2": [120, 80],
        }
    )
    res = bld.benchmark(
        pd.read_csv(DATA / "buildings.csv"),
        benchmarks=bld.load_benchmarks(frame=user),
        region=REGION,
        year=YEAR,
        gas_kwh_per_m3=10.0,
    )
    t = res.table.set_index("building_id")
    assert t.loc["B4", "ratio"] == pytest.approx(150 / 160)  # class-free row applies to class B
    assert t.loc["B4", "grade"] == "within_constraint"
    assert t.loc["B5", "grade"] == "better_than_guide"  # 50 <= 80
    assert t.loc["B3", "intensity_kwh_m2"] == pytest.approx(61.0)


def test_benchmark_table_errors_name_rows():
    bad = pd.DataFrame(
        {
            "building_type": ["office", "office"],
            "building_class": ["A", "Z"],
            "climate_zone": ["tropical", "temperate"],
            "constraint_kwh_m2": [50, 60],
            "guide_kwh_m2": [70, 50],
        }
    )
    with pytest.raises(InvalidRecordsError) as info:
        bld.load_benchmarks(frame=bad)
    got = {(i.row, i.column) for i in info.value.issues}
    assert got == {(1, "climate_zone"), (1, "guide_kwh_m2"), (2, "building_class")}


def test_bad_buildings_report_row_and_column():
    with pytest.raises(InvalidRecordsError) as info:
        bld.benchmark(pd.read_csv(DATA / "buildings_bad.csv"), region=REGION, year=YEAR, source="buildings_bad.csv")
    got = {(i.row, i.column) for i in info.value.issues}
    assert got == {(2, "floor_area_m2"), (3, "climate_zone"), (3, "building_class"), (3, "electricity_kwh")}
    assert "buildings_bad.csv" in info.value.report()


def test_demo_buildings_table():
    demo = bld.demo_buildings()
    assert len(demo) == 600
    assert set(demo["climate_zone"]) == {"hot_summer_cold_winter"}
    bld.read_buildings(demo)  # valid as it stands


def test_lifecycle_sum_by_stage_by_hand():
    spec = bld.load_lifecycle(DATA / "lifecycle.yaml")
    res = bld.lifecycle(spec)
    s = res.stages.set_index("stage")["tco2e"]
    materials = (1000 * 295 + 100 * 2340 + 10 * 1130) / 1000  # glass 10,000 kg = 10 t
    transport = (2400 * 40 * 0.162 + 100 * 500 * 0.129) / 1000
    construction = 50_000 * EF_EL
    operation = (1_000_000 - 100_000) * EF_EL * 50
    demolition = 20_000 * EF_EL
    assert s["materials"] == pytest.approx(materials, rel=REL)  # 540.3 t
    assert s["transport"] == pytest.approx(transport, rel=REL)  # 22.002 t
    assert s["construction"] == pytest.approx(construction, rel=REL)
    assert s["operation"] == pytest.approx(operation, rel=REL)  # 26,221.5 t
    assert s["demolition"] == pytest.approx(demolition, rel=REL)
    total = materials + transport + construction + operation + demolition
    assert res.total_tco2e == pytest.approx(total, rel=REL)
    d = res.to_dict()
    assert d["total_kgco2e_per_m2"] == pytest.approx(total * 1000 / 10_000, rel=REL)
    assert res.stages["share"].sum() == pytest.approx(1.0)
    assert res.materials.loc[2, "unit"] == "t" and res.materials.loc[2, "quantity"] == pytest.approx(10.0)


def test_lifecycle_diesel_machinery_by_hand():
    spec = bld.LifecycleInput(floor_area_m2=1000, region=REGION, year=YEAR, demolition={"diesel_kg": 1000})
    res = bld.lifecycle(spec)
    # 1 t diesel: NCV 42.652 GJ/t (GB/T 2589-2020), 20.20 tC/TJ, 98 % oxidised (NDRC 2013); off-road
    # machinery CH4 4.15 and N2O 28.6 kg/TJ (IPCC 2006 Vol. 2 Table 3.3.1), AR5 GWP 28 and 265
    tj = 42.652e-3
    expected = tj * 20.20 * 0.98 * 44 / 12 + tj * (4.15e-3 * 28 + 28.6e-3 * 265)
    demolition = res.stages.set_index("stage").loc["demolition", "tco2e"]
    assert demolition == pytest.approx(expected, rel=1e-5)  # 3.4241 t


def test_lifecycle_errors():
    with pytest.raises(bld.ActionInputError, match=r"item 1 \(unobtainium\)"):
        bld.lifecycle(bld.load_lifecycle(DATA / "lifecycle_bad.yaml"))
    with pytest.raises(bld.ActionInputError) as info:
        bld.load_lifecycle(DATA / "lifecycle_schema_bad.yaml")
    assert "floor_area_m2" in str(info.value) and "colour" in str(info.value)
    spec = bld.LifecycleInput(
        floor_area_m2=10,
        materials=[{"material": "concrete_c30", "quantity": 1, "distance_km": 10, "transport_mode": "rail_average"}],
    )
    with pytest.raises(bld.ActionInputError, match="mass_t"):
        bld.lifecycle(spec)


def test_retrofit_payback_cost_per_t_and_stacking_by_hand():
    cat = bld.load_measures(DATA / "measures.yaml")
    res = bld.retrofit_plan(pd.read_csv(DATA / "retrofit_building.csv"), catalogue=cat, region=REGION, year=YEAR)
    m = res.measures[res.measures["building_id"] == "R1"].set_index("measure")
    crf_led = bld.capital_recovery_factor(0.06, 10)
    crf_vsd = bld.capital_recovery_factor(0.06, 12)
    # stand-alone: LED saves 80,000 kWh, VSD 60,000 kWh of 1,000,000
    led_net = (300_000 * crf_led - 80_000 * 0.8) / (80_000 * EF_EL)  # about -498.5 yuan/t
    vsd_net = (250_000 * crf_vsd - 60_000 * 0.8) / (60_000 * EF_EL)  # about -520.0 yuan/t
    assert m.loc["led", "standalone_net_cost_per_tco2e"] == pytest.approx(led_net, rel=REL)
    assert m.loc["vsd", "standalone_net_cost_per_tco2e"] == pytest.approx(vsd_net, rel=REL)
    # VSD is cheaper per tonne, so it goes first and LED acts on what is left
    assert m.loc["vsd", "rank"] == 1 and m.loc["led", "rank"] == 2
    assert m.loc["vsd", "saved_electricity_kwh"] == pytest.approx(60_000)
    assert m.loc["led", "saved_electricity_kwh"] == pytest.approx(0.08 * 940_000)  # 75,200
    assert m.loc["vsd", "payback_years"] == pytest.approx(250_000 / 48_000)
    assert m.loc["led", "payback_years"] == pytest.approx(300_000 / (75_200 * 0.8))
    assert m.loc["led", "net_cost_per_tco2e"] == pytest.approx(
        (300_000 * crf_led - 75_200 * 0.8) / (75_200 * EF_EL), rel=REL
    )
    plan = res.plans.set_index("building_id")
    saved = 1_000_000 * (1 - 0.94 * 0.92)  # multiplicative: 135,200 kWh
    assert plan.loc["R1", "reduction_tco2e"] == pytest.approx(saved * EF_EL, rel=REL)
    assert plan.loc["R1", "reduction_share"] == pytest.approx(0.1352, rel=REL)
    # VSD applies to offices only
    assert list(res.measures[res.measures["building_id"] == "R2"]["measure"]) == ["led"]


def test_retrofit_cost_cut_off_and_pv():
    cat = bld.load_measures(DATA / "measures.yaml")
    res = bld.retrofit_plan(
        pd.read_csv(DATA / "retrofit_building.csv").head(1),
        catalogue=cat,
        region=REGION,
        year=YEAR,
        max_net_cost_per_tco2e=-510,
    )
    assert list(res.measures["measure"]) == ["vsd"]
    pv = bld.Measure(
        id="pv",
        name="PV",
        kind="generation",
        kwp_per_m2_floor=0.01,
        yield_kwh_per_kwp=1000,
        cost_basis="per_kwp",
        cost_yuan=3500,
        lifetime_years=25,
        source="test",
    )
    cat2 = cat.model_copy(update={"measures": [pv]})
    r = bld.retrofit_plan(pd.read_csv(DATA / "retrofit_building.csv").head(1), catalogue=cat2, region=REGION, year=YEAR)
    row = r.measures.iloc[0]
    assert row["saved_electricity_kwh"] == pytest.approx(100_000)  # 100 kWp x 1000 kWh/kWp
    assert row["capex_yuan"] == pytest.approx(350_000)
    assert row["payback_years"] == pytest.approx(350_000 / 80_000)


def test_measures_catalogue_errors_and_shipped_catalogue():
    with pytest.raises(bld.ActionInputError, match=r"measures\[0\] \(led\).*savings.electricity"):
        bld.load_measures(DATA / "measures_bad.yaml")
    shipped = bld.load_measures()
    assert all(m.source == "ASSUMED" for m in shipped.measures)


def test_shipped_factor_tables_carry_values_of_the_standard():
    mats = bld.load_materials().set_index("material")["kgco2e_per_unit"]
    assert mats["concrete_c30"] == 295 and mats["cement_portland"] == 735 and mats["aluminium_primary"] == 20300
    modes = bld.load_transport_modes().set_index("mode")["kgco2e_per_tkm"]
    assert modes["truck_diesel_heavy_30t"] == pytest.approx(0.078)
    bench = bld.load_benchmarks()
    assert len(bench) == 2 and set(bench["constraint_kwh_m2"]) == {85.0, 110.0}
