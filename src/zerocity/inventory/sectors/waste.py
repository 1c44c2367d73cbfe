"""Waste (GPC III; IPCC 2006 Vol. 5): landfill FOD, biological treatment, incineration, wastewater.

Every function here is a Tier 1 method of the 2006 IPCC Guidelines, Volume 5, with its default
parameters in the factor library (dataset ``ipcc2006_waste``); a row may give its own value of a
parameter in the column of the same name (``fod_k``, ``ww_mcf``...), which then wins.

Mixed municipal solid waste (activity ``msw``) may carry its composition in the ``share_*``
columns (wet-weight fractions of the Table 2.4 components, the rest counted as other inert
waste): each component then decays, or burns, with its own parameters, as in the IPCC Waste
Model. Without shares a ``msw`` row is bulk waste.

References
----------
IPCC (2006). *2006 IPCC Guidelines for National Greenhouse Gas Inventories*, Volume 5 *Waste*:
Ch. 2 (Table 2.4), Ch. 3 (Eq. 3.1-3.6, Tables 3.1-3.3), Ch. 4 (Eq. 4.1-4.2, Table 4.1),
Ch. 5 (Eq. 5.1-5.2, Tables 5.2, 5.3, 5.6), Ch. 6 (Eq. 6.1-6.8, Tables 6.2-6.4, 6.8, 6.9, 6.11).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from zerocity.inventory.sectors.base import MethodColumn, MethodContext, ParameterValues, SectorMethod, parameter_where
from zerocity.inventory.sectors.registry import register

__all__ = [
    "biological_treatment",
    "first_order_decay",
    "fod_decomposed",
    "incineration",
    "wastewater_domestic",
    "wastewater_industrial",
]

C_TO_CH4 = 16.0 / 12.0  # [t CH4/t C]
C_TO_CO2 = 44.0 / 12.0  # [t CO2/t C]
N2O_N_TO_N2O = 44.0 / 28.0  # [t N2O/t N2O-N]
DAYS_PER_YEAR = 365.0  # Eq. 6.3
FRACTION_TOLERANCE = 1e-3  # shares and pathway fractions may miss 1 by this much (rounded inputs)

#: Composition columns of a ``msw`` row and the Table 2.4 component each one names.
SHARE_COLUMNS = {
    "share_food": "msw_food",
    "share_garden": "msw_garden",
    "share_paper": "msw_paper",
    "share_wood": "msw_wood",
    "share_textiles": "msw_textiles",
    "share_nappies": "msw_nappies",
    "share_rubber_leather": "msw_rubber_leather",
    "share_plastics": "msw_plastics",
    "share_metal": "msw_metal",
    "share_glass": "msw_glass",
    "share_other_inert": "msw_other_inert",
}
REST_COMPONENT = "msw_other_inert"
#: Activities whose incineration CH4 and N2O factors are those of MSW (Tables 5.3, 5.6).
MSW_ACTIVITIES = frozenset({"msw", *SHARE_COLUMNS.values()})

CLIMATE_ZONES = ("boreal_temperate_dry", "boreal_temperate_wet", "tropical_dry", "tropical_moist_wet")
SWDS_TYPES = ("managed_anaerobic", "managed_semi_aerobic", "unmanaged_deep", "unmanaged_shallow", "uncategorised")
TECHNOLOGIES = (
    "continuous_stoker",
    "continuous_fluidised_bed",
    "semi_continuous_stoker",
    "semi_continuous_fluidised_bed",
    "batch_stoker",
    "batch_fluidised_bed",
    "open_burning",
)
INDUSTRIAL_PATHWAYS = (
    "sea_river_lake_discharge",
    "aerobic_well_managed",
    "aerobic_overloaded",
    "anaerobic_digester_sludge",
    "anaerobic_reactor",
    "anaerobic_shallow_lagoon",
    "anaerobic_deep_lagoon",
)
DOMESTIC_PATHWAYS = (
    *INDUSTRIAL_PATHWAYS,
    "stagnant_sewer",
    "flowing_sewer",
    "septic_system",
    "latrine_dry_family",
    "latrine_dry_communal",
    "latrine_wet",
    "latrine_sediment_removal",
)
#: Domestic pathways of collected (sewered) wastewater, I = 1.25 (Eq. 6.3); the others are
#: uncollected (I = 1.00). Untreated discharge to sea, river or lake counts as uncollected unless
#: the row gives ``ww_i_factor``.
COLLECTED_PATHWAYS = frozenset(
    {
        "stagnant_sewer",
        "flowing_sewer",
        "aerobic_well_managed",
        "aerobic_overloaded",
        "anaerobic_digester_sludge",
        "anaerobic_reactor",
        "anaerobic_shallow_lagoon",
        "anaerobic_deep_lagoon",
    }
)


def _fraction(name: str, description: str) -> MethodColumn:
    return MethodColumn(name, "number", description, maximum=1.0)


# ---------------------------------------------------------------------------- columns
SITE = MethodColumn("site", "text", "solid waste disposal site; CH4 recovery and oxidation are per site (default '')")
SWDS_TYPE = MethodColumn(
    "swds_type",
    "text",
    "type of the disposal site, selects MCF (IPCC 2006 Vol. 5 Table 3.1); default uncategorised",
    choices=SWDS_TYPES,
)
SWDS_COVER = MethodColumn(
    "swds_oxidising_cover",
    "text",
    "yes when a managed site is covered with CH4-oxidising material (soil, compost): OX 0.1 (Table 3.2); default no",
    choices=("yes", "no"),
)
CLIMATE_ZONE = MethodColumn(
    "climate_zone",
    "text",
    "IPCC climate zone of the site, selects k (IPCC 2006 Vol. 5 Table 3.3)",
    required=True,
    choices=CLIMATE_ZONES,
)
CH4_RECOVERED = MethodColumn(
    "ch4_recovered",
    "number",
    "CH4 recovered (flared or used for energy) in the row's year [t CH4]; for fod: at the row's site",
)
SHARES = tuple(
    _fraction(col, f"wet-weight fraction of {act} in a mixed msw row (IPCC 2006 Vol. 5 Table 2.4); rest = inert")
    for col, act in SHARE_COLUMNS.items()
)
FOD_DOC = _fraction("fod_doc", "degradable organic carbon, wet basis [t C/t]; default Table 2.4 by waste type")
FOD_DOCF = _fraction("fod_docf", "fraction of DOC that decomposes [0-1]; default 0.5 (Vol. 5 Ch. 3)")
FOD_MCF = _fraction("fod_mcf", "methane correction factor [0-1]; default by swds_type (Table 3.1)")
FOD_K = MethodColumn(
    "fod_k", "number", "decay rate constant k [1/yr]; default by waste type and climate zone (Table 3.3)"
)
FOD_HALF_LIFE = MethodColumn("fod_half_life", "number", "half-life [yr], instead of fod_k: k = ln 2 / half-life")
FOD_F = _fraction("fod_f", "fraction of CH4 in generated landfill gas [0-1]; default 0.5 (Vol. 5 Ch. 3)")
FOD_OX = _fraction("fod_ox", "oxidation factor [0-1]; default Table 3.2 (0.1 managed and covered, else 0)")

WASTE_BASIS = MethodColumn(
    "waste_basis",
    "text",
    "basis of the amount of waste treated: wet (default) or dry weight; selects the Table 4.1 factor",
    choices=("wet", "dry"),
)
BIO_CH4_EF = MethodColumn("bio_ch4_ef", "number", "CH4 per waste treated [g CH4/kg, row's basis]; default Table 4.1")
BIO_N2O_EF = MethodColumn("bio_n2o_ef", "number", "N2O per waste treated [g N2O/kg, row's basis]; default Table 4.1")

TECHNOLOGY = MethodColumn(
    "incineration_technology",
    "text",
    "incinerator type (Table 5.3: continuous / semi-continuous / batch, stoker / fluidised bed) or open_burning",
    required=True,
    choices=TECHNOLOGIES,
)
INCIN_DM = _fraction("incin_dm", "dry matter content [fraction of wet weight]; default Table 2.4")
INCIN_CF = _fraction("incin_cf", "total carbon content [fraction of dry matter]; default Table 2.4 / 5.2")
INCIN_FCF = _fraction("incin_fcf", "fossil carbon fraction [fraction of total carbon]; default Table 2.4 / 5.2")
INCIN_OF = _fraction(
    "incin_of", "oxidation factor [fraction of carbon input]; default 1, open burning 0.58 (Table 5.2)"
)
INCIN_CH4_EF = MethodColumn("incin_ch4_ef", "number", "CH4 per wet waste [g CH4/t]; default Table 5.3 (MSW)")
INCIN_N2O_EF = MethodColumn("incin_n2o_ef", "number", "N2O per wet waste [g N2O/t]; default Table 5.6")

DOMESTIC_PATHWAY = MethodColumn(
    "wastewater_pathway",
    "text",
    "treatment or discharge pathway, selects MCF (Table 6.3 domestic, Table 6.8 industrial)",
    required=True,
    choices=DOMESTIC_PATHWAYS,
)
INDUSTRIAL_PATHWAY = MethodColumn(
    "wastewater_pathway",
    "text",
    "treatment or discharge pathway, selects MCF (Table 6.3 domestic, Table 6.8 industrial)",
    required=True,
    choices=INDUSTRIAL_PATHWAYS,
)
PATHWAY_FRACTION = _fraction(
    "pathway_fraction",
    "share of the system's population (domestic) or wastewater (industrial) on this pathway; the rows of "
    "one wastewater_system and year sum to 1; default 1",
)
WASTEWATER_SYSTEM = MethodColumn(
    "wastewater_system",
    "text",
    "name of the population group or plant whose pathway rows share one amount (e.g. urban, rural); default ''",
)
PROTEIN = MethodColumn(
    "protein_per_capita",
    "number",
    "annual per capita protein consumption [kg/person/yr] (country statistics; Eq. 6.8)",
    required=True,
)
GARBAGE_DISPOSAL = MethodColumn(
    "garbage_disposal",
    "text",
    "yes when kitchen garbage disposals are common: F_NON-CON 1.4, else 1.1 (Table 6.11); default no",
    choices=("yes", "no"),
)
SLUDGE_BOD = MethodColumn("sludge_bod_removed", "number", "organic component removed as sludge, S [t BOD]")
SLUDGE_COD = MethodColumn("sludge_cod_removed", "number", "organic component removed as sludge, S [t COD]")
SLUDGE_N = MethodColumn("sludge_n_removed", "number", "nitrogen removed with sludge, N_SLUDGE [t N]")
WW_BOD = MethodColumn("ww_bod", "number", "per capita BOD [g/person/day]; default Table 6.4 (Asia 40)")
WW_I = MethodColumn(
    "ww_i_factor", "number", "industrial co-discharge correction I; default 1.25 collected, 1.0 uncollected"
)
WW_BO = MethodColumn("ww_bo", "number", "maximum CH4 producing capacity [kg CH4/kg BOD]; default 0.6 (Table 6.2)")
WW_MCF = _fraction("ww_mcf", "methane correction factor of the pathway [0-1]; default Table 6.3 / 6.8")
WW_F_NPR = _fraction("ww_f_npr", "fraction of nitrogen in protein [kg N/kg protein]; default 0.16 (Table 6.11)")
WW_F_NON_CON = MethodColumn(
    "ww_f_non_con", "number", "factor for non-consumed protein; default 1.1 or 1.4 (Table 6.11)"
)
WW_F_IND_COM = MethodColumn("ww_f_ind_com", "number", "factor for co-discharged protein; default 1.25 (Table 6.11)")
WW_N2O_EF = MethodColumn("ww_n2o_ef", "number", "effluent N2O factor [kg N2O-N/kg N]; default 0.005 (Table 6.11)")
WWI_W = MethodColumn("wwi_w", "number", "wastewater generated per product [m3/t]; default Table 6.9")
WWI_COD = MethodColumn("wwi_cod", "number", "COD of the wastewater [kg COD/m3]; default Table 6.9")
WWI_BO = MethodColumn("wwi_bo", "number", "maximum CH4 producing capacity [kg CH4/kg COD]; default 0.25 (Vol. 5 Ch. 6)")


# ---------------------------------------------------------------------------- helpers
def _text(rows: pd.DataFrame, column: str, default: str = "") -> np.ndarray:
    """A text column as a string array, empty cells replaced by ``default``."""
    values = rows[column].astype(str).to_numpy()
    return np.where(values == "", default, values) if default else values


def _number(rows: pd.DataFrame, column: str, default: float = np.nan) -> np.ndarray:
    """A number column as floats, empty cells replaced by ``default``."""
    values = rows[column].to_numpy(dtype=float)
    return values if np.isnan(default) else np.where(np.isnan(values), default, values)


def _take(p: ParameterValues, index: np.ndarray) -> ParameterValues:
    """Parameter values of the rows ``index`` points at (a row-level parameter for components)."""
    return ParameterValues(p.values[index], p.factor_ids[index], p.rel_uncertainty[index])


def _components(rows: pd.DataFrame, ctx: MethodContext) -> tuple[pd.DataFrame, np.ndarray, np.ndarray, np.ndarray]:
    """Split mixed-MSW rows with ``share_*`` columns into one row per Table 2.4 component.

    Returns
    -------
    components : pandas.DataFrame
        A copy of the rows, one per component (``activity`` is the component's).
    source : numpy.ndarray
        Index into ``rows`` of each component.
    share : numpy.ndarray
        Wet-weight fraction of its row each component carries [unitless].
    composite : numpy.ndarray of bool
        Rows given as a composition.
    """
    activity = rows["activity"].astype(str).to_numpy()
    names = list(SHARE_COLUMNS)
    shares = np.column_stack([rows[c].to_numpy(dtype=float) for c in names])
    given = ~np.isnan(shares)
    for j, col in enumerate(names):
        ctx.flag(rows, given[:, j] & (activity != "msw"), col, "composition shares describe mixed MSW (activity msw)")
    total = np.nansum(shares, axis=1)
    over = given.any(axis=1) & (total > 1.0 + FRACTION_TOLERANCE)
    first = np.argmax(given, axis=1)
    for j, col in enumerate(names):
        ctx.flag(rows, over & (first == j), col, "composition shares sum to more than 1")
    composite = given.any(axis=1) & (activity == "msw")
    matrix = np.where(composite[:, None], np.nan_to_num(shares), 0.0)
    rest = np.where(composite, np.clip(1.0 - total, 0.0, None), 0.0)
    matrix[:, names.index("share_other_inert")] += rest
    r_idx, c_idx = np.nonzero(matrix > 0)
    single = np.flatnonzero(~composite)
    source = np.concatenate([single, r_idx])
    component_activity = np.concatenate([activity[single], np.array(list(SHARE_COLUMNS.values()))[c_idx]])
    share = np.concatenate([np.ones(len(single)), matrix[r_idx, c_idx]])
    order = np.argsort(source, kind="stable")
    source, component_activity, share = source[order], component_activity[order], share[order]
    components = rows.iloc[source].reset_index(drop=True)
    components["activity"] = component_activity.astype(object)
    return components, source, share, composite


def _group_codes(rows: pd.DataFrame, columns: list[str]) -> np.ndarray:
    """Integer code of each row's combination of ``columns``."""
    return rows.groupby(columns, observed=True, sort=False).ngroup().to_numpy()


def _check_pathway_fractions(
    ctx: MethodContext, rows: pd.DataFrame, amount: np.ndarray, fraction: np.ndarray, keys: list[str], what: str
) -> None:
    """Flag systems whose pathway fractions do not sum to 1 or whose rows give different amounts.

    ``amount`` is each row's amount in one unit (persons, t), so that rows in different units compare.
    """
    codes = _group_codes(rows, keys)
    sums = np.bincount(codes, weights=fraction)
    for code in np.flatnonzero(np.abs(sums - 1.0) > FRACTION_TOLERANCE):
        ctx.flag(
            rows,
            codes == code,
            "pathway_fraction",
            f"pathway fractions of one {what} and year sum to {sums[code]:.4g}; expected 1",
        )
    low = pd.Series(amount).groupby(codes).transform("min").to_numpy()
    high = pd.Series(amount).groupby(codes).transform("max").to_numpy()
    ctx.flag(
        rows,
        np.isfinite(low) & np.isfinite(high) & ~np.isclose(low, high, rtol=1e-9, atol=0.0),
        "amount",
        f"the pathway rows of one {what} and year give the whole {what}'s amount: expected the same on each",
    )


def _flag_excess(
    ctx: MethodContext, rows: pd.DataFrame, taken: np.ndarray, available: np.ndarray, column: str, message: str
) -> None:
    """Flag rows subtracting more (sludge, recovery) than they generate."""
    ctx.flag(rows, taken > available * (1.0 + 1e-9) + 1e-12, column, message)


# ---------------------------------------------------------------------------- solid waste disposal
def fod_decomposed(
    ddocm: np.ndarray, k: np.ndarray, deposit_year: np.ndarray, years: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mass of carbon each deposit decomposes in each inventory year (IPCC 2006 Vol. 5 Eq. 3.4/3.5).

    With deposits starting to decay on 1 January after their year (the Waste Model's six-month
    delay), a deposit ``DDOCm_d`` of year ``y`` decomposes in year ``T > y``::

        DDOCm_d x (exp(-k (T - 1 - y)) - exp(-k (T - y)))

    which, summed over deposits, is the recursive series ``DDOCma_T = DDOCmd_T + DDOCma_{T-1}
    e^-k``, ``decomposed_T = DDOCma_{T-1} (1 - e^-k)``.

    Parameters
    ----------
    ddocm : numpy.ndarray
        Decomposable degradable organic carbon deposited, per deposit [t C].
    k : numpy.ndarray
        Decay rate of each deposit [1/yr].
    deposit_year : numpy.ndarray
        Year of each deposit.
    years : numpy.ndarray
        Inventory years (sorted, unique).

    Returns
    -------
    deposit, year_index : numpy.ndarray
        Index of the deposit and of the inventory year of each non-zero contribution.
    decomposed : numpy.ndarray
        Carbon decomposed [t C], aligned with them.
    """
    lag = years[None, :] - deposit_year[:, None]
    ci, ti = np.nonzero((lag >= 1) & (ddocm > 0)[:, None])
    kk, lg = k[ci], lag[ci, ti]
    return ci, ti, ddocm[ci] * (np.exp(-kk * (lg - 1)) - np.exp(-kk * lg))


def first_order_decay(rows: pd.DataFrame, ctx: MethodContext) -> None:
    """CH4 of solid waste disposal by first order decay (IPCC 2006 Vol. 5 Ch. 3, Tier 1).

    Each row is the wet mass ``W`` [t] of one waste type deposited at a site in its ``year``
    ``y`` (a history: every deposit since the first year with data). With the IPCC Waste
    Model's six-month delay, deposits of year ``y`` start to decay on 1 January of ``y + 1``, so
    the mass decomposed in inventory year ``T > y`` is (Eq. 3.2, 3.4, 3.5)::

        DDOCm_d = W * DOC * DOCf * MCF                                [t C]
        DDOCm_decomposed(T) = DDOCm_d * (exp(-k (T-1-y)) - exp(-k (T-y)))

    which sums over deposits exactly to the recursive series ``DDOCma_T = DDOCmd_T +
    DDOCma_{T-1} e^-k``, ``decomposed_T = DDOCma_{T-1} (1 - e^-k)``. Then (Eq. 3.6, 3.1)::

        CH4 generated(T) = DDOCm_decomposed(T) * F * 16/12            [t CH4]
        CH4 emitted(T)   = (sum over the site's deposits of CH4 generated(T) - R_T) * (1 - OX)

    ``DOC`` [t C/t wet waste] Table 2.4 (DOC 0 for plastics, metal, glass, inert; rubber 0),
    ``DOCf`` 0.5 and ``F`` 0.5 (Ch. 3 defaults), ``MCF`` Table 3.1 by ``swds_type``, ``k``
    [1/yr] Table 3.3 by waste type and ``climate_zone`` (or ``ln 2 / fod_half_life``), ``OX``
    Table 3.2 (0.1 for a managed site with an oxidising cover, else 0) and ``R_T`` the CH4
    recovered [t] given on the site's rows of year ``T``; the recovery is shared among the
    site's deposits in proportion to their generation. A mixed ``msw`` row with ``share_*``
    columns is split into its components, each decaying with its own DOC and k; without
    shares it is bulk waste (k of Table 3.3 'bulk waste', DOC from ``fod_doc``).

    Emissions are those of the inventory years ``ctx.years``, with the emission year ``T``.

    Parameters
    ----------
    rows : pandas.DataFrame
        The method's validated rows: record columns and the method's own columns.
    ctx : MethodContext
        Resolves the parameters; receives the emissions [t of each gas] and the issues.

    References
    ----------
    IPCC (2006), Vol. 5 Ch. 3, Eq. 3.1, 3.2, 3.4, 3.5, 3.6; Tables 3.1, 3.2, 3.3; Ch. 2 Table 2.4.
    """
    comp, source, share, composite = _components(rows, ctx)
    ctx.flag(rows, composite & rows["fod_doc"].notna().to_numpy(), "fod_doc", "give shares or fod_doc, not both")
    mass = ctx.amount_in(rows, "t")[source] * share
    doc = ctx.parameter(comp, "fod_doc", unit="1", override="fod_doc", error_column="fod_doc")

    swds = _text(rows, "swds_type", "uncategorised")
    managed = np.char.startswith(swds.astype(str), "managed")
    covered = _text(rows, "swds_oxidising_cover") == "yes"
    ctx.flag(
        rows, covered & ~managed, "swds_oxidising_cover", "an oxidising cover (Table 3.2) needs a managed swds_type"
    )
    docf = ctx.parameter(rows, "fod_docf", unit="1", activity="swds", override="fod_docf")
    mcf = ctx.parameter(rows, "fod_mcf", unit="1", activity="swds", qualifier=swds, override="fod_mcf")
    f_ch4 = ctx.parameter(rows, "fod_f", unit="1", activity="swds", override="fod_f")
    ox_qualifier = np.where(covered & managed, "managed_covered", "")
    ox = ctx.parameter(rows, "fod_ox", unit="1", activity="swds", qualifier=ox_qualifier, override="fod_ox")

    k_given = _number(rows, "fod_k")
    half_life = _number(rows, "fod_half_life")
    ctx.flag(rows, ~np.isnan(k_given) & ~np.isnan(half_life), "fod_half_life", "give fod_k or fod_half_life, not both")
    ctx.flag(rows, half_life == 0, "fod_half_life", "expected a half-life > 0")
    with np.errstate(divide="ignore"):
        k_row = np.where(np.isnan(k_given), math.log(2.0) / half_life, k_given)
    comp["fod_k"] = k_row[source]
    decays = np.nan_to_num(doc.values) > 0
    zone = _text(comp, "climate_zone")
    k = parameter_where(ctx, comp, decays, "fod_k", unit="1/yr", qualifier=zone, override="fod_k", error_column="fod_k")

    docf_c, mcf_c, f_c, ox_c = (_take(p, source) for p in (docf, mcf, f_ch4, ox))
    ddocm = mass * doc.values * docf_c.values * mcf_c.values  # [t C] deposited, decomposable
    years = np.unique(np.asarray(ctx.years, dtype=np.int64))
    if not len(years):
        return
    deposit_year = comp["year"].to_numpy(dtype=np.int64)
    ci, ti, decomposed = fod_decomposed(np.where(decays, ddocm, 0.0), k.values, deposit_year, years)
    generated = decomposed * f_c.values[ci] * C_TO_CH4  # [t CH4]

    # Recovery per site and inventory year (Eq. 3.1), shared among the site's deposits.
    site = _group_codes(rows, ["region", "entity", "district", "site"])
    n_years = len(years)
    key = site[source][ci] * n_years + ti
    n_keys = (int(site.max()) + 1) * n_years
    gen_total = np.bincount(key, weights=generated, minlength=n_keys)
    recovered_t = _number(rows, "ch4_recovered")
    row_year = rows["year"].to_numpy(dtype=np.int64)
    t_index = np.clip(np.searchsorted(years, row_year), 0, n_years - 1)
    has_r = ~np.isnan(recovered_t) & (years[t_index] == row_year)
    row_key = site * n_years + t_index
    rec_total = np.zeros(n_keys)
    np.add.at(rec_total, row_key[has_r], recovered_t[has_r])
    excess = rec_total > gen_total * (1.0 + 1e-9) + 1e-12
    for bad in np.flatnonzero(excess):
        ctx.flag(
            rows,
            has_r & (row_key == bad),
            "ch4_recovered",
            f"CH4 recovered at this site in {years[bad % n_years]} ({rec_total[bad]:.6g} t) exceeds the CH4 "
            f"generated there by first order decay ({gen_total[bad]:.6g} t)",
        )
    ratio = np.divide(rec_total, gen_total, out=np.zeros(n_keys), where=gen_total > 0)
    emitted = generated * (1.0 - ratio[key]) * (1.0 - ox_c.values[ci])
    ctx.emit(comp, "CH4", emitted, doc, docf_c, mcf_c, k, f_c, ox_c, year=years[ti], positions=ci)


# ---------------------------------------------------------------------------- biological treatment
def biological_treatment(rows: pd.DataFrame, ctx: MethodContext) -> None:
    """CH4 and N2O of composting and anaerobic digestion (IPCC 2006 Vol. 5 Ch. 4, Tier 1).

    ``CH4 = M * EF_CH4 * 10^-3 - R`` (Eq. 4.1) and ``N2O = M * EF_N2O * 10^-3`` (Eq. 4.2) with
    ``M`` the waste treated [kg here; Gg in the Guidelines], ``EF`` [g/kg waste] from Table 4.1
    by treatment (the row's activity, ``composting`` or ``anaerobic_digestion``) and by the basis
    of the amount (``waste_basis``: wet, the default, or dry) and ``R`` the CH4 recovered [t].
    N2O of anaerobic digestion is assumed negligible (Table 4.1: factor 0).

    Parameters
    ----------
    rows : pandas.DataFrame
        The method's validated rows: record columns and the method's own columns.
    ctx : MethodContext
        Resolves the parameters; receives the emissions [t of each gas] and the issues.

    References
    ----------
    IPCC (2006), Vol. 5 Ch. 4, Eq. 4.1, 4.2; Table 4.1.
    """
    mass_kg = ctx.amount_in(rows, "kg")
    basis = _text(rows, "waste_basis", "wet")
    ch4_ef = ctx.parameter(rows, "bio_ch4_ef", unit="g/kg", qualifier=basis, override="bio_ch4_ef")
    n2o_ef = ctx.parameter(rows, "bio_n2o_ef", unit="g/kg", qualifier=basis, override="bio_n2o_ef")
    generated = mass_kg * ch4_ef.values * 1e-6  # [t CH4]
    recovered = _number(rows, "ch4_recovered", 0.0)
    _flag_excess(
        ctx,
        rows,
        recovered,
        generated,
        "ch4_recovered",
        "CH4 recovered exceeds the CH4 the treatment generates (Eq. 4.1)",
    )
    ctx.emit(rows, "CH4", generated - recovered, ch4_ef)
    ctx.emit(rows, "N2O", mass_kg * n2o_ef.values * 1e-6, n2o_ef)


# ---------------------------------------------------------------------------- incineration
def incineration(rows: pd.DataFrame, ctx: MethodContext) -> None:
    """CO2, CH4 and N2O of incineration and open burning of waste (IPCC 2006 Vol. 5 Ch. 5).

    Fossil CO2 (Eq. 5.1, and Eq. 5.2 for a mixed ``msw`` row split by its ``share_*`` columns)::

        CO2_fossil = sum_j W_j * dm_j * CF_j * FCF_j * OF * 44/12      [t CO2]

    with ``W_j`` the wet mass of component ``j`` [t], ``dm`` its dry matter content [fraction
    of wet weight], ``CF`` its total carbon content [fraction of dry matter], ``FCF`` its fossil
    carbon fraction (Table 2.4 for MSW components, Table 5.2 for industrial and clinical waste
    and sewage sludge) and ``OF`` the oxidation factor (Table 5.2: 1 for incineration, 0.58 for
    open burning). The non-fossil carbon, ``W dm CF (1 - FCF) OF 44/12``, is biogenic CO2,
    reported as a memo item. CH4 and N2O (Eq. 5.4, 5.5): ``W * EF * 10^-6`` [t] with ``EF``
    [g/t wet waste] by ``incineration_technology``: CH4 Table 5.3 (MSW; open burning 6500 g/t,
    Section 5.4.2), N2O Table 5.6 (MSW continuous and semi-continuous 50, batch 60, industrial
    waste 100, sewage sludge 900 g/t wet; MSW open burning 150 g/t dry, applied as ``W dm EF``).
    Amounts are wet weight.

    Parameters
    ----------
    rows : pandas.DataFrame
        The method's validated rows: record columns and the method's own columns.
    ctx : MethodContext
        Resolves the parameters; receives the emissions [t of each gas] and the issues.

    References
    ----------
    IPCC (2006), Vol. 5 Ch. 5, Eq. 5.1, 5.2, 5.4, 5.5; Tables 5.2, 5.3, 5.6; Ch. 2 Table 2.4.
    """
    comp, source, share, _ = _components(rows, ctx)
    wet_t = ctx.amount_in(rows, "t")[source] * share
    activity = comp["activity"].astype(str).to_numpy()
    tech_row = _text(rows, "incineration_technology")
    tech = tech_row[source]
    ef_activity = np.where(np.isin(activity, list(MSW_ACTIVITIES)), "msw", activity)

    dm = ctx.parameter(comp, "incin_dm", unit="1", override="incin_dm", error_column="incin_dm")
    cf = ctx.parameter(comp, "incin_cf", unit="1", override="incin_cf", error_column="incin_cf")
    has_carbon = np.nan_to_num(cf.values) > 0
    fcf = parameter_where(ctx, comp, has_carbon, "incin_fcf", unit="1", override="incin_fcf", error_column="incin_fcf")
    of_qualifier = np.where(tech_row == "open_burning", "open_burning", "")
    of = _take(
        ctx.parameter(
            rows, "incin_of", unit="1", activity="waste_incineration", qualifier=of_qualifier, override="incin_of"
        ),
        source,
    )
    carbon = np.where(has_carbon, wet_t * dm.values * cf.values * of.values, 0.0)  # [t C] oxidised
    fossil = np.where(has_carbon, np.nan_to_num(fcf.values), 0.0)
    ctx.emit(comp, "CO2", carbon * fossil * C_TO_CO2, dm, cf, fcf, of)
    ctx.emit(comp, "CO2", carbon * (1.0 - fossil) * C_TO_CO2, dm, cf, fcf, of, biogenic=True)

    ch4_ef = ctx.parameter(
        comp,
        "incin_ch4_ef",
        unit="g/t",
        activity=ef_activity,
        qualifier=tech,
        override="incin_ch4_ef",
        error_column="incin_ch4_ef",
    )
    ctx.emit(comp, "CH4", wet_t * ch4_ef.values * 1e-6, ch4_ef)

    per_wet = (tech != "open_burning") | comp["incin_n2o_ef"].notna().to_numpy()
    n2o_wet = parameter_where(
        ctx,
        comp,
        per_wet,
        "incin_n2o_ef",
        unit="g/t",
        activity=ef_activity,
        qualifier=tech,
        override="incin_n2o_ef",
        error_column="incin_n2o_ef",
    )
    n2o_dry = parameter_where(
        ctx,
        comp,
        ~per_wet,
        "incin_n2o_ef_dry",
        unit="g/t",
        activity=ef_activity,
        qualifier=tech,
        error_column="incin_n2o_ef",
    )
    dm_for_dry = ParameterValues(
        dm.values, np.where(per_wet, "", dm.factor_ids), np.where(per_wet, np.nan, dm.rel_uncertainty)
    )
    n2o_g_per_t = np.where(per_wet, n2o_wet.values, dm.values * n2o_dry.values)
    ctx.emit(comp, "N2O", wet_t * n2o_g_per_t * 1e-6, n2o_wet, n2o_dry, dm_for_dry)


# ---------------------------------------------------------------------------- wastewater
def wastewater_domestic(rows: pd.DataFrame, ctx: MethodContext) -> None:
    """CH4 and N2O of domestic wastewater treatment and discharge (IPCC 2006 Vol. 5 Ch. 6).

    Each row is one treatment or discharge pathway ``j`` of a population ``P`` [persons] (the
    ``amount``; the same on every row of one ``wastewater_system`` and year) with the share
    ``U_i T_ij`` of that population on the pathway (``pathway_fraction``). CH4 (Eq. 6.1-6.3)::

        TOW = P * BOD * 0.001 * I * 365 * fraction                    [kg BOD/yr]
        CH4 = (TOW - S) * Bo * MCF_j - R                              [kg CH4/yr]

    ``BOD`` [g/person/day] Table 6.4 (Asia, Middle East, Latin America 40), ``I`` 1.25 for
    collected and 1.00 for uncollected wastewater, ``Bo`` 0.6 kg CH4/kg BOD (Table 6.2),
    ``MCF_j`` Table 6.3, ``S`` the organics removed as sludge [t BOD] and ``R`` the CH4 recovered
    [t]. N2O from effluent (Eq. 6.7, 6.8)::

        N_EFFLUENT = P * Protein * F_NPR * F_NON-CON * F_IND-COM * fraction - N_SLUDGE  [kg N]
        N2O = N_EFFLUENT * EF_EFFLUENT * 44/28                        [kg N2O/yr]

    ``Protein`` [kg/person/yr] is the row's ``protein_per_capita``, ``F_NPR`` 0.16,
    ``F_NON-CON`` 1.1 (1.4 with garbage disposals), ``F_IND-COM`` 1.25, ``EF_EFFLUENT`` 0.005 kg
    N2O-N/kg N (Table 6.11).

    Parameters
    ----------
    rows : pandas.DataFrame
        The method's validated rows: record columns and the method's own columns.
    ctx : MethodContext
        Resolves the parameters; receives the emissions [t of each gas] and the issues.

    References
    ----------
    IPCC (2006), Vol. 5 Ch. 6, Eq. 6.1, 6.2, 6.3, 6.7, 6.8; Tables 6.2, 6.3, 6.4, 6.11.
    """
    persons = ctx.amount_in(rows, "person")
    fraction = _number(rows, "pathway_fraction", 1.0)
    _check_pathway_fractions(
        ctx, rows, persons, fraction, ["year", "region", "entity", "district", "wastewater_system"], "wastewater system"
    )
    pathway = _text(rows, "wastewater_pathway")
    collected = np.where(np.isin(pathway, list(COLLECTED_PATHWAYS)), "collected", "uncollected")
    bod = ctx.parameter(rows, "ww_bod", unit="g/person/d", override="ww_bod", error_column="ww_bod")
    i_factor = ctx.parameter(rows, "ww_i_factor", unit="1", qualifier=collected, override="ww_i_factor")
    bo = ctx.parameter(rows, "ww_bo", unit="kg/kg", override="ww_bo")
    mcf = ctx.parameter(
        rows, "ww_mcf", unit="1", qualifier=pathway, override="ww_mcf", error_column="wastewater_pathway"
    )
    tow = persons * bod.values * 0.001 * i_factor.values * DAYS_PER_YEAR * fraction  # [kg BOD/yr]
    sludge = _number(rows, "sludge_bod_removed", 0.0) * 1000.0
    _flag_excess(ctx, rows, sludge, tow, "sludge_bod_removed", "sludge organics exceed the row's TOW (Eq. 6.3)")
    generated = (tow - sludge) * bo.values * mcf.values  # [kg CH4]
    recovered = _number(rows, "ch4_recovered", 0.0) * 1000.0
    _flag_excess(
        ctx, rows, recovered, generated, "ch4_recovered", "CH4 recovered exceeds the CH4 the row generates (Eq. 6.1)"
    )
    ctx.emit(rows, "CH4", (generated - recovered) / 1000.0, bod, i_factor, bo, mcf)

    disposal = np.where(_text(rows, "garbage_disposal") == "yes", "with_garbage_disposal", "without_garbage_disposal")
    npr = ctx.parameter(rows, "ww_f_npr", unit="kg/kg", override="ww_f_npr")
    non_con = ctx.parameter(rows, "ww_f_non_con", unit="1", qualifier=disposal, override="ww_f_non_con")
    ind_com = ctx.parameter(rows, "ww_f_ind_com", unit="1", override="ww_f_ind_com")
    ef = ctx.parameter(rows, "ww_n2o_ef", unit="kg/kg", override="ww_n2o_ef")
    protein = _number(rows, "protein_per_capita")
    nitrogen = persons * protein * npr.values * non_con.values * ind_com.values * fraction  # [kg N]
    sludge_n = _number(rows, "sludge_n_removed", 0.0) * 1000.0
    _flag_excess(
        ctx, rows, sludge_n, nitrogen, "sludge_n_removed", "sludge nitrogen exceeds the row's nitrogen (Eq. 6.8)"
    )
    n2o_kg = (nitrogen - sludge_n) * ef.values * N2O_N_TO_N2O
    ctx.emit(rows, "N2O", n2o_kg / 1000.0, npr, non_con, ind_com, ef)


def wastewater_industrial(rows: pd.DataFrame, ctx: MethodContext) -> None:
    """CH4 of industrial wastewater treatment and discharge (IPCC 2006 Vol. 5 Ch. 6, Tier 1).

    Each row is the product output ``P`` [t] of one industry (the activity) with the share of its
    wastewater treated on pathway ``j`` (``pathway_fraction``). Eq. 6.4-6.6::

        TOW = P * W * COD * fraction                                  [kg COD/yr]
        CH4 = (TOW - S) * Bo * MCF_j - R                              [kg CH4/yr]

    ``W`` [m3/t product] and ``COD`` [kg COD/m3] from Table 6.9 by industry, ``Bo`` 0.25 kg
    CH4/kg COD, ``MCF_j`` Table 6.8, ``S`` the organics removed as sludge [t COD] and ``R`` the
    CH4 recovered [t].

    Parameters
    ----------
    rows : pandas.DataFrame
        The method's validated rows: record columns and the method's own columns.
    ctx : MethodContext
        Resolves the parameters; receives the emissions [t of each gas] and the issues.

    References
    ----------
    IPCC (2006), Vol. 5 Ch. 6, Eq. 6.4, 6.5, 6.6; Tables 6.8, 6.9.
    """
    product_t = ctx.amount_in(rows, "t")
    fraction = _number(rows, "pathway_fraction", 1.0)
    _check_pathway_fractions(
        ctx,
        rows,
        product_t,
        fraction,
        ["year", "region", "entity", "district", "wastewater_system", "activity"],
        "industry",
    )
    pathway = _text(rows, "wastewater_pathway")
    w = ctx.parameter(rows, "wwi_w", unit="m3/t", override="wwi_w", error_column="wwi_w")
    cod = ctx.parameter(rows, "wwi_cod", unit="kg/m3", override="wwi_cod", error_column="wwi_cod")
    bo = ctx.parameter(rows, "wwi_bo", unit="kg/kg", activity="industrial_wastewater", override="wwi_bo")
    mcf = ctx.parameter(
        rows,
        "ww_mcf",
        unit="1",
        activity="industrial_wastewater",
        qualifier=pathway,
        override="ww_mcf",
        error_column="wastewater_pathway",
    )
    tow = product_t * w.values * cod.values * fraction  # [kg COD/yr]
    sludge = _number(rows, "sludge_cod_removed", 0.0) * 1000.0
    _flag_excess(ctx, rows, sludge, tow, "sludge_cod_removed", "sludge organics exceed the row's TOW (Eq. 6.6)")
    generated = (tow - sludge) * bo.values * mcf.values  # [kg CH4]
    recovered = _number(rows, "ch4_recovered", 0.0) * 1000.0
    _flag_excess(
        ctx, rows, recovered, generated, "ch4_recovered", "CH4 recovered exceeds the CH4 the row generates (Eq. 6.4)"
    )
    ctx.emit(rows, "CH4", (generated - recovered) / 1000.0, w, cod, bo, mcf)


# ---------------------------------------------------------------------------- registration
register(
    SectorMethod(
        name="fod",
        title="Solid waste disposal, first order decay (CH4)",
        gpc_refs=("III.1",),
        activity_categories=("solid_waste",),
        amount_dimensions=("mass",),
        columns=(
            SITE,
            SWDS_TYPE,
            SWDS_COVER,
            CLIMATE_ZONE,
            CH4_RECOVERED,
            *SHARES,
            FOD_DOC,
            FOD_DOCF,
            FOD_MCF,
            FOD_K,
            FOD_HALF_LIFE,
            FOD_F,
            FOD_OX,
        ),
        compute=first_order_decay,
        reference="IPCC 2006 Vol. 5 Ch. 3, Eq. 3.1-3.6, Tables 3.1-3.3; Ch. 2 Table 2.4",
        history=True,
    )
)
register(
    SectorMethod(
        name="biological",
        title="Biological treatment of solid waste: composting, anaerobic digestion (CH4, N2O)",
        gpc_refs=("III.2",),
        activity_categories=("biological_treatment",),
        amount_dimensions=("mass",),
        columns=(WASTE_BASIS, CH4_RECOVERED, BIO_CH4_EF, BIO_N2O_EF),
        compute=biological_treatment,
        reference="IPCC 2006 Vol. 5 Ch. 4, Eq. 4.1-4.2, Table 4.1",
    )
)
register(
    SectorMethod(
        name="incineration",
        title="Incineration and open burning of waste (CO2, CH4, N2O)",
        gpc_refs=("III.3",),
        activity_categories=("solid_waste",),
        amount_dimensions=("mass",),
        columns=(TECHNOLOGY, *SHARES, INCIN_DM, INCIN_CF, INCIN_FCF, INCIN_OF, INCIN_CH4_EF, INCIN_N2O_EF),
        compute=incineration,
        reference="IPCC 2006 Vol. 5 Ch. 5, Eq. 5.1-5.5, Tables 5.2, 5.3, 5.6; Ch. 2 Table 2.4",
    )
)
register(
    SectorMethod(
        name="wastewater_domestic",
        title="Domestic wastewater treatment and discharge (CH4, N2O)",
        gpc_refs=("III.4",),
        activity_categories=("domestic_wastewater",),
        amount_dimensions=("persons",),
        columns=(
            DOMESTIC_PATHWAY,
            PATHWAY_FRACTION,
            WASTEWATER_SYSTEM,
            PROTEIN,
            GARBAGE_DISPOSAL,
            SLUDGE_BOD,
            SLUDGE_N,
            CH4_RECOVERED,
            WW_BOD,
            WW_I,
            WW_BO,
            WW_MCF,
            WW_F_NPR,
            WW_F_NON_CON,
            WW_F_IND_COM,
            WW_N2O_EF,
        ),
        compute=wastewater_domestic,
        reference="IPCC 2006 Vol. 5 Ch. 6, Eq. 6.1-6.3, 6.7-6.8, Tables 6.2-6.4, 6.11",
    )
)
register(
    SectorMethod(
        name="wastewater_industrial",
        title="Industrial wastewater treatment and discharge (CH4)",
        gpc_refs=("III.4",),
        activity_categories=("industrial_wastewater",),
        amount_dimensions=("mass",),
        columns=(
            INDUSTRIAL_PATHWAY,
            PATHWAY_FRACTION,
            WASTEWATER_SYSTEM,
            SLUDGE_COD,
            CH4_RECOVERED,
            WWI_W,
            WWI_COD,
            WWI_BO,
            WW_MCF,
        ),
        compute=wastewater_industrial,
        reference="IPCC 2006 Vol. 5 Ch. 6, Eq. 6.4-6.6, Tables 6.8, 6.9",
    )
)
