"""Typing single cells of an input table: text, whole numbers, numbers, dates and codes.

Each function takes a cell as the reader left it (text from CSV; numbers,
dates or text from spreadsheets and data files) and returns the typed value,
or raises :class:`_Bad` with what was expected; :func:`typed_cell` applies a
column's schema entry (type, enum, range, decimals, identifier rules) to one
cell. :func:`date_ambiguities`
looks at a whole date column, because whether ``04/05/2015`` is the 4th of
May or the 5th of April can only be judged from the other values of its
column.
"""

from __future__ import annotations

import datetime as _dt
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from fittrial.base.errors import CPR_LIKE
from fittrial.language.messages import LANGUAGES, messages, render

_TIME = r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?)?"  # a time of day after a date is ignored
ISO_DATE = re.compile(r"^(\d{4})([-./])(\d{1,2})\2(\d{1,2})" + _TIME + "$")  # year first: never ambiguous
DANISH_DATE = re.compile(r"^(\d{1,2})([-./])(\d{1,2})\2(\d{4})" + _TIME + "$")  # read day first
TWO_DIGIT_YEAR = re.compile(r"^(\d{1,2})([-./])(\d{1,2})\2(\d{2})" + _TIME + "$")
EXCEL_EPOCH = pd.Timestamp("1899-12-30")  # day 0 of Excel's serial dates (1900 system, as Excel computes them)
FIRST_DATE, LAST_DATE = pd.Timestamp("1900-01-01"), pd.Timestamp("2199-12-31")
LARGEST_INTEGER = 2**53  # whole numbers beyond this are not counts, ages or visits (and do not fit Int64 safely)
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")

def _fold(word: str) -> str:
    """A word as typed without Danish letters (død -> dod, gennemført -> gennemfort, æ -> ae)."""
    return word.replace("ø", "o").replace("å", "a").replace("æ", "ae")


def _code_aliases() -> dict[str, dict[str, str]]:
    """Codes other exports use for the contract's codes (compared without case and surrounding spaces): every
    language's code of the message catalogue (code_<column>_<code>, alias_<column>_<code>: e.g. Danish "kontrol",
    "K", "gennemført", also typed "gennemfort"), mapped to the contract's code."""
    out: dict[str, dict[str, str]] = {}
    for key in messages()["en"]:
        if key.startswith(("code_", "alias_")):
            column, code = key.split("_", 1)[1].rsplit("_", 1)
            for language in LANGUAGES:
                word = render(key, language).strip().casefold()
                out.setdefault(column, {}).update({word: code, _fold(word): code})
    return out


CODE_ALIASES: dict[str, dict[str, str]] = _code_aliases()


class _Bad(Exception):
    """A value that breaks the column's rule; ``expected`` overrides the column's general description, ``shown``
    the value named in the message."""

    def __init__(self, expected: str | None = None, shown: Any = None):
        super().__init__(expected)
        self.expected = expected
        self.shown = shown  # the value to name in the message, when not the cell as read


def _is_missing(value: Any) -> bool:
    """An empty cell: None, NaN, NaT, NA or text of only spaces."""
    if value is None:
        return True
    if isinstance(value, str):
        return value.strip() == ""
    try:
        return bool(pd.api.types.is_scalar(value) and pd.isna(value))
    except (TypeError, ValueError):
        return False


def as_code(value: Any) -> str:
    """A cell as code text: 1, 1.0 and ' 1 ' all give '1'."""
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))
    return str(value).strip()


def _to_string(value: Any) -> str:
    """Text as the user wrote it, trimmed and in Unicode's composed form (NFC: "å" typed as one character or as "a"
    and a ring is one text, so a label written both ways is one stratum); a whole float (an id read from a
    spreadsheet) without '.0'."""
    if isinstance(value, (float, np.floating)) and np.isfinite(value) and float(value).is_integer():
        return str(int(value))
    if isinstance(value, (pd.Timestamp, _dt.date)):
        return value.strftime("%Y-%m-%d")
    text = str(value)
    return (text if text.isascii() else unicodedata.normalize("NFC", text)).strip()


