"""Livestock (GPC V.1) and aggregate sources on land (GPC V.3): IPCC 2006 Volume 4, Tier 1.

Every function here is a Tier 1 method of the 2006 IPCC Guidelines, Volume 4 (Agriculture,
Forestry and Other Land Use), with its default parameters in the factor library (dataset
``ipcc2006_afolu``); a row may give its own value of a parameter in the matching column.

=============== ============ =================================================================
method          GPC          IPCC 2006 Vol. 4
=============== ============ =================================================================
``enteric``     V.1          Ch. 10 Eq. 10.19-10.20, Tables 10.10-10.11 (CH4)
``manure_ch4``  V.1          Ch. 10 Eq. 10.22, Tables 10.14-10.15 (CH4)
``manure_n2o``  V.1 (+ V.3)  Ch. 10 Eq. 10.25-10.30, Tables 10.19, 10.21, 10.22, 11.3 (N2O)
``soil_n2o``    V.3          Ch. 11 Eq. 11.1, 11.9, 11.10, Tables 11.1, 11.3 (N2O)
``urea``        V.3          Ch. 11 Eq. 11.13 (CO2)
``liming``      V.3          Ch. 11 Eq. 11.12 (CO2)
``rice``        V.3          Ch. 5 Eq. 5.1-5.3, Tables 5.11-5.14 (CH4)
=============== ============ =================================================================

IPCC places indirect N2O from manure management (category 3.C.6) under aggregate sources on
land, i.e. GPC V.3: a ``manure_n2o`` row under V.1 reports its direct N2O (3.A.2) and, unless
``indirect_n2o`` is ``no``, its indirect N2O too; a row under V.3 must set ``indirect_n2o`` to
``only``, so that the two categories can be reported apart.

References
----------
IPCC (2006). *2006 IPCC Guidelines for National Greenhouse Gas Inventories*, Volume 4
Agriculture, Forestry and Other Land Use. Eggleston H.S., Buendia L., Miwa K., Ngara T. and
Tanabe K. (eds). IGES, Japan. Chapter 5 (Cropland, section 5.5 Methane emissions from rice
cultivation), Chapter 10 (Emissions from livestock and manure management), Chapter 11 (N2O
emissions from managed soils, and CO2 emissions from lime and urea application).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from zerocity.inventory.sectors.base import MethodColumn, MethodContext, SectorMethod, parameter_where
from zerocity.inventory.sectors.registry import register

__all__ = ["enteric", "liming", "manure_ch4", "manure_n2o", "rice", "soil_n2o", "urea"]

#: Mass ratio N2O / N2O-N [unitless] (IPCC 2006 Vol. 4 Eq. 10.25, 11.1).
N2O_PER_N = 44.0 / 28.0
#: Mass ratio CO2 / C [unitless] (IPCC 2006 Vol. 4 Eq. 11.12, 11.13).
CO2_PER_C = 44.0 / 12.0
#: Days of the year in the IPCC livestock equations (Eq. 10.1, 10.30) [d].
DAYS_PER_YEAR = 365.0

#: Classes of Table 10.15 (cool < 15 degC, temperate 15-25 degC, warm > 25 degC).
CLIMATE_CLASSES = ("cool", "temperate", "warm")
#: Animals whose Tier 1 manure CH4 factor is given per degree of annual temperature (Table 10.14).
TEMPERATURE_TABLE_ANIMALS = ("dairy_cattle", "other_cattle", "buffalo", "swine", "market_swine", "breeding_swine")
#: Systems of Tables 10.18/10.21 (keys of the EF3 records and of Frac_GasMS).
MANURE_SYSTEMS = (
    "pasture_range_paddock",
    "daily_spread",
    "solid_storage",
    "dry_lot",
    "liquid_slurry_crust",
    "liquid_slurry_no_crust",
    "uncovered_anaerobic_lagoon",
    "pit_storage",
    "anaerobic_digester",
    "burned_for_fuel",
    "deep_bedding_no_mixing",
    "deep_bedding_active_mixing",
    "composting_in_vessel",
    "composting_static_pile",
    "composting_intensive_windrow",
    "composting_passive_windrow",
    "poultry_manure_with_litter",
    "poultry_manure_without_litter",
    "aerobic_treatment_natural",
    "aerobic_treatment_forced",
)
#: N inputs of Eq. 11.9 that volatilise (F_SN with Frac_GASF; F_ON and F_PRP with Frac_GASM).
VOLATILISING_N = (
    "synthetic_fertiliser_n",
    "manure_n_applied",
    "other_organic_n_applied",
    "urine_dung_n_cattle_pig_poultry",
    "urine_dung_n_sheep_other",
)
#: Urine and dung deposited by grazing animals (F_PRP of Eq. 11.1, factor EF3PRP).
GRAZING_N = ("urine_dung_n_cattle_pig_poultry", "urine_dung_n_sheep_other")
#: Organic amendments of Table 5.14, each with its column ``roa_<kind>`` [t/ha].
RICE_AMENDMENTS = ("straw_short", "straw_long", "compost", "farmyard_manure", "green_manure")

# ---------------------------------------------------------------------------- columns
DAYS_ALIVE = MethodColumn(
    "days_alive",
    "number",
    "days an animal is alive in the year [d]; when given, amount is the number of animals produced "
    "annually (NAPA) and the average population is days_alive x NAPA / 365 (IPCC 2006 Vol. 4 Eq. 10.1)",
    maximum=DAYS_PER_YEAR,
)
DEVELOPMENT_STATUS = MethodColumn(
    "development_status",
    "text",
    "developed or developing: selects the column of IPCC 2006 Vol. 4 Tables 10.10 and 10.15; "
    "empty = the regional default (developing-country value for IPCC-ASIA)",
    choices=("developed", "developing"),
)
ENTERIC_EF = MethodColumn(
    "enteric_ef",
    "number",
    "enteric CH4 emission factor [kg CH4/head/yr]; default IPCC 2006 Vol. 4 Tables 10.10, 10.11",
)
CLIMATE_TEMPERATURE = MethodColumn(
    "climate_temperature",
    "text",
    "cool, temperate, warm, or the annual average temperature in degC (e.g. 17.5) where manure is "
    "managed; a temperature selects the column of Table 10.14 (rounded to whole degrees, 10 to 28) "
    "and the class of Table 10.15 (cool < 15, temperate 15-25, warm > 25)",
)
MANURE_CH4_EF = MethodColumn(
    "manure_ch4_ef",
    "number",
    "manure management CH4 emission factor [kg CH4/head/yr]; default IPCC 2006 Vol. 4 Tables 10.14, 10.15",
)
MANURE_SYSTEM = MethodColumn(
    "manure_system",
    "text",
    "manure management system S of IPCC 2006 Vol. 4 Tables 10.18 and 10.21",
    required=True,
    choices=MANURE_SYSTEMS,
)
SYSTEM_FRACTION = MethodColumn(
    "system_fraction",
    "number",
    "fraction MS of the animals' manure N handled in manure_system [0-1] (IPCC 2006 Vol. 4 Eq. 10.25)",
    required=True,
    maximum=1.0,
)
MANURE_NEX = MethodColumn(
    "manure_nex",
    "number",
    "annual N excretion Nex [kg N/head/yr]; default Nrate x TAM / 1000 x 365 (IPCC 2006 Vol. 4 Eq. 10.30)",
)
MANURE_NRATE = MethodColumn(
    "manure_nrate",
    "number",
    "N excretion rate Nrate [kg N per 1000 kg animal mass per day]; default IPCC 2006 Vol. 4 Table 10.19",
)
TYPICAL_ANIMAL_MASS = MethodColumn(
    "typical_animal_mass",
    "number",
    "typical animal mass TAM [kg/head]; default IPCC 2006 Vol. 4 Annex 10A Tables 10A-4 to 10A-9",
)
MANURE_EF3 = MethodColumn(
    "manure_ef3",
    "number",
    "direct N2O emission factor EF3 of manure_system [kg N2O-N/kg N]; default IPCC 2006 Vol. 4 Table 10.21",
    maximum=1.0,
)
FRAC_GAS_MS = MethodColumn(
    "frac_gas_ms",
    "number",
    "fraction Frac_GasMS of managed manure N volatilised as NH3 and NOx [0-1]; default IPCC 2006 "
    "Vol. 4 Table 10.22 (which prints percentages)",
    maximum=1.0,
)
FRAC_LEACH_MS = MethodColumn(
    "frac_leach_ms",
    "number",
    "fraction Frac_LeachMS of managed manure N lost by leaching and runoff [0-1] (IPCC 2006 Vol. 4 "
    "Eq. 10.28); no default: leaching is estimated only where given",
    maximum=1.0,
)
INDIRECT_N2O = MethodColumn(
    "indirect_n2o",
    "text",
    "yes (default): direct and indirect N2O; no: direct only; only: indirect only (volatilisation "
    "and leaching, IPCC 2006 Vol. 4 Eq. 10.26-10.29 and 11.9-11.10)",
    choices=("yes", "no", "only"),
)
N2O_EF4 = MethodColumn(
    "n2o_ef4",
    "number",
    "EF4 [kg N2O-N per kg NH3-N + NOx-N volatilised]; default 0.01, IPCC 2006 Vol. 4 Table 11.3",
    maximum=1.0,
)
N2O_EF5 = MethodColumn(
    "n2o_ef5",
    "number",
    "EF5 [kg N2O-N per kg N leached and run off]; default 0.0075, IPCC 2006 Vol. 4 Table 11.3",
    maximum=1.0,
)
FLOODED_RICE = MethodColumn(
    "flooded_rice",
    "text",
    "yes when the N is applied to flooded rice fields (EF1FR, IPCC 2006 Vol. 4 Table 11.1); default no",
    choices=("yes", "no"),
)
SOIL_N2O_EF = MethodColumn(
    "soil_n2o_ef",
    "number",
    "direct N2O emission factor of the N input [kg N2O-N/kg N] (EF1, EF1FR or EF3PRP); default "
    "IPCC 2006 Vol. 4 Table 11.1",
    maximum=1.0,
)
SOIL_FRAC_GAS = MethodColumn(
    "soil_frac_gas",
    "number",
    "fraction of the N volatilised as NH3 and NOx [0-1] (Frac_GASF for synthetic fertiliser, Frac_GASM "
    "for organic N and grazing deposits); default IPCC 2006 Vol. 4 Table 11.3",
    maximum=1.0,
)
SOIL_FRAC_LEACH = MethodColumn(
    "soil_frac_leach",
    "number",
    "fraction Frac_LEACH-(H) of the N lost by leaching and runoff [0-1]; default 0.3, IPCC 2006 Vol. 4 "
    "Table 11.3; give 0 in dry regions where leaching does not occur",
    maximum=1.0,
)
UREA_EF = MethodColumn(
    "urea_ef",
    "number",
    "carbon per mass of urea [t C/t urea]; default 0.20, IPCC 2006 Vol. 4 Eq. 11.13",
    maximum=1.0,
)
LIME_EF = MethodColumn(
    "lime_ef",
    "number",
    "carbonate carbon per mass of lime [t C/t]; default 0.12 limestone, 0.13 dolomite, IPCC 2006 Vol. 4 Eq. 11.12",
    maximum=1.0,
)
CULTIVATION_DAYS = MethodColumn(
    "cultivation_days",
    "number",
    "cultivation period t of the rice season [d] (IPCC 2006 Vol. 4 Eq. 5.1)",
    required=True,
    maximum=DAYS_PER_YEAR,
)
RICE_WATER_REGIME = MethodColumn(
    "rice_water_regime",
    "text",
    "water regime during the cultivation period (IPCC 2006 Vol. 4 Table 5.12); irrigated and "
    "rainfed_deep_water are the aggregated cases when the regime within them is not known",
    required=True,
    choices=(
        "continuously_flooded",
        "single_aeration",
        "multiple_aeration",
        "irrigated",
        "regular_rainfed",
        "drought_prone",
        "deep_water",
        "rainfed_deep_water",
        "upland",
    ),
)
RICE_PRESEASON_WATER = MethodColumn(
    "rice_preseason_water",
    "text",
    "water regime before the cultivation period (IPCC 2006 Vol. 4 Table 5.13); empty = unknown (the aggregated case)",
    choices=("not_flooded_under_180d", "not_flooded_over_180d", "flooded_over_30d", "unknown"),
)
ROA_COLUMNS = tuple(
    MethodColumn(
        f"roa_{kind}",
        "number",
        f"application rate ROA of {label} [t/ha, {basis} weight] (IPCC 2006 Vol. 4 Eq. 5.3, Table 5.14)",
    )
    for kind, label, basis in (
        ("straw_short", "straw incorporated shortly (<30 days) before cultivation", "dry"),
        ("straw_long", "straw incorporated long (>30 days) before cultivation", "dry"),
        ("compost", "compost", "fresh"),
        ("farmyard_manure", "farm yard manure", "fresh"),
        ("green_manure", "green manure", "fresh"),
    )
)
RICE_EF_C = MethodColumn(
    "rice_ef_c",
    "number",
    "baseline emission factor EF_c of continuously flooded fields without organic amendments "
    "[kg CH4/ha/d]; default 1.30, IPCC 2006 Vol. 4 Table 5.11",
)
RICE_SF_W = MethodColumn(
    "rice_sf_w", "number", "scaling factor SF_w for the cultivation-period water regime; default Table 5.12"
)
RICE_SF_P = MethodColumn(
    "rice_sf_p", "number", "scaling factor SF_p for the pre-season water regime; default Table 5.13"
)
RICE_SF_O = MethodColumn(
    "rice_sf_o",
    "number",
    "scaling factor SF_o for organic amendments; default (1 + sum ROA_i x CFOA_i)^0.59 (Eq. 5.3)",
)
RICE_SF_S = MethodColumn(
    "rice_sf_s",
    "number",
    "scaling factor SF_s,r for soil type and rice cultivar where available (Eq. 5.2); default 1",
)


# ---------------------------------------------------------------------------- helpers
def _text(rows: pd.DataFrame, column: str) -> np.ndarray:
    """A text column as an object array of str ('' for empty)."""
    return rows[column].astype(str).to_numpy(dtype=object)


def _population(rows: pd.DataFrame, ctx: MethodContext) -> np.ndarray:
    """Average annual population N [head]; Eq. 10.1 ``days_alive x NAPA / 365`` where days are given."""
    head = ctx.amount_in(rows, "head")
    days = rows["days_alive"].to_numpy(dtype=float)
    return np.where(np.isnan(days), head, head * days / DAYS_PER_YEAR)


def _climate(rows: pd.DataFrame, ctx: MethodContext) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per row: climate class (Table 10.15), temperature column ``t10``..``t28`` (Table 10.14), bad cell.

    A temperature is rounded to the nearest whole degree, as the columns of Table 10.14 are
    printed; <= 10 and >= 28 are the table's end columns. Work happens per distinct value.
    """
    codes, uniques = pd.factorize(rows["climate_temperature"].astype(str))
    cls = np.full(len(uniques), "", dtype=object)
    col = np.full(len(uniques), "", dtype=object)
    bad = np.zeros(len(uniques), dtype=bool)
    for i, text in enumerate(uniques):
        if text in CLIMATE_CLASSES:
            cls[i] = text
            continue
        number = text.removesuffix("°c").removesuffix("degc").strip()
        if not number:
            continue
        try:
            degrees = float(number)
        except ValueError:
            bad[i] = True
            continue
        if not np.isfinite(degrees):
            bad[i] = True
            continue
        whole = int(np.floor(degrees + 0.5))
        cls[i] = "cool" if whole < 15 else ("temperate" if whole <= 25 else "warm")
        col[i] = f"t{min(max(whole, 10), 28)}"
    ctx.flag(
        rows,
        bad[codes],
        "climate_temperature",
        "expected cool, temperate, warm or an annual average temperature in degC (e.g. 17.5)",
    )
    return cls[codes], col[codes], bad[codes]


