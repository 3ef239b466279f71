"""pain.002 status reports: per-line statuses, group rejection, hostile files refused."""

from pathlib import Path

import pytest
import xmlschema

from kafo.payroll.domain.pain002 import Pain002Error, TransactionStatus, read_pain002

SCHEMA = Path(__file__).resolve().parents[1] / "schemas" / "pain.002.001.11.xsd"

REPORT_V11 = b"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.002.001.11">
 <CstmrPmtStsRpt>
  <GrpHdr><MsgId>BOA-ML-STS-0042</MsgId><CreDtTm>2026-12-01T08:00:00</CreDtTm></GrpHdr>
  <OrgnlGrpInfAndSts>
   <OrgnlMsgId>KAFO-CMSS-ML-2026-11</OrgnlMsgId><OrgnlMsgNmId>pain.001.001.03</OrgnlMsgNmId>
   <GrpSts>PART</GrpSts>
  </OrgnlGrpInfAndSts>
  <OrgnlPmtInfAndSts>
   <OrgnlPmtInfId>KAFO-CMSS-ML-2026-11</OrgnlPmtInfId>
   <PmtInfSts>PART</PmtInfSts>
   <TxInfAndSts>
    <OrgnlEndToEndId>PAY-2026-11-000001</OrgnlEndToEndId><TxSts>ACSC</TxSts>
   </TxInfAndSts>
   <TxInfAndSts>
    <OrgnlEndToEndId>PAY-2026-11-000002</OrgnlEndToEndId><TxSts>RJCT</TxSts>
    <StsRsnInf><Rsn><Cd>AC04</Cd></Rsn><AddtlInf>Compte clos le 15/10/2026</AddtlInf></StsRsnInf>
   </TxInfAndSts>
   <TxInfAndSts>
    <OrgnlEndToEndId>PAY-2026-11-000003</OrgnlEndToEndId><TxSts>RJCT</TxSts>
    <StsRsnInf><Rsn><Prtry>B17</Prtry></Rsn></StsRsnInf>
   </TxInfAndSts>
  </OrgnlPmtInfAndSts>
 </CstmrPmtStsRpt>
</Document>
"""

GROUP_REJECTED_V03 = b"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.002.001.03">
 <CstmrPmtStsRpt>
  <GrpHdr><MsgId>SGBCI-0007</MsgId><CreDtTm>2026-12-01T08:00:00</CreDtTm></GrpHdr>
  <OrgnlGrpInfAndSts>
   <OrgnlMsgId>KAFO-CNPS-CI-2026-11</OrgnlMsgId><OrgnlMsgNmId>pain.001.001.03</OrgnlMsgNmId>
   <GrpSts>RJCT</GrpSts>
   <StsRsnInf><Rsn><Cd>FF01</Cd></Rsn><AddtlInf>Somme de controle</AddtlInf></StsRsnInf>
  </OrgnlGrpInfAndSts>
 </CstmrPmtStsRpt>
</Document>
"""


def test_sample_report_is_valid_against_the_xsd():
    assert xmlschema.XMLSchema(str(SCHEMA)).is_valid(REPORT_V11.decode())


def test_transaction_statuses_and_reasons():
    report = read_pain002(REPORT_V11)
    assert (report.message_id, report.original_message_id, report.group_status) == (
        "BOA-ML-STS-0042",
        "KAFO-CMSS-ML-2026-11",
        "PART",
    )
    assert report.transactions == [
        TransactionStatus("PAY-2026-11-000001", "ACSC"),
        TransactionStatus("PAY-2026-11-000002", "RJCT", "AC04", "Compte clos le 15/10/2026"),
        TransactionStatus("PAY-2026-11-000003", "RJCT", "B17", ""),
    ]
    assert [t.end_to_end_id for t in report.rejections] == [
        "PAY-2026-11-000002",
        "PAY-2026-11-000003",
    ]
    assert report.transactions[0].accepted
    assert report.transactions[1].reason_label == "compte clôturé — Compte clos le 15/10/2026"
    # A partial report does not decide a line it does not list.
    statuses = report.statuses_for(["PAY-2026-11-000001", "PAY-2026-11-000009"])
    assert list(statuses) == ["PAY-2026-11-000001"]


def test_group_rejection_rejects_every_original_line():
    report = read_pain002(GROUP_REJECTED_V03)
    assert report.transactions == []
    assert (report.group_status, report.group_reason_code) == ("RJCT", "FF01")
    statuses = report.statuses_for(["L-1", "L-2"])
    assert statuses == {
        "L-1": TransactionStatus("L-1", "RJCT", "FF01", "Somme de controle", level="group"),
        "L-2": TransactionStatus("L-2", "RJCT", "FF01", "Somme de controle", level="group"),
    }
    assert statuses["L-1"].reason_label == "format du fichier invalide — Somme de controle"


def test_payment_level_status_applies_to_unlisted_lines():
    data = GROUP_REJECTED_V03.replace(
        b"</OrgnlGrpInfAndSts>",
        b"</OrgnlGrpInfAndSts><OrgnlPmtInfAndSts><OrgnlPmtInfId>P1</OrgnlPmtInfId>"
        b"<PmtInfSts>ACSC</PmtInfSts></OrgnlPmtInfAndSts>",
    ).replace(b"<GrpSts>RJCT</GrpSts>", b"<GrpSts>ACCP</GrpSts>")
    statuses = read_pain002(data).statuses_for(["L-1"])
    assert statuses == {"L-1": TransactionStatus("L-1", "ACSC", level="payment")}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaa">]><d>&a;</d>',
            "DOCTYPE",
        ),
        (b"<Document", "fichier XML illisible"),
        (
            b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"/>',
            "pas un rapport d'état pain.002",
        ),
        (
            b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.002.001.03">'
            b"<CstmrPmtStsRpt/></Document>",
            "OrgnlGrpInfAndSts absent",
        ),
        (
            REPORT_V11.replace(b"<OrgnlEndToEndId>PAY-2026-11-000003</OrgnlEndToEndId>", b""),
            "une transaction sans OrgnlEndToEndId",
        ),
    ],
)
def test_unreadable_or_hostile_files_refused(data, message):
    with pytest.raises(Pain002Error) as exc:
        read_pain002(data)
    assert message in str(exc.value)
