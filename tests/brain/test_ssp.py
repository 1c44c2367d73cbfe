"""SSP driver paths: shipped data, growth rates that reproduce published ratios, errors, fallback."""

from __future__ import annotations

import logging
import math

import numpy as np
import pandas as pd
import pytest

from zerocity.brain.ssp import (
    COLUMNS,
    SSP_NARRATIVES,
    Ssp,
    SspError,
    SspNoDataError,
    load_ssp_table,
    ssp_growth_rates,
    ssp_path,
    ssp_table,
)
from zerocity.errors import InvalidRecordsError, ZerocityError

#: Compounding 5 annual rates and dividing two table values: a few ulps of float64.
RTOL_EXACT = 1e-12

DATA_YEARS = list(range(2010, 2101, 5))


# --- shipped table --------------------------------------------------------------------------------


def test_shipped_table_coverage():
    t = ssp_table()
    assert list(t.columns) == list(COLUMNS)
    assert len(t) == 5 * 19 + 3 * 19
    for ssp in ("SSP1", "SSP2", "SSP3", "SSP4", "SSP5"):
        assert ssp_path(ssp, "gdp").index.tolist() == DATA_YEARS
    for ssp in ("SSP1", "SSP2", "SSP3"):
        assert ssp_path(ssp, "population").index.tolist() == DATA_YEARS
    assert set(t["region"]) == {"CN"}


def test_every_row_carries_unit_and_source():
    t = ssp_table()
    assert (t["source"].str.strip() != "").all()
    assert (t["unit"].str.strip() != "").all()
    gdp = t[t["variable"] == "gdp"]
    pop = t[t["variable"] == "population"]
    # publisher, dataset, model/version and the exact copy (repository, path, commit) in every row
    assert gdp["source"].str.contains("IIASA SSP Database").all()
    assert gdp["source"].str.contains("Crespo Cuaresma 2017").all()
    assert gdp["source"].str.contains("JGCRI/rfasst inst/extdata/ancillary/iiasa_GDP_SSP.csv @ 2d3fa8fa").all()
    assert pop["source"].str.contains("Wittgenstein Centre Data Explorer version 2.0 \\(2018\\)").all()
    assert pop["source"].str.contains("guyabel/wcde data-host/[123]/pop-total/156.csv @ e20b03a0").all()
    assert set(gdp["unit"]) == {"billion US$2005 PPP/yr"}
    assert set(pop["unit"]) == {"thousand persons"}
    assert (t["value"] > 0).all()


def test_table_is_a_copy():
    t = ssp_table()
    t.loc[:, "value"] = -1.0
    assert (ssp_table()["value"] > 0).all()


def test_values_as_published():
    # Spot values typed from the source files (not from this module's output):
    # iiasa_GDP_SSP.csv row "IIASA GDP,SSP2_v9_130219,CHN,GDP|PPP,...": 2010 9110.603778, 2050 50420.1141
    gdp = ssp_path("SSP2", "gdp")
    assert gdp[2010] == 9110.603778
    assert gdp[2050] == 50420.1141
    # 2010 is the common historical base year of all five IIASA GDP scenarios
    assert {ssp_path(s, "gdp")[2010] for s in Ssp} == {9110.603778}
    # WCDE v2 data-host/3/pop-total/156.csv, 17th value (2030): 1439086.7
    assert ssp_path("SSP3", "population")[2030] == 1439086.7


def test_population_years_aligned_with_labelled_copy():
    """The per-country WCDE file has no year column (31 values, 1950-2100 by 5); the batch file of
    the same release labels its rows: guyabel/wcde data-host-batch/2/pop-total.csv @ a4351dde,
    row "China,156,2100,811673.9" (and "China,156,1950,545981.5", the first per-country value)."""
    assert ssp_path("SSP2", "population")[2100] == 811673.9


