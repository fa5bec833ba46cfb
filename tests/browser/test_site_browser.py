"""The static site in a real browser: every view, filter, search, hover, link and download."""

from __future__ import annotations

import csv
import functools
import http.server
import io
import math
import threading
import time
import unicodedata
from pathlib import Path
from urllib.parse import parse_qs

import pandas as pd
import pytest

from tests.browser.conftest import SEED
from tests.browser.hostile import OUTLET, QUOTE, SPEAKER, TEXT

VIEWS = ["tracker", "series", "claims", "sources", "downloads"]


def fold(text: object) -> str:
    """The page's search folding: accents dropped, lower case."""
    text = unicodedata.normalize("NFD", "" if pd.isna(text) else str(text))
    return "".join(c for c in text if not unicodedata.category(c).startswith("M")).lower()


def row_count(page, table: str) -> int:
    """The number of rows a table reports (all pages, filters applied)."""
    text = page.locator(f"#{table} .count").inner_text()
    return int(text.split()[0].replace(",", ""))


def wait_until(page, expression: str, seconds: float = 10) -> None:
    """Poll a JavaScript expression until it is true.

    Playwright's wait_for_function evaluates its text with eval, which the page's
    Content-Security-Policy forbids.
    """
    end = time.monotonic() + seconds
    while not page.evaluate(expression):
        assert time.monotonic() < end, f"still false after {seconds} s: {expression}"
        page.wait_for_timeout(25)


def hash_params(page) -> dict[str, str]:
    fragment = page.url.split("#", 1)[1]
    query = fragment.split("?", 1)[1] if "?" in fragment else ""
    return {k: v[0] for k, v in parse_qs(query).items()}


def downloaded_rows(page, button) -> list[dict[str, str]]:
    with page.expect_download() as info:
        button.click()
    path = info.value.path()
    with Path(path).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def same_number(cell: str, value: object) -> bool:
    if pd.isna(value):
        return cell == ""
    return math.isclose(float(cell), float(value), rel_tol=1e-9)


# ------------------------------------------------------------------------------ every view

@pytest.mark.parametrize("width", [1280, 360])
@pytest.mark.parametrize("which", ["seed_site", "three_site", "hostile_site"])
def test_every_view_draws_at_desktop_and_phone_width(which, width, reader, request):
    folder, tables = request.getfixturevalue(which)
    r = reader(folder, width)
    for view in VIEWS:
        r.open(view)
        assert r.page.locator("main").get_attribute("data-view") == view
        assert r.page.locator(f'nav a[data-view="{view}"]').get_attribute("aria-current") \
            == "page"
        r.shot(view)
        # nothing wider than the window: the page scrolls only inside its tables
        overflow = r.page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{view} is {overflow} px wider than {width} px"
    r.open("claims")
    assert row_count(r.page, "claims-table") == len(tables["claims"])
    r.open("sources")
    assert row_count(r.page, "sources-table") == len(tables["sources"])
    r.open("series")
    assert r.page.locator("#series-chart svg").count() >= 1
    summary = r.page.locator("#chart-summary").inner_text()
    assert "observed point" in summary  # the chart's text alternative
    r.open("downloads")
    links = r.page.locator("main a[download]")
    names = {links.nth(i).inner_text() for i in range(links.count())}
    assert names == {f"{name}.csv" for name in tables} | {"datapackage.json"}
    for name in names:
        assert (folder / "downloads" / name).is_file()