def _flag_indirect_under_v3(rows: pd.DataFrame, ctx: MethodContext, mode: np.ndarray) -> np.ndarray:
    """Rows under GPC V.3 that do not report indirect N2O only (IPCC category 3.C.6), flagged."""
    wrong = rows["gpc_ref"].astype(str).str.startswith("V.3").to_numpy() & (mode != "only")
    ctx.flag(
        rows,
        wrong,
        "indirect_n2o",
        "direct N2O from manure management is GPC V.1 (IPCC 3.A.2); a V.3 row reports indirect N2O "
        "(IPCC 3.C.6) only: set indirect_n2o to only",
    )
    return wrong


# ---------------------------------------------------------------------------- livestock
def enteric(rows: pd.DataFrame, ctx: MethodContext) -> None:
    """CH4 from enteric fermentation, Tier 1 (IPCC 2006 Vol. 4 Ch. 10 Eq. 10.19 and 10.20).

    ``CH4 = N x EF / 1000`` [t CH4/yr] with ``N`` the average annual population [head] (Eq. 10.1
    ``N = days_alive x NAPA / 365`` when ``days_alive`` is given) and ``EF`` the emission factor
    [kg CH4/head/yr] of Table 10.10 (sheep, goats, camels, horses, mules and asses, deer, alpacas,
    swine, buffalo; developed or developing countries) or Table 10.11 (dairy and other cattle by
    region). The equation's ``/10^6`` (Gg) becomes ``/1000`` (t).
    """
    n = _population(rows, ctx)
    ef = ctx.parameter(
        rows, "enteric_ef", unit="kg/head/yr", qualifier=_text(rows, "development_status"), override="enteric_ef"
    )
    ctx.emit(rows, "CH4", n * ef.values / 1000.0, ef)


