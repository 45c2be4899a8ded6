"""What may be published and how: suppression of small counts (:mod:`.disclosure`), the analysis
populations that every published count uses (:mod:`.populations`), the arms' labels in published tables
(:mod:`.labels`), the provenance record and the re-run check (:mod:`.provenance`), and the all-or-nothing
release of the report set (:mod:`.release`).
"""
