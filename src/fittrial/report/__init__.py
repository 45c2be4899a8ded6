"""The trial report: its published tables (:mod:`.tables`), figures (:mod:`.figures`), sections
(:mod:`.sections`, :mod:`.recruitment`), the context every section is written from (:mod:`.context`) and
its PDF (:mod:`.pdf`); the HTML template is in ``templates/``.
"""
