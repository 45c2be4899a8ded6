"""The trial-facts form of the evaluator's desk (step 3): the facts the report needs, read from and written to the
evaluation folder's config file.

Each :class:`Field` is one config key: the report's language and title, blinded review and its key file, the visit
schedule and the primary visit, the course outcomes' window and the dates of the data, the primary outcome (WHO-5 or
the trial's own score) and its minimal important difference, and the CONSORT items of ``trial:``. The form shows
the value in force (the user's config over the workflow's defaults, ``config/config.yaml``); on saving, a key is
written only when the user's config already had it or the value differs from the default, so the file stays the
short list of what differs from the defaults. A text the config holds per language (``{en: ..., da: ...}``) is
changed in the report's language only.

Numbers are read as a Danish user writes them too (``10,5``); what is not a number is written as the user typed it,
so the workflow's own checks name it (:func:`fittrial.desk.jobs.config_problems`): the form is validated as the
config is, by the same code.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fittrial.report.sections import CONSORT_ITEMS

LANGUAGES = ("da", "en")
VISIT_ROWS_SPARE = 1
VISIT_KEYS = ("visit", "target_day", "earliest_day", "latest_day")


@dataclass(frozen=True)
class Field:
    """One config key in the form: ``key`` its path in the config, ``kind`` text, long (several lines), number,
    integer, date, language or check (yes/no); ``label``/``help`` message keys; ``consort`` the CONSORT item."""

    key: tuple[str, ...]
    kind: str
    label: str
    help: str = ""
    consort: str = ""

    @property
    def name(self) -> str:
        return ".".join(self.key)


REPORT = (Field(("report", "language"), "language", "dk_f_language", "dk_h_language"),
          Field(("trial", "title"), "text", "dk_f_title", "dk_h_title", "1a"),
          Field(("report", "blinded"), "check", "dk_f_blinded", "dk_h_blinded"),
          Field(("report", "blinding_key_file"), "text", "dk_f_key_file", "dk_h_key_file"))
SCHEDULE = (Field(("analysis", "primary_visit"), "integer", "dk_f_primary_visit", "dk_h_primary_visit"),
            Field(("analysis", "outcome_window_days"), "integer", "dk_f_window", "dk_h_window"),
            Field(("analysis", "censor_on"), "date", "dk_f_censor_on", "dk_h_censor_on"),
            Field(("checks", "data_cutoff"), "date", "dk_f_data_cutoff", "dk_h_data_cutoff"))
OUTCOME = (Field(("outcome", "name"), "text", "dk_f_outcome_name", "dk_h_outcome_name"),
           Field(("outcome", "score_column"), "text", "dk_f_score_column", "dk_h_score_column"),
           Field(("outcome", "range_low"), "number", "dk_f_range_low"),
           Field(("outcome", "range_high"), "number", "dk_f_range_high"),
           Field(("mid",), "number", "dk_f_mid", "dk_h_mid"))
CONSORT = tuple(Field(("trial", key), "long", f"cs_{key}", consort=item) for item, key in CONSORT_ITEMS
                if key != "design") + (
    Field(("trial", "assumed_icc"), "number", "dk_f_assumed_icc", consort="7a"),
    Field(("trial", "data_note"), "long", "dk_f_data_note", "dk_h_data_note"))
SECTIONS = (("dk_s_report", REPORT), ("dk_s_schedule", SCHEDULE), ("dk_s_outcome", OUTCOME),
            ("dk_s_consort", CONSORT))
FIELDS = REPORT + SCHEDULE + OUTCOME + CONSORT


def merged(defaults: dict, user: dict) -> dict:
    """The config in force: ``user`` over ``defaults``, mappings merged key by key and anything else replaced (as
    Snakemake merges config files)."""
    out = copy.deepcopy(defaults)
    for key, value in user.items():
        out[key] = merged(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) \
            else copy.deepcopy(value)
    return out


def _lookup(config: Any, key: tuple[str, ...]) -> tuple[bool, Any]:
    """Whether the config has the nested key, and its value (None when it has not)."""
    for part in key:
        if not isinstance(config, dict) or part not in config:
            return False, None
        config = config[part]
    return True, config


def _get(config: dict, key: tuple[str, ...]) -> Any:
    return _lookup(config, key)[1]


def _has(config: dict, key: tuple[str, ...]) -> bool:
    return _lookup(config, key)[0]


def _set(config: dict, key: tuple[str, ...], value: Any) -> None:
    for part in key[:-1]:
        if not isinstance(config.get(part), dict):
            config[part] = {}
        config = config[part]
    config[key[-1]] = value


def _text(value: Any, language: str) -> str:
    """A config value as the form shows it (a text per language: the one in ``language``, else English)."""
    if isinstance(value, dict):
        value = value.get(language) or value.get("en") or ""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else ""
    return str(value)


def _outcome_key(field: Field, config: dict) -> tuple[str, ...]:
    """Where an outcome field lives: the MID is ``yardsticks.who5_mid`` for WHO-5 and ``outcome.mid`` for the
    trial's own outcome; the range is ``outcome.range``."""
    if field.key == ("mid",):
        return ("outcome", "mid") if (config.get("outcome") or {}).get("name") else ("yardsticks", "who5_mid")
    return field.key


