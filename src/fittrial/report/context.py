"""The self-contained HTML trial report (CONSORT 2010 and its cluster extension).

The report formats numbers that the workflow has already written to tables;
nothing is estimated here. Figures are embedded as base64 PNG so the file can
be read offline and handed on as one file. Language: English or Danish
(:mod:`fittrial.language.i18n`).
"""

from __future__ import annotations

import base64
from pathlib import Path

import jinja2
import pandas as pd

from fittrial import __version__
from fittrial.base.catalogue import ANALYSES
from fittrial.base.files import write_text
from fittrial.language.i18n import Translator, reason_text
from fittrial.language.messages import text
from fittrial.publish.disclosure import withheld_for_disclosure

KEY_PACKAGES = ("snakemake", "pandas", "numpy", "scipy", "statsmodels", "linearmodels", "matplotlib")


def scenario_name(scenario: str, t: Translator) -> str:
    """A simulation scenario's name in the report language (its code when the catalogue has none)."""
    return t(f"scenario:{scenario}") if f"scenario:{scenario}" in t.text else scenario


def analyses_of(step: str) -> list[str]:
    """The effects-table codes of the catalogue's analyses computed by workflow rule ``step``."""
    return [code for a in ANALYSES if a.step == step for code in a.codes]


def embed_png(path: str | Path) -> str:
    return "data:image/png;base64," + base64.b64encode(Path(path).read_bytes()).decode("ascii")


def subgroup_name(variable: str, t: Translator) -> str:
    """A subgroup variable's name ("Age"), from the message catalogue (its code when the catalogue has none)."""
    return t(f"sg_{variable}") if f"sg_{variable}" in t.text else variable


def subgroup_label(analysis: str, t: Translator) -> str:
    """``subgroup:age_group=<30`` as the reader's words: "Age: under 30" (Danish "Alder: under 30")."""
    variable, _, level = analysis.split(":", 1)[1].partition("=")
    if not level:  # the variable as a whole (its subgroups not estimated)
        return t.localise(subgroup_name(variable, t))
    if variable == "age_group" and "-" in level.lstrip("<"):
        lo, _, hi = level.partition("-")
        level = t("sg_age_range", lo=lo, hi=hi)
    elif variable == "age_group":
        if level.startswith("<"):
            level = t("sg_age_under", n=level[1:])
        elif level.endswith("+"):
            level = t("sg_age_over", n=level[:-1])
    elif f"sg_level_{level}" in t.text:
        level = t(f"sg_level_{level}")
    return t.localise(f"{subgroup_name(variable, t)}: {level}")


def subgroup_order(analysis: str) -> tuple:
    """Subgroup rows grouped by variable, levels in their natural order (age groups by age)."""
    import re

    variable, _, level = analysis.split(":", 1)[1].partition("=")
    number = re.search(r"\d+", level)
    age = (0 if level.startswith("<") else int(number.group(0))) if variable == "age_group" and number else 0
    return (variable, age, level)


SMALL_TRIAL_CASEWORKERS = 12
"""Below this many caseworkers in the primary analysis the summary says the trial is small: the small-trial study
(issue 24, docs/methods.md "Small trials") found every rule's primary test conservative there (type-I error
0.5-4.4% with Kenward-Roger) and power low."""


