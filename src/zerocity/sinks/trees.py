"""Urban tree carbon: biomass by allometry, carbon stock, annual sequestration from growth, with uncertainty.

Per tree (all vectorised over trees):

- above-ground biomass, Chave et al. (2014) Eq. 4, times the urban factor of Nowak (1994)::

      AGB [kg] = u * 0.0673 * (rho * D^2 * H)^0.976

  rho: wood density [g cm-3] by species or genus (``data/trees/wood_density.csv``, each value with its
  source), D: diameter at breast height [cm], H: height [m], u = 0.8 (open-grown urban trees).
- below-ground biomass ``BGB = R * AGB`` with R = 0.26 (Cairns et al. 1997, as used by Nowak & Crane 2002);
- carbon ``C = CF * (AGB + BGB)`` with CF = 0.47 (IPCC 2006 Vol. 4 Table 4.3); CO2 = C * 44/12;
- annual sequestration (gross, no mortality) ``C(D + dD, H') - C(D, H)`` with dD = 0.61 cm/yr x condition
  factor (Nowak et al. 2008) unless the inventory gives ``dbh_growth_cm_yr``; the height grows along the
  height-diameter relation of the tree's group, ``H' = H * h(D + dD) / h(D)``.

Missing heights come from ``ln H = a + b ln D`` fitted to the inventory's own measured trees of the
same species group (>= 5 trees), else from Chave et al. (2014) Eq. 6a with the site stress ``E``.

Uncertainty (Monte Carlo, ``runs`` draws): the AGB model error of each tree (lognormal, sigma = 0.357
on ln AGB, mean-preserving, the same draw for a tree's stock and its grown size), the wood density of
each taxon (normal, CV per taxon, shared by the trees of the taxon), the growth rate of each species
group (lognormal, CV 0.25, ASSUMED), the root-to-shoot ratio (normal, CV 0.15, ASSUMED) and the carbon
fraction (triangular 0.44-0.47-0.49). Totals get the 2.5 and 97.5 percentiles.

References
----------
Chave J. et al. (2014) Improved allometric models to estimate the aboveground biomass of tropical trees.
Global Change Biology 20:3177-3190, doi:10.1111/gcb.12629 (Eq. 4, Eq. 6a).
Nowak D.J. (1994) Atmospheric carbon dioxide reduction by Chicago's urban forest. USDA Forest Service
GTR NE-186, ch. 6.  Nowak D.J., Crane D.E. (2002) Environ. Pollut. 116:381-389.
Nowak D.J. et al. (2008) Arboriculture & Urban Forestry 34(6):347-358.
Cairns M.A. et al. (1997) Oecologia 111:1-11.  IPCC (2006) Guidelines Vol. 4 ch. 4, Table 4.3.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict

from zerocity.errors import InvalidRecordsError, RecordIssue, ZerocityError

__all__ = [
    "CO2_PER_C",
    "GPC_REF",
    "TreeCarbonResult",
    "TreeParams",
    "TreesFileError",
    "chave2014_agb",
    "chave2014_height",
    "load_params",
    "load_wood_density",
    "read_trees",
    "tree_carbon",
    "validate_trees",
]

log = logging.getLogger(__name__)

CO2_PER_C = 44.0 / 12.0
"""Mass of CO2 per mass of carbon [unitless] (molar masses 44.0095 / 12.011 rounded as in IPCC)."""

GPC_REF = "V.2"
"""GPC reference of the net balance rows: AFOLU, land (``inventory/data/gpc.csv``)."""

CONDITIONS = ("excellent", "good", "fair", "poor", "critical", "dying", "dead")
REQUIRED = ("tree_id", "district", "dbh_cm")
_DATA = "data/trees"


class TreesFileError(ZerocityError, ValueError):
    """A tree inventory file that cannot be read."""

    code = "trees_file"


class _Agb(BaseModel):
    model_config = ConfigDict(extra="forbid")
    equation: str
    a: float
    b: float
    rse_ln: float
    source: str


class _Value(BaseModel):
    model_config = ConfigDict(extra="forbid")
    value: float
    cv: float = 0.0
    low: float | None = None
    high: float | None = None
    source: str


class _Growth(BaseModel):
    model_config = ConfigDict(extra="forbid")
    dbh_cm_per_year: float
    cv: float
    source: str
    condition_factor: dict[str, float]


class _Height(BaseModel):
    model_config = ConfigDict(extra="forbid")
    min_trees: int
    chave_eq6a: dict[str, float]
    default_e: float
    source: str


class TreeParams(BaseModel):
    """Parameters of the tree model (``data/trees/allometry.yaml``), each with its source."""

    model_config = ConfigDict(extra="forbid")
    version: int
    agb: _Agb
    urban_factor: _Value
    root_shoot: _Value
    carbon_fraction: _Value
    growth: _Growth
    height: _Height


@lru_cache(maxsize=1)
def load_params() -> TreeParams:
    """The shipped parameter set (validated)."""
    text = resources.files("zerocity.sinks").joinpath(_DATA, "allometry.yaml").read_text(encoding="utf-8")
    return TreeParams.model_validate(yaml.safe_load(text))


@lru_cache(maxsize=1)
def _wood_density_cached() -> pd.DataFrame:
    with resources.files("zerocity.sinks").joinpath(_DATA, "wood_density.csv").open("r", encoding="utf-8") as fh:
        return pd.read_csv(fh)


def load_wood_density() -> pd.DataFrame:
    """Wood density table: taxon, rank, species_group, wood_density_g_cm3 [g cm-3], cv, source, verified."""
    return _wood_density_cached().copy()


def chave2014_agb(dbh_cm: Any, height_m: Any, wood_density: Any, a: float = 0.0673, b: float = 0.976) -> Any:
    """Above-ground biomass of a tree by Chave et al. (2014) Eq. 4.

    Parameters
    ----------
    dbh_cm : array_like
        Diameter at breast height [cm].
    height_m : array_like
        Total height [m].
    wood_density : array_like
        Basic wood density [g cm-3].
    a, b : float
        Coefficients [unitless]; Chave et al. (2014) Eq. 4 gives 0.0673 and 0.976.

    Returns
    -------
    numpy.ndarray
        AGB [kg dry matter] = a * (rho * D^2 * H)^b.

    References
    ----------
    Chave et al. (2014) Global Change Biology 20:3177-3190, Eq. 4.
    """
    d = np.asarray(dbh_cm, dtype=float)
    return a * (np.asarray(wood_density, dtype=float) * d * d * np.asarray(height_m, dtype=float)) ** b


def chave2014_height(dbh_cm: Any, e: float, c0: float = 0.893, c1: float = 0.760, c2: float = -0.0340) -> Any:
    """Height from diameter by Chave et al. (2014) Eq. 6a: ln H = c0 - E + c1 ln D + c2 (ln D)^2.

    Parameters
    ----------
    dbh_cm : array_like
        Diameter at breast height [cm].
    e : float
        Environmental stress of the site, E of Chave et al. (2014) [unitless].

    Returns
    -------
    numpy.ndarray
        Height [m].
    """
    ln_d = np.log(np.asarray(dbh_cm, dtype=float))
    return np.exp(c0 - e + c1 * ln_d + c2 * ln_d * ln_d)


# --------------------------------------------------------------------------- input


def read_trees(path: Path) -> pd.DataFrame:
    """Read and validate a tree inventory CSV (see :func:`validate_trees`)."""
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (OSError, ValueError) as exc:
        raise TreesFileError(f"{path}: cannot read tree inventory: {exc}") from exc
    return validate_trees(frame, source=str(path))


def validate_trees(frame: pd.DataFrame, source: str = "trees") -> pd.DataFrame:
    """Check a tree inventory and return it typed.

    Columns: ``tree_id``, ``district``, ``dbh_cm`` [cm, > 0], ``species`` and/or ``species_group``
    (one of them known to the wood density table, or a ``wood_density`` [g cm-3] column), optional
    ``height_m`` [m, > 0, blank = missing], ``condition`` (excellent ... dead, blank = good) and
    ``dbh_growth_cm_yr`` [cm yr-1, >= 0, blank = model].

    Raises
    ------
    InvalidRecordsError
        With one :class:`~zerocity.errors.RecordIssue` per bad value (data rows counted from 1).
    """
    issues: list[RecordIssue] = []
    cols = set(frame.columns)
    for col in REQUIRED:
        if col not in cols:
            issues.append(RecordIssue(0, col, "required column missing"))
    if not {"species", "species_group"} & cols:
        issues.append(RecordIssue(0, "species", "need a 'species' or a 'species_group' column"))
    if issues:
        raise InvalidRecordsError(source, issues)
    raw = frame.astype(object).where(frame.notna(), "").astype(str).apply(lambda s: s.str.strip())
    rows = np.arange(1, len(raw) + 1)
    out = pd.DataFrame({"tree_id": raw["tree_id"], "district": raw["district"]})

    def number(col: str, *, required: bool, minimum: float, strict: bool) -> pd.Series:
        text = raw[col] if col in raw else pd.Series([""] * len(raw), index=raw.index)
        val = pd.to_numeric(text.where(text != ""), errors="coerce")
        blank = text == ""
        bad_num = val.isna() & ~blank
        bad_range = (val <= minimum) if strict else (val < minimum)
        what = f"a number {'>' if strict else '>='} {minimum:g}"
        for i in np.flatnonzero(bad_num.to_numpy() | bad_range.fillna(False).to_numpy()):
            issues.append(RecordIssue(int(rows[i]), col, f"expected {what}", text.iloc[i]))
        if required:
            for i in np.flatnonzero(blank.to_numpy()):
                issues.append(RecordIssue(int(rows[i]), col, f"required: {what}"))
        return val

    out["dbh_cm"] = number("dbh_cm", required=True, minimum=0.0, strict=True)
    out["height_m"] = number("height_m", required=False, minimum=0.0, strict=True)
    out["dbh_growth_cm_yr"] = number("dbh_growth_cm_yr", required=False, minimum=0.0, strict=False)
    out["wood_density"] = number("wood_density", required=False, minimum=0.0, strict=True)
    for col in ("tree_id", "district"):
        for i in np.flatnonzero((raw[col] == "").to_numpy()):
            issues.append(RecordIssue(int(rows[i]), col, "required"))
    dup = raw["tree_id"].duplicated(keep="first") & (raw["tree_id"] != "")
    for i in np.flatnonzero(dup.to_numpy()):
        issues.append(RecordIssue(int(rows[i]), "tree_id", "duplicate tree_id", raw["tree_id"].iloc[i]))

    cond = raw["condition"].str.lower() if "condition" in raw else pd.Series([""] * len(raw), index=raw.index)
    cond = cond.where(cond != "", "good")
    for i in np.flatnonzero(~cond.isin(CONDITIONS).to_numpy()):
        issues.append(RecordIssue(int(rows[i]), "condition", f"expected one of {', '.join(CONDITIONS)}", cond.iloc[i]))
    out["condition"] = cond

    taxon, group, density, cv = _resolve_taxa(raw)
    user_rho = out["wood_density"].notna().to_numpy()
    unknown = np.isnan(density) & ~user_rho
    known = ", ".join(load_wood_density()["taxon"])
    for i in np.flatnonzero(unknown):
        col = "species" if "species" in raw else "species_group"
        issues.append(
            RecordIssue(
                int(rows[i]),
                col,
                f"no wood density for this taxon (known: {known}); add wood_density",
                raw[col].iloc[i],
            )
        )
    if issues:
        raise InvalidRecordsError(source, sorted(issues, key=lambda x: (x.row, x.column)))
    out["taxon"] = np.where(user_rho, np.where(taxon == "", "user", taxon), taxon)
    out["species_group"] = group
    out["wood_density"] = np.where(user_rho, out["wood_density"].to_numpy(), density)
    out["wood_density_cv"] = np.where(user_rho, 0.10, cv)
    return out.reset_index(drop=True)


def _resolve_taxa(raw: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Taxon, species group, density and CV per row: species, then its genus, then the group name."""
    table = load_wood_density()
    by_taxon = {t.lower(): r for t, r in zip(table["taxon"], table.itertuples(index=False), strict=True)}
    by_group = {g.lower(): r for g, r in zip(table["species_group"], table.itertuples(index=False), strict=True)}
    n = len(raw)
    species = raw["species"].str.lower() if "species" in raw else pd.Series([""] * n, index=raw.index)
    groups = raw["species_group"] if "species_group" in raw else pd.Series([""] * n, index=raw.index)
    taxon = np.full(n, "", dtype=object)
    group = np.asarray(groups.where(groups != "", species), dtype=object).copy()
    density = np.full(n, np.nan)
    cv = np.full(n, np.nan)
    # a few hundred distinct names at most: resolve each name once, then broadcast
    keys = pd.Series(list(zip(species, groups.str.lower(), strict=True)))
    for key, idx in keys.groupby(keys).groups.items():
        sp, gr = key
        hit = by_taxon.get(sp) or by_taxon.get(sp.split(" ")[0] if sp else "") or by_group.get(gr)
        if hit is None:
            continue
        ii = np.asarray(idx)
        taxon[ii] = hit.taxon
        if groups.iloc[ii[0]] == "":
            group[ii] = hit.species_group
        density[ii] = hit.wood_density_g_cm3
        cv[ii] = hit.wood_density_cv
    return taxon, group.astype(str), density, cv


