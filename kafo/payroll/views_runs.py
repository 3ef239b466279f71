"""Staff pages of payroll runs: the list, prepare, the preview (totals per channel, the checks'
findings, the lines), approve (another payment officer, within a delegation), freeze (files),
cancel, download a file, upload a return (pain.002 or bank CSV)."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from kafo.accounts.models import RoleCode
from kafo.organisations.tenancy import get_for_scope

from . import permissions, runs
from .domain.run import month_label
from .models import LineStatus, PayrollFile, PayrollLine, PayrollRun, RunStatus

PAGE_SIZE = 25
PROBLEM_LABELS = {
    "negative": gettext_lazy("montant négatif"),
    "benefit_twice": gettext_lazy("prestation deux fois dans la campagne"),
    "beneficiary_twice": gettext_lazy("bénéficiaire deux fois dans la campagne"),
    "month_twice": gettext_lazy("mois déjà payé"),
    "dead": gettext_lazy("bénéficiaire décédé"),
    "totals": gettext_lazy("totaux par mode de paiement discordants"),
}


def _may_run(user) -> bool:
    return user.is_authenticated and user.has_role(RoleCode.PAYMENT_OFFICER, RoleCode.DIRECTOR)


def _need(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _flash(request, exc: ValidationError) -> None:
    errors = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
    for msgs in errors.values():
        for m in msgs:
            messages.error(request, m)


@login_required
def run_list(request):
    """The organisation's runs, newest first, paged."""
    _need(permissions.can_read_payments(request.user))
    page = Paginator(PayrollRun.objects.all().order_by("-period_start", "-pk"), PAGE_SIZE)
    return render(
        request,
        "payroll/run_list.html",
        {"page": page.get_page(request.GET.get("page")), "may_run": _may_run(request.user)},
    )


@login_required
def run_prepare(request):
    """Choose the period and prepare the run (computed at once, or by a job when large)."""
    _need(_may_run(request.user))
    today = timezone.localdate()
    values = {"period": request.POST.get("period", f"{today:%Y-%m}"), "months": "1"}
    if request.method == "POST":
        values["months"] = request.POST.get("months", "1")
        try:
            start = dt.datetime.strptime(values["period"], "%Y-%m").date()
        except ValueError:
            messages.error(request, _("Période : mois attendu au format AAAA-MM."))
        else:
            try:
                run = runs.run_prepare(
                    organisation=request.user.organisation,
                    period_start=start,
                    months=int(values["months"]) if values["months"].isdigit() else 0,
                    user=request.user,
                )
            except ValidationError as exc:
                _flash(request, exc)
            else:
                return redirect("payroll-run-detail", pk=run.pk)
    return render(request, "payroll/run_prepare.html", {"values": values})


def _run(pk) -> PayrollRun:
    return get_for_scope(PayrollRun, pk=pk)


@login_required
def run_detail(request, pk):
    """The preview: totals per channel, the checks, the lines; the actions the user may take."""
    _need(permissions.can_read_payments(request.user))
    run = _run(pk)
    lines = PayrollLine.objects.filter(run=run).order_by("payee_name", "pk")
    page = Paginator(lines, PAGE_SIZE).get_page(request.GET.get("page"))
    user = request.user
    today = timezone.localdate()
    refusal = runs.approval_refusal(run, user, on=today) if run.status == RunStatus.PREPARED else {}
    channels = dict(PayrollLine._meta.get_field("channel").choices)
    totals = [{"label": channels.get(c, c), **t} for c, t in sorted(run.totals.items())]
    problems = [{**p, "label": PROBLEM_LABELS.get(p["code"], p["code"])} for p in run.problems]
    return render(
        request,
        "payroll/run_detail.html",
        {
            "run": run,
            "page": page,
            "totals": totals,
            "problems": problems,
            "may_approve": run.status == RunStatus.PREPARED and not refusal and not problems,
            "refusal": list(refusal.values()),
            "may_run": _may_run(user),
            "files": [
                (f, _file_title(f)) for f in PayrollFile.objects.filter(run=run).defer("content")
            ],
            "returns": run.returns.all(),
            "mm_batches": run.mm_batches.all(),
            "period_label": month_label(run.period_start.year * 12 + run.period_start.month - 1),
            "failed": LineStatus.FAILED,
        },
    )


def _file_title(f: PayrollFile) -> str:
    if f.kind == "cash_list" and f.content_type == "text/csv":
        title = _("liste de paiement en espèces (CSV)")
    else:
        title = f.get_kind_display()
    return f"{title} — {f.label}" if f.label and f.label != "PDF" else title


