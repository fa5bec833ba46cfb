"""Browser tests of the static site: Debian's chromium driven by Playwright (from PyPI, pointed
at the system browser; Playwright's own browser download is never used).

Each test opens a site built from a frozen ledger, drives it as a reader would, saves
screenshots under its tmp folder, and fails on any console error or uncaught exception.
Without chromium the tests are skipped locally and fail under CI (``CI`` set).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pandas as pd
import pytest

from prodstats import site
from prodstats.build import build, compute, write_site
from tests.browser.hostile import hostile_ledger
from tests.conftest import mini_ledger

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "tests" / "fixtures" / "seed"
THREE = ROOT / "tests" / "fixtures" / "three_sources"
#: A hand-made outcomes table (the contract's columns) until the pipeline writes its own.
OUTCOMES = ROOT / "tests" / "fixtures" / "site" / "outcomes_seed.csv"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="session")
def browser():
    """One headless chromium for the session."""
    chromium = shutil.which("chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        chromium = None
    if not chromium:
        message = ("the browser tests need Debian's chromium (apt-get install -y chromium) and "
                   "playwright (make install)")
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    with sync_playwright() as pw:
        launched = pw.chromium.launch(executable_path=chromium, args=ARGS)
        yield launched
        launched.close()


def outcomes_fixture() -> pd.DataFrame:
    """The frozen outcomes frame, typed as the tracker's columns are."""
    return pd.read_csv(OUTCOMES, dtype={"said": str, "period": str, "base_period": str,
                                        "observed_period": str, "superseded_by": str})


@pytest.fixture(scope="session")
def seed_site(tmp_path_factory) -> tuple[Path, dict]:
    """The seed ledger's site, with the frozen outcomes table when the build has none."""
    folder = tmp_path_factory.mktemp("seed-site") / "site"
    folder.mkdir()
    result = compute(SEED)
    if "outcomes" not in result.tables:
        result.tables["outcomes"] = outcomes_fixture()
    write_site(result, folder, SEED)
    return folder, result.tables


@pytest.fixture(scope="session")
def three_site(tmp_path_factory) -> tuple[Path, dict]:
    """The three-source fixture's site, built as ``prodstats build --site`` builds it."""
    base = tmp_path_factory.mktemp("three-site")
    result = build(THREE, base / "out", draw=False, site=base / "site")
    return base / "site", result.tables


@pytest.fixture(scope="session")
def projected_site(tmp_path_factory) -> tuple[Path, dict]:
    """A series observed in six years, enough to project (five observed periods at least)."""
    return _mini_site(tmp_path_factory, "projected-site", [
        {"period": str(2019 + k), "value": str(v), "quote": f"{v} shells were made in "
                                                            f"{2019 + k}"}
        for k, v in enumerate((400, 520, 610, 700, 840, 900))])


@pytest.fixture(scope="session")
def conflict_site(tmp_path_factory) -> tuple[Path, dict]:
    """Three 2023 figures that contradict each other, one of them a floor ('more than')."""
    return _mini_site(tmp_path_factory, "conflict-site", [
        {"period": "2021", "value": "300000", "quote": "300,000 in 2021"},
        {"period": "2022", "value": "450000", "quote": "450,000 in 2022"},
        {"period": "2023", "value": "600000", "qualifier": "more_than", "derived": "false",
         "notes": "", "quote": "more than 600000 shells in 2023"},
        {"period": "2023", "value": "700000", "confidence": "unverified",
         "quote": "700,000 in 2023"},
        {"period": "2023", "value": "550000", "confidence": "unverified",
         "quote": "550,000 in 2023, said another"}])


@pytest.fixture(scope="session")
def ratio_site(tmp_path_factory) -> tuple[Path, dict]:
    """Levels of three years and a forecast 'to triple by 2025 compared with 2021', no index."""
    return _mini_site(tmp_path_factory, "ratio-site", [
        {"period": "2021", "value": "300000", "qualifier": "about", "value_low": "270000",
         "value_high": "330000", "quote": "about 300,000 in 2021"},
        {"period": "2022", "value": "450000", "quote": "450,000 in 2022"},
        {"period": "2023", "value": "600000", "quote": "600,000 in 2023"},
        {"kind": "ratio", "modality": "expected", "period": "2025", "value": "3",
         "unit": "dimensionless", "base_period": "2021",
         "quote": "output is expected to triple by 2025 compared with 2021"}])


def _mini_site(tmp_path_factory, name: str, claims: list[dict]) -> tuple[Path, dict]:
    """The site of a small ledger of ``claims`` (tests.conftest.mini_ledger), as
    ``prodstats build --site`` builds it.
    """
    base = tmp_path_factory.mktemp(name)
    raw = mini_ledger(base / "raw", claims)
    result = build(raw, base / "out", draw=False, site=base / "site")
    return base / "site", result.tables


@pytest.fixture(scope="session")
def hostile_site(tmp_path_factory) -> tuple[Path, dict]:
    """A ledger whose new source holds markup and script in its text, quote and speaker."""
    base = tmp_path_factory.mktemp("hostile-site")
    raw = hostile_ledger(base / "raw")
    result = build(raw, base / "out", draw=False, site=base / "site")
    return base / "site", result.tables


@pytest.fixture(scope="session")
def bare_site(tmp_path_factory) -> Path:
    """The seed's site from tables without outcomes and without the contract's new columns."""
    folder = tmp_path_factory.mktemp("bare-site") / "site"
    folder.mkdir()
    result = compute(SEED)
    result.tables.pop("outcomes", None)
    for name in ("claims", "series"):
        result.tables[name] = result.tables[name].drop(columns=["value_basis", "same_as"],
                                                       errors="ignore")
    site.write_site(result.tables, result.ledger, folder)
    return folder


@pytest.fixture(scope="session")
def contract_site(tmp_path_factory) -> tuple[Path, dict]:
    """The seed's site as the forward-statement model (issue 18) shapes its tables: series of
    observations only, forward statements in the outcomes table.
    """
    folder = tmp_path_factory.mktemp("contract-site") / "site"
    folder.mkdir()
    result = compute(SEED)
    series = result.tables["series"]
    result.tables["series"] = series[series["modality"].isin(["actual", "estimate"])]
    result.tables["outcomes"] = outcomes_fixture()
    site.write_site(result.tables, result.ledger, folder)
    return folder, result.tables


class Reader:
    """A page of a site, and every console error and uncaught exception it has shown."""

    def __init__(self, browser, folder: Path, shots: Path, width: int = 1280):
        self.folder, self.shots, self.width = folder, shots, width
        self.context = browser.new_context(viewport={"width": width, "height": 900},
                                           accept_downloads=True)
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error"
                     else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))

    def open(self, hash_: str = "") -> None:
        """Open the site's page at ``#hash_`` and wait until it has drawn."""
        self.page.goto(self.url(hash_))
        self.page.wait_for_selector("body[data-ready]")

    def url(self, hash_: str = "") -> str:
        return (self.folder / "index.html").as_uri() + (f"#{hash_}" if hash_ else "")

    def shot(self, name: str) -> Path:
        path = self.shots / f"{name}-{self.width}.png"
        self.page.screenshot(path=str(path), full_page=False)
        return path

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def reader(browser, tmp_path):
    """Open sites in a fresh browser context; fail on any console error at the end."""
    readers: list[Reader] = []

    def make(folder: Path, width: int = 1280) -> Reader:
        made = Reader(browser, folder, tmp_path, width)
        readers.append(made)
        return made

    yield make
    errors = [e for r in readers for e in r.errors]
    for made in readers:
        made.close()
    assert errors == [], f"console errors: {errors}"