def test_navigation_by_keyboard_alone(seed_site, reader):
    folder, tables = seed_site
    r = reader(folder)
    r.open()
    r.page.keyboard.press("Tab")
    assert r.page.evaluate("document.activeElement.id") == "skip"
    for _ in range(3):  # skip link, Promises, Series, Claims
        r.page.keyboard.press("Tab")
    assert r.page.evaluate("document.activeElement.dataset.view") == "claims"
    outline = r.page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("", "none")  # the focus is visible
    r.page.keyboard.press("Enter")
    r.page.wait_for_selector("#claims-table")
    assert r.page.locator("main").get_attribute("data-view") == "claims"
    # sort by a column with the keyboard; the focus stays on its button
    r.page.locator('#claims-table [data-sort="period"]').focus()
    r.page.keyboard.press("Enter")
    assert r.page.evaluate("document.activeElement.dataset.sort") == "period"
    assert hash_params(r.page)["sort"] == "period"
    first = r.page.locator("#claims-table tbody tr").first.get_attribute("data-id")
    earliest = tables["claims"].assign(p=tables["claims"]["period"].astype(str)) \
        .sort_values("p", kind="stable")["p"].iloc[0]
    assert str(tables["claims"].set_index("claim_id").loc[first, "period"]) == earliest


def test_the_same_page_works_from_a_static_web_server(seed_site, reader):
    folder, tables = seed_site
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        r = reader(folder)
        base = f"http://127.0.0.1:{server.server_address[1]}/index.html"
        r.page.goto(f"{base}#claims")
        r.page.wait_for_selector("body[data-ready]")
        assert row_count(r.page, "claims-table") == len(tables["claims"])
        claim = tables["claims"].iloc[0]
        r.page.goto(f"{base}#sources?id={claim['source_id']}&claim={claim['claim_id']}")
        r.page.wait_for_selector("mark.quote.current")
        r.page.goto(f"{base}#series")
        r.page.wait_for_selector("#series-chart svg")
    finally:
        server.shutdown()
        server.server_close()


# ------------------------------------------------------------------------------ promises

def test_tracker_filters_sorts_and_downloads(seed_site, reader):
    folder, tables = seed_site
    outcomes = tables["outcomes"]
    r = reader(folder)
    r.open("tracker")
    assert row_count(r.page, "tracker-table") == len(outcomes)
    status = outcomes["status"].value_counts().index[0]
    r.page.select_option("#tracker-status", status)
    wait_until(r.page, f"location.hash.includes('status={status}')")
    wanted = outcomes[outcomes["status"] == status]
    assert row_count(r.page, "tracker-table") == len(wanted)
    badges = r.page.locator("#tracker-table tbody .badge")
    assert {badges.nth(i).inner_text() for i in range(badges.count())} == {status}
    actor = wanted["actor"].iloc[0]
    r.page.select_option("#tracker-actor", actor)
    wanted = wanted[wanted["actor"] == actor]
    assert row_count(r.page, "tracker-table") == len(wanted)
    r.page.click('#tracker-table [data-sort="value"]')
    r.page.click('#tracker-table [data-sort="value"]')  # descending
    ids = r.page.locator("#tracker-table tbody tr")
    shown = [ids.nth(i).get_attribute("data-id") for i in range(ids.count())]
    assert shown == wanted.sort_values("value", ascending=False, kind="stable")[
        "statement_id"].tolist()
    r.shot("tracker-filtered")
    rows = downloaded_rows(r.page, r.page.locator("#tracker-table button.download"))
    assert [row["statement_id"] for row in rows] == shown
    by_id = wanted.set_index("statement_id")
    for row in rows:
        assert list(row) == list(outcomes.columns)
        assert row["status"] == status and row["actor"] == actor
        assert same_number(row["value"], by_id.loc[row["statement_id"], "value"])


def test_views_say_what_a_build_lacks(bare_site, reader):
    r = reader(bare_site)
    r.open("tracker")
    note = r.page.locator("main .missing").inner_text()
    assert "no outcomes table (outcomes.csv)" in note
    r.open("claims")
    assert "has no value_basis or same_as column" in r.page.locator("main").inner_text()
    r.open("series")
    assert "has no value_basis column" in r.page.locator("main").inner_text()
    r.shot("tracker-missing")


# ------------------------------------------------------------------------------ series

