"""LEAP-style scenario engine: a city model as data, scenarios as overrides, wedges as differences.

- :mod:`.series` -- year paths and their expressions (growth, interp, steps, scale, driver),
  uncertain numbers, vectorised over Monte Carlo samples.
- :mod:`.model` -- the YAML model file: schema, validation with file/line/field, compilation.
- :mod:`.engine` -- demand, supply and emissions of one run or an ensemble; factors from the
  factor library as the inventory resolves them.
- :mod:`.pathways` -- running scenarios, Monte Carlo, wedges, tidy and IAMC exports.
"""

from zerocity.brain.scenario.engine import Coefficients, Ensemble, Run, evaluate, resolve_coefficients
from zerocity.brain.scenario.model import CompiledModel, ModelIssue, ScenarioModelError, compile_model, load_model
from zerocity.brain.scenario.pathways import (
    ScenarioResults,
    WedgeTable,
    iamc_frame,
    monte_carlo,
    run_scenarios,
    tidy_frame,
    wedges,
)

__all__ = [
    "Coefficients",
    "CompiledModel",
    "Ensemble",
    "ModelIssue",
    "Run",
    "ScenarioModelError",
    "ScenarioResults",
    "WedgeTable",
    "compile_model",
    "evaluate",
    "iamc_frame",
    "load_model",
    "monte_carlo",
    "resolve_coefficients",
    "run_scenarios",
    "tidy_frame",
    "wedges",
]