def manure_ch4(rows: pd.DataFrame, ctx: MethodContext) -> None:
    """CH4 from manure management, Tier 1 (IPCC 2006 Vol. 4 Ch. 10 Eq. 10.22).

    ``CH4 = N x EF / 1000`` [t CH4/yr] with ``EF`` [kg CH4/head/yr] from Table 10.14 for cattle,
    buffalo and swine (by region and annual average temperature, qualifier ``t10`` .. ``t28``) or
    Table 10.15 for other animals (by climate class and developed/developing countries,
    qualifier e.g. ``developing_warm``).
    """
    n = _population(rows, ctx)
    cls, column, bad = _climate(rows, ctx)
    given = rows["manure_ch4_ef"].notna().to_numpy()
    missing = (cls == "") & ~bad & ~given
    ctx.flag(
        rows,
        missing,
        "climate_temperature",
        "required by method manure_ch4 unless manure_ch4_ef is given: cool, temperate, warm or a temperature in degC",
    )
    dev = _text(rows, "development_status")
    by_degree = np.isin(rows["activity"].astype(str).to_numpy(), TEMPERATURE_TABLE_ANIMALS)
    qualifier = np.where(
        by_degree,
        np.where(column != "", column, cls),
        np.where(dev != "", dev + "_" + cls, cls),
    )
    ef = parameter_where(
        ctx, rows, ~bad & ~missing, "manure_ch4_ef", unit="kg/head/yr", qualifier=qualifier, override="manure_ch4_ef"
    )
    ctx.emit(rows, "CH4", n * ef.values / 1000.0, ef)


