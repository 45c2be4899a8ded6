"""The report's languages: every user-visible text in English and Danish (:mod:`.i18n`, :mod:`.texts`),
number formats, and the trial's own words put in place of the FIT trial's (:class:`fittrial.language.vocabulary.Vocabulary`).
"""
