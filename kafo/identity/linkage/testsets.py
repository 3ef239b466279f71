"""Labelled test sets for the linker: seeded, deterministic, with the zone's real noise.

`generate(persons=20_000, seed=5)` returns a `TestSet`: the records as the organisations hold
them (columns of the linkage CSV) and, kept apart, the true person of every record.

Each true person is drawn from one of the zone's naming traditions (Manding, Fula, Songhai,
Wolof, Mossi, Akan, with Arabic given names where Islam is common), registered in 1 to 4
organisations, and every registration is written with the noise seen in real registers:
accents and case, spelling variants, family and given names swapped, a second given name
dropped, "born about" dates (year only, 31/12 of the year), day and month swapped, a year off
by one, place variants (Bko/BAMAKO/Bamako), the mother's name present or not, a national id
present only in some organisations and sometimes mistyped, and the same person registered twice
in one organisation.

Hard negatives are added on purpose: homonyms (the same very common name, same birth year and
place, different people) and twins (same parents, date and place, different given names).

Spelling variants come from three sources so that the linker is not only tested against its own
dictionary: the variant groups of kafo.registry.domain.names, transcription changes a clerk
makes (ou/u, c/k, doubled letters, y/i), and plain typing errors.

`generate(..., extra_columns=True)` adds the linkage CSV's optional columns (EXTRA_COLUMNS) as
the system holds them: often missing, written with typos, changed over a life (a new phone
number, a new employer, a second marriage). They are drawn from a random stream of their own,
so that the nine columns are the same with or without them (their effect is measured on the
same records).
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass

import polars as pl

from kafo.registry.domain import names as zone_names

COLUMNS = (
    "record_id",
    "source",
    "family_name",
    "given_names",
    "sex",
    "birth_date",
    "birth_place",
    "mother_name",
    "national_id",
)

# Optional columns (`extra_columns=True`), as kafo.identity.linkage.normalise reads them.
EXTRA_COLUMNS = ("phone", "employer_numbers", "spouse_names", "father_name")

# Organisations and the country each serves.
ORGANISATIONS = {
    "INPS-ML": "ML",
    "CMSS-ML": "ML",
    "IPRES-SN": "SN",
    "CSS-SN": "SN",
    "CNPS-CI": "CI",
    "CNSS-BF": "BF",
    "CNSS-NE": "NE",
}

# Places of birth by country, the canonical spelling first, then how clerks write them.
PLACES: dict[str, tuple[tuple[str, ...], ...]] = {
    "ML": (
        ("Bamako", "Bko", "BAMAKO", "Bamak", "BKO"),
        ("Ségou", "Segou", "SEGOU", "Segu"),
        ("Sikasso", "SIKASSO", "Sikaso"),
        ("Mopti", "MOPTI"),
        ("Kayes", "KAYES", "Kaye"),
        ("Tombouctou", "Timbuktu", "Tombouktou", "TOMBOUCTOU"),
        ("Gao", "GAO"),
        ("Koutiala", "KOUTIALA", "Kutiala"),
    ),
    "SN": (
        ("Dakar", "DKR", "DAKAR", "Dakar Plateau"),
        ("Thiès", "Thies", "THIES"),
        ("Saint-Louis", "St Louis", "St-Louis", "SAINT LOUIS"),
        ("Kaolack", "KAOLACK", "Kaolak"),
        ("Ziguinchor", "ZIGUINCHOR", "Ziguinchore"),
        ("Touba", "TOUBA"),
    ),
    "CI": (
        ("Abidjan", "Abj", "ABIDJAN", "Abidjan Plateau"),
        ("Bouaké", "Bouake", "BOUAKE"),
        ("Yamoussoukro", "Yakro", "YAMOUSSOUKRO", "Yamousoukro"),
        ("Korhogo", "KORHOGO", "Korogo"),
        ("Daloa", "DALOA"),
        ("San-Pédro", "San Pedro", "SAN PEDRO"),
    ),
    "BF": (
        ("Ouagadougou", "Ouaga", "OUAGADOUGOU", "Ouagadougu"),
        ("Bobo-Dioulasso", "Bobo", "BOBO DIOULASSO", "Bobo Dioulaso"),
        ("Koudougou", "KOUDOUGOU", "Kudugu"),
        ("Ouahigouya", "OUAHIGOUYA", "Ouahigouia"),
        ("Kaya", "KAYA"),
    ),
    "NE": (
        ("Niamey", "NIAMEY", "Niamei", "Nmy"),
        ("Zinder", "ZINDER"),
        ("Maradi", "MARADI"),
        ("Tahoua", "TAHOUA", "Tawa"),
        ("Agadez", "AGADEZ", "Agades"),
    ),
}

ARABIC_MALE = (
    "Mamadou Moussa Ibrahim Oumar Abdoulaye Ousmane Boubacar Mohamed Seydou Souleymane "
    "Youssouf Idrissa Cheick Lassana Bakary Adama Aliou Amadou Modibo Sidiki Hamidou Issa "
    "Ismaïla Alassane Daouda Yacouba Karim Salif Abdoul Tiémoko"
).split()
ARABIC_FEMALE = (
    "Fatoumata Aminata Aïssata Mariam Kadiatou Hawa Assétou Salimata Awa Oumou Rokia "
    "Djénéba Bintou Nana Sira Kadidia Maïmouna Ramatou Hadja Safiatou Zeinab Habibatou"
).split()

# Naming traditions: family names (most common first), own given names, countries, and
# whether Arabic given names are usual.
TRADITIONS: dict[str, dict] = {
    "manding": {
        "family": "Traoré Coulibaly Keïta Diarra Konaté Camara Sissoko Doumbia Kouyaté Fofana "
        "Sangaré Dembélé Bagayoko Diakité Koné Kanté Samaké Touré Cissé Dramé Kamissoko",
        "male": "Modibo Bakary Siaka Drissa Souleymane Lassina Dramane Nouhoum Yaya Sékou",
        "female": "Fanta Nakani Sitan Mah Korotoumou Kadiatou Sétou Niélé Tenin Djeneba",
        "countries": ("ML", "ML", "ML", "CI", "BF"),
        "arabic": True,
        "weight": 30,
    },
    "fula": {
        "family": "Diallo Bah Barry Sow Sidibé Sangaré Diakité Kane Baldé Cissé Bâ Dicko",
        "male": "Hamadou Boubacar Alpha Thierno Mamadou Oumarou Amadou Saïdou Yero Demba",
        "female": "Hadja Mariama Dienabou Kadiatou Aïssatou Fatimatou Oumou Ramata Coumba",
        "countries": ("ML", "SN", "BF", "NE", "ML"),
        "arabic": True,
        "weight": 18,
    },
    "songhai": {
        "family": "Maïga Touré Cissé Haïdara Dicko Soumaré Alfari Hamidou Garba Abdou",
        "male": "Alassane Issoufou Hama Boureima Moussa Hamadoun Ibrahim Oumarou Daouda",
        "female": "Mariama Zeinabou Hadizatou Aïchatou Fati Ramatou Hawa Safi Kadi",
        "countries": ("ML", "NE", "NE"),
        "arabic": True,
        "weight": 10,
    },
    "wolof": {
        "family": "Ndiaye Diop Fall Sarr Gueye Mbaye Seck Faye Ndour Sy Thiam Diouf Ndao Sène",
        "male": "Modou Cheikh Babacar Serigne Aliou Pape Moustapha Ibrahima Mbaye Lamine",
        "female": "Ndeye Coumba Astou Khady Fatou Aminata Sokhna Maty Adama Yacine",
        "countries": ("SN",),
        "arabic": True,
        "weight": 14,
    },
    "mossi": {
        "family": "Ouédraogo Sawadogo Kaboré Compaoré Zongo Zoungrana Ilboudo Nikiéma "
        "Tapsoba Kiemtoré Ouattara Yaméogo Bationo Sanou",
        "male": "Boukary Salif Issaka Rasmané Mahamadi Adama Saïdou Noufou Abdoulaye Harouna",
        "female": "Awa Salamata Safiatou Rasmata Alimata Mariam Pauline Bibata Fatimata",
        "countries": ("BF", "BF", "CI"),
        "arabic": True,
        "weight": 14,
    },
    "akan": {
        "family": "Kouassi Kouadio Koffi Konan N'Guessan Yao Kouamé Aka Brou Yapi Amani "
        "Kouakou Tanoh Assi N'Dri",
        "male": "Kouadio Kouamé Kouassi Koffi Yao Kouakou Konan Kwame Kobenan Jean Serge",
        "female": "Adjoua Affoué Akissi Amenan Ahou Aya Amoin Amlan Marie Brigitte",
        "countries": ("CI",),
        "arabic": False,
        "weight": 14,
    },
}

# Variant spellings from the dictionary the zone already uses, by canonical form.
_DICTIONARY_VARIANTS: dict[str, list[str]] = {}
for _variant, _canonical in zone_names.VARIANTS.items():
    _DICTIONARY_VARIANTS.setdefault(_canonical, []).append(_variant)

# Transcription changes a clerk makes without thinking: French/English spellings of one sound.
_TRANSCRIPTIONS = (
    ("ou", "u"),
    ("u", "ou"),
    ("c", "k"),
    ("k", "c"),
    ("y", "i"),
    ("i", "y"),
    ("dj", "j"),
    ("ss", "s"),
    ("s", "ss"),
    ("ll", "l"),
    ("l", "ll"),
    ("é", "e"),
    ("é", "ey"),
    ("ch", "sh"),
    ("ï", "i"),
    ("a", "ah"),
)


@dataclass(frozen=True)
class TestSet:
    """Records as organisations hold them, and the true person of each record."""

    records: pl.DataFrame
    truth: pl.DataFrame  # record_id, person_id

    __test__ = False  # not a pytest class


@dataclass
class _Person:
    person_id: str
    country: str
    family: str
    given: list[str]
    sex: str
    year: int
    month: int
    day: int
    date_known: bool  # False: "born about" the year, no real date anywhere
    place: tuple[str, ...]
    mother: str
    national_id: str | None


def generate(
    persons: int = 20_000,
    seed: int = 5,
    homonym_share: float = 0.06,
    twin_share: float = 0.02,
    extra_columns: bool = False,
) -> TestSet:
    """Return a labelled test set of about 1.85 records per person (with the optional columns
    of EXTRA_COLUMNS after the nine when `extra_columns`)."""
    rng = random.Random(seed)
    people = _people(persons, rng, homonym_share, twin_share)
    rows: list[tuple] = []
    truth: list[tuple[str, str]] = []
    extras = _Extras(random.Random(f"extra-{seed}"), persons) if extra_columns else None
    for person in people:
        for source in _organisations_of(person, rng):
            copies = 2 if rng.random() < 0.04 else 1  # registered twice by the same OPS
            for _ in range(copies):
                row = (source, *_noisy_record(person, source, rng))
                rows.append(row + extras.record(person, source) if extras else row)
                truth.append(("", person.person_id))
    order = list(range(len(rows)))
    rng.shuffle(order)  # the record order must say nothing about the truth
    width = len(str(len(rows)))
    record_ids = [f"R{n:0{width}d}" for n in range(len(rows))]
    shuffled = [rows[i] for i in order]
    records = pl.DataFrame(
        [(rid, *row) for rid, row in zip(record_ids, shuffled, strict=True)],
        schema=list(COLUMNS) + (list(EXTRA_COLUMNS) if extras else []),
        orient="row",
    )
    truth_frame = pl.DataFrame({"record_id": record_ids, "person_id": [truth[i][1] for i in order]})
    return TestSet(records=records, truth=truth_frame)


# --- true persons -------------------------------------------------------------------------


def _zipf_choice(rng: random.Random, items: list[str], s: float = 1.1) -> str:
    """Pick with Zipf weights: the first names of a list are much more common."""
    weights = _zipf_weights(len(items), s)
    return rng.choices(items, cum_weights=weights)[0]


_ZIPF_CACHE: dict[tuple[int, float], list[float]] = {}


def _zipf_weights(n: int, s: float) -> list[float]:
    if (n, s) not in _ZIPF_CACHE:
        total, cumulative = 0.0, []
        for rank in range(1, n + 1):
            total += 1 / rank**s
            cumulative.append(total)
        _ZIPF_CACHE[(n, s)] = cumulative
    return _ZIPF_CACHE[(n, s)]


_TRADITION_NAMES = list(TRADITIONS)
_TRADITION_WEIGHTS = [TRADITIONS[t]["weight"] for t in _TRADITION_NAMES]


def _given_name(rng: random.Random, tradition: dict, sex: str) -> str:
    own = tradition["male" if sex == "M" else "female"].split()
    if tradition["arabic"] and rng.random() < 0.6:
        return _zipf_choice(rng, ARABIC_MALE if sex == "M" else ARABIC_FEMALE, 1.0)
    return _zipf_choice(rng, own, 0.9)


def _new_person(rng: random.Random, number: int) -> _Person:
    name = rng.choices(_TRADITION_NAMES, weights=_TRADITION_WEIGHTS)[0]
    tradition = TRADITIONS[name]
    country = rng.choice(tradition["countries"])
    sex = rng.choice("MF")
    given = [_given_name(rng, tradition, sex)]
    if rng.random() < 0.45:
        second = _given_name(rng, tradition, sex)
        if second != given[0]:
            given.append(second)
    places = PLACES[country]
    place = places[0] if rng.random() < 0.4 else rng.choice(places)
    mother = f"{_given_name(rng, tradition, 'F')} {_zipf_choice(rng, tradition['family'].split())}"
    return _Person(
        person_id=f"P{number:07d}",
        country=country,
        family=_zipf_choice(rng, tradition["family"].split()),
        given=given,
        sex=sex,
        year=rng.randint(1950, 2005),
        month=rng.randint(1, 12),
        day=rng.randint(1, 28),
        date_known=rng.random() >= 0.08,
        place=place,
        mother=mother,
        national_id=_national_id(rng, country) if rng.random() < 0.6 else None,
    )


def _national_id(rng: random.Random, country: str) -> str:
    digits = "".join(rng.choice("0123456789") for _ in range(11))
    if country == "ML":
        return digits + "000" + rng.choice("ABCDEFGH")
    if country == "SN":
        return rng.choice("12") + digits + "0"
    return digits


def _people(
    count: int, rng: random.Random, homonym_share: float, twin_share: float
) -> list[_Person]:
    """Return `count` persons, a share of them homonym groups and twin pairs."""
    people: list[_Person] = []
    while len(people) < count:
        draw = rng.random()
        base = _new_person(rng, len(people))
        if draw < homonym_share / 2.5:  # groups of 2 to 3 homonyms (mean 2.5)
            people.extend(_homonyms(base, rng, len(people), rng.randint(2, 3)))
        elif draw < homonym_share / 2.5 + twin_share / 2:
            people.extend(_twins(base, rng, len(people)))
        else:
            people.append(base)
    return people[:count]


def _homonyms(base: _Person, rng: random.Random, first: int, size: int) -> list[_Person]:
    """Same very common name, same birth year and place; other day, mother and id."""
    tradition = next(t for t in TRADITIONS.values() if base.country in t["countries"])
    common_family = tradition["family"].split()[0]
    group = []
    for offset in range(size):
        other = _new_person(rng, first + offset)
        other.family, other.given, other.sex = common_family, list(base.given[:1]), base.sex
        other.year, other.place, other.country = base.year, base.place, base.country
        group.append(other)
    return group


def _twins(base: _Person, rng: random.Random, first: int) -> list[_Person]:
    """Same parents, date and place; different given names (and often sex)."""
    tradition = next(t for t in TRADITIONS.values() if base.country in t["countries"])
    twin = _Person(**{**base.__dict__, "person_id": f"P{first + 1:07d}"})
    base.person_id = f"P{first:07d}"
    twin.sex = rng.choice("MF")
    taken = {zone_names.phonetic_key(zone_names.fold(g)) for g in base.given}
    twin.given = [base.given[0]]
    while zone_names.phonetic_key(zone_names.fold(twin.given[0])) in taken:
        twin.given = [_given_name(rng, tradition, twin.sex)]  # no given name in common
    twin.national_id = _national_id(rng, base.country) if base.national_id else None
    return [base, twin]


def _organisations_of(person: _Person, rng: random.Random) -> list[str]:
    """1 to 4 organisations, the person's own country first (mean about 1.8)."""
    count = rng.choices((1, 2, 3, 4), weights=(45, 33, 15, 7))[0]
    home = [o for o, c in ORGANISATIONS.items() if c == person.country]
    others = [o for o in ORGANISATIONS if o not in home]
    rng.shuffle(home)
    rng.shuffle(others)
    return (home + others)[:count] if rng.random() < 0.7 else (others + home)[:count]


