"""When can an analysis be estimated? Rules that decide it from the data, before any model is fitted.

Every analysis asks these rules first. If a rule fails, the analysis writes
its effects-table rows with the estimate empty and the rule's reason in the
``not_estimated`` column, in words a reader of the report understands
("no WHO-5 at 12 months in the control arm"). A model is fitted only on data
that pass; a numerical failure inside a fit that passed these rules is a bug.

The rules (K = caseworkers with data in the analysis):

* both arms have data at the time point;
* each arm has at least two caseworkers with data (one caseworker per arm
  confounds the arm with that caseworker; cluster-robust covariances and
  caseworker-level variances cannot be estimated);
* K exceeds the number of caseworker-level parameters, so that at least one
  caseworker-level degree of freedom is left;
* the design has full column rank (otherwise the arm is confounded with
  stratum or visit in the data analysed).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from fittrial.language.messages import text

ARM_NAMES = {1: "FIT", 0: "control"}


def months(visit: int) -> str:
    """'12 months' / '1 month' / 'baseline' (texts of the catalogue, :mod:`fittrial.language.messages`)."""
    if visit == 0:
        return text("w_baseline")
    return text("w_month_1") if visit == 1 else text("w_months", n=visit)


def who5_at(visit: int) -> str:
    """'WHO-5 at 12 months' / 'WHO-5 at baseline'."""
    if visit == 0:
        return text("w_who5_at_baseline")
    return text("w_who5_at_month_1") if visit == 1 else text("w_who5_at_months", n=visit)


def arm_the(arm: int | str) -> str:
    """'the FIT arm' / 'the control arm' (``arm``: 1/0 or the arm's name)."""
    return text(f"arm_the_{ARM_NAMES.get(arm, arm) if isinstance(arm, int) else arm}")


def arm_reason(data: pd.DataFrame, what: str, min_caseworkers: int = 2) -> str | None:
    """Reason why ``data`` (rows with the outcome observed; columns fit, caseworker_id) cannot compare arms."""
    for arm in (1, 0):
        sub = data[data["fit"] == arm]
        if sub.empty:
            return text("r_none_in_arm", what=what, arm_the=arm_the(arm))
        k = int(sub["caseworker_id"].nunique())
        if k < min_caseworkers:
            return text("r_one_caseworker_in_arm", k=k, arm_the=arm_the(arm), what=what, n=min_caseworkers)
    return None


def caseworker_df_reason(data: pd.DataFrame, n_between: int, what: str) -> str | None:
    """Reason when the caseworkers with data do not exceed the caseworker-level parameters."""
    k = int(data["caseworker_id"].nunique())
    if k <= n_between:
        return text("r_no_caseworker_df", k=k, what=what, n=n_between)
    return None


def rank_reason(X: pd.DataFrame) -> str | None:
    """Reason when the design matrix is not of full column rank."""
    if X.empty or np.linalg.matrix_rank(X.to_numpy(float)) < X.shape[1]:
        return text("r_rank")
    return None


def sentence(reason: str) -> str:
    """A reason as shown in a table: first letter capitalised."""
    return reason[:1].upper() + reason[1:]


def first(*reasons: str | None) -> str | None:
    """The first reason that is not None."""
    return next((r for r in reasons if r), None)


def who5_visit_reason(long: pd.DataFrame, visit: int) -> str | None:
    """Why the FIT - control WHO-5 contrast at ``visit`` cannot be estimated from ``long`` (or None)."""
    at = long[long["visit"] == visit]
    if at.empty:
        return text("r_none_in_data", what=who5_at(visit))
    return arm_reason(at, who5_at(visit))


def usable_visits(long: pd.DataFrame, visits: list[int]) -> tuple[list[int], dict[int, str]]:
    """Follow-up visits at which both arms can be compared, and the reason for every other visit."""
    ok, why = [], {}
    for v in visits:
        reason = who5_visit_reason(long, v)
        if reason:
            why[v] = reason
        else:
            ok.append(v)
    return ok, why


class NotEstimable(Exception):
    """Raised by an estimability rule (never by a numerical failure); the message is the reason in words.

    ``by_visit`` optionally gives the reason for each visit separately.
    """

    def __init__(self, reason: str, by_visit: dict[int, str] | None = None):
        super().__init__(reason)
        self.by_visit = dict(by_visit or {})

    @property
    def reason(self) -> str:
        return str(self.args[0])

    def at(self, visit: int) -> str:
        """The reason for one visit."""
        return self.by_visit.get(visit, self.reason)


def separation_reason(y: np.ndarray, X: pd.DataFrame, what: str) -> str | None:
    """Reason when a 0/1 column of the logistic design separates the binary ``y`` (complete separation).

    Checked for every group a 0/1 column marks (e.g. the FIT arm, a stratum,
    a missing-value indicator) and for the rest: if ``y`` is constant there,
    that column's coefficient is infinite and the model cannot be estimated.
    """
    y = np.asarray(y, float)
    for name in X.columns:
        col = X[name].to_numpy(float)
        if name == "intercept" or not np.isin(col, (0.0, 1.0)).all() or col.min() == col.max():
            continue
        for value, label in ((1.0, name), (0.0, text("w_not_group", group=name))):
            sub = y[col == value]
            if len(sub) and sub.min() == sub.max():
                return text("r_separation_group", what=what, value=int(sub[0]), group=label)
    if "fit" in X.columns and arm_separated(y, X.to_numpy(float), list(X.columns).index("fit")):
        return text("r_quasi_separation", what=what)
    return None


def arm_separated(y: np.ndarray, X: np.ndarray, column: int, tol: float = 1e-7) -> bool:
    """Whether the logistic likelihood of ``y`` on ``X`` keeps rising along a direction that moves coefficient
    ``column`` (quasi-complete separation involving the arm): whether some b with b[column] != 0 has
    (2y - 1) x_i'b >= 0 for every row. Then no finite estimate of that coefficient maximises the likelihood.

    The linear programme of Konis (2007; R's ``detectseparation``, ``safeBinaryRegression``), restricted to the
    arm's coefficient: maximise and minimise b[column] subject to those constraints and -1 <= b <= 1 (scipy's
    HiGHS). A design of full rank is assumed (a direction with x'b = 0 for every row would be collinearity). It
    catches what :func:`separation_reason`'s check of single groups does not, e.g. a rare outcome with no FIT
    events in one stratum and only events among the controls of another."""
    from scipy.optimize import linprog

    s = 2.0 * np.asarray(y, float) - 1.0
    A = -(s[:, None] * X)
    for sign in (1.0, -1.0):
        c = np.zeros(X.shape[1])
        c[column] = -sign
        res = linprog(c, A_ub=A, b_ub=np.zeros(len(s)), bounds=[(-1.0, 1.0)] * X.shape[1], method="highs")
        if res.status == 0 and -res.fun > tol:
            return True
    return False


# --- every analysis stands alone -------------------------------------------------------------------------------

INJECT_VARIABLE = "FITTRIAL_INJECT_FAILURE"
"""Environment variable naming analyses (comma-separated, as given to :func:`guarded`) that fail on purpose: the
tests use it to check that one failing analysis leaves every other one, and the report, in place."""


def log_file() -> str:
    """The log file of the running workflow step (the file handler :func:`fittrial.base.errors.run_user_step` attached
    to the ``fittrial`` logger), relative to the working directory where it can be; "its log" outside a step."""
    import logging
    import os

    for handler in logging.getLogger("fittrial").handlers:
        if isinstance(handler, logging.FileHandler):
            path = handler.baseFilename
            try:
                return os.path.relpath(path)
            except ValueError:  # another drive (Windows)
                return path
    return text("w_its_log")


def failure_reason(exc: BaseException) -> str:
    """The not-estimated reason of an analysis that stopped with an error the estimability rules did not foresee:
    what happened, in one line, and where the details are (never a data value that looks like a CPR number)."""
    from fittrial.base.errors import CPR_LIKE

    message = CPR_LIKE.sub("<number>", str(exc).strip().splitlines()[0] if str(exc).strip() else "")
    message = message if len(message) <= 120 else message[:117] + "..."
    detail = f"{type(exc).__name__}: {message}" if message else type(exc).__name__
    return text("r_unforeseen", detail=detail, log=log_file())


def guarded(name: str, compute, fallback):
    """``compute()``, or, when it raises, ``fallback(reason)``: the analysis ``name`` becomes "not estimated"
    with :func:`failure_reason` and its traceback goes to the step's log, so that one failing secondary analysis
    never stops the others or the report. The primary analysis is not guarded: its failures stay loud. A user's
    input error, a full disk and an interrupt still stop the step. ``FITTRIAL_INJECT_FAILURE`` (a comma-separated
    list of names) makes ``name`` fail on purpose (for tests)."""
    import logging
    import os

    from fittrial.base.errors import DISK_ERRORS, InputError

    try:
        if name in [n.strip() for n in os.environ.get(INJECT_VARIABLE, "").split(",")]:
            raise RuntimeError(f"failure injected into {name} by {INJECT_VARIABLE}")
        return compute()
    except InputError:
        raise
    except OSError as exc:
        if exc.errno in DISK_ERRORS:
            raise
        logging.getLogger("fittrial").exception("analysis %s failed; reported as not estimated", name)
        return fallback(failure_reason(exc))
    except Exception as exc:  # noqa: BLE001 (every failure of a secondary analysis becomes its reason)
        logging.getLogger("fittrial").exception("analysis %s failed; reported as not estimated", name)
        return fallback(failure_reason(exc))
