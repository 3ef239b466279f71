"""The names a user reads for what the audit log stores by code: a changed field's verbose name.

An event keeps `object_type` (the model's `model_name`) and `changes` keyed by field name; the
History tab shows "adresse", not `address` (issue 18).
"""

from functools import cache

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist


@cache
def _models_by_name() -> dict:
    models = {}
    for model in apps.get_models():
        if model.__module__.startswith("kafo."):
            models.setdefault(model._meta.model_name, model)
    return models


def field_label(object_type: str, field: str) -> str:
    """Return the verbose name of `field` of the model named `object_type`, else the field name
    with its underscores as spaces."""
    model = _models_by_name().get(object_type)
    if model is not None:
        try:
            return str(model._meta.get_field(field).verbose_name)
        except FieldDoesNotExist:
            pass
    return field.replace("_", " ")