def manure_n2o(rows: pd.DataFrame, ctx: MethodContext) -> None:
    """Direct and indirect N2O from manure management (IPCC 2006 Vol. 4 Ch. 10 Eq. 10.25-10.30).

    Each row is one animal category T in one system S, so the sums of the equations are sums
    over rows. With ``N_S = N x Nex x MS`` [kg N/yr] the N managed in the system:

    * direct (Eq. 10.25): ``N2O = N_S x EF3(S) x 44/28``;
    * volatilisation (Eq. 10.26, 10.27): ``N2O = N_S x Frac_GasMS(T,S) x EF4 x 44/28``;
    * leaching (Eq. 10.28, 10.29): ``N2O = N_S x Frac_LeachMS(T,S) x EF5 x 44/28``, only where
      the row gives ``frac_leach_ms`` (the 2006 Guidelines give no default);

    all divided by 1000 for tonnes. ``Nex = Nrate x TAM / 1000 x 365`` [kg N/head/yr] (Eq. 10.30)
    with ``Nrate`` [kg N/(1000 kg animal mass)/d] of Table 10.19 and ``TAM`` [kg/head] of Annex
    10A; ``EF3`` [kg N2O-N/kg N] of Table 10.21; ``Frac_GasMS`` [fraction] of Table 10.22; ``EF4``
    and ``EF5`` [kg N2O-N/kg N] of Table 11.3. Where Table 10.22 has no value for the animal and
    system and the row gives none, volatilisation is not estimated and a warning says so.
    Manure on pasture, range and paddock belongs to ``soil_n2o`` (F_PRP, Eq. 11.1) and manure
    burned for fuel to Energy: both are reported as errors here.
    """
    n = _population(rows, ctx)
    system = _text(rows, "manure_system")
    mode = _text(rows, "indirect_n2o")
    wrong_ref = _flag_indirect_under_v3(rows, ctx, mode)
    ctx.flag(
        rows,
        system == "pasture_range_paddock",
        "manure_system",
        "N2O from manure on pasture, range and paddock is estimated with the managed soils: use method "
        "soil_n2o with activity urine_dung_n_cattle_pig_poultry or urine_dung_n_sheep_other (IPCC 2006 "
        "Vol. 4 Eq. 11.1)",
    )
    ctx.flag(
        rows,
        system == "burned_for_fuel",
        "manure_system",
        "manure burned for fuel is reported under Energy (IPCC 2006 Vol. 2), not manure management",
    )
    managed = ~np.isin(system, ("pasture_range_paddock", "burned_for_fuel")) & ~wrong_ref

    nex_row = rows["manure_nex"].to_numpy(dtype=float)
    need = managed & np.isnan(nex_row)
    nrate = parameter_where(ctx, rows, need, "manure_nrate", unit="kg/t/day", override="manure_nrate")
    tam = parameter_where(ctx, rows, need, "manure_tam", unit="kg/head", override="typical_animal_mass")
    nex = np.where(need, nrate.values * tam.values / 1000.0 * DAYS_PER_YEAR, nex_row)
    n_managed = n * nex * rows["system_fraction"].to_numpy(dtype=float)  # kg N/yr

    direct = managed & (mode != "only")
    ef3 = parameter_where(
        ctx,
        rows,
        direct,
        "manure_ef3",
        unit="1",
        activity="managed_manure_n",
        qualifier=system,
        override="manure_ef3",
        error_column="manure_system",
    )
    at = np.flatnonzero(direct)
    ctx.emit(rows, "N2O", (n_managed * ef3.values * N2O_PER_N / 1000.0)[at], nrate, tam, ef3, positions=at)

    indirect = managed & (mode != "no")
    frac_row = rows["frac_gas_ms"].to_numpy(dtype=float)
    volatilised = indirect & (~np.isnan(frac_row) | _has_frac_gas(rows, ctx, indirect & np.isnan(frac_row), system))
    frac = parameter_where(
        ctx,
        rows,
        volatilised,
        "manure_frac_gas",
        unit="1",
        qualifier=system,
        override="frac_gas_ms",
        error_column="manure_system",
    )
    ef4 = parameter_where(ctx, rows, volatilised, "n2o_ef4", unit="1", activity="n_volatilised", override="n2o_ef4")
    at = np.flatnonzero(volatilised)
    tonnes = n_managed * frac.values * ef4.values * N2O_PER_N / 1000.0
    ctx.emit(rows, "N2O", tonnes[at], nrate, tam, frac, ef4, positions=at)

    leach_row = rows["frac_leach_ms"].to_numpy(dtype=float)
    leached = indirect & ~np.isnan(leach_row)
    ef5 = parameter_where(ctx, rows, leached, "n2o_ef5", unit="1", activity="n_leached", override="n2o_ef5")
    at = np.flatnonzero(leached)
    tonnes = n_managed * leach_row * ef5.values * N2O_PER_N / 1000.0
    ctx.emit(rows, "N2O", tonnes[at], nrate, tam, ef5, positions=at)


