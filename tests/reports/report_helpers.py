"""Helpers of the report tests: PDF text (pdftotext), page images (pdftoppm), workbook lookups."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from PIL import Image


def _tool(name: str) -> str:
    path = shutil.which(name) or (f"/usr/bin/{name}" if Path(f"/usr/bin/{name}").exists() else None)
    if path is None:
        pytest.fail(f"{name} (poppler-utils) is needed by the report tests", pytrace=False)
    return path


def pdf_text(path: Path) -> str:
    """Text of a PDF in reading order (``pdftotext -layout``)."""
    done = subprocess.run([_tool("pdftotext"), "-layout", str(path), "-"], capture_output=True, check=True)
    return done.stdout.decode("utf-8")


def pdf_pages(path: Path) -> int:
    done = subprocess.run([_tool("pdfinfo"), str(path)], capture_output=True, check=True, text=True)
    line = next(x for x in done.stdout.splitlines() if x.startswith("Pages:"))
    return int(line.split()[1])


def pdf_fonts(path: Path) -> str:
    """The font table of a PDF (``pdffonts``)."""
    return subprocess.run([_tool("pdffonts"), str(path)], capture_output=True, check=True, text=True).stdout


def page_image(path: Path, page: int, out_dir: Path) -> Image.Image:
    """Page ``page`` (1-based) of a PDF rendered to PNG at 50 dpi."""
    prefix = out_dir / f"page{page}"
    subprocess.run(
        [
            _tool("pdftoppm"),
            "-png",
            "-r",
            "50",
            "-f",
            str(page),
            "-l",
            str(page),
            "-singlefile",
            str(path),
            str(prefix),
        ],
        check=True,
    )
    return Image.open(prefix.with_suffix(".png")).convert("L")


def ink_share(image: Image.Image, threshold: int = 200) -> float:
    """Share of pixels darker than ``threshold`` (0 black, 255 white) [unitless]."""
    hist = image.histogram()
    dark = sum(hist[:threshold])
    return dark / (image.width * image.height)


def sheet_pairs(ws: Any) -> dict[str, Any]:
    """Column A label -> column B value of a sheet (key-value blocks)."""
    out: dict[str, Any] = {}
    for row in ws.iter_rows(values_only=True):
        if row and isinstance(row[0], str) and len(row) > 1:
            out.setdefault(row[0], row[1])
    return out


def sheet_rows(ws: Any) -> list[tuple[Any, ...]]:
    return [tuple(r) for r in ws.iter_rows(values_only=True)]


def find_row(rows: list[tuple[Any, ...]], first: Any) -> tuple[Any, ...]:
    """The one row whose first cell is ``first``."""
    matches = [r for r in rows if r and r[0] == first]
    assert len(matches) == 1, (first, len(matches))
    return matches[0]


def header_row(rows: list[tuple[Any, ...]], first: str) -> tuple[int, tuple[Any, ...]]:
    """Index and content of the first row starting with heading ``first``."""
    for i, r in enumerate(rows):
        if r and r[0] == first:
            return i, r
    raise AssertionError(f"no header {first!r}")


def table_after(rows: list[tuple[Any, ...]], first: str) -> list[tuple[Any, ...]]:
    """The body of the first table whose header starts with ``first`` (up to the next empty row)."""
    i, _ = header_row(rows, first)
    body = []
    for r in rows[i + 1 :]:
        if not r or all(v is None for v in r):
            break
        body.append(r)
    return body
