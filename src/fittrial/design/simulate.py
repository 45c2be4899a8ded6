"""A seeded simulator that writes a trial in exactly the input-contract format.

The data-generating model (all effects FIT versus control):

* caseworkers are randomised 1:1 within strata (permuted blocks: half of each
  stratum to FIT, the odd one out by a coin flip);
* each caseworker has Poisson(``citizens_per_caseworker``) citizens (at least 1),
  enrolled uniformly over the enrolment period;
* latent WHO-5 (percentage scale) for citizen i of caseworker j at visit t:
  ``mu_t + effect_t * FIT_j + u_j + v_i + e_it`` with
  ``u ~ N(0, sd_caseworker^2)``, ``v ~ N(0, sd_citizen^2)``, ``e ~ N(0, sd_residual^2)``;
  the five items are drawn so that 4 x their sum equals the latent score
  rounded to the 0-100 grid of multiples of 4;
* binary outcomes: logit(p) = logit(prevalence) + log(OR) * FIT_j + w_j,
  ``w ~ N(0, sd_caseworker_logit^2)``. ``completed`` is drawn among citizens who
  did not drop out, so its odds ratio is conditional on not dropping out;
* follow-up forms are missing completely at random with probability
  ``missing_followup`` (baseline: ``missing_baseline``); single items are missing
  with probability ``missing_item``;
* FIT-arm citizens have Poisson(``sessions_mean``) meetings with ORS/SRS; ORS
  rises on average over meetings, SRS sits near its 36 cut-off.

Unusual trial shapes (see :mod:`fittrial.design.shapes`) are drawn by the parameters
after ``out_of_window_share`` (visit schedule, cluster sizes, empty caseworkers
or arm, blank columns, missing forms, partial FIT sessions). Each defaults to
the behaviour above and then takes no random numbers, so a parameter file
without them gives the same trial, byte for byte, as before they existed. The
random choices they do need (which caseworkers are empty, which citizens lose
their forms or sessions) come from a second generator seeded by ``[seed, 1]``,
so the main stream of draws is not shifted by them.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from fittrial.base.files import write_csv

CITIZEN_OUTCOMES = ("kept_housing_12m", "eviction_or_risk_12m", "stable_income_12m")
WHO5_COLUMNS = ["citizen_id", "answered_on"] + [f"who5_{j}" for j in range(1, 6)]
SESSION_COLUMNS = (["citizen_id", "caseworker_id", "session_on"] + [f"ors_{q}" for q in range(1, 5)]
                   + [f"srs_{q}" for q in range(1, 5)])


@dataclass
class SimulationParameters:
    """Parameters of :func:`simulate_trial` (defaults resemble the real trial).

    The data-generating model is in the module docstring. The parameters that
    draw unusual trial shapes (each default reproduces the standard trial):

    ``visit_timing``
        ``{visit: (target_day, sd_days)}``: when each visit's form is filled
        in, in days after enrolment (normal, rounded; the baseline clipped to
        -10..40). ``who5_mean`` gives the visits that are simulated and must
        have the same keys; ``effect`` may name any of the follow-ups.
    ``fit_sessions_share``
        share of FIT-arm citizens who have FIT sessions at all (exactly
        ``round(share x n)`` of them, chosen at random); 1 = all.
    ``cluster_sizes``
        citizens per caseworker, one number per caseworker in the order of the
        randomisation table (``CW001``, ``CW002``, ...); 0 is allowed. Replaces
        the Poisson sizes.
    ``cluster_size_range``
        ``(low, high)``: citizens per caseworker drawn uniformly on the log
        scale between ``low`` and ``high`` (inclusive, rounded); replaces the
        Poisson sizes (ignored when ``cluster_sizes`` is given).
    ``empty_caseworkers``
        number of caseworkers with no citizens, chosen at random alternately
        from the two arms.
    ``empty_arm``
        ``"FIT"`` or ``"control"``: every caseworker of that arm has no
        citizens (an invalid trial; the workflow must refuse it).
    ``no_who5_share``
        share of citizens (exactly ``round(share x n)``) with no WHO-5 form at
        all.
    ``followup_missing_arm``
        ``"FIT"`` or ``"control"``: every follow-up WHO-5 form of that arm is
        missing (the baseline forms are kept).
    ``blank_age_sex``
        write the ``age`` and ``sex`` columns with every cell empty.
    ``blank_outcomes``
        citizen-table outcome columns (``kept_housing_12m``,
        ``eviction_or_risk_12m``, ``stable_income_12m``) written with every
        cell empty.
    ``blank_course``
        ``ended_on`` and ``end_reason`` written with every cell empty (a trial
        that records no course ends).

    ``who5_mean`` without visit 0 simulates no baseline form (a post-test-only
    trial).

    A ``prevalence`` of 0 (or 1) gives an outcome that is 0 (or 1) for every
    citizen in both arms, whatever the odds ratio, e.g. ``dropout: 0`` for a
    trial without dropout events.
    """

    seed: int = 2015
    strata: dict[str, int] = field(default_factory=lambda: {"Bostøtte": 30, "CTI": 15, "Ungementor": 20})
    citizens_per_caseworker: float = 17.8
    enrolment_start: str = "2015-05-01"
    enrolment_end: str = "2016-09-30"
    who5_mean: dict[int, float] = field(default_factory=lambda: {0: 40.0, 6: 46.0, 12: 48.0})
    effect: dict[int, float] = field(default_factory=lambda: {6: 1.0, 12: 1.5})
    sd_caseworker: float = 4.0
    sd_citizen: float = 14.0
    sd_residual: float = 14.0
    prevalence: dict[str, float] = field(default_factory=lambda: {
        "dropout": 0.25, "completed": 0.55, "kept_housing_12m": 0.85,
        "eviction_or_risk_12m": 0.10, "stable_income_12m": 0.75})
    odds_ratio: dict[str, float] = field(default_factory=lambda: {
        "dropout": 1.0, "completed": 1.0, "kept_housing_12m": 1.0,
        "eviction_or_risk_12m": 1.0, "stable_income_12m": 1.0})
    sd_caseworker_logit: float = 0.3
    missing_baseline: float = 0.05
    missing_followup: float = 0.25
    missing_item: float = 0.01
    missing_binary: float = 0.08
    sessions_mean: float = 8.0
    out_of_window_share: float = 0.01
    visit_timing: dict[int, tuple[int, int]] = field(default_factory=lambda: {0: (3, 6), 6: (182, 18),
                                                                              12: (365, 22)})
    fit_sessions_share: float = 1.0
    cluster_sizes: list[int] | None = None
    cluster_size_range: tuple[int, int] | None = None
    empty_caseworkers: int = 0
    empty_arm: str | None = None
    no_who5_share: float = 0.0
    followup_missing_arm: str | None = None
    blank_age_sex: bool = False
    blank_outcomes: list[str] = field(default_factory=list)
    blank_course: bool = False

    @classmethod
    def from_yaml(cls, path: str | Path) -> SimulationParameters:
        with open(path, encoding="utf-8") as fh:
            data = yaml.safe_load(fh) or {}
        unknown = set(data) - set(cls.__dataclass_fields__)
        if unknown:
            raise ValueError(f"{path}: unknown simulation parameter(s): {', '.join(sorted(unknown))}")
        for key in ("who5_mean", "effect"):
            if key in data:
                data[key] = {int(k): float(v) for k, v in data[key].items()}
        if "visit_timing" in data:
            data["visit_timing"] = {int(k): (int(v[0]), int(v[1])) for k, v in data["visit_timing"].items()}
        if data.get("cluster_size_range") is not None:
            data["cluster_size_range"] = tuple(int(x) for x in data["cluster_size_range"])
        return cls(**data)

    def check(self) -> None:
        """Raise ``ValueError`` naming the first inconsistent parameter."""
        arms = (None, "FIT", "control")
        if not [v for v in self.who5_mean if v != 0]:
            raise ValueError("who5_mean must include at least one follow-up visit (a visit other than 0)")
        missing = sorted(set(self.who5_mean) - set(self.visit_timing))
        if missing:
            raise ValueError(f"visit_timing has no timing for visit(s) {missing} of who5_mean")
        extra = sorted(set(self.effect) - set(self.who5_mean))
        if extra:
            raise ValueError(f"effect names visit(s) {extra} that who5_mean does not simulate")
        for name in ("fit_sessions_share", "no_who5_share"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1")
        for name in ("empty_arm", "followup_missing_arm"):
            if getattr(self, name) not in arms:
                raise ValueError(f"{name} must be FIT, control or empty, not {getattr(self, name)!r}")
        if self.cluster_sizes is not None and any(int(k) < 0 for k in self.cluster_sizes):
            raise ValueError("cluster_sizes must not be negative")
        if self.cluster_size_range is not None:
            low, high = self.cluster_size_range
            if not 1 <= low <= high:
                raise ValueError("cluster_size_range must be (low, high) with 1 <= low <= high")
        if self.empty_caseworkers < 0:
            raise ValueError("empty_caseworkers must not be negative")
        unknown = sorted(set(self.blank_outcomes) - set(CITIZEN_OUTCOMES))
        if unknown:
            raise ValueError(f"blank_outcomes: {unknown} are not outcome columns of the citizens table "
                             f"({', '.join(CITIZEN_OUTCOMES)})")



@dataclass(frozen=True)
class Departures:
    """Departures from the analysis model in the simulated WHO-5 (all off by default).

    ``sd_caseworker_followup``: SD of a caseworker effect added at every
    follow-up visit (caseworkers differ in change after baseline);
    ``sd_caseworker_visit``: SD of independent caseworker effects at each
    follow-up visit; ``ar1_rho``: if positive, the citizen intercept and the
    residual are replaced by errors of the same total variance whose
    correlation decays as rho ** (months apart / 6); ``residual_sd_ratio_fit``:
    the residual SD in the FIT arm relative to control; ``mnar_slope``: in the
    FIT arm, the log odds of a missing follow-up change by this much per SD of
    the citizen's own (unobserved) WHO-5 at that visit (negative: worse-off
    citizens are missing more often: missing not at random); ``mi_every`` and
    ``mi_m``: the multiple imputation runs on every ``mi_every``-th trial with
    ``mi_m`` imputations (0: never).
    """

    sd_caseworker_followup: float = 0.0
    sd_caseworker_visit: float = 0.0
    ar1_rho: float = 0.0
    residual_sd_ratio_fit: float = 1.0
    mnar_slope: float = 0.0
    mi_every: int = 0
    mi_m: int = 5

def _items_for(score_raw: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Five items (0-5) per row whose sum is ``score_raw`` (0-25)."""
    n = len(score_raw)
    items = np.zeros((n, 5), dtype=int)
    for i, total in enumerate(score_raw):
        order = rng.permutation(5)
        base, rest = divmod(int(total), 5)
        row = np.full(5, base)
        row[order[:rest]] += 1
        # spread: move a point between two items while keeping 0..5
        for _ in range(2):
            a, b = rng.integers(0, 5, size=2)
            if a != b and row[a] > 0 and row[b] < 5:
                row[a] -= 1
                row[b] += 1
        items[i] = row
    return items


