"""Insert many rows of one model without the ORM's per-value compilation (bulk imports, demo).

`insert_many(model, objs)` writes what `Model.objects.bulk_create(objs)` writes (the same
columns, values prepared by the same fields, `auto_now`/`auto_now_add` filled, defaults of unset
fields already on the instances) in one `executemany` per batch, but returns nothing: the
instances get no primary key. It is for rows nothing refers to afterwards (audit events, ledger
entries of an import); bulk_create spent most of its time compiling each value of each row.
Integers, texts, booleans and foreign keys go as they are; any other field (dates, decimals,
JSON, IP addresses…) through its own `get_db_prep_save`, as the ORM does. No signals (neither
does bulk_create).
"""

from __future__ import annotations

from django.db import connections, models, router

_AS_IS = (
    models.AutoField,
    models.BigAutoField,
    models.IntegerField,
    models.CharField,
    models.TextField,
    models.BooleanField,
    models.ForeignKey,
)


def _as_is(field: models.Field) -> bool:
    if isinstance(field, models.ForeignKey):
        return _as_is(field.target_field)
    return isinstance(field, _AS_IS)


def insert_many(model: type[models.Model], objs, *, batch_size: int = 5000) -> int:
    """Insert `objs` (instances of `model`, no primary key set); return how many."""
    objs = list(objs)
    if not objs:
        return 0
    using = router.db_for_write(model)
    connection = connections[using]
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    timed = [f for f in fields if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", 0)]
    prepared = [None if _as_is(f) else f for f in fields]
    qn = connection.ops.quote_name
    # names from the model's own metadata, quoted; the values go as parameters
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608
        qn(model._meta.db_table),
        ", ".join(qn(f.column) for f in fields),
        ", ".join(["%s"] * len(fields)),
    )
    attnames = [f.attname for f in fields]
    with connection.cursor() as cursor:
        for start in range(0, len(objs), batch_size):
            rows = []
            for obj in objs[start : start + batch_size]:
                for f in timed:
                    f.pre_save(obj, True)
                rows.append(
                    [
                        getattr(obj, name)
                        if field is None
                        else field.get_db_prep_save(getattr(obj, name), connection)
                        for name, field in zip(attnames, prepared, strict=True)
                    ]
                )
            cursor.executemany(sql, rows)
    return len(objs)
