"""RIB and IBAN checks on the published examples (payments-indicators.md §1.3)."""

import pytest

from kafo.payroll.domain.bank_ids import (
    BankIdError,
    Rib,
    iban_from_rib,
    iban_ok,
    parse_rib,
    rib_from_iban,
    rib_key,
    rib_key_ok,
    zone_of_country,
)

UEMOA_IBANS = [
    "BJ66BJ0610100100144390000769",
    "BF42BF0840101300463574000390",
    "CI93CI0080111301134291200589",
    "ML13ML0160120102600100668497",
    "NE58NE0380100100130305000268",
    "SN08SN0100152000048500003035",
    "TG53TG0090604310346500400070",
]


@pytest.mark.parametrize("iban", UEMOA_IBANS)
def test_uemoa_examples_rib_key_and_iban_round_trip(iban):
    rib = parse_rib(iban[4:], "UEMOA")
    assert rib_key_ok(rib)
    assert iban_ok(iban)
    assert iban_from_rib(rib) == iban
    assert iban_from_rib(rib, iban[:2]) == iban
    assert rib_from_iban(iban) == rib


def test_mali_rib_parts_and_key_97():
    # ML016 01201 026001006684 97: key = 97 - (N mod 97) with N mod 97 = 0 -> 97, not 00.
    rib = parse_rib("ML016 01201 026001006684 97", "UEMOA")
    assert rib == Rib("UEMOA", "ML016", "01201", "026001006684", "97")
    assert str(rib) == "ML0160120102600100668497"
    assert rib.country == "ML"
    assert rib_key("ML016", "01201", "026001006684") == "97"


def test_senegal_key_by_hand():
    # SN010 -> S=2, N=5: "25010"; N = 25010 01520 000485000030 00 ; N mod 97 = 62 -> key 35.
    assert int("250100152000048500003000") % 97 == 62
    assert rib_key("SN010", "01520", "000485000030") == "35"


def test_cemac_example_and_french_weights():
    # CM: bank 10002, branch 00030, account 02779763150, key 08.
    # 89*10002 + 15*30 + 3*2779763150 = 8340180078; mod 97 = 89; 97 - 89 = 8.
    rib = parse_rib("10002-00030-02779763150-08", "CEMAC")
    assert rib == Rib("CEMAC", "10002", "00030", "02779763150", "08")
    assert rib.country is None
    assert (89 * 10002 + 15 * 30 + 3 * 2779763150) % 97 == 89
    assert iban_from_rib(rib, "CM") == "CM2110002000300277976315008"
    assert iban_ok("CM21 1000 2000 3002 7797 6315 008")


@pytest.mark.parametrize(
    ("text", "zone", "message"),
    [
        ("ML0160120102600100668496", "UEMOA", "clé RIB incorrecte : 96 au lieu de 97"),
        ("ML01601201026001006684", "UEMOA", "un RIB UEMOA a 24 caractères ; celui-ci en a 22"),
        ("M10160120102600100668497", "UEMOA", "code banque « M1016 »"),
        ("FR0160120102600100668497", "UEMOA", "« FR » n'est pas un pays de l'UEMOA"),
        ("ML016012A102600100668497", "UEMOA", "code guichet « 012A1 » : 5 chiffres attendus"),
        ("ML01601201026001006X8497", "UEMOA", "numéro de compte « 026001006X84 »"),
        ("1000200030027797631500", "CEMAC", "un RIB CEMAC a 23 caractères ; celui-ci en a 22"),
        ("10002000300277976315009", "CEMAC", "clé RIB incorrecte : 09 au lieu de 08"),
        ("1000200030027797631A008", "CEMAC", "numéro de compte « 027797631A0 »"),
        ("", "UEMOA", "RIB vide"),
        ("10002000300277976315008", "SEPA", "zone monétaire inconnue"),
    ],
)
def test_parse_rib_refuses_with_reason(text, zone, message):
    with pytest.raises(BankIdError) as exc:
        parse_rib(text, zone)
    assert message in str(exc.value)
    assert isinstance(exc.value, ValueError)


def test_rib_key_ok_false_on_wrong_key_and_garbage():
    assert rib_key_ok("ML0160120102600100668497")
    assert not rib_key_ok("ML0160120102600100668496")
    assert not rib_key_ok("")
    assert not rib_key_ok("ML01*")


def test_iban_ok_refuses_wrong_check_digits_and_length():
    assert not iban_ok("ML14ML0160120102600100668497")  # check digits 13, not 14
    assert not iban_ok("ML13ML016012010260010066849")  # 27 characters for a UEMOA country
    assert not iban_ok("CM211000200030027797631500")  # 26 for CEMAC
    assert not iban_ok("13MLML0160120102600100668497")
    assert iban_ok("FR7630006000011234567890189")  # a country outside the zones: mod 97 only


def test_iban_from_rib_country_rules():
    rib = parse_rib("SN0100152000048500003035", "UEMOA")
    with pytest.raises(BankIdError, match="banque de « SN », pas de « ML »"):
        iban_from_rib(rib, "ML")
    cemac = parse_rib("10002000300277976315008", "CEMAC")
    with pytest.raises(BankIdError, match="un pays de la CEMAC est attendu"):
        iban_from_rib(cemac)
    with pytest.raises(BankIdError, match="un pays de la CEMAC est attendu"):
        iban_from_rib(cemac, "SN")
    # The same CEMAC RIB in Chad: other check digits, same RIB.
    td = iban_from_rib(cemac, "td")
    assert td.startswith("TD") and td.endswith("10002000300277976315008") and iban_ok(td)


def test_rib_from_iban_refuses_bad_iban_or_key():
    with pytest.raises(BankIdError, match="invalide"):
        rib_from_iban("ML14ML0160120102600100668497")
    with pytest.raises(BankIdError, match="hors UEMOA et CEMAC"):
        rib_from_iban("FR7630006000011234567890189")


def test_zone_of_country():
    assert zone_of_country("ml") == "UEMOA"
    assert zone_of_country("GA") == "CEMAC"
    assert zone_of_country("GN") is None


def test_other_scripts_digits_refused():
    # "٧" (Arabic-Indic seven) is a digit for str.isdigit() and int(), not for a RIB.
    with pytest.raises(BankIdError, match="clé RIB « ٩٧ » : 2 chiffres attendus|2 chiffres"):
        parse_rib("ML01601201026001006684٩٧", "UEMOA")
    assert not rib_key_ok("ML01601201026001006684٩٧")
    assert not iban_ok("ML13ML01601201026001006684٩٧")
