"""Industrial processes and product use (GPC IV; IPCC 2006 Vol. 3).

Methods (value of a row's ``method`` column), each a Tier 1 (or, where a row gives its own
plant data, Tier 2) method of the 2006 IPCC Guidelines, Volume 3, with its default parameters in
the factor library (dataset ``ipcc2006_ippu``). A row may give its own value of a parameter in
the column of the same name, which then wins over the library.

======================= ======= ========================================================
``carbonate``           IV.1    other process uses of carbonates, Ch. 2 Eq. 2.14
``cement``              IV.1    clinker (Tier 2, Eq. 2.2) or cement by type (Tier 1, Eq. 2.1)
``lime``                IV.1    lime by type, Ch. 2 Table 2.4 (Eq. 2.8)
``glass``               IV.1    glass melted, Ch. 2 Eq. 2.10
``ammonia``             IV.1    ammonia, Ch. 3 Eq. 3.1 and Table 3.1
``iron_steel``          IV.1    coke, sinter, pellets, iron, DRI, steel, Ch. 4 Tables 4.1-4.2
``lubricant``           IV.2    lubricants and paraffin waxes, Ch. 5 Eqs. 5.2 and 5.4
``refrigerant``         IV.2    refrigeration and air conditioning, Ch. 7 Eqs. 7.10-7.14
``sf6_equipment``       IV.2    SF6 in electrical equipment, Ch. 8 Tier 1
======================= ======= ========================================================

Every emission here is fossil: the activities are declared ``biogenic=false``.
"""

from __future__ import annotations

import functools
import re

import numpy as np
import pandas as pd

from zerocity.factors.gwp import GwpSet, gwp_table
from zerocity.factors.library import FactorLibrary
from zerocity.inventory.methods import CO2_PER_C
from zerocity.inventory.sectors.base import MethodColumn, MethodContext, ParameterValues, SectorMethod, parameter_where
from zerocity.inventory.sectors.registry import register

__all__ = [
    "ammonia_production",
    "carbonate_use",
    "cement_production",
    "glass_production",
    "iron_steel_production",
    "lime_production",
    "lubricant_use",
    "refrigerant_use",
    "sf6_equipment_use",
]

ProvenanceTuple = tuple[np.ndarray, np.ndarray]


# ---------------------------------------------------------------------- helpers
def _tonnes_per_unit(ctx: MethodContext, rows: pd.DataFrame) -> np.ndarray:
    """Tonnes per unit of each row's ``unit`` (a bad unit is reported once, in ``unit``).

    Side columns that hold a mass of the row's own substance (clinker imports, the charge of
    new equipment...) are in the row's unit and convert with this factor too.
    """
    return ctx.amount_in(rows.assign(amount=1.0), "t")


def _filled(rows: pd.DataFrame, name: str, fill: float) -> np.ndarray:
    """A number column as floats, empty cells as ``fill``."""
    return rows[name].fillna(fill).to_numpy(dtype=float)


def _text(rows: pd.DataFrame, name: str) -> np.ndarray:
    return rows[name].astype(str).to_numpy()


def _ids_only(p: ParameterValues) -> ProvenanceTuple:
    """A parameter's factor ids without its uncertainty (combined separately for a sum)."""
    return p.factor_ids, np.full(len(p.values), np.nan)


def _product_uncertainty(*parts: np.ndarray) -> np.ndarray:
    """Relative 95% half-width of a product from those of its factors (root sum of squares)."""
    stacked = np.vstack(parts)
    known = ~np.isnan(stacked)
    return np.where(known.any(axis=0), np.sqrt(np.where(known, stacked**2, 0.0).sum(axis=0)), np.nan)