# --------------------------------------------------------------------------- model


def _fill_heights(trees: pd.DataFrame, params: TreeParams, e: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Heights [m] (measured or modelled), a flag for modelled ones, and the local slope d ln H / d ln D."""
    d = trees["dbh_cm"].to_numpy(float)
    h = trees["height_m"].to_numpy(float).copy()
    modelled = np.isnan(h)
    slope = np.empty(len(d))
    h6 = params.height.chave_eq6a
    ln_d = np.log(d)
    chave_h = chave2014_height(d, e, h6["c0"], h6["c1"], h6["c2"])
    chave_slope = h6["c1"] + 2.0 * h6["c2"] * ln_d
    groups = trees["species_group"].to_numpy(str)
    for g in np.unique(groups):  # per species group, not per tree
        m = groups == g
        fit = m & ~modelled
        if fit.sum() >= params.height.min_trees and np.ptp(ln_d[fit]) > 0:
            b, a = np.polyfit(ln_d[fit], np.log(h[fit]), 1)
            h[m & modelled] = np.exp(a + b * ln_d[m & modelled])
            slope[m] = b
        else:
            h[m & modelled] = chave_h[m & modelled]
            slope[m] = chave_slope[m]
    return h, modelled, slope


@dataclass(frozen=True)
class TreeCarbonResult:
    """Carbon of a tree inventory.

    Attributes
    ----------
    trees : pandas.DataFrame
        Per tree (central estimate): tree_id, district, taxon, species_group, dbh_cm, height_m,
        height_modelled, wood_density [g cm-3], dbh_growth_cm_yr, agb_kg, bgb_kg, carbon_kg, co2_kg,
        seq_co2_kg_yr.
    districts : pandas.DataFrame
        Per district: trees, and for stock_tco2 and seq_tco2_yr the central value, p2.5 and p97.5 [t].
    city : dict
        City totals in the same form, plus runs and seed.
    """

    trees: pd.DataFrame
    districts: pd.DataFrame
    city: dict[str, Any]
    runs: int

    def balance(self, year: int) -> pd.DataFrame:
        """Net-balance rows: year, district, gpc_ref (V.2 land), gas CO2, tonnes (negative = removal), tco2e, source."""
        seq = -self.districts["seq_tco2_yr"].to_numpy(float)
        return pd.DataFrame(
            {
                "year": year,
                "district": self.districts["district"].astype(str),
                "gpc_ref": GPC_REF,
                "gas": "CO2",
                "tonnes": seq,
                "tco2e": seq,
                "source": "urban trees: Chave et al. 2014 Eq. 4 x 0.8 (Nowak 1994), gross sequestration",
            }
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary (city and districts; per-tree rows are left out)."""
        return {"city": self.city, "districts": self.districts.to_dict(orient="records")}


def tree_carbon(
    trees: pd.DataFrame,
    *,
    runs: int = 500,
    seed: int = 0,
    e: float | None = None,
    params: TreeParams | None = None,
) -> TreeCarbonResult:
    """Carbon stock and annual sequestration of a validated inventory (:func:`validate_trees`).

    Parameters
    ----------
    trees : pandas.DataFrame
        Output of :func:`validate_trees` / :func:`read_trees`.
    runs : int
        Monte Carlo draws (0: central estimate only, intervals NaN).
    seed : int
        Seed of the draws.
    e : float, optional
        Environmental stress E of Chave et al. (2014) Eq. 6a for heights that cannot be fitted from the
        inventory [unitless]; default from the parameter set (ASSUMED 0).
    params : TreeParams, optional
        Parameter set; default :func:`load_params`.

    Returns
    -------
    TreeCarbonResult
    """
    p = params or load_params()
    if runs < 0:
        raise ValueError("runs must be >= 0")
    stress = p.height.default_e if e is None else e
    n = len(trees)
    d = trees["dbh_cm"].to_numpy(float)
    h, modelled, slope = _fill_heights(trees, p, stress)
    rho = trees["wood_density"].to_numpy(float)
    cond = trees["condition"].map(p.growth.condition_factor).to_numpy(float)
    given = trees["dbh_growth_cm_yr"].to_numpy(float)
    growth = np.where(np.isnan(given), p.growth.dbh_cm_per_year * cond, given)
    d2 = d + growth
    h2 = h * (d2 / d) ** slope
    u, a, b = p.urban_factor.value, p.agb.a, p.agb.b
    r, cf = p.root_shoot.value, p.carbon_fraction.value

    agb = u * chave2014_agb(d, h, rho, a, b)
    agb2 = u * chave2014_agb(d2, h2, rho, a, b)
    carbon = cf * (1.0 + r) * agb
    seq = cf * (1.0 + r) * (agb2 - agb) * CO2_PER_C
    per_tree = pd.DataFrame(
        {
            "tree_id": trees["tree_id"].to_numpy(),
            "district": trees["district"].to_numpy(),
            "taxon": trees["taxon"].to_numpy(),
            "species_group": trees["species_group"].to_numpy(),
            "dbh_cm": d,
            "height_m": h,
            "height_modelled": modelled,
            "wood_density": rho,
            "dbh_growth_cm_yr": growth,
            "agb_kg": agb,
            "bgb_kg": r * agb,
            "carbon_kg": carbon,
            "co2_kg": carbon * CO2_PER_C,
            "seq_co2_kg_yr": seq,
        }
    )
    districts, codes = np.unique(trees["district"].to_numpy(str), return_inverse=True)
    onehot = np.zeros((n, len(districts)))
    onehot[np.arange(n), codes] = 1.0
    stock_c = per_tree["co2_kg"].to_numpy() @ onehot / 1000.0
    seq_c = seq @ onehot / 1000.0

    stock_runs = np.empty((runs, len(districts)))
    seq_runs = np.empty((runs, len(districts)))
    if runs:
        rng = np.random.default_rng(seed)
        taxa, tcode = np.unique(trees["taxon"].to_numpy(str), return_inverse=True)
        grp, gcode = np.unique(trees["species_group"].to_numpy(str), return_inverse=True)
        rho_cv = trees["wood_density_cv"].to_numpy(float)
        sigma = p.agb.rse_ln
        g_sigma = np.sqrt(np.log1p(p.growth.cv**2))
        chunk = max(1, min(runs, 2_000_000 // max(n, 1)))
        for start in range(0, runs, chunk):
            k = min(chunk, runs - start)
            eps = np.exp(rng.normal(0.0, sigma, (k, n)) - sigma**2 / 2.0)  # mean-preserving model error
            z_rho = rng.normal(0.0, 1.0, (k, len(taxa)))[:, tcode]
            rho_k = np.clip(rho * (1.0 + rho_cv * z_rho), 0.05, None)
            g_k = np.exp(rng.normal(-(g_sigma**2) / 2.0, g_sigma, (k, len(grp))))[:, gcode]
            d2_k = d + growth * g_k
            h2_k = h * (d2_k / d) ** slope
            r_k = np.clip(rng.normal(r, r * p.root_shoot.cv, (k, 1)), 0.0, None)
            lo, hi = p.carbon_fraction.low or cf, p.carbon_fraction.high or cf
            cf_k = rng.triangular(lo, cf, hi, (k, 1)) if hi > lo else np.full((k, 1), cf)
            agb_k = u * eps * chave2014_agb(d, h, rho_k, a, b)
            agb2_k = u * eps * chave2014_agb(d2_k, h2_k, rho_k, a, b)
            scale = cf_k * (1.0 + r_k) * CO2_PER_C / 1000.0
            stock_runs[start : start + k] = (scale * agb_k) @ onehot
            seq_runs[start : start + k] = (scale * (agb2_k - agb_k)) @ onehot

    def summary(central: np.ndarray, draws: np.ndarray) -> dict[str, np.ndarray]:
        if draws.shape[0] == 0:
            nan = np.full(central.shape, np.nan)
            return {"": central, "_p2_5": nan, "_p97_5": nan}
        lo, hi = np.percentile(draws, [2.5, 97.5], axis=0)
        return {"": central, "_p2_5": lo, "_p97_5": hi}

    table = pd.DataFrame({"district": districts, "trees": np.bincount(codes, minlength=len(districts))})
    for name, central, draws in (("stock_tco2", stock_c, stock_runs), ("seq_tco2_yr", seq_c, seq_runs)):
        for suffix, values in summary(central, draws).items():
            table[name + suffix] = values
    city: dict[str, Any] = {"trees": n, "runs": runs, "seed": seed}
    for name, central, draws in (
        ("stock_tco2", stock_c.sum(), stock_runs.sum(axis=1)),
        ("seq_tco2_yr", seq_c.sum(), seq_runs.sum(axis=1)),
    ):
        for suffix, values in summary(np.asarray([central]), draws[:, None]).items():
            city[name + suffix] = float(values[0])
    city["modelled_heights"] = int(modelled.sum())
    log.info("tree carbon: %d trees, %d runs, stock %.0f tCO2", n, runs, city["stock_tco2"])
    return TreeCarbonResult(trees=per_tree, districts=table, city=city, runs=runs)
