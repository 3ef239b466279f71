"""The three SPDCI query types mapped onto a whitelist of person attributes.

Nothing of a query reaches the ORM but through the table below: a name not in it, an operator
it does not allow for that attribute or a value of the wrong kind is refused with a
`QueryRefused` that names it. The partner's agreement further limits the attributes it may
search on (a partner that may not receive birth dates may not search on them either).

- `idtype-value`: `{"type": "UIN", "value": "ML-123"}`, the identifier types of IDTYPES.
- `expression`: `{"type": "expression", "value": {"expression": {"collection": "Person",
  "query": {"$and": [{"birth_date": {"$lt": "1960-01-01"}}, {"sex": {"$eq": "female"}}]}}}}`,
  operators `$eq $ne $lt $lte $gt $gte $in`, combined by `$and`, `$or`, `$not`.
- `predicate`: the standard's list of `{seq_num, expression1, condition, expression2}`, each
  `{attribute_name, operator, attribute_value}` with `eq lt gt le ge in`; `condition` `and`,
  `or` or `not` (expression1 and not expression2); the items are joined by `and`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q

from kafo.interop.models import RecordAttribute as A

MAX_CONDITIONS = 20
MAX_IN_VALUES = 100


class QueryRefused(Exception):
    """The query cannot be run; `code` is the standard's reason code."""

    def __init__(self, message: str, code: str = "rjct.search_criteria.invalid"):
        super().__init__(message)
        self.code = code


def _text(name: str, value) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise QueryRefused(f"{name} : une chaîne de caractères est attendue")
    text = str(value).strip()
    if not text or len(text) > 120:
        raise QueryRefused(f"{name} : valeur vide ou trop longue (120 caractères au plus)")
    return text


def _date(name: str, value) -> dt.date:
    if not isinstance(value, str):
        raise QueryRefused(f"{name} : une date AAAA-MM-JJ est attendue")
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError as exc:
        raise QueryRefused(f"{name} : « {value[:40]} » n'est pas une date AAAA-MM-JJ") from exc


def _sex(name: str, value) -> str:
    text = _text(name, value).lower()
    mapped = {"male": "M", "m": "M", "female": "F", "f": "F"}.get(text)
    if mapped is None:
        raise QueryRefused(f"{name} : « {text[:40]} » n'est pas male ou female")
    return mapped


def _zone_id(name: str, value) -> int:
    text = _text(name, value)
    match = re.fullmatch(r"Z?0*(\d{1,12})", text, flags=re.IGNORECASE)
    if not match:
        raise QueryRefused(f"{name} : « {text[:40]} » n'est pas un identifiant de zone")
    return int(match.group(1))


def _insured_on(day: dt.date) -> Q:
    from kafo.registry.models import Employment

    in_force = Employment.unscoped.filter(
        person=OuterRef("pk"), organisation=OuterRef("organisation"), start_date__lte=day
    ).filter(Q(end_date__isnull=True) | Q(end_date__gte=day))
    return Q(Exists(in_force))


@dataclass(frozen=True)
class Attribute:
    """A searchable attribute: its field, how a value is read, what the agreement must allow."""

    field: str
    parse: Callable
    needs: str | None  # the RecordAttribute the partner's agreement must include
    operators: frozenset[str]
    build: Callable | None = None  # (operator, value) -> Q, when not a plain field lookup


_EQ = frozenset({"eq", "ne", "in"})
_ORDERED = frozenset({"eq", "ne", "in", "lt", "le", "gt", "ge"})