def _observed_series(tables) -> tuple[str, str, str, pd.DataFrame]:
    """The series with the most observed points that have claims of their own."""
    series = tables["series"]
    own = series[(series["scenario"] == "all") & series["claim_ids"].fillna("").ne("")
                 & series["modality"].isin(["actual", "estimate"])]
    key = own.groupby(["actor", "indicator", "measure"]).size().idxmax()
    return (*key, series)


def test_series_hover_shows_the_quote_and_switches_work(three_site, reader):
    folder, tables = three_site
    actor, indicator, measure, series = _observed_series(tables)
    claims = tables["claims"].set_index("claim_id")
    r = reader(folder)
    r.open(f"series?actor={actor}&indicator={indicator}&measure={measure}")
    rows = series[(series["actor"] == actor) & (series["indicator"] == indicator)
                  & (series["measure"] == measure) & (series["scenario"] == "all")]
    reading = r.page.evaluate("new URLSearchParams(location.hash.split('?')[1]).get('reading')")
    if reading:
        rows = rows[rows["reading"] == reading]
    assert row_count(r.page, "series-table") == len(rows)
    # hover every drawn point of the first dot layer: each shows a figure and, when it rests
    # on claims, their quotes, speakers and outlets
    dots = r.page.locator('#series-chart g[aria-label="dot"]').first.locator("circle, path")
    assert dots.count() >= 2
    quotes = {c: claims.loc[c, "quote"] for ids in rows["claim_ids"].dropna()
              for c in ids.split(";") if c}
    seen = set()
    for i in range(dots.count()):
        box = dots.nth(i).bounding_box()
        r.page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        wait_until(r.page, "document.querySelector('#point-detail dl') !== null")
        detail = r.page.locator("#point-detail")
        shown = detail.locator("blockquote.q")
        for j in range(shown.count()):
            seen.add(shown.nth(j).inner_text())
        assert "Figure" in detail.inner_text()
        assert "Confidence" in detail.inner_text()
    assert seen and seen <= set(quotes.values())
    r.shot("series-hover")
    first = detail.locator("blockquote.q").first.inner_text()
    claim = next(c for c, q in quotes.items() if q == first)
    text = detail.inner_text()
    assert claims.loc[claim, "outlet" if "outlet" in claims else "source_id"] in text or \
        tables["sources"].set_index("source_id").loc[claims.loc[claim, "source_id"],
                                                      "outlet"] in text
    if isinstance(claims.loc[claim, "quote_en"], str):
        assert claims.loc[claim, "quote_en"] in text
    # the keyboard steps through the points in time order (the mouse out of the way)
    r.page.mouse.move(1, 1)
    r.page.locator("#series-chart").focus()
    r.page.keyboard.press("Home")
    earliest = rows.sort_values("t", kind="stable").iloc[0]
    assert f"Period\n{earliest['period']}" in r.page.locator("#point-detail dl").first \
        .inner_text().replace("\t", "\n")
    # scenario and log scale are switches held in the link
    r.page.check('input[name="scenario"][value="no_unverified"]')
    wait_until(r.page, "location.hash.includes('scenario=no_unverified')")
    strict = series[(series["actor"] == actor) & (series["indicator"] == indicator)
                    & (series["measure"] == measure) & (series["scenario"] == "no_unverified")]
    if reading:
        strict = strict[strict["reading"] == reading]
    assert row_count(r.page, "series-table") == len(strict)
    r.page.check("#series-log")
    wait_until(r.page, "location.hash.includes('log=1')")
    assert r.page.locator("#series-chart svg").count() >= 1
    r.shot("series-log")


