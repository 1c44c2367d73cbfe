"""Economic impact of an emission cap: the output cut needed under a fixed final-demand structure (an LP).

The region's production follows its domestic coefficients (imports follow domestic use with fixed
shares ``mu``; :mod:`zerocity.brain.io.table`): ``x = A^d x + y^d``. Final demand keeps its structure
and is scaled down by factors ``theta_g`` of groups ``g`` of its base-year columns ``Y^d_g``:

* ``uniform``: one factor for all final demand (``y = theta y0``);
* ``category``: one factor per final-demand category (household, government, GFCF, exports, ...),
  the composition of each category by product fixed (``y_k = theta_k y0_k``);
* ``sector``: one factor per product, every category of a product scaled alike (``y_i = theta_i y0_i``).

The linear programme, with variables ``x`` (n) and ``theta`` (G):

    maximise    w' x                                  (w = v for GDP, w = 1 for total output)
    subject to  (I - A^d) x - sum_g theta_g Y^d_g = 0
                f' x + h' theta <= cap  (- F_hh in ``sector`` mode)
                min_scale <= theta_g <= 1,  x >= 0

i.e. it minimises the GDP (value added, ``v' (x0 - x)``) or total-output loss. ``h_g`` are the
direct emissions of final demand (household fuel use), which scale with their category (held fixed
in ``sector`` mode, where they cannot be attributed to a product). The cap covers production-based
(territorial) emissions. Solved with :func:`scipy.optimize.linprog` (HiGHS). The dual value of the
cap constraint is the marginal GDP (or output) loss of one more tonne of reduction [yuan / t CO2e].

With a single constraint and box bounds the optimum cuts the groups with the lowest ratio of GDP to
emissions first (the LP is a fractional knapsack); the tests check the solver against that rule.

References
----------
Miller, R.E., Blair, P.D. (2009). Input-Output Analysis, 2nd ed., Ch. 10 (environmental
input-output analysis; optimisation of a Leontief economy under an environmental constraint).
Dorfman, R., Samuelson, P.A., Solow, R.M. (1958). Linear Programming and Economic Analysis,
McGraw-Hill (the Leontief system as a linear programme).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.optimize import linprog

from zerocity.brain.io.table import IOTable, IOTableError
from zerocity.errors import ZerocityError

__all__ = ["CapError", "CapObjective", "CapResult", "CapStructure", "emission_cap"]


class CapStructure(StrEnum):
    """Which final demand is scaled together (the fixed structure)."""

    UNIFORM = "uniform"
    CATEGORY = "category"
    SECTOR = "sector"


class CapObjective(StrEnum):
    """What the LP keeps as large as possible."""

    GDP = "gdp"
    OUTPUT = "output"


class CapError(ZerocityError, ValueError):
    """A cap that cannot be met (or a programme that fails); the message gives the attainable minimum."""

    code = "io_cap"


@dataclass(frozen=True)
class CapResult:
    """Solution of the cap programme.

    Attributes
    ----------
    cap, base_emissions, emissions : float
        Cap, base-year and capped production-based emissions [emission_unit].
    structure : CapStructure
    objective : CapObjective
    scale : pandas.Series
        ``theta_g`` by group (``all``, category or product) [unitless, 1 = base year].
    output_base, output : pandas.Series
        ``x0`` and ``x`` by sector [money_unit].
    value_added_base, value_added : float
        GDP before and after [money_unit].
    marginal_cost : float
        Loss of the objective (GDP or output) per extra tonne of reduction at the optimum (dual
        value of the cap) [yuan / t CO2e]; 0 when the cap does not bind.
    """

    cap: float
    base_emissions: float
    emissions: float
    structure: CapStructure
    objective: CapObjective
    min_scale: float
    scale: pd.Series
    output_base: pd.Series
    output: pd.Series
    value_added_base: float
    value_added: float
    marginal_cost: float
    money_unit: str
    emission_unit: str
    solver_message: str

    @property
    def binding(self) -> bool:
        """True when the cap is below the base-year emissions."""
        return self.cap < self.base_emissions

    @property
    def gdp_loss(self) -> float:
        """``v' (x0 - x)`` [money_unit]."""
        return self.value_added_base - self.value_added

    @property
    def output_loss(self) -> float:
        """``1' (x0 - x)`` [money_unit]."""
        return float(self.output_base.sum() - self.output.sum())

    def to_dict(self) -> dict[str, Any]:
        """JSON contract of ``zerocity io cap --json``."""
        vb = self.value_added_base
        ob = float(self.output_base.sum())
        return {
            "cap": self.cap,
            "base_emissions": self.base_emissions,
            "emissions": self.emissions,
            "binding": self.binding,
            "structure": self.structure.value,
            "objective": self.objective.value,
            "min_scale": self.min_scale,
            "gdp_base": vb,
            "gdp": self.value_added,
            "gdp_loss": self.gdp_loss,
            "gdp_loss_share": self.gdp_loss / vb if vb else None,
            "output_base": ob,
            "output_loss": self.output_loss,
            "output_loss_share": self.output_loss / ob if ob else None,
            "marginal_cost_yuan_per_tco2e": self.marginal_cost,
            "scale": {str(k): float(v) for k, v in self.scale.items()},
            "output_change": {str(k): float(v) for k, v in (self.output - self.output_base).items()},
            "money_unit": self.money_unit,
            "emission_unit": self.emission_unit,
            "programme": (
                f"maximise {'v' if self.objective is CapObjective.GDP else '1'}'x s.t. (I - A^d) x = "
                f"sum_g theta_g Y^d_g, f'x + h'theta <= cap, {self.min_scale:g} <= theta_g <= 1, x >= 0 "
                f"({self.structure.value} final-demand structure; HiGHS)"
            ),
            "solver": self.solver_message,
        }