def plain_summary(effects: pd.DataFrame, t: Translator, threshold: int = 5) -> list[str]:
    """Sentences for readers who are not statisticians, worded from the numbers.

    An interval that includes no difference reads "no clear difference",
    never "no effect". A primary analysis of fewer than SMALL_TRIAL_CASEWORKERS caseworkers says the trial is
    small and what that means for reading it.
    """
    itt = effects[effects["analysis"] == "itt"]
    out = []
    primary = itt[(itt["outcome"] == "who5") & (itt["timepoint_months"] == t.primary_visit)]
    if len(primary) and pd.isna(primary.iloc[0]["estimate"]):
        out.append(t("sum_primary_not", reason=reason_text(primary.iloc[0], t)))
    if len(primary) and pd.notna(primary.iloc[0]["estimate"]):
        r = primary.iloc[0]
        direction = t("higher") if r["estimate"] > 0 else t("lower")
        text = t("sum_primary", est=t.num(abs(r["estimate"]), 1), dir=direction, lo=t.num(r["ci_low"], 1),
                 hi=t.num(r["ci_high"], 1))
        text += " " + (t("sum_unclear") if r["ci_low"] <= 0 <= r["ci_high"] else t("sum_clear", dir=direction))
        if pd.notna(r.get("n_clusters")) and int(r["n_clusters"]) < SMALL_TRIAL_CASEWORKERS:
            text += " " + t("sum_small_trial", k=t.count(int(r["n_clusters"])), most=SMALL_TRIAL_CASEWORKERS)
        out.append(text)
    odds = itt[itt["scale"] == "odds_ratio"]
    withheld_rows = odds["estimate"].isna() & odds["not_estimated"].fillna("").map(withheld_for_disclosure)
    withheld = [t.outcome(o).lower() for o in odds.loc[withheld_rows, "outcome"]]
    missing = [t.outcome(o).lower() for o in odds.loc[odds["estimate"].isna() & ~withheld_rows, "outcome"]]
    odds = odds[odds["estimate"].notna()]
    clear = [t.outcome(o).lower() for o, lo, hi in zip(odds["outcome"], odds["ci_low"], odds["ci_high"])
             if not (lo <= 1 <= hi)]
    if len(odds):
        shown = "; ".join(t.outcome(o).lower() for o in odds["outcome"])
        out.append(t("sum_some_secondary", list="; ".join(clear)) if clear else t("sum_none_secondary", list=shown))
    if missing:
        out.append(t("sum_not_estimable", list="; ".join(missing)))
    if withheld:
        out.append(t("sum_withheld", k=threshold, list="; ".join(withheld)))
    return out


def agreement_sentence(who5_12: pd.DataFrame, t: Translator) -> str:
    """Whether the 12-month WHO-5 estimates of all analyses agree with the primary one: they agree only when
    every confidence interval contains the primary estimate and every analysis draws the primary's conclusion
    about no difference (its interval includes 0, or excludes it on the same side)."""
    rows = who5_12[who5_12["estimate"].notna() & who5_12["ci_low"].notna() & who5_12["ci_high"].notna()]
    primary = rows[rows["analysis"] == "itt"]
    if primary.empty:
        return ""
    est = float(primary["estimate"].iloc[0])
    outside = rows[(rows["ci_low"] > est) | (rows["ci_high"] < est)]
    side = (rows["ci_low"] > 0).astype(int) - (rows["ci_high"] < 0).astype(int)  # 1 above 0, -1 below, 0 across
    other_side = rows[side != int(side[primary.index[0]])]
    values = dict(lo=t.num(rows["estimate"].min(), 1), hi=t.num(rows["estimate"].max(), 1), est=t.num(est, 1))
    sentences = []
    if not outside.empty:
        sentences.append(t("disagree", which=", ".join(t(f"a_{a}") for a in outside["analysis"]), **values))
    if not other_side.empty:
        key = "agree_not_on_zero_in" if int(side[primary.index[0]]) == 0 else "agree_not_on_zero_out"
        sentences.append(t(key, which=", ".join(t(f"a_{a}") for a in other_side["analysis"])))
    return " ".join(sentences) if sentences else t("agree", n=len(rows), **values)


