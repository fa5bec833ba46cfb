"""A ledger with a hostile source: its text, quote, speaker and outlet hold HTML and script.

The page must show every one of them as text: no script runs, no element is made from them.
"""

from __future__ import annotations

import csv
import hashlib
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
THREE = ROOT / "tests" / "fixtures" / "three_sources"
SID = "hostile-2025-html"
QUOTE = ('<img src=x onerror="window.PWNED=1">Die Fabrik <script>window.PWNED=2</script>'
         'stellte 2024 rund 1.200 Drohnen her')
TEXT = ("Kiew (hostile) - Ein Test mit Markup im Text: <b>fett</b>, <a href=\"javascript:"
        "window.PWNED=3\">Link</a>.\n\n" + QUOTE + ", teilte das Werk mit.\n")
SPEAKER = '<script>window.PWNED=4</script>Werksleiter'
OUTLET = '<img src=y onerror="window.PWNED=5">Hostile Post'


def hostile_ledger(dest: Path) -> Path:
    """The three-source fixture plus the hostile source and one claim quoting it."""
    shutil.copytree(THREE, dest)
    text = TEXT.encode("utf-8")
    (dest / "texts" / f"{SID}.txt").write_bytes(text)
    _append(dest / "sources.csv", {
        "source_id": SID, "outlet": OUTLET, "title": "<svg onload=window.PWNED=6>Hostile",
        "title_origin": "descriptive", "language": "de", "published": "2025-02-01",
        "published_precision": "day", "published_basis": "stated",
        "text_file": f"texts/{SID}.txt", "sha256": hashlib.sha256(text).hexdigest()})
    _append(dest / "claims.csv", {
        "claim_id": "hos25-01", "source_id": SID, "quote": QUOTE,
        "quote_en": "<i>The plant</i> made about 1,200 drones in 2024",
        "speaker": SPEAKER, "channel": "statement", "actor": "UKR",
        "indicator": "long_range_drones_produced", "kind": "level", "modality": "actual",
        "period": "2024", "value": "1200", "unit": "drones", "qualifier": "about",
        "confidence": "unverified", "confidence_reason": "<u>test</u>",
        "notes": "a hostile quote: markup and script must stay text"})
    return dest


def _append(path: Path, cells: dict[str, str]) -> None:
    with path.open(encoding="utf-8", newline="") as handle:
        header = next(csv.reader(handle))
    row = dict.fromkeys(header, "")
    row.update(cells)
    with path.open("a", encoding="utf-8", newline="") as handle:
        csv.DictWriter(handle, header, lineterminator="\n").writerow(row)