def _sum_uncertainty(terms: list[np.ndarray], rel: list[np.ndarray]) -> np.ndarray:
    """Relative 95% half-width of a sum of independent terms [t] with relative half-widths ``rel``.

    IPCC 2006 Vol. 1 Ch. 3 Eq. 3.2 (Approach 1, addition): ``U = sqrt(sum (x_i U_i)^2) / sum x_i``.
    Terms without a known uncertainty add to the total only.
    """
    total = np.sum(terms, axis=0)
    sq = np.sum([np.where(np.isnan(u), 0.0, (t * u) ** 2) for t, u in zip(terms, rel, strict=True)], axis=0)
    known = np.any([~np.isnan(u) & (t != 0) for t, u in zip(terms, rel, strict=True)], axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(known & (total > 0), np.sqrt(sq) / total, np.nan)


def _one_minus_uncertainty(p: ParameterValues) -> np.ndarray:
    """Relative half-width of ``1 - p`` from that of ``p`` (same absolute half-width)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(p.values < 1.0, p.rel_uncertainty * p.values / (1.0 - p.values), np.nan)


def _library_has(ctx: MethodContext, rows: pd.DataFrame, name: str, *, gas: str = "") -> np.ndarray:
    """Rows whose key (activity, region, year, GPC reference) has a library value of ``name``.

    For parameters that only some activities have (CH4 of sinter): the others are not an error.
    One resolution per distinct key.
    """
    key = pd.DataFrame(
        {
            "activity": _text(rows, "activity"),
            "region": _text(rows, "region"),
            "year": rows["year"].to_numpy(),
            "gpc_ref": _text(rows, "gpc_ref"),
        }
    )
    codes, distinct = pd.MultiIndex.from_frame(key).factorize()
    found = np.array(
        [
            ctx.library.resolve(name, str(a), gas=gas, gpc_ref=str(ref), region=str(r), year=int(y)).winner is not None
            for a, r, y, ref in distinct
        ],
        dtype=bool,
    )
    return found[codes]


def _flag_misplaced(
    ctx: MethodContext, rows: pd.DataFrame, mask: np.ndarray, columns: tuple[str, ...], message: str
) -> None:
    """Report filled ``columns`` on rows where they do not apply."""
    for col in columns:
        ctx.flag(rows, mask & rows[col].notna().to_numpy(), col, message)


# ---------------------------------------------------------------------- carbonates (Ch. 2, Eq. 2.14)
CALCINATION_FRACTION = MethodColumn(
    "calcination_fraction",
    "number",
    "fraction of the carbonate calcined [0-1]; default 1 (IPCC 2006 Vol. 3 Ch. 2, Eq. 2.14 note)",
    maximum=1.0,
)
CARBONATE_EF = MethodColumn(
    "carbonate_ef",
    "number",
    "CO2 per mass of carbonate [t CO2/t]; default IPCC 2006 Vol. 3 Table 2.1",
)


def carbonate_use(rows: pd.DataFrame, ctx: MethodContext) -> None:
    """Process CO2 of carbonates consumed (IPCC 2006 Vol. 3 Ch. 2 Eq. 2.14, Tier 1).

    ``CO2 = M x EF x F`` with ``M`` the mass of carbonate consumed [t], ``EF`` the carbonate's
    emission factor [t CO2/t carbonate] (Table 2.1, stoichiometric) and ``F`` the fraction
    calcined (1 when unknown).
    """
    mass_t = ctx.amount_in(rows, "t")
    ef = ctx.parameter(rows, "carbonate_ef", unit="t/t", override="carbonate_ef")
    fraction = rows["calcination_fraction"].fillna(1.0).to_numpy(dtype=float)
    ctx.emit(rows, "CO2", mass_t * ef.values * fraction, ef)


register(
    SectorMethod(
        name="carbonate",
        title="Other process uses of carbonates (CO2)",
        gpc_refs=("IV.1",),
        activity_categories=("carbonate",),
        amount_dimensions=("mass",),
        columns=(CARBONATE_EF, CALCINATION_FRACTION),
        compute=carbonate_use,
        reference="IPCC 2006 Vol. 3 Ch. 2, Eq. 2.14 and Table 2.1",
    )
)


# ---------------------------------------------------------------------- cement (Ch. 2, section 2.2)
CEMENT_COLUMNS = (
    MethodColumn(
        "cement_clinker_fraction",
        "number",
        "clinker fraction of the cement C_cl [t clinker/t cement]; cement rows; default IPCC 2006 Vol. 3 Ch. 2 "
        "Table 2.2 (Portland 0.95, masonry 0.64; none for blended cement)",
        maximum=1.0,
    ),
    MethodColumn(
        "cement_clinker_imports",
        "number",
        "clinker imported for consumption, Im of Eq. 2.1 [unit of the row]; cement rows; default 0",
    ),
    MethodColumn(
        "cement_clinker_exports",
        "number",
        "clinker exported, Ex of Eq. 2.1 [unit of the row]; cement rows; default 0",
    ),
    MethodColumn(
        "cement_ef_clc",
        "number",
        "emission factor for clinker in cement EF_clc, CKD correction included [t CO2/t clinker]; cement rows; "
        "default 0.52 (IPCC 2006 Vol. 3 Ch. 2 section 2.2.1.2)",
    ),
    MethodColumn(
        "cement_ef_cl",
        "number",
        "emission factor of clinker EF_cl before the CKD correction [t CO2/t clinker]; clinker rows; default 0.51 "
        "(65% CaO x 0.785)",
    ),
    MethodColumn(
        "cement_ckd_correction",
        "number",
        "cement kiln dust correction factor CF_ckd [unitless]; clinker rows; default 1.02",
        minimum=1.0,
    ),
)


def cement_production(rows: pd.DataFrame, ctx: MethodContext) -> None:
    """Process CO2 of cement production (IPCC 2006 Vol. 3 Ch. 2, section 2.2).

    Clinker rows (activity ``clinker``), Tier 2, Eq. 2.2::

        CO2 = M_cl x EF_cl x CF_ckd

    with ``M_cl`` the clinker produced [t], ``EF_cl`` the CO2 per clinker [t CO2/t clinker]
    (default 0.65 t CaO/t x 0.785 = 0.51) and ``CF_ckd`` the cement kiln dust correction
    [unitless] (default 1.02).

    Cement rows (``cement_portland``, ``cement_masonry``, ``cement_blended``), Tier 1, Eq. 2.1::

        CO2 = (M_c x C_cl - Im + Ex) x EF_clc

    with ``M_c`` the cement of the type produced [t], ``C_cl`` its clinker fraction [unitless]
    (Table 2.2: Portland 0.95, masonry 0.64; a blended cement gives its own), ``Im`` and ``Ex``
    clinker imported for consumption and exported [t] (columns, default 0; summed over rows
    this is Eq. 2.1's national total) and ``EF_clc`` [t CO2/t clinker] (default 0.52, which
    already includes the CKD correction: 0.51 x 1.02).
    """
    per_t = _tonnes_per_unit(ctx, rows)
    mass = rows["amount"].to_numpy(dtype=float) * per_t
    clinker = _text(rows, "activity") == "clinker"
    cement = ~clinker
    _flag_misplaced(
        ctx,
        rows,
        clinker,
        ("cement_clinker_fraction", "cement_clinker_imports", "cement_clinker_exports", "cement_ef_clc"),
        "applies to cement rows (Tier 1, Eq. 2.1), not to clinker rows",
    )
    _flag_misplaced(
        ctx,
        rows,
        cement,
        ("cement_ef_cl", "cement_ckd_correction"),
        "applies to clinker rows (Tier 2, Eq. 2.2); EF_clc of cement rows already includes the CKD correction",
    )
    ef_cl = parameter_where(ctx, rows, clinker, "cement_ef_cl", unit="t/t", override="cement_ef_cl")
    ckd = parameter_where(ctx, rows, clinker, "cement_ckd_correction", unit="1", override="cement_ckd_correction")
    fraction = parameter_where(
        ctx,
        rows,
        cement,
        "cement_clinker_fraction",
        unit="1",
        override="cement_clinker_fraction",
        error_column="cement_clinker_fraction",
    )
    ef_clc = parameter_where(ctx, rows, cement, "cement_ef_clc", unit="t/t", override="cement_ef_clc")
    clinker_in_cement = (
        mass * fraction.values
        - _filled(rows, "cement_clinker_imports", 0.0) * per_t
        + _filled(rows, "cement_clinker_exports", 0.0) * per_t
    )
    ctx.flag(
        rows,
        cement & (clinker_in_cement < 0),
        "cement_clinker_imports",
        "clinker imports exceed the clinker in the row's cement plus exports (Eq. 2.1 would be negative)",
    )
    tonnes = np.where(clinker, mass * ef_cl.values * ckd.values, clinker_in_cement * ef_clc.values)
    ctx.emit(rows, "CO2", tonnes, ef_cl, ckd, fraction, ef_clc)


register(
    SectorMethod(
        name="cement",
        title="Cement production: clinker (Tier 2) or cement by type (Tier 1) (CO2)",
        gpc_refs=("IV.1",),
        activity_categories=("cement",),
        amount_dimensions=("mass",),
        columns=CEMENT_COLUMNS,
        compute=cement_production,
        reference="IPCC 2006 Vol. 3 Ch. 2 section 2.2, Eqs. 2.1 and 2.2, Table 2.2",
    )
)


# ---------------------------------------------------------------------- lime (Ch. 2, section 2.3)
LIME_COLUMNS = (
    MethodColumn(
        "lime_production_ef",
        "number",
        "emission factor of the lime [t CO2/t lime]; default IPCC 2006 Vol. 3 Ch. 2 Table 2.4 by type "
        "(high-calcium 0.75, dolomitic 0.77, hydraulic 0.59; type unknown: 85% high-calcium + 15% dolomitic)",
    ),
    MethodColumn(
        "lime_lkd_correction",
        "number",
        "lime kiln dust correction factor CF_lkd [unitless]; default 1 (no correction, Tier 1)",
        minimum=1.0,
    ),
    MethodColumn(
        "lime_hydrated_fraction",
        "number",
        "fraction x of the lime that is hydrated [0-1]; with lime_hydrated_water gives C_h = 1 - x y; default none",
        maximum=1.0,
    ),
    MethodColumn(
        "lime_hydrated_water",
        "number",
        "water content y of the hydrated lime [0-1]; with lime_hydrated_fraction",
        maximum=1.0,
    ),
)


def lime_production(rows: pd.DataFrame, ctx: MethodContext) -> None:
    """Process CO2 of lime production (IPCC 2006 Vol. 3 Ch. 2, section 2.3, Eq. 2.8).

    ::

        CO2 = M_l x EF_lime x CF_lkd x C_h

    with ``M_l`` the lime of the type produced [t], ``EF_lime`` its emission factor
    [t CO2/t lime] (Table 2.4: high-calcium 0.75, dolomitic 0.77, hydraulic 0.59; lime of
    unknown type, activity ``lime``: the Tier 1 mix ``0.85 x EF_high-calcium + 0.15 x
    EF_dolomitic``), and the Tier 2 corrections the row may give: ``CF_lkd`` for lime kiln dust
    [unitless] and ``C_h = 1 - x y`` for hydrated lime (``x`` hydrated share, ``y`` its water
    content). Without them both are 1 (Tier 1).
    """
    mass = ctx.amount_in(rows, "t")
    mixed = _text(rows, "activity") == "lime"
    own = rows["lime_production_ef"].notna().to_numpy()
    ef = parameter_where(ctx, rows, ~mixed | own, "lime_production_ef", unit="t/t", override="lime_production_ef")
    mix = mixed & ~own
    share_hc = parameter_where(ctx, rows, mix, "lime_production_type_share", unit="1", qualifier="high_calcium")
    share_dl = parameter_where(ctx, rows, mix, "lime_production_type_share", unit="1", qualifier="dolomitic")
    ef_hc = parameter_where(ctx, rows, mix, "lime_production_ef", unit="t/t", activity="lime_high_calcium")
    ef_dl = parameter_where(ctx, rows, mix, "lime_production_ef", unit="t/t", activity="lime_dolomitic")
    ef_value = np.where(mix, share_hc.values * ef_hc.values + share_dl.values * ef_dl.values, ef.values)

    x = rows["lime_hydrated_fraction"]
    y = rows["lime_hydrated_water"]
    ctx.flag(rows, x.notna() & y.isna(), "lime_hydrated_water", "needed with lime_hydrated_fraction (C_h = 1 - x y)")
    ctx.flag(rows, y.notna() & x.isna(), "lime_hydrated_fraction", "needed with lime_hydrated_water (C_h = 1 - x y)")
    c_h = 1.0 - x.fillna(0.0).to_numpy(dtype=float) * y.fillna(0.0).to_numpy(dtype=float)
    lkd = _filled(rows, "lime_lkd_correction", 1.0)
    ctx.emit(rows, "CO2", mass * ef_value * lkd * c_h, ef, share_hc, share_dl, ef_hc, ef_dl)


register(
    SectorMethod(
        name="lime",
        title="Lime production by type (CO2)",
        gpc_refs=("IV.1",),
        activity_categories=("lime",),
        amount_dimensions=("mass",),
        columns=LIME_COLUMNS,
        compute=lime_production,
        reference="IPCC 2006 Vol. 3 Ch. 2 section 2.3, Eq. 2.8 and Table 2.4",
    )
)


# ---------------------------------------------------------------------- glass (Ch. 2, section 2.4)
GLASS_COLUMNS = (
    MethodColumn(
        "glass_ef",
        "number",
        "emission factor of the glass [t CO2/t glass melted]; default 0.20 (IPCC 2006 Vol. 3 Ch. 2 section 2.4.1.2)",
    ),
    MethodColumn(
        "glass_cullet_ratio",
        "number",
        "cullet ratio CR: fraction of the furnace charge that is recycled glass [0-1]; default 0.50 (national "
        "default; IPCC 2006 Vol. 3 Ch. 2 Table 2.6 gives ranges by glass type)",
        maximum=1.0,
    ),
)


def glass_production(rows: pd.DataFrame, ctx: MethodContext) -> None:
    """Process CO2 of glass production (IPCC 2006 Vol. 3 Ch. 2 Eq. 2.10, Tier 1).

    ::

        CO2 = M_g x EF x (1 - CR)

    with ``M_g`` the glass melted [t], ``EF`` the default emission factor 0.20 [t CO2/t glass]
    and ``CR`` the cullet ratio [unitless] (national default 0.50, or the row's value, e.g.
    from Table 2.6 for its glass type).
    """
    mass = ctx.amount_in(rows, "t")
    ef = ctx.parameter(rows, "glass_ef", unit="t/t", override="glass_ef")
    cullet = ctx.parameter(rows, "glass_cullet_ratio", unit="1", override="glass_cullet_ratio")
    ctx.emit(rows, "CO2", mass * ef.values * (1.0 - cullet.values), ef, cullet)


register(
    SectorMethod(
        name="glass",
        title="Glass production (CO2)",
        gpc_refs=("IV.1",),
        activity_categories=("glass",),
        amount_dimensions=("mass",),
        columns=GLASS_COLUMNS,
        compute=glass_production,
        reference="IPCC 2006 Vol. 3 Ch. 2 section 2.4, Eq. 2.10",
    )
)


# ---------------------------------------------------------------------- ammonia (Ch. 3, section 3.2)
#: Production processes of Table 3.1 (the qualifier of ``ammonia_fuel_requirement``).
AMMONIA_PROCESSES = (
    "conventional_reforming",
    "excess_air_reforming",
    "autothermal_reforming",
    "partial_oxidation",
    "average_natural_gas",
    "average_partial_oxidation",
)
#: Processes Table 3.1 gives for natural gas: their fuel is natural gas unless the row says otherwise.
NATURAL_GAS_PROCESSES = (
    "conventional_reforming",
    "excess_air_reforming",
    "autothermal_reforming",
    "average_natural_gas",
)
#: Fuels with a carbon content (Vol. 2 Table 1.3) in the dataset.
AMMONIA_FUELS = (
    "natural_gas",
    "residual_fuel_oil",
    "naphtha",
    "petroleum_coke",
    "anthracite",
    "coking_coal",
    "other_bituminous_coal",
    "sub_bituminous_coal",
    "lignite",
)
AMMONIA_COLUMNS = (
    MethodColumn(
        "ammonia_process",
        "text",
        "production process of IPCC 2006 Vol. 3 Ch. 3 Table 3.1; required unless ammonia_fuel_requirement is given",
        choices=AMMONIA_PROCESSES,
    ),
    MethodColumn(
        "ammonia_fuel",
        "text",
        "fuel and feedstock (its carbon content, Vol. 2 Table 1.3); default natural_gas for the natural-gas "
        "processes; required for partial oxidation unless ammonia_carbon_content is given",
        choices=AMMONIA_FUELS,
    ),
    MethodColumn(
        "ammonia_fuel_requirement",
        "number",
        "total fuel requirement FR, fuel plus feedstock [GJ (NCV)/t NH3]; default Table 3.1 by process",
    ),
    MethodColumn(
        "ammonia_carbon_content",
        "number",
        "carbon content factor CCF of the fuel [kg C/GJ]; default IPCC 2006 Vol. 2 Table 1.3 by ammonia_fuel",
    ),
    MethodColumn(
        "ammonia_carbon_oxidation",
        "number",
        "carbon oxidation factor COF of the fuel [0-1]; default 1",
        maximum=1.0,
    ),
    MethodColumn(
        "urea_co2_recovered",
        "number",
        "CO2 recovered for downstream use (urea production) R_CO2 [t CO2]; default 0",
    ),
)


def ammonia_production(rows: pd.DataFrame, ctx: MethodContext) -> None:
    """Process CO2 of ammonia production (IPCC 2006 Vol. 3 Ch. 3 Eq. 3.1, Tier 1).

    ::

        CO2 = AP x FR x CCF x COF x 44/12 / 1000 - R_CO2

    with ``AP`` the ammonia produced [t NH3], ``FR`` the total fuel requirement [GJ/t NH3]
    (Table 3.1 by process), ``CCF`` the carbon content of the fuel [kg C/GJ] (Vol. 2
    Table 1.3), ``COF`` the carbon oxidation factor [unitless] (default 1), 44/12 the mass
    ratio CO2/C, 1/1000 from kg to t, and ``R_CO2`` the CO2 recovered for urea [t].
    """
    produced = ctx.amount_in(rows, "t")
    process = _text(rows, "ammonia_process")
    fr_given = rows["ammonia_fuel_requirement"].notna().to_numpy()
    ctx.flag(
        rows,
        (process == "") & ~fr_given,
        "ammonia_process",
        f"required unless ammonia_fuel_requirement is given (expected one of {', '.join(AMMONIA_PROCESSES)})",
    )
    fr = parameter_where(
        ctx,
        rows,
        (process != "") | fr_given,
        "ammonia_fuel_requirement",
        unit="GJ/t",
        qualifier=process,
        override="ammonia_fuel_requirement",
        error_column="ammonia_process",
    )
    fuel = _text(rows, "ammonia_fuel")
    fuel = np.where((fuel == "") & np.isin(process, NATURAL_GAS_PROCESSES), "natural_gas", fuel)
    cc_given = rows["ammonia_carbon_content"].notna().to_numpy()
    ctx.flag(
        rows,
        (fuel == "") & ~cc_given,
        "ammonia_fuel",
        "required for this process unless ammonia_carbon_content is given "
        f"(expected one of {', '.join(AMMONIA_FUELS)})",
    )
    ccf = parameter_where(
        ctx,
        rows,
        (fuel != "") | cc_given,
        "ammonia_carbon_content",
        unit="kg/GJ",
        activity=fuel,
        override="ammonia_carbon_content",
        error_column="ammonia_fuel",
    )
    cof = ctx.parameter(rows, "ammonia_carbon_oxidation", unit="1", override="ammonia_carbon_oxidation")
    gross = produced * fr.values * ccf.values * cof.values * CO2_PER_C / 1000.0
    recovered = _filled(rows, "urea_co2_recovered", 0.0)
    ctx.flag(
        rows,
        recovered > gross,
        "urea_co2_recovered",
        "exceeds the CO2 generated by the row's ammonia production (Eq. 3.1 would be negative)",
    )
    ctx.emit(rows, "CO2", gross - recovered, fr, ccf, cof)


register(
    SectorMethod(
        name="ammonia",
        title="Ammonia production (CO2)",
        gpc_refs=("IV.1",),
        activity_categories=("ammonia",),
        amount_dimensions=("mass",),
        columns=AMMONIA_COLUMNS,
        compute=ammonia_production,
        reference="IPCC 2006 Vol. 3 Ch. 3 section 3.2, Eq. 3.1 and Table 3.1; Vol. 2 Ch. 1 Table 1.3",
    )
)


# ---------------------------------------------------------------------- iron and steel (Ch. 4, section 4.2)
IRON_STEEL_COLUMNS = (
    MethodColumn(
        "iron_steel_co2_ef",
        "number",
        "CO2 per mass of product [t CO2/t]; default IPCC 2006 Vol. 3 Ch. 4 Table 4.1 by process (activity)",
    ),
    MethodColumn(
        "iron_steel_ch4_ef",
        "number",
        "CH4 per mass of product [kg CH4/t]; default IPCC 2006 Vol. 3 Ch. 4 Table 4.2 (sinter 0.07); "
        "processes without a default emit no CH4 unless this is given",
    ),
)


def iron_steel_production(rows: pd.DataFrame, ctx: MethodContext) -> None:
    """Process CO2 and CH4 of iron, steel and metallurgical coke (IPCC 2006 Vol. 3 Ch. 4, Tier 1).

    ::

        CO2 = M x EF_CO2          CH4 = M x EF_CH4 / 1000

    with ``M`` the product of the activity's process [t] (coke, sinter, pellets, pig iron not
    converted to steel, direct reduced iron, BOF/EAF/OHF steel, or steel of unknown route),
    ``EF_CO2`` [t CO2/t] of Table 4.1 (Eqs. 4.1 and 4.4-4.8; the BOF and OHF factors include
    the iron production of integrated plants, so pig iron made into that steel is not a row of
    its own) and ``EF_CH4`` [kg CH4/t] of Table 4.2 where it gives one (sinter).
    """
    mass = ctx.amount_in(rows, "t")
    co2 = ctx.parameter(rows, "iron_steel_ef", unit="t/t", gas="CO2", override="iron_steel_co2_ef")
    ctx.emit(rows, "CO2", mass * co2.values, co2)
    with_ch4 = rows["iron_steel_ch4_ef"].notna().to_numpy() | _library_has(ctx, rows, "iron_steel_ef", gas="CH4")
    if with_ch4.any():
        ch4 = parameter_where(
            ctx, rows, with_ch4, "iron_steel_ef", unit="kg/t", gas="CH4", override="iron_steel_ch4_ef"
        )
        idx = np.flatnonzero(with_ch4)
        ctx.emit(rows, "CH4", mass[idx] * ch4.values[idx] / 1000.0, ch4, positions=idx)


register(
    SectorMethod(
        name="iron_steel",
        title="Iron and steel and metallurgical coke production (CO2, CH4)",
        gpc_refs=("IV.1",),
        activity_categories=("iron_steel",),
        amount_dimensions=("mass",),
        columns=IRON_STEEL_COLUMNS,
        compute=iron_steel_production,
        reference="IPCC 2006 Vol. 3 Ch. 4 section 4.2, Eqs. 4.1 and 4.4-4.8, Tables 4.1 and 4.2",
    )
)


# ---------------------------------------------------------------------- lubricants and waxes (Ch. 5)
LUBRICANT_COLUMNS = (
    MethodColumn(
        "lubricant_ncv",
        "number",
        "net calorific value [GJ/t], for an amount in mass; default IPCC 2006 Vol. 2 Table 1.2 (40.2)",
    ),
    MethodColumn(
        "lubricant_carbon_content",
        "number",
        "carbon content CC [kg C/GJ]; default IPCC 2006 Vol. 2 Table 1.3 (20.0)",
    ),
    MethodColumn(
        "lubricant_odu",
        "number",
        "fraction oxidised during use ODU [0-1]; default 0.2 (IPCC 2006 Vol. 3 Ch. 5, Tier 1)",
        maximum=1.0,
    ),
)


def lubricant_use(rows: pd.DataFrame, ctx: MethodContext) -> None:
    """CO2 of lubricants and paraffin waxes oxidised during use (IPCC 2006 Vol. 3 Ch. 5, Tier 1).

    Eq. 5.2 (lubricants) and Eq. 5.4 (paraffin waxes)::

        CO2 = LC x CC x ODU x 44/12 / 1000

    with ``LC`` the product consumed [GJ] (an amount in mass is converted with its NCV
    [GJ/t], Vol. 2 Table 1.2: 40.2 for both), ``CC`` its carbon content [kg C/GJ] (Vol. 2
    Table 1.3: 20.0), ``ODU`` the fraction oxidised during use [unitless] (Tier 1 default 0.2)
    and 1/1000 from kg to t.
    """
    n = len(rows)
    energy = _text(rows, "unit_dimension") == "energy"
    by_mass = ~energy
    ncv = parameter_where(ctx, rows, by_mass, "ncv", unit="GJ/t", override="lubricant_ncv")
    gj = np.full(n, np.nan)
    if energy.any():
        gj[energy] = ctx.amount_in(rows[energy], "GJ")
    if by_mass.any():
        gj[by_mass] = ctx.amount_in(rows[by_mass], "t") * ncv.values[by_mass]
    cc = ctx.parameter(rows, "lubricant_carbon_content", unit="kg/GJ", override="lubricant_carbon_content")
    odu = ctx.parameter(rows, "lubricant_odu", unit="1", override="lubricant_odu")
    ctx.emit(rows, "CO2", gj * cc.values * odu.values * CO2_PER_C / 1000.0, ncv, cc, odu)


register(
    SectorMethod(
        name="lubricant",
        title="Lubricants and paraffin waxes oxidised during use (CO2)",
        gpc_refs=("IV.2",),
        activity_categories=("non_energy_product",),
        amount_dimensions=("mass", "energy"),
        columns=LUBRICANT_COLUMNS,
        compute=lubricant_use,
        reference="IPCC 2006 Vol. 3 Ch. 5, Eqs. 5.2 and 5.4; Vol. 2 Ch. 1 Tables 1.2 and 1.3",
    )
)


# ---------------------------------------------------------------------- refrigeration and AC (Ch. 7)
def _refrigerant_key(text: str) -> str:
    """Spelling-free refrigerant name: ``HFC-134a``, ``hfc134a`` -> ``hfc134a``; ``R-410A`` -> ``r410a``."""
    return re.sub(r"[\s\-_.]", "", text.lower())


@functools.cache
def refrigerant_gases() -> dict[str, str]:
    """Pure refrigerants by spelling-free name (``hfc134a``, ``r134a``, ``cf4``) -> GWP gas name.

    HFCs and PFCs with a GWP in every set (AR4, AR5, AR6), so no inventory fails on its GWP;
    an HFC is also known by its ASHRAE number (``R-134a`` = ``HFC-134a``).
    """
    common = set.intersection(*(set(gwp_table(s)) for s in GwpSet))
    out: dict[str, str] = {}
    for gas in sorted(common):
        if gas.startswith("HFC"):
            out[gas.lower()] = gas
            out["r" + gas[3:].lower()] = gas
        elif re.fullmatch(r"C\d*F\d+", gas):
            out[gas.lower()] = gas
    return out


def _blend_components(library: FactorLibrary) -> dict[str, tuple[str, ...]]:
    """Component gases of each refrigerant blend with a composition in the library."""

    def compute() -> dict[str, tuple[str, ...]]:
        parts: dict[str, set[str]] = {}
        for rec in library.records():
            if rec.parameter == "refrigerant_blend_fraction" and not rec.deprecated:
                parts.setdefault(rec.activity, set()).add(rec.gas)
        return {blend: tuple(sorted(gases)) for blend, gases in parts.items()}

    return library.memo(("ippu_refrigerant_blends",), compute)


REFRIGERANT_COLUMNS = (
    MethodColumn(
        "refrigerant_gas",
        "text",
        "the refrigerant: an HFC or PFC (HFC-134a, R-32, CF4...) or a blend with a composition in the library "
        "(R-404A, R-407C, R-410A, R-507A)",
        required=True,
    ),
    MethodColumn(
        "refrigerant_new_charge",
        "number",
        "refrigerant charged into new equipment in the year, M_t [unit of the row]; default 0",
    ),
    MethodColumn(
        "refrigerant_retired_charge",
        "number",
        "initial charge of the equipment retired in the year, M_(t-d) [unit of the row]; default 0",
    ),
    MethodColumn(
        "refrigerant_charge_loss",
        "number",
        "initial emission k: fraction of the new charge emitted at charging [0-1]; default IPCC 2006 Vol. 3 "
        "Table 7.9 midpoint by application",
        maximum=1.0,
    ),
    MethodColumn(
        "refrigerant_operating_loss",
        "number",
        "operating emission x: fraction of the stock emitted per year [1/yr]; default Table 7.9 midpoint",
        maximum=1.0,
    ),
    MethodColumn(
        "refrigerant_eol_remaining",
        "number",
        "charge remaining at end of life p: fraction of the initial charge [0-1]; default Table 7.9 midpoint",
        maximum=1.0,
    ),
    MethodColumn(
        "refrigerant_recovery",
        "number",
        "recovery efficiency at end of life: fraction of the remaining charge recovered [0-1]; default "
        "Table 7.9 midpoint",
        maximum=1.0,
    ),
)


def refrigerant_use(rows: pd.DataFrame, ctx: MethodContext) -> None:
    """HFC/PFC emissions of refrigeration and air conditioning (IPCC 2006 Vol. 3 Ch. 7 Eqs. 7.10-7.14).

    The emission-factor approach by sub-application (the row's activity)::

        E = M_t x k + B_t x x x 1 yr + M_(t-d) x p x (1 - eta_rec)

    with ``B_t`` the refrigerant in operating equipment, the row's amount [t], ``M_t`` the
    charge of new equipment [t] (Eq. 7.12), ``M_(t-d)`` the initial charge of the equipment
    retired [t] (Eq. 7.14), ``k`` the initial emission [fraction of the charge], ``x`` the
    operating emission [fraction of the stock per year] (Eq. 7.13), ``p`` the charge remaining
    at end of life [fraction] and ``eta_rec`` the recovery efficiency [fraction]. Defaults are
    the midpoints of the Table 7.9 ranges. Container-management emissions (Eq. 7.11) are not
    included. The emission is of the row's ``refrigerant_gas``; a blend's emission is split
    into its component gases by their mass fractions.
    """
    per_t = _tonnes_per_unit(ctx, rows)
    stock = rows["amount"].to_numpy(dtype=float) * per_t
    new = _filled(rows, "refrigerant_new_charge", 0.0) * per_t
    retired = _filled(rows, "refrigerant_retired_charge", 0.0) * per_t
    k = parameter_where(ctx, rows, new > 0, "refrigerant_charge_loss", unit="1", override="refrigerant_charge_loss")
    x = ctx.parameter(rows, "refrigerant_operating_loss", unit="1/yr", override="refrigerant_operating_loss")
    p = parameter_where(
        ctx, rows, retired > 0, "refrigerant_eol_remaining", unit="1", override="refrigerant_eol_remaining"
    )
    eta = parameter_where(ctx, rows, retired > 0, "refrigerant_recovery", unit="1", override="refrigerant_recovery")
    charging = np.where(new > 0, new * k.values, 0.0)
    operating = stock * x.values  # x [1/yr] over the inventory year
    end_of_life = np.where(retired > 0, retired * p.values * (1.0 - eta.values), 0.0)
    total = charging + operating + end_of_life
    unc = _sum_uncertainty(
        [charging, operating, end_of_life],
        [k.rel_uncertainty, x.rel_uncertainty, _product_uncertainty(p.rel_uncertainty, _one_minus_uncertainty(eta))],
    )
    provenance = (_ids_only(k), _ids_only(x), _ids_only(p), _ids_only(eta), (np.full(len(rows), ""), unc))

    codes, names = pd.factorize(rows["refrigerant_gas"].astype(str))  # normalise each distinct name once
    keys = np.array([_refrigerant_key(str(name)) for name in names], dtype=object)[codes]
    pure = refrigerant_gases()
    blends = _blend_components(ctx.library)
    for key in np.unique(keys):
        idx = np.flatnonzero(keys == key)
        if key in pure:
            ctx.emit(rows, pure[key], total[idx], *provenance, positions=idx)
        elif key in blends:
            mask = keys == key
            for gas in blends[key]:
                share = parameter_where(
                    ctx,
                    rows,
                    mask,
                    "refrigerant_blend_fraction",
                    unit="1",
                    activity=str(key),
                    gas=gas,
                    error_column="refrigerant_gas",
                )
                ctx.emit(rows, gas, total[idx] * share.values[idx], *provenance, share, positions=idx)
        elif key != "":
            ctx.flag(
                rows,
                keys == key,
                "refrigerant_gas",
                "unknown refrigerant; expected an HFC or PFC such as HFC-134a, HFC-32, HFC-125, CF4, or a blend "
                f"({', '.join(b.upper() for b in sorted(blends))})",
            )


register(
    SectorMethod(
        name="refrigerant",
        title="Refrigeration and air conditioning (HFCs, PFCs)",
        gpc_refs=("IV.2",),
        activity_categories=("refrigeration_ac",),
        amount_dimensions=("mass",),
        columns=REFRIGERANT_COLUMNS,
        compute=refrigerant_use,
        reference="IPCC 2006 Vol. 3 Ch. 7 section 7.5, Eqs. 7.10-7.14 and Table 7.9",
    )
)


# ---------------------------------------------------------------------- SF6 in electrical equipment (Ch. 8)
SF6_COLUMNS = (
    MethodColumn(
        "sf6_manufacturer_consumption",
        "number",
        "SF6 consumed by equipment manufacturers in the year [unit of the row]; default 0",
    ),
    MethodColumn(
        "sf6_new_equipment_charge",
        "number",
        "nameplate SF6 of new equipment filled on site in the year [unit of the row]; default 0",
    ),
    MethodColumn(
        "sf6_retired_charge",
        "number",
        "nameplate SF6 of the equipment retired in the year [unit of the row]; default 0",
    ),
    MethodColumn(
        "sf6_manufacturing_ef",
        "number",
        "fraction of the SF6 consumed by manufacturers that is emitted [0-1] (IPCC 2006 Vol. 3 Ch. 8 Tier 1)",
        maximum=1.0,
    ),
    MethodColumn(
        "sf6_installation_ef",
        "number",
        "fraction of the SF6 filled into new equipment on site that is emitted [0-1]",
        maximum=1.0,
    ),
    MethodColumn(
        "sf6_use_ef",
        "number",
        "fraction of the installed nameplate SF6 emitted per year [1/yr]",
        maximum=1.0,
    ),
    MethodColumn(
        "sf6_eol_remaining",
        "number",
        "fraction of the nameplate SF6 remaining in equipment at retirement [0-1]",
        maximum=1.0,
    ),
    MethodColumn(
        "sf6_eol_recovery",
        "number",
        "fraction of the SF6 remaining at retirement that is recovered [0-1]",
        maximum=1.0,
    ),
)


def sf6_equipment_use(rows: pd.DataFrame, ctx: MethodContext) -> None:
    """SF6 emissions of electrical equipment (IPCC 2006 Vol. 3 Ch. 8, Tier 1 default-factor method).

    ::

        E = C_mfg x EF_mfg + N_new x EF_inst + B x EF_use x 1 yr + N_ret x p x (1 - r)

    with ``B`` the nameplate SF6 of installed equipment, the row's amount [t], ``C_mfg`` the SF6
    consumed by equipment manufacturers [t], ``N_new`` the nameplate SF6 of new equipment filled
    on site [t], ``N_ret`` that of retired equipment [t], ``EF_mfg``, ``EF_inst`` the
    manufacturing and installation emission factors [fraction], ``EF_use`` the use emission
    factor [fraction per year], ``p`` the fraction of the charge remaining at retirement and
    ``r`` the fraction of it recovered.

    No default values are shipped (the region- and equipment-specific Tier 1 factors of
    Ch. 8 could not be verified); each factor a row needs comes from its column or from the
    user's factor set (parameters ``sf6_manufacturing_ef``, ``sf6_installation_ef``,
    ``sf6_use_ef``, ``sf6_eol_remaining``, ``sf6_eol_recovery`` for the equipment activity).
    A factor is only needed when its quantity is non-zero.
    """
    per_t = _tonnes_per_unit(ctx, rows)
    bank = rows["amount"].to_numpy(dtype=float) * per_t
    consumed = _filled(rows, "sf6_manufacturer_consumption", 0.0) * per_t
    new = _filled(rows, "sf6_new_equipment_charge", 0.0) * per_t
    retired = _filled(rows, "sf6_retired_charge", 0.0) * per_t

    def factor(mask: np.ndarray, name: str, unit: str) -> ParameterValues:
        return parameter_where(ctx, rows, mask, name, unit=unit, override=name, error_column=name)

    ef_mfg = factor(consumed > 0, "sf6_manufacturing_ef", "1")
    ef_inst = factor(new > 0, "sf6_installation_ef", "1")
    ef_use = factor(bank > 0, "sf6_use_ef", "1/yr")
    remaining = factor(retired > 0, "sf6_eol_remaining", "1")
    recovery = factor(retired > 0, "sf6_eol_recovery", "1")
    terms = [
        np.where(consumed > 0, consumed * ef_mfg.values, 0.0),
        np.where(new > 0, new * ef_inst.values, 0.0),
        np.where(bank > 0, bank * ef_use.values, 0.0),
        np.where(retired > 0, retired * remaining.values * (1.0 - recovery.values), 0.0),
    ]
    unc = _sum_uncertainty(
        terms,
        [
            ef_mfg.rel_uncertainty,
            ef_inst.rel_uncertainty,
            ef_use.rel_uncertainty,
            _product_uncertainty(remaining.rel_uncertainty, _one_minus_uncertainty(recovery)),
        ],
    )
    ctx.emit(
        rows,
        "SF6",
        np.sum(terms, axis=0),
        *(_ids_only(p) for p in (ef_mfg, ef_inst, ef_use, remaining, recovery)),
        (np.full(len(rows), ""), unc),
    )


register(
    SectorMethod(
        name="sf6_equipment",
        title="SF6 in electrical equipment (SF6)",
        gpc_refs=("IV.2",),
        activity_categories=("sf6_electrical_equipment",),
        amount_dimensions=("mass",),
        columns=SF6_COLUMNS,
        compute=sf6_equipment_use,
        reference="IPCC 2006 Vol. 3 Ch. 8 section 8.2, Tier 1 (default emission factor) method",
    )
)
