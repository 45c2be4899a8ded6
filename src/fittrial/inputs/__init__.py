"""From the user's files to the analysis data: reading tables (:mod:`.read`), typing cells (:mod:`.cells`),
the input contract (:mod:`.validation`), scoring and visit windows (:mod:`.scoring`), the analysis data sets
(:mod:`.dataset`), the Excel template (:mod:`.template`), the data-check page (:mod:`.datacheck`) and the
blinding key (:mod:`.blinding`).
"""
