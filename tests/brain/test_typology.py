"""City typology: rule classes at their thresholds, reasons, clustering stability, errors, CLI."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from zerocity.brain.typology import TypologyError, classify, derive_indicators, load_rules
from zerocity.cli import app
from zerocity.errors import InvalidRecordsError


def _units(shares: list[tuple[float, float, float]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id": [f"u{i}" for i in range(len(shares))],
            "primary_share": [s[0] for s in shares],
            "secondary_share": [s[1] for s in shares],
            "tertiary_share": [s[2] for s in shares],
        }
    )


def test_rules_at_their_thresholds():
    # The shipped thresholds: agricultural primary >= 10 %, industrial secondary >= 45 %,
    # service tertiary >= 60 % with secondary < 35 %, mixed otherwise; first match wins.
    frame = _units(
        [
            (0.10, 0.50, 0.40),  # agricultural before industrial (rule order)
            (0.099, 0.45, 0.451),  # industrial at its bound
            (0.099, 0.449, 0.452),  # just below: mixed
            (0.02, 0.349, 0.631),  # service
            (0.02, 0.35, 0.63),  # secondary at 35 %: not service -> mixed
            (0.00, 0.38, 0.62),
        ]
    )
    result = classify(frame, k=2)
    assert list(result.table["rule_class"]) == ["agricultural", "industrial", "mixed", "service", "mixed", "mixed"]
    assert result.table.loc["u1", "reason"] == "secondary_share 45.0% >= 45%"
    assert "tertiary_share 63.1% >= 60%" in result.table.loc["u3", "reason"]
    assert result.table.loc["u2", "reason"].startswith("primary 9.9%, secondary 44.9%")


def test_indicators_derived_from_gdp_population_emissions_and_percent_shares():
    frame = pd.DataFrame(
        {
            "gdp_primary": [10.0],
            "gdp_secondary": [30.0],
            "gdp_tertiary": [60.0],
            "population": [4.0],
            "emissions": [50.0],
            "industry_emissions": [20.0],
        }
    )
    ind = derive_indicators(frame)
    assert ind.iloc[0].to_dict() == pytest.approx(
        {
            "primary_share": 0.1,
            "secondary_share": 0.3,
            "tertiary_share": 0.6,
            "tco2e_per_10k_yuan": 0.5,
            "tco2e_per_capita": 12.5,
            "industry_emission_share": 0.4,
        }
    )
    pct = derive_indicators(pd.DataFrame({"primary_share": [5], "secondary_share": [50], "tertiary_share": [45]}))
    assert pct.iloc[0].tolist() == pytest.approx([0.05, 0.5, 0.45])


def test_clusters_recover_separated_groups_and_are_stable():
    rng = np.random.default_rng(1)
    centres = np.array([[0.02, 0.20, 0.78, 0.3], [0.01, 0.70, 0.29, 1.5], [0.18, 0.40, 0.42, 0.6]])
    rows = []
    truth = []
    for g, c in enumerate(centres):
        for _ in range(15):
            v = np.abs(c + rng.normal(0, 0.005, 4))
            rows.append(v)
            truth.append(g)
    x = np.array(rows)
    frame = pd.DataFrame(
        {
            "id": [f"c{i}" for i in range(len(x))],
            "primary_share": x[:, 0],
            "secondary_share": x[:, 1],
            "tertiary_share": x[:, 2],
            "tco2e_per_10k_yuan": x[:, 3],
        }
    )
    from sklearn.metrics import adjusted_rand_score

    for method in ("kmeans", "ward"):
        result = classify(frame, k=3, method=method, seed=4)
        assert adjusted_rand_score(truth, result.table["cluster"]) == 1.0
        assert set(result.centres["class"]) == {"service", "industrial", "agricultural"}
    a = classify(frame, k=3, seed=4).table
    b = classify(frame, k=3, seed=4).table
    pd.testing.assert_frame_equal(a, b)
    # Clusters use z-scores: rescaling an indicator (t -> kg per 10^4 yuan) changes nothing.
    scaled = frame.assign(tco2e_per_10k_yuan=frame["tco2e_per_10k_yuan"] * 1000)
    c = classify(scaled, k=3, seed=4).table
    assert (c["cluster"].to_numpy() == a["cluster"].to_numpy()).all()


def test_same_class_clusters_named_by_carbon_intensity():
    frame = _units([(0.01, 0.2, 0.79)] * 3 + [(0.01, 0.21, 0.78)] * 3).assign(
        tco2e_per_10k_yuan=[0.2, 0.21, 0.19, 1.0, 1.1, 0.9]
    )
    result = classify(frame, k=2, seed=0)
    labels = set(result.table["cluster_label"])
    assert labels == {"service, lowest carbon intensity", "service, highest carbon intensity"}
    high = result.table[result.table["tco2e_per_10k_yuan"] > 0.5]["cluster_label"].unique()
    assert list(high) == ["service, highest carbon intensity"]


def test_errors_name_rows_and_columns(tmp_path):
    with pytest.raises(InvalidRecordsError) as info:
        classify(_units([(0.1, 0.5, 0.4)]).assign(secondary_share=["x"]), k=1)
    assert info.value.issues[0].column == "secondary_share"
    assert info.value.issues[0].row == 1
    with pytest.raises(InvalidRecordsError, match="tertiary_share"):
        classify(pd.DataFrame({"id": ["a"], "primary_share": [0.1], "secondary_share": [0.5]}), k=1)
    with pytest.raises(TypologyError, match="k must be between 1 and the number of units"):
        classify(_units([(0.1, 0.5, 0.4)]), k=2)
    with pytest.raises(TypologyError, match="duplicate ids"):
        classify(pd.concat([_units([(0.1, 0.5, 0.4)])] * 2), k=1)
    bad = tmp_path / "rules.yaml"
    bad.write_text(
        "reference: {}\nrules:\n  - {class: x, when: {gdp: {min: 1}}, why: w}\nstrategies: {}\n", encoding="utf-8"
    )
    with pytest.raises(TypologyError, match="unknown indicators"):
        load_rules(bad)


def test_shipped_rules_have_bilingual_strategies():
    rules = load_rules()
    assert [r.class_ for r in rules.rules] == ["agricultural", "industrial", "service", "mixed"]
    for cls in ("service", "industrial", "mixed", "agricultural"):
        assert rules.strategies[cls].en and rules.strategies[cls].zh


def test_cli_demo_and_file(tmp_path):
    runner = CliRunner()
    result = runner.invoke(app, ["brain", "typology", "--demo", "--json", "--lang", "zh"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    classes = {u["id"]: u["rule_class"] for u in doc["units"]}
    assert len(classes) == 10
    assert classes["329909"] == "industrial"  # Linjiang: the steel district
    assert classes["329908"] == "service"  # Zhongcheng: the city centre
    assert "服务型" in next(u["strategy"] for u in doc["units"] if u["rule_class"] == "service")
    path = tmp_path / "cities.csv"
    _units([(0.02, 0.3, 0.68), (0.01, 0.6, 0.39), (0.2, 0.4, 0.4)]).rename(columns={"id": "city"}).to_csv(
        path, index=False
    )
    result = runner.invoke(app, ["brain", "typology", str(path), "--id", "city", "--k", "2", "--json"])
    assert result.exit_code == 0, result.output
    assert [u["rule_class"] for u in json.loads(result.stdout)["units"]] == ["service", "industrial", "agricultural"]
    result = runner.invoke(app, ["brain", "typology", str(path), "--k", "2"])
    assert result.exit_code == 2
    assert "no id column 'id'" in result.stderr