def _groups(table: IOTable, structure: CapStructure) -> tuple[list[str], np.ndarray, np.ndarray, float]:
    """Group labels, ``Y^d_g`` (n x G), ``h`` (G) and the fixed direct emissions of final demand."""
    yd = table.domestic_final_demand()
    fy = table.final_direct().reindex(yd.columns, fill_value=0.0).to_numpy(dtype=float)
    if structure is CapStructure.UNIFORM:
        return ["all"], yd.to_numpy(dtype=float).sum(axis=1, keepdims=True), np.array([fy.sum()]), 0.0
    if structure is CapStructure.CATEGORY:
        return list(yd.columns), yd.to_numpy(dtype=float), fy, 0.0
    total = yd.to_numpy(dtype=float).sum(axis=1)
    return list(table.sectors), np.diag(total), np.zeros(table.n), float(fy.sum())


def emission_cap(
    table: IOTable,
    cap: float,
    *,
    structure: CapStructure | str = CapStructure.CATEGORY,
    objective: CapObjective | str = CapObjective.GDP,
    min_scale: float = 0.0,
    emissions: Any = None,
    final_emissions: Any = None,
) -> CapResult:
    """Smallest GDP (or output) loss that brings production-based emissions under ``cap``.

    Parameters
    ----------
    table : IOTable
        A balanced table.
    cap : float
        Cap on production-based emissions ``f'x + F_hh`` [emission_unit].
    structure : CapStructure
        ``uniform``, ``category`` (default) or ``sector`` (see the module docstring).
    objective : CapObjective
        ``gdp`` (default): maximise value added; ``output``: maximise total output.
    min_scale : float
        Lower bound of every ``theta_g`` [unitless, 0 <= min_scale <= 1].
    emissions, final_emissions : optional
        Direct emissions overriding the table's [emission_unit].

    Returns
    -------
    CapResult

    Raises
    ------
    CapError
        A negative cap, or one below the emissions left at ``theta = min_scale``.
    """
    s = CapStructure(structure)
    obj = CapObjective(objective)
    if not 0.0 <= min_scale <= 1.0:
        raise CapError(f"min_scale must be within [0, 1], got {min_scale}")
    if cap < 0:
        raise CapError(f"the cap must be non-negative, got {cap}")
    if emissions is not None or final_emissions is not None:
        table = table.with_emissions(emissions, final_emissions)
    n = table.n
    f = table.direct_intensity()
    labels, yg, h, fixed = _groups(table, s)
    g = len(labels)
    x0 = table.x
    base = float(f @ x0 + h.sum() + fixed)
    w = table.value_added_coefficients if obj is CapObjective.GDP else np.ones(n)
    c = np.concatenate([-w, np.zeros(g)])
    a_eq = sparse.hstack([sparse.csr_matrix(np.eye(n) - table._a_domestic), sparse.csr_matrix(-yg)], format="csr")
    a_ub = np.concatenate([f, h])[None, :]
    empty = ~np.any(yg != 0, axis=0) & (h == 0)
    bounds = [(0.0, None)] * n + [(1.0, 1.0) if e else (min_scale, 1.0) for e in empty]
    res = linprog(
        c,
        A_ub=a_ub,
        b_ub=[cap - fixed],
        A_eq=a_eq,
        b_eq=np.zeros(n),
        bounds=bounds,
        method="highs",
    )
    if res.status == 2:
        theta = np.where(empty, 1.0, min_scale)
        lowest = float(f @ table.solve_domestic(yg @ theta) + h @ theta + fixed)
        raise CapError(
            f"{table.label}: cap {cap:.6g} {table.emission_unit} cannot be met: with final demand scaled to "
            f"{min_scale:g} of the base year ({s.value} structure) emissions are still {lowest:.6g}"
        )
    if res.status != 0:
        raise CapError(f"{table.label}: the cap programme failed: {res.message}")
    x = np.asarray(res.x[:n])
    theta = np.asarray(res.x[n:])
    dual = float(res.ineqlin.marginals[0]) if cap < base else 0.0
    per_t = -dual * table.money_scale / table.emission_scale
    if np.any(x < -1e-6 * max(1.0, float(np.abs(x0).max()))):
        raise IOTableError(table.label, ["the cap programme returned negative outputs"])
    return CapResult(
        cap=float(cap),
        base_emissions=base,
        emissions=float(f @ x + h @ theta + fixed),
        structure=s,
        objective=obj,
        min_scale=float(min_scale),
        scale=pd.Series(theta, index=labels, name="scale"),
        output_base=pd.Series(x0, index=list(table.sectors), name="output_base"),
        output=pd.Series(x, index=list(table.sectors), name="output"),
        value_added_base=float(table.value_added_coefficients @ x0),
        value_added=float(table.value_added_coefficients @ x),
        marginal_cost=per_t,
        money_unit=table.money_unit,
        emission_unit=table.emission_unit,
        solver_message=str(res.message),
    )
