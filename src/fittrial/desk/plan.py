"""The design form of the evaluator's desk (step 6, plan the next trial): three questions and the precision, written
into the ``design:`` section of the folder's config, then the workflow's ``design`` target (as ``fittrial design``).

- the effect to detect (WHO-5 points, or the trial's own outcome's units; one or several): ``design.effects`` (the
  analytic table) and ``design.simulation.effects`` (the simulated power);
- the caseworkers available in all (one or several numbers): half to each arm, ``design.simulation.
  caseworkers_per_arm`` and the binary outcomes' ``design.binary.simulation.caseworkers_per_arm``;
- citizens per caseworker (one or several): ``design.citizens_per_caseworker`` and both simulations';
- simulated trials per cell (``design.simulation.trials`` and ``design.binary.simulation.trials``): more give a
  more precise power and take longer.

Everything else of the design (the design parameters estimated from the trial, the odds ratios, power and alpha)
stays as the config has it. Numbers are read as typed, with commas or spaces between several and a decimal comma
allowed; what is not a number is written as typed, so that the workflow's checks name it.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from fittrial.desk.facts import number

FIELDS = ("effects", "caseworkers", "citizens_per_caseworker", "trials")


def numbers(text: str) -> list[Any]:
    """Several numbers as typed: ``10, 7,5`` is 10 and 7.5 (a comma followed by a space separates; a comma
    between digits is a decimal comma), ``20 40`` is 20 and 40."""
    parts = [p for p in re.split(r"[;\s]+|,(?=\s)|,(?=$)", text.strip()) if p]
    return [number(p) for p in parts]


def _shown(values: Any) -> str:
    return ", ".join(str(v).replace(".", ",") if isinstance(v, float) else str(v) for v in values or [])


def form_values(config: dict) -> dict[str, str]:
    """The form's values from the config in force."""
    design = config.get("design") or {}
    simulation = design.get("simulation") or {}
    per_arm = simulation.get("caseworkers_per_arm") or []
    return {"effects": _shown(simulation.get("effects")),
            "caseworkers": _shown([2 * n if isinstance(n, int) else n for n in per_arm]),
            "citizens_per_caseworker": _shown(simulation.get("citizens_per_caseworker")),
            "trials": str(simulation.get("trials", ""))}


def updated_config(user: dict, values: dict[str, str]) -> dict:
    """The user's config with the design form written into ``design:``."""
    out = copy.deepcopy(user)
    design = out.setdefault("design", {})
    simulation = design.setdefault("simulation", {})
    binary = design.setdefault("binary", {}).setdefault("simulation", {})
    effects = numbers(values.get("effects", ""))
    caseworkers = numbers(values.get("caseworkers", ""))
    citizens = numbers(values.get("citizens_per_caseworker", ""))
    trials = number(values.get("trials", "").strip(), integer=True) if values.get("trials", "").strip() else None
    per_arm = [c // 2 if isinstance(c, int) else c for c in caseworkers]
    if effects:
        design["effects"] = simulation["effects"] = effects
    if per_arm:
        simulation["caseworkers_per_arm"] = binary["caseworkers_per_arm"] = per_arm
    if citizens:
        design["citizens_per_caseworker"] = simulation["citizens_per_caseworker"] = citizens
        binary["citizens_per_caseworker"] = citizens
    if trials is not None:
        simulation["trials"] = binary["trials"] = trials
    return out


__all__ = ["FIELDS", "numbers", "form_values", "updated_config"]
