"""Unit parsing and conversion (zerocity.units), checked against the published definitions.

Every expected number is written out from its definition, not taken from the code:

* 1 t = 1000 kg; 1 L = 1e-3 m3; 1 Nm3 is dimensionally 1 m3 (reference state lives in the factor).
* 1 kWh = 3600 kJ = 3.6 MJ (SI: 1 W x 3600 s), so 1 MWh = 3.6 GJ; 1 TJ = 1000 GJ.
* 1 kgce = 7000 kcal_IT = 29 307.6 kJ, 1 tce = 29.3076 GJ (GB/T 2589-2020 clause 3.5).
* 1 toe = 10^7 kcal_IT = 41.868 GJ (IEA/OECD/Eurostat Energy Statistics Manual 2005, Annex 3).
* 1 kcal_IT = 4.1868 kJ (International Steam Table calorie), which links the two above.
* wan (万) = 10^4: "1e4 t" and "wan_t" are both 10 000 t = 1e7 kg.
"""

from __future__ import annotations

import pytest

from zerocity.errors import UnitError
from zerocity.units import conversion_factor, parse_unit

# Conversions are products of a few exact decimal constants; 1e-12 relative only absorbs
# binary floating point rounding.
REL = 1e-12

KCAL_IT_KJ = 4.1868  # kJ per kcal_IT (definition of the International Table calorie)


def to(text: str, target: str) -> float:
    """How many ``target`` one ``text`` is."""
    return parse_unit(text).to(parse_unit(target))


@pytest.mark.parametrize(
    ("text", "dimension", "target", "expected"),
    [
        ("t", "mass", "kg", 1000.0),
        ("kg", "mass", "kg", 1.0),
        ("tonnes", "mass", "kg", 1000.0),
        ("m3", "volume", "L", 1000.0),
        ("Nm3", "volume", "m3", 1.0),
        ("L", "volume", "m3", 1e-3),
        ("kWh", "energy", "kJ", 3600.0),
        ("MWh", "energy", "GJ", 3.6),
        ("GJ", "energy", "MJ", 1000.0),
        ("TJ", "energy", "GJ", 1000.0),
        ("tce", "energy", "GJ", 29.3076),
        ("kgce", "energy", "MJ", 29.3076),
        ("toe", "energy", "GJ", 41.868),
        ("1e4 t", "mass", "kg", 1e7),
        ("10^4 t", "mass", "kg", 1e7),
        ("wan_t", "mass", "kg", 1e7),
    ],
)
def test_parse_known_units(text: str, dimension: str, target: str, expected: float) -> None:
    parsed = parse_unit(text)
    assert parsed.dimension == dimension
    assert to(text, target) == pytest.approx(expected, rel=REL)


def test_scaled_unit_keeps_scale_and_base_unit() -> None:
    parsed = parse_unit("1e4 t")
    assert parsed.scale == pytest.approx(1e4, rel=REL)
    assert parse_unit(str(parsed.unit)).to(parse_unit("kg")) == pytest.approx(1000.0, rel=REL)


def test_tce_to_gj_is_7000_kcal_per_kg() -> None:
    # GB/T 2589-2020 clause 3.5: 1 kgce = 7000 kcal_IT -> 1 tce = 7e6 kcal = 29.3076 GJ.
    by_definition = 7000.0 * 1000.0 * KCAL_IT_KJ / 1e6
    assert by_definition == pytest.approx(29.3076, rel=REL)
    assert to("tce", "GJ") == pytest.approx(by_definition, rel=REL)
    assert to("GJ", "tce") == pytest.approx(1.0 / 29.3076, rel=REL)


def test_toe_to_gj_is_ten_gcal() -> None:
    # IEA Energy Statistics Manual (2005) Annex 3: 1 toe = 10^7 kcal_IT = 41.868 GJ.
    by_definition = 1e7 * KCAL_IT_KJ / 1e6
    assert to("toe", "GJ") == pytest.approx(by_definition, rel=REL)
    assert to("toe", "GJ") == pytest.approx(41.868, rel=REL)
    # 1 toe / 1 tce = 10 / 7 exactly, since both are kcal_IT multiples.
    assert to("toe", "tce") == pytest.approx(10.0 / 7.0, rel=REL)


def test_wan_and_yi_multiples() -> None:
    assert to("wan_t", "1e4 t") == pytest.approx(1.0, rel=REL)
    assert to("wan_kWh", "MWh") == pytest.approx(10.0, rel=REL)
    assert to("yi_kWh", "GJ") == pytest.approx(1e8 * 3.6e-3, rel=REL)
    assert to("wan_Nm3", "Nm3") == pytest.approx(1e4, rel=REL)
    assert to("wan_tce", "TJ") == pytest.approx(1e4 * 29.3076e-3, rel=REL)


def test_ratio_units_used_by_factors() -> None:
    # IPCC 2006 Vol.2 Table 1.4 factors are kg/TJ; 56 100 kg/TJ = 56.1 t/TJ = 0.0561 t/GJ.
    assert to("kg/TJ", "t/GJ") == pytest.approx(1e-6, rel=REL)
    assert parse_unit("kg/TJ").dimension == "mass/energy"
    assert parse_unit("TJ/Gg").dimension == "energy/mass"
    # Table 1.2 NCVs in TJ/Gg equal GJ/t (1 TJ/Gg = 1e3 GJ / 1e3 t).
    assert to("TJ/Gg", "GJ/t") == pytest.approx(1.0, rel=REL)
    assert parse_unit("t/MWh").dimension == "mass/energy"
    assert parse_unit("kg/m3").dimension == "mass/volume"


@pytest.mark.parametrize("bad", ["furlongs_of_coal", "tonnez", "kg/", "1e4", "3 bananas"])
def test_bad_unit_raises_unit_error_naming_string(bad: str) -> None:
    with pytest.raises(UnitError) as info:
        parse_unit(bad)
    assert bad in str(info.value)


@pytest.mark.parametrize("empty", ["", "   "])
def test_empty_unit_raises(empty: str) -> None:
    with pytest.raises(UnitError):
        parse_unit(empty)


def test_non_positive_scale_raises() -> None:
    with pytest.raises(UnitError) as info:
        parse_unit("0 t")
    assert "0 t" in str(info.value)


def test_mass_to_energy_names_both_dimensions() -> None:
    with pytest.raises(UnitError) as info:
        parse_unit("t").to(parse_unit("GJ"))
    message = str(info.value)
    assert "mass" in message
    assert "energy" in message


def test_conversion_factor_volume_to_energy_names_both_dimensions() -> None:
    with pytest.raises(UnitError) as info:
        conversion_factor(parse_unit("m3").unit, parse_unit("kWh").unit)
    message = str(info.value)
    assert "volume" in message
    assert "energy" in message


def test_unit_error_is_a_value_error() -> None:
    # Callers that catch ValueError (e.g. CLI argument parsing) also see unit errors.
    with pytest.raises(ValueError, match="nope_unit"):
        parse_unit("nope_unit")


@pytest.mark.parametrize("text", ["kg//TJ", "kg/", "/TJ", "t*"])
def test_malformed_ratio_is_refused(text: str) -> None:
    with pytest.raises(UnitError, match="malformed"):
        parse_unit(text)


def test_kt_is_a_kilotonne_not_a_knot() -> None:
    assert parse_unit("kt").to(parse_unit("t")) == 1000.0
    assert parse_unit("kt").dimension == "mass"
