"""Benefit rules as versioned data, beside the contribution rules (kafo/rules).

A `BenefitRuleVersion` holds one organisation's parameters for one kind of benefit from a start
date (`effective_from`) until the next version of the same key starts: a reform is a new row,
never an edit of history. `parameters` is the JSON that kafo/benefits/domain/rules.py
(`parse_rules`) validates into `PensionRules`; `provenance` gives, per parameter or section,
its source and, where the reference marks it **A** or CONFLICT, `assumption: true` with a note.
`assumption` is true when any parameter of the version is an assumption.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from kafo.rules.models import VersionedRule

from .domain.rules import PensionRules, parse_rules


class BenefitKind(models.TextChoices):
    OLD_AGE = "old_age", _("vieillesse et survivants")


class BenefitRuleVersion(VersionedRule):
    kind = models.CharField(_("prestation"), max_length=20, choices=BenefitKind.choices)
    parameters = models.JSONField(_("paramètres"))
    provenance = models.JSONField(_("sources et hypothèses par paramètre"), default=dict)

    VERSION_KEY = ("organisation", "kind")

    class Meta:
        verbose_name = _("version de règle de prestation")
        verbose_name_plural = _("versions de règles de prestation")
        ordering = ["organisation", "kind", "-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "kind", "effective_from"], name="uniq_benefit_rule_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation} {self.kind} {self.effective_from.isoformat()}"

    @property
    def version_label(self) -> str:
        return f"{self.organisation.code} {self.kind} {self.effective_from.isoformat()}"

    def assumptions(self) -> list[dict]:
        """The parameters marked as assumptions, with their notes."""
        return [
            {"parameter": name, "source": p.get("source", ""), "note": p.get("note", "")}
            for name, p in sorted(self.provenance.items())
            if p.get("assumption")
        ]

    def rules(self) -> PensionRules:
        """The parameters as the domain's dataclass (validated when stored)."""
        return parse_rules(
            self.parameters,
            organisation=self.organisation.code,
            valid_from=self.effective_from,
            version=self.version_label,
            source=self.source,
            provenance=self.provenance,
        )
