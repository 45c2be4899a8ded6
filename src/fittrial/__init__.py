"""fittrial: evaluation pipeline for cluster-randomised trials, built for the trial of Feedback Informed Treatment
(FIT) in Danish housing support.

All analysis logic lives here as plain functions; the Snakemake workflow under ``workflow/`` only unpacks its
inputs and calls the functions of :mod:`fittrial.steps`. The subpackages are layers: each imports only from the
layers below it (``tests/test_architecture.py`` keeps it so), from the bottom up:

base       errors for users, atomic files, t and F tails, the catalogue of outcomes and words (config only)
language   the report's languages: every text in English and Danish, number formats, the trial's own words
inputs     reading the input tables, the input contract, scoring and visits, the analysis data, the Excel
           template, the data-check page, the blinding key
publish    what may be published: small-count suppression, analysis populations, arm labels, provenance, and
           the all-or-nothing release of the report set
models     the estimability rules and the fitting engines: REML mixed models (one fit or many at once), GEE,
           the joint imputation model
analyses   each analysis of the trial: sensitivity, randomisation test, multiple imputation, ICC, time to
           dropout, recruitment, yardsticks, FIT in practice
report     the report's tables, figures, sections and their HTML and PDF rendering
design     simulation of trials, operating characteristics, and the design of the next trial
steps      the workflow's steps (file paths in, files out) and the checks of the config
"""

__version__ = "0.1.0"
