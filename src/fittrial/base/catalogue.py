"""The catalogue of a trial's outcomes and analyses, read from its config: one place that says what is
measured and what is analysed.

* :func:`primary_outcome`: the score analysed by the mixed models (WHO-5 by default; or another questionnaire
  score from its items, or a score the outcome table holds), with its range, unit, minimal important
  difference and cut-offs;
* :func:`binary_outcomes`: the binary outcomes analysed by the GEEs, in the report's order: ``dropout`` and
  ``completed`` derived from the course data, and 0/1 columns of the citizens table;
* :data:`ANALYSES`: the analyses of the effects table as data (step, population, time points, what each needs),
  in the table's order; the workflow's rules, the populations, the table's order and the texts read it;
* the trial's own words (units, arms, outcome) are read by :mod:`fittrial.language.vocabulary`.

Nothing here reads data; everything is a plain function of the config (``config`` is the whole config or
``None`` for the defaults, which are the FIT trial's).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

LANGUAGES = ("en", "da")
COURSE_OUTCOMES = ("dropout", "completed")  # derived from ended_on and end_reason (fittrial.inputs.dataset)


@dataclass(frozen=True)
class BinaryOutcome:
    """One binary outcome: its code (the effects table's ``outcome``), where it comes from (``course``: derived
    from the course data; ``column``: a 0/1 column of the citizens table) and its label per language (empty:
    the report's own label of the FIT trial's outcomes)."""

    name: str
    source: str = "column"
    column: str = ""
    label: Mapping[str, str] = field(default_factory=dict)

    @property
    def data_column(self) -> str:
        """The citizens-table column holding the outcome (for a column outcome)."""
        return self.column or self.name


FIT_BINARY = (BinaryOutcome("dropout", "course"), BinaryOutcome("completed", "course"),
              BinaryOutcome("kept_housing_12m"), BinaryOutcome("eviction_or_risk_12m"),
              BinaryOutcome("stable_income_12m"))


def binary_outcomes(config: Mapping[str, Any] | None = None) -> list[BinaryOutcome]:
    """The binary outcomes of the config's ``binary_outcomes`` (the FIT trial's five when not set)."""
    entries = (config or {}).get("binary_outcomes")
    if entries is None:
        return list(FIT_BINARY)
    out = []
    for e in entries:
        name = str(e["name"])
        source = "course" if name in COURSE_OUTCOMES and not e.get("column") else "column"
        out.append(BinaryOutcome(name, source, str(e.get("column") or ""), dict(_texts(e.get("label")))))
    return out


def binary_names(config: Mapping[str, Any] | None = None) -> list[str]:
    return [o.name for o in binary_outcomes(config)]


def _texts(value: Any) -> dict[str, str]:
    """A config text (one string, or one per language) as {language: text}."""
    if value is None or value == "":
        return {}
    if isinstance(value, Mapping):
        return {k: str(v) for k, v in value.items() if v}
    return {lang: str(value) for lang in LANGUAGES}


@dataclass(frozen=True)
class Cutoff:
    """A value of the primary outcome at or below which (above, if higher is worse) a citizen counts as in a state
    worth reporting, e.g. WHO-5 <= 50 "poor well-being"."""

    key: str
    value: float
    label: Mapping[str, str]


@dataclass(frozen=True)
class PrimaryOutcome:
    """The primary outcome: a score per form, from items (``scoring``: ``sum`` or ``mean`` times ``multiplier``,
    or ``percent`` of the items' range) or from a score column; its range, unit, minimal important difference
    (``mid``, None: none) and the cut-offs of the individual-change yardsticks."""

    items: tuple[str, ...] = ("who5_1", "who5_2", "who5_3", "who5_4", "who5_5")
    item_range: tuple[float, ...] = (0, 5)  # a pair [lowest, highest] as the config gives it
    scoring: str = "sum"
    multiplier: float = 4.0
    score_column: str = ""
    range: tuple[float, ...] = (0, 100)  # a pair [lowest, highest] as the config gives it
    name: Mapping[str, str] = field(default_factory=dict)
    short: Mapping[str, str] = field(default_factory=dict)
    unit: Mapping[str, str] = field(default_factory=dict)
    mid: float | None = 10.0
    reliable_change: float | None = 10.0
    higher_is_better: bool = True
    cutoffs: tuple[Cutoff, ...] = (Cutoff("poor_wellbeing", 50, {}), Cutoff("likely_depression", 28, {}))

    @property
    def is_who5(self) -> bool:
        """The default WHO-5 (its texts are the report's own)."""
        return not self.name

    @property
    def columns(self) -> tuple[str, ...]:
        """The outcome table's value columns: the score column, or the items."""
        return (self.score_column,) if self.score_column else self.items


def primary_outcome(config: Mapping[str, Any] | None = None) -> PrimaryOutcome:
    """The primary outcome of the config's ``outcome`` section: WHO-5 (and the yardsticks' MID, reliable change and
    cut-offs of ``yardsticks``) when the section names no outcome; else only what the section says (no MID or
    cut-off that belongs to WHO-5 carries over)."""
    config = config or {}
    spec = config.get("outcome") or {}
    yard = config.get("yardsticks") or {}
    if not spec.get("name"):
        base = PrimaryOutcome()
        cutoffs: tuple[Cutoff, ...] = (Cutoff("poor_wellbeing", float(yard.get("poor_wellbeing", 50)), {}),
                                       Cutoff("likely_depression", float(yard.get("likely_depression", 28)), {}))
        return PrimaryOutcome(base.items, base.item_range, base.scoring, base.multiplier, "", base.range, {}, {}, {},
                              float(yard.get("who5_mid", 10)), float(yard.get("reliable_change", 10)), True, cutoffs)
    items = tuple(str(i) for i in spec.get("items") or ())
    score_range = tuple(float(x) for x in spec.get("range") or (0, 100))
    cutoffs = tuple(Cutoff(f"cutoff_{k + 1}", float(c["value"]), _texts(c.get("label")))
                    for k, c in enumerate(spec.get("cutoffs") or ()))
    mid = spec.get("mid")
    reliable = spec.get("reliable_change", mid)
    return PrimaryOutcome(items, tuple(float(x) for x in spec.get("item_range") or (0, 1)),
                          str(spec.get("scoring") or "sum"), float(spec.get("multiplier") or 1.0),
                          str(spec.get("score_column") or ""), score_range, _texts(spec.get("name")),
                          _texts(spec.get("short") or spec.get("name")),
                          _texts(spec.get("unit")),
                          None if mid is None else float(mid), None if reliable is None else float(reliable),
                          bool(spec.get("higher_is_better", True)), cutoffs)


def yardstick_options(config: Mapping[str, Any] | None = None) -> dict:
    """What the yardsticks of the primary outcome use (rule yardsticks, the report): ``mid`` (None: none),
    ``reliable_change`` (None: no individual-change rows), ``cutoffs`` ([key, value], the measure names of
    tables/yardsticks.csv: WHO-5's poor_wellbeing 50 and likely_depression 28, else cutoff_1, ...),
    ``higher_is_better`` and the config's ``claims``."""
    outcome = primary_outcome(config)
    claims = list(((config or {}).get("yardsticks") or {}).get("claims") or [])
    return {"mid": outcome.mid, "reliable_change": outcome.reliable_change,
            "cutoffs": [[c.key, c.value] for c in outcome.cutoffs], "higher_is_better": outcome.higher_is_better,
            "claims": claims}


def input_schemas(schemas: Mapping[str, dict], config: Mapping[str, Any] | None = None) -> dict[str, dict]:
    """The input tables' JSON Schemas for this trial's outcomes: the outcome table (``who5``) holds the primary
    outcome's items (whole numbers in ``item_range``) or its score column (a number in ``range``), and the
    citizens table a 0/1 column for every column outcome of :func:`binary_outcomes`. The FIT trial's schemas are
    returned unchanged."""
    import copy

    out = {k: copy.deepcopy(v) for k, v in schemas.items()}
    outcome = primary_outcome(config)
    if not outcome.is_who5 and "who5" in out:
        who5 = out["who5"]
        keep = {k: v for k, v in who5["properties"].items() if k in ("citizen_id", "answered_on", "visit")}
        name = outcome.short.get("en") or outcome.name.get("en") or "outcome"
        if outcome.score_column:
            lo, hi = outcome.range
            keep[outcome.score_column] = {"type": ["number", "null"], "minimum": lo, "maximum": hi,
                                          "description": f"the {name} score ({lo:g} to {hi:g})"}
        else:
            lo, hi = outcome.item_range
            for k, item in enumerate(outcome.items):
                keep[item] = {"type": ["integer", "null"], "minimum": lo, "maximum": hi,
                              "description": f"item {k + 1} of {name} ({lo:g} to {hi:g})"}
        who5["properties"] = keep
        who5["required"] = ["citizen_id", *outcome.columns]
        who5["title"] = "who5"
    if "citizens" in out:
        props = out["citizens"]["properties"]
        for o in binary_outcomes(config):
            if o.source == "column" and o.data_column not in props:
                props[o.data_column] = {"type": ["integer", "null"], "enum": [0, 1, None],
                                        "description": f"binary outcome {o.name} (1 = yes, 0 = no, empty = not known)"}
            if o.source == "column" and config and config.get("binary_outcomes"):
                # a column the trial's own config names must be there: a typo in its name would otherwise leave
                # the outcome "not recorded" without a word (the FIT trial's own columns stay optional)
                required = out["citizens"].setdefault("required", [])
                if o.data_column not in required:
                    required.append(o.data_column)
    return out


def score_forms(forms: Any, outcome: PrimaryOutcome, prorate_one_missing: bool = False) -> Any:
    """The primary outcome's score of every form (a pandas Series, missing where the form cannot be scored).

    A score column is the score. Items: ``sum`` (times ``multiplier``), ``mean`` (times ``multiplier``) or
    ``percent`` (100 x (mean - item minimum) / (item maximum - item minimum)); a form with any item missing
    is missing, or, with ``prorate_one_missing``, one missing item is replaced by the mean of the others
    (two or more: missing). For WHO-5 (sum x 4) this is its percentage score (0-100).
    """
    import pandas as pd

    if outcome.score_column:
        return pd.to_numeric(forms[outcome.score_column], errors="coerce").astype("float64").rename("who5")
    values = forms[list(outcome.items)].astype("float64")
    k = len(outcome.items)
    n_missing = values.isna().sum(axis=1)
    mean = values.mean(axis=1, skipna=True)
    allowed = (n_missing <= 1) if prorate_one_missing else (n_missing == 0)
    if outcome.scoring == "mean":
        score = outcome.multiplier * mean
    elif outcome.scoring == "percent":
        lo, hi = outcome.item_range
        score = 100.0 * (mean - lo) / (hi - lo)
    else:  # sum; with one item missing, the others' sum scaled up (k / (k - 1)), as the WHO-5 manual prorates
        raw = values.sum(axis=1, skipna=True)
        score = outcome.multiplier * raw.where(n_missing == 0, raw * k / max(k - 1, 1))
    return score.where(allowed).rename("who5")


# --- analyses ---------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Analysis:
    """One analysis of the effects table, as data: what the pipeline runs and how the report shows it.

    ``name`` is the effects table's ``analysis`` code (and the key of its label ``a_<name>`` and its method text
    ``method_<name>`` in the message catalogue); ``kind`` is ``primary``, ``sensitivity``, ``secondary`` or
    ``subgroup``; ``step`` the workflow rule that computes it (rules that compute several analyses take them as a
    list from :func:`analyses_of_step`); ``population`` the citizens it counts (see
    :mod:`fittrial.publish.populations`: ``followup_who5``, ``any_who5``, ``visit`` for ``who5_m<primary visit>``,
    ``enrolled``, ``outcome`` for the binary outcome's own, or ``""`` for a population of its own, e.g. per
    protocol); ``timepoints`` ``follow_up`` (every follow-up visit) or ``primary`` (the primary visit);
    ``rows``: further analysis codes its step writes (the weighted cluster-level analysis); ``needs``: what it
    cannot be estimated without: ``adherence`` (FIT sessions, and an unblinded review, as adherence exists only
    in the FIT arm: the workflow runs it only then), ``baseline`` (a baseline visit) or ``course`` (course ends
    recorded): without these it is run and reports "not estimated" with the reason, and the flow diagram does
    not name it; ``flow``: named in the flow diagram's box of its population.
    """

    name: str
    kind: str
    step: str
    population: str
    timepoints: str = "primary"
    rows: tuple[str, ...] = ()
    needs: tuple[str, ...] = ()
    flow: bool = True

    @property
    def codes(self) -> tuple[str, ...]:
        """Every ``analysis`` code of the effects table this analysis writes, in the table's order."""
        return (self.name, *self.rows)


# The analyses of the effects table, in its order (and the report's).
ANALYSES: tuple[Analysis, ...] = (
    Analysis("itt", "primary", "primary_lmm", "followup_who5", "follow_up"),
    Analysis("clda", "sensitivity", "sensitivity", "any_who5", "follow_up", needs=("baseline",)),
    Analysis("cluster_level", "sensitivity", "sensitivity", "visit", rows=("cluster_level_weighted",)),
    Analysis("ancova_cr2", "sensitivity", "sensitivity", "visit"),
    Analysis("randomisation_test", "sensitivity", "randomisation_test", "followup_who5"),  # the primary model's
    Analysis("multiple_imputation", "sensitivity", "multiple_imputation", "enrolled"),
    Analysis("per_protocol", "sensitivity", "sensitivity", "", "follow_up", needs=("adherence",), flow=False),
    Analysis("cace", "sensitivity", "sensitivity", "visit", needs=("adherence",)),
    Analysis("time_to_dropout", "secondary", "time_to_dropout", "enrolled", rows=("time_to_dropout_fine_gray",),
             needs=("course",)),
)


def analysis_order() -> list[str]:
    """The effects table's ``analysis`` codes in the table's order (subgroups, ``subgroup:<variable>=<level>``,
    come after them)."""
    return [code for a in ANALYSES for code in a.codes]


def analysis_named(code: str) -> Analysis | None:
    """The analysis that writes the effects-table code ``code`` (None for a subgroup or an unknown code)."""
    return next((a for a in ANALYSES if code in a.codes), None)


def runs(analysis: Analysis, blinded: bool = False, adherence: bool = True) -> bool:
    """Whether the workflow runs ``analysis``: one that needs adherence runs only when FIT sessions can exist
    (``adherence``: the sessions are given, or the trial is the FIT trial) and the review is not blinded."""
    return not ("adherence" in analysis.needs and (blinded or not adherence))


def analyses_of_step(step: str, blinded: bool = False, adherence: bool = True) -> list[str]:
    """The names of the analyses that workflow rule ``step`` computes, in the table's order."""
    return [a.name for a in ANALYSES if a.step == step and runs(a, blinded, adherence)]


__all__ = ["Analysis", "ANALYSES", "analysis_order", "analysis_named", "runs", "analyses_of_step",
           "BinaryOutcome", "binary_outcomes", "binary_names", "PrimaryOutcome", "Cutoff", "primary_outcome",
           "FIT_BINARY", "COURSE_OUTCOMES"]
