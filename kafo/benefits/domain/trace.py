"""The readable trace of a benefit computation (pure: no Django).

Every computation appends `Step`s to a `Trace`. A step records the numbers it took (`inputs`),
the formula as text over those names, its `result`, and the rule parameters it used with their
rule version and source. The formula is a small arithmetic expression that `evaluate()` can
re-run on the recorded inputs, so a reader (or a test) can recompute every step and, by
following the names (an input named like an earlier step's `code` is that step's result), the
final amount.

Formula language: numbers, names, `+ - * /`, parentheses, comparisons (`>= > <= < ==`), `and`,
`or`, `not`, `a if c else b`, and the functions `min`, `max`, `floor` (integer part),
`round0` (to a whole unit, half up), `round2` (to 2 places, half up), `rounddown0`.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from decimal import ROUND_DOWN, ROUND_FLOOR, ROUND_HALF_UP, Decimal
from typing import Any

# CFA francs have no subunit. No source gives the rounding of a pension amount: half up is
# assumed (as for contributions, kafo/contributions/domain/compute.py).
ROUNDING = ROUND_HALF_UP
ROUNDING_ASSUMPTION = (
    "Arrondi au franc le plus proche (demi vers le haut) : aucune source ne précise l'arrondi "
    "des prestations (hypothèse)."
)

Number = Decimal | int | bool


def round0(x: Decimal | int) -> Decimal:
    """Round to a whole franc, half up."""
    return Decimal(x).quantize(Decimal(1), rounding=ROUNDING)


def round2(x: Decimal | int) -> Decimal:
    return Decimal(x).quantize(Decimal("0.01"), rounding=ROUNDING)


def rounddown0(x: Decimal | int) -> Decimal:
    return Decimal(x).quantize(Decimal(1), rounding=ROUND_DOWN)


def floor(x: Decimal | int) -> int:
    return int(Decimal(x).to_integral_value(rounding=ROUND_FLOOR))


@dataclass(frozen=True)
class ParamRef:
    """A rule parameter a step used: its name, value, rule version and source."""

    name: str
    value: Any
    version: str  # e.g. "CNSS-BJ old_age 2000-01-01"
    source: str
    assumption: bool = False
    note: str = ""

    def as_dict(self) -> dict:
        return {
            "name": self.name,
            "value": _plain(self.value),
            "version": self.version,
            "source": self.source,
            "assumption": self.assumption,
            "note": self.note,
        }


@dataclass(frozen=True)
class Step:
    code: str
    label_fr: str
    label_en: str
    inputs: Mapping[str, Any]
    formula: str
    result: Any
    params: tuple[ParamRef, ...] = ()
    # A part of a longer computation (coordination: "independent", "theoretical", "share").
    section: str = ""

    def recompute(self) -> Any:
        """Re-evaluate the formula on the recorded inputs."""
        return evaluate(self.formula, self.inputs)

    def as_dict(self) -> dict:
        return {
            "code": self.code,
            "label_fr": self.label_fr,
            "label_en": self.label_en,
            "inputs": {k: _plain(v) for k, v in self.inputs.items()},
            "formula": self.formula,
            "result": _plain(self.result),
            "params": [p.as_dict() for p in self.params],
        } | ({"section": self.section} if self.section else {})


@dataclass
class Trace:
    steps: list[Step] = field(default_factory=list)

    def add(
        self,
        code: str,
        label_fr: str,
        label_en: str,
        *,
        inputs: Mapping[str, Any],
        formula: str,
        params: tuple[ParamRef, ...] = (),
        result: Any = None,
    ) -> Any:
        """Evaluate `formula` on `inputs` (unless `result` is given: a selection, not arithmetic),
        record the step and return its result."""
        value = evaluate(formula, inputs) if result is None else result
        self.steps.append(
            Step(code, label_fr, label_en, dict(inputs), formula, value, tuple(params))
        )
        return value

    def extend(self, other: Trace, *, section: str) -> None:
        """Append the steps of `other`, marked as the part `section` of this computation."""
        self.steps.extend(replace(s, section=section) for s in other.steps)

    def result_of(self, code: str) -> Any:
        for step in reversed(self.steps):
            if step.code == code:
                return step.result
        raise KeyError(code)

    def as_list(self) -> list[dict]:
        return [s.as_dict() for s in self.steps]


def _plain(v: Any) -> Any:
    if isinstance(v, bool | int | str) or v is None:
        return v
    if isinstance(v, Decimal):
        # Fixed-point text: "22000", not normalize()'s "2.2E+4"; "0.4400" → "0.44".
        text = format(v, "f")
        return text.rstrip("0").rstrip(".") if "." in text else text
    if isinstance(v, list | tuple):
        return [_plain(x) for x in v]
    if isinstance(v, Mapping):
        return {str(k): _plain(x) for k, x in v.items()}
    return str(v)


_FUNCTIONS = {
    "min": min,
    "max": max,
    "floor": floor,
    "round0": round0,
    "round2": round2,
    "rounddown0": rounddown0,
}


class FormulaError(ValueError):
    pass


def evaluate(formula: str, names: Mapping[str, Any]) -> Any:
    """Evaluate a step's formula on named numbers, in Decimal arithmetic (no Python eval)."""
    tree = ast.parse(formula, mode="eval")
    return _eval(tree.body, names)


