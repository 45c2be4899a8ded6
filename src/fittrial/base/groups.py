"""Rows grouped by a label, once: the building block of every per-cluster step, linear in the rows.

``[np.flatnonzero(labels == g) for g in unique labels]`` costs rows x groups comparisons (quadratic when the groups
grow with the data: 1.9 s per Kenward-Roger fit at 3,000 caseworkers); :func:`group_rows` sorts the integer codes
once and splits (O(n log n)), and gives the same rows in the same order.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def group_rows(labels: np.ndarray | pd.Series, sort: bool = False) -> list[np.ndarray]:
    """The row positions of each label, ascending within a group; groups in order of first appearance (as
    ``pd.unique``) or, with ``sort``, of the sorted labels (as ``np.unique``)."""
    codes, uniques = pd.factorize(np.asarray(labels), sort=sort)
    order = np.argsort(codes, kind="stable")
    return np.split(order, np.searchsorted(codes[order], np.arange(1, len(uniques))))


__all__ = ["group_rows"]