INVISIBLE = re.compile(r"[\s\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")


def folded(text: str) -> str:
    """A text without what a reader cannot see or tell apart, or what a keyboard without Danish letters drops:
    case, spaces, invisible characters (zero-width spaces, soft hyphens, direction marks, a byte-order mark) and
    accents (å as a, ø as o, æ as ae, é as e). Two ids or labels with the same fold but different texts are a typo,
    not two citizens or two strata."""
    plain = unicodedata.normalize("NFKD", INVISIBLE.sub("", text).casefold())
    return _fold("".join(c for c in plain if not unicodedata.combining(c))).replace("ß", "ss")


def _whole(number: int) -> int:
    if abs(number) > LARGEST_INTEGER:
        raise _Bad()
    return number


def _to_integer(value: Any) -> int:
    """A whole number from a number or from text such as ``3``, ``3.0`` or ``3,0``."""
    if isinstance(value, (bool, np.bool_)):
        raise _Bad()
    if isinstance(value, (int, np.integer)):
        return _whole(int(value))
    if isinstance(value, (float, np.floating)):
        if np.isfinite(value) and float(value).is_integer():
            return _whole(int(value))
        raise _Bad()
    text = str(value).strip()
    if re.fullmatch(r"[+-]?\d+", text):
        return _whole(int(text))
    if re.fullmatch(r"[+-]?\d+[.,]0*", text):
        return _whole(int(text.rstrip("0").rstrip(".,")))
    raise _Bad()


def _to_number(value: Any, decimal_comma: bool = False) -> float:
    """A number from a number or from text; a single comma is a decimal comma (``0,5``) in any file.

    ``decimal_comma`` is kept for callers that know the file uses it; the
    comma is read as a decimal mark whenever it is unambiguous (one comma, no
    point), since no number of the contract is written with a thousands
    separator.
    """
    if isinstance(value, (bool, np.bool_)):
        raise _Bad()
    if isinstance(value, (int, float, np.integer, np.floating)):
        number = float(value)
        if not np.isfinite(number):
            raise _Bad()
        return number
    text = str(value).strip()
    if text.count(",") == 1 and "." not in text:
        text = text.replace(",", ".")
    if re.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)", text):
        return float(text)
    raise _Bad()


def _calendar(year: int, month: int, day: int, how: str) -> pd.Timestamp:
    """The date, or :class:`_Bad` saying it is not a real calendar date or not a plausible year."""
    try:
        date = _dt.date(year, month, day)
    except ValueError:
        raise _Bad(f"a real calendar date, {how}") from None
    return _in_range(date)


def _in_range(date: _dt.date) -> pd.Timestamp:
    """The date as a Timestamp (midnight, no time zone) if it lies in the plausible years, else :class:`_Bad`."""
    if not FIRST_DATE.year <= date.year <= LAST_DATE.year:
        raise _Bad(f"a date between {FIRST_DATE:%Y} and {LAST_DATE:%Y} (is the year mistyped?)")
    return pd.Timestamp(_dt.date(date.year, date.month, date.day))  # unit 's', whatever the source


def _native(value: Any) -> pd.Timestamp | None:
    """A native date or date-time cell (spreadsheet, Parquet, Stata, SPSS) as a date without time or zone."""
    if isinstance(value, np.datetime64):
        if np.isnat(value):
            raise _Bad()
        year = value.astype("datetime64[Y]").astype(int) + 1970
        if not FIRST_DATE.year <= year <= LAST_DATE.year:
            raise _Bad(f"a date between {FIRST_DATE:%Y} and {LAST_DATE:%Y} (is the year mistyped?)")
        value = pd.Timestamp(value)
    if isinstance(value, (_dt.datetime, _dt.date)):  # pd.Timestamp is a datetime
        return _in_range(value)
    return None