def _cluster_sizes(params: SimulationParameters, poisson_sizes: np.ndarray, arms: np.ndarray,
                   aux: np.random.Generator) -> np.ndarray:
    """Citizens per caseworker: the Poisson sizes unless the parameters ask for another shape."""
    n_per = poisson_sizes
    n_cw = len(arms)
    if params.cluster_sizes is not None:
        if len(params.cluster_sizes) != n_cw:
            raise ValueError(f"cluster_sizes has {len(params.cluster_sizes)} numbers for {n_cw} caseworkers")
        n_per = np.array([int(k) for k in params.cluster_sizes], dtype=int)
    elif params.cluster_size_range is not None:
        low, high = params.cluster_size_range
        n_per = np.round(np.exp(aux.uniform(np.log(low), np.log(high), n_cw))).astype(int)
    if params.empty_caseworkers:
        if params.empty_caseworkers > n_cw - 2:
            raise ValueError(f"empty_caseworkers ({params.empty_caseworkers}) must leave a caseworker in each arm")
        pools = [list(aux.permutation(np.flatnonzero(arms == a))) for a in aux.permutation(["FIT", "control"])]
        chosen: list[int] = []
        while len(chosen) < params.empty_caseworkers:
            pool = pools[len(chosen) % 2] if pools[len(chosen) % 2] else pools[1 - len(chosen) % 2]
            chosen.append(pool.pop(0))
        n_per = n_per.copy()
        n_per[chosen] = 0
    if params.empty_arm is not None:
        n_per = np.where(arms == params.empty_arm, 0, n_per)
    if n_per.sum() == 0:
        raise ValueError("the parameters leave the trial without citizens")
    return n_per