def _has_frac_gas(rows: pd.DataFrame, ctx: MethodContext, mask: np.ndarray, system: np.ndarray) -> np.ndarray:
    """Rows (of ``mask``) for which the library has a Frac_GasMS; warn about the others.

    One library resolution per distinct (animal, system, region, year, GPC reference).
    """
    out = np.zeros(len(rows), dtype=bool)
    if not mask.any():
        return out
    key = pd.DataFrame(
        {
            "activity": rows["activity"].astype(str).to_numpy(),
            "system": system,
            "region": rows["region"].astype(str).to_numpy(),
            "year": rows["year"].to_numpy(),
            "gpc_ref": rows["gpc_ref"].astype(str).to_numpy(),
        }
    )[mask]
    codes, distinct = pd.MultiIndex.from_frame(key).factorize()
    found = np.zeros(len(distinct), dtype=bool)
    where = np.flatnonzero(mask)
    numbers = rows["row"].to_numpy()
    for i, (activity, sys_, region, year, ref) in enumerate(distinct):
        res = ctx.library.resolve(
            "manure_frac_gas", str(activity), gpc_ref=str(ref), region=str(region), year=int(year), qualifier=str(sys_)
        )
        found[i] = res.winner is not None
        if not found[i]:
            shown = ", ".join(str(r) for r in numbers[where[codes == i]][:10])
            ctx.warnings.append(
                f"manure_n2o: IPCC 2006 Vol. 4 Table 10.22 has no Frac_GasMS for {activity} in {sys_}; "
                f"indirect N2O from volatilisation is not estimated for row(s) {shown} (give frac_gas_ms to include it)"
            )
    out[where] = found[codes]
    return out