ATTRIBUTES: dict[str, Attribute] = {
    "national_id": Attribute("national_id", _text, A.NATIONAL_ID, _EQ),
    "registration_number": Attribute("number", _text, A.REGISTRATION_NUMBER, _EQ),
    "zone_person_id": Attribute("zone_link__zone_person_id", _zone_id, A.ZONE_PERSON_ID, _EQ),
    "family_name": Attribute("family_name", _text, A.NAME, _EQ),
    "given_names": Attribute("given_names", _text, A.NAME, _EQ),
    "birth_date": Attribute("birth_date", _date, A.BIRTH_DATE, _ORDERED),
    "sex": Attribute("sex", _sex, A.SEX, _EQ),
    "organisation": Attribute("organisation__code", lambda n, v: _text(n, v).upper(), None, _EQ),
    "insured_on": Attribute(
        "", _date, A.INSURANCE, frozenset({"eq"}), build=lambda op, day: _insured_on(day)
    ),
}
# Names the standard's examples and other registries use for the same attributes.
ALIASES = {
    "uin": "national_id",
    "nid": "national_id",
    "nationalid": "national_id",
    "national_id": "national_id",
    "surname": "family_name",
    "last_name": "family_name",
    "given_name": "given_names",
    "first_name": "given_names",
    "dob": "birth_date",
    "birthdate": "birth_date",
    "gender": "sex",
    "zone_id": "zone_person_id",
    "insured": "insured_on",
}
# Identifier types of idtype-value queries.
IDTYPES = {
    "uin": "national_id",
    "nid": "national_id",
    "nationalid": "national_id",
    "national_id": "national_id",
    "registration_number": "registration_number",
    "srn": "registration_number",
    "zone_person_id": "zone_person_id",
}
# Sortable attributes: their field and what the agreement must allow.
SORTS = {
    "family_name": ("family_name", A.NAME),
    "given_names": ("given_names", A.NAME),
    "birth_date": ("birth_date", A.BIRTH_DATE),
    "registration_number": ("number", A.REGISTRATION_NUMBER),
    "registration_date": ("registered_on", None),
}

_OPERATORS = {"eq": "exact", "lt": "lt", "le": "lte", "gt": "gt", "ge": "gte", "in": "in"}


def _resolve(name, allowed: set[str]) -> tuple[str, Attribute]:
    if not isinstance(name, str):
        raise QueryRefused("attribut : un nom est attendu")
    key = name.strip().lower()
    key = ALIASES.get(key, key)
    attribute = ATTRIBUTES.get(key)
    if attribute is None:
        known = ", ".join(sorted(ATTRIBUTES))
        raise QueryRefused(f"attribut « {name[:40]} » inconnu (attributs possibles : {known})")
    if attribute.needs and attribute.needs not in allowed:
        raise QueryRefused(
            f"attribut « {key} » : non couvert par la convention du partenaire",
            code="rjct.search_criteria.invalid",
        )
    return key, attribute


def condition(name, operator, value, allowed: set[str]) -> Q:
    """Return the filter of one `attribute operator value` condition."""
    key, attribute = _resolve(name, allowed)
    op = str(operator).lower().lstrip("$")
    op = {"lte": "le", "gte": "ge"}.get(op, op)
    if op not in attribute.operators:
        ops = ", ".join(sorted(attribute.operators))
        raise QueryRefused(
            f"attribut « {key} » : opérateur « {str(operator)[:10]} » non permis ({ops})"
        )
    if op == "in":
        if not isinstance(value, list) or not 0 < len(value) <= MAX_IN_VALUES:
            raise QueryRefused(
                f"attribut « {key} » : in attend une liste de 1 à {MAX_IN_VALUES} valeurs"
            )
        parsed = [attribute.parse(key, v) for v in value]
    else:
        parsed = attribute.parse(key, value)
    if attribute.build is not None:
        return attribute.build(op, parsed)
    if op == "ne":
        return ~Q(**{attribute.field: parsed})
    return Q(**{f"{attribute.field}__{_OPERATORS[op]}": parsed})


class _Counter:
    def __init__(self):
        self.n = 0

    def tick(self):
        self.n += 1
        if self.n > MAX_CONDITIONS:
            raise QueryRefused(f"requête trop complexe ({MAX_CONDITIONS} conditions au plus)")


def idtype_value(query, allowed: set[str]) -> Q:
    if not isinstance(query, dict) or "type" not in query or "value" not in query:
        raise QueryRefused("idtype-value : la requête attend {type, value}")
    idtype = str(query["type"]).strip().lower()
    idtype = idtype.rsplit(":", 1)[-1]  # "ns:org:IdType:UIN" → "uin"
    key = IDTYPES.get(idtype)
    if key is None:
        known = "UIN, REGISTRATION_NUMBER, ZONE_PERSON_ID"
        raise QueryRefused(f"idtype-value : type « {str(query['type'])[:40]} » inconnu ({known})")
    return condition(key, "eq", query["value"], allowed)


