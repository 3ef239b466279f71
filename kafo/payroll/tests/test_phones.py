"""Mobile-money numbers in E.164 (payments-indicators.md §2.3 examples)."""

import pytest

from kafo.payroll.domain.phones import PhoneError, msisdn_ok, normalise_msisdn


@pytest.mark.parametrize(
    ("text", "country", "e164"),
    [
        ("65012345", "ML", "+22365012345"),
        ("+223 65 01 23 45", "ML", "+22365012345"),
        ("00223 65-01-23-45", "ML", "+22365012345"),
        ("70 123 45 67", "SN", "+221701234567"),
        ("01 23 45 67 89", "CI", "+2250123456789"),
        ("70123456", "BF", "+22670123456"),
        ("93123456", "NE", "+22793123456"),
        ("90112345", "TG", "+22890112345"),
        ("0195123456", "BJ", "+2290195123456"),
        ("671234567", "cm", "+237671234567"),
    ],
)
def test_normalise_msisdn(text, country, e164):
    assert normalise_msisdn(text, country) == e164
    assert msisdn_ok(text, country)


@pytest.mark.parametrize(
    ("text", "country", "message"),
    [
        ("", "ML", "numéro de téléphone vide"),
        ("abc", "ML", "« abc » n'est pas un numéro de téléphone"),
        ("+33612345678", "ML", "numéro de l'indicatif +33, un numéro du pays ML est attendu"),
        ("20212345", "ML", "numéro fixe ; le mobile money demande un numéro de mobile"),
        ("6501234", "ML", "numéro invalide pour le pays ML"),
        ("01234567", "CI", "les numéros ivoiriens ont 10 chiffres"),
        ("95123456", "BJ", "commencent par 01"),
        ("65012345", "XX", "pays « XX » inconnu"),
    ],
)
def test_normalise_msisdn_refuses_with_reason(text, country, message):
    with pytest.raises(PhoneError) as exc:
        normalise_msisdn(text, country)
    assert message in str(exc.value)
    assert not msisdn_ok(text, country)