# ---------------------------------------------------------------------------- managed soils
def soil_n2o(rows: pd.DataFrame, ctx: MethodContext) -> None:
    """Direct and indirect N2O from managed soils, Tier 1 (IPCC 2006 Vol. 4 Ch. 11).

    Each row is one N input ``F`` [kg N/yr] named by its activity (F_SN, F_ON, F_CR, F_SOM,
    F_PRP); the sums of the equations are sums over rows:

    * direct (Eq. 11.1): ``N2O = F x EF x 44/28`` with ``EF`` = EF1 (0.01), EF1FR (0.003) on
      flooded rice, EF3PRP,CPP (0.02) or EF3PRP,SO (0.01) [kg N2O-N/kg N] (Table 11.1);
    * volatilisation (Eq. 11.9), F_SN, F_ON and F_PRP only: ``N2O = F x Frac_GAS x EF4 x 44/28``
      with Frac_GASF (0.1) for synthetic N, Frac_GASM (0.2) for organic N and grazing deposits;
    * leaching and runoff (Eq. 11.10): ``N2O = F x Frac_LEACH x EF5 x 44/28`` (0.3, 0.0075);

    all divided by 1000 for tonnes (Table 11.3 for the indirect factors).
    """
    n_kg = ctx.amount_in(rows, "kg")
    activity = rows["activity"].astype(str).to_numpy()
    flooded = _text(rows, "flooded_rice") == "yes"
    grazing = np.isin(activity, GRAZING_N)
    ctx.flag(
        rows,
        flooded & grazing,
        "flooded_rice",
        "urine and dung of grazing animals (F_PRP) has its own factor EF3PRP; EF1FR of flooded rice applies "
        "to F_SN, F_ON, F_CR and F_SOM (IPCC 2006 Vol. 4 Eq. 11.1)",
    )
    mode = _text(rows, "indirect_n2o")
    direct = mode != "only"
    ef = parameter_where(
        ctx,
        rows,
        direct,
        "soil_n2o_ef",
        unit="1",
        qualifier=np.where(flooded & ~grazing, "flooded_rice", ""),
        override="soil_n2o_ef",
    )
    at = np.flatnonzero(direct)
    ctx.emit(rows, "N2O", (n_kg * ef.values * N2O_PER_N / 1000.0)[at], ef, positions=at)

    indirect = mode != "no"
    volatilising = np.isin(activity, VOLATILISING_N)
    ctx.flag(
        rows,
        rows["soil_frac_gas"].notna().to_numpy() & ~volatilising,
        "soil_frac_gas",
        "IPCC 2006 Vol. 4 Eq. 11.9 has no volatilisation term for crop residue or soil organic matter N",
    )
    vol = indirect & volatilising
    frac = parameter_where(ctx, rows, vol, "soil_frac_gas", unit="1", override="soil_frac_gas")
    ef4 = parameter_where(ctx, rows, vol, "n2o_ef4", unit="1", activity="n_volatilised", override="n2o_ef4")
    at = np.flatnonzero(vol)
    ctx.emit(rows, "N2O", (n_kg * frac.values * ef4.values * N2O_PER_N / 1000.0)[at], frac, ef4, positions=at)

    leach = parameter_where(
        ctx, rows, indirect, "soil_frac_leach", unit="1", activity="n_leached", override="soil_frac_leach"
    )
    ef5 = parameter_where(ctx, rows, indirect, "n2o_ef5", unit="1", activity="n_leached", override="n2o_ef5")
    at = np.flatnonzero(indirect)
    ctx.emit(rows, "N2O", (n_kg * leach.values * ef5.values * N2O_PER_N / 1000.0)[at], leach, ef5, positions=at)


