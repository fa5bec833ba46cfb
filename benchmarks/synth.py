"""A synthetic ledger generator: N valid claims across many sources and indicators.

The mix follows what hand-coding produces: mostly levels, some ratios (a few with ambiguous bases)
and shares; amounts, per-year and per-month rates and percentages; every qualifier; all four
confidence levels. Each source text is made of the quotes of its claims with filler between them,
so every quote is found verbatim and every hash matches.

    python benchmarks/synth.py OUT_DIR N [--seed S] [--per-source K]
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import shutil
from pathlib import Path

import numpy as np

from prodstats.schemas import CLAIM_COLUMNS, SOURCE_COLUMNS

ROOT = Path(__file__).resolve().parent.parent

# (indicator, kind, units to draw from, typical value)
LEVELS = [
    ("shells_produced", ["rounds", "rounds/year", "rounds/month"], 2e6),
    ("drone_munitions_produced", ["rounds", "rounds/month"], 1e6),
    ("missiles_produced", ["missiles", "missiles/year"], 3e3),
    ("long_range_drones_produced", ["drones", "drones/month"], 3e4),
    ("military_aid", ["USD", "USD/year"], 5e9),
    ("coproduction_contracts", ["contracts"], 50),
    ("forum_attendee_firms", ["firms"], 250),
    ("combat_engagements", ["engagements"], 10),
    ("treaty_duration", ["year"], 20),
]
SHARES = ["weapons_used_share_domestic", "weapons_used_share_us", "weapons_used_share_europe"]
ACTORS = ["UKR", "RUS", "GBR", "DEU", "USA", "FRA", "POL", "ukroboronprom"]
RELATIVE = (["exact"] * 10 + ["about"] * 4
            + ["more_than", "nearly", "at_least", "up_to", "less_than"])
CONFIDENCE = ["official"] * 6 + ["verified"] * 2 + ["unverified", "disputed"]
MODALITY = ["actual"] * 6 + ["estimate", "expected", "target", "pledge"]
WORDS = ["production", "output", "shells", "drones", "missiles", "contracts", "aid", "deliveries",
         "factory", "ministry", "announced", "reported", "according", "rose", "fell", "reached",
         "expected", "planned", "said", "officials"]


def generate(folder: Path, n: int, seed: int = 1, per_source: int = 20,
             per_actor: int = 100) -> Path:
    """Write a complete ledger of ``n`` claims into ``folder`` and return it.

    Claims are spread over ``n // per_actor`` actors (at least the eight named ones), so a
    larger ledger has more series, as a growing tracker does, not longer ones.
    """
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    texts = folder / "texts"
    texts.mkdir(exist_ok=True)
    shutil.copy(ROOT / "data" / "raw" / "indicators.csv", folder / "indicators.csv")
    actors = ACTORS + [f"firm_{k:05d}" for k in range(max(0, n // per_actor - len(ACTORS)))]
    with (folder / "actors.csv").open("w", encoding="utf-8", newline="") as handle:
        handle.write("actor_id,name,kind,country\n")
        for actor in actors:
            if actor.isupper():
                handle.write(f"{actor},{actor},country,{actor}\n")
            else:
                handle.write(f"{actor},{actor.replace('_', ' ').title()},company,UKR\n")
    n_sources = max(1, -(-n // per_source))
    kinds = rng.choice(["level", "ratio", "share"], size=n, p=[0.7, 0.2, 0.1])
    years = rng.integers(2015, 2026, size=n)
    months = rng.integers(1, 13, size=n)
    rows, sources = [], []
    quotes_of: dict[int, list[str]] = {}
    for i in range(n):
        src = i // per_source
        cid = f"syn{i:07d}"
        kind = kinds[i]
        year = int(years[i])
        row = dict.fromkeys(CLAIM_COLUMNS, "")
        row.update(claim_id=cid, source_id=f"syn-{src:06d}", quote_en="synthetic",
                   channel="synthetic statement", actor=actors[(i // 7) % len(actors)],
                   modality=MODALITY[i % len(MODALITY)], confidence=CONFIDENCE[i % len(CONFIDENCE)],
                   confidence_reason="synthetic", kind=kind, period=str(year),
                   qualifier=RELATIVE[i % len(RELATIVE)])
        if kind == "level":
            indicator, units, typical = LEVELS[i % len(LEVELS)]
            unit = units[i % len(units)]
            value = float(f"{typical * rng.uniform(0.2, 3):.3g}")
            if unit.endswith("/month") or (i % 7 == 0 and unit in ("rounds", "drones")):
                row["period"] = f"{year}-{int(months[i]):02d}"
            if unit in ("contracts", "firms", "engagements") and i % 9 == 0:
                row["qualifier"], value = "dozens", ""
            row.update(indicator=indicator, unit=unit, value=value)
        elif kind == "ratio":
            row.update(indicator="defence_production", unit="dimensionless",
                       value=float(f"{rng.uniform(1.1, 6):.2g}"),
                       base_period=f"{year - 2}|{year - 1}" if i % 20 == 0 else str(year - 1))
        else:
            pct = i % 2 == 0
            value = round(rng.uniform(5, 60), 1) if pct else round(rng.uniform(0.05, 0.6), 3)
            row.update(indicator=SHARES[i % len(SHARES)], value=value,
                       unit="percent" if pct else "dimensionless",
                       period=f"{year}-{int(months[i]):02d}")
        words = " ".join(WORDS[j] for j in rng.integers(0, len(WORDS), size=6))
        row["quote"] = f"{words} {row['value'] or 'Dutzende'} {row['unit']} ({cid})"
        quotes_of.setdefault(src, []).append(row["quote"])
        rows.append(row)
    for src in range(n_sources):
        text = "\n".join(f"Filler sentence {k}. {q}." for k, q in enumerate(quotes_of.get(src, [])))
        data = (text + "\n").encode()
        name = f"syn-{src:06d}"
        (texts / f"{name}.txt").write_bytes(data)
        source = dict.fromkeys(SOURCE_COLUMNS, "")
        source.update(source_id=name, outlet="Synthetic Wire", title=f"Synthetic article {src}",
                      title_origin="descriptive", language="en", published="2025",
                      published_precision="year", published_basis="stated",
                      text_file=f"texts/{name}.txt", sha256=hashlib.sha256(data).hexdigest())
        sources.append(source)
    for name, header, table in (("sources.csv", SOURCE_COLUMNS, sources),
                                ("claims.csv", CLAIM_COLUMNS, rows)):
        with (folder / name).open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=header, lineterminator="\n")
            writer.writeheader()
            writer.writerows(table)
    return folder


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("n", type=int)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--per-source", type=int, default=20)
    args = parser.parse_args()
    generate(args.out, args.n, args.seed, args.per_source)