def build_context(tables: dict[str, pd.DataFrame], figures: dict[str, str], provenance: dict, config: dict,
                  t: Translator, arms: dict[str, str]) -> dict:
    """Everything the template shows, formatted in the report's language."""
    e = tables["effects"]
    threshold = config["report"]["suppress_below"]
    itt = e[e["analysis"] == "itt"]
    who5_12 = e[(e["outcome"] == "who5") & (e["timepoint_months"] == t.primary_visit)
                & ~e["analysis"].str.startswith("subgroup:")]
    sub = e[e["analysis"].str.startswith("subgroup:")]

    def not_estimated(r: pd.Series) -> str:
        return f"{t('not_estimated')}: {reason_text(r, t)}"

    def est_ci(r: pd.Series, digits: int = 2, factor: float = 1.0) -> str:
        if pd.isna(r["estimate"]):
            return not_estimated(r)
        return t.est_ci(r['estimate'] * factor, r['ci_low'] * factor, r['ci_high'] * factor, digits)

    baseline = [{"level": t.label(str(r["level"])), "characteristic": t.label(str(r["characteristic"])),
                 "FIT": t.label(str(r["FIT"])), "control": t.label(str(r["control"])),
                 "std": t.num(r["std_difference"], 3)} for _, r in tables["baseline"].fillna("").iterrows()]
    itt_who5 = itt[itt["outcome"] == "who5"].set_index("timepoint_months")

    def mean_ci(r: pd.Series, arm: str) -> str:
        if pd.isna(r[f"{arm}_mean"]):
            return ""
        return t.est_ci(r[f"{arm}_mean"], r[f"{arm}_ci_low"], r[f"{arm}_ci_high"], 1)
    primary = []
    for _, r in tables["primary_outcome"].iterrows():
        month = int(r["visit_months"])
        if pd.isna(r["difference"]) and month in itt_who5.index:
            r = r.copy()
            r["_reason"] = not_estimated(itt_who5.loc[month])
        primary.append({"month": int(r["visit_months"]),
                        "FIT": mean_ci(r, "FIT"), "control": mean_ci(r, "control"),
                        "difference": r.get("_reason", "") if pd.isna(r["difference"]) else
                        t.est_ci(r['difference'], r['difference_ci_low'], r['difference_ci_high'], 2),
                        "df": t.num(r["df"], 1), "p": t.p(r["p_value"])})
    itt_or = itt[itt["scale"] == "odds_ratio"].set_index("outcome")

    def odds_text(r: pd.Series) -> str:
        if pd.isna(r.get("or")):
            return not_estimated(itt_or.loc[r["outcome"]]) if r["outcome"] in itt_or.index else ""
        return t.est_ci(r['or'], r['or_ci_low'], r['or_ci_high'])

    secondary = []
    for _, r in tables["secondary_outcomes"].iterrows():
        def ev(a: str) -> str:
            pct = "" if pd.isna(r[f"{a}_percent"]) else f" ({t.num(r[f'{a}_percent'], 1)}%)"
            return f"{t.count(r[f'{a}_events'])} / {t.count(r[f'{a}_n'])}{pct}"
        secondary.append({"outcome": t.outcome(r['outcome']), "FIT": ev("FIT"), "control": ev("control"),
                          "or": odds_text(r),
                          "p": t.p(r.get("or_p")), "p_holm": t.p(r.get("or_p_holm")),
                          "rd": "" if pd.isna(r.get("rd_per_100")) else
                          t.est_ci(r['rd_per_100'], r['rd_per_100_ci_low'], r['rd_per_100_ci_high'], 1)})
    def with_mc(r: pd.Series) -> str:  # an MI estimate with its Monte Carlo SE
        mc = r.get("mc_se")
        return est_ci(r) + (f"; {t('mc_se')} {t.num(mc, 2)}" if pd.notna(mc) and pd.notna(r["estimate"]) else "")

    triangulation = [{"analysis": t(f"a_{r['analysis']}"), "estimate": with_mc(r), "df": t.num(r["df"], 1),
                      "p": t.p(r["p_value"]), "n": f"{t.count(r['n_citizens'])} / {t.count(r['n_clusters'])}"}
                     for _, r in who5_12.iterrows()]
    subgroups = [{"level": subgroup_label(r["analysis"], t), "n": t.count(r["n_citizens"]), "estimate": est_ci(r),
                  "p": t.p(r["p_value"]), "p_interaction": t.p(r["p_interaction"])}
                 for _, r in sub.iloc[sorted(range(len(sub)), key=lambda i: subgroup_order(sub["analysis"].iloc[i]))]
                 .iterrows()]
    dropout = [{"analysis": t(f"a_{r['analysis']}"), "estimate": est_ci(r), "p": t.p(r["p_value"]),
                "n": f"{t.count(r['n_citizens'])} / {t.count(r['n_clusters'])}"}
               for _, r in e[e["analysis"].isin(analyses_of("time_to_dropout"))].iterrows()]
    cif = [{"arm": arms.get(r["arm"], r["arm"]), "day": int(r["day"]), "n": r["n_at_risk"] or "-",
            "cif": "-" if pd.isna(r["cumulative_incidence"]) else
            t.est_ci(100 * r['cumulative_incidence'], 100 * r['ci_low'], 100 * r['ci_high'], 1)}
           for _, r in tables["cif_dropout"].iterrows()] if "cif_dropout" in tables else []
    icc = [{"outcome": t.outcome(r['outcome']), "scale": t.label(str(r["scale"])),
            "icc": t.est_ci(r['icc'], r['ci_low'], r['ci_high'], 3) if pd.notna(r["icc"]) else
            not_estimated(r),
            "deff": t.num(r["design_effect_unequal"], 2)} for _, r in tables["icc"].iterrows()]
    tipping, tipping_2d = tipping_sentences(tables["tipping_point"], tables.get("tipping_point_2d"), t, arms)
    estimand, intercurrent = estimand_rows(config.get("estimand"), t, blinded=arms.get("FIT") == "A")
    oc = oc_appendix(tables.get("operating_characteristics"), t, randomised_caseworkers(tables))
    completion = [{"month": int(r["visit_months"]), "arm": arms.get(r["arm"], r["arm"]),
                   "value": f"{t.count(r['completed'])} / {t.count(r['enrolled'])}" + ("" if pd.isna(r["percent"]) else
                                                                    f" ({t.num(r['percent'], 1)}%)")}
                  for _, r in tables["who5_completion"].iterrows()]
    predictors = [{"predictor": "" if pd.isna(r["predictor"]) else t.label(str(r["predictor"])),
                   "or": t.est_ci(r['odds_ratio'], r['ci_low'], r['ci_high']) if pd.notna(r["odds_ratio"])
                   else t.translate(str(r["method"])), "p": t.p(r["p_value"])}
                  for _, r in tables["missingness_predictors"].iterrows()]
    practice = [{"measure": t.label(str(r["measure"])), "value": t.label(str(r["value"]))}
                for _, r in tables["fit_practice"].iterrows()]

    def method_label(a: str, o: str) -> str:
        if a.startswith("subgroup:"):
            return f"{t('s_subgroups')}: {subgroup_name(a.split(':', 1)[1].split('=')[0], t)}"
        return t("a_itt_binary") if a == "itt" and o != "who5" else t(f"a_{a}")

    def method_text(a: str, o: str, m: str) -> str:  # the effects table's method, in the report's language
        return t.translate(m)
    # one row per analysis and outcome in both languages (the first row's method: the rows of one analysis and
    # outcome share it)
    seen: dict[tuple[str, str], str] = {}
    for a, o, m in zip(e["analysis"], e["outcome"], e["method"]):
        seen.setdefault((method_label(a, o), t.outcome(o)), method_text(a, o, m))
    methods = sorted((k[0], k[1], v) for k, v in seen.items())
    recruitment = None  # recruitment after randomisation (CONSORT cluster item 10b; fittrial.analyses.recruitment)
    if tables.get("recruitment") is not None:
        from fittrial.report.recruitment import methods_rows, report_context

        recruitment = report_context(tables["recruitment"], t, arms)
        methods = list(methods) + methods_rows(tables["recruitment"], t)
    from fittrial.report.sections import plan_rows

    plan = plan_rows(config, t)
    locked = provenance.get("software", {}).get("packages", {})
    workflow = provenance.get("workflow", {})
    prov = {
        "date": provenance.get("run", {}).get("finished_utc", ""),
        "runtime": t.num(provenance.get("run", {}).get("seconds_since_input_check", ""), 1),
        "commit": f"{workflow.get('commit') or t('not_recorded')} "
                  f"{t('uncommitted') if workflow.get('uncommitted_changes') else ''}",
        "plan": provenance.get("analysis_plan_sha256", ""), "config": provenance.get("effective_config_sha256", ""),
        "seeds": ", ".join(f"{t(f'seed_{k}') if f'seed_{k}' in t.text else k} {v}" for k, v in provenance.get("seeds", {}).items()),
        "packages": ", ".join(f"{p} {locked[p]['locked']}" for p in KEY_PACKAGES if p in locked),
        "inputs": [{"name": t(f"input:{k}") if f"input:{k}" in t.text else k, "path": v["path"], "sha256": v["sha256"]}
                   for k, v in provenance.get("inputs", {}).items()],
        "config_files": [{"path": k, "sha256": v} for k, v in provenance.get("config_files", {}).items()],
        "outputs": [{"path": k, "sha256": v} for k, v in provenance.get("outputs", {}).items()],
    }
    quality = [{"table": t.localise(r["table"]), "check": t.label(str(r["check"])), "count": r["count"]}
               for r in tables["data_quality"].fillna("").to_dict("records")]
    from fittrial.report.sections import yardstick_context

    yard = yardstick_context(tables, config, t, arms, blinded=arms.get("FIT") == "A")
    summary = plain_summary(e, t, threshold)
    if yard["band"] not in ("not_estimated", "no_mid"):
        # how the effect compares with the smallest important difference, both ways: an important improvement
        # and an important worsening, each ruled out or not
        summary[1:1] = yard["sentences"][:2]
    return dict(
        yardsticks=yard, alt=alt_texts(tables, t, arms, who5_12), source=lambda *names: t("source", f=", ".join(f"tables/{n}.csv" for n in names)),
        t=t, lang=t.language, version=__version__, arms=arms, threshold=threshold,
        summary=summary, baseline=baseline, primary=primary, secondary=secondary,
        triangulation=triangulation, agreement=agreement_sentence(who5_12, t), tipping=tipping,
        tipping_2d=tipping_2d, estimand=estimand, intercurrent=intercurrent, oc=oc,
        subgroups=subgroups, dropout=dropout, cif=cif, icc=icc, completion=completion, predictors=predictors,
        practice=practice, methods=methods, plan=plan, prov=prov, quality=quality,
        recruitment=recruitment,
        figures={k: embed_png(v) for k, v in figures.items()},
    )


