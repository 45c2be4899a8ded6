"""Student t quantiles and upper-tail probabilities (and the F upper tail) without importing ``scipy.stats``.

Importing ``scipy.stats`` takes 0.5-0.8 s, paid by every workflow step that only needs a t quantile or a
p-value. These functions call the same ``scipy.special`` routines that ``scipy.stats.t`` calls
(``stdtrit`` for the quantile, ``stdtr`` for the tail) with ``scipy.stats``' conventions (NaN when df <= 0
or NaN; the quantile only for 0 < q < 1, -inf/inf at 0/1), so the numbers are the same to the last bit
(tests/test_inference_methods.py compares them).
"""

from __future__ import annotations

import numpy as np
from scipy import special


def t_ppf(q, df):
    """The ``q`` quantile of the t distribution on ``df`` degrees of freedom (as ``scipy.stats.t.ppf``)."""
    q, df = np.asarray(q, float), np.asarray(df, float)
    inside = (df > 0) & (q > 0) & (q < 1)
    with np.errstate(invalid="ignore"):
        out = np.where(inside, special.stdtrit(np.where(inside, df, 1.0), np.where(inside, q, 0.5)), np.nan)
    out = np.where((df > 0) & (q == 1), np.inf, np.where((df > 0) & (q == 0), -np.inf, out))
    return out[()]


def t_sf(x, df):
    """P(T > x) for T t-distributed on ``df`` degrees of freedom (as ``scipy.stats.t.sf``)."""
    x, df = np.asarray(x, float), np.asarray(df, float)
    ok = (df > 0) & ~np.isnan(x)
    with np.errstate(invalid="ignore"):
        out = np.where(ok, special.stdtr(np.where(ok, df, 1.0), -np.where(ok, x, 0.0)), np.nan)
    return out[()]


def f_sf(x, dfn, dfd):
    """P(F > x) for F on (``dfn``, ``dfd``) degrees of freedom (as ``scipy.stats.f.sf``: ``fdtrc``, 1 below the
    support and at its lower end, NaN for df <= 0 or NaN)."""
    x, dfn, dfd = np.asarray(x, float), np.asarray(dfn, float), np.asarray(dfd, float)
    ok = (dfn > 0) & (dfd > 0)
    with np.errstate(invalid="ignore"):
        out = np.where(ok, special.fdtrc(np.where(ok, dfn, 1.0), np.where(ok, dfd, 1.0), np.maximum(x, 0.0)),
                       np.nan)
    out = np.where(ok & (x <= 0), 1.0, np.where(np.isnan(x), np.nan, out))
    return out[()]


__all__ = ["f_sf", "t_ppf", "t_sf"]
