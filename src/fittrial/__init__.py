"""fittrial: evaluation pipeline for the cluster-randomised FIT trial in Danish housing support.

All analysis logic lives here as plain functions; the Snakemake workflow under
``workflow/`` only unpacks its inputs and calls these functions.

Modules
-------
errors      InputError and the formatting of user-facing problems
io          reading input tables (csv, parquet, xlsx, dta, sav) and atomic writing
validation  the input contract, enforced from the JSON Schemas in workflow/schemas
scoring     WHO-5 scoring and visit assignment
dataset     the analysis data sets (citizen level and long WHO-5)
simulate    a seeded simulator that writes a trial in the contract format
models      the primary linear mixed model and the secondary GEE analyses
tables      the effects table and descriptive tables (with small-count suppression)
figures     deterministic figures
report      the self-contained HTML trial report
"""

__version__ = "0.1.0"
