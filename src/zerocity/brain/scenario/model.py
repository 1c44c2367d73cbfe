"""The scenario model file: YAML schema, validation with file/line/field, and compilation.

A model is data (as in LEAP and Kausal Paths): key assumptions with growth paths, a demand tree
(sector -> subsector -> end use) whose leaves carry an activity level and energy intensities by
fuel (or an energy intensity with fuel shares, or direct emission intensities for non-energy
sources), a supply module for electricity and heat (local processes with fuel, efficiency,
capacity and dispatch; the rest imported from the grid, whose factor follows a path), and
scenarios that inherit from a parent and override any variable from a year on. Measures are
named groups of overrides with costs.

The structure is checked by pydantic models (``extra="forbid"``: a misspelt key is an error);
expressions and references (drivers, fuels, GPC references, variable paths of overrides) are
checked when the model is compiled. Every problem is reported with the file, the line of the
YAML node and the dotted field path, all at once (:class:`ScenarioModelError`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from zerocity.brain.scenario.series import DISTRIBUTIONS, EXPRESSION_KEYS, Expression, Number
from zerocity.errors import UnitError, ZerocityError
from zerocity.inventory.gpc import gpc_table
from zerocity.units import parse_unit
from zerocity.yamllines import YamlSyntaxError, compose_with_lines, line_of

__all__ = [
    "Branch",
    "CompiledModel",
    "FuelSpec",
    "Measure",
    "ModelIssue",
    "Override",
    "ProcessSpec",
    "ScenarioModel",
    "ScenarioModelError",
    "ScenarioSpec",
    "VariableDef",
    "compile_model",
    "load_model",
]

_NAME = r"^[A-Za-z0-9_\-]+$"


@dataclass(frozen=True)
class ModelIssue:
    """One problem of a model file: where (line, dotted field path) and what was expected."""

    line: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}, " if self.line else ""
        return f"{where}field {self.field or '<root>'}: {self.message}"


class ScenarioModelError(ZerocityError, ValueError):
    """A scenario model that does not follow the schema; lists every problem with its line."""

    code = "scenario_model"

    def __init__(self, source: str, issues: list[ModelIssue]) -> None:
        self.source = source
        self.issues = issues
        lines = "\n".join(f"  {source}: {issue}" for issue in issues)
        super().__init__(f"{source}: {len(issues)} problem(s) in the scenario model\n{lines}")


def _compose(text: str, source: str) -> tuple[Any, dict[tuple[str, ...], int]]:
    try:
        return compose_with_lines(text)
    except YamlSyntaxError as exc:
        raise ScenarioModelError(source, [ModelIssue(exc.line, "", str(exc))]) from None


_line = line_of


# --------------------------------------------------------------------------- schema
class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class VariableDef(_Strict):
    """A variable: unit, base-year value and one path expression (see :mod:`.series`)."""

    unit: str | None = None
    value: Any = None
    growth: Any = None
    interp: Any = None
    values: Any = None
    driver: str | None = None
    elasticity: Any = None
    share: Any = None
    ssp: str | None = None
    ssp_variable: str | None = None
    ssp_region: str | None = None
    description: str | None = None
    source: str | None = None


class Override(_Strict):
    """An override: a variable path, the first year it applies, and one expression."""

    variable: str
    from_year: int | None = Field(default=None, alias="from")
    value: Any = None
    growth: Any = None
    interp: Any = None
    values: Any = None
    scale: Any = None
    driver: str | None = None
    elasticity: Any = None
    share: Any = None
    ssp: str | None = None
    ssp_variable: str | None = None
    ssp_region: str | None = None

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class FuelSpec(_Strict):
    """A fuel or energy carrier: its unit and the factor-library activity it resolves to.

    ``carrier: true`` marks purchased electricity, heat or steam: consumption is scope 2 at the
    branch's ``x.y.2`` reference, priced by the supply module's factor path. ``zero_emission:
    true`` marks a primary source without combustion (solar, wind, hydro, nuclear): no factor is
    looked up and its unit must be an energy unit.
    """

    unit: str
    activity: str | None = None
    carrier: bool = False
    zero_emission: bool = False
    label: str | None = None

    def library_activity(self, name: str) -> str:
        """The factor-library activity of the fuel (its own name unless given)."""
        return self.activity or name


class Branch(_Strict):
    """A node of the demand tree: a group (``branches``) or a leaf (intensities or emissions)."""

    gpc: str | None = None
    activity: VariableDef | float | int | None = None
    intensity: dict[str, VariableDef | float | int] | None = None
    energy_intensity: VariableDef | float | int | None = None
    shares: dict[str, VariableDef | float | int | str] | None = None
    emissions: dict[str, VariableDef | float | int] | None = None
    branches: dict[str, Branch] | None = None
    description: str | None = None


class ProcessSpec(_Strict):
    """A local conversion process (power plant, CHP, boiler house) of a supplied carrier.

    ``efficiency`` maps output carriers to output energy per input energy; the first one is the
    carrier whose requirement the process is dispatched against, by ``share`` of it or by
    absolute ``output`` [carrier unit/yr], never more than ``capacity`` [MW] x 8760 h x
    ``availability``.
    """

    fuel: str
    gpc: str = "I.4.4"
    efficiency: dict[str, VariableDef | float | int]
    share: VariableDef | float | int | None = None
    output: VariableDef | float | int | None = None
    capacity: VariableDef | float | int | None = None
    availability: VariableDef | float | int = 1.0
    description: str | None = None


class SupplySpec(_Strict):
    """Supply of one carrier: losses, local processes, and the grid factor path.

    ``scope2`` says what the grid factor applies to: ``consumption`` (GPC: all grid-supplied
    consumption in the boundary is scope 2, whatever is generated locally) or ``net_imports``
    (China's provincial guidelines: only net imported electricity).
    """

    scope2: Literal["consumption", "net_imports"] = "consumption"
    losses: VariableDef | float | int = 0.0
    factor: VariableDef | float | int | None = None
    processes: dict[str, ProcessSpec] = {}


class CostSpec(_Strict):
    """Costs of a measure: one-off investment and yearly operating cost net of savings [yuan]."""

    capex: float = 0.0
    capex_year: int | None = None
    opex_per_year: float = 0.0
    currency: str = "CNY"


class Measure(_Strict):
    """A named group of overrides with costs: an action whose impact is a difference of runs."""

    description: str | None = None
    overrides: list[Override]
    cost: CostSpec | None = None


class ScenarioSpec(_Strict):
    """A scenario: a parent, the measures it adds, and its own overrides."""

    parent: str | None = None
    description: str | None = None
    measures: list[str] = []
    overrides: list[Override] = []


class ScenarioModel(_Strict):
    """The whole model file."""

    name: str
    region: str = "CN"
    base_year: int
    end_year: int = 2060
    gwp: Literal["AR4", "AR5", "AR6"] = "AR5"
    energy_unit: str = "tce"
    report_level: Literal["BASIC", "BASIC+", "TERRITORIAL"] = "BASIC"
    discount_rate: float = 0.06
    description: str | None = None
    source: str | None = None
    assumptions: dict[str, VariableDef | float | int] = {}
    fuels: dict[str, FuelSpec]
    demand: dict[str, Branch]
    supply: dict[str, SupplySpec] = {}
    measures: dict[str, Measure] = {}
    scenarios: dict[str, ScenarioSpec] = {"BAU": ScenarioSpec()}

    @field_validator("end_year")
    @classmethod
    def _horizon(cls, v: int) -> int:
        if not 1990 <= v <= 2200:
            raise ValueError("end_year must be between 1990 and 2200")
        return v


# --------------------------------------------------------------------------- compiled model
@dataclass(frozen=True)
class Variable:
    """A compiled variable: its base definition and where it was written."""

    path: str
    unit: str | None
    base: Expression | None  # None: a ``share`` or ``driver`` without a value
    path_expr: Expression | None
    line: int | None


@dataclass(frozen=True)
class Leaf:
    """A demand leaf: where its energy or emissions go."""

    path: str  # dotted, without the 'demand.' prefix
    sector: str
    gpc_fuel: str  # reference of direct combustion (scope 1 or 3 as the reference says)
    gpc_carrier: str  # reference of purchased carriers (scope 2)
    fuels: tuple[str, ...]  # fuels with intensities or shares
    mode: str  # "intensity", "shares" or "emissions"
    gases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Process:
    """A compiled supply process."""

    carrier: str
    name: str
    fuel: str
    gpc: str
    outputs: tuple[str, ...]
    dispatch: str  # "share", "output" or "capacity"
    has_capacity: bool


@dataclass
class CompiledModel:
    """A validated model, ready to run: variables by path, leaves, processes, scenarios."""

    spec: ScenarioModel
    source: str
    variables: dict[str, Variable]
    leaves: list[Leaf]
    groups: dict[str, list[str]]  # branch path -> children paths (for share remainders)
    processes: list[Process]
    scenarios: dict[str, list[tuple[str | None, Override, Expression, int]]]  # name -> (measure, override...)
    overrides_of_measure: dict[str, list[tuple[Override, Expression, int]]]
    lines: dict[tuple[str, ...], int] = field(default_factory=dict)

    @property
    def years(self) -> range:
        """Model years, base year first."""
        return range(self.spec.base_year, self.spec.end_year + 1)

    def numbers(self) -> list[Any]:
        """Every number of the model (definitions and overrides), for sampling."""
        found = []
        for var in self.variables.values():
            for expr in (var.base, var.path_expr):
                if expr is not None:
                    found.extend(expr.numbers())
        for chain in self.scenarios.values():
            for _, _, expr, _ in chain:
                found.extend(expr.numbers())
        return found

    def lineage(self, scenario: str) -> list[str]:
        """The scenario and its ancestors, root first."""
        chain: list[str] = []
        name: str | None = scenario
        while name is not None:
            chain.insert(0, name)
            name = self.spec.scenarios[name].parent
        return chain


def load_model(path: Path | str, *, text: str | None = None) -> CompiledModel:
    """Read, validate and compile a scenario model file.

    Raises
    ------
    ScenarioModelError
        With every problem found (line, field, message).
    """
    source = str(path)
    if text is None:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as exc:
            raise ScenarioModelError(source, [ModelIssue(None, "", f"cannot read file: {exc}")]) from None
    raw, lines = _compose(text, source)
    return compile_model(raw, source=source, lines=lines)


def compile_model(
    raw: Mapping[str, Any], *, source: str = "<model>", lines: Mapping[tuple[str, ...], int] | None = None
) -> CompiledModel:
    """Validate a model given as a mapping (as read from YAML) and compile it."""
    lines = dict(lines or {})
    if not isinstance(raw, Mapping):
        raise ScenarioModelError(source, [ModelIssue(1, "", "expected a mapping at the top of the file")])
    try:
        spec = ScenarioModel.model_validate(raw)
    except ValidationError as exc:
        errors = [e for e in exc.errors() if not _wrong_union_member(e)] or exc.errors()
        issues = []
        for e in errors:
            loc = tuple(str(p) for p in e["loc"] if not _is_union_tag(p))
            issues.append(ModelIssue(_line(lines, loc), ".".join(loc), e["msg"]))
        raise ScenarioModelError(source, _dedupe(issues)) from None
    return _Compiler(spec, source, lines).run()


_SCALAR_ERRORS = {
    "float_parsing",
    "float_type",
    "int_type",
    "int_parsing",
    "string_type",
    "bool_type",
    "int_from_float",
}
_MAPPING_ERRORS = {"model_type", "dict_type", "model_attributes_type"}


def _wrong_union_member(error: Any) -> bool:
    """An error of the union member that does not fit the input's shape (a number for a mapping)."""
    value = error.get("input")
    if error["type"] in _SCALAR_ERRORS and isinstance(value, Mapping):
        return True
    return error["type"] in _MAPPING_ERRORS and not isinstance(value, Mapping)


def _is_union_tag(part: Any) -> bool:
    """Pydantic adds the union member tried to error locations; they are not YAML keys."""
    return isinstance(part, str) and (
        part in {"VariableDef", "float", "int", "str", "Branch"} or part.startswith(("function-", "constrained-"))
    )


def _dedupe(issues: list[ModelIssue]) -> list[ModelIssue]:
    """Keep one issue per field (unions report each member's failure)."""
    seen: dict[str, ModelIssue] = {}
    for issue in issues:
        seen.setdefault(issue.field, issue)
    return list(seen.values())


class _Compiler:
    """Turns a validated :class:`ScenarioModel` into a :class:`CompiledModel`, collecting issues."""

    def __init__(self, spec: ScenarioModel, source: str, lines: dict[tuple[str, ...], int]) -> None:
        self.spec = spec
        self.source = source
        self.lines = lines
        self.issues: list[ModelIssue] = []
        self.variables: dict[str, Variable] = {}
        self.leaves: list[Leaf] = []
        self.groups: dict[str, list[str]] = {}
        self.processes: list[Process] = []
        self.gpc = gpc_table()

    def issue(self, path: str, message: str) -> None:
        parts = tuple(path.split(".")) if path else ()
        self.issues.append(ModelIssue(_line(self.lines, parts), path, message))

    # ---------------------------------------------------------------- run
    def run(self) -> CompiledModel:
        s = self.spec
        if s.end_year <= s.base_year:
            self.issue("end_year", f"must be after base_year {s.base_year}")
        if s.discount_rate <= -1:
            self.issue("discount_rate", "must be above -1")
        try:
            parse_unit(s.energy_unit)
        except UnitError as exc:
            self.issue("energy_unit", str(exc))
        for name, fuel in s.fuels.items():
            try:
                parse_unit(fuel.unit)
            except UnitError as exc:
                self.issue(f"fuels.{name}.unit", str(exc))
        for name, definition in s.assumptions.items():
            self.variable(f"assumptions.{name}", definition, need_value=True, allow_share=False)
        for name, branch in s.demand.items():
            self.branch(name, branch, parent_has_activity=False, inherited_gpc=None)
        for carrier, supply in s.supply.items():
            self.supply(carrier, supply)
        measures = {name: self.overrides(f"measures.{name}.overrides", m.overrides) for name, m in s.measures.items()}
        scenarios = self.scenarios(measures)
        if self.issues:
            raise ScenarioModelError(self.source, self.issues)
        return CompiledModel(
            spec=s,
            source=self.source,
            variables=self.variables,
            leaves=self.leaves,
            groups=self.groups,
            processes=self.processes,
            scenarios=scenarios,
            overrides_of_measure=measures,
            lines=self.lines,
        )

    # ---------------------------------------------------------------- variables
    def variable(
        self,
        path: str,
        definition: VariableDef | float | int | str | None,
        *,
        need_value: bool,
        allow_share: bool,
        unit: str | None = None,
    ) -> None:
        """Compile one variable definition at ``path`` (the model path users write in overrides)."""
        if definition is None:
            return
        if isinstance(definition, str):
            definition = VariableDef(share=definition) if allow_share else VariableDef(value=definition)
        if not isinstance(definition, VariableDef):
            definition = VariableDef(value=definition)
        keys = [
            k for k in ("growth", "interp", "values", "driver", "share", "ssp") if getattr(definition, k) is not None
        ]
        if len(keys) > 1:
            self.issue(path, f"give one path expression, not {' and '.join(keys)}")
            return
        if definition.elasticity is not None and definition.driver is None:
            self.issue(f"{path}.elasticity", "elasticity needs a driver")
        if definition.unit is not None:
            try:
                parse_unit(definition.unit)
            except UnitError as exc:
                self.issue(f"{path}.unit", str(exc))
        base: Expression | None = None
        if definition.share is not None:
            if not allow_share:
                self.issue(f"{path}.share", "share is allowed for branch activities and fuel shares only")
                return
            if definition.value is not None:
                self.issue(path, "a share has no value of its own: give share alone")
        elif definition.value is None and need_value and definition.driver is None:
            self.issue(path, "expected a value in the base year ('value: ...')")
            return
        if definition.value is not None:
            num = self.number(f"{path}.value", definition.value)
            if num is None:
                return
            base = Expression("value", number=num)
        expr = None
        if keys and keys[0] == "ssp":
            expr = self.ssp_growth(path, definition, start=self.spec.base_year + 1)
        elif keys:
            expr = self.expression(path, keys[0], getattr(definition, keys[0]), definition.elasticity, start=None)
        self.variables[path] = Variable(
            path, definition.unit or unit, base, expr, _line(self.lines, tuple(path.split(".")))
        )

    def ssp_growth(
        self, path: str, d: VariableDef | Override, *, start: int, name: str | None = None
    ) -> Expression | None:
        """``ssp: SSP2``: the published SSP growth rates of the variable, year by year, as a growth path."""
        from zerocity.brain.ssp import SspError, ssp_growth_rates

        variable = d.ssp_variable or name or path.rsplit(".", 1)[-1]
        region = d.ssp_region or self.spec.region
        years = range(start, self.spec.end_year + 1)
        try:
            rates = ssp_growth_rates(str(d.ssp), variable, region, years=years)
        except SspError as exc:
            self.issue(f"{path}.ssp", f"{exc} (set ssp_variable to population or gdp)")
            return None
        anchors = tuple(
            (int(y), Number(float(r), key=f"{path}.ssp.{y}"))
            for y, r in zip(rates.index, rates.to_numpy(), strict=True)
        )
        return Expression("growth", anchors=anchors)

    def number(self, path: str, raw: Any) -> Number | None:
        try:
            return Number.parse(raw, path)
        except ValueError as exc:
            self.issue(path, str(exc))
            return None

    def expression(self, path: str, kind: str, raw: Any, elasticity: Any, *, start: int | None) -> Expression | None:
        """Compile ``kind: raw``; anchor years must fall after ``start - 1`` (base year for definitions)."""
        where = f"{path}.{kind}"
        first = start if start is not None else self.spec.base_year + 1
        if kind == "share":
            if raw == "remainder":
                return Expression("share", remainder=True)
            num = self.number(where, raw)
            return None if num is None else Expression("share", number=num)
        if kind == "driver":
            if raw not in self.spec.assumptions:
                known = ", ".join(self.spec.assumptions) or "none"
                self.issue(where, f"unknown driver {raw!r}; assumptions are: {known}")
                return None
            el = self.number(f"{path}.elasticity", 1.0 if elasticity is None else elasticity)
            return None if el is None else Expression("driver", driver=str(raw), elasticity=el)
        if kind == "value":
            num = self.number(where, raw)
            return None if num is None else Expression("value", number=num)
        if isinstance(raw, Mapping) and not (len(raw) == 1 and next(iter(raw)) in DISTRIBUTIONS):
            anchors = []
            for year, v in raw.items():
                try:
                    y = int(year)
                except (TypeError, ValueError):
                    self.issue(f"{where}.{year}", "expected a year as key")
                    continue
                if not self.spec.base_year < y <= self.spec.end_year + 100:
                    self.issue(f"{where}.{year}", f"year must be after the base year {self.spec.base_year}")
                    continue
                if kind in {"interp", "scale"} and y < first:
                    self.issue(f"{where}.{year}", f"anchor year must be {first} or later (the first year it applies)")
                    continue
                num = self.number(f"{where}.{year}", v)
                if num is not None:
                    anchors.append((y, num))
            if not anchors:
                self.issue(where, "expected at least one {year: value}")
                return None
            anchors.sort(key=lambda a: a[0])
            return Expression(kind, anchors=tuple(anchors))
        if kind in {"interp", "values"}:
            self.issue(where, "expected a mapping {year: value}")
            return None
        num = self.number(where, raw)
        return None if num is None else Expression(kind, number=num)

    # ---------------------------------------------------------------- demand tree
    def branch(self, path: str, b: Branch, *, parent_has_activity: bool, inherited_gpc: str | None) -> None:
        full = f"demand.{path}"
        gpc = b.gpc or inherited_gpc
        if b.gpc is not None and not self.gpc_ok(b.gpc, f"{full}.gpc"):
            gpc = None
        has_activity = b.activity is not None
        if has_activity:
            act = b.activity
            is_share = isinstance(act, VariableDef) and act.share is not None
            if is_share and not parent_has_activity:
                self.issue(f"{full}.activity.share", "a share needs a parent branch with an activity")
            self.variable(f"{full}.activity", act, need_value=True, allow_share=True)
        leafy = [k for k in ("intensity", "energy_intensity", "emissions") if getattr(b, k) is not None]
        if b.branches:
            if leafy:
                self.issue(full, f"a branch has either sub-branches or {leafy[0]}, not both")
            self.groups[full] = [f"{full}.{c}" for c in b.branches]
            for child, child_branch in b.branches.items():
                self.branch(
                    f"{path}.{child}",
                    child_branch,
                    parent_has_activity=has_activity or parent_has_activity,
                    inherited_gpc=gpc,
                )
            return
        if not has_activity:
            self.issue(full, "a leaf branch needs an activity")
        if len(leafy) != 1:
            what = " and ".join(leafy) if leafy else "none"
            self.issue(
                full, f"a leaf needs one of intensity (by fuel), energy_intensity (with shares), emissions; got {what}"
            )
            return
        if gpc is None:
            self.issue(f"{full}.gpc", "no GPC reference (give gpc here or on a parent branch, e.g. I.3)")
            return
        sector = gpc.split(".")[0]
        parts = gpc.split(".")
        sub = ".".join(parts[:2])
        refs = self.gpc.index
        # Scope 1 at the sub-sector's x.y.1 (I.3 -> I.3.1), unless a full reference is given
        # (II.4.3 for aviation across the boundary) or the sub-sector is the reference (IV.1).
        gpc_fuel = gpc if len(parts) == 3 or f"{sub}.1" not in refs else f"{sub}.1"
        gpc_carrier = f"{sub}.2"
        if gpc_fuel not in refs:
            self.issue(f"{full}.gpc", f"{gpc!r} is not a GPC reference of a source")
            return
        mode = leafy[0]
        if mode == "emissions":
            assert b.emissions is not None
            for gas, d in b.emissions.items():
                self.variable(f"{full}.emissions.{gas}", d, need_value=True, allow_share=False)
            self.leaves.append(Leaf(path, sector, gpc_fuel, gpc_carrier, (), "emissions", tuple(b.emissions)))
            return
        if mode == "intensity":
            assert b.intensity is not None
            if b.shares is not None:
                self.issue(f"{full}.shares", "shares go with energy_intensity, not with intensity by fuel")
            for fuel, d in b.intensity.items():
                if self.fuel_ok(fuel, f"{full}.intensity.{fuel}"):
                    self.variable(f"{full}.intensity.{fuel}", d, need_value=True, allow_share=False)
            self.leaves.append(Leaf(path, sector, gpc_fuel, gpc_carrier, tuple(b.intensity), "intensity"))
            return
        self.variable(f"{full}.energy_intensity", b.energy_intensity, need_value=True, allow_share=False)
        if not b.shares:
            self.issue(f"{full}.shares", "energy_intensity needs fuel shares")
            return
        remainders = 0
        for fuel, given in b.shares.items():
            if self.fuel_ok(fuel, f"{full}.shares.{fuel}"):
                if given == "remainder" or (isinstance(given, VariableDef) and given.share == "remainder"):
                    remainders += 1
                    share_def = VariableDef(share="remainder")
                else:
                    share_def = given if isinstance(given, VariableDef) else VariableDef(value=given)
                self.variable(f"{full}.shares.{fuel}", share_def, need_value=False, allow_share=True)
        if remainders > 1:
            self.issue(f"{full}.shares", "at most one fuel share may be 'remainder'")
        self.leaves.append(Leaf(path, sector, gpc_fuel, gpc_carrier, tuple(b.shares), "shares"))

    def gpc_ok(self, ref: str, where: str) -> bool:
        parts = ref.split(".")
        known = set(self.gpc.index) | {".".join(r.split(".")[:2]) for r in self.gpc.index}
        if ref not in known or len(parts) < 2:
            self.issue(where, f"unknown GPC reference {ref!r}; expected a sub-sector (I.3) or a reference (II.4.3)")
            return False
        return True

    def fuel_ok(self, fuel: str, where: str) -> bool:
        if fuel not in self.spec.fuels:
            self.issue(where, f"unknown fuel {fuel!r}; declared fuels: {', '.join(self.spec.fuels)}")
            return False
        return True

    # ---------------------------------------------------------------- supply
    def supply(self, carrier: str, s: SupplySpec) -> None:
        path = f"supply.{carrier}"
        if carrier not in self.spec.fuels or not self.spec.fuels[carrier].carrier:
            self.issue(path, f"{carrier!r} is not a fuel declared with carrier: true")
            return
        self.variable(f"{path}.losses", s.losses, need_value=True, allow_share=False)
        if s.factor is not None:
            d = s.factor if isinstance(s.factor, VariableDef) else VariableDef(value=s.factor)
            # The base value may come from the factor library: a path without a value is relative to it.
            self.variable(f"{path}.factor", d, need_value=False, allow_share=False)
        for name, p in s.processes.items():
            where = f"{path}.processes.{name}"
            if not self.fuel_ok(p.fuel, f"{where}.fuel"):
                continue
            if self.spec.fuels[p.fuel].carrier:
                self.issue(f"{where}.fuel", "a process burns a fuel, not a purchased carrier")
            self.gpc_ok(p.gpc, f"{where}.gpc")
            outputs = list(p.efficiency)
            for out in outputs:
                if out not in self.spec.fuels or not self.spec.fuels[out].carrier:
                    self.issue(f"{where}.efficiency.{out}", f"output {out!r} is not a declared carrier")
                self.variable(f"{where}.efficiency.{out}", p.efficiency[out], need_value=True, allow_share=False)
            if outputs and outputs[0] != carrier:
                self.issue(f"{where}.efficiency", f"the first output must be {carrier!r}, the carrier it supplies")
            given = [k for k in ("share", "output") if getattr(p, k) is not None]
            if len(given) > 1:
                self.issue(where, "dispatch by share or by output, not both")
            if not given and p.capacity is None:
                self.issue(where, "give share, output or capacity")
            for key in ("share", "output", "capacity", "availability"):
                val = getattr(p, key)
                if val is not None:
                    self.variable(f"{where}.{key}", val, need_value=True, allow_share=False)
            dispatch = given[0] if given else "capacity"
            self.processes.append(
                Process(carrier, name, p.fuel, p.gpc, tuple(outputs), dispatch, p.capacity is not None)
            )

    # ---------------------------------------------------------------- scenarios
    def overrides(self, where: str, items: list[Override]) -> list[tuple[Override, Expression, int]]:
        out = []
        for i, o in enumerate(items):
            path = f"{where}.{i}"
            keys = [
                k
                for k in ("value", "growth", "interp", "values", "scale", "driver", "share")
                if getattr(o, k) is not None
            ]
            if len(keys) != 1:
                self.issue(path, f"give exactly one of {', '.join(EXPRESSION_KEYS)}")
                continue
            start = o.from_year if o.from_year is not None else self.spec.base_year + 1
            if not self.spec.base_year < start <= self.spec.end_year:
                self.issue(f"{path}.from", f"must be within {self.spec.base_year + 1}..{self.spec.end_year}")
                continue
            if o.variable not in self.variables and not self._derivable(o.variable):
                self.issue(f"{path}.variable", f"unknown variable {o.variable!r}")
                continue
            target = self.variables.get(o.variable)
            if target is not None and target.path_expr is not None and target.path_expr.remainder:
                self.issue(f"{path}.variable", "a remainder share follows its siblings; override those instead")
                continue
            if o.share == "remainder":
                self.issue(f"{path}.share", "remainder is set where the share is defined, not in an override")
                continue
            if keys[0] == "ssp":
                expr = self.ssp_growth(path, o, start=start, name=o.variable.rsplit(".", 1)[-1])
            else:
                expr = self.expression(path, keys[0], getattr(o, keys[0]), o.elasticity, start=start)
            if expr is not None:
                out.append((o, expr, start))
        return out

    def _derivable(self, path: str) -> bool:
        """Variables with library defaults that a file need not define (grid factors)."""
        parts = path.split(".")
        return len(parts) == 3 and parts[0] == "supply" and parts[2] == "factor" and parts[1] in self.spec.supply

    def scenarios(
        self, measures: dict[str, list[tuple[Override, Expression, int]]]
    ) -> dict[str, list[tuple[str | None, Override, Expression, int]]]:
        out: dict[str, list[tuple[str | None, Override, Expression, int]]] = {}
        for name, sc in self.spec.scenarios.items():
            where = f"scenarios.{name}"
            if sc.parent is not None and sc.parent not in self.spec.scenarios:
                self.issue(f"{where}.parent", f"unknown parent scenario {sc.parent!r}")
                continue
            seen = {name}
            parent = sc.parent
            while parent is not None:
                if parent in seen:
                    self.issue(f"{where}.parent", "scenarios inherit in a cycle")
                    break
                seen.add(parent)
                parent = self.spec.scenarios[parent].parent if parent in self.spec.scenarios else None
            # Measures apply in the order listed, then the scenario's own overrides (its last word).
            own: list[tuple[str | None, Override, Expression, int]] = []
            for i, m in enumerate(sc.measures):
                if m not in measures:
                    self.issue(f"{where}.measures.{i}", f"unknown measure {m!r}; measures: {', '.join(measures)}")
                    continue
                own.extend((m, o, e, y) for o, e, y in measures[m])
            for o, e, y in self.overrides(f"{where}.overrides", sc.overrides):
                own.append((None, o, e, y))
            out[name] = own
        return out
