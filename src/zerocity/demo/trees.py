"""Demo City tree inventory for ``zerocity sinks trees --demo`` (GENERATED, not surveyed).

The inventory is synthetic: trees are drawn from their own random stream
(``SeedSequence(seed, spawn_key=(TREES_SPAWN_KEY,))``), so it changes no other Demo City table.

- **count**: :data:`DEFAULT_TREES` trees (20,000) spread over districts in proportion to each
  district's green space (``city.land``, ``green_space_ha``, latest year).
- **species mix**: :data:`SPECIES_MIX`, shares typical of Jiangsu street and park planting
  (camphor tree, plane tree, ginkgo, metasequoia, sweet gum, willow, Chinese fir). ASSUMED.
- **DBH** [cm]: lognormal per species, median :data:`DBH_MEDIAN_CM`, log-sd 0.45, clipped to
  5-120 cm. ASSUMED.
- **height** [m]: ``H = 1.9 * D^0.58`` times lognormal noise (log-sd 0.15), clipped to 2-35 m;
  10 % of trees have no height (left for the model to fill). ASSUMED.
- **condition**: good 80 %, fair 10 %, poor 6 %, critical 2 %, dying 1.5 %, dead 0.5 %. ASSUMED.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from zerocity.demo.generator import DEFAULT_SEED, DemoCity

__all__ = ["CONDITION_MIX", "DBH_MEDIAN_CM", "DEFAULT_TREES", "SPECIES_MIX", "TREES_SPAWN_KEY", "demo_trees"]

TREES_SPAWN_KEY = 109
"""Spawn key of the trees' random stream (children 0-7 are the generator's, 100 the roofs')."""

DEFAULT_TREES = 20_000
"""Trees in the generated inventory."""

#: Species (scientific name) and share of trees. ASSUMED (typical Jiangsu street/park mix).
SPECIES_MIX: dict[str, float] = {
    "Cinnamomum camphora": 0.30,
    "Platanus x acerifolia": 0.18,
    "Ginkgo biloba": 0.12,
    "Metasequoia glyptostroboides": 0.12,
    "Liquidambar formosana": 0.10,
    "Salix babylonica": 0.10,
    "Cunninghamia lanceolata": 0.08,
}

#: Median DBH [cm] per species. ASSUMED.
DBH_MEDIAN_CM: dict[str, float] = {
    "Cinnamomum camphora": 22.0,
    "Platanus x acerifolia": 30.0,
    "Ginkgo biloba": 16.0,
    "Metasequoia glyptostroboides": 20.0,
    "Liquidambar formosana": 18.0,
    "Salix babylonica": 25.0,
    "Cunninghamia lanceolata": 15.0,
}

#: Condition classes and shares. ASSUMED.
CONDITION_MIX: dict[str, float] = {
    "good": 0.80,
    "fair": 0.10,
    "poor": 0.06,
    "critical": 0.02,
    "dying": 0.015,
    "dead": 0.005,
}


def demo_trees(city: DemoCity, seed: int = DEFAULT_SEED, n: int = DEFAULT_TREES) -> pd.DataFrame:
    """A generated tree inventory of Demo City (columns as read by :func:`zerocity.sinks.trees.read_trees`).

    Parameters
    ----------
    city : DemoCity
        Demo City; its ``land`` table gives green space [ha] by district.
    seed : int
        Seed of the trees' random stream.
    n : int
        Number of trees.

    Returns
    -------
    pandas.DataFrame
        tree_id, district, species, dbh_cm [cm], height_m [m, blank = missing], condition.
    """
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(TREES_SPAWN_KEY,)))
    land = city.land[city.land["year"] == city.land["year"].max()]
    share = land["green_space_ha"].to_numpy(float) / land["green_space_ha"].sum()
    district = rng.choice(land["district"].astype(str).to_numpy(), size=n, p=share)
    names = list(SPECIES_MIX)
    species = rng.choice(names, size=n, p=np.array(list(SPECIES_MIX.values())))
    median = pd.Series(DBH_MEDIAN_CM).reindex(species).to_numpy()
    dbh = np.clip(median * np.exp(rng.normal(0.0, 0.45, n)), 5.0, 120.0).round(1)
    height = np.clip(1.9 * dbh**0.58 * np.exp(rng.normal(0.0, 0.15, n)), 2.0, 35.0).round(1)
    height_text = np.where(rng.random(n) < 0.10, "", height.astype(str))
    condition = rng.choice(list(CONDITION_MIX), size=n, p=np.array(list(CONDITION_MIX.values())))
    frame = pd.DataFrame(
        {
            "tree_id": [f"T{i:06d}" for i in range(1, n + 1)],
            "district": district,
            "species": species,
            "dbh_cm": dbh.astype(str),
            "height_m": height_text,
            "condition": condition,
        }
    )
    return frame.sort_values(["district", "tree_id"], kind="stable").reset_index(drop=True)