def test_claims_that_contradict_each_other_break_the_line_and_a_floor_has_its_arrow(
        conflict_site, reader):
    """Found by a new user: the site ran one line through three contradicting 2023 figures
    in storage order and called one of them 'the latest'; 'more than 600,000' was a dot.
    """
    folder, _ = conflict_site
    r = reader(folder)
    r.open("series?actor=UKR&indicator=shells_produced&measure=level")
    summary = r.page.locator("#chart-summary").inner_text()
    assert "the latest, 2023: 3 claims that differ, 550,000–700,000 rounds/year" in summary
    line = r.page.locator('#series-chart g[aria-label="line"] path').first.get_attribute("d")
    assert line.count("M") == 1 and line.count("L") == 1  # 2021 to 2022 only; 2023 is a gap
    arrows = _chart_texts(r)
    assert arrows.count("↑") == 1
    r.shot("series-conflict")


def test_a_capacity_goal_stands_beside_the_output_it_bounds(three_site, reader):
    """Found by a new user: the PNG drew 'capacity 100,000, due end of 2027' on Nexter's
    output chart; the site's output chart did not.
    """
    folder, _ = three_site
    r = reader(folder)
    r.open("series?actor=nexter_munitions&indicator=shells_produced&measure=level")
    labels = _chart_texts(r)
    assert "capacity target: pending" in labels
    r.shot("series-capacity")


def test_a_forecast_ratio_stands_on_the_level_chart_through_its_base(ratio_site, reader):
    """Found by a new user: 'triple by 2025 compared with 2021', on a series of levels with
    no index, was on no chart. It stands at its due date at 3 × the 2021 level, with the
    base's bounds as its range, and says how it was placed.
    """
    folder, _ = ratio_site
    r = reader(folder)
    r.open("series?actor=UKR&indicator=shells_produced&measure=level")
    labels = _chart_texts(r)
    assert "expected: pending" in labels
    r.page.locator("#series-chart").focus()
    r.page.keyboard.press("End")  # the last point in time: the forecast, due end of 2025
    detail = r.page.locator("#point-detail").inner_text()
    assert "Forward statement" in detail
    assert "900,000 (810,000–990,000) rounds/year" in detail
    assert "expected ratio 3 × level of 2021" in detail
    r.shot("series-ratio-on-level")


def test_series_draws_the_projection_intervals(projected_site, reader):
    folder, tables = projected_site
    proj = tables["projections"]
    drawn = proj[(proj["method"] != "skipped") & proj["mean"].notna()
                 & (proj["scenario"] == "all")]
    assert not drawn.empty, "the fixture must have a projection"
    first = drawn.iloc[0]
    r = reader(folder)
    r.open(f"series?actor={first['actor']}&indicator={first['indicator']}"
           f"&measure={first['measure']}&reading={first['reading']}")
    areas = r.page.locator('#series-chart g[aria-label="area"] path')
    assert areas.count() == 2  # the 80 % and the 95 % interval
    summary = r.page.locator("#chart-summary").inner_text()
    assert "80 % interval" in summary and "95 %" in summary
    # the axis, rounded up to 1.6k, holds the 95 % interval (to 1,570): nothing is cut, and
    # the summary must not say it is (it did, measuring the top before rounding)
    ticks = _chart_texts(r, "y-axis tick label")
    top = max(float(t.replace("k", "")) * 1000 for t in ticks)
    assert drawn[drawn["period"] == drawn["period"].max()]["pi95_high"].max() < top
    assert "beyond the top" not in summary
    r.shot("series-projection")


def test_forward_statements_come_from_the_tracker_with_their_status(contract_site, reader):
    folder, tables = contract_site
    outcomes = tables["outcomes"]
    forecast = outcomes[outcomes["unit"] == "dimensionless"].iloc[0]
    r = reader(folder)
    r.open(f"series?actor={forecast['actor']}&indicator={forecast['indicator']}&measure=index"
           f"&reading={forecast['statement_id']}:base={forecast['base_period']}")
    labels = _chart_texts(r)
    assert f"{forecast['modality']}: {forecast['status']}" in labels
    assert "1 forward statement" in r.page.locator("#chart-summary").inner_text()
    r.shot("series-contract")
    # a series with forward statements only has no chart: its claims say so
    level = outcomes[(outcomes["unit"] != "dimensionless") & outcomes["current"]].iloc[0]
    r.open(f"series?actor={level['actor']}&indicator={level['indicator']}&measure=level")
    assert "There is no series of" in r.page.locator("main .missing").inner_text()


