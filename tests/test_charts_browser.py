"""The HQ charts in Debian's Chromium, on a phone and on a desktop, under a policy with no
'unsafe-inline': nothing refused, no label outside its chart, no label over another or over a
bar. Screenshots are kept in the test's folder for a person to look at."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, Route

from . import chart_cases as cases

ORIGIN = "http://charts.test"
POLICY = "default-src 'none'; style-src 'self'; base-uri 'none'; frame-ancestors 'none'"
RECORD_VIOLATIONS = "window.violations = []; document.addEventListener('securitypolicyviolation', e => window.violations.push(e.violatedDirective));"
# For each chart: labels outside it, and pairs of labels (or a label and a bar) that overlap by
# more than a pixel each way. Slanted column labels are only checked against the chart's edges.
PROBLEMS = """
svg => {
  const box = svg.getBoundingClientRect(), found = [];
  const meets = (a, b) => Math.min(a.right, b.right) - Math.max(a.left, b.left) > 1 && Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 1;
  const all = [...svg.querySelectorAll('text')].map(t => ({t: t.textContent, r: t.getBoundingClientRect(), slanted: t.hasAttribute('transform')}));
  for (const {t, r} of all)
    if (r.left < box.left - 0.5 || r.right > box.right + 0.5 || r.top < box.top - 0.5 || r.bottom > box.bottom + 0.5) found.push('outside: ' + t);
  const level = all.filter(a => !a.slanted);
  level.forEach((a, i) => level.slice(i + 1).forEach(b => { if (meets(a.r, b.r)) found.push(a.t + ' over ' + b.t); }));
  for (const bar of svg.querySelectorAll('.bar'))
    for (const a of level) if (meets(a.r, bar.getBoundingClientRect())) found.push(a.t + ' over a bar');
  return found;
}
"""


def serve(route: Route) -> None:
    path = route.request.url.removeprefix(ORIGIN)
    if path == "/page.css":
        route.fulfill(body=cases.PAGE_CSS, content_type="text/css")
    elif path == "/styled":  # the control: an inline style attribute the policy must refuse
        route.fulfill(body='<!doctype html><svg><rect style="fill:red" width="9" height="9"/></svg>', content_type="text/html",
                      headers={"Content-Security-Policy": POLICY})
    else:
        route.fulfill(body=cases.page(css_href="/page.css"), content_type="text/html; charset=utf-8",
                      headers={"Content-Security-Policy": POLICY})


def problems(page: Page) -> dict[str, Any]:
    return {name: page.locator(f"#{name} svg").evaluate(PROBLEMS) for name in cases.all_charts()}


@pytest.mark.browser
def test_charts_read_on_a_phone_and_a_desktop(page: Page, tmp_path: Path) -> None:
    page.add_init_script(RECORD_VIOLATIONS)
    page.route(f"{ORIGIN}/**", serve)
    page.goto(f"{ORIGIN}/styled")
    assert page.evaluate("window.violations") == ["style-src-attr"], "the policy refuses inline styles here"

    page.goto(f"{ORIGIN}/")
    assert page.evaluate("window.violations") == []
    assert page.evaluate("document.fonts.check('12px \"Noto Sans CJK SC\"', '上海徐家汇店')")
    assert page.evaluate("document.documentElement.scrollWidth") <= 412, "nothing but the heatmap's own box scrolls sideways"
    assert problems(page) == {name: [] for name in cases.all_charts()}
    page.screenshot(path=str(tmp_path / "charts-phone.png"), full_page=True)

    page.set_viewport_size({"width": 1280, "height": 900})
    assert problems(page) == {name: [] for name in cases.all_charts()}
    page.screenshot(path=str(tmp_path / "charts-desktop.png"), full_page=True)
    for name in cases.all_charts():
        page.locator(f"#{name} svg").screenshot(path=str(tmp_path / f"chart-{name}.png"))
    print(f"screenshots: {tmp_path}")