# --- noise of one registration ---------------------------------------------------------------


def _noisy_record(person: _Person, source: str, rng: random.Random) -> tuple:
    family = _noisy_name(person.family, rng)
    given = [_noisy_name(g, rng) for g in person.given]
    if len(given) > 1 and rng.random() < 0.35:
        given = given[:1]  # second given name dropped
    if rng.random() < 0.03:
        family = _typo(family, rng)
    if rng.random() < 0.03:
        given[0] = _typo(given[0], rng)
    family_text, given_text = _case(family, rng), _case(" ".join(given), rng)
    if rng.random() < 0.08:
        family_text, given_text = given_text, family_text  # entered the other way round
    return (
        family_text,
        given_text,
        _noisy_sex(person.sex, rng),
        _noisy_date(person, rng),
        _noisy_place(person.place, rng),
        _noisy_mother(person.mother, rng),
        _noisy_national_id(person.national_id, source, person.country, rng),
    )


def _noisy_name(name: str, rng: random.Random) -> str:
    """Return the name as one clerk writes it: dictionary variant, transcription, or as is."""
    draw = rng.random()
    folded = zone_names.fold(name)
    if draw < 0.10 and folded in _DICTIONARY_VARIANTS:
        return rng.choice(_DICTIONARY_VARIANTS[folded]).capitalize()
    if draw < 0.22:
        for old, new in rng.sample(_TRANSCRIPTIONS, len(_TRANSCRIPTIONS)):
            if old in name[1:]:
                return name[0] + name[1:].replace(old, new, 1)
    return name


