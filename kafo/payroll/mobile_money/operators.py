"""The operators' configuration (operators.yaml) turned into adapters behind one interface."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import yaml

from .base import MobileMoneyError, MobileMoneyOperator
from .csv_files import CsvFileOperator
from .gsma import GsmaClient, GsmaOperator

OPERATORS_PATH = Path(__file__).resolve().parent / "operators.yaml"


def load_operator_settings(path: Path | str = OPERATORS_PATH) -> dict[str, dict]:
    """Return the operators' settings by code."""
    with open(path, encoding="utf-8") as handle:
        return dict((yaml.safe_load(handle) or {}).get("operators") or {})


def build_operator(code: str, settings: Mapping, **overrides) -> MobileMoneyOperator:
    """Build the adapter of one operator from its settings; `overrides` replace settings
    (a test's loopback address, a poll interval) or pass adapter arguments (`sleep`)."""
    settings = {**settings, **overrides}
    label = str(settings.get("label", code))
    protocol = settings.get("protocol")
    currency = str(settings.get("currency", "XOF"))
    if protocol == "gsma":
        base_url = os.environ.get(settings.get("base_url_env") or "", "") or settings.get(
            "base_url", ""
        )
        api_key = settings.get("api_key") or os.environ.get(settings.get("api_key_env") or "", "")
        client = GsmaClient(
            base_url,
            api_key=api_key,
            callback_url=settings.get("callback_url", ""),
            timeout_seconds=float(settings.get("timeout_seconds", 30)),
        )
        debit_party = settings.get("debit_party") or {}
        if not debit_party.get("key") or not debit_party.get("value"):
            raise MobileMoneyError(f"opérateur {code} : compte payeur (debit_party) manquant",
                                   permanent=True)  # fmt: skip
        extra = {k: settings[k] for k in ("sleep",) if k in settings}
        return GsmaOperator(
            code=code,
            label=label,
            client=client,
            debit_party={"key": str(debit_party["key"]), "value": str(debit_party["value"])},
            currency=currency,
            poll_limit=int(settings.get("poll_limit", 30)),
            poll_interval_seconds=float(settings.get("poll_interval_seconds", 2)),
            page_size=int(settings.get("page_size", 500)),
            **extra,
        )
    if protocol == "csv":
        return CsvFileOperator(
            code=code,
            label=label,
            columns=[(str(title), str(field)) for title, field in settings.get("columns") or []],
            results=dict(settings.get("results") or {}),
            separator=str(settings.get("separator", ";")),
            encoding=str(settings.get("encoding", "utf-8")),
            currency=currency,
        )
    raise MobileMoneyError(f"opérateur {code} : protocole « {protocol} » inconnu (gsma, csv)",
                           permanent=True)  # fmt: skip


def operator_for(code: str, **overrides) -> MobileMoneyOperator:
    """The adapter of the operator `code` of operators.yaml."""
    settings = load_operator_settings()
    if code not in settings:
        raise MobileMoneyError(f"opérateur « {code} » inconnu", permanent=True)
    return build_operator(code, settings[code], **overrides)