def form_values(config: dict) -> dict[str, str]:
    """The form's values from the config in force (:func:`merged`)."""
    language = _get(config, ("report", "language")) or "en"
    values = {}
    for field in FIELDS:
        if field.key in (("outcome", "range_low"), ("outcome", "range_high")):
            pair = _get(config, ("outcome", "range")) or [None, None]
            values[field.name] = _text(pair[0 if field.key[1] == "range_low" else 1], language)
        else:
            values[field.name] = _text(_get(config, _outcome_key(field, config)), language)
    for i, visit in enumerate(list(config.get("visits") or []) + [{}] * VISIT_ROWS_SPARE):
        for key in VISIT_KEYS:
            values[f"visits.{i}.{key}"] = _text(visit.get(key), language)
    return values


def visit_rows(values: dict[str, str]) -> int:
    """How many schedule rows the form has (those of the values, the spare row included)."""
    return len({k.split(".")[1] for k in values if k.startswith("visits.")})


def number(text: str, integer: bool = False) -> Any:
    """A number as typed (``10``, ``10,5``, ``-30``); the text itself when it is none (the config's checks then name
    it)."""
    cleaned = text.strip().replace("\u2212", "-")
    if re.fullmatch(r"[+-]?\d+", cleaned):
        return int(cleaned)
    if re.fullmatch(r"[+-]?\d*[.,]\d+", cleaned):
        value = float(cleaned.replace(",", "."))
        return int(value) if integer and value.is_integer() else value
    return cleaned


def _parsed(field: Field, text: str) -> Any:
    text = text.strip()
    if field.kind == "check":
        return bool(text)
    if field.kind in ("number", "integer"):
        return number(text, field.kind == "integer") if text else None
    return text


def updated_config(user: dict, defaults: dict, values: dict[str, str]) -> dict:
    """The user's config with the form's ``values`` written in: a key only when the user's config had it or its
    value differs from the default; texts held per language changed in the report's language only."""
    out = copy.deepcopy(user)
    language = values.get("report.language") or "en"
    own_outcome = bool(values.get("outcome.name", "").strip())
    for field in FIELDS:
        if field.key[0] == "outcome" and field.key[1].startswith("range"):
            continue
        value = _parsed(field, values.get(field.name, ""))
        key = field.key
        if key == ("mid",):
            key = ("outcome", "mid") if own_outcome else ("yardsticks", "who5_mid")
            if value is None and not own_outcome:
                continue  # WHO-5's MID left empty: the default stays
        if key[0] == "outcome" and not own_outcome and not value:
            continue
        if field.kind in ("text", "long") and isinstance(_get(user, key), dict):
            value = {**_get(user, key), language: value}
        if _has(user, key) or value != _get(defaults, key):
            _set(out, key, value)
    low, high = (_parsed(Field(("x",), "number", ""), values.get(f"outcome.range_{end}", "")) for end in ("low", "high"))
    if low is not None or high is not None:
        _set(out, ("outcome", "range"), [low, high])
    elif isinstance(out.get("outcome"), dict):
        out["outcome"].pop("range", None)
    if isinstance(out.get("outcome"), dict) and not own_outcome and not any(out["outcome"].values()):
        del out["outcome"]
    visits = []
    for i in range(visit_rows(values)):
        row = {k: values.get(f"visits.{i}.{k}", "").strip() for k in VISIT_KEYS}
        if any(row.values()):
            visits.append({k: number(v, integer=True) if v else v for k, v in row.items()})
    if "visits" in user or visits != defaults.get("visits"):
        out["visits"] = visits
    return out


def changed_keys(before: dict, after: dict, prefix: str = "") -> list[str]:
    """The config keys whose values differ (for the page's "saved: ..." line)."""
    keys = []
    for key in sorted(set(before) | set(after), key=str):
        a, b = before.get(key), after.get(key)
        if isinstance(a, dict) or isinstance(b, dict):
            a, b = (a if isinstance(a, dict) else {}), (b if isinstance(b, dict) else {})
            keys += changed_keys(a, b, f"{prefix}{key}.")
        elif a != b:
            keys.append(f"{prefix}{key}")
    return keys


def read_defaults(root: Path) -> dict:
    """The workflow's defaults (``config/config.yaml`` of the project)."""
    import yaml

    return yaml.safe_load((root / "config" / "config.yaml").read_text(encoding="utf-8")) or {}


__all__ = ["Field", "FIELDS", "SECTIONS", "merged", "form_values", "updated_config", "changed_keys", "number",
           "visit_rows", "read_defaults"]
