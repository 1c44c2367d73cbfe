"""The GPC reporting structure: sectors, sub-sectors, reference numbers, scopes and levels.

Reference
---------
WRI, C40 and ICLEI (2014, amended 2021), *Global Protocol for Community-Scale Greenhouse Gas
Inventories (GPC)*, version 1.1: Chapter 3 (sectors, sub-sectors and scopes) and Chapter 4
(reporting levels BASIC and BASIC+, and the reference-number table of sources by scope with their
inclusion in each level). ``data/gpc.csv`` transcribes that table.

Levels in ``gpc.csv``: ``BASIC`` (in BASIC and BASIC+), ``BASIC+`` (BASIC+ only),
``TERRITORIAL`` (scope 1 sources GPC keeps out of both city-induced totals: I.4.4 energy
generation supplied to the grid, III.x.3 waste from outside the boundary treated inside it),
``OTHER`` (VI other scope 3).
"""

from __future__ import annotations

import functools
from enum import StrEnum
from importlib import resources

import pandas as pd

__all__ = ["Level", "Notation", "gpc_table", "in_level"]


class Level(StrEnum):
    """GPC reporting level of a total."""

    BASIC = "BASIC"
    BASIC_PLUS = "BASIC+"
    TERRITORIAL = "TERRITORIAL"


class Notation(StrEnum):
    """GPC notation keys for sources without a number (GPC section 2.4)."""

    NO = "NO"  # not occurring
    NE = "NE"  # not estimated
    IE = "IE"  # included elsewhere
    C = "C"  # confidential


@functools.cache
def gpc_table() -> pd.DataFrame:
    """The GPC reference numbers, indexed by ``gpc_ref``.

    Columns: sector, sector_name_en, sector_name_zh, subsector, subsector_name_en,
    subsector_name_zh, scope (int), level.
    """
    with resources.files("zerocity.inventory").joinpath("data/gpc.csv").open(encoding="utf-8") as fh:
        df = pd.read_csv(fh, dtype=str, keep_default_na=False)
    df["scope"] = df["scope"].astype(int)
    return df.set_index("gpc_ref")


def in_level(levels: pd.Series, scopes: pd.Series, level: Level | str) -> pd.Series:
    """Boolean mask of the rows that count in a reporting total.

    Parameters
    ----------
    levels : pandas.Series
        The ``level`` of each row's GPC reference.
    scopes : pandas.Series
        The scope (1, 2, 3) of each row.
    level : Level
        ``BASIC`` counts BASIC rows; ``BASIC+`` counts BASIC and BASIC+ rows; ``TERRITORIAL``
        counts every scope 1 row (all emissions inside the boundary, GPC section 3.4).
    """
    lvl = Level(level)
    if lvl is Level.BASIC:
        return levels == "BASIC"
    if lvl is Level.BASIC_PLUS:
        return levels.isin(["BASIC", "BASIC+"])
    return scopes == 1
