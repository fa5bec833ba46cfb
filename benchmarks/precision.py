"""Precision of the projection's Monte Carlo (``make precision``).

On three small series, the 2.5/10/90/97.5 % quantiles of ``project``'s draws (1,000 per
reading, 40 seeds) are compared with those of 2,000,000 plain draws of the same method; the
figure is the mean absolute error in per cent of the reference's 95 % interval width. Plain
(unstratified) draws of 1,000 and 4,000 are shown for comparison.
"""

from __future__ import annotations

import numpy as np

from prodstats.forecast import _draws, _Group, _signed, constants, horizon_scales, point, trend

PROBS = [0.025, 0.1, 0.9, 0.975]
H = np.array([1.0, 2.0, 3.0])
SEEDS = 40


def _case(t: list[float], low: list[float], high: list[float]) -> _Group:
    low_, high_ = np.array(low), np.array(high)
    return _Group({}, np.array(t), low_, high_, (low_ + high_) / 2, ["p"] * len(t), "u")


CASES = {
    "4 points, bounds ±10 %": _case([2020.5, 2021.5, 2022.5, 2023.5], [90, 99, 112.5, 117],
                                    [110, 121, 137.5, 143]),
    "3 points, the last a wide hull": _case([2022.5, 2023.5, 2024.5], [1, 3, 6], [1, 3, 18]),
    "5 exact points": _case([2019.5, 2020.5, 2021.5, 2022.5, 2023.5], [50, 60, 58, 70, 75],
                            [50, 60, 58, 70, 75]),
}


def plain(g: _Group, n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` plain draws of the method: points uniform in their bounds, errors uniform."""
    c = constants(len(g.t))
    y = g.low + (g.high - g.low) * rng.random((n, len(g.t)))
    level, slope, _ = trend(y, g.t, c)
    below, above = horizon_scales(y, g.t, c, H)
    e = _signed(c, H, rng.random((n, len(H))))
    return point(level, slope, H) + np.where(e < 0, below, above) * e


def error(draws: list[np.ndarray], ref: np.ndarray) -> float:
    """Mean absolute quantile error, in per cent of the reference's 95 % width."""
    q = np.array([np.quantile(np.clip(d, 0, None), PROBS, axis=0) for d in draws])
    return 100 * float(np.mean(np.abs(q - ref) / (ref[3] - ref[0])))


def main() -> None:
    """Print one line per case."""
    for name, g in CASES.items():
        ref = np.quantile(np.clip(plain(g, 2_000_000, np.random.default_rng(5)), 0, None),
                          PROBS, axis=0)
        ours = error([_draws(g, H, 1000, seed)[0] for seed in range(SEEDS)], ref)
        plain_1k, plain_4k = (error([plain(g, n, np.random.default_rng(n + s))
                                     for s in range(SEEDS)], ref) for n in (1000, 4000))
        print(f"{name:32s} project, 1,000 draws: {ours:5.2f} %   plain 1,000: {plain_1k:5.2f} %"
              f"   plain 4,000: {plain_4k:5.2f} %")


if __name__ == "__main__":
    main()