def test_independent_published_figure_population_peak():
    """Jiang Tong et al. (2017), Climate Change Research 13(2):128-137, abstract: under SSP3 China's
    population peaks (in 2035) at 1.43 billion. That is a different model (PDE, 6th census); the
    check guards units and magnitude of the WIC 2018 SSP3 path: tolerance 2 % (the abstract rounds to
    0.01 billion, 0.35 %, and the two models differ by about 1 % at the peak)."""
    pop = ssp_path("SSP3", "population")  # thousand persons
    peak_year = int(pop.idxmax())
    assert pop.max() / 1e6 == pytest.approx(1.43, rel=0.02)
    assert 2025 <= peak_year <= 2035


# --- growth rates ---------------------------------------------------------------------------------


def test_growth_rate_hand_calculation():
    # SSP2 population (WCDE v2): 2025 1426048, 2030 1419592.7 thousand persons
    r = (1419592.7 / 1426048) ** (1 / 5) - 1  # = -0.000907... per year
    rates = ssp_growth_rates("SSP2", "population", years=range(2026, 2031))
    assert rates.index.tolist() == [2026, 2027, 2028, 2029, 2030]
    assert np.allclose(rates.to_numpy(), r, rtol=RTOL_EXACT, atol=0)
    assert 1426048 * math.prod(1 + rates) == pytest.approx(1419592.7, rel=RTOL_EXACT)
    # SSP5 GDP (IIASA GDP): 2020 24472.03396, 2060 69396.10658 billion US$2005 PPP/yr
    g = ssp_growth_rates("SSP5", "gdp", years=range(2021, 2061))
    assert 24472.03396 * math.prod(1 + g) == pytest.approx(69396.10658, rel=RTOL_EXACT)
    assert g[2021] == pytest.approx((32823.02704 / 24472.03396) ** 0.2 - 1, rel=RTOL_EXACT)
    assert rates.attrs["unit"] == "1/yr"
    assert rates.attrs["value_unit"] == "thousand persons"


@pytest.mark.parametrize(
    ("ssp", "variable"),
    [(s, "gdp") for s in ("SSP1", "SSP2", "SSP3", "SSP4", "SSP5")]
    + [(s, "population") for s in ("SSP1", "SSP2", "SSP3")],
)
def test_compounding_reproduces_every_published_ratio(ssp, variable):
    path = ssp_path(ssp, variable)
    rates = ssp_growth_rates(ssp, variable)
    assert rates.index.tolist() == list(range(2011, 2101))
    growth = (1 + rates).cumprod()
    level = pd.concat([pd.Series([1.0], index=[2010]), growth]) * path[2010]
    for base in DATA_YEARS:
        for end in DATA_YEARS:
            if end > base:
                ratio = level[end] / level[base]
                assert ratio == pytest.approx(path[end] / path[base], rel=RTOL_EXACT), (base, end)


def test_rates_constant_within_interval_and_change_at_data_years():
    g = ssp_growth_rates("SSP4", "gdp")
    for start in DATA_YEARS[:-1]:
        block = g.loc[start + 1 : start + 5]
        assert block.nunique() == 1
    assert g[2045] != g[2046]


def test_default_years_and_out_of_range():
    assert ssp_growth_rates("SSP1", "gdp").index[0] == 2011
    with pytest.raises(SspError, match=r"2011-2100.*\[2010\]"):
        ssp_growth_rates("SSP1", "gdp", years=[2010])
    with pytest.raises(SspError, match="2101"):
        ssp_growth_rates("SSP1", "gdp", years=[2050, 2101])


# --- names, errors, fallback ------------------------------------------------------------------------


def test_unknown_names_name_what_is_known():
    with pytest.raises(SspError, match=r"unknown SSP 'SSP6'.*SSP1.*SSP5") as e1:
        ssp_path("SSP6", "gdp")
    with pytest.raises(SspError, match=r"unknown SSP variable 'emissions'.*population.*gdp"):
        ssp_growth_rates("SSP2", "emissions")
    with pytest.raises(SspError, match=r"unknown region 'CN-XX'.*CN-JS"):
        ssp_path("SSP2", "gdp", "CN-XX")
    assert isinstance(e1.value, ValueError)
    assert isinstance(e1.value, ZerocityError)
    assert e1.value.code == "ssp"


