"""Texts of the notices to employers, and the job that hands a notice to kafo.messaging.

Texts are French first (Django i18n, English in kafo/locale/en); a notice is written in the
language active when the daily run creates it (French by default). An SMS is made GSM-7 and
kept within one SMS (160 characters) by shortening the employer's name, never the message.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from kafo.contributions.domain.compute import format_amount
from kafo.jobs import task
from kafo.messaging.domain import gsm7
from kafo.organisations.tenancy import tenant_scope

from .models import Notice, NoticeChannel, NoticeKind, NoticeStatus

SMS_LIMIT = 160
PURPOSE = "collection_notice"  # + ":" + the notice's kind: the messages page names it


def purpose_of(notice: Notice) -> str:
    """The stored purpose of a notice's SMS or e-mail: 'collection_notice:formal_notice'."""
    return f"{PURPOSE}:{notice.kind}"


@dataclass(frozen=True)
class NoticeFacts:
    """What a notice says: the organisation, the employer, the period and what applies to it."""

    organisation: str
    employer: str
    employer_number: str
    period_label: str
    due_date: dt.date | None = None
    delay_days: int | None = None
    amount: Decimal | None = None
    currency: str = "XOF"


def _amount(facts: NoticeFacts) -> str:
    return format_amount(facts.amount or 0, facts.currency)


def _sms_template(kind: str) -> str:
    return {
        NoticeKind.REMINDER: _(
            "%(org)s : la DNS %(period)s de %(employer)s est due le %(due)s. "
            "Déclarez et payez avant cette date."
        ),
        NoticeKind.OVERDUE: _(
            "%(org)s : la DNS %(period)s de %(employer)s, due le %(due)s, n'est pas reçue. "
            "Déclarez sans délai."
        ),
        NoticeKind.FORMAL_NOTICE: _(
            "%(org)s : MISE EN DEMEURE. DNS %(period)s de %(employer)s non reçue. "
            "Sans déclaration sous %(days)s jours : taxation d'office."
        ),
        NoticeKind.ASSESSMENT: _(
            "%(org)s : taxation d'office %(period)s de %(employer)s : %(amount)s. "
            "Votre déclaration la remplacera."
        ),
        NoticeKind.PENALTY: _(
            "%(org)s : majoration de %(amount)s (%(period)s) portée au compte de %(employer)s."
        ),
    }[kind]


def _subject(kind: str) -> str:
    return {
        NoticeKind.REMINDER: _("Rappel : déclaration %(period)s à faire avant le %(due)s"),
        NoticeKind.OVERDUE: _("Déclaration %(period)s non reçue à l'échéance"),
        NoticeKind.FORMAL_NOTICE: _("Mise en demeure : déclaration %(period)s"),
        NoticeKind.ASSESSMENT: _("Taxation d'office : période %(period)s"),
        NoticeKind.PENALTY: _("Majoration portée à votre compte : période %(period)s"),
    }[kind]


def _body(kind: str) -> str:
    return {
        NoticeKind.REMINDER: _(
            "Madame, Monsieur,\n\nLa déclaration nominative des salaires (DNS) de la période "
            "%(period)s de %(employer)s (n° %(number)s) est à déposer et les cotisations à payer "
            "au plus tard le %(due)s.\n\n%(org)s"
        ),
        NoticeKind.OVERDUE: _(
            "Madame, Monsieur,\n\nLa déclaration nominative des salaires (DNS) de la période "
            "%(period)s de %(employer)s (n° %(number)s), due le %(due)s, n'a pas été reçue. "
            "Déposez-la sans délai : les majorations de retard courent depuis l'échéance."
            "\n\n%(org)s"
        ),
        NoticeKind.FORMAL_NOTICE: _(
            "Madame, Monsieur,\n\nMalgré nos rappels, la déclaration nominative des salaires "
            "(DNS) de la période %(period)s de %(employer)s (n° %(number)s), due le %(due)s, "
            "n'a pas été reçue. Vous êtes mis en demeure de la déposer dans un délai de "
            "%(days)s jours. Passé ce délai, les cotisations de la période seront fixées "
            "d'office (taxation d'office) et portées à votre compte.\n\n%(org)s"
        ),
        NoticeKind.ASSESSMENT: _(
            "Madame, Monsieur,\n\nFaute de déclaration à l'issue du délai de la mise en "
            "demeure, les cotisations de la période %(period)s de %(employer)s (n° %(number)s) "
            "sont fixées d'office à %(amount)s et portées à votre compte. Ce montant est "
            "provisoire : la déclaration réelle de la période l'annulera et la remplacera."
            "\n\n%(org)s"
        ),
        NoticeKind.PENALTY: _(
            "Madame, Monsieur,\n\nUne majoration de %(amount)s pour la période %(period)s a été "
            "portée au compte de %(employer)s (n° %(number)s).\n\n%(org)s"
        ),
    }[kind]