# ------------------------------------------------------------------------------ claims

def test_claims_search_filters_sort_and_download(seed_site, reader):
    folder, tables = seed_site
    claims = tables["claims"]
    outlets = tables["sources"].set_index("source_id")["outlet"]
    r = reader(folder)
    r.open("claims")
    r.page.fill("#claims-q", "Drohnen")
    wait_until(r.page, "location.hash.includes('q=Drohnen')")
    hay = claims.apply(lambda c: fold(" ".join(str(v) for v in (
        c["claim_id"], c["quote"], c["quote_en"], c["speaker"], c["speaker_role"],
        outlets[c["source_id"]], c["source_id"]) if not pd.isna(v))), axis=1)
    wanted = claims[hay.str.contains("drohnen", regex=False)]
    assert 0 < len(wanted) < len(claims)
    assert row_count(r.page, "claims-table") == len(wanted)
    # a search by speaker, folded ('smetanin' finds 'Smetanin')
    r.page.fill("#claims-q", "smetanin")
    wait_until(r.page, "location.hash.includes('q=smetanin')")
    assert row_count(r.page, "claims-table") == int(hay.str.contains("smetanin").sum())
    r.page.fill("#claims-q", "")
    wait_until(r.page, "!location.hash.includes('q=')")
    for key, column in (("actor", "actor"), ("modality", "modality"),
                        ("confidence", "confidence"), ("source_id", "source_id"),
                        ("indicator", "indicator")):
        value = claims[column].value_counts().index[0]
        r.page.select_option(f"#claims-{key}", value)
        assert row_count(r.page, "claims-table") == int((claims[column] == value).sum())
        r.page.select_option(f"#claims-{key}", "")
    # a claim links to its series only where the build has that series
    series = tables["series"]
    keys = set(zip(series["actor"], series["indicator"], series["measure"], strict=True))
    linked = set(r.page.locator("#claims-table tr:has(a.to-series)").evaluate_all(
        "rows => rows.map(r => r.dataset.id)"))
    measure = claims["kind"].replace({"ratio": "index"})
    assert linked == {c for c, a, i, m in zip(claims["claim_id"], claims["actor"],
                                              claims["indicator"], measure, strict=True)
                      if (a, i, m) in keys}
    r.page.select_option("#claims-actor", "UKR")
    r.page.select_option("#claims-confidence", "official")
    wanted = claims[(claims["actor"] == "UKR") & (claims["confidence"] == "official")]
    r.page.click('#claims-table [data-sort="value"]')
    assert row_count(r.page, "claims-table") == len(wanted)
    rows = downloaded_rows(r.page, r.page.locator("#claims-table button.download"))
    published = pd.read_csv(folder / "downloads" / "claims.csv", dtype=str,
                            keep_default_na=False).set_index("claim_id")
    assert sorted(row["claim_id"] for row in rows) == sorted(wanted["claim_id"])
    values = [float(row["value"]) for row in rows if row["value"]]
    assert values == sorted(values)
    for row in rows:  # the published row, cell for cell (numbers to 12 digits)
        mine = published.loc[row["claim_id"]]
        for column, cell in row.items():
            if column in mine.index and column not in (
                    "period_start", "period_end", "period_years", "canonical_unit",
                    "value_canonical", "low_canonical", "high_canonical"):
                want = mine[column]
                if want and cell and want.replace(".", "", 1).lstrip("-").isdigit():
                    assert math.isclose(float(cell), float(want), rel_tol=1e-11), column
                elif want in ("True", "False"):
                    assert cell == want.lower(), column
                else:
                    assert cell == want, (column, cell, want)
    r.shot("claims-filtered")