def test_names_are_case_insensitive_with_aliases():
    a = ssp_path("ssp2", "GDP|PPP", "cn")
    b = ssp_path(Ssp.SSP2, "gdp")
    pd.testing.assert_series_equal(a, b)


def test_missing_pathway_says_which_exist():
    with pytest.raises(SspNoDataError, match=r"no population data for SSP4 in region CN.*SSP1', 'SSP2', 'SSP3") as e:
        ssp_path("SSP4", "population")
    assert isinstance(e.value, SspError)
    assert e.value.code == "ssp_no_data"
    with pytest.raises(SspNoDataError, match="or its fallback CN"):
        ssp_growth_rates("SSP5", "population", "CN-JS")


def test_jiangsu_falls_back_to_china_and_says_so(caplog):
    with caplog.at_level(logging.WARNING, logger="zerocity.brain.ssp"):
        js = ssp_growth_rates("SSP2", "gdp", "CN-JS", years=range(2021, 2031))
    cn = ssp_growth_rates("SSP2", "gdp", "CN", years=range(2021, 2031))
    pd.testing.assert_series_equal(js, cn, check_names=False)
    assert js.attrs["fallback"] is True
    assert js.attrs["requested_region"] == "CN-JS"
    assert js.attrs["region"] == "CN"
    assert cn.attrs["fallback"] is False
    assert "no data for region CN-JS, using CN" in caplog.text


def test_own_table_with_provincial_data_is_used_without_fallback(tmp_path):
    f = tmp_path / "ssp.csv"
    rows = [
        ["CN-JS", "SSP2", "population", "thousand persons", 2020, 80000, "test", "t", "hand-made"],
        ["CN-JS", "SSP2", "population", "thousand persons", 2030, 81000, "test", "t", "hand-made"],
    ]
    pd.DataFrame(rows, columns=list(COLUMNS)).to_csv(f, index=False)
    table = load_ssp_table(f)
    r = ssp_growth_rates("SSP2", "population", "CN-JS", table=table)
    assert r.attrs["fallback"] is False
    assert r.index.tolist() == list(range(2021, 2031))
    assert r[2025] == pytest.approx((81000 / 80000) ** 0.1 - 1, rel=RTOL_EXACT)


def test_validation_names_every_bad_row(tmp_path):
    f = tmp_path / "bad.csv"
    rows = [
        ["CN", "SSP2", "gdp", "bn", 2020, 10, "m", "s", "src"],
        ["CN", "SSP2", "gdp", "bn", 2020, 11, "m", "s", "src"],  # year not increasing
        ["CN", "SSP9", "gdp", "bn", 2030, 12, "m", "s", "src"],  # unknown SSP
        ["CN", "SSP1", "gdp", "bn", 2030, -3, "m", "s", "src"],  # negative value
        ["CN", "SSP1", "gdp", "bn", 2040, 5, "m", "s", ""],  # no source
        ["XX", "SSP1", "co2", "bn", 2050, 5, "m", "s", "src"],  # unknown region and variable
    ]
    pd.DataFrame(rows, columns=list(COLUMNS)).to_csv(f, index=False)
    with pytest.raises(InvalidRecordsError) as e:
        load_ssp_table(f)
    found = {(i.row, i.column) for i in e.value.issues}
    assert found == {(2, "year"), (3, "ssp"), (4, "value"), (5, "source"), (6, "region"), (6, "variable")}


def test_missing_column_is_an_ssp_error(tmp_path):
    f = tmp_path / "cols.csv"
    f.write_text("region,ssp,year,value\nCN,SSP1,2020,1\n", encoding="utf-8")
    with pytest.raises(SspError, match="missing column"):
        load_ssp_table(f)


def test_narratives_one_line_each():
    assert set(SSP_NARRATIVES) == {s.value for s in Ssp}
    keywords = {
        "SSP1": "Sustainability",
        "SSP2": "Middle of the road",
        "SSP3": "Regional rivalry",
        "SSP4": "Inequality",
        "SSP5": "Fossil-fuelled development",
    }
    for ssp, word in keywords.items():
        text = SSP_NARRATIVES[ssp]
        assert text.startswith(word)
        assert "\n" not in text
