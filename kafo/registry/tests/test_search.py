import datetime as dt

from kafo.organisations.tenancy import tenant_scope
from kafo.registry import selectors

from .factories import employer, person


def _names(hits):
    return [f"{h.person.family_name} {h.person.given_names}" for h in hits]


def test_misspelt_and_swapped_names_are_found(zone):
    org = zone["INPS-ML"]
    person(org, "Coulibaly", "Mamadou")
    person(org, "Traoré", "Fatoumata", sex="F")
    person(org, "Diarra", "Moussa")
    assert _names(selectors.person_search("kulibali mahamadou")) == ["Coulibaly Mamadou"]
    assert _names(selectors.person_search("MAMADOU COULIBALY")) == ["Coulibaly Mamadou"]
    assert _names(selectors.person_search("traore")) == ["Traoré Fatoumata"]
    assert _names(selectors.person_search("Fatimata Tarawere")) == ["Traoré Fatoumata"]
    # a typo no dictionary knows still finds by key prefix
    assert _names(selectors.person_search("Couliballi")) == ["Coulibaly Mamadou"]
    assert selectors.person_search("Konaté") == []


def test_search_by_number_and_national_id(zone):
    org = zone["INPS-ML"]
    p = person(org, national_id="12345678901234K")
    person(org, "Keita", "Awa", sex="F")
    assert [h.person for h in selectors.person_search(p.number)] == [p]
    assert [h.person for h in selectors.person_search("12345678901234k")] == [p]


def test_search_sees_only_the_current_organisation(zone):
    person(zone["INPS-ML"], "Coulibaly", "Mamadou")
    person(zone["CNPS-CI"], "Coulibaly", "Mamadou", birth_date=dt.date(1980, 1, 1))
    with tenant_scope(zone["CNPS-CI"]):
        hits = selectors.person_search("Coulibaly")
    assert [h.person.organisation.code for h in hits] == ["CNPS-CI"]


def test_employer_search_by_name_and_number(zone):
    org = zone["INPS-ML"]
    e = employer(org, "Société Générale de Boulangerie")
    employer(org, "Huilerie du Sahel")
    assert selectors.employer_search("generale boulangerie") == [e]
    assert selectors.employer_search(e.number) == [e]


def test_a_birth_year_or_date_typed_with_the_name_ranks_that_person_first(zone):
    org = zone["INPS-ML"]
    person(org, "Diallo", "Fatoumata", sex="F", birth_date=dt.date(1975, 3, 12))
    person(org, "Diallo", "Fatoumata", sex="F", birth_date=dt.date(1980, 6, 1))
    born_1987 = person(org, "Diallo", "Fatoumata", sex="F", birth_date=dt.date(1987, 9, 30))
    same_year = person(org, "Diallo", "Fatoumata", sex="F", birth_date=dt.date(1987, 1, 2))
    without = [h.person.birth_date.year for h in selectors.person_search("DIALLO Fatoumata")]
    assert without == [1975, 1980, 1987, 1987]  # same name: by creation order
    hits = selectors.person_search("DIALLO Fatoumata 1987")
    assert [h.person for h in hits[:2]] == [born_1987, same_year]
    assert len(hits) == 4  # the others still listed, after
    hits = selectors.person_search("Diallo Fatoumata 02/01/1987")
    assert [h.person for h in hits[:2]] == [same_year, born_1987]
    hits = selectors.person_search("1987-09-30 fatoumata diallo")
    assert hits[0].person == born_1987