def urea(rows: pd.DataFrame, ctx: MethodContext) -> None:
    """CO2 from urea fertilisation (IPCC 2006 Vol. 4 Ch. 11 Eq. 11.13).

    ``CO2 = M x EF x 44/12`` [t CO2/yr] with ``M`` the urea applied [t urea/yr] and ``EF`` the
    carbon released [t C/t urea], default 0.20.
    """
    mass_t = ctx.amount_in(rows, "t")
    ef = ctx.parameter(rows, "urea_ef", unit="t/t", override="urea_ef")
    ctx.emit(rows, "CO2", mass_t * ef.values * CO2_PER_C, ef)


def liming(rows: pd.DataFrame, ctx: MethodContext) -> None:
    """CO2 from liming (IPCC 2006 Vol. 4 Ch. 11 Eq. 11.12).

    ``CO2 = M x EF x 44/12`` [t CO2/yr] per row, i.e. ``(M_limestone x 0.12 + M_dolomite x 0.13)
    x 44/12`` over the rows, with ``M`` the lime applied [t/yr] and ``EF`` its carbonate carbon
    [t C/t].
    """
    mass_t = ctx.amount_in(rows, "t")
    ef = ctx.parameter(rows, "lime_ef", unit="t/t", override="lime_ef")
    ctx.emit(rows, "CO2", mass_t * ef.values * CO2_PER_C, ef)


# ---------------------------------------------------------------------------- rice
def rice(rows: pd.DataFrame, ctx: MethodContext) -> None:
    """CH4 from rice cultivation, Tier 1 (IPCC 2006 Vol. 4 Ch. 5 Eq. 5.1-5.3).

    ``CH4 = EF x t x A / 1000`` [t CH4] (Eq. 5.1; /10^6 for Gg becomes /1000 for t) with ``A``
    the harvested area of the season [ha], ``t`` the cultivation period [d] and the daily factor
    ``EF = EF_c x SF_w x SF_p x SF_o x SF_s,r`` [kg CH4/ha/d] (Eq. 5.2): ``EF_c`` 1.30 (Table
    5.11), ``SF_w`` by water regime during cultivation (Table 5.12), ``SF_p`` by pre-season water
    regime (Table 5.13), ``SF_o = (1 + sum_i ROA_i x CFOA_i)^0.59`` (Eq. 5.3) with ``ROA`` [t/ha;
    dry weight for straw, fresh weight otherwise] and ``CFOA`` of Table 5.14, and ``SF_s,r`` 1
    unless given.
    """
    area_ha = ctx.amount_in(rows, "ha")
    days = rows["cultivation_days"].to_numpy(dtype=float)
    n = len(rows)
    efc = ctx.parameter(rows, "rice_ef_c", unit="kg/ha/day", override="rice_ef_c")
    sfw = ctx.parameter(
        rows,
        "rice_sf_w",
        unit="1",
        qualifier=_text(rows, "rice_water_regime"),
        override="rice_sf_w",
        error_column="rice_water_regime",
    )
    pre = _text(rows, "rice_preseason_water")
    sfp = ctx.parameter(
        rows,
        "rice_sf_p",
        unit="1",
        qualifier=np.where(pre == "", "unknown", pre),
        override="rice_sf_p",
        error_column="rice_preseason_water",
    )
    sfo_row = rows["rice_sf_o"].to_numpy(dtype=float)
    compute_sfo = np.isnan(sfo_row)
    amended = np.zeros(n)
    cfoa_ids = np.full(n, "", dtype=object)
    for kind in RICE_AMENDMENTS:  # the five amendment types of Table 5.14
        roa = rows[f"roa_{kind}"].to_numpy(dtype=float)
        use = compute_sfo & (roa > 0)
        if not use.any():
            continue
        cfoa = parameter_where(ctx, rows, use, "rice_cfoa", unit="1", qualifier=kind, error_column=f"roa_{kind}")
        amended[use] += roa[use] * cfoa.values[use]
        cfoa_ids = np.where(use, np.where(cfoa_ids == "", cfoa.factor_ids, cfoa_ids + ";" + cfoa.factor_ids), cfoa_ids)
    sfo = np.where(compute_sfo, (1.0 + amended) ** 0.59, sfo_row)
    sfs = rows["rice_sf_s"].fillna(1.0).to_numpy(dtype=float)
    ef = efc.values * sfw.values * sfp.values * sfo * sfs  # kg CH4/ha/d
    # CFOA ids for provenance; their uncertainty is damped by the 0.59 power, so none is combined.
    ctx.emit(rows, "CH4", ef * days * area_ha / 1000.0, efc, sfw, sfp, (cfoa_ids, np.full(n, np.nan)))