def _mongo(node, allowed: set[str], counter: _Counter) -> Q:
    if not isinstance(node, dict) or not node:
        raise QueryRefused("expression : un objet non vide est attendu")
    parts = []
    for key, value in node.items():
        if key in ("$and", "$or"):
            if not isinstance(value, list) or not value:
                raise QueryRefused(f"expression : {key} attend une liste non vide")
            subs = [_mongo(v, allowed, counter) for v in value]
            combined = subs[0]
            for sub in subs[1:]:
                combined = combined & sub if key == "$and" else combined | sub
            parts.append(combined)
        elif key == "$not":
            parts.append(~_mongo(value, allowed, counter))
        elif isinstance(key, str) and key.startswith("$"):
            raise QueryRefused(f"expression : opérateur « {key[:20]} » inconnu")
        else:
            if not isinstance(value, dict):
                value = {"$eq": value}
            if not value:
                raise QueryRefused(f"expression : « {key[:40]} » sans opérateur")
            for op, operand in value.items():
                counter.tick()
                parts.append(condition(key, op, operand, allowed))
    combined = parts[0]
    for part in parts[1:]:
        combined &= part
    return combined


def expression(query, allowed: set[str]) -> Q:
    value = query.get("value") if isinstance(query, dict) else None
    expr = value.get("expression") if isinstance(value, dict) else None
    if isinstance(expr, dict) and "query" in expr:
        collection = str(expr.get("collection", "Person"))
        if collection.lower() not in ("person", "srperson", "member"):
            raise QueryRefused(f"expression : collection « {collection[:40]} » inconnue (Person)")
        expr = expr["query"]
    if not isinstance(expr, dict):
        raise QueryRefused(
            "expression : la requête attend {type, value: {expression: {collection, query}}}"
        )
    return _mongo(expr, allowed, _Counter())


def predicate(query, allowed: set[str]) -> Q:
    if not isinstance(query, list) or not query:
        raise QueryRefused("predicate : une liste non vide de prédicats est attendue")
    if len(query) > MAX_CONDITIONS:
        raise QueryRefused(f"predicate : {MAX_CONDITIONS} prédicats au plus")

    def seq(item):
        n = item.get("seq_num") if isinstance(item, dict) else None
        return n if isinstance(n, int | float) else 0

    combined = None
    for index, item in enumerate(sorted(query, key=seq)):
        if not isinstance(item, dict) or not isinstance(item.get("expression1"), dict):
            raise QueryRefused(f"predicate[{index}] : expression1 manquante")
        q = _predicate_expr(item["expression1"], allowed, index)
        cond = item.get("condition")
        if item.get("expression2") is not None or cond is not None:
            if cond not in ("and", "or", "not") or not isinstance(item.get("expression2"), dict):
                raise QueryRefused(
                    f"predicate[{index}] : condition (and, or, not) et expression2 vont ensemble"
                )
            q2 = _predicate_expr(item["expression2"], allowed, index)
            q = q & q2 if cond == "and" else q | q2 if cond == "or" else q & ~q2
        combined = q if combined is None else combined & q
    return combined


def _predicate_expr(expr: dict, allowed: set[str], index: int) -> Q:
    missing = [k for k in ("attribute_name", "operator", "attribute_value") if k not in expr]
    if missing:
        raise QueryRefused(f"predicate[{index}] : {', '.join(missing)} manquant")
    return condition(expr["attribute_name"], expr["operator"], expr["attribute_value"], allowed)


QUERY_TYPES = {"idtype-value": idtype_value, "expression": expression, "predicate": predicate}


def build(query_type: str, query, allowed: set[str]) -> Q:
    """Return the filter of a search criteria's `query` of `query_type`."""
    parse = QUERY_TYPES.get(query_type)
    if parse is None:
        raise QueryRefused(f"query_type « {str(query_type)[:40]} » inconnu")
    return parse(query, allowed)


def ordering(sort, allowed: set[str]) -> list[str]:
    """Return the ORM ordering of the criteria's `sort` (the pk last, for stable pages)."""
    if sort in (None, []):
        return ["family_name", "given_names", "pk"]
    if not isinstance(sort, list):
        raise QueryRefused("sort : une liste est attendue", code="rjct.sort.invalid")
    order = []
    for item in sort:
        name = item.get("attribute_name") if isinstance(item, dict) else None
        sortable = SORTS.get(str(name).lower()) if name else None
        if sortable is None or (sortable[1] and sortable[1] not in allowed):
            raise QueryRefused(
                f"sort : attribut « {str(name)[:40]} » non triable ({', '.join(SORTS)})",
                code="rjct.sort.invalid",
            )
        if item.get("sort_order", "asc") not in ("asc", "desc"):
            raise QueryRefused("sort : sort_order vaut asc ou desc", code="rjct.sort.invalid")
        order.append(("-" if item.get("sort_order") == "desc" else "") + sortable[0])
    return [*order, "pk"]