def alt_texts(tables: dict[str, pd.DataFrame], t: Translator, arms: dict[str, str], who5_12: pd.DataFrame
              ) -> dict[str, str]:
    """Alternative text of every figure: what it shows, with its key numbers where it has a few."""
    out = {k: t(f"alt_{k}") for k in ("flow", "forest_subgroups", "cif", "fit_practice", "tipping_point_2d")}
    p = tables["primary_outcome"]
    row = p[p["visit_months"] == t.primary_visit]
    x = t.num(row["FIT_mean"].iloc[0], 1) if len(row) else ""
    y = t.num(row["control_mean"].iloc[0], 1) if len(row) else ""
    baseline = (p["visit_months"] == 0).any()
    out["trajectories"] = t("alt_trajectories" if baseline else "alt_trajectories_no_baseline", a=arms["FIT"],
                            b=arms["control"], x=x or "-", y=y or "-")
    est = who5_12["estimate"].dropna()
    out["forest_who5"] = t("alt_forest_who5", n=len(est), lo=t.num(est.min(), 1) if len(est) else "-",
                           hi=t.num(est.max(), 1) if len(est) else "-")
    return out


def randomised_caseworkers(tables: dict[str, pd.DataFrame]) -> int | None:
    """The caseworkers randomised in this trial (both arms), from the flow table; None when unknown."""
    flow = tables.get("flow")
    if flow is None or flow.empty or "stage" not in flow:
        return None
    row = flow[flow["stage"] == "randomised"]
    try:
        return int(row["FIT_caseworkers"].iloc[0]) + int(row["control_caseworkers"].iloc[0])
    except (IndexError, KeyError, ValueError):
        return None


