"""The summary of decisions of a coordinated claim, as a PDF, at the organisation where the
claim was opened (a link of the claim page's coordination section)."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.utils import translation

from kafo.benefits import claims_selectors, permissions

from .summary import summary_pdf
from .summary_data import claim_summary


@login_required
def claim_summary_pdf(request, pk):
    """The summary (French, as the award notification): 404 for a claim not forwarded anywhere
    or opened from another organisation's forward (the origin sends the summary)."""
    if not permissions.can_read_claims(request.user):
        raise PermissionDenied
    claim = claims_selectors.claim_detail(pk)
    with translation.override("fr"):
        summary = claim_summary(claim)
        if summary is None:
            raise Http404
        pdf = summary_pdf(summary)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="recapitulatif-{claim.reference}.pdf"'
    return response
