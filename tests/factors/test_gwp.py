"""GWP-100 values against the numbers printed in the IPCC assessment reports.

Sources of the expected values (typed from the reports, not read from the package):

* AR4: IPCC AR4 WG1 (2007) Ch. 2 Table 2.14: CH4 25, N2O 298, SF6 22 800, NF3 17 200,
  HFC-134a 1 430.
* AR5: IPCC AR5 WG1 (2013) Ch. 8 Table 8.A.1 (no climate-carbon feedback): CH4 28, N2O 265,
  SF6 23 500, NF3 16 100, HFC-134a 1 300.
* AR6: IPCC AR6 WG1 (2021) Ch. 7 Table 7.15: CH4 fossil 29.8, CH4 non-fossil 27.0, N2O 273;
  Table 7.SM.7: CH4 (origin not specified) 27.9, SF6 25 200, NF3 17 400, HFC-134a 1 530.
* CO2 is the reference gas: GWP = 1 by definition in every report.
"""

from __future__ import annotations

import pytest

from zerocity.errors import ZerocityError
from zerocity.factors import GwpSet, gwp, gwp_table

# Published GWPs are exact decimal numbers; they must come back exactly (up to float repr).
REL = 1e-12


@pytest.mark.parametrize(
    ("gwp_set", "gas", "published"),
    [
        ("AR4", "CO2", 1.0),
        ("AR4", "CH4", 25.0),
        ("AR4", "N2O", 298.0),
        ("AR4", "SF6", 22800.0),
        ("AR4", "NF3", 17200.0),
        ("AR4", "HFC134a", 1430.0),
        ("AR5", "CO2", 1.0),
        ("AR5", "CH4", 28.0),
        ("AR5", "N2O", 265.0),
        ("AR5", "SF6", 23500.0),
        ("AR5", "NF3", 16100.0),
        ("AR5", "HFC134a", 1300.0),
        ("AR6", "CO2", 1.0),
        ("AR6", "CH4", 27.9),
        ("AR6", "N2O", 273.0),
        ("AR6", "SF6", 25200.0),
        ("AR6", "NF3", 17400.0),
        ("AR6", "HFC134a", 1530.0),
    ],
)
def test_published_gwp100(gwp_set: str, gas: str, published: float) -> None:
    assert gwp(gas, gwp_set) == pytest.approx(published, rel=REL)
    assert gwp_table(gwp_set)[gas] == pytest.approx(published, rel=REL)


def test_ar6_fossil_and_non_fossil_methane() -> None:
    # AR6 WG1 Ch. 7 Table 7.15: fossil CH4 29.8 (includes the CO2 from its oxidation),
    # non-fossil CH4 27.0.
    assert gwp("CH4", "AR6", fossil=True) == pytest.approx(29.8, rel=REL)
    assert gwp("CH4", "AR6", fossil=False) == pytest.approx(27.0, rel=REL)
    assert gwp("CH4", GwpSet.AR6, fossil=None) == pytest.approx(27.9, rel=REL)
    assert gwp_table("AR6")["CH4_fossil"] == pytest.approx(29.8, rel=REL)
    assert gwp_table("AR6")["CH4_non_fossil"] == pytest.approx(27.0, rel=REL)


@pytest.mark.parametrize(("gwp_set", "published"), [("AR4", 25.0), ("AR5", 28.0)])
def test_single_methane_value_before_ar6(gwp_set: str, published: float) -> None:
    # AR4 and AR5 print one CH4 value; origin does not change it.
    assert gwp("CH4", gwp_set, fossil=True) == pytest.approx(published, rel=REL)
    assert gwp("CH4", gwp_set, fossil=False) == pytest.approx(published, rel=REL)


def test_fossil_flag_only_affects_methane() -> None:
    assert gwp("N2O", "AR6", fossil=True) == pytest.approx(273.0, rel=REL)
    assert gwp("N2O", "AR6", fossil=False) == pytest.approx(273.0, rel=REL)


def test_set_name_is_case_insensitive() -> None:
    assert gwp_table("ar5")["N2O"] == pytest.approx(265.0, rel=REL)


def test_unknown_gas_raises_domain_error_naming_gas() -> None:
    with pytest.raises(ZerocityError) as info:
        gwp("UNOBTANIUM", "AR5")
    assert "UNOBTANIUM" in str(info.value)


def test_unknown_set_raises() -> None:
    with pytest.raises(ValueError):
        gwp("CH4", "AR3")