def _serial(value: Any) -> pd.Timestamp:
    """An Excel serial date (a date cell formatted as a number)."""
    if float(value).is_integer() and 1 <= value <= 109_574:  # up to 2199-12-31
        return _in_range(EXCEL_EPOCH + pd.Timedelta(days=int(value)))
    raise _Bad("a date (an Excel serial date must be a whole number of days)")


def format_example(date_format: str) -> str:
    """17 April 2015 written in ``date_format`` (for messages)."""
    try:
        return _dt.date(2015, 4, 17).strftime(date_format)
    except ValueError:
        return date_format


def _to_date(value: Any, spreadsheet: bool = False, date_format: str | None = None) -> pd.Timestamp:
    """A date from a native date, or from text.

    With ``date_format`` (a strptime format from the input's mapping in the
    config), text must match it; a native date cell is still a date, and a
    number in a spreadsheet is an Excel serial date when it does not match.
    Without it: ISO text (YYYY-MM-DD, also with / or .), Danish day-first text
    (dd-mm-yyyy, dd.mm.yyyy, dd/mm/yyyy; never month first) or, in a
    spreadsheet or CSV file, an Excel serial number. A time of day after the
    date is ignored.
    """
    native = _native(value)
    if native is not None:
        return native
    number = isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_))
    if date_format:
        try:
            return _in_range(_dt.datetime.strptime(_to_string(value), date_format))
        except ValueError:
            if spreadsheet and number:
                return _serial(value)
            raise _Bad(f"a date written as date_format '{date_format}' of the config says (e.g. "
                       f"{format_example(date_format)})") from None
    if spreadsheet and number:
        return _serial(value)
    text = str(value).strip()
    if spreadsheet and re.fullmatch(r"\d{5}", text):  # an Excel serial date saved as text (1927-2173)
        return _serial(int(text))
    iso = ISO_DATE.fullmatch(text)
    if iso:
        year, _, month, day = iso.groups()
        return _calendar(int(year), int(month), int(day), "as YYYY-MM-DD")
    danish = DANISH_DATE.fullmatch(text)
    if danish:
        day, _, month, year = danish.groups()
        if int(month) > 12 and _reading(int(month), int(day), int(year)):
            raise _Bad("a date as YYYY-MM-DD or day first as dd-mm-yyyy; this is a date only month first (US "
                       "order), which is never guessed: write it day first or as YYYY-MM-DD (or, if the whole "
                       "column is month first, set date_format for this input, e.g. '%m/%d/%Y')")
        return _calendar(int(year), int(month), int(day), "day first (dd-mm-yyyy) or as YYYY-MM-DD")
    if TWO_DIGIT_YEAR.fullmatch(text):
        raise _Bad("a date with a four-digit year (YYYY-MM-DD or dd-mm-yyyy); a two-digit year is ambiguous, "
                   "or set date_format for this input (e.g. '%d-%m-%y')")
    raise _Bad("a date as YYYY-MM-DD or day first as dd-mm-yyyy (e.g. 2015-09-01 or 01-09-2015), or set "
               "date_format for this input")


@dataclass(frozen=True)
class Ambiguity:
    """Dates of one column that cannot be read without knowing the order: the rows (positions) and why."""

    positions: list[int]
    message: str


def _reading(day: int, month: int, year: int) -> str | None:
    try:
        _dt.date(year, month, day)
    except ValueError:
        return None
    return f"{day} {MONTHS[month - 1]} {year}"


def _two_digit(text: str, sep: str, a: int, b: int, c: int) -> str:
    """The message for a date with a two-digit year, with the readings it allows."""
    readings = [r for r in (_reading(a, b, 2000 + c), _reading(b, a, 2000 + c), _reading(c, b, 2000 + a),
                            _reading(a, b, 1900 + c)) if r]
    shown = "? ".join(dict.fromkeys(readings)) + "?" if readings else "no reading is a real date"
    fmt = sep.join(("%d", "%m", "%y"))
    return (f"the year has two digits, so the date is ambiguous ({text}: {shown}); which part is the day and "
            f"which century is meant cannot be told. Expected four-digit years (YYYY-MM-DD or dd-mm-yyyy), or "
            f"date_format for this input in the config, e.g. date_format: '{fmt}' if the column is day, month, "
            "year")


