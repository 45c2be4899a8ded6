"""Checking the typed input tables against each other, and the trial they make.

:func:`check_trial` takes the tables :func:`fittrial.inputs.validation.type_table` typed and checks what no single
table can show: ids that name no one (:func:`id_problems`), courses that end before they start, strata and arms
that cannot be compared, dates that stand apart from all the others (:func:`outlying_dates`), ids or strata
written two ways; it returns the :class:`Trial` with its data-quality notes. :func:`allocation_of` says how the
caseworkers were randomised.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from fittrial.base.errors import InputError, Problem, format_value
from fittrial.inputs.cells import folded
from fittrial.language.messages import text

TABLES = ("randomisation", "citizens", "who5", "fit_sessions")

@dataclass
class Trial:
    """The typed, cross-checked input tables of one trial."""

    randomisation: pd.DataFrame
    citizens: pd.DataFrame
    who5: pd.DataFrame
    fit_sessions: pd.DataFrame | None
    notes: pd.DataFrame = field(default_factory=pd.DataFrame)


def _note(check: str, table: str, row: str, detail: str) -> dict[str, str]:
    return {"check": check, "table": table, "row": row, "detail": detail}


def _id_key(value: str) -> str:
    """An id without what makes two spellings of one number differ: leading zeros of each number, case, spaces."""
    return re.sub(r"\d+", lambda m: str(int(m.group())), value).casefold().replace(" ", "")


class _Ids:
    """The ids of one table, to tell an unknown id from one written another way (``1`` for ``001``)."""

    def __init__(self, ids: pd.Series, what: str, table: str):
        self.known = set(ids.dropna())
        self.what, self.table = what, table
        self._keys: dict[str, list[str]] | None = None

    def unknown(self, ids: pd.Series) -> pd.Series:
        """True where an id is given and not among the known ones."""
        return ids.notna() & ~ids.isin(self.known)

    def message(self, value: str) -> str:
        """The message for an id not found; names a known id that differs only in leading zeros, case or spaces."""
        if self._keys is None:
            self._keys = {}
            for k in sorted(self.known):
                self._keys.setdefault(_id_key(k), []).append(k)
        near = [k for k in self._keys.get(_id_key(value), []) if k != value]
        if near:
            return (f"this {self.what} is not in the {self.table} table, which has {near[0]!r}: ids are compared as "
                    f"text, so {value!r} and {near[0]!r} differ; write the id the same way in both files.")
        return f"this {self.what} is not in the {self.table} table."


def id_problems(tables: dict[str, pd.DataFrame], labels: dict[str, str]) -> list[Problem]:
    """Every id that names no one: a citizen's caseworker not in the randomisation, a WHO-5 form or FIT session of
    an unknown citizen, a FIT session of an unknown caseworker (an id that failed its own check is left out)."""
    problems: list[Problem] = []
    rand, cit, who5, fit = (tables.get(n) for n in TABLES)
    if rand is None or cit is None or "caseworker_id" not in rand or "citizen_id" not in cit:
        return problems
    caseworkers = _Ids(rand["caseworker_id"], "caseworker", "randomisation")
    citizens = _Ids(cit["citizen_id"], "citizen", "citizens")
    checks = [("citizens", cit, "caseworker_id", caseworkers), ("who5", who5, "citizen_id", citizens),
              ("fit_sessions", fit, "citizen_id", citizens), ("fit_sessions", fit, "caseworker_id", caseworkers)]
    found = []
    for name, frame, col, known in checks:
        if frame is None or col not in frame or "_row" not in frame:
            continue
        for i in np.flatnonzero(known.unknown(frame[col]).to_numpy()):
            value = frame[col].iloc[i]
            found.append((name, i, col, Problem(labels[name], known.message(value), frame["_row"].iloc[i], col, value,
                                                True)))
    found.sort(key=lambda f: (TABLES.index(f[0]), f[1], f[2]))  # file by file, row by row
    return [f[3] for f in found]


def check_trial(tables: dict[str, pd.DataFrame], labels: dict[str, str], visits: list[int] | None = None,
                cutoff: pd.Timestamp | None = None, allocation: str = "auto", censor_on: str | None = None) -> Trial:
    """Check the typed tables against each other.

    Errors (raised together as one :class:`InputError`): a citizen whose
    caseworker is not in the randomisation; a WHO-5 or FIT row for an unknown
    citizen; a FIT row for an unknown caseworker; a course that ends before it
    starts; a stratum with a single caseworker (randomisation within it is
    impossible); a stratum without both arms; an arm without citizens (the
    arms cannot be compared); a WHO-5 row with neither a date nor a visit; an
    explicit visit that is not in the schedule (``visits``); WHO-5 forms of one
    citizen on one date with different answers (identical ones are a note); a
    date after the data cut-off ``cutoff``; a date that stands apart from all
    the others (:func:`outlying_dates`: a year typed wrong would otherwise move
    the censoring date or the course outcomes); two ids of one table, or two
    strata, that differ only by case, spaces, accents or invisible characters. An
    unknown id that matches a known one but for leading zeros is named with it.

    Notes (returned in ``Trial.notes``, shown in the data-quality table): a
    citizen enrolled before the caseworker was randomised; a caseworker with no
    citizens; an end date without an end reason; a FIT session in the control
    arm; a FIT session whose caseworker differs from the citizen's; a date after
    the censoring date ``censor_on`` (config ``analysis.censor_on``), with what
    is done with it.
    """
    rand = tables["randomisation"]
    cit = tables["citizens"]
    who5 = tables["who5"]
    fit = tables.get("fit_sessions")
    problems: list[Problem] = []
    notes: list[dict[str, str]] = []

    problems += id_problems(tables, labels)
    citizens = _Ids(cit["citizen_id"], "citizen", "citizens")
    for r in cit.to_dict("records"):
        if pd.notna(r["ended_on"]) and pd.notna(r["enrolled_on"]) and r["ended_on"] < r["enrolled_on"]:
            problems.append(Problem(labels["citizens"],
                                    f"the course ends before it starts (enrolled_on {r['enrolled_on']:%Y-%m-%d}); "
                                    "expected ended_on on or after enrolled_on.",
                                    r["_row"], "ended_on", f"{r['ended_on']:%Y-%m-%d}", True))
        if pd.isna(r["ended_on"]) and r["end_reason"] is not None:
            problems.append(Problem(labels["citizens"],
                                    "an end reason is given but ended_on is empty; expected both or neither.",
                                    r["_row"], "end_reason", r["end_reason"], True))
        if pd.notna(r["ended_on"]) and r["end_reason"] is None:
            notes.append(_note(text("note_no_end_reason"),
                               "citizens", r["_row"], f"citizen {r['citizen_id']}"))


    arm_of_cw = rand.set_index("caseworker_id")["arm"]
    citizen_arms = set(cit["caseworker_id"].map(arm_of_cw).dropna())
    for arm in ("FIT", "control"):
        if (rand["arm"] == arm).any() and arm not in citizen_arms:
            problems.append(Problem(labels["citizens"],
                                    f"no citizen belongs to a caseworker in the {arm} arm, so the arms cannot be "
                                    f"compared; expected citizens in both arms (FIT and control)."))
    if "visit" in who5:
        no_date = who5["answered_on"].isna() & who5["visit"].isna()
    else:
        no_date = who5["answered_on"].isna()
    for r in who5[no_date].to_dict("records"):
        problems.append(Problem(labels["who5"], "is empty; expected a date as YYYY-MM-DD, or a visit in the 'visit' "
                                "column (a form needs one of the two).", r["_row"], "answered_on", None, True))
    if visits is not None and "visit" in who5:
        unknown = who5["visit"].notna() & ~who5["visit"].isin(list(visits))
        for r in who5[unknown].to_dict("records"):
            problems.append(Problem(labels["who5"], "this visit is not in the visit schedule of the config (visits: "
                                    + ", ".join(str(v) for v in visits) + ").", r["_row"], "visit", r["visit"], True))

    for r in rand[rand["stratum"].isna()].to_dict("records"):
        problems.append(Problem(labels["randomisation"], "the stratum is empty while other caseworkers have one; "
                                "expected the stratum of every caseworker (or the whole column empty, for a trial "
                                "randomised in one stratum).", r["_row"], "stratum", None, True))
    undated = cit["enrolled_on"].isna()
    start_of = cit.set_index("citizen_id")["enrolled_on"]
    no_day = who5["answered_on"].notna() & who5["citizen_id"].map(start_of).isna() & (
        who5["visit"].isna() if "visit" in who5 else True)
    no_day &= ~citizens.unknown(who5["citizen_id"])
    ends = undated & cit["ended_on"].notna()
    if undated.all() and (no_day.any() or ends.any()):  # no enrolment date at all: one problem, not one per row
        others = [c for c in cit.attrs.get("unrecognised", [])]
        needs = [f"{int(no_day.sum())} WHO-5 forms have a date and no visit (a form is placed in a visit window by "
                 "its days since enrolment)" if no_day.any() else "",
                 f"{int(ends.sum())} courses have an end date" if ends.any() else ""]
        problems.append(Problem(labels["citizens"], "no enrolment date (enrolled_on) for any citizen, but "
                                + " and ".join(n for n in needs if n) + "; expected an enrolled_on column"
                                + (", or a 'visit' for every WHO-5 form and no course dates." if no_day.any() else ".")
                                + (f" If one of {', '.join(repr(c) for c in others)} holds the enrolment date, name "
                                   f"it in the config: inputs.citizens: {{path: ..., columns: {{enrolled_on: <its "
                                   "name>}}." if others else ""), "header", "enrolled_on"))
    else:
        for r in cit[ends].to_dict("records"):
            problems.append(Problem(labels["citizens"], "the course has an end date but no start; expected "
                                    "enrolled_on when ended_on is given.", r["_row"], "enrolled_on", None, True))
        for r in who5[no_day].to_dict("records"):
            problems.append(Problem(labels["who5"], "the citizen has no enrolled_on, so the form's date cannot be "
                                    "placed in a visit window; expected the citizen's enrolled_on in the citizens "
                                    "table, or the form's visit in the 'visit' column.", r["_row"], "visit", None,
                                    True))

    first_label: dict[str, tuple[str, str]] = {}  # a stratum's fold -> (its first spelling, its row)
    for r in rand.dropna(subset=["stratum"]).to_dict("records"):
        key = folded(str(r["stratum"]))
        seen = first_label.setdefault(key, (r["stratum"], r["_row"]))
        if seen[0] != r["stratum"]:
            problems.append(Problem(labels["randomisation"], f"this stratum differs from {format_value(seen[0])} in "
                                    f"{seen[1]} only by case, spaces, accents or invisible characters; expected one "
                                    "spelling per stratum (as written they would be two strata).", r["_row"], "stratum",
                                    r["stratum"], True))
    per_stratum = rand.dropna(subset=["stratum"]).groupby("stratum")
    for stratum, g in per_stratum:
        if len(g) == 1:
            problems.append(Problem(labels["randomisation"],
                                    "this stratum has a single caseworker; randomisation within a stratum needs at least two.",
                                    g["_row"].iloc[0], "stratum", stratum, True))
        elif g["arm"].nunique() < 2:
            problems.append(Problem(labels["randomisation"],
                                    "every caseworker in this stratum has the same arm; each stratum needs both FIT and control.",
                                    g["_row"].iloc[0], "stratum", stratum, True))

    kind, why = allocation_of(rand, allocation)
    if why:
        problems.append(Problem(labels["randomisation"], why, None, "stratum"))
    rand["allocation"] = kind

    from fittrial.inputs.scoring import ITEMS

    values = [c for c in ITEMS if c in who5] or [c for c in who5.columns
                                                 if c not in ("_row", "citizen_id", "answered_on", "visit")]

    dated = who5[who5["answered_on"].notna()]
    for _, g in dated[dated.duplicated(["citizen_id", "answered_on"], keep=False)].groupby(
            ["citizen_id", "answered_on"], sort=False):
        answers = g[values].astype("Float64").fillna(-1)
        if len(answers.drop_duplicates()) > 1:
            problems.append(Problem(labels["who5"], f"two or more WHO-5 forms of this citizen on "
                                    f"{g['answered_on'].iloc[0]:%Y-%m-%d} have different answers ({', '.join(g['_row'])});"
                                    " expected one form per citizen and date.", g["_row"].iloc[0], "citizen_id",
                                    g["citizen_id"].iloc[0], True))
        else:
            for row in g["_row"].iloc[1:]:
                notes.append(_note(text("note_identical_duplicate"), "who5", row,
                                   f"citizen {g['citizen_id'].iloc[0]}"))
    if cutoff is not None:
        for name, frame, cols in (("randomisation", rand, ["randomised_on"]), ("citizens", cit, ["enrolled_on", "ended_on"]),
                                  ("who5", who5, ["answered_on"]), ("fit_sessions", fit, ["session_on"])):
            if frame is None:
                continue
            for col in cols:
                late = frame[col].notna() & (frame[col] > cutoff)
                for r in frame[late].to_dict("records"):
                    problems.append(Problem(labels[name], f"the date lies after the data cut-off {cutoff:%Y-%m-%d} "
                                            "(checks.data_cutoff; by default the day of the run); expected a date on "
                                            "or before it.", r["_row"], col, f"{r[col]:%Y-%m-%d}", True))

    dated = [("citizens", cit, ("enrolled_on", "ended_on")), ("who5", who5, ("answered_on",)),
             ("fit_sessions", fit, ("session_on",))]
    # the randomisation dates among themselves (caseworkers may be randomised long before their first citizen)
    apart = outlying_dates([("randomisation", rand, ("randomised_on",))], None, cutoff)
    apart += outlying_dates(dated, pd.Timestamp(censor_on) if censor_on else None, cutoff)
    for name, row, col, date, edge, side in apart:
        problems.append(Problem(labels[name], f"the date lies {abs((date - edge).days)} days {side} every other date "
                                f"of the inputs (the others {'end' if side == 'after' else 'begin'} on "
                                f"{edge:%Y-%m-%d}); expected a date within the trial's period (a year typed wrong?). "
                                "If the date is right, set analysis.censor_on to the date the data were extracted.",
                                row, col, f"{date:%Y-%m-%d}", True))

    if problems:
        raise InputError(problems)

    # oddities, not errors
    if fit is not None and len(fit):  # a session exported twice is one session (it would count as two meetings)
        twice = fit.drop(columns="_row").duplicated(keep="first").to_numpy()
        for r in fit[twice].to_dict("records"):
            notes.append(_note(text("note_identical_session"), "fit_sessions", r["_row"], f"citizen {r['citizen_id']}"))
        fit = fit[~twice].reset_index(drop=True)
    end = pd.Timestamp(censor_on) if censor_on else data_end(dated)
    for name, frame, cols in dated:
        for col in cols if frame is not None and pd.notna(end) else ():
            for r in frame[frame[col].notna() & (frame[col] > end)].to_dict("records"):
                check = text("note_after_censoring", date=f"{end:%Y-%m-%d}") if censor_on else \
                    text("note_after_data_end", date=f"{end:%Y-%m-%d}")
                notes.append(_note(check, name, r["_row"], f"{col} {r[col]:%Y-%m-%d}"))
    rand_on = rand.set_index("caseworker_id")["randomised_on"]
    arm_of = rand.set_index("caseworker_id")["arm"]
    early = cit["enrolled_on"] < cit["caseworker_id"].map(rand_on)
    for r in cit[early].to_dict("records"):
        notes.append(_note(text("note_enrolled_before"), "citizens", r["_row"],
                           f"citizen {r['citizen_id']}"))
    used = set(cit["caseworker_id"])
    for r in rand[~rand["caseworker_id"].isin(used)].to_dict("records"):
        notes.append(_note(text("note_empty_cluster"), "randomisation", r["_row"],
                           "kept in the randomisation counts; contributes no data"))
    if fit is not None and len(fit):
        cw_of = cit.set_index("citizen_id")["caseworker_id"]
        in_control = fit["caseworker_id"].map(arm_of) == "control"
        for r in fit[in_control].to_dict("records"):
            notes.append(_note(text("note_contamination"),
                               "fit_sessions", r["_row"], f"citizen {r['citizen_id']}"))
        other_cw = fit["citizen_id"].map(cw_of) != fit["caseworker_id"]
        for r in fit[other_cw].to_dict("records"):
            notes.append(_note(text("note_other_caseworker"), "fit_sessions",
                               r["_row"], f"citizen {r['citizen_id']}"))

    return Trial(rand, cit, who5, fit, pd.DataFrame(notes, columns=["check", "table", "row", "detail"]))


OUTLIER_GAP_DAYS = 365  # a date more than a year apart from all the others stands apart
OUTLIER_SHARE = 0.05  # ... when it is one of few (at most 5% of the dates, and at least one)


# the data end on the latest date that another date confirms: one at most CONFIRM_DAYS before it, or, where the
# dates thin out (the last citizens' last forms), at most three times the usual gap between the dates before it
CONFIRM_DAYS = 90


def data_end(dated: list[tuple[str, pd.DataFrame | None, tuple[str, ...]]]) -> pd.Timestamp:
    """Where the data end when ``analysis.censor_on`` does not say: the latest date of a course start or end, a WHO-5
    form or a FIT session that another such date confirms (one on the same day, or at most :data:`CONFIRM_DAYS`
    before it, or three times the median of the ten gaps before that, where the dates thin out). One date typed
    wrong (a year too late) cannot move it: it stands alone, and it is named in a note (:func:`check_trial`). NaT
    when there is no date at all."""
    days = np.sort(np.concatenate([frame[col].dropna().to_numpy(dtype="datetime64[D]")
                                   for _, frame, cols in dated if frame is not None and len(frame)
                                   for col in cols if col in frame] or [np.array([], dtype="datetime64[D]")]))
    if not len(days):
        return pd.NaT
    gaps = np.diff(days).astype(int)  # gaps[k - 1]: from date k - 1 to date k
    for k in range(len(days) - 1, 0, -1):
        before = gaps[max(0, k - 11):k - 1]
        usual = 3 * float(np.median(before)) if len(before) else 0.0
        if gaps[k - 1] <= max(CONFIRM_DAYS, usual):
            return pd.Timestamp(days[k])
    return pd.Timestamp(days[-1])


def outlying_dates(dated: list[tuple[str, pd.DataFrame | None, tuple[str, ...]]], censor: pd.Timestamp | None = None,
                   cutoff: pd.Timestamp | None = None) -> list[tuple[str, str, str, pd.Timestamp, pd.Timestamp, str]]:
    """The dates that stand apart from all the others: (table, row, column, date, the nearest other date, "after"
    or "before").

    The censoring date (when ``analysis.censor_on`` is not set) and every
    course outcome follow the latest dates of the inputs, so one year typed
    wrong (2025 for 2015) would move them silently. The dates of course
    starts and ends, WHO-5 forms and FIT sessions are sorted; a gap of more
    than :data:`OUTLIER_GAP_DAYS` with at most :data:`OUTLIER_SHARE` of the
    dates beyond it (at the end or at the start) puts those dates apart.
    Dates after a stated censoring date ``censor`` are left to the notes (the
    user has said where the data end), and dates after the data cut-off
    ``cutoff`` are errors of their own. The randomisation dates are not
    among them (caseworkers may be randomised long before their first citizen).
    """
    records = []
    for name, frame, cols in dated:
        if frame is None or not len(frame):
            continue
        for col in cols:
            keep = frame[col].notna()
            for end in (censor, cutoff):
                if end is not None:
                    keep &= frame[col] <= end
            records.append(pd.DataFrame({"table": name, "row": frame.loc[keep, "_row"].astype(str),
                                         "column": col, "date": frame.loc[keep, col]}))
    if not records:
        return []
    every = pd.concat(records, ignore_index=True).sort_values("date", kind="mergesort").reset_index(drop=True)
    n = len(every)
    most = max(1, int(OUTLIER_SHARE * n))
    if n < 3:
        return []
    days = every["date"].to_numpy(dtype="datetime64[D]").astype(np.int64)
    gaps = np.diff(days)  # gaps[k]: between date k and date k + 1
    apart: list[tuple[int, int, str]] = []  # (first, last + 1, side)
    late = [k for k in range(n - 1 - most, n - 1) if k >= 0 and gaps[k] > OUTLIER_GAP_DAYS]
    if late:
        apart.append((min(late) + 1, n, "after"))
    early = [k for k in range(0, min(most, n - 1)) if gaps[k] > OUTLIER_GAP_DAYS]
    if early:
        apart.append((0, max(early) + 1, "before"))
    out = []
    for first, stop, side in apart:
        edge = every["date"].iloc[first - 1] if side == "after" else every["date"].iloc[stop]
        for r in every.iloc[first:stop].itertuples(index=False):
            out.append((r.table, r.row, r.column, r.date, edge, side))
    return out


ONE_STRATUM = "all"  # the stratum of every caseworker when the randomisation table has no strata
ALLOCATIONS = ("auto", "stratified", "pair_matched")


def allocation_of(randomisation: pd.DataFrame, declared: str = "auto") -> tuple[str, str | None]:
    """How the caseworkers were randomised, and why the data contradict what the config declares (or None).

    ``pair_matched``: every stratum is a matched pair, one caseworker in each
    arm; ``stratified``: randomised within strata (blocks); ``unstratified``:
    one stratum. ``declared`` is the config's ``analysis.allocation``: ``auto``
    decides from the data (pairs when every stratum of two or more strata has
    exactly one caseworker per arm), ``stratified`` keeps the stratified
    wording even for strata of two, and ``pair_matched`` requires pairs.
    """
    strata = randomisation.dropna(subset=["stratum"]).groupby("stratum")["arm"]
    sizes = strata.agg(lambda a: ((a == "FIT").sum(), (a == "control").sum()))
    pairs = len(sizes) > 1 and all(s == (1, 1) for s in sizes)
    if declared == "pair_matched" and not pairs:
        bad = [str(k) for k, s in sizes.items() if s != (1, 1)]
        return "stratified", (f"analysis.allocation is pair_matched, but {len(bad)} of the {len(sizes)} strata are not "
                              f"a pair of one FIT and one control caseworker (e.g. {', '.join(repr(b) for b in bad[:3])}); "
                              "expected each stratum (pair) to hold exactly one caseworker of each arm, or "
                              "analysis.allocation: stratified.")
    if len(sizes) <= 1:
        return "unstratified", None
    return ("pair_matched" if pairs and declared != "stratified" else "stratified"), None


def allocation(randomisation: pd.DataFrame) -> str:
    """How the caseworkers were randomised (``pair_matched``, ``stratified`` or ``unstratified``), as validation
    decided it (:func:`fittrial.inputs.crosscheck.allocation_of`)."""
    if "allocation" in randomisation and len(randomisation):
        return str(randomisation["allocation"].iloc[0])
    return allocation_of(randomisation)[0]
