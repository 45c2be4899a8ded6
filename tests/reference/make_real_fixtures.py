"""Analysis data of the three real trials (tools/convert_real_trials.py) for the R reference
(make_real_reference.R), written to a folder outside the repository (default /tmp/fittrial-real).

    .venv/bin/python tests/reference/make_real_fixtures.py [FOLDER]
    Rscript tests/reference/make_real_reference.R [FOLDER]

Each trial is converted and run through the workflow up to its analysis data; ``<FOLDER>/<name>/long.csv`` holds
the primary model's rows (one per individual and follow-up visit with the outcome: who5, fit, visit, stratum,
caseworker_id, citizen_id, baseline_who5, baseline_missing) and ``<FOLDER>/<name>/meta.csv`` the primary visit. The
R script writes tests/fixtures/real_trials/<name>/r_lme4.csv.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import yaml

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))

from convert_real_trials import TRIALS, convert  # noqa: E402


def main(folder: str = "/tmp/fittrial-real") -> None:
    snakemake = Path(sys.executable).with_name("snakemake")
    for name in TRIALS:
        work = convert(name, folder)
        proc = subprocess.run([str(snakemake), "-s", str(ROOT / "Snakefile"), "--cores", "2",
                               "--configfile=config.yaml", "--until", "analysis_data", "-q"], cwd=work,
                              capture_output=True, text=True)
        if proc.returncode:
            raise SystemExit(proc.stderr[-3000:])
        long = pd.read_parquet(work / "data" / "derived" / "analysis" / "who5_long.parquet")
        long.to_csv(work / "long.csv", index=False)
        config = yaml.safe_load((work / "config.yaml").read_text(encoding="utf-8"))
        pd.DataFrame([{"primary_visit": config["analysis"]["primary_visit"]}]).to_csv(work / "meta.csv", index=False)
        print(work)


if __name__ == "__main__":
    main(*sys.argv[1:])