def _typo(text: str, rng: random.Random) -> str:
    """One typing error: a letter replaced, dropped or two letters swapped."""
    if len(text) < 4:
        return text
    i = rng.randrange(1, len(text) - 1)
    kind = rng.random()
    if kind < 0.4:
        return text[:i] + rng.choice("aeioumnrstk") + text[i + 1 :]
    if kind < 0.7:
        return text[:i] + text[i + 1 :]
    return text[:i] + text[i + 1] + text[i] + text[i + 2 :]


def _case(text: str, rng: random.Random) -> str:
    draw = rng.random()
    if draw < 0.40:
        text = text.upper()
    if rng.random() < 0.45:
        text = _strip_accents(text)
    return text


def _strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _noisy_sex(sex: str, rng: random.Random) -> str:
    draw = rng.random()
    if draw < 0.02:
        return ""
    if draw < 0.03:
        return "F" if sex == "M" else "M"
    return sex


def _noisy_date(person: _Person, rng: random.Random) -> str:
    year, month, day = person.year, person.month, person.day
    if not person.date_known:  # "born about": the year only, or a conventional day
        if rng.random() < 0.15:
            year += rng.choice((-1, 1))
        return rng.choice((f"{year}", f"{year}", f"{year}-12-31", f"{year}-01-01"))
    draw = rng.random()
    if draw < 0.01:
        return ""
    if draw < 0.09:
        return f"{year}"
    if draw < 0.13:
        return f"{year}-12-31"
    if draw < 0.18 and day <= 12 and day != month:
        month, day = day, month
    elif draw < 0.22:
        year += rng.choice((-1, 1))
    return f"{year}-{month:02d}-{day:02d}"