def test_a_copied_link_opens_the_same_view(seed_site, reader):
    folder, _ = seed_site
    r = reader(folder)
    r.open("claims")
    r.page.fill("#claims-q", "Produktion")
    wait_until(r.page, "location.hash.includes('q=Produktion')")
    r.page.select_option("#claims-actor", "UKR")
    r.page.click('#claims-table [data-sort="period"]')
    r.page.click('#claims-table [data-sort="period"]')
    link = r.page.url
    count = row_count(r.page, "claims-table")
    order = r.page.locator("#claims-table tbody tr").evaluate_all(
        "rows => rows.map(r => r.dataset.id)")
    other = reader(folder)
    other.page.goto(link)
    other.page.wait_for_selector("body[data-ready]")
    assert row_count(other.page, "claims-table") == count
    assert other.page.input_value("#claims-q") == "Produktion"
    assert other.page.input_value("#claims-actor") == "UKR"
    assert other.page.locator("#claims-table tbody tr").evaluate_all(
        "rows => rows.map(r => r.dataset.id)") == order
    assert other.page.locator('th[aria-sort="descending"] [data-sort="period"]').count() == 1
    # a series view with its switches
    r.open("series")
    r.page.check('input[name="scenario"][value="no_unverified"]')
    wait_until(r.page, "location.hash.includes('scenario=no_unverified')")
    before = r.page.input_value("#series-pick")
    r.page.select_option("#series-pick", index=1 if r.page.evaluate(
        "document.querySelector('#series-pick').selectedIndex") != 1 else 0)
    wait_until(r.page, f"document.querySelector('#series-pick').value !== {before!r}")
    link = r.page.url
    other.page.goto(link)
    other.page.wait_for_selector("#series-chart svg")
    assert other.page.input_value("#series-pick") == r.page.input_value("#series-pick")
    assert other.page.is_checked('input[name="scenario"][value="no_unverified"]')


def test_a_claim_leads_to_its_highlighted_sentence(three_site, reader):
    folder, tables = three_site
    claims = tables["claims"]
    claim = claims[claims["source_id"].str.startswith("examplenews")].iloc[0]
    r = reader(folder)
    r.open(f"claims?q={claim['claim_id']}")
    row = r.page.locator(f'#claims-table tr[data-id="{claim["claim_id"]}"]')
    row.locator("a.to-source").click()
    r.page.wait_for_selector("mark.quote.current")
    mark = r.page.locator(f"#q-{claim['claim_id']}")
    assert " ".join(mark.inner_text().split()) in " ".join(claim["quote"].split())
    assert r.page.evaluate("document.activeElement.id") == f"q-{claim['claim_id']}"
    # every claim of the source is highlighted and linked back to its claim
    tags = r.page.locator("#source-text a.tag").evaluate_all("a => a.map(x => x.dataset.claim)")
    assert set(tags) == set(claims.loc[claims["source_id"] == claim["source_id"], "claim_id"])
    r.shot("source-claim")
    # and back: the tag opens the claims view on that claim
    r.page.locator(f'#source-text a.tag[data-claim="{claim["claim_id"]}"]').click()
    r.page.wait_for_selector(f'#claims-table tr[data-id="{claim["claim_id"]}"]')
    assert row_count(r.page, "claims-table") == 1
    assert hash_params(r.page) == {"id": claim["claim_id"]}
    assert r.page.locator("#claims-one").inner_text().startswith(
        f"Showing claim {claim['claim_id']} only.")
    # the series link of a claim opens its series
    r.page.locator(f'#claims-table tr[data-id="{claim["claim_id"]}"] a.to-series').click()
    r.page.wait_for_selector("#series-chart svg")
    assert hash_params(r.page)["indicator"] == claim["indicator"]