def simulate_trial(params: SimulationParameters) -> dict[str, pd.DataFrame]:
    """Simulate one trial; return the four input tables in the contract format."""
    params.check()
    rng = np.random.default_rng(params.seed)
    # the unusual shapes draw from a second stream, so they do not shift the main one
    aux = np.random.default_rng([params.seed, 1])
    start = pd.Timestamp(params.enrolment_start)
    end = pd.Timestamp(params.enrolment_end)
    randomised_on = start - pd.Timedelta(days=14)

    # randomisation: caseworkers within strata
    cw_rows = []
    k = 0
    for stratum, n_cw in params.strata.items():
        arms = np.array(["FIT"] * (n_cw // 2) + ["control"] * (n_cw // 2))
        if n_cw % 2:
            arms = np.append(arms, rng.choice(["FIT", "control"]))
        arms = rng.permutation(arms)
        for arm in arms:
            k += 1
            cw_rows.append({"caseworker_id": f"CW{k:03d}", "stratum": stratum, "arm": str(arm),
                            "randomised_on": randomised_on.strftime("%Y-%m-%d")})
    rand = pd.DataFrame(cw_rows)
    n_cw = len(rand)
    fit_cw = (rand["arm"] == "FIT").to_numpy().astype(int)
    u = rng.normal(0, params.sd_caseworker, n_cw)
    w = rng.normal(0, params.sd_caseworker_logit, n_cw)

    # citizens
    n_per = np.maximum(1, rng.poisson(params.citizens_per_caseworker, n_cw))
    n_per = _cluster_sizes(params, n_per, rand["arm"].to_numpy(), aux)
    cw_index = np.repeat(np.arange(n_cw), n_per)
    n = len(cw_index)
    fit = fit_cw[cw_index]
    span = (end - start).days
    enrolled = start + pd.to_timedelta(rng.integers(0, span + 1, n), unit="D")
    age = np.clip(np.round(rng.normal(42, 13, n)), 18, 85).astype(int)
    sex = rng.choice(["F", "M"], n, p=[0.45, 0.55]).astype(object)
    sex[rng.random(n) < 0.02] = None
    v = rng.normal(0, params.sd_citizen, n)

    def binary(name: str, base_p: float | None = None) -> np.ndarray:
        p0 = params.prevalence[name] if base_p is None else base_p
        if p0 <= 0 or p0 >= 1:  # a constant outcome; the draws are still taken, to keep the stream
            rng.random(n)
            return np.full(n, int(p0 >= 1))
        lin = np.log(p0 / (1 - p0)) + np.log(params.odds_ratio[name]) * fit + w[cw_index]
        return (rng.random(n) < 1 / (1 + np.exp(-lin))).astype(int)

    dropout = binary("dropout")
    completed = binary("completed") * (1 - dropout)
    ended = (dropout == 1) | (completed == 1) | (rng.random(n) < 0.15)
    none = np.array(None, dtype=object)  # what np.where makes of None (its stubs do not take None itself)
    end_reason = np.where(dropout == 1, "dropout", np.where(completed == 1, "completed", none)).astype(object)
    other = ended & (end_reason == None)  # noqa: E711
    end_reason[other] = rng.choice(["evicted", "moved", "died", "other"], other.sum(), p=[0.2, 0.4, 0.1, 0.3])
    duration = np.where(dropout == 1, rng.integers(20, 300, n), rng.integers(120, 540, n))
    ended_on = pd.Series(enrolled + pd.to_timedelta(duration, unit="D"))
    ended_on[~ended] = pd.NaT

    def maybe_missing(x: np.ndarray) -> pd.arrays.IntegerArray:
        return pd.array([None if m else int(val) for val, m in zip(x, rng.random(n) < params.missing_binary)],
                        dtype="Int64")

    if params.blank_age_sex:
        age = pd.array([pd.NA] * n, dtype="Int64")
        sex = np.full(n, None, dtype=object)
    citizens = pd.DataFrame({
        "citizen_id": [f"B{i + 1:05d}" for i in range(n)],
        "caseworker_id": rand["caseworker_id"].to_numpy()[cw_index],
        "enrolled_on": pd.Series(enrolled).dt.strftime("%Y-%m-%d"),
        "age": age,
        "sex": sex,
        "ended_on": ended_on.dt.strftime("%Y-%m-%d"),
        "end_reason": end_reason,
        "kept_housing_12m": maybe_missing(binary("kept_housing_12m")),
        "eviction_or_risk_12m": maybe_missing(binary("eviction_or_risk_12m")),
        "stable_income_12m": maybe_missing(binary("stable_income_12m")),
    })

    for name in params.blank_outcomes:
        citizens[name] = pd.array([pd.NA] * n, dtype="Int64")
    if params.blank_course:  # no course data: the columns are there, every cell empty
        citizens["ended_on"] = None
        citizens["end_reason"] = None

    # WHO-5 forms
    forms = []
    citizen_arm = rand["arm"].to_numpy()[cw_index]
    for visit, mu in sorted(params.who5_mean.items()):
        latent = mu + params.effect.get(visit, 0.0) * fit + u[cw_index] + v + rng.normal(0, params.sd_residual, n)
        raw = np.clip(np.round(latent / 4), 0, 25).astype(int)
        items = _items_for(raw, rng).astype(float)
        items[rng.random(items.shape) < params.missing_item] = np.nan
        target, sd = params.visit_timing[visit]
        day = np.round(rng.normal(target, sd, n)).astype(int)
        if visit == 0:
            day = np.clip(day, -10, 40)
        stray = rng.random(n) < params.out_of_window_share
        day[stray] = target + rng.choice([-1, 1], stray.sum()) * rng.integers(75, 110, stray.sum())
        p_miss = params.missing_baseline if visit == 0 else params.missing_followup
        present = rng.random(n) >= p_miss
        if visit != 0 and params.followup_missing_arm is not None:
            present &= citizen_arm != params.followup_missing_arm
        for i in np.flatnonzero(present):
            row = {"citizen_id": citizens.at[i, "citizen_id"],
                   "answered_on": (enrolled[i] + pd.Timedelta(days=int(day[i]))).strftime("%Y-%m-%d")}
            for j in range(5):
                row[f"who5_{j + 1}"] = None if np.isnan(items[i, j]) else int(items[i, j])
            forms.append(row)
    if params.no_who5_share > 0:
        without = set(citizens["citizen_id"].to_numpy()[
            aux.choice(n, int(round(params.no_who5_share * n)), replace=False)])
        forms = [f for f in forms if f["citizen_id"] not in without]
    if not forms:
        forms = pd.DataFrame(columns=WHO5_COLUMNS)
    who5 = pd.DataFrame(forms).sort_values(["citizen_id", "answered_on"], kind="mergesort").reset_index(drop=True)
    for j in range(1, 6):
        who5[f"who5_{j}"] = who5[f"who5_{j}"].astype("Int64")

    # FIT sessions (FIT arm only)
    sessions = []
    with_sessions = np.flatnonzero(fit == 1)
    if params.fit_sessions_share < 1:
        keep = aux.choice(len(with_sessions), int(round(params.fit_sessions_share * len(with_sessions))),
                          replace=False)
        with_sessions = np.sort(with_sessions[keep])
    for i in with_sessions:
        m = rng.poisson(params.sessions_mean)
        if m == 0:
            continue
        last_day = duration[i] if ended[i] else 365
        days = np.sort(rng.choice(np.arange(0, max(last_day, m)), size=m, replace=False))
        ors0 = np.clip(rng.normal(20, 7), 2, 36)
        slope = rng.normal(0.8, 0.8)
        for s, d in enumerate(days):
            ors_total = np.clip(ors0 + slope * s + rng.normal(0, 3), 0, 40)
            srs_total = np.clip(rng.normal(36.5, 3), 0, 40)
            ors = np.clip(np.round(ors_total / 4 + rng.normal(0, 0.8, 4), 1), 0, 10)
            srs = np.clip(np.round(srs_total / 4 + rng.normal(0, 0.4, 4), 1), 0, 10)
            row = {"citizen_id": citizens.at[i, "citizen_id"],
                   "caseworker_id": citizens.at[i, "caseworker_id"],
                   "session_on": (enrolled[i] + pd.Timedelta(days=int(d))).strftime("%Y-%m-%d")}
            row.update({f"ors_{q + 1}": float(ors[q]) for q in range(4)})
            row.update({f"srs_{q + 1}": float(srs[q]) for q in range(4)})
            sessions.append(row)
    fit_sessions = pd.DataFrame(sessions) if sessions else pd.DataFrame(columns=SESSION_COLUMNS)
    return {"randomisation": rand, "citizens": citizens, "who5": who5, "fit_sessions": fit_sessions}


def write_trial(tables: dict[str, pd.DataFrame], outdir: str | Path) -> dict[str, Path]:
    """Write the tables as CSV files (``<name>.csv``) in ``outdir``; return their paths."""
    outdir = Path(outdir)
    paths = {}
    for name, frame in tables.items():
        path = outdir / f"{name}.csv"
        write_csv(frame, path, float_format="%.1f" if name == "fit_sessions" else None)
        paths[name] = path
    return paths


def main(argv: list[str] | None = None) -> int:
    """Command line: ``fittrial-simulate PARAMETERS.yaml OUTDIR [--seed N]``."""
    parser = argparse.ArgumentParser(description="Simulate a FIT trial in the input-contract format.")
    parser.add_argument("parameters", help="YAML file of simulation parameters (see config/example_trial.yaml)")
    parser.add_argument("outdir", help="folder to write randomisation.csv, citizens.csv, who5.csv, fit_sessions.csv")
    parser.add_argument("--seed", type=int, default=None, help="override the seed in the parameter file")
    args = parser.parse_args(argv)
    params = SimulationParameters.from_yaml(args.parameters)
    if args.seed is not None:
        params.seed = args.seed
    paths = write_trial(simulate_trial(params), args.outdir)
    for name, path in paths.items():
        print(f"{name}: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

__all__ = ["SimulationParameters", "simulate_trial", "write_trial", "CITIZEN_OUTCOMES"]