def estimand_rows(estimand: dict | None, t: Translator, blinded: bool = False) -> tuple[list[dict], list[dict]]:
    """The estimand's attributes and its intercurrent events with their strategies, in the report's language.

    Each text of the config is one string or a mapping per language. An
    attribute the config leaves empty is "not stated", except the variable and
    the population-level summary, which are then said from the primary outcome
    and visit (what the primary analysis estimates whatever the trial). No
    intercurrent event listed is one row "not stated". Blinded, the treatment
    conditions and the summary name arms A and B only.
    """
    estimand = estimand or {}

    def text(value: object) -> str:
        if isinstance(value, dict):
            value = value.get(t.language) or value.get("en") or next(iter(value.values()), "")
        return str(value or "").replace("{m}", str(t.primary_visit)).strip()

    said = {"e_variable": t("e_variable_default"), "e_summary": t("e_summary_default")}
    attributes = [("e_population", estimand.get("population")), ("e_treatments", estimand.get("treatments")),
                  ("e_variable", estimand.get("variable")), ("e_summary", estimand.get("summary"))]
    rows = []
    for key, value in attributes:
        if blinded and key in ("e_treatments", "e_summary"):
            value = t(f"{key}_blinded")
        rows.append({"attribute": t(key), "description": text(value) or said.get(key) or t("cs_not_stated"),
                     "stated": bool(text(value)) or key in said})
    events = [{"event": text(e.get("event")), "strategy": t(f"st_{e.get('strategy')}"),
               "handling": text(e.get("handling")) or t("cs_not_stated")}
              for e in estimand.get("intercurrent_events") or []]
    if not events:
        events = [{"event": t("cs_not_stated"), "strategy": "", "handling": ""}]
    return rows, events


