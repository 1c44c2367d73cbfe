"""Readable contrast, measured in Chromium on every page: WCAG 2.1 success criterion 1.4.3.

For each element that renders text, the page computes the text colour and the background it is
drawn on (the first non-transparent background of it or its ancestors, white at the root), and
the contrast ratio (L1 + 0.05) / (L2 + 0.05) of their relative luminances
L = 0.2126 R + 0.7152 G + 0.0722 B, with each sRGB channel c linearised as c / 12.92 when
c <= 0.04045, else ((c + 0.055) / 1.055) ^ 2.4 (W3C, WCAG 2.1, definitions "contrast ratio" and
"relative luminance"). Normal text needs at least 4.5:1; large text (>= 24 px, or >= 18.66 px
bold) 3:1. Plotly's own chart text (SVG) is left to the chart builders' colours and not checked.
"""

from __future__ import annotations

import pytest
from test_browser import Watched, _login, _switch, chromium_browser  # noqa: F401  (fixture)

#: Ratio of two colours, as the page computes it, checked here on the WCAG examples first.
MEASURE = """
() => {
  const lin = c => { c /= 255; return c <= 0.04045 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4); };
  const lum = rgb => 0.2126 * lin(rgb[0]) + 0.7152 * lin(rgb[1]) + 0.0722 * lin(rgb[2]);
  const parse = s => (s.match(/[\\d.]+/g) || []).map(Number);
  const ratio = (a, b) => { const x = lum(a), y = lum(b); return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05); };
  const background = el => {
    for (let e = el; e; e = e.parentElement) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c.length >= 3 && (c.length < 4 || c[3] > 0)) return c;
    }
    return [255, 255, 255];
  };
  const bad = [];
  for (const el of document.querySelectorAll('body *')) {
    if (el.closest('svg, .js-plotly-plot, [hidden], script, style')) continue;
    const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    if (!own) continue;
    const style = getComputedStyle(el);
    if (style.visibility === 'hidden' || style.display === 'none' || !el.getClientRects().length) continue;
    const size = parseFloat(style.fontSize), bold = parseInt(style.fontWeight) >= 700;
    const need = (size >= 24 || (bold && size >= 18.66)) ? 3 : 4.5;
    const r = ratio(parse(style.color), background(el));
    const text = el.textContent.trim().slice(0, 40);
    if (r < need) bad.push(`${el.tagName.toLowerCase()}.${el.className}: "${text}" ${r.toFixed(2)} < ${need}`);
  }
  return bad;
}
"""

PAGES = ["/", "/districts", "/enterprises", "/mrv", "/ledger", "/live", "/verify", "/brain", "/actions", "/login"]


def test_contrast_formula_on_the_wcag_examples(chromium_browser, live_url) -> None:  # noqa: F811
    """Black on white is 21:1, white on white 1:1, #767676 on white 4.54:1 (the lightest grey passing AA)."""
    page = chromium_browser.new_page()
    page.goto(f"{live_url}/login")
    ratio = page.evaluate(
        MEASURE.replace(
            "const bad = [];",
            "return [ratio([0,0,0],[255,255,255]), ratio([255,255,255],[255,255,255]),"
            " ratio([118,118,118],[255,255,255])];",
        )
    )
    assert ratio[0] == pytest.approx(21.0, rel=1e-9)
    assert ratio[1] == pytest.approx(1.0, rel=1e-9)
    assert ratio[2] == pytest.approx(4.54, abs=0.005)
    page.close()


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_page_has_readable_contrast(chromium_browser, live_url, demo_world, lang) -> None:  # noqa: F811
    context = chromium_browser.new_context(viewport={"width": 1280, "height": 900})
    watched = Watched(context, live_url)
    _login(watched, live_url, demo_world, "admin")
    _switch(watched, lang)
    failures: dict[str, list[str]] = {}
    for path in PAGES:
        watched.goto(live_url + path)
        bad = watched.page.evaluate(MEASURE)
        if bad:
            failures[path] = bad[:5]
    context.close()
    assert failures == {}, failures
