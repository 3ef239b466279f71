"""GSM-7: what fits one SMS, French made to fit."""

import pytest

from kafo.messaging.domain import gsm7


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Votre employeur a déclaré à l'échéance", True),  # é è à are GSM-7
        ("Employé ÉTAT Ç", True),
        ("Prêt à être payé", False),  # ê is not
        ("Reçu", False),  # ç is not (only Ç)
        ("Coût 100 €", False),  # û
        ("Montant 100 € [x]", True),  # € [ ] are in the extension table
    ],
)
def test_is_gsm7(text, expected):
    assert gsm7.is_gsm7(text) is expected


def test_extension_characters_count_two_septets():
    assert gsm7.septets("abc") == 3
    assert gsm7.septets("€[]") == 6


def test_french_outside_gsm7_is_transliterated():
    assert (
        gsm7.to_gsm7("Prêt reçu « tôt » l’œuvre 125\u202f000")
        == 'Pret recu " tot " l\'oeuvre 125 000'
    )
    assert gsm7.is_gsm7(gsm7.to_gsm7("Prêt reçu « tôt » l’œuvre 125\u202f000"))


def test_parts_gsm7_and_ucs2():
    assert gsm7.sms_parts("a" * 160) == 1
    assert gsm7.sms_parts("a" * 161) == 2  # 153 per part
    assert gsm7.sms_parts("a" * 306) == 2
    assert gsm7.sms_parts("a" * 307) == 3
    assert gsm7.sms_parts("ê" * 70) == 1  # UCS-2
    assert gsm7.sms_parts("ê" * 71) == 2
    assert gsm7.sms_parts("€" * 80) == 1  # 160 septets
    assert gsm7.sms_parts("€" * 81) == 2


def test_shorten_to_fit_keeps_one_sms():
    text = gsm7.shorten_to_fit("ê" * 200)
    assert text == "e" * 157 + "..."
    assert gsm7.fits_one_sms(text)
    assert gsm7.shorten_to_fit("court") == "court"
