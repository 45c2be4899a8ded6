"""The user's config file as the ``fittrial`` command and the evaluator's desk read it, before Snakemake starts.

A missing file, a YAML syntax error (with file, line and column), a key written twice in one mapping, or a top level
that is not a mapping is reported as one sentence (:class:`UserError`), in the report's language
(``report.language``; English when it cannot be read), so that a mistake in a hand-edited config never ends in a
traceback.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from fittrial.language.messages import LANGUAGES, render


class UserError(Exception):
    """A mistake of the user's (a missing file, a YAML error): one sentence, no traceback."""


def language_of(text: str, config: Any) -> str:
    """The report's language: ``report.language`` of the config when it was read, else (a YAML error) a line
    ``language: da`` under ``report:`` in the text; English otherwise."""
    if isinstance(config, dict):
        report = config.get("report")
        language = report.get("language") if isinstance(report, dict) else None
        return language if language in LANGUAGES else "en"
    flow = re.search(r"^report:[ \t]*\{[^}]*\blanguage:[ \t]*['\"]?(\w+)", text, re.M)
    block = re.search(r"^report:[ \t]*(?:#.*)?\n((?:(?:[ \t]+.*|[ \t]*|#.*)(?:\n|\Z))*)", text, re.M)
    nested = re.search(r"^[ \t]+language:[ \t]*['\"]?(\w+)['\"]?[ \t]*(?:#.*)?$", block.group(1), re.M) \
        if block else None
    found = flow or nested
    language = found.group(1) if found else "en"
    return language if language in LANGUAGES else "en"


class DuplicateKey(Exception):
    """A key written twice in one mapping of the config file (YAML keeps the last silently)."""

    def __init__(self, key: str, line: int, first: int):
        super().__init__(key)
        self.key, self.line, self.first = key, line, first


def _unique_keys_loader() -> type:
    """A YAML SafeLoader that refuses a key given twice in one mapping: YAML would keep the last one without a word,
    so two ``analysis:`` blocks, or ``who5:`` given twice under ``inputs``, would silently drop one."""
    import yaml

    class Loader(yaml.SafeLoader):
        def construct_mapping(self, node: Any, deep: bool = False) -> Any:
            seen: dict[Any, int] = {}
            for key_node, _ in node.value:
                key = self.construct_object(key_node, deep=True)
                line = key_node.start_mark.line + 1
                if key in seen:
                    raise DuplicateKey(str(key), line, seen[key])
                seen[key] = line
            return super().construct_mapping(node, deep)

    return Loader


def read_config(path: str, here: Path | None = None) -> tuple[dict, str]:
    """The user's config file as a mapping, and the report's language. Raises UserError with one sentence (in
    that language when it can be read) for a file that is missing, unreadable, not UTF-8, not YAML, or whose top
    level is not a mapping."""
    import yaml

    here = here or Path.cwd()
    file = Path(path) if Path(path).is_absolute() else here / path
    if not file.exists():
        raise UserError(render("cli_config_missing", "en", file=path, path=here))
    if file.is_dir():
        raise UserError(render("cli_config_folder", "en", file=path))
    try:
        raw = file.read_bytes()
    except OSError as exc:
        raise UserError(render("cli_config_unreadable", "en", file=path, detail=exc.strerror or exc)) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UserError(render("cli_config_encoding", "en", file=path, line=raw[:exc.start].count(b"\n") + 1)) \
            from None
    try:
        config = yaml.load(text, Loader=_unique_keys_loader())  # noqa: S506 - a SafeLoader, see _unique_keys_loader
    except DuplicateKey as exc:
        raise UserError(render("cli_config_duplicate_key", language_of(text, None), file=path, name=exc.key,
                               line=exc.line, first=exc.first)) from None
    except yaml.MarkedYAMLError as exc:
        language = language_of(text, None)
        mark = exc.problem_mark or exc.context_mark
        detail = " ".join(str(exc.problem or exc.context or "").split()) or type(exc).__name__
        if mark is None:
            raise UserError(render("cli_config_yaml_nomark", language, file=path, detail=detail)) from None
        raise UserError(render("cli_config_yaml", language, file=path, line=mark.line + 1, column=mark.column + 1,
                               detail=detail)) from None
    except yaml.YAMLError as exc:
        raise UserError(render("cli_config_yaml_nomark", language_of(text, None), file=path,
                               detail=" ".join(str(exc).split()))) from None
    language = language_of(text, config)
    if config is None:
        raise UserError(render("cli_config_empty", language, file=path))
    if isinstance(config, list):
        raise UserError(render("cli_config_list", language, file=path))
    if not isinstance(config, dict):
        value = " ".join(str(config).split())
        raise UserError(render("cli_config_scalar", language, file=path,
                               value=value if len(value) <= 40 else value[:37] + "...")) from None
    return config, language


__all__ = ["UserError", "DuplicateKey", "language_of", "read_config"]