PRESPECIFIED = ("primary", "clda", "cluster_level", "multiple_imputation", "dropout_gee", "dropout_cox",
                "subgroup_interaction")
OC_COLUMNS = PRESPECIFIED + ("primary_satterthwaite", "naive")


def oc_appendix(oc: pd.DataFrame | None, t: Translator, caseworkers: int | None = None) -> dict:
    """The appendix on operating characteristics: a scenario x method table of the rejection rate (type-I
    error or power) with the coverage, and a sentence naming every pre-specified analysis outside the targets
    (type-I error 4-6%, coverage 93.5-96.5%) under a no-effect scenario, judged with its Monte Carlo error.

    The study must be of this trial's design: when it records the caseworkers
    its base scenario simulated (column ``n_caseworkers``) and they are not the
    ``caseworkers`` this trial randomised, or when no study is configured, the
    appendix is only a sentence that says so and how to make one
    (``{"missing": sentence}``); a study is never shown under another trial's
    title."""
    if oc is None or oc.empty:
        return {"missing": t("oc_not_computed")}
    if caseworkers is not None and "n_caseworkers" in oc:
        base = oc[oc["scenario"] == "no_effect"] if (oc["scenario"] == "no_effect").any() else oc
        simulated = int(base["n_caseworkers"].iloc[0]) if pd.notna(base["n_caseworkers"].iloc[0]) else None
        if simulated is not None and simulated != int(caseworkers):
            return {"missing": t("oc_other_design", simulated=t.count(simulated), k=t.count(caseworkers))}
    elif caseworkers is not None:
        return {"missing": t("oc_unknown_design")}
    methods = [m for m in OC_COLUMNS if m in set(oc["method"])]
    scenarios = sorted(set(oc["scenario"]), key=lambda x: (not x.startswith("no_effect"), x))
    cells = oc.set_index(["scenario", "method"])
    rows = []
    for scen in scenarios:
        values: list[str] = []
        row = {"scenario": scenario_name(scen, t), "values": values}
        for m in methods:
            if (scen, m) not in cells.index:
                values.append("")
                continue
            r = cells.loc[(scen, m)]
            text = f"{t.num(100 * r['rejection_rate'], 1)}%" if pd.notna(r["rejection_rate"]) else ""
            if pd.notna(r.get("coverage")):
                text += f" ({t.num(100 * r['coverage'], 1)}%)"
            values.append(text)
        rows.append(row)
    outside = []
    for (scen, m), r in cells.iterrows():
        if not scen.startswith("no_effect") or m not in PRESPECIFIED:
            continue
        z = 1.96 * r["rejection_rate_mcse"] if pd.notna(r["rejection_rate_mcse"]) else 0.0
        bad_type1 = pd.notna(r["rejection_rate"]) and (r["rejection_rate"] - z > 0.06 or r["rejection_rate"] + z < 0.04)
        zc = 1.96 * r["coverage_mcse"] if pd.notna(r.get("coverage_mcse")) else 0.0
        bad_cover = pd.notna(r.get("coverage")) and (r["coverage"] + zc < 0.935 or r["coverage"] - zc > 0.965)
        if bad_type1 or bad_cover:
            outside.append(t("oc_cell" if pd.notna(r.get("coverage")) else "oc_cell_rate", method=t(f"m_{m}"),
                             scenario=scenario_name(scen, t), rate=t.num(100 * r["rejection_rate"], 1),
                             cover=t.num(100 * r["coverage"], 1) if pd.notna(r.get("coverage")) else ""))
    n = int(oc["n_trials"].max()) if "n_trials" in oc else 0
    outside_text = t("oc_outside", cells="; ".join(outside)) if outside else t("oc_none_outside")
    mnar = [s for s in scenarios if s.startswith("mnar")]
    if mnar and (mnar[0], "primary") in cells.index:
        outside_text += " " + t("oc_mnar", scenario=scenario_name(mnar[0], t),
                                rate=t.num(100 * cells.loc[(mnar[0], "primary")]["rejection_rate"], 1))
    return {"header": [t(f"m_{m}") for m in methods], "rows": rows, "intro": t("oc_intro", n=t.count(n)),
            "outside": outside_text, "missing": ""}