def _num(v: Any) -> Any:
    if isinstance(v, bool):
        return v
    if isinstance(v, int):
        return Decimal(v)
    if isinstance(v, float):
        raise FormulaError("float in a formula: use Decimal")
    return v


def _eval(node: ast.AST, names: Mapping[str, Any]) -> Any:  # noqa: C901, PLR0911, PLR0912
    if isinstance(node, ast.Constant):
        if isinstance(node.value, bool):
            return node.value
        if isinstance(node.value, int | float):
            return Decimal(str(node.value))
        raise FormulaError(f"constant {node.value!r}")
    if isinstance(node, ast.Name):
        if node.id not in names:
            raise FormulaError(f"unknown name {node.id}")
        return _num(names[node.id])
    if isinstance(node, ast.BinOp):
        a, b = _eval(node.left, names), _eval(node.right, names)
        if isinstance(node.op, ast.Add):
            return a + b
        if isinstance(node.op, ast.Sub):
            return a - b
        if isinstance(node.op, ast.Mult):
            return a * b
        if isinstance(node.op, ast.Div):
            return a / b
        raise FormulaError("operator")
    if isinstance(node, ast.UnaryOp):
        v = _eval(node.operand, names)
        if isinstance(node.op, ast.USub):
            return -v
        if isinstance(node.op, ast.Not):
            return not v
        raise FormulaError("unary operator")
    if isinstance(node, ast.BoolOp):
        values = [_eval(v, names) for v in node.values]
        return all(values) if isinstance(node.op, ast.And) else any(values)
    if isinstance(node, ast.Compare):
        left = _eval(node.left, names)
        for op, comp in zip(node.ops, node.comparators, strict=True):
            right = _eval(comp, names)
            ok = {
                ast.GtE: lambda x, y: x >= y,
                ast.Gt: lambda x, y: x > y,
                ast.LtE: lambda x, y: x <= y,
                ast.Lt: lambda x, y: x < y,
                ast.Eq: lambda x, y: x == y,
                ast.NotEq: lambda x, y: x != y,
            }[type(op)](left, right)
            if not ok:
                return False
            left = right
        return True
    if isinstance(node, ast.IfExp):
        return _eval(node.body if _eval(node.test, names) else node.orelse, names)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        fn = _FUNCTIONS.get(node.func.id)
        if fn is None:
            raise FormulaError(f"unknown function {node.func.id}")
        result = fn(*[_eval(a, names) for a in node.args])
        return Decimal(result) if isinstance(result, int) else result
    raise FormulaError(f"unsupported syntax: {ast.dump(node)[:60]}")