def date_ambiguities(values: list[Any], input_name: str) -> list[Ambiguity]:
    """Date columns whose order cannot be guessed safely (only used when no ``date_format`` is given).

    - values with a two-digit year (``05-04-15``: 2015 or 2005, and which
      part is the day?);
    - a column that looks month-first (US order): some values are dates only
      when read month first (``04/17/2015``), none only when read day first
      and none year first; every other value of it would be read with day and
      month swapped. (A value that is a date only month first in a column with
      other orders is an error of its own, see :func:`_to_date`.)
    """
    found: list[Ambiguity] = []
    two_digit: list[int] = []
    month_first: list[int] = []
    day_first = False  # a value that is a date only day first, or year first
    for i, value in enumerate(values):
        if not isinstance(value, str):
            continue
        text = value.strip()
        if TWO_DIGIT_YEAR.fullmatch(text):
            two_digit.append(i)
            continue
        if ISO_DATE.fullmatch(text):
            day_first = True  # the column is not written month first throughout
            continue
        match = DANISH_DATE.fullmatch(text)
        if not match:
            continue
        a, sep, b, year = match.groups()
        a_, b_ = int(a), int(b)
        if a_ > 12 and b_ <= 12:
            day_first = True
        elif a_ <= 12 < b_ and _reading(b_, a_, int(year)):
            month_first.append(i)
    if two_digit:
        text = values[two_digit[0]].strip()
        two = TWO_DIGIT_YEAR.fullmatch(text)
        assert two is not None  # the value was put in two_digit because it matched
        a, sep, b, c = two.groups()
        found.append(Ambiguity(two_digit, _two_digit(text, sep, int(a), int(b), int(c))))
    if month_first and not day_first:
        text = values[month_first[0]].strip()
        us = DANISH_DATE.fullmatch(text)
        assert us is not None  # the value was put in month_first because it matched
        sep = us.group(2)
        fmt = sep.join(("%m", "%d", "%Y"))
        found.append(Ambiguity(month_first, (
            f"this column looks month-first (US) order: {text} is a date only month first, and no value of the "
            f"column is one only day first; dates are read day-first, which would swap day and month in the "
            f"other rows. Set date_format: '{fmt}' for this input (inputs.{input_name}: {{path: ..., "
            f"date_format: '{fmt}'}}) if the column is month first")))
    return found


def _code(value: str, column: str, enum: list) -> str:
    """The contract's code for a text value: exact, or without case and spaces, or a Danish alias."""
    if value in enum:
        return value
    folded = value.strip().casefold()
    for code in enum:
        if isinstance(code, str) and code.casefold() == folded:
            return code
    return CODE_ALIASES.get(column, {}).get(folded, value)


def date_format_problem(date_format: Any) -> str | None:
    """What is wrong with a ``date_format`` of the config (None when it is a usable strptime format).

    It must be text that writes and reads back a whole date (day, month and
    year), e.g. '%d-%m-%Y' or '%m/%d/%Y'.
    """
    if not isinstance(date_format, str) or not date_format.strip():
        return f"date_format {date_format!r} is not a date format; expected e.g. '%d-%m-%Y' or '%m/%d/%Y'."
    try:
        back = _dt.datetime.strptime(_dt.date(2015, 4, 17).strftime(date_format), date_format).date()
    except ValueError as exc:
        return f"date_format '{date_format}' is not a date format ({exc}); expected e.g. '%d-%m-%Y' or '%m/%d/%Y'."
    if back != _dt.date(2015, 4, 17):
        return (f"date_format '{date_format}' does not give the day, the month and the year of a date; expected e.g. "
                "'%d-%m-%Y' or '%m/%d/%Y'.")
    return None


def _types(spec: dict[str, Any]) -> tuple[str, bool]:
    """(the main JSON Schema type of a column, whether it may be empty)."""
    t = spec.get("type", "string")
    if isinstance(t, list):
        nullable = "null" in t
        main = [x for x in t if x != "null"][0]
        return main, nullable
    return t, False


