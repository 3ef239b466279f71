"""Pages of contributions: declarations (upload, template, detail) and pending registrations."""

from __future__ import annotations

import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from kafo.exports import xlsx_append
from kafo.organisations.tenancy import get_for_scope
from kafo.registry.models import Employer

from . import selectors, services
from .domain import dns, periods
from .forms import DeclarationUploadForm
from .models import Declaration
from .permissions import can_read, can_submit, check_employer_access

BREAKDOWN_MAX_LINES = 20_000
PENDING_PAGE_SIZE = 50


@login_required
def declaration_list(request):
    if not can_read(request.user):
        raise PermissionDenied
    employer = request.user.employer if request.user.is_employer_user else None
    declarations = selectors.declarations_for(employer=employer)[:200]
    return render(
        request,
        "contributions/declaration_list.html",
        {"declarations": declarations, "can_submit": can_submit(request.user)},
    )


@login_required
def declaration_new(request):
    if not can_submit(request.user):
        raise PermissionDenied
    own = request.user.employer if request.user.is_employer_user else None
    form = DeclarationUploadForm(
        request.POST or None,
        request.FILES or None,
        employer=own,
        initial={"period": request.GET.get("period", "")[:7]},  # from the employer's page
    )
    line_errors = []
    if request.method == "POST" and form.is_valid():
        employer = (
            own or Employer.objects.filter(number=form.cleaned_data["employer_number"]).first()
        )
        if employer is None:
            form.add_error("employer_number", _("Employeur inconnu dans cet organisme."))
        else:
            upload = form.cleaned_data["file"]
            try:
                result = services.declaration_submit(
                    employer=employer,
                    period=form.cleaned_data["period"],
                    content=upload.read(),
                    filename=upload.name,
                    kind=form.cleaned_data["kind"],
                    submitted_by=request.user,
                )
            except services.DeclarationRejected as exc:
                line_errors = exc.line_errors
            else:
                if result.duplicate:
                    messages.info(
                        request, _("Ce fichier a déjà été reçu : il n'est pas compté deux fois.")
                    )
                else:
                    messages.success(request, _("Déclaration enregistrée."))
                return redirect("contributions-declaration-detail", pk=result.declaration.pk)
    return render(
        request,
        "contributions/declaration_form.html",
        {"form": form, "line_errors": line_errors},
    )


@login_required
def declaration_template(request):
    """The Excel template of the DNS file: French headers (dns.FRENCH_HEADERS, read back by the
    import like the English names), the number and period columns formatted as text (a
    registration number keeps its leading zeros, a period is not turned into a date), and no
    example line to delete before sending; the help is on a second sheet."""
    if not can_read(request.user):
        raise PermissionDenied
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "DNS"
    xlsx_append(ws, dns.FRENCH_HEADERS)
    for i, width in enumerate((18, 10, 16, 18, 24, 28, 16, 14, 12)):
        column = ws.column_dimensions[chr(ord("A") + i)]
        column.width = width
        if i < 4:  # employer number, period, worker number, national id
            column.number_format = "@"
    ws.freeze_panes = "A2"
    help_sheet = wb.create_sheet(_("Aide"))
    number = request.user.employer.number if request.user.is_employer_user else "0000000"
    for row in (
        [_("Colonne"), _("Contenu")],
        [dns.FRENCH_HEADERS[0], _("votre numéro d'immatriculation, ex. %(n)s") % {"n": number}],
        [dns.FRENCH_HEADERS[1], periods.PERIOD_HELP],
        [dns.FRENCH_HEADERS[2], _("numéro d'immatriculation du salarié (ou le numéro national)")],
        [dns.FRENCH_HEADERS[3], _("numéro national d'identité, si le salarié n'a pas de numéro")],
        [dns.FRENCH_HEADERS[6], _("0 au nombre de jours de la période")],
        [dns.FRENCH_HEADERS[7], _("en francs, sans centimes")],
        [dns.FRENCH_HEADERS[8], _("standard (vide) ou executive (cadre)")],
        [_("Une ligne par salarié, à partir de la ligne 2 de la feuille DNS.")],
    ):
        xlsx_append(help_sheet, row)
    buf = io.BytesIO()
    wb.save(buf)
    resp = HttpResponse(
        buf.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    resp["Content-Disposition"] = 'attachment; filename="modele-dns.xlsx"'
    return resp


@login_required
def declaration_detail(request, pk: int):
    if not can_read(request.user):
        raise PermissionDenied
    declaration = get_for_scope(
        Declaration, pk=pk, queryset=Declaration.objects.select_related("employer", "amends")
    )
    check_employer_access(request.user, declaration.employer_id)
    breakdown = (
        selectors.declaration_breakdown(declaration=declaration)
        if declaration.line_count <= BREAKDOWN_MAX_LINES
        else None
    )
    return render(
        request,
        "contributions/declaration_detail.html",
        {
            "d": declaration,
            "lines": selectors.declaration_lines(declaration=declaration),
            "breakdown": breakdown,
            "corrections": declaration.corrections.all(),
        },
    )


@login_required
def pending_list(request):
    if not can_read(request.user) or request.user.is_employer_user:
        raise PermissionDenied
    pending = selectors.pending_registrations().order_by("created_at", "pk")
    page = Paginator(pending, PENDING_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "contributions/pending_list.html", {"page": page})


__all__ = ["Http404"]