def test_skipped_figures_are_marked_with_their_reason(seed_site, reader):
    folder, _ = seed_site
    skips = list(csv.DictReader(io.StringIO((SEED / "skipped.csv").read_text("utf-8"))))
    skip = skips[0]
    r = reader(folder)
    r.open(f"sources?id={skip['source_id']}")
    r.page.wait_for_selector("mark.skip")
    marked = r.page.locator("mark.skip").evaluate_all(
        "m => m.map(x => [x.textContent, x.title])")
    assert [skip["span"], f"skipped: {skip['reason']}"] in marked
    assert f"[skipped: {skip['reason']}]" in r.page.locator("#source-text").inner_text()
    meta = r.page.locator("dl.meta").inner_text()
    assert "published" in meta


# ------------------------------------------------------------------------------ hostile text

def test_a_hostile_quote_stays_text(hostile_site, reader):
    folder, _ = hostile_site
    r = reader(folder)
    for hash_ in ("claims?q=hos25", "sources?id=hostile-2025-html&claim=hos25-01",
                  "series?actor=UKR&indicator=long_range_drones_produced&measure=level",
                  "sources", "tracker", "downloads"):
        r.open(hash_)
        r.page.wait_for_timeout(100)
        assert r.page.evaluate("window.PWNED") is None, hash_
        # no element made from the data: no img, no inline script, no b, no svg with onload
        assert r.page.locator("main img, main script, main b, main i, main u").count() == 0
        assert r.page.evaluate(
            "[...document.querySelectorAll('main *')].filter(e => "
            "[...e.attributes].some(a => a.name.startsWith('on'))).length") == 0
    r.open("claims?q=hos25")
    cell = r.page.locator('#claims-table tr[data-id="hos25-01"]')
    assert cell.locator("span.q").inner_text() == QUOTE
    assert SPEAKER in cell.inner_text()
    assert OUTLET in cell.inner_text()
    r.open("sources?id=hostile-2025-html&claim=hos25-01")
    r.page.wait_for_selector("mark.quote.current")
    assert r.page.locator("#source-text").evaluate("e => e.textContent").startswith(
        TEXT.split(QUOTE)[0])
    assert r.page.locator("mark.quote.current").inner_text() == QUOTE
    r.shot("hostile-source")
    r.open("series?actor=UKR&indicator=long_range_drones_produced&measure=level")
    dots = r.page.locator('#series-chart g[aria-label="dot"]').first.locator("circle, path")
    for i in range(dots.count()):
        box = dots.nth(i).bounding_box()
        r.page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        if QUOTE in r.page.locator("#point-detail").inner_text():
            break
    assert r.page.locator("#point-detail blockquote.q").first.inner_text() == QUOTE
    assert r.page.evaluate("window.PWNED") is None
    r.shot("hostile-hover")


def test_figures_read_as_the_text_gives_them(seed_site, reader):
    """A scale word is its range, an open bound keeps its hedge, a ratio names its base: the
    site never shows a value nobody said ('dozens' as 49, 'more than 250' as 250).
    """
    folder, _ = seed_site
    r = reader(folder)
    r.open("claims")
    cells = r.page.locator("#claims-table td[data-label=Figure]").all_inner_texts()
    assert "dozens (24–99) contracts" in cells
    assert "more than 250 firms" in cells
    assert "3 × 2022" in cells
    r.open("promises")
    promised = r.page.locator("td[data-label=Promised]").all_inner_texts()
    assert "more than 3,000,000,000 USD/year" in promised  # the hedge said: outcomes.qualifier


def test_a_status_on_an_unverified_observation_says_so(seed_site, reader):
    folder, _ = seed_site
    r = reader(folder)
    r.open("promises")
    statuses = r.page.locator("td[data-label=Status]").all_inner_texts()
    assert "met on an unverified observation" in statuses  # the seed's 'sixfold by 2024'
    assert "pending" in statuses


def _chart_texts(r, mark: str = "text") -> list[str]:
    """The texts of one kind of mark of the series chart, as drawn (Plot's aria-label)."""
    return r.page.locator(f'#series-chart g[aria-label="{mark}"] text').evaluate_all(
        "texts => texts.map(t => t.textContent)")
