"""Issue 18: after an agent links two records, the person page no longer says "aucun autre
dossier" while listing the others."""

from django.urls import reverse

from kafo.identity import services
from kafo.identity.models import ZoneLink
from kafo.registry.tests.factories import person


def test_a_record_joined_by_a_merge_no_longer_reads_aucun_autre_dossier(client, zone, make_user):
    ml = person(zone["INPS-ML"], "Coulibaly", "Mamadou", national_id="12345678901234K")
    other = person(zone["INPS-ML"], "Coulibaly", "Mamadou L.", national_id="22345678901234K")
    services.zone_persons_merge(person=ml, other=other)
    assert ZoneLink.unscoped.get(person=ml).method == "single"  # stored when it was alone
    client.force_login(make_user(zone["INPS-ML"], "benefits_officer"))
    body = client.get(reverse("identity-person-zone", kwargs={"pk": ml.pk})).content.decode()
    assert "aucun autre dossier" not in body
    assert "décision d&#x27;un agent" in body
    assert f"/persons/{other.pk}/" in body


def test_a_record_not_yet_indexed_asks_no_shell_command_of_the_clerk(client, zone, make_user):
    alone = person(zone["INPS-ML"], "Keita", "Awa", sex="F")
    assert not ZoneLink.unscoped.filter(person=alone).exists()
    client.force_login(make_user(zone["INPS-ML"], "registration_agent"))
    body = client.get(reverse("identity-person-zone", kwargs={"pk": alone.pk})).content.decode()
    assert "pas encore dans l'index de la zone" in body
    assert "kafo identity index" not in body