def _values(facts: NoticeFacts, employer: str) -> dict[str, str]:
    return {
        "org": facts.organisation,
        "employer": employer,
        "number": facts.employer_number,
        "period": facts.period_label,
        "due": f"{facts.due_date:%d/%m/%Y}" if facts.due_date else "",
        "days": str(facts.delay_days or 0),
        "amount": _amount(facts),
    }


def sms_text(kind: str, facts: NoticeFacts) -> str:
    """The SMS of a notice, GSM-7, within 160 characters: the employer's name is shortened
    first; only a message too long without any name is cut at its end."""
    template = _sms_template(kind)
    name = gsm7.to_gsm7(facts.employer)
    text = gsm7.to_gsm7(template % _values(facts, name))
    while gsm7.septets(text) > SMS_LIMIT and len(name) > 8:
        name = name[: max(8, len(name) - (gsm7.septets(text) - SMS_LIMIT) - 1)].rstrip() + "."
        text = gsm7.to_gsm7(template % _values(facts, name))
    return gsm7.shorten_to_fit(text)


def email_text(kind: str, facts: NoticeFacts) -> tuple[str, str]:
    """The subject and body of a notice's e-mail."""
    values = _values(facts, facts.employer)
    return _subject(kind) % values, _body(kind) % values


# --- Sending ------------------------------------------------------------------------------------


@task(queue_name="notices")
def send_notice(organisation_id: int, notice_id: int) -> None:
    """Hand one notice to kafo.messaging (which queues, sends, retries and records receipts).

    Idempotent: a notice that already has its message is left alone.
    """
    _send_one(organisation_id, notice_id)


@task(queue_name="notices")
def send_notices(organisation_id: int, notice_ids: list[int]) -> None:
    """Hand the daily run's notices to kafo.messaging, each in its own transaction: one that
    fails leaves the others handed over (and stays pending, the job failed with its error)."""
    errors = []
    for notice_id in notice_ids:
        try:
            _send_one(organisation_id, notice_id)
        except Exception as error:  # noqa: BLE001 - re-raised below, after the others
            errors.append(error)
    if errors:
        raise errors[0]


def _send_one(organisation_id: int, notice_id: int) -> None:
    from kafo.messaging import services as messaging

    with tenant_scope(organisation_id), transaction.atomic():
        notice = (
            Notice.unscoped.select_for_update()
            .filter(organisation_id=organisation_id, pk=notice_id)
            .first()
        )
        if notice is None or notice.sms_id or notice.email_id:
            return
        if notice.status != NoticeStatus.PENDING:
            return
        if notice.channel == NoticeChannel.SMS:
            message = messaging.queue_sms(
                organisation=notice.organisation,
                to=notice.recipient,
                text=notice.text,
                purpose=purpose_of(notice),
                related=notice,
            )
            notice.sms = message
        else:
            message = messaging.queue_email(
                organisation=notice.organisation,
                to=notice.recipient,
                subject=notice.subject,
                body=notice.text,
                purpose=purpose_of(notice),
                related=notice,
            )
            notice.email = message
        notice.status = message.status
        notice.save(update_fields=["sms", "email", "status"])
