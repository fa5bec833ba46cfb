"""Large inputs end to end: add-source, uncoded and validate at their limits.

`add-source` and `uncoded` of a text just under the 5 MB limit (about 250,000 figures), and
`validate` of one chain of 3,000 and 20,000 revisions. Prints one line per case with its time;
the last line is JSON. Run with: python benchmarks/large_inputs.py
"""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "tests" / "fixtures" / "seed"


def timed(*args: str) -> tuple[float, int]:
    """Run the command line; its wall time and exit status."""
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "prodstats", *args], cwd=ROOT,
                          capture_output=True, text=True, check=False)
    return time.perf_counter() - start, done.returncode


def large_text(folder: Path) -> Path:
    """About 4.9 MB of English prose with a figure every few words."""
    line = ("The plant made 1,200 shells in 2023 and plans 3,400 more, officials said; "
            "output rose by 15 percent.\n")
    path = folder / "large.txt"
    path.write_text(line * (4_900_000 // len(line)), encoding="utf-8")
    return path


def revision_chain(raw: Path, length: int) -> None:
    """Append one chain of ``length`` claims, each superseding the one before."""
    path = raw / "claims.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        header, rows = list(reader.fieldnames or []), list(reader)
    first = next(r for r in rows if r["modality"] == "target")
    chain = []
    for k in range(length):
        row = dict(first, claim_id=f"chain-{k:05d}", supersedes=f"chain-{k - 1:05d}" if k else "")
        if "same_as" in row:
            row["same_as"] = ""
        chain.append(row)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, header, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows + chain)


def main() -> None:
    """Measure each case and print it."""
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        raw = folder / "raw"
        shutil.copytree(SEED, raw)
        text = large_text(folder)
        seconds, status = timed("add-source", str(text), "--id", "large-2024", "--outlet", "X",
                                "--published", "2024-01-02", "--title", "Large", "--raw",
                                str(raw))
        results["add_source_4_9MB_s"] = round(seconds, 1)
        print(f"add-source of a {text.stat().st_size:,}-byte text: {seconds:.1f} s "
              f"(status {status})")
        seconds, status = timed("uncoded", str(raw))
        results["uncoded_4_9MB_s"] = round(seconds, 1)
        print(f"uncoded of the same ledger: {seconds:.1f} s (status {status})")
        for length in (3_000, 20_000):
            chained = folder / f"chain{length}"
            shutil.copytree(SEED, chained)
            revision_chain(chained, length)
            seconds, status = timed("validate", str(chained))
            results[f"validate_chain_{length}_s"] = round(seconds, 1)
            print(f"validate of one chain of {length:,} revisions: {seconds:.1f} s "
                  f"(status {status})")
    print(json.dumps(results))


if __name__ == "__main__":
    main()
