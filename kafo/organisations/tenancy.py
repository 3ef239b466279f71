"""Tenant scoping: the one place where organisation isolation is enforced.

Every tenant-owned model inherits `TenantModel`. Its default manager reads the *current scope*
(a context variable set by the request middleware, the API authentication, or explicitly by a
command with `tenant_scope(...)`) and filters every query by it. Without a scope it refuses to
run: a forgotten scope fails loudly instead of leaking the whole zone.
"""

from __future__ import annotations

import contextvars
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import models
from django.http import Http404

security_log = logging.getLogger("kafo.security")


@dataclass(frozen=True)
class Scope:
    """Which organisations the current actor may see: one, or the whole zone."""

    organisation_id: int | None
    zone_wide: bool = False

    def allows(self, organisation_id: int) -> bool:
        return self.zone_wide or organisation_id == self.organisation_id


_current_scope: contextvars.ContextVar[Scope | None] = contextvars.ContextVar(
    "kafo_tenant_scope", default=None
)


class TenantScopeMissing(RuntimeError):
    """A tenant table was queried outside any organisation scope."""


def current_scope() -> Scope:
    scope = _current_scope.get()
    if scope is None:
        raise TenantScopeMissing(
            "tenant data queried without a scope: wrap the work in tenant_scope() or zone_scope()"
        )
    return scope


@contextmanager
def use_scope(scope: Scope | None) -> Iterator[Scope | None]:
    token = _current_scope.set(scope)
    try:
        yield scope
    finally:
        _current_scope.reset(token)


def tenant_scope(organisation) -> contextmanager:
    """Scope the enclosed work to one organisation (an instance or its id)."""
    org_id = organisation if isinstance(organisation, int) else organisation.pk
    return use_scope(Scope(organisation_id=org_id))


def zone_scope() -> contextmanager:
    """Scope the enclosed work to the whole zone (zone administrators, batch jobs)."""
    return use_scope(Scope(organisation_id=None, zone_wide=True))


class TenantQuerySet(models.QuerySet):
    """A queryset whose organisation filter is bound when it is evaluated, not when built.

    Querysets built at import time (a form field's choices, say) are thus scoped by the
    request that finally runs them.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._tenant_pending = False

    def _bind_scope(self) -> None:
        if self._tenant_pending:
            self._tenant_pending = False
            scope = current_scope()
            if not scope.zone_wide:
                self._query.add_q(models.Q(organisation_id=scope.organisation_id))

    @property
    def query(self):
        self._bind_scope()
        return models.QuerySet.query.fget(self)

    @query.setter
    def query(self, value):
        models.QuerySet.query.fset(self, value)

    def _clone(self):
        if not self._tenant_pending:
            return super()._clone()
        self._tenant_pending = False  # clone without binding: the clone binds when it runs
        try:
            clone = super()._clone()
        finally:
            self._tenant_pending = True
        clone._tenant_pending = True
        return clone

    def for_scope(self, scope: Scope) -> TenantQuerySet:
        if scope.zone_wide:
            return self
        return self.filter(organisation_id=scope.organisation_id)


class TenantManager(models.Manager.from_queryset(TenantQuerySet)):
    """Default manager of tenant models: filtered by the scope current when a query runs."""

    def get_queryset(self) -> TenantQuerySet:
        qs = super().get_queryset()
        qs._tenant_pending = True
        return qs


class TenantModel(models.Model):
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, db_index=True, related_name="+"
    )

    objects = TenantManager()
    # For migrations, zone-wide statistics and linkage only; never in views.
    unscoped = models.Manager()  # noqa: DJ012

    class Meta:
        abstract = True
        base_manager_name = "unscoped"


def get_for_scope(model: type[TenantModel], *, pk, queryset=None) -> TenantModel:
    """Return the record `pk` if the current scope may see it, else 404.

    Missing and "not yours" answer the same 404; the second is logged as a security event.
    """
    qs = queryset if queryset is not None else model.objects.all()
    try:
        return qs.get(pk=pk)
    except (model.DoesNotExist, ValueError, TypeError):
        pass
    exists_elsewhere = model.unscoped.filter(pk=pk).exists() if _is_int(pk) else False
    if exists_elsewhere:
        security_log.warning(
            "cross-organisation access refused: %s pk=%s scope=%s",
            model.__name__,
            pk,
            _current_scope.get(),
        )
        from kafo.audit.services import record_denied_access

        record_denied_access(model=model, pk=pk)
    raise Http404


def _is_int(value) -> bool:
    try:
        int(value)
    except (TypeError, ValueError):
        return False
    return True
