"""Slow dashboard results: computed once per input version, kept on disk, invalidated by new inputs."""

from __future__ import annotations

import json
import threading
import time

import pandas as pd
import pytest

from zerocity.web import brain, resultcache, views
from zerocity.web.mrvdata import entity_versions
from zerocity.web.profile import load_profile
from zerocity.web.resultcache import cache_folder, cached_result, clear_memory, decode, encode, input_digest


@pytest.fixture(autouse=True)
def _fresh_memory():
    clear_memory()
    yield
    clear_memory()


def test_frames_and_plain_data_survive_the_json_round_trip() -> None:
    frame = pd.DataFrame({"year": [2020, 2021], "tco2e": [1.5, float("nan")], "name": ["a", "b"], "ok": [True, False]})
    doc = {"frame": frame, "pairs": [(2020, 0.25)], "nested": {"n": 3, "none": None}}
    back = decode(json.loads(json.dumps(encode(doc), allow_nan=True)))
    pd.testing.assert_frame_equal(back["frame"], frame)  # same columns, order, dtypes, NaN kept
    assert back["pairs"] == [[2020, 0.25]] and back["nested"] == {"n": 3, "none": None}


def test_a_frame_with_its_own_index_is_refused() -> None:
    with pytest.raises(ValueError, match="reset the frame's index"):
        encode(pd.DataFrame({"v": [1.0]}, index=pd.Index([2020], name="year")))


def test_the_digest_follows_the_inputs_not_their_order() -> None:
    one = input_digest("brain", {"a": 1, "b": [1.0, 2.0]})
    assert one == input_digest("brain", {"b": [1.0, 2.0], "a": 1})
    assert one != input_digest("brain", {"a": 2, "b": [1.0, 2.0]})  # a changed input: another result
    assert one != input_digest("pv", {"a": 1, "b": [1.0, 2.0]})  # another kind
    assert input_digest("x", {"v": float("nan")}) == input_digest("x", {"v": None})


def test_computed_once_then_read_from_disk_after_a_restart(tmp_path) -> None:
    calls = []

    def compute() -> dict:
        calls.append(1)
        return {"table": pd.DataFrame({"x": [1, 2]}), "total": 3.0}

    first = cached_result("demo", "d1", compute, folder=tmp_path)
    again = cached_result("demo", "d1", compute, folder=tmp_path)
    assert len(calls) == 1 and again is first
    clear_memory()  # as a new process: the file answers
    reread = cached_result("demo", "d1", compute, folder=tmp_path)
    assert len(calls) == 1
    pd.testing.assert_frame_equal(reread["table"], first["table"])
    assert [p.name for p in tmp_path.iterdir()] == ["demo-d1.json"]


def test_a_new_digest_replaces_the_old_file_of_its_kind(tmp_path) -> None:
    cached_result("demo", "old", lambda: {"v": 1}, folder=tmp_path)
    cached_result("other", "keep", lambda: {"v": 2}, folder=tmp_path)
    cached_result("demo", "new", lambda: {"v": 3}, folder=tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["demo-new.json", "other-keep.json"]


def test_an_unreadable_file_is_recomputed(tmp_path) -> None:
    (tmp_path / "demo-d.json").write_text("{not json", encoding="utf-8")
    assert cached_result("demo", "d", lambda: {"v": 7}, folder=tmp_path) == {"v": 7}
    assert json.loads((tmp_path / "demo-d.json").read_text(encoding="utf-8")) == {"v": 7}


def test_simultaneous_requests_compute_once(tmp_path) -> None:
    calls = []

    def slow() -> dict:
        calls.append(1)
        time.sleep(0.3)
        return {"v": 1}

    results: list[object] = []
    threads = [
        threading.Thread(target=lambda: results.append(cached_result("demo", "same", slow, folder=tmp_path)))
        for _ in range(6)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(calls) == 1 and len(results) == 6 and all(r == {"v": 1} for r in results)


def test_brain_page_served_from_disk_after_a_restart_and_recomputed_for_new_inputs(demo_world, monkeypatch) -> None:
    """The second process finds the Brain numbers on disk: the computation is not run again.

    A changed input (another statistics table) gives another digest, hence a new computation.
    """
    client = demo_world.login(demo_world.client(), "analyst")
    first = client.get("/brain")
    assert first.status_code == 200
    folder = cache_folder(demo_world.settings.data_dir, demo_world.demo.slug)
    assert len(list(folder.glob("brain-*.json"))) == 1
    views.clear_cache()  # a restart: memory empty, files kept

    def refuse(*_a: object, **_k: object) -> object:
        raise AssertionError("the Brain numbers were computed again")

    monkeypatch.setattr(brain, "_compute", refuse)
    again = client.get("/brain")
    assert again.status_code == 200
    kaya = [line for line in again.text.splitlines() if 'id="kaya-table"' in line]
    assert kaya == [line for line in first.text.splitlines() if 'id="kaya-table"' in line]
    loaded = load_profile(demo_world.settings, demo_world.demo.slug)
    assert loaded is not None
    engine = demo_world.app.state.registry.engine(demo_world.demo.slug)
    inventory = views.inventory_version(engine, loaded.inventory_id)
    versions = entity_versions(engine, verified_only=True)
    same = brain.brain_digest(loaded, inventory, versions)
    assert brain.brain_digest(loaded, inventory, versions[:-1]) != same  # another verified version
    assert brain.brain_digest(loaded, {**inventory, "sha256": "0" * 64}, versions) != same  # other records
    changed = loaded.statistics.copy()
    changed.loc[changed.index[-1], "population"] += 1
    loaded.statistics = changed
    assert brain.brain_digest(loaded, inventory, versions) != same  # other statistics


def test_kinds_are_file_name_safe(tmp_path) -> None:
    with pytest.raises(ValueError, match="letters, digits"):
        resultcache.cached_result("../x", "d", lambda: {}, folder=tmp_path)
