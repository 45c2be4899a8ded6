"""Each analysis of the trial beyond the primary model, as plain functions of the analysis data: the
sensitivity analyses, the randomisation test, multiple imputation, ICCs, time to dropout, recruitment after
randomisation, yardsticks for how much, and FIT in practice.
"""
