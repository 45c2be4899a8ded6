"""Report language: English or Danish labels, sentences and number formatting.

Danish uses a decimal comma and Danish labels throughout the report and its
figures. The published CSV tables stay machine-readable (English column
names, decimal point) in both languages.
"""

from __future__ import annotations

import logging
import math
import re
from decimal import Decimal
from typing import SupportsFloat, cast, overload

from babel.numbers import format_decimal

from fittrial.language.messages import LANGUAGES, messages, parse, translate

BLINDED = "__blinded"


def texts(language: str, blinded: bool = False) -> dict[str, str]:
    """Every text of the catalogue in ``language`` by key (:mod:`fittrial.language.messages`); in a blinded review
    the entries ``<key>__blinded``, which name the arms A and B, take the place of their ``<key>``."""
    out = dict(messages()[language])
    if blinded:
        out.update({k[:-len(BLINDED)]: v for k, v in out.items() if k.endswith(BLINDED)})
    return out


class Translator:
    """Labels and numbers in one language."""

    def __init__(self, language: str = "en", blinded: bool = False, primary_visit: int = 12,
                 words: dict | None = None):
        """``words``: the config's ``units``, ``arms`` and ``outcome`` (the trial's own words; see
        :func:`fittrial.language.vocabulary.vocabulary`), put in the place of the FIT trial's in every text."""
        from fittrial.language.vocabulary import vocabulary

        if language not in LANGUAGES:
            raise ValueError(f"report.language must be one of {', '.join(LANGUAGES)}, not {language!r}")
        self.language = language
        self.primary_visit = int(primary_visit)
        self.text = texts(language, blinded)
        self.decimal = "," if language == "da" else "."
        self.words = dict(words or {})
        self.vocabulary = vocabulary(self.words, language)

    def __call__(self, key: str, **values: object) -> str:
        text = self.text.get(key)
        if text is None:  # a key the catalogue lacks (tests/test_messages.py keeps the code's keys in it)
            logging.getLogger("fittrial").warning("no text %r in the message catalogue", key)
            return key
        if "{m}" in text:  # the primary visit, in months
            values = {"m": self.primary_visit, **values}
        return self.vocabulary.localise(text.format(**values) if values else text)

    def outcome(self, name: str) -> str:
        """An outcome's label: the config's (``binary_outcomes``) where it gives one, else the report's own."""
        outcome = self.words.get("outcome") or {}
        if name == "who5" and outcome.get("name"):  # the trial's own primary outcome
            from fittrial.base.catalogue import _texts

            return _texts(outcome["name"]).get(self.language) or _texts(outcome["name"]).get("en", name)
        for entry in self.words.get("binary_outcomes") or []:
            if entry.get("name") == name and entry.get("label"):
                label = entry["label"]
                return str(label.get(self.language) or label.get("en") or name) if isinstance(label, dict) \
                    else str(label)
        return self(f"o_{name}") if f"o_{name}" in self.text else name

    def arm_names(self) -> dict[str, str]:
        """The arms' names as table headers: the config's ``arms`` (capitalised), else the report's FIT and Control."""
        from fittrial.base.catalogue import _texts

        arms = self.words.get("arms") or {}
        names = {"FIT": self("FIT"), "control": self("control")}
        for key, role in (("FIT", "intervention"), ("control", "control")):
            given = _texts(arms.get(role)).get(self.language)
            if given:
                names[key] = given[:1].upper() + given[1:]
        return names

    def cutoff(self, key: str) -> str:
        """The label of a cut-off of the primary outcome (config ``outcome.cutoffs``), in the report's language."""
        cutoffs = (self.words.get("outcome") or {}).get("cutoffs") or []
        k = int(key.rsplit("_", 1)[1]) - 1 if key.startswith("cutoff_") else -1
        if 0 <= k < len(cutoffs):
            label = cutoffs[k].get("label")
            return str(label.get(self.language) or label.get("en") or key) if isinstance(label, dict) else str(label)
        return key

    def matched_pairs(self) -> None:
        """The strata are matched pairs: every text says "pair" where it says "stratum" of the analysis."""
        from fittrial.language.vocabulary import vocabulary

        self.vocabulary = vocabulary(self.words, self.language, pairs_design=True)

    @overload
    def localise(self, text: str) -> str: ...

    @overload
    def localise(self, text: object) -> object: ...

    def localise(self, text: object) -> object:
        """A text written with the FIT trial's words (a reason, a method, a table label) in the trial's own."""
        return self.vocabulary.localise(text)

    def num(self, x: object, digits: int = 2) -> str:
        if x is None:
            return ""
        try:
            v = float(x)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return str(x)
        if math.isnan(v):
            return ""
        return decimal_text(v, digits, self.language)

    def count(self, x: object) -> str:
        """A published count with a thousands separator (1,146; Danish 1.146); text such as "<5" or a range
        "810-814" passes through, "suppressed" in the report language."""
        if x is None or (isinstance(x, float) and math.isnan(x)):
            return ""
        text = str(x).strip()
        if text.lstrip("-").isdigit() or (isinstance(x, float) and float(x).is_integer()):
            return count_text(int(float(cast("SupportsFloat | str", x))), self.language)  # a number or its text
        if text == "suppressed":
            return self("w_suppressed")
        parts = text.split("-")
        if len(parts) == 2 and all(p.isdigit() for p in parts):  # a range: both ends formatted, an en dash
            return "\u2013".join(self.count(int(p)) for p in parts)
        return text

    def p(self, p: object) -> str:
        try:
            v = float(p)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return ""
        if math.isnan(v):
            return ""
        return "<" + decimal_text(0.001, 3, self.language) if v < 0.001 else self.num(v, 3)

    def ci(self, lo: object, hi: object, digits: int = 2) -> str:
        a, b = self.num(lo, digits), self.num(hi, digits)
        if not a:
            return ""
        return self("w_ci", lo=a, hi=b)

    def est_ci(self, est: object, lo: object, hi: object, digits: int = 2) -> str:
        """An estimate with its CI in brackets, "2.10 (0.50 to 3.70)"; an estimate without a CI (one the method
        cannot give, e.g. a randomisation test with too few allocations) says so instead of empty brackets; no
        estimate, nothing."""
        e = self.num(est, digits)
        if not e:
            return ""
        return f"{e} ({self.ci(lo, hi, digits) or self('w_no_ci')})"

    def label(self, text: str) -> str:
        """A table's row label or cell in the report language and the trial's words (see :meth:`translate`)."""
        return self.translate(text)

    def translate(self, english: object) -> str:
        """An English text of a published table (a label, a reason, a method) in the report language: read back to
        its entries of the message catalogue (:func:`fittrial.language.messages.translate`), with numbers in the
        report's format and outcome codes as their labels; then in the trial's own words. A text the catalogue does
        not have is shown as it is, and logged."""
        if english is None or (isinstance(english, float) and math.isnan(english)):
            return ""
        english = str(english)
        if self.language == "en":
            return self.vocabulary.localise(english)
        if not re.search(r"[^\W\d_]", english):  # no words, only numbers: "17.44", "278 (151 to 398.75)" aside
            return self.text_numbers(english)
        missing: list[str] = []
        out = translate(english, self.language, number=self._number, missing=missing,
                        named={"outcome": self._outcome_word, "aux": self._variable_word,
                               "variable": self._variable_word, "fit": self._arm_word, "ctl": self._arm_word})
        if missing:
            logging.getLogger("fittrial").warning("not in the message catalogue, shown in English: %s",
                                                  "; ".join(missing))
        return self.vocabulary.localise(out)

    def _number(self, value: str) -> str:
        """A number of an English text in the report's format (decimal comma, thousands separator in Danish)."""
        if re.fullmatch(r"-?\d{4,}", value):
            return self.count(int(value))
        return value.replace(".", self.decimal)

    def _outcome_word(self, code: str) -> str:
        """An outcome's code (or a phrase standing for one) in a sentence: its label, first letter small."""
        if code == "who5" or f"o_{code}" in self.text or any(
                e.get("name") == code for e in self.words.get("binary_outcomes") or []):
            label = self.outcome(code)
            return label[:1].lower() + label[1:] if not label[:2].isupper() else label
        return translate(code, self.language, number=self._number) if parse(code) else code

    def _arm_word(self, code: str) -> str:
        """An arm's code in a method text (FIT, control; A and B in a blinded review) as the report names it."""
        names = self.arm_names()
        return names[code] if code == "FIT" else names[code].lower() if code in names else code

    def _variable_word(self, code: str) -> str:
        """A variable's code (subgroup, auxiliary variable) in words: its name where the catalogue has one."""
        key = f"var_{code}"
        if key in self.text:
            return self.text[key]
        return self._outcome_word(code)

    def text_numbers(self, text: str) -> str:
        """Turn decimal points between digits into commas (for Danish free text from tables)."""
        if self.decimal != ",":
            return text
        import re

        return re.sub(r"(?<=\d)\.(?=\d)", ",", text)


# what the configured small-sample rules are called in the Danish method texts
def decimal_text(value: float, digits: int, language: str) -> str:
    """A number with ``digits`` decimals in the language's format (Babel's CLDR locale: 1234.56, Danish 1234,56).

    The value is rounded by Python's float formatting first (as the CSV tables round), so a number reads the
    same in both languages and only the symbols differ; no thousands separator, as in the tables."""
    rounded = Decimal(f"{value:.{digits}f}")
    return format_decimal(rounded, format="0." + "0" * digits if digits else "0", locale=language,
                          decimal_quantization=False)


def count_text(value: int, language: str) -> str:
    """A count with the language's thousands separator (Babel's CLDR locale: 1,146; Danish 1.146)."""
    return format_decimal(value, format="#,##0", locale=language)


def reason_text(row, t: Translator) -> str:
    """The not-estimated reason of a table row (its ``not_estimated``) as a sentence in the report's language and the
    trial's words."""
    import pandas as pd

    reason = row.get("not_estimated", "")
    reason = "" if reason is None or pd.isna(reason) else str(reason).strip()
    reason += "" if not reason or reason.endswith(".") else "."
    return t.translate(reason)