def _noisy_place(place: tuple[str, ...], rng: random.Random) -> str:
    draw = rng.random()
    if draw < 0.08:
        return ""
    if draw < 0.40:
        return rng.choice(place[1:])
    return _case(place[0], rng)


def _noisy_mother(mother: str, rng: random.Random) -> str:
    if rng.random() < 0.40:
        return ""
    given, family = mother.split(" ", 1)
    text = f"{_noisy_name(given, rng)} {_noisy_name(family, rng)}"
    if rng.random() < 0.15:
        text = f"{family} {given}"
    return _case(text, rng)


def _noisy_national_id(
    national_id: str | None, source: str, country: str, rng: random.Random
) -> str:
    """Held only by some organisations (more often at home), sometimes mistyped."""
    if national_id is None:
        return ""
    at_home = ORGANISATIONS[source] == country
    if rng.random() > (0.65 if at_home else 0.3):
        return ""
    if rng.random() < 0.06:
        digits = list(national_id)
        i = rng.randrange(len(digits) - 1)
        if rng.random() < 0.5:
            digits[i] = rng.choice("0123456789")
        else:
            digits[i], digits[i + 1] = digits[i + 1], digits[i]
        return "".join(digits)
    return national_id


# --- optional columns ----------------------------------------------------------------------