def _expected_text(spec: dict[str, Any], main: str, nullable: bool, date_format: str | None = None) -> str:
    """What a column expects, in words (for messages)."""
    parts = []
    if "enum" in spec:
        allowed = [str(v) for v in spec["enum"] if v is not None]
        parts.append("one of " + ", ".join(allowed))
    elif spec.get("format") == "date":
        parts.append(f"a date written as date_format '{date_format}' of the config says" if date_format
                     else "a date as YYYY-MM-DD or day first as dd-mm-yyyy")
    elif main == "integer":
        parts.append("a whole number")
    elif main == "number":
        parts.append("a number")
    else:
        parts.append("text")
    if "minimum" in spec and "maximum" in spec:
        parts.append(f"from {spec['minimum']} to {spec['maximum']}")
    if spec.get("x-decimals") is not None:
        parts.append(f"with at most {spec['x-decimals']} decimal(s)")
    parts.append("or empty" if nullable else "(may not be empty)")
    return " ".join(parts)


def _recode(values: list[Any], codes: dict[Any, Any]) -> list[Any]:
    """A column recoded by the input's ``values`` mapping (the file's code -> the contract's code), comparing
    codes as trimmed text, exactly or else without case; other values are left as they are."""
    exact = {as_code(k): v for k, v in codes.items()}
    folded = {k.casefold(): v for k, v in exact.items()}
    out = []
    for value in values:
        if _is_missing(value):
            out.append(value)
            continue
        code = as_code(value)
        out.append(exact[code] if code in exact else folded.get(code.casefold(), value))
    return out


def typed_cell(value: Any, col: str, spec: dict[str, Any], spreadsheet: bool = False, date_format: str | None = None,
               decimal_comma: bool = False) -> Any:
    """One non-empty cell typed by its schema entry (column ``col``); raises :class:`_Bad` when it breaks the rule.

    ``spreadsheet``: Excel serial dates are possible; ``date_format``: the
    input's date format (None: guess); ``decimal_comma``: see :func:`_to_number`.
    """
    main, _ = _types(spec)
    enum = spec.get("enum")
    if spec.get("format") == "date":
        typed: Any = _to_date(value, spreadsheet, date_format)
    elif main == "integer":
        typed = _to_integer(value)
    elif main == "number":
        typed = _to_number(value, decimal_comma)
        decimals = spec.get("x-decimals")
        if decimals is not None and abs(round(typed, decimals) - typed) > 1e-9:
            raise _Bad()
    else:
        typed = _to_string(value)
        if enum is not None:
            typed = _code(typed, col, enum)
    if enum is not None and typed not in enum:
        raise _Bad()
    if "minimum" in spec and typed < spec["minimum"]:
        raise _Bad()
    if "maximum" in spec and typed > spec["maximum"]:
        raise _Bad()
    if spec.get("x-identifier") and CPR_LIKE.search(typed):
        raise _Bad("a pseudonymised identifier. This looks like a Danish CPR number (ten digits); identifiers must "
                   "be pseudonymised before they reach the pipeline")
    if spec.get("x-identifier") and _cpr_without_zero(value, typed):
        raise _Bad("a pseudonymised identifier. This looks like a Danish CPR number stored as a number, which drops "
                   "its leading zero; identifiers must be pseudonymised before they reach the pipeline",
                   shown="0" + typed)  # named as the CPR number it is, so that messages never repeat it
    return typed


def _cpr_without_zero(value: Any, text: str) -> bool:
    """A CPR number stored as a number in a spreadsheet or data file, which drops its leading zero (0101801234
    becomes 101801234): nine digits that, with the zero put back, begin with a day (01-09) and a month (01-12)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
        return False
    if len(text) != 9 or not text.isdigit():
        return False
    day, month = int(text[:1]), int(text[1:3])
    return 1 <= day <= 9 and 1 <= month <= 12
