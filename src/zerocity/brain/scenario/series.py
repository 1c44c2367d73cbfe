r"""Year paths of a scenario model: numbers, uncertain numbers and path expressions.

Every quantity of a scenario model (an assumption, an activity level, an intensity, a share, a
grid factor) is a path over the model years. A path is evaluated to an array of shape
``(S, T)``: ``S`` samples (1 for a deterministic run, N for Monte Carlo) by ``T`` years. All
operations broadcast over the sample axis, so a Monte Carlo run is one pass over the model with
wider arrays, not N passes.

Expressions (one per definition or override; the keys of a YAML mapping):

=================== ========================================================================
``value: v``         the value in the base year (definitions) or from the start year on
``growth: r``        compound annual growth, :math:`v_t = v_{t-1} (1 + r_t)`; ``r`` may be a
                     mapping ``{year: rate}``, a rate holding from its year until the next one
``interp: {y: v}``   linear interpolation from the value before the start to each anchor,
                     flat after the last anchor (LEAP's *Interp*)
``values: {y: v}``   steps: each value holds from its year until the next one (LEAP's *Step*)
``scale: {y: m}``    multiply the path being overridden by a factor ramping linearly from 1
                     before the start to ``m`` at each anchor (a measure relative to its
                     parent scenario)
``driver: name``     follow an assumption with an elasticity:
                     :math:`v_t = v_0 (D_t / D_0)^{\varepsilon}` (``elasticity``, default 1)
``share: s``         a share of the parent branch's activity (``remainder``: one minus the
                     shares of the siblings)
=================== ========================================================================

Any number may be uncertain: ``{normal: [mean, sd]}``, ``{uniform: [low, high]}``,
``{triangular: [low, mode, high]}`` or ``{lognormal: [median, sigma]}``. A deterministic run
uses the central value (mean, midpoint, mode, median); a Monte Carlo run draws each uncertain
number independently once per sample (so a growth rate drawn for a sample holds in every year
of that sample).

References
----------
Heaps, C.G. (2022). *LEAP: The Low Emissions Analysis Platform*, Stockholm Environment
Institute, Somerville, MA. The expression functions Growth, Interp, Step and GrowthAs
(elasticity to a driver) of the LEAP User Guide, "Expressions" chapter.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = [
    "DISTRIBUTIONS",
    "EXPRESSION_KEYS",
    "Draws",
    "Expression",
    "Number",
    "ramp_weights",
    "step_weights",
]

DISTRIBUTIONS = {"normal": 2, "uniform": 2, "triangular": 3, "lognormal": 2}
EXPRESSION_KEYS = ("value", "growth", "interp", "values", "scale", "driver", "share")


@dataclass(frozen=True)
class Number:
    """A number of the model, fixed or uncertain.

    Attributes
    ----------
    central : float
        Value of a deterministic run.
    dist : str, optional
        ``normal``, ``uniform``, ``triangular`` or ``lognormal``; None for a fixed number.
    params : tuple of float
        Parameters of the distribution as written.
    key : str
        Unique name (model path and position), so that draws are reproducible.
    """

    central: float
    dist: str | None = None
    params: tuple[float, ...] = ()
    key: str = ""

    @staticmethod
    def parse(raw: Any, key: str) -> Number:
        """Read a YAML number or distribution mapping; ``ValueError`` with what was expected."""
        if isinstance(raw, bool):
            raise ValueError("expected a number, not a boolean")
        if isinstance(raw, int | float):
            return Number(float(raw), key=key)
        if isinstance(raw, str):
            try:
                return Number(float(raw), key=key)
            except ValueError:
                raise ValueError(f"expected a number, got {raw!r}") from None
        if isinstance(raw, Mapping) and len(raw) == 1:
            (name, params), *_ = raw.items()
            if name not in DISTRIBUTIONS:
                raise ValueError(f"unknown distribution {name!r}; expected one of {', '.join(DISTRIBUTIONS)}")
            if not isinstance(params, list | tuple) or len(params) != DISTRIBUTIONS[name]:
                raise ValueError(f"{name} takes a list of {DISTRIBUTIONS[name]} numbers")
            p = tuple(float(v) for v in params)
            if name == "normal":
                central = p[0]
                ok = p[1] >= 0
            elif name == "uniform":
                central = (p[0] + p[1]) / 2
                ok = p[0] <= p[1]
            elif name == "triangular":
                central = p[1]
                ok = p[0] <= p[1] <= p[2]
            else:
                central = p[0]
                ok = p[0] > 0 and p[1] >= 0
            if not ok:
                raise ValueError(f"invalid {name} parameters {list(p)}")
            return Number(central, name, p, key)
        raise ValueError("expected a number or a distribution such as {normal: [mean, sd]}")

    def draw(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """``n`` draws of the number (``central`` repeated when it is fixed)."""
        p = self.params
        if self.dist is None:
            return np.full(n, self.central)
        if self.dist == "normal":
            return rng.normal(p[0], p[1], n)
        if self.dist == "uniform":
            return rng.uniform(p[0], p[1], n)
        if self.dist == "triangular":
            if p[0] == p[2]:
                return np.full(n, p[1])
            return rng.triangular(p[0], p[1], p[2], n)
        return p[0] * np.exp(rng.normal(0.0, p[1], n))


@dataclass
class Draws:
    """The sample values of every uncertain number of a run.

    A deterministic run has ``size`` 1 and no draws: every number is its central value. A
    Monte Carlo run holds one array of ``size`` values per uncertain number; :meth:`value`
    returns it as a column ``(S, 1)`` that broadcasts over the years.
    """

    size: int = 1
    values: dict[str, np.ndarray] = field(default_factory=dict)

    @staticmethod
    def sample(numbers: list[Number], runs: int, seed: int) -> Draws:
        """Draw every uncertain number ``runs`` times; each from its own stream keyed by name."""
        draws: dict[str, np.ndarray] = {}
        for number in sorted({n.key: n for n in numbers if n.dist is not None}.values(), key=lambda n: n.key):
            # A stream per number: adding an uncertain number to a model leaves the others' draws as they were.
            digest = int.from_bytes(hashlib.blake2b(number.key.encode("utf-8"), digest_size=8).digest(), "big")
            rng = np.random.default_rng([seed, digest])
            draws[number.key] = number.draw(rng, runs)
        return Draws(runs, draws)

    def subset(self, index: int) -> Draws:
        """The draws of one sample (a run of size 1): the naive per-sample loop of benchmarks."""
        return Draws(1, {k: v[index : index + 1] for k, v in self.values.items()})

    def value(self, number: Number) -> np.ndarray | float:
        """The number's draws as a ``(S, 1)`` column, or its central value."""
        got = self.values.get(number.key)
        return number.central if got is None else got[:, None]