# Mobile numbers: national significant digits and the country code (reference:
# payments-indicators.md, section 2.3), the first digits of a mobile number.
_PHONES = {
    "ML": ("223", 8, ("6", "7", "9")),
    "SN": ("221", 9, ("70", "76", "77", "78")),
    "CI": ("225", 10, ("01", "05", "07")),
    "BF": ("226", 8, ("6", "7")),
    "NE": ("227", 8, ("8", "9")),
}


class _Extras:
    """The optional columns of each record, from a random stream of their own.

    Per person: a phone number (sometimes a second, newer one), employers in each country of
    their organisations (a few large employers hold many of the zone's workers: sharing one
    says little), spouses' names (married adults; some twice) and the father's name (shared by
    twins: same parents). Per record: each column often missing, names with the clerks' noise,
    a phone written with or without its country code, only some of the employers declared.
    """

    def __init__(self, rng: random.Random, persons: int):
        self.rng = rng
        # Employers per country: about one per 15 workers; Zipf, so big employers are common.
        self.employers = max(20, persons // 15)
        self._people: dict[str, dict] = {}
        self._fathers: dict[tuple, str] = {}

    def record(self, person: _Person, source: str) -> tuple:
        rng, facts = self.rng, self._facts(person)
        country = ORGANISATIONS[source]
        phone = ""
        if rng.random() < 0.45:
            phone = _written_phone(rng.choice(facts["phones"]), person.country, rng)
        employers = ""
        known = facts["employers"].setdefault(country, self._employers_in(country))
        if rng.random() < 0.6:
            listed = [e for e in known if rng.random() < 0.75] or known[:1]
            if rng.random() < 0.03:
                listed = [_digit_typo(listed[0], rng)] + listed[1:]  # a mistyped number
            employers = "|".join(listed)
        spouse = ""
        if facts["spouses"] and rng.random() < 0.45:
            spouse = _case(_noisy_name_text(rng.choice(facts["spouses"]), rng), rng)
        father = ""
        if rng.random() < 0.35:
            father = _case(_noisy_name_text(facts["father"], rng), rng)
        return (phone, employers, spouse, father)

    def _facts(self, person: _Person) -> dict:
        if person.person_id not in self._people:
            rng = self.rng
            tradition = _tradition_of(person)
            phones = [_phone(person.country, rng)]
            if rng.random() < 0.3:
                phones.append(_phone(person.country, rng))  # a new number later in life
            spouses = []
            if person.year < 1990 and rng.random() < 0.75:
                spouse_sex = "F" if person.sex == "M" else "M"
                for _ in range(2 if rng.random() < 0.15 else 1):
                    family = _zipf_choice(rng, tradition["family"].split())
                    spouses.append(f"{_given_name(rng, tradition, spouse_sex)} {family}")
            # twins share their parents: the father is drawn once per mother and birth
            parents = (person.family, person.mother, person.year, person.month, person.day)
            if parents not in self._fathers:
                self._fathers[parents] = f"{_given_name(rng, tradition, 'M')} {person.family}"
            self._people[person.person_id] = {
                "phones": phones,
                "employers": {},
                "spouses": spouses,
                "father": self._fathers[parents],
            }
        return self._people[person.person_id]

    def _employers_in(self, country: str) -> list[str]:
        count = self.rng.choices((1, 2, 3), weights=(60, 30, 10))[0]
        numbers = {_zipf_rank(self.rng, self.employers, 0.8) for _ in range(count)}
        return [f"{country}{n:06d}" for n in sorted(numbers)]


def _tradition_of(person: _Person) -> dict:
    family = zone_names.fold(person.family)
    for tradition in TRADITIONS.values():
        if family in (zone_names.fold(f) for f in tradition["family"].split()):
            return tradition
    return TRADITIONS["manding"]


def _zipf_rank(rng: random.Random, n: int, s: float) -> int:
    return rng.choices(range(1, n + 1), cum_weights=_zipf_weights(n, s))[0]


def _phone(country: str, rng: random.Random) -> str:
    _, length, prefixes = _PHONES.get(country, ("223", 8, ("7",)))
    prefix = rng.choice(prefixes)
    return prefix + "".join(rng.choice("0123456789") for _ in range(length - len(prefix)))


def _written_phone(number: str, country: str, rng: random.Random) -> str:
    """As a clerk writes it: bare, with +code or 00code, in pairs of digits."""
    code = _PHONES.get(country, ("223",))[0]
    draw = rng.random()
    if draw < 0.03:
        number = _digit_typo(number, rng)
    if draw < 0.35:
        return number
    if draw < 0.6:
        return f"+{code}{number}"
    if draw < 0.75:
        return f"00{code} {number}"
    return " ".join(number[i : i + 2] for i in range(0, len(number), 2))


def _digit_typo(number: str, rng: random.Random) -> str:
    """One digit of a number mistyped."""
    i = rng.randrange(len(number) - 4, len(number))
    return number[:i] + rng.choice("0123456789") + number[i + 1 :]


def _noisy_name_text(name: str, rng: random.Random) -> str:
    """A two-word name with the clerks' noise: variants, a typo, the words swapped."""
    words = [_noisy_name(w, rng) for w in name.split(" ")]
    if rng.random() < 0.05:
        words[0] = _typo(words[0], rng)
    if rng.random() < 0.15:
        words.reverse()
    return " ".join(words)