def _action(request, pk, do, done: str):
    _need(_may_run(request.user))
    run = _run(pk)
    try:
        do(run)
    except ValidationError as exc:
        _flash(request, exc)
    else:
        messages.success(request, done)
    return redirect("payroll-run-detail", pk=run.pk)


@login_required
@require_POST
def run_approve(request, pk):
    return _action(
        request,
        pk,
        lambda run: runs.run_approve(run=run, user=request.user),
        _("Campagne approuvée."),
    )


@login_required
@require_POST
def run_freeze(request, pk):
    return _action(
        request,
        pk,
        lambda run: runs.run_freeze(run=run, user=request.user),
        _("Campagne figée : les fichiers de paiement sont émis."),
    )


@login_required
@require_POST
def run_cancel(request, pk):
    return _action(
        request,
        pk,
        lambda run: runs.run_cancel(run=run, user=request.user),
        _("Campagne annulée."),
    )


@login_required
def run_file(request, pk, file_pk):
    """Download one payment file of the run."""
    _need(_may_run(request.user))
    run = _run(pk)
    f = PayrollFile.objects.filter(run=run, pk=file_pk).first()
    if f is None:
        from django.http import Http404

        raise Http404
    response = HttpResponse(bytes(f.content), content_type=f.content_type)
    response["Content-Disposition"] = f'attachment; filename="{f.name}"'
    return response


@login_required
@require_POST
def run_returns(request, pk):
    """Upload a bank status report (pain.002) or a return CSV (reference;status;reason)."""
    _need(_may_run(request.user))
    run = _run(pk)
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("Fichier : choisissez le fichier de retour."))
        return redirect("payroll-run-detail", pk=run.pk)
    if upload.size > 20 * 2**20:
        messages.error(request, _("Fichier : 20 Mo au plus."))
        return redirect("payroll-run-detail", pk=run.pk)
    data = upload.read()
    try:
        # an operator's result file (Wave, Moov…) first, else a bank return
        ret = runs.run_record_operator_results(
            run=run, user=request.user, data=data, name=upload.name
        )
        if ret is None:
            kind, failed, paid = read_return(data)
            ret = runs.run_record_returns(
                run=run, user=request.user, kind=kind, name=upload.name, failed=failed, paid=paid
            )
    except ValidationError as exc:
        _flash(request, exc)
    else:
        messages.success(
            request,
            _("Retour enregistré : %(f)d ligne(s) rejetée(s), %(p)d confirmée(s).")
            % {"f": ret.failed_count, "p": ret.paid_count},
        )
    return redirect("payroll-run-detail", pk=run.pk)


def read_return(data: bytes) -> tuple[str, dict[str, str], list[str]]:
    """(kind, {reference: reason} failed, [reference] paid) of a pain.002 or a CSV return."""
    from .domain.pain002 import Pain002Error, read_pain002

    if data.lstrip().startswith(b"<"):
        try:
            report = read_pain002(data)
        except Pain002Error as exc:
            raise ValidationError({"file": str(exc)}) from exc
        failed = {
            t.end_to_end_id: " ".join(x for x in (t.reason_code, t.reason_text) if x)
            for t in report.transactions
            if t.status == "RJCT"
        }
        paid = [t.end_to_end_id for t in report.transactions if t.status in ("ACSC", "ACCC")]
        return "pain002", failed, paid
    import csv
    import io

    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationError({"file": _("Fichier : encodage UTF-8 attendu.")}) from exc
    failed: dict[str, str] = {}
    paid: list[str] = []
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    for number, row in enumerate(rows[1:], start=2):
        if not row or not row[0].strip():
            continue
        if len(row) < 2:
            raise ValidationError(
                {
                    "file": _("Ligne %(n)d : colonnes référence;état[;motif] attendues.")
                    % {"n": number}
                }
            )
        ref, status = row[0].strip(), row[1].strip().lower()
        if status in ("rejete", "rejeté", "failed", "rjct"):
            failed[ref] = row[2].strip() if len(row) > 2 else ""
        elif status in ("paye", "payé", "paid", "acsc"):
            paid.append(ref)
        else:
            raise ValidationError(
                {
                    "file": _("Ligne %(n)d : état « %(s)s » inconnu (payé ou rejeté).")
                    % {"n": number, "s": row[1]}
                }
            )
    return "csv", failed, paid