# ---------------------------------------------------------------------------- registration
register(
    SectorMethod(
        name="enteric",
        title="Enteric fermentation CH4, Tier 1",
        gpc_refs=("V.1",),
        activity_categories=("livestock",),
        amount_dimensions=("animals",),
        columns=(DAYS_ALIVE, DEVELOPMENT_STATUS, ENTERIC_EF),
        compute=enteric,
        reference="IPCC 2006 Vol. 4 Ch. 10, Eq. 10.19-10.20, Tables 10.10 and 10.11",
    )
)
register(
    SectorMethod(
        name="manure_ch4",
        title="Manure management CH4, Tier 1",
        gpc_refs=("V.1",),
        activity_categories=("livestock",),
        amount_dimensions=("animals",),
        columns=(CLIMATE_TEMPERATURE, DEVELOPMENT_STATUS, DAYS_ALIVE, MANURE_CH4_EF),
        compute=manure_ch4,
        reference="IPCC 2006 Vol. 4 Ch. 10, Eq. 10.22, Tables 10.14 and 10.15",
    )
)
register(
    SectorMethod(
        name="manure_n2o",
        title="Manure management N2O, direct and indirect, Tier 1",
        gpc_refs=("V.1", "V.3"),
        activity_categories=("livestock",),
        amount_dimensions=("animals",),
        columns=(
            MANURE_SYSTEM,
            SYSTEM_FRACTION,
            DAYS_ALIVE,
            MANURE_NEX,
            MANURE_NRATE,
            TYPICAL_ANIMAL_MASS,
            MANURE_EF3,
            INDIRECT_N2O,
            FRAC_GAS_MS,
            FRAC_LEACH_MS,
            N2O_EF4,
            N2O_EF5,
        ),
        compute=manure_n2o,
        reference="IPCC 2006 Vol. 4 Ch. 10, Eq. 10.25-10.30, Tables 10.19, 10.21, 10.22; Ch. 11 Table 11.3",
    )
)
register(
    SectorMethod(
        name="soil_n2o",
        title="Managed soils N2O, direct and indirect, Tier 1",
        gpc_refs=("V.3",),
        activity_categories=("soil_nitrogen",),
        amount_dimensions=("mass",),
        columns=(FLOODED_RICE, INDIRECT_N2O, SOIL_N2O_EF, SOIL_FRAC_GAS, SOIL_FRAC_LEACH, N2O_EF4, N2O_EF5),
        compute=soil_n2o,
        reference="IPCC 2006 Vol. 4 Ch. 11, Eq. 11.1, 11.9, 11.10, Tables 11.1 and 11.3",
    )
)
register(
    SectorMethod(
        name="urea",
        title="Urea fertilisation CO2",
        gpc_refs=("V.3",),
        activity_categories=("urea_fertiliser",),
        amount_dimensions=("mass",),
        columns=(UREA_EF,),
        compute=urea,
        reference="IPCC 2006 Vol. 4 Ch. 11, Eq. 11.13",
    )
)
register(
    SectorMethod(
        name="liming",
        title="Liming CO2",
        gpc_refs=("V.3",),
        activity_categories=("agricultural_lime",),
        amount_dimensions=("mass",),
        columns=(LIME_EF,),
        compute=liming,
        reference="IPCC 2006 Vol. 4 Ch. 11, Eq. 11.12",
    )
)
register(
    SectorMethod(
        name="rice",
        title="Rice cultivation CH4, Tier 1",
        gpc_refs=("V.3",),
        activity_categories=("rice_cultivation",),
        amount_dimensions=("area",),
        columns=(
            CULTIVATION_DAYS,
            RICE_WATER_REGIME,
            RICE_PRESEASON_WATER,
            *ROA_COLUMNS,
            RICE_EF_C,
            RICE_SF_W,
            RICE_SF_P,
            RICE_SF_O,
            RICE_SF_S,
        ),
        compute=rice,
        reference="IPCC 2006 Vol. 4 Ch. 5, Eq. 5.1-5.3, Tables 5.11-5.14",
    )
)