def step_weights(anchor_years: list[int], years: np.ndarray) -> np.ndarray:
    """Matrix ``W`` (anchors x years): 1 where an anchor's value holds (from its year to the next)."""
    w = np.zeros((len(anchor_years), len(years)))
    for i, y in enumerate(anchor_years):
        end = anchor_years[i + 1] if i + 1 < len(anchor_years) else np.inf
        w[i] = (years >= y) & (years < end)
    return w


def ramp_weights(anchor_years: list[int], years: np.ndarray) -> np.ndarray:
    """Matrix ``W`` (anchors x years) of linear interpolation, flat after the last anchor.

    The path is ``V @ W`` for anchor values ``V`` (samples x anchors): each column of ``W`` is
    the interpolation of the unit vectors, so interpolating uncertain anchors is one product.
    """
    eye = np.eye(len(anchor_years))
    return np.stack([np.interp(years, anchor_years, eye[i]) for i in range(len(anchor_years))])


@dataclass(frozen=True)
class Expression:
    """One path expression (a definition or an override of a model variable).

    Attributes
    ----------
    kind : str
        One of :data:`EXPRESSION_KEYS` (``value`` alone means a constant).
    number : Number, optional
        ``value``, ``share`` or a single ``growth`` rate / ``scale`` factor.
    anchors : tuple of (int, Number)
        ``{year: number}`` of ``growth``, ``interp``, ``values`` and ``scale``.
    driver : str, optional
        Assumption followed by ``driver``.
    elasticity : Number, optional
    remainder : bool
        ``share: remainder``.
    """

    kind: str
    number: Number | None = None
    anchors: tuple[tuple[int, Number], ...] = ()
    driver: str | None = None
    elasticity: Number | None = None
    remainder: bool = False

    def numbers(self) -> list[Number]:
        """Every number of the expression (for sampling)."""
        found = [n for n in (self.number, self.elasticity) if n is not None]
        return found + [n for _, n in self.anchors]

    def evaluate(
        self,
        start_value: np.ndarray | float,
        years: np.ndarray,
        start: int,
        draws: Draws,
        *,
        parent: np.ndarray | None = None,
        driver_path: np.ndarray | None = None,
    ) -> np.ndarray:
        """The path for ``years >= start`` [unit of the variable], shape ``(S, len(years))``.

        Parameters
        ----------
        start_value : array or float
            Value in the year before ``start`` (shape ``(S, 1)`` or scalar): where growth and
            interpolation start from.
        years : numpy.ndarray
            Years to evaluate (``start`` first).
        start : int
            First year of the expression.
        draws : Draws
            Sample values.
        parent : numpy.ndarray, optional
            The overridden path over ``years`` (``scale`` multiplies it).
        driver_path : numpy.ndarray, optional
            The driver over ``[start - 1] + years`` (``driver``).
        """
        n = len(years)
        if self.kind == "value":
            assert self.number is not None
            return np.broadcast_to(np.asarray(draws.value(self.number), dtype=float), (draws.size, n)).copy()
        if self.kind == "growth":
            rates = self._anchor_path(years, start, draws, interpolate=False)
            return np.asarray(start_value) * np.cumprod(1.0 + rates, axis=1)
        if self.kind == "interp":
            values = [start_value] + [draws.value(v) for _, v in self.anchors]
            anchor_years = [start - 1] + [y for y, _ in self.anchors]
            return _combine(values, ramp_weights(anchor_years, years), draws.size)
        if self.kind == "values":
            first = self.anchors[0][0]
            values = [start_value] + [draws.value(v) for _, v in self.anchors]
            anchor_years = [min(start - 1, first - 1)] + [y for y, _ in self.anchors]
            return _combine(values, step_weights(anchor_years, years), draws.size)
        if self.kind == "scale":
            assert parent is not None
            return parent * self._anchor_path(years, start, draws, interpolate=True)
        if self.kind == "driver":
            assert driver_path is not None and self.elasticity is not None
            e = draws.value(self.elasticity)
            return np.asarray(start_value) * (driver_path[:, 1:] / driver_path[:, :1]) ** e
        raise AssertionError(f"expression {self.kind} is evaluated by the engine")

    def _anchor_path(self, years: np.ndarray, start: int, draws: Draws, *, interpolate: bool) -> np.ndarray:
        """Per-year rate (growth, steps) or multiplier (scale, ramp from 1) over ``years``."""
        if self.number is not None:  # a single rate or factor
            if interpolate:
                return _combine([1.0, draws.value(self.number)], ramp_weights([start - 1, start], years), draws.size)
            return np.broadcast_to(np.asarray(draws.value(self.number), dtype=float), (draws.size, len(years)))
        anchor_years = [y for y, _ in self.anchors]
        values = [draws.value(v) for _, v in self.anchors]
        if interpolate:
            return _combine([1.0, *values], ramp_weights([start - 1, *anchor_years], years), draws.size)
        # Growth rates before the first anchor year are zero: the path holds until a rate applies.
        return _combine(
            [0.0, *values], step_weights([min(start, anchor_years[0]) - 1, *anchor_years], years), draws.size
        )


def _combine(values: list[Any], weights: np.ndarray, size: int) -> np.ndarray:
    """``sum_i values[i] * weights[i]`` with values scalars or ``(S, 1)`` columns -> ``(S, T)``."""
    out = np.zeros((size, weights.shape[1]))
    for v, w in zip(values, weights, strict=True):
        if np.any(w):
            out += np.asarray(v, dtype=float) * w
    return out
