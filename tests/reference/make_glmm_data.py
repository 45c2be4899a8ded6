"""Binary data sets with clusters that have no events, for the random-intercept logit of fittrial.analyses.icc (issue 20).

Writes tests/fixtures/glmm_zero_clusters/d<k>.csv (cluster, fit, stratum, y): rare outcomes, a large cluster
variance and unequal clusters, so several clusters have 0% events (never a whole stratum or arm, which would be
complete separation and is not estimated). ``make_glmm_reference.R`` fits them with lme4::glmer(nAGQ = 25).
"""
from pathlib import Path

import numpy as np
import pandas as pd

OUT = Path(__file__).resolve().parents[1] / "fixtures" / "glmm_zero_clusters"
# (seed, clusters, sd of the cluster effect, intercept, strata, smallest and largest cluster)
SHAPES = [(1, 24, 2.5, -3.5, 2, 15, 60), (2, 12, 2.0, -3.0, 1, 10, 40), (3, 40, 3.0, -4.0, 3, 5, 50),
          (4, 16, 1.5, -3.0, 2, 20, 80), (5, 8, 2.0, -2.5, 1, 10, 30), (6, 30, 1.0, -3.5, 2, 8, 25),
          (7, 60, 2.5, -4.5, 4, 3, 40), (8, 20, 0.3, -3.0, 2, 10, 30)]


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for seed, k, sd, b0, n_strata, low, high in SHAPES:
        rng = np.random.default_rng(seed)
        while True:
            rows = []
            for j in range(k):
                stratum, fit = j % n_strata, (j // n_strata) % 2
                u = rng.normal(0, sd)
                for _ in range(int(rng.integers(low, high + 1))):
                    p = 1 / (1 + np.exp(-(b0 + 0.4 * fit + 0.3 * stratum + u)))
                    rows.append((f"C{j:02d}", fit, f"S{stratum}", int(rng.random() < p)))
            d = pd.DataFrame(rows, columns=["cluster", "fit", "stratum", "y"])
            groups = [d.groupby(c)["y"].agg(["min", "max"]) for c in ("fit", "stratum")]
            if all((g["min"] < g["max"]).all() for g in groups) and (d.groupby("cluster")["y"].sum() == 0).any():
                break
        d.to_csv(OUT / f"d{seed}.csv", index=False)


if __name__ == "__main__":
    main()
