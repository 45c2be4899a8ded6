"""The lowest layer, imported by every other: user-facing errors (:mod:`.errors`), atomic writing of outputs
(:mod:`.files`), t and F tails without scipy.stats (:mod:`.tdist`), and the catalogue of a trial's outcomes
and words read from its config (:mod:`.catalogue`). Nothing here imports another fittrial package.
"""
