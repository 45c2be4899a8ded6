"""The fitting engines and when they may be used: the estimability rules (:mod:`.estimable`), REML for the
nested mixed model (:mod:`.lmm`; many fits at once: :mod:`.batch`; Satterthwaite and Kenward-Roger df:
:mod:`.smallsample`), the effect models and their contrasts
(:mod:`.effects`), logit GEE with small-sample sandwiches (:mod:`.gee`) and the joint imputation model
(:mod:`.jointmodel`).
"""
