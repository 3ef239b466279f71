"""Payroll models, one module per entity group: benefits in payment (in_payment.py) and payroll
runs (runs.py), family-allowance documents (allowances.py). Import them here so Django finds
them."""

from .allowances import ChildDocument, DocumentKind  # noqa: F401, E402
from .in_payment import (  # noqa: F401
    AmountVersion,
    BenefitInPayment,
    BenefitKind,
    CertificateSource,
    Channel,
    ChannelChange,
    DeathRecord,
    Frequency,
    LifeCertificate,
    LifeCertificateCampaign,
    Overpayment,
    Reason,
    Revaluation,
    Status,
    StatusChange,
    Timing,
)
from .runs import (  # noqa: F401, E402
    BatchStatus,
    FileKind,
    LineStatus,
    MobileMoneyBatch,
    PayrollFile,
    PayrollLine,
    PayrollRecovery,
    PayrollReturn,
    PayrollRun,
    RunStatus,
)
