"""Where the project's folders are. Every default path of prodstats comes from here."""

from __future__ import annotations

from pathlib import Path

#: The checkout: the folder that holds ``pyproject.toml``, ``data/`` and ``docs/``.
PROJECT_ROOT = Path(__file__).resolve().parent.parent
#: The ledger, edited by people only.
RAW = PROJECT_ROOT / "data" / "raw"
#: The published CSVs and ``datapackage.json``, rebuilt by ``make``.
PROCESSED = PROJECT_ROOT / "data" / "processed"
#: The charts and their page, rebuilt by ``make``.
CHARTS = PROJECT_ROOT / "docs" / "charts"
