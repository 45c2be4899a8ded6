"""The attacks of issue 22 on whole report sets: a 12-caseworker trial and the bundled 65-caseworker example
(the 8-caseworker pilot and the 26-caseworker shapes, in CI: tests/test_shapes.py). Both run with the large
trials (``-m slow_shape``, not in CI: they add a minute to a suite close to CI's 15). A reader who holds every published
table can narrow down no count shown as <5 or as a range; the routes tried are those the issue found:

- a union and an intersection published in different tables (the CLDA's "554-557": any WHO-5 = baseline +
  follow-up - both);
- a flow-diagram side box against a count of the same reason elsewhere (dropouts by 12 months);
- a mean cluster size times the number of caseworkers (the ICC table), the mean caseload per arm;
- a percentage with its denominator (WHO-5 completion, course outcomes, baseline);
- outcomes not recorded against the numbers analysed (missing_outcomes.csv against secondary_outcomes.csv);
- a standardised difference of a binary baseline row whose count is hidden;
- a count of caseworkers <5 in one table and exact in another.

Each is a linear relation of the ledger (fittrial.publish.audit), so the reader's integer programme over the
published tables answers all of them at once; the small ledgers' own tests (tests/test_ledger.py) show each
route found on its own. Here the published tables are audited from scratch, not by the workflow's own record.
"""

from __future__ import annotations

import json
import shutil

import pandas as pd
import pytest
import yaml
from conftest import ROOT
from test_workflow import FAST, run_workflow

from fittrial.design.simulate import SimulationParameters, simulate_trial, write_trial
from fittrial.publish.audit import caseworker_ledger, citizen_ledger
from fittrial.publish.ledger import audit

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module", params=[pytest.param("12 caseworkers", marks=pytest.mark.slow_shape),
                                        pytest.param("bundled example", marks=pytest.mark.slow_shape)])
def report_set(request, tmp_path_factory):
    work = tmp_path_factory.mktemp("attack")
    if request.param == "12 caseworkers":
        paths = write_trial(simulate_trial(SimulationParameters(seed=12, strata={"A": 6, "B": 6},
                                                                citizens_per_caseworker=15)), work / "in")
        config = {"inputs": {k: f"in/{k}.csv" for k in paths}, "analysis": FAST}
    else:
        shutil.copytree(ROOT / "data" / "example", work / "data" / "example")
        config = yaml.safe_load((ROOT / "config" / "example.yaml").read_text(encoding="utf-8"))
        config["analysis"] = {**config.get("analysis", {}), **FAST}
    proc = run_workflow(work, config)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return request.param, work


def test_no_published_count_can_be_narrowed_down(report_set):
    name, work = report_set
    tables = work / "reports" / "tables"
    derived = work / "data" / "derived"
    citizens = pd.read_parquet(derived / "analysis" / "citizens.parquet")
    long = pd.read_parquet(derived / "analysis" / "who5_long.parquet")
    randomisation = pd.read_parquet(derived / "clean" / "randomisation.parquet")
    outcomes = [o for o in ("dropout", "completed", "kept_housing_12m", "eviction_or_risk_12m", "stable_income_12m")
                if o in citizens]
    # the exact integer programme on the 12-caseworker trial; on the example's 1,146 citizens it takes minutes,
    # and the linear relaxation (rounded to whole numbers) is what the workflow itself uses
    exact = len(citizens) <= 2000 and name != "bundled example"
    for ledger in (citizen_ledger(tables, citizens, long, outcomes, 5, [30, 50]),
                   caseworker_ledger(tables, randomisation, citizens, long, outcomes)):
        findings = audit(ledger, 5, exact=exact)
        assert [(f.where, f.shown, f.feasible) for f in findings if f.exposed] == [], name
    record = json.loads((work / "reports" / "provenance.json").read_text(encoding="utf-8"))["disclosure_audit"]
    assert record["citizens"]["exposed"] == 0 and record["caseworkers"]["exposed"] == 0
    # before secondary suppression the drafts did leave counts exposed (the check can fail): on both trials
    drafts = derived / "tables"
    before = [f for f in audit(citizen_ledger(drafts, citizens, long, outcomes, 5, [30, 50]), 5) if f.exposed]
    assert before, name
    assert record["citizens"]["suppressed_further"] > 0
    # a baseline row with a hidden count publishes no standardised difference
    baseline = pd.read_csv(tables / "baseline.csv", dtype=str, keep_default_na=False)
    for _, row in baseline.iterrows():
        if any(row[a].startswith(("<", "suppressed")) for a in ("FIT", "control")):
            assert row["std_difference"] == "", row["characteristic"]
