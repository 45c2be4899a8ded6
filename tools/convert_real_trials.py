"""Turn the three public cluster-randomised trials in ``data/real/`` into the workflow's inputs, each with its own
config, as a user with these data would (their own column names, mapped in the config; their own units, arms,
outcome and trial facts).

    .venv/bin/python tools/convert_real_trials.py OUTDIR [NAME ...]

writes ``OUTDIR/<name>/`` with the input tables and ``config.yaml`` (paths relative to ``OUTDIR/<name>``, so run
``snakemake --configfile=config.yaml`` there). The trials (``data/real/<name>/PROVENANCE.md`` says where each comes
from and how its ``raw.csv`` was made):

* ``kenya_tracking``: 121 schools randomised to tracking or not; pupils' endline test score, no baseline (a
  post-test-only trial, one visit);
* ``balsakhi_vadodara``: 96 schools randomised to a remedial tutor (balsakhi) in grade 3 or not; pupils' test
  score at a pre-test and two follow-ups; one impossible mid-test record (238 of 100 points) is set to missing
  here, as a user would after the workflow refused it;
* ``washb_bangladesh``: WASH Benefits Bangladesh, Nutrition + WSH against Control in 90 matched blocks; one
  control cluster per block (the lower cluster id) is kept, which makes a pair-matched trial of 90 pairs;
  index children's length-for-age Z-score at years 1 and 2 (no baseline: they were born after enrolment) and
  diarrhoea in the past 7 days at year 2 as a binary outcome.

Nothing here is part of the package: it only prepares test data (tests/test_real_trials.py runs the workflow on
each). Deterministic: the same raw files give the same bytes.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import yaml

ROOT = Path(__file__).resolve().parents[1]
REAL = ROOT / "data" / "real"
TRIALS = ("kenya_tracking", "balsakhi_vadodara", "washb_bangladesh")
FAST = {"randomisation": {"n": 2000, "seed": 11}, "imputation": {"m": 20, "seed": 12}, "icc": {"bootstrap": 100,
                                                                                                  "seed": 13}}


def _write(frame: pd.DataFrame, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, index=False, lineterminator="\n")


def kenya_tracking(out: Path) -> dict:
    raw = pd.read_csv(REAL / "kenya_tracking" / "raw.csv", dtype=str, keep_default_na=False)
    schools = raw.groupby("schoolid", sort=True)["tracking"].first().reset_index()
    _write(schools.rename(columns={"schoolid": "school"}), out / "schools.csv")
    pupils = raw[["row", "schoolid", "girl", "agetest"]].rename(columns={"row": "pupil", "schoolid": "school"})
    pupils["pupil"] = "K" + pupils["pupil"].str.zfill(5)
    _write(pupils, out / "pupils.csv")
    tests = pd.DataFrame({"pupil": pupils["pupil"], "visit": "18", "totalscore": raw["totalscore"]})
    _write(tests, out / "tests.csv")
    return {
        "inputs": {
            "randomisation": {"path": "schools.csv", "columns": {"caseworker_id": "school", "arm": "tracking"},
                              "values": {"arm": {"1": "FIT", "0": "control"}}},
            "citizens": {"path": "pupils.csv", "columns": {"citizen_id": "pupil", "caseworker_id": "school",
                                                           "sex": "girl", "age": "agetest"},
                         "values": {"sex": {"1": "F", "0": "M"}}},
            "who5": {"path": "tests.csv", "columns": {"citizen_id": "pupil"}},
        },
        "visits": [{"visit": 18, "target_day": 548, "earliest_day": 450, "latest_day": 650}],
        "checks": {"age_min": 4, "age_max": 20},
        "units": {"cluster": {"en": ["school", "schools"], "da": ["skole", "skolen", "skoler", "skolerne"]},
                  "individual": {"en": ["pupil", "pupils"], "da": ["elev", "eleven", "elever", "eleverne"]}},
        "arms": {"intervention": {"en": "tracking", "da": "niveaudeling"},
                 "control": {"en": "no tracking", "da": "ingen niveaudeling"}},
        "outcome": {"name": {"en": "Endline test score (maths and literacy)",
                             "da": "Testscore ved afslutningen (matematik og læsning)"},
                    "short": {"en": "test score", "da": "testscore"}, "score_column": "totalscore",
                    "range": [0, 50], "unit": {"en": "points", "da": "point"}, "mid": None},
        "binary_outcomes": [],
        "analysis": {"primary_visit": 18, "subgroups": ["sex"], **FAST},
        "trial": {
            "title": {"en": "Tracking in Kenyan primary schools: report of a school-randomised trial",
                      "da": "Niveaudeling i kenyanske grundskoler: rapport fra et skolerandomiseret forsøg"},
            "background": "Duflo, Dupas & Kremer (2011), Peer effects, teacher incentives, and the impact of tracking: "
                          "evidence from a randomized evaluation in Kenya, American Economic Review 101(5).",
            "setting": "121 primary schools in western Kenya with one grade-1 class split into two sections.",
            "intervention": "Tracking: pupils assigned to the two sections by their prior achievement.",
            "control": "No tracking: pupils assigned to the sections at random.",
            "outcomes": "Total score of the endline test (maths and literacy) about 18 months after the start.",
            "data_note": {"en": "Public replication data (CRAN package QTE.RD, ddk_2011): only pupils with an endline "
                                "score are in the data, so about 17% of the pupils are missing without a trace.",
                          "da": "Offentlige replikationsdata (CRAN-pakken QTE.RD, ddk_2011): kun elever med en "
                                "slutscore er med, så omkring 17% af eleverne mangler sporløst."},
        },
    }


def balsakhi_vadodara(out: Path) -> dict:
    raw = pd.read_csv(REAL / "balsakhi_vadodara" / "raw.csv", dtype=str, keep_default_na=False)
    schools = raw.groupby("schoolid", sort=True)["bal"].first().reset_index()
    _write(schools, out / "schools.csv")
    pupils = raw[["studentid", "schoolid", "gender"]]
    _write(pupils, out / "pupils.csv")
    raw.loc[raw["studentid"] == "14248", ["mid_math", "mid_verb", "mid_tot"]] = ""  # 238 of 100 points: impossible
    tests = []
    for visit, prefix in ((0, "pre"), (4, "mid"), (8, "post")):
        part = raw[["studentid", f"{prefix}_tot"]].rename(columns={f"{prefix}_tot": "score"})
        tests.append(part[part["score"] != ""].assign(visit=str(visit)))
    tests = pd.concat(tests).sort_values(["studentid", "visit"], key=lambda c: c.astype(int), kind="mergesort")
    _write(tests[["studentid", "visit", "score"]], out / "tests.csv")
    return {
        "inputs": {
            "randomisation": {"path": "schools.csv", "columns": {"caseworker_id": "schoolid", "arm": "bal"},
                              "values": {"arm": {"1": "FIT", "0": "control"}}},
            "citizens": {"path": "pupils.csv", "columns": {"citizen_id": "studentid", "caseworker_id": "schoolid",
                                                           "sex": "gender"}},
            "who5": {"path": "tests.csv", "columns": {"citizen_id": "studentid"}},
        },
        "visits": [{"visit": 0, "target_day": 0, "earliest_day": -30, "latest_day": 60},
                   {"visit": 4, "target_day": 122, "earliest_day": 61, "latest_day": 183},
                   {"visit": 8, "target_day": 243, "earliest_day": 184, "latest_day": 300}],
        "units": {"cluster": {"en": ["school", "schools"], "da": ["skole", "skolen", "skoler", "skolerne"]},
                  "individual": {"en": ["pupil", "pupils"], "da": ["elev", "eleven", "elever", "eleverne"]}},
        "arms": {"intervention": {"en": "balsakhi", "da": "balsakhi"}, "control": {"en": "no balsakhi",
                                                                                  "da": "ingen balsakhi"}},
        "outcome": {"name": {"en": "Test score (maths and language)", "da": "Testscore (matematik og sprog)"},
                    "short": {"en": "test score", "da": "testscore"}, "score_column": "score", "range": [0, 100],
                    "unit": {"en": "points", "da": "point"}, "mid": None},
        "binary_outcomes": [],
        "analysis": {"primary_visit": 8, "subgroups": ["sex"], **FAST},
        "trial": {
            "title": "Remedial tutoring (balsakhi) in Vadodara, grade 3: report of a school-randomised trial",
            "background": "Banerjee, Cole, Duflo & Linden (2007), Remedying education: evidence from two randomized "
                          "experiments in India, Quarterly Journal of Economics 122(3).",
            "setting": "Municipal primary schools in Vadodara, India, school year 2001-02; grade 3.",
            "intervention": "A young woman from the community (balsakhi) teaches the pupils who lag behind, about "
                            "two hours a day outside the class.",
            "control": "The school's balsakhi worked with grade 4, not grade 3.",
            "outcomes": "Total score (maths and language, 0-100) at a pre-test, a mid-test and a post-test.",
            "data_note": "Public J-PAL data; the months of the mid-test (4) and post-test (8) are approximate (the "
                         "data hold no dates); one impossible mid-test record was set to missing.",
        },
    }


def washb_bangladesh(out: Path) -> dict:
    raw = pd.read_csv(REAL / "washb_bangladesh" / "raw.csv", dtype=str, keep_default_na=False)
    ids = raw["clusterid"].astype(int)
    control = raw[raw["tr"] == "Control"]
    first_control = control.assign(c=ids[control.index]).groupby("block")["c"].min()  # one control per block
    keep = (raw["tr"] != "Control") | (ids == raw["block"].map(first_control))
    data = raw[keep & (raw["tchild"] == "Target child")].copy()
    data["child"] = data["dataid"] + "-" + data["childid"]
    clusters = data.groupby("clusterid", sort=False)[["block", "tr"]].first().reset_index()
    clusters = clusters.sort_values("clusterid", key=lambda c: c.astype(int), kind="mergesort")
    _write(clusters, out / "clusters.csv")
    year2 = data[data["svy"] == "2"].set_index("child")["diar7d"]
    children = data.groupby("child", sort=False)[["clusterid", "sex"]].first().reset_index()
    children["diarrhoea_year2"] = children["child"].map(year2).fillna("")
    _write(children, out / "children.csv")
    laz = data[data["svy"].isin(["1", "2"]) & (data["laz"] != "")]
    laz = laz.assign(visit=laz["svy"].map({"1": "12", "2": "24"}))[["child", "visit", "laz"]]
    _write(laz, out / "growth.csv")
    return {
        "inputs": {
            "randomisation": {"path": "clusters.csv", "columns": {"caseworker_id": "clusterid", "stratum": "block",
                                                                  "arm": "tr"},
                              "values": {"arm": {"Nutrition + WSH": "FIT", "Control": "control"}}},
            "citizens": {"path": "children.csv", "columns": {"citizen_id": "child", "caseworker_id": "clusterid"},
                         "values": {"sex": {"male": "M", "female": "F"}}},
            "who5": {"path": "growth.csv", "columns": {"citizen_id": "child"}},
        },
        "visits": [{"visit": 12, "target_day": 365, "earliest_day": 200, "latest_day": 500},
                   {"visit": 24, "target_day": 730, "earliest_day": 550, "latest_day": 900}],
        "units": {"cluster": {"en": ["cluster", "clusters"], "da": ["klynge", "klyngen", "klynger", "klyngerne"]},
                  "individual": {"en": ["child", "children"], "da": ["barn", "barnet", "børn", "børnene"]}},
        "arms": {"intervention": {"en": "Nutrition + WSH", "da": "Ernæring + WSH"},
                 "control": {"en": "control", "da": "kontrol"}},
        "outcome": {"name": {"en": "Length-for-age Z-score", "da": "Længde-for-alder-Z-score"},
                    "short": {"en": "LAZ", "da": "LAZ"}, "score_column": "laz", "range": [-6, 6],
                    "unit": {"en": "SD units", "da": "SD-enheder"}, "mid": None},
        "binary_outcomes": [{"name": "diarrhoea", "column": "diarrhoea_year2",
                             "label": {"en": "Diarrhoea in the past 7 days (year 2)",
                                       "da": "Diarré inden for de seneste 7 dage (år 2)"}}],
        "analysis": {"primary_visit": 24, "allocation": "pair_matched", "subgroups": ["sex"], **FAST},
        "trial": {
            "title": "WASH Benefits Bangladesh, Nutrition + WSH against control: report of a pair-matched "
                     "cluster-randomised trial",
            "background": "Luby et al. (2018), Effects of water quality, sanitation, handwashing, and nutritional "
                          "interventions on diarrhoea and child growth in rural Bangladesh: a cluster randomised "
                          "controlled trial, Lancet Global Health 6(3).",
            "setting": "Villages in rural Bangladesh, 2012-2015; 90 blocks of 8 adjacent village clusters.",
            "sequence_generation": "Blocks of 8 geographically adjacent clusters; within each block clusters were "
                                   "randomised to the arms. Here: the block's Nutrition + WSH cluster and one of its "
                                   "two control clusters (the lower id), a matched pair.",
            "outcomes": "Length-for-age Z-score of the index child at years 1 and 2; diarrhoea in the past 7 days "
                        "at year 2.",
            "data_note": "Public data of the washb R package (github ben-arnold/washb); index children only.",
        },
    }


CONVERTERS = {"kenya_tracking": kenya_tracking, "balsakhi_vadodara": balsakhi_vadodara,
              "washb_bangladesh": washb_bangladesh}


def convert(name: str, outdir: str | Path) -> Path:
    """Write trial ``name``'s inputs and config into ``outdir/name``; return that folder."""
    out = Path(outdir) / name
    out.mkdir(parents=True, exist_ok=True)
    config = CONVERTERS[name](out)
    (out / "config.yaml").write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return out


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__)
        return 2
    for name in argv[1:] or TRIALS:
        print(convert(name, argv[0]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