def tipping_sentences(tip: pd.DataFrame, grid: pd.DataFrame | None, t: Translator, arms: dict[str, str]
                      ) -> tuple[str, str]:
    """The tipping-point sentences: the FIT arm shifted alone (which shift changes the conclusion, in which
    direction, and to what), and both arms shifted (the smallest pair of shifts that changes it)."""
    if tip.empty:  # the multiple imputation was not estimated
        return t("tipping", text=t("not_estimated").lower()), ""
    arms = {k: v if len(v) == 1 or k == "FIT" else v.lower() for k, v in arms.items()}  # "the control arm"

    def said(code: str) -> str:
        arm = {"favours_fit": arms["FIT"], "favours_A": arms["FIT"], "favours_control": arms["control"],
               "favours_B": arms["control"]}.get(code)
        return t("c_favours", arm=arm) if arm else t("c_none")

    at_mar = tip.loc[tip["delta"].abs().idxmin()]
    before = said(str(at_mar["conclusion"])) if "conclusion" in tip else ""
    delta = tip["tipping_delta"].iloc[0]
    if pd.isna(delta):
        one = t("tipping_none", arm=arms["FIT"], lo=t.num(tip["delta"].min(), 1), hi=t.num(tip["delta"].max(), 1),
                before=before)
    else:
        row = tip.loc[(tip["delta"] - delta).abs().idxmin()]
        one = t("tipping_at", before=before, after=said(str(row["conclusion"])), arm=arms["FIT"],
                d=t.num(abs(delta), 1), dir=t("higher") if delta > 0 else t("lower"))
    two = ""
    if grid is not None and len(grid):
        cols = [c for c in grid.columns if c.startswith("delta_")]
        fit_col, con_col = cols[0], cols[1]
        mar = grid.loc[(grid[fit_col].abs() + grid[con_col].abs()).idxmin(), "conclusion"]
        changed = grid[grid["conclusion"] != mar]
        if changed.empty:
            two = t("tipping_2d_none", lo=t.num(grid[fit_col].min(), 1), hi=t.num(grid[fit_col].max(), 1))
        else:
            size = changed[[fit_col, con_col]].abs().max(axis=1)
            first = changed.loc[size.sort_values(kind="mergesort").index[0]]
            two = t("tipping_2d", a=t.num(first[fit_col], 1), arm_a=arms["FIT"], b=t.num(first[con_col], 1),
                    arm_b=arms["control"], after=said(str(first["conclusion"])))
        two += "."
    return t("tipping", text=one), two


NUMBERED_SECTIONS = ("s_design", "s_flow", "s_baseline", "s_primary", "s_yardsticks", "s_secondary", "s_triangulation",
                     "s_practice", "s_missing", "s_methods")


def section_titles(t: Translator, practice: bool, secondary: bool = True):
    """Section titles numbered 1, 2, ... over the sections present (a section left out, such as FIT in practice in
    a blinded review, leaves no gap in the numbering); unnumbered sections keep their title."""
    present = [k for k in NUMBERED_SECTIONS if (practice or k != "s_practice") and (secondary or k != "s_secondary")]

    def title(key: str) -> str:
        return f"{present.index(key) + 1}. {t(key)}" if key in present else t(key)

    return title


def keep_headings_with_next(html: str) -> str:
    """Wrap each h2/h3 heading and the element after it (figure, table or paragraph) in a block the browser does
    not break across pages when printing (Chromium ignores break-after: avoid before a figure)."""
    import re

    pattern = re.compile(r"(<h[23][^>]*>.*?</h[23]>\s*)(<figure>.*?</figure>|<table>.*?</table>|<p[^>]*>.*?</p>"
                         r"|<div[^>]*>.*?</div>)", re.S)
    return pattern.sub(lambda m: f'<div class="keep">{m.group(1)}{m.group(2)}</div>', html)


