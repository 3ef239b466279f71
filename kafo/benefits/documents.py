"""PDF documents of the benefits (reportlab, the house style of kafo/contributions/documents.py):
the pension simulation, the computation's trace for the claimant, and the award notification.

Every text goes through kafo.exports (`paragraph`, `pdf_text`): a name, a source or a rejection
reason is shown as typed, never read as reportlab markup.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import cm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

from kafo.exports import paragraph, pdf_table, pdf_text

from .trace_view import ShownTrace, money


def _d(day: dt.date | None) -> str:
    return f"{day:%d/%m/%Y}" if day else ""


def _money(value) -> str:
    # reportlab's standard fonts lack the narrow no-break space: plain spaces.
    return "—" if value is None else money(Decimal(value))


def _styles():
    s = getSampleStyleSheet()
    small = s["BodyText"].clone("kafo-small", fontSize=8, leading=10)
    return s, small


def _build(title: str, story) -> bytes:
    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf, pagesize=A4, title=title, leftMargin=1.8 * cm, rightMargin=1.8 * cm
    )
    doc.build(story)
    return buf.getvalue()


def _header(organisation, title: str, s) -> list:
    return [
        paragraph(f"{organisation.name} ({organisation.code})", s["Heading3"]),
        paragraph(title, s["Title"]),
    ]


def _person_rows(person) -> list[list[str]]:
    return [
        [_("Assuré"), person.full_name],
        [_("Numéro"), person.number],
        [_("Né(e) le"), person.birth_date_display],
    ]


def trace_story(trace: ShownTrace, *, detailed: bool = True) -> list:
    """The trace as flowables: each step, its numbers and the parameters with their source.

    `detailed=False` (the award notification's summary) keeps each step's label and result."""
    s, small = _styles()
    story = [paragraph(_("Détail du calcul"), s["Heading2"])]
    if not detailed:
        rows = [[_("Étape"), _("Résultat")]]
        rows += [
            [paragraph(f"{step.number}. {step.label}", small), paragraph(step.result, small)]
            for step in trace.steps
        ]
        story.append(pdf_table(rows, [13 * cm, 4.4 * cm]))
        return story
    for step in trace.steps:
        if step.section_heading:  # a coordinated computation's parts
            story.append(paragraph(step.section_heading, s["Heading3"]))
        story.append(paragraph(f"{step.number}. {step.label}", s["Heading4"]))
        if step.inputs:
            rows = [
                [
                    paragraph(i.label, small),
                    paragraph(i.value, small),
                    paragraph(
                        _("résultat de l'étape %(n)s") % {"n": i.from_step} if i.from_step else "",
                        small,
                    ),
                ]
                for i in step.inputs
            ]
            story.append(pdf_table(rows, [7 * cm, 4.4 * cm, 6 * cm], header=False))
        if step.salaries:
            cells = [f"{period} : {amount}" for period, amount in step.salaries]
            rows = [
                cells[i : i + 4] + [""] * (4 - len(cells[i : i + 4]))
                for i in range(0, len(cells), 4)
            ]
            story.append(pdf_table(rows, [4.35 * cm] * 4, header=False))
        story.append(
            Paragraph(
                f"<font face='Courier'>{pdf_text(step.formula)}</font> = "
                f"<b>{pdf_text(step.result)}</b>",
                small,
            )
        )
        for p in step.params:
            mark = (
                f" <b>[{pdf_text(_('hypothèse'))}]</b> {pdf_text(p.note)}" if p.assumption else ""
            )
            story.append(
                Paragraph(
                    f"• {pdf_text(p.label)} : <b>{pdf_text(p.value)}</b> — "
                    f"{pdf_text(_('règle'))} {pdf_text(p.version)} ; "
                    f"{pdf_text(_('source'))} : {pdf_text(p.source or '—')}{mark}",
                    small,
                )
            )
        story.append(Spacer(1, 0.15 * cm))
    if trace.result:
        story.append(
            Paragraph(
                f"{pdf_text(_('Résultat'))} : <b>{pdf_text(trace.result.value)}</b>", s["BodyText"]
            )
        )
    return story


def simulation_pdf(*, person, on, benefit: str, result, later, trace: ShownTrace, lang) -> bytes:
    """A person's pension simulation: what is due on `on`, the next dates, the trace."""
    s, small = _styles()
    title = _("Simulation de retraite")
    rows = _person_rows(person) + [
        [_("Calculée au"), _d(on)],
        [_("Prestation"), benefit],
        [_("Montant mensuel"), _money(result.monthly_amount)],
        [_("Versement unique"), _money(result.lump_sum_amount)],
        [_("Mois d'assurance"), str(result.insured_months)],
        [_("Règle appliquée"), result.rules_version],
    ]
    story = _header(person.organisation, title, s)
    story += [
        pdf_table(
            [[paragraph(a, small), paragraph(b, small)] for a, b in rows],
            [5 * cm, 12 * cm],
            header=False,
        ),
        Spacer(1, 0.3 * cm),
    ]
    story += [paragraph(r, small) for r in result.reasons]
    if later:
        story.append(paragraph(_("Dates suivantes"), s["Heading2"]))
        table = [
            [
                _("À partir du"),
                _("Prestation"),
                _("Carrière telle que déclarée"),
                _("En continuant à travailler"),
            ]
        ]
        for day, label, as_is, working in later:
            table.append(
                [
                    _d(day),
                    paragraph(label, small),
                    _money(
                        as_is.monthly_amount
                        if as_is.monthly_amount is not None
                        else as_is.lump_sum_amount
                    ),
                    _money(
                        working.monthly_amount
                        if working.monthly_amount is not None
                        else working.lump_sum_amount
                    ),
                ]
            )
        story.append(pdf_table(table, [3 * cm, 5 * cm, 4.5 * cm, 4.5 * cm]))
    story.append(
        paragraph(
            _(
                "Simulation indicative, sur la carrière déclarée à ce jour : elle ne vaut pas "
                "décision. Le montant dû est fixé à la liquidation de la demande."
            ),
            small,
        )
    )
    story += trace_story(trace)
    return _build(title, story)


def trace_pdf(*, claim, liquidation, benefit: str, trace: ShownTrace) -> bytes:
    """The computation of a claim, every step with its numbers and sources, for the claimant."""
    s, small = _styles()
    title = _("Détail du calcul de votre prestation")
    rows = _person_rows(claim.person) + [
        [_("Demande"), f"{claim.reference} — {claim.get_kind_display()}"],
        [_("Date de la demande"), _d(claim.claim_date)],
        [_("Calcul n°"), f"{liquidation.number} — {_d(liquidation.on)}"],
        [_("Prestation due"), benefit],
        [_("Montant mensuel"), _money(liquidation.monthly_amount)],
        [_("Versement unique"), _money(liquidation.lump_sum_amount)],
        [_("Mois d'assurance"), str(liquidation.insured_months)],
        [_("Règle appliquée"), str(liquidation.rule_version.version_label)],
    ]
    story = _header(claim.organisation, title, s)
    story += [
        pdf_table(
            [[paragraph(a, small), paragraph(b, small)] for a, b in rows],
            [5 * cm, 12 * cm],
            header=False,
        ),
        Spacer(1, 0.3 * cm),
    ]
    if liquidation.gaps:
        story.append(
            paragraph(
                _("Mois sans déclaration : %(months)s")
                % {"months": ", ".join(str(g) for g in liquidation.gaps)},
                small,
            )
        )
    story += trace_story(trace)
    return _build(title, story)


def award_notification_pdf(
    *, claim, liquidation, benefit: str, trace: ShownTrace, approver_label: str
) -> bytes:
    """The award notification (French): the amount, its start date, the trace's summary and
    how to contest the decision."""
    s, small = _styles()
    title = _("Notification d'attribution")
    person = claim.person
    org = claim.organisation
    amount = liquidation.monthly_amount
    if amount is not None:
        sentence = _(
            "Nous avons le plaisir de vous informer qu'une %(benefit)s vous est attribuée, d'un "
            "montant de %(amount)s par mois, à compter du %(start)s."
        )
    else:
        amount = liquidation.lump_sum_amount
        sentence = _(
            "Nous avons le plaisir de vous informer qu'un %(benefit)s de %(amount)s vous est "
            "attribué, payable à compter du %(start)s."
        )
    story = _header(org, title, s)
    story += [
        paragraph(f"{person.full_name} — {_('n°')} {person.number}", s["BodyText"]),
        paragraph(
            f"{_('Demande')} {claim.reference} {_('du')} {_d(claim.claim_date)}", s["BodyText"]
        ),
        Spacer(1, 0.4 * cm),
        Paragraph(
            pdf_text(sentence)
            % {
                "benefit": pdf_text(benefit),
                "amount": f"<b>{pdf_text(_money(amount))}</b>",
                "start": f"<b>{pdf_text(_d(liquidation.start_date))}</b>",
            },
            s["BodyText"],
        ),
        Spacer(1, 0.3 * cm),
        pdf_table(
            [
                [paragraph(a, small), paragraph(b, small)]
                for a, b in [
                    [
                        _("Montant"),
                        _money(amount)
                        + (f" {_('par mois')}" if liquidation.monthly_amount is not None else ""),
                    ],
                    [_("Date d'effet"), _d(liquidation.start_date)],
                    [_("Mois d'assurance"), str(liquidation.insured_months)],
                    [_("Salaire de référence"), _money(liquidation.reference_salary)],
                    [_("Taux"), f"{liquidation.rate} %" if liquidation.rate is not None else "—"],
                    [_("Règle appliquée"), liquidation.rule_version.version_label],
                    [_("Décision du"), _d(claim.decided_at.date() if claim.decided_at else None)],
                    [_("Décidée par"), approver_label],
                ]
            ],
            [5 * cm, 12 * cm],
            header=False,
        ),
        Spacer(1, 0.3 * cm),
    ]
    story += trace_story(trace, detailed=False)
    story += [
        paragraph(_("Comment contester cette décision"), s["Heading2"]),
        paragraph(
            _(
                "Si vous estimez cette décision inexacte, vous pouvez former un recours gracieux, "
                "par écrit, auprès du directeur de %(org)s, en rappelant la référence %(ref)s et "
                "en joignant les pièces utiles (bulletins de salaire, certificats de travail). "
                "En cas de rejet, vous pouvez saisir la commission de recours amiable puis le "
                "tribunal du travail, dans les délais fixés par le code de sécurité sociale. "
                "Le détail complet du calcul vous est remis sur demande."
            )
            % {"org": org.name, "ref": claim.reference},
            small,
        ),
    ]
    return _build(title, story)
