"""CASA vegetation productivity: hand-worked formulas, tiny rasters, CRS and nodata, published ranges."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
import rasterio
import typer
from rasterio.transform import from_origin
from typer.testing import CliRunner

from zerocity.cli_sinks_vegetation import vegetation_command
from zerocity.sinks.vegetation import (
    CO2_PER_C,
    CasaParameters,
    RasterCrsError,
    RasterInputError,
    casa_npp,
    fpar_from_ndvi,
    inventory_rows,
    landsat_c2_reflectance,
    pixel_area_m2,
    run_casa,
    sentinel2_l2a_reflectance,
    soil_heterotrophic_respiration,
    temperature_stress,
    thornthwaite_pet,
    water_balance,
    water_stress,
    write_ndvi_geotiff,
)

TOL = 1e-9  # pure arithmetic
TOL_F32 = 1e-5  # values that went through float32 GeoTIFFs

# Round parameters so that the hand calculations stay short.
P = CasaParameters(epsilon_max=0.5, ndvi_min=0.0, ndvi_max=0.6, fpar_min=0.0, fpar_max=1.0)


# --- formulas, worked by hand ----------------------------------------------------------------


def test_fpar_is_mean_of_ndvi_and_sr_estimates() -> None:
    # NDVI 0.3: FPAR_NDVI = 0.3/0.6 = 0.5; SR = 1.3/0.7 = 1.857142857, SR_min = 1, SR_max = 1.6/0.4 = 4,
    # FPAR_SR = 0.857142857/3 = 0.285714286; mean 0.392857143 (Zhu et al. 2007 eqs. 3-5).
    assert fpar_from_ndvi(0.3, P) == pytest.approx(0.392857143, abs=1e-8)
    # Clipped at the bounds: NDVI >= NDVI_max gives FPAR_max, NDVI <= NDVI_min gives FPAR_min.
    np.testing.assert_allclose(fpar_from_ndvi([0.9, -0.2], P), [1.0, 0.0], atol=TOL)


def test_temperature_stress_potter_forms() -> None:
    te1, te2 = temperature_stress(20.0, 20.0)
    assert te1 == pytest.approx(0.8 + 0.4 - 0.2, abs=TOL)  # 1.0
    # 1.1814 / (1 + e^-2) / (1 + e^-3) = 1.1814 / 1.1353352832 / 1.0497870684
    assert te2 == pytest.approx(1.1814 / 1.1353352832 / 1.0497870684, abs=1e-9)
    assert te2 == pytest.approx(0.99122, abs=1e-5)
    te1_cold, _ = temperature_stress(-12.0, 20.0)
    assert te1_cold == 0.0  # T <= -10 degC: no production


def test_water_stress_and_bucket() -> None:
    assert water_stress(30.0, 60.0) == pytest.approx(0.75, abs=TOL)
    assert water_stress(0.0, 0.0) == pytest.approx(1.0, abs=TOL)  # no demand, no stress
    # Bucket of 100 mm, full at the start.
    # m1: EET = min(60, 10 + 100) = 60, W = 50; m2: EET = min(80, 0 + 50) = 50, W = 0;
    # m3: EET = min(20, 50 + 0) = 20, W = 30.
    eet = water_balance(np.array([10.0, 0.0, 50.0]), np.array([60.0, 80.0, 20.0]), 100.0)
    np.testing.assert_allclose(eet, [60.0, 50.0, 20.0], atol=TOL)


def test_thornthwaite_constant_temperature_at_equator() -> None:
    # T = 10 degC every month at the equator: daylength 12 h; I = 12 x 2^1.514; PET = 16 (100 / I)^a x days/30.
    heat = 12 * 2**1.514
    a = 6.75e-7 * heat**3 - 7.71e-5 * heat**2 + 1.792e-2 * heat + 0.49239
    days = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])
    expected = 16 * (100 / heat) ** a * days / 30
    np.testing.assert_allclose(thornthwaite_pet(np.full(12, 10.0), 0.0), expected, rtol=1e-12)
    assert expected.sum() == pytest.approx(12 * 16 * (100 / heat) ** a * 365 / 360, rel=1e-12)
    assert thornthwaite_pet(np.full(12, -5.0), 30.0).sum() == 0.0


def test_heterotrophic_respiration_pei_2009() -> None:
    # T = 0, R = 0: 0.22 x (1 + 0) x 30 x 0.465 = 3.069 g C m-2 month-1.
    assert soil_heterotrophic_respiration(0.0, 0.0) == pytest.approx(3.069, abs=1e-12)
    # T = 10, R = 100: 0.22 x (e^0.912 + ln 32.45) x 13.95 = 0.22 x (2.489296 + 3.479700) x 13.95.
    assert soil_heterotrophic_respiration(10.0, 100.0) == pytest.approx(0.22 * 5.968996 * 13.95, abs=1e-4)


def test_npp_single_pixel_by_hand() -> None:
    # Constant year: NDVI 0.3 (FPAR 0.392857143), T 20 degC (T_opt 20, Te1 1, Te2 0.99122),
    # P 300 mm >> PET (W_eps = 1), SOL 400 MJ m-2: NPP = 400 x 0.392857143 x 0.5 x 0.99122 x 0.5
    # = 38.9409 g C m-2 month-1.
    npp = casa_npp(np.full(12, 0.3), np.full(12, 20.0), np.full(12, 300.0), np.full(12, 400.0), 30.0, P)
    expected = 400 * 0.392857143 * 0.5 * (1.1814 / 1.1353352832 / 1.0497870684) * 0.5
    np.testing.assert_allclose(npp, expected, rtol=1e-8)
    assert expected == pytest.approx(38.9409, abs=1e-4)


def test_npp_scalar_and_grid_inputs_agree() -> None:
    rng = np.random.default_rng(1)
    nd = rng.uniform(0.1, 0.8, (12, 3, 3))
    t = rng.uniform(-5, 30, (12, 3, 3))
    pr = rng.uniform(0, 200, (12, 3, 3))
    sol = rng.uniform(100, 600, (12, 3, 3))
    grid = casa_npp(nd, t, pr, sol, 32.0)
    one = casa_npp(nd[:, 1, 2], t[:, 1, 2], pr[:, 1, 2], sol[:, 1, 2], 32.0)
    np.testing.assert_allclose(grid[:, 1, 2], one, rtol=1e-12)


# --- published ranges ------------------------------------------------------------------------

# Whittaker R. H. & Likens G. E. (1975), "The biosphere and man", in Lieth & Whittaker (eds.),
# Primary Productivity of the Biosphere, Springer, Table 15-1: NPP of temperate evergreen and
# temperate deciduous forest 600-2,500 g dry matter m-2 yr-1; carbon = 0.45 x dry matter (their
# conversion), i.e. 270-1,125 g C m-2 yr-1.
TEMPERATE_FOREST_GC = (0.45 * 600, 0.45 * 2500)


def test_temperate_forest_npp_within_published_range() -> None:
    m = np.arange(1, 13)
    s = 0.5 * (1 - np.cos(2 * np.pi * (m - 1) / 12))
    ndvi = 0.45 + 0.40 * s  # deciduous broadleaf: winter 0.45, July 0.85
    # Humid subtropical / warm temperate climate (southern Jiangsu-like): Jan ~3.6, Jul ~28.4 degC,
    # 1,100 mm, 4,500 MJ m-2 yr-1.
    temp = 16.0 - 12.7 * np.cos(2 * np.pi * (m - 0.6) / 12)
    rain = 1 + 0.8 * np.exp(-(((m - 6.5) / 1.8) ** 2))
    rain = rain / rain.sum() * 1100.0
    sol = 4500.0 / 12 * (1 - 0.45 * np.cos(2 * np.pi * (m - 0.5) / 12))
    npp = casa_npp(ndvi, temp, rain, sol, 31.8).sum()
    assert TEMPERATE_FOREST_GC[0] <= npp <= TEMPERATE_FOREST_GC[1]


# --- sensors ---------------------------------------------------------------------------------


def test_landsat_and_sentinel_scale_factors() -> None:
    # Landsat C2 L2: 10000 x 0.0000275 - 0.2 = 0.075; fill 0 -> NaN.
    out = landsat_c2_reflectance(np.array([10000, 0], dtype=np.uint16))
    assert out[0] == pytest.approx(0.075, abs=1e-6)
    assert np.isnan(out[1])
    # Sentinel-2 L2A baseline >= 04.00: (2000 - 1000) / 10000 = 0.1; before: 2000 / 10000 = 0.2.
    assert sentinel2_l2a_reflectance(np.array([2000]))[0] == pytest.approx(0.1, abs=1e-7)
    assert sentinel2_l2a_reflectance(np.array([2000]), boa_add_offset=0)[0] == pytest.approx(0.2, abs=1e-7)
    assert np.isnan(sentinel2_l2a_reflectance(np.array([0]))[0])


def _write(path: Path, data: np.ndarray, crs: str = "EPSG:32650", cell: float = 30.0, nodata: float | None = None):
    transform = from_origin(600000.0, 3520000.0, cell, cell)
    with rasterio.open(
        path,
        "w",
        driver="GTiff",
        width=data.shape[1],
        height=data.shape[0],
        count=1,
        dtype=data.dtype,
        crs=crs,
        transform=transform,
        nodata=nodata,
    ) as dst:
        dst.write(data, 1)


def test_write_ndvi_from_landsat_bands(tmp_path: Path) -> None:
    _write(tmp_path / "red.tif", np.array([[10000, 0]], dtype=np.uint16))
    _write(tmp_path / "nir.tif", np.array([[30000, 20000]], dtype=np.uint16))
    write_ndvi_geotiff(tmp_path / "red.tif", tmp_path / "nir.tif", tmp_path / "ndvi.tif")
    with rasterio.open(tmp_path / "ndvi.tif") as src:
        v = src.read(1)
    # red 0.075, NIR 30000 x 2.75e-5 - 0.2 = 0.625: NDVI = 0.55 / 0.7 = 0.785714; fill -> NaN.
    assert v[0, 0] == pytest.approx(0.55 / 0.7, abs=TOL_F32)
    assert np.isnan(v[0, 1])


# --- tiny rasters end to end -----------------------------------------------------------------


def _tiny_series(tmp_path: Path, climate_crs: str = "EPSG:32650") -> tuple[Path, Path]:
    """2 x 2 rasters, 12 months of 2024: NDVI 0.3 (pixel [0,1] nodata in May), T 20, P 300, SOL 400."""
    nd_dir, cl_dir = tmp_path / "ndvi", tmp_path / "climate"
    nd_dir.mkdir()
    cl_dir.mkdir()
    for m in range(1, 13):
        nd = np.full((2, 2), 0.3, dtype=np.float32)
        if m == 5:
            nd[0, 1] = -9999.0
        _write(nd_dir / f"ndvi_2024{m:02d}.tif", nd, nodata=-9999.0)
        # Climate on a 60 m grid (1 pixel) of the same CRS: resampled to the 30 m NDVI grid.
        for var, value in (("tmean", 20.0), ("prec", 300.0), ("srad", 400.0)):
            _write(cl_dir / f"{var}_2024{m:02d}.tif", np.full((1, 1), value, np.float32), climate_crs, 60.0)
    return nd_dir, cl_dir


def _left_column_geojson() -> dict:
    """A district around the left column of the tiny grid, given in EPSG:4326 (reprojected by the code)."""
    from pyproj import Transformer

    tr = Transformer.from_crs("EPSG:32650", "EPSG:4326", always_xy=True)
    # Left column: x 600000-600030, y 3519940-3520000; the ring stays inside the neighbouring pixels.
    ring = [tr.transform(x, y) for x, y in [(599990, 3519930), (600028, 3519930), (600028, 3520010), (599990, 3520010)]]
    ring.append(ring[0])
    feature = {"type": "Feature", "properties": {"code": "L", "name_en": "Left"}}
    feature["geometry"] = {"type": "Polygon", "coordinates": [[list(p) for p in ring]]}
    return {"type": "FeatureCollection", "features": [feature]}


def test_tiny_raster_npp_nep_zonal_sums_and_nodata(tmp_path: Path) -> None:
    nd_dir, cl_dir = _tiny_series(tmp_path)
    te2 = 1.1814 / 1.1353352832 / 1.0497870684
    npp_px = 12 * 400 * 0.392857143 * 0.5 * te2 * 0.5  # 467.29 g C m-2 yr-1 (see test_npp_single_pixel_by_hand)
    rh_px = 12 * 0.22 * (math.exp(0.0912 * 20) + math.log(0.3145 * 300 + 1)) * 30 * 0.465
    area = 30.0 * 30.0

    whole = run_casa(nd_dir, cl_dir, params=P).table
    assert len(whole) == 1
    row = whole.iloc[0]
    assert row["pixels"] == 3  # the pixel with a nodata month is dropped
    assert row["area_ha"] == pytest.approx(3 * 0.09, abs=TOL)
    assert row["npp_gc_m2"] == pytest.approx(npp_px, rel=TOL_F32)
    assert row["npp_tc"] == pytest.approx(3 * npp_px * area / 1e6, rel=TOL_F32)
    assert row["nep_tc"] == pytest.approx(3 * (npp_px - rh_px) * area / 1e6, rel=TOL_F32)
    assert row["co2_t"] == pytest.approx(row["nep_tc"] * 44 / 12, rel=TOL)

    zoned = run_casa(nd_dir, cl_dir, districts=_left_column_geojson(), params=P).table
    assert list(zoned["district"]) == ["L"]
    assert zoned.iloc[0]["pixels"] == 2  # left column, both valid
    assert zoned.iloc[0]["npp_tc"] == pytest.approx(2 * npp_px * area / 1e6, rel=TOL_F32)


def test_crs_mismatch_is_refused(tmp_path: Path) -> None:
    nd_dir, cl_dir = _tiny_series(tmp_path, climate_crs="EPSG:32651")
    with pytest.raises(RasterCrsError, match="EPSG:32651"):
        run_casa(nd_dir, cl_dir)


def test_geographic_crs_is_refused_for_areas() -> None:
    from rasterio.crs import CRS

    assert pixel_area_m2(from_origin(0, 0, 30, 30), CRS.from_epsg(32650)) == pytest.approx(900.0)
    with pytest.raises(RasterCrsError, match="projected"):
        pixel_area_m2(from_origin(119, 32, 0.001, 0.001), CRS.from_epsg(4326))


def test_missing_months_and_unknown_year(tmp_path: Path) -> None:
    nd_dir, cl_dir = _tiny_series(tmp_path)
    with pytest.raises(RasterInputError, match="2023"):
        run_casa(nd_dir, cl_dir, years=[2023])
    (cl_dir / "srad_202407.tif").unlink()
    with pytest.raises(RasterInputError, match="srad_202407"):
        run_casa(nd_dir, cl_dir)


def test_inventory_rows_sign_convention(tmp_path: Path) -> None:
    nd_dir, cl_dir = _tiny_series(tmp_path)
    result = run_casa(nd_dir, cl_dir, params=P)
    rows = inventory_rows(result)
    assert list(rows.columns) == ["year", "district", "gpc_ref", "gas", "tonnes", "tco2e", "source"]
    assert rows.iloc[0]["gpc_ref"] == "V.2"
    assert rows.iloc[0]["tonnes"] == pytest.approx(-result.table.iloc[0]["nep_tc"] * CO2_PER_C)


# --- demo and CLI ----------------------------------------------------------------------------


def _app() -> typer.Typer:
    app = typer.Typer()
    app.command("x")(vegetation_command)
    app.command("y")(lambda: None)
    return app


def test_cli_demo_json(tmp_path: Path) -> None:
    result = CliRunner().invoke(_app(), ["x", "--demo", "--years", "2024", "--out", str(tmp_path), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["crs"] == "EPSG:32650"
    assert data["pixel_area_m2"] == pytest.approx(900.0)
    covered = [r for r in data["rows"] if r["pixels"] > 0]
    # The 6 km x 6 km grid sits on the corner of districts 329901, 329902, 329906 and 329907.
    assert sorted(r["district"] for r in covered) == ["329901", "329902", "329906", "329907"]
    assert sum(r["area_ha"] for r in covered) <= 600 * 600 * 0.09 + TOL
    assert len(list((tmp_path / "ndvi").glob("ndvi_2024*.tif"))) == 12
    with rasterio.open(tmp_path / "climate" / "tmean_202407.tif") as src:
        assert src.crs.to_epsg() == 32650
        assert src.res == (600.0, 600.0)


def test_cli_needs_inputs() -> None:
    result = CliRunner().invoke(_app(), ["x"])
    assert result.exit_code == 2
    assert "--demo" in result.output