def render_report(tables: dict[str, pd.DataFrame], figures: dict[str, str], provenance: dict, config: dict,
                  target: str | Path, arms: dict[str, str] | None = None, blinded: bool = False,
                  pdf_target: str | Path | None = None) -> None:
    """Render the report to ``target`` (HTML) and, if given, ``pdf_target`` (same content), atomically.

    ``blinded``: arms shown as A and B only.
    """
    words = {key: config.get(key) for key in ("units", "arms", "outcome", "binary_outcomes") if config.get(key)}
    t = Translator(config["report"].get("language", "en"), blinded=blinded,
                   primary_visit=config.get("analysis", {}).get("primary_visit", 12), words=words)
    from fittrial.report.sections import allocation_design

    if (allocation_design(tables.get("flow")) or ("",))[0] == "pair_matched":
        t.matched_pairs()
    arms = arms or t.arm_names()
    env = jinja2.Environment(loader=jinja2.PackageLoader("fittrial.report", "templates"),
                             autoescape=jinja2.select_autoescape(["html"]), undefined=jinja2.StrictUndefined)
    context = build_context(tables, figures, provenance, config, t, arms)
    # without any ORS/SRS form the section says so in one sentence (no table of zeros, no empty figures)
    practice = tables["fit_practice"]
    with_meeting = practice.loc[practice["measure"] == text("lbl_fit_citizens_with_meeting"), "value"].astype(str) \
        if "measure" in practice else pd.Series(dtype=str)
    # (for a FIT trial: a trial of another intervention, with its own arms in the config, has no ORS/SRS)
    fit_trial = not (config.get("arms") or {})
    context["practice_none"] = t("practice_none") if fit_trial and not blinded and (
        practice.empty or (with_meeting == "0").any()) else ""
    if blinded or context["practice_none"]:
        context["practice"] = []
    context["show_cif"] = any(r["cif"] != "-" for r in context["cif"])
    context["show_secondary"] = bool(context["secondary"]) or context["show_cif"] or any(
        "not recorded for any" not in r["estimate"] for r in context["dropout"])
    context["has_baseline"] = bool((tables["primary_outcome"]["visit_months"] == 0).any())
    context["primary_note"] = t("primary_note" if context["has_baseline"] else "primary_note_no_baseline")
    context["sec"] = section_titles(t, bool(context["practice"] or context["practice_none"]),
                                    context["show_secondary"])
    from fittrial.report.sections import consort_rows

    context["consort"] = consort_rows(config.get("trial"), tables, t, arms, context["sec"], context["yardsticks"])
    from fittrial.report.sections import checklist_rows, config_text, identified_title

    trial = config.get("trial") or {}
    # CONSORT-cluster 1a: the title says the trial is cluster randomised (added when the config's title does not)
    context["title"] = identified_title(config_text(trial.get("title"), t) or t("title"), t)
    from fittrial.report.abstract import abstract_rows

    context["abstract"] = abstract_rows(config, tables, t, arms, context["yardsticks"], blinded=blinded)
    context["checklist"] = checklist_rows(trial, tables, t, context["sec"], context["yardsticks"],
                                          context["show_secondary"])
    from fittrial.report.sections import allocation_design

    design = allocation_design(tables.get("flow"))
    context["subtitle"] = t("subtitle") if blinded or not design or design[0] == "stratified" else \
        t(f"subtitle_{design[0]}")
    if blinded and config["report"].get("blinded_arm_sizes") == "total":
        context["subtitle"] = t("subtitle_sizes_hidden")
    context["data_note"] = config_text(trial.get("data_note"), t)
    from fittrial.report.layout import report_blocks

    context["version"] = __version__
    html = keep_headings_with_next(env.get_template("report.html").render(
        blocks=report_blocks(context), title=context["title"], lang=t.language))
    write_text(html, target)
    if pdf_target is not None:
        from fittrial.report.pdf import render_pdf

        render_pdf(context, pdf_target)


__all__ = ["render_report", "build_context", "plain_summary", "agreement_sentence"]
