"""Name lists by people and sex, places by country with the spellings clerks use, sectors and
employer name patterns. Data only; `generate` draws from it. No Django here.

Spellings are the usual French-administration ones of each country (Traoré, Keïta, Ouédraogo,
N'Guessan). The peoples are broad groups: "manding" holds Bambara, Malinké and Dioula names,
"songhai" Songhai and Zarma, "wolof" Wolof and Serer, "akan" Baoulé, Agni and their neighbours.
"""

from __future__ import annotations

from dataclasses import dataclass

# The tables below are laid out by hand for reading; the formatter would put one item a line.
# fmt: off

PEOPLES = ("manding", "fula", "songhai", "wolof", "akan", "mossi", "hausa")


@dataclass(frozen=True)
class PeopleNames:
    family: tuple[str, ...]
    male: tuple[str, ...]
    female: tuple[str, ...]
    # Christian given names, combined with the people's names in the coastal and Mossi regions.
    christian_share: float = 0.0


_CHRISTIAN_MALE = (
    "Jean", "Jean-Baptiste", "Paul", "Pierre", "Emmanuel", "Serge", "Didier", "Hervé",
    "Christian", "Patrice", "Yves", "Eric", "Joseph", "Franck", "Arsène", "Firmin", "Roland",
    "Michel", "Honoré", "Germain", "Pascal", "Jacques", "François", "Justin", "Gilbert",
    "Ambroise", "Marcel", "Noël", "Augustin", "Alain",
)
_CHRISTIAN_FEMALE = (
    "Marie", "Marie-Claire", "Bernadette", "Christine", "Yolande", "Odile", "Solange", "Sylvie",
    "Florence", "Estelle", "Clarisse", "Nadège", "Pélagie", "Hortense", "Brigitte", "Pauline",
    "Béatrice", "Jeanne", "Céline", "Félicité", "Agathe", "Josiane", "Henriette", "Rose",
)

NAMES: dict[str, PeopleNames] = {
    "manding": PeopleNames(
        family=(
            "Traoré", "Coulibaly", "Keïta", "Diarra", "Konaté", "Koné", "Camara", "Kanté",
            "Diakité", "Doumbia", "Dembélé", "Samaké", "Sissoko", "Kouyaté", "Fofana",
            "Bagayoko", "Touré", "Cissé", "Sylla", "Sacko", "Diabaté", "Fané", "Mariko",
            "Ballo", "Bengaly", "Berthé", "Dagnoko", "Togola", "Tangara", "Kamissoko", "Konta",
            "Niaré", "Kourouma", "Bamba", "Ouattara", "Soumahoro", "Fadiga", "Sanogo",
            "Diawara", "Dramé",
        ),
        male=(
            "Mamadou", "Moussa", "Seydou", "Bakary", "Lassana", "Siaka", "Drissa", "Adama",
            "Oumar", "Souleymane", "Boubacar", "Ibrahim", "Abdoulaye", "Modibo", "Sékou",
            "Fousseyni", "Yacouba", "Mahamadou", "Sidiki", "Daouda", "Karim", "Issa", "Amadou",
            "Cheick", "Tiémoko", "Bourama", "Dramane", "Madou", "Zoumana", "Nouhoum", "Salif",
            "Mamoutou", "Sory", "Youssouf", "Brahima", "Lamine", "Bréhima", "Kalifa",
            "Sidi", "Mohamed",
        ),
        female=(
            "Fatoumata", "Aminata", "Mariam", "Kadiatou", "Assétou", "Salimata", "Awa", "Hawa",
            "Oumou", "Djénéba", "Kadidia", "Rokia", "Mah", "Nana", "Sitan", "Bintou", "Fanta",
            "Aïssata", "Korotoumou", "Sanata", "Tenin", "Nakany", "Massaran", "Fatim",
            "Safiatou", "Mariétou", "Aïchata", "Ramata", "Maïmouna", "Assitan", "Fatimata",
        ),
    ),
    "fula": PeopleNames(
        family=(
            "Diallo", "Bah", "Barry", "Sow", "Sidibé", "Sangaré", "Kane", "Ly", "Dia", "Tall",
            "Baldé", "Sall", "Wane", "Dicko", "Boly", "Bocoum", "Cissé", "Diakité", "Tamboura",
            "Thiam", "Djigo", "Ba", "Diao", "Sy",
        ),
        male=(
            "Amadou", "Hamadoun", "Boubacar", "Alpha", "Mamadou", "Ousmane", "Ibrahima",
            "Oumar", "Abdoul", "Thierno", "Samba", "Demba", "Hamidou", "Aliou", "Moctar",
            "Souleymane", "Saïdou", "Abdourahmane", "Bocar", "Yéro", "Hamady", "Mody",
            "Hassane", "Aboubacar", "Mohamadou",
        ),
        female=(
            "Fatoumata", "Kadiatou", "Mariama", "Aïssatou", "Hadja", "Oumou", "Ramatoulaye",
            "Hawa", "Djenabou", "Fanta", "Néné", "Dado", "Coumba", "Aminata", "Hadiatou",
            "Safiatou", "Maïmouna", "Hapsatou", "Kadidiatou", "Fatimata", "Diaraye", "Mariam",
        ),
    ),
    "songhai": PeopleNames(
        family=(
            "Maïga", "Touré", "Cissé", "Haïdara", "Yattara", "Djibo", "Hamani", "Seyni",
            "Boureima", "Moumouni", "Soumana", "Hama", "Tandina", "Koïta", "Alkaya", "Garba",
            "Ousmane", "Idrissa", "Abdou", "Kounta",
        ),
        male=(
            "Alassane", "Hamadou", "Abdoulaye", "Boubacar", "Moussa", "Issa", "Seyni", "Hama",
            "Boureima", "Harouna", "Soumaïla", "Almoustapha", "Mahamane", "Ali", "Hassane",
            "Hamidou", "Abdou", "Oumarou", "Idrissa", "Salou", "Moumouni", "Zakari", "Amadou",
            "Mahamadou", "Djibril",
        ),
        female=(
            "Mariama", "Aïssata", "Fatouma", "Zeinabou", "Ramatou", "Safiatou", "Haoua",
            "Salamatou", "Hamsatou", "Balkissa", "Kadidiatou", "Mariam", "Fati", "Halimatou",
            "Nafissatou", "Adiza", "Habsatou", "Aminatou",
        ),
    ),
    "wolof": PeopleNames(
        family=(
            "Ndiaye", "Diop", "Fall", "Gueye", "Sarr", "Mbaye", "Faye", "Seck", "Niang",
            "Diouf", "Sène", "Ndour", "Thiam", "Mbengue", "Dieng", "Samb", "Lo", "Sy", "Ndoye",
            "Wade", "Diagne", "Mboup", "Gaye", "Mbodj", "Ndao", "Thiaw", "Cissé", "Touré",
        ),
        male=(
            "Modou", "Mamadou", "Moustapha", "Abdou", "Ousmane", "Cheikh", "Ibrahima",
            "Serigne", "Pape", "Babacar", "Mor", "Assane", "Aliou", "Malick", "Lamine", "Omar",
            "El Hadji", "Alioune", "Saliou", "Massamba", "Birame", "Khadim", "Idrissa",
            "Souleymane", "Abdoulaye", "Amadou", "Ndiaga", "Matar", "Mouhamed", "Youssou",
        ),
        female=(
            "Fatou", "Aminata", "Awa", "Khady", "Mariama", "Aïda", "Astou", "Coumba", "Ndèye",
            "Rokhaya", "Sokhna", "Adji", "Bineta", "Nogaye", "Mame Diarra", "Dieynaba",
            "Ndèye Fatou", "Yacine", "Oumy", "Marème", "Seynabou", "Anta", "Penda", "Maty",
            "Aïssatou", "Fatoumata",
        ),
    ),
    "akan": PeopleNames(
        family=(
            "Kouassi", "Kouadio", "Kouamé", "Konan", "Koffi", "Yao", "N'Guessan", "Kouakou",
            "Kra", "Aka", "Brou", "Amani", "Assi", "Ahoua", "Amon", "Ehui", "Kacou", "Kanga",
            "N'Dri", "Ano", "Tanoh", "Boni", "Ehouman", "Adou", "Yapi", "Aké", "Koua",
            "Kouao", "Allou", "N'Goran",
        ),
        male=(
            "Kouassi", "Kouadio", "Kouamé", "Koffi", "Yao", "Kouakou", "Konan", "Kwame",
            "Kacou", "Brou", "Amani", "N'Dri", "Aka", "Ahoua", "Kan", "Tanoh", "Kra",
        ),
        female=(
            "Adjoua", "Akissi", "Affoué", "Amenan", "Ahou", "Aya", "Amoin", "Akoua", "Ahoussi",
            "Amlan", "Apo", "Aba", "Ahya", "Aménan", "Lou", "Mahi",
        ),
        christian_share=0.7,
    ),
    "mossi": PeopleNames(
        family=(
            "Ouédraogo", "Sawadogo", "Compaoré", "Kaboré", "Zongo", "Tapsoba", "Nikiéma",
            "Zoungrana", "Ilboudo", "Yaméogo", "Zida", "Kinda", "Tiendrébéogo", "Rouamba",
            "Sondo", "Belem", "Kiendrébéogo", "Bonkoungou", "Ouango", "Kafando", "Sanfo",
            "Nana", "Bationo", "Sanou", "Ouattara", "Kiemtoré", "Guiro",
        ),
        male=(
            "Souleymane", "Boukary", "Issaka", "Salif", "Adama", "Mahamadi", "Hamidou",
            "Inoussa", "Idrissa", "Harouna", "Seydou", "Abdoul Aziz", "Lassané", "Rasmané",
            "Noufou", "Moumouni", "Ousséni", "Saïdou", "Wendkouni", "Wendyam", "Relwendé",
            "Boukaré", "Tinga", "Noaga", "Abdoulaye", "Mamadou",
        ),
        female=(
            "Awa", "Salamata", "Mariam", "Assétou", "Alimata", "Rasmata", "Zénabo", "Bibata",
            "Fati", "Habibou", "Azèta", "Aminata", "Pegdwendé", "Wendlassida", "Safiatou",
            "Adjaratou", "Kadidiatou", "Fatimata",
        ),
        christian_share=0.35,
    ),
    "hausa": PeopleNames(
        family=(
            "Abdou", "Issoufou", "Mahamane", "Garba", "Souley", "Sani", "Laouali", "Maman",
            "Habou", "Illiassou", "Adamou", "Chaibou", "Salissou", "Nouhou", "Hassane",
            "Moussa", "Ibrahim", "Yahaya", "Rabiou", "Dan Jouma",
        ),
        male=(
            "Abdou", "Sani", "Mahamane", "Issoufou", "Laouali", "Garba", "Chaibou",
            "Salissou", "Habibou", "Nassirou", "Ibrahim", "Mahamadou", "Abdoulkarim",
            "Yahaya", "Mansour", "Rabiou", "Sahabi", "Bachir", "Nafiou", "Lawali", "Maman",
            "Zakari", "Souley", "Moussa", "Oumarou",
        ),
        female=(
            "Hadiza", "Zeinabou", "Fati", "Rabi", "Balkissa", "Hassana", "Mariama",
            "Aïchatou", "Halima", "Rahamatou", "Saadatou", "Nana", "Fatima", "Habsou",
            "Zouera", "Hamsatou", "Safia", "Maïmouna",
        ),
    ),
}

CHRISTIAN = {"M": _CHRISTIAN_MALE, "F": _CHRISTIAN_FEMALE}

# Share of each people among the insured of a country (rough, formal-sector workforce).
PEOPLE_MIX: dict[str, tuple[tuple[str, float], ...]] = {
    "ML": (("manding", 0.62), ("fula", 0.17), ("songhai", 0.14), ("mossi", 0.02),
           ("wolof", 0.02), ("hausa", 0.03)),
    "SN": (("wolof", 0.58), ("fula", 0.26), ("manding", 0.12), ("mossi", 0.01),
           ("hausa", 0.01), ("akan", 0.02)),
    "CI": (("akan", 0.50), ("manding", 0.25), ("mossi", 0.11), ("fula", 0.06),
           ("wolof", 0.02), ("hausa", 0.03), ("songhai", 0.03)),
    "BF": (("mossi", 0.64), ("fula", 0.12), ("manding", 0.16), ("songhai", 0.02),
           ("hausa", 0.03), ("akan", 0.03)),
    "NE": (("hausa", 0.52), ("songhai", 0.27), ("fula", 0.12), ("manding", 0.03),
           ("mossi", 0.03), ("wolof", 0.03)),
}


@dataclass(frozen=True)
class Place:
    """A town, how often it is met, and the other ways registers write it."""

    name: str
    weight: int
    variants: tuple[str, ...] = ()
    districts: tuple[str, ...] = ()


PLACES: dict[str, tuple[Place, ...]] = {
    "ML": (
        Place("Bamako", 40, ("Bko", "BAMAKO", "Bamakó"),
              ("Hamdallaye ACI 2000", "Badalabougou", "Kalaban Coura", "Hippodrome",
               "Magnambougou", "Lafiabougou", "Djélibougou", "Faladié", "Baco Djicoroni",
               "Quinzambougou", "Médina Coura", "Niaréla", "Sogoniko", "Banconi")),
        Place("Ségou", 8, ("Segou", "SEGOU"), ("Pélengana", "Médine", "Hamdallaye")),
        Place("Sikasso", 8, ("Sikaso", "SIKASSO"), ("Wayerma", "Médine", "Mamassoni")),
        Place("Kayes", 7, ("KAYES", "Kaye"), ("Légal Ségou", "Plateau", "Khasso")),
        Place("Mopti", 6, ("MOPTI", "Sévaré"), ("Komoguel", "Gangal", "Toguel")),
        Place("Koutiala", 5, ("Koutiyala", "KOUTIALA"), ("Médine", "Sabougou")),
        Place("Tombouctou", 3, ("Timbuktu", "Tombctou"), ("Sankoré", "Djingareyber")),
        Place("Gao", 4, ("GAO",), ("Château", "Aljanabandja", "Saneye")),
        Place("Kati", 4, ("KATI",), ("Malibougou", "Farada")),
        Place("Kita", 3, ("KITA",), ("Makandiambougou",)),
        Place("San", 2, ("SAN",), ("Santoro",)),
        Place("Nioro du Sahel", 2, ("Nioro", "Nioro-du-Sahel"), ("Nioro Tougouné",)),
    ),
    "SN": (
        Place("Dakar", 40, ("DKR", "DAKAR", "Dakar-Plateau"),
              ("Plateau", "Médina", "Sicap Liberté 6", "HLM Grand Yoff", "Parcelles Assainies",
               "Point E", "Ouakam", "Grand Dakar", "Fann Résidence", "Mermoz", "Yoff",
               "Sacré-Cœur 3")),
        Place("Pikine", 8, ("PIKINE",), ("Thiaroye", "Guinaw Rail", "Icotaf")),
        Place("Thiès", 8, ("Thies", "THIES"), ("Randoulène", "Cité Lamy", "Médina Fall")),
        Place("Saint-Louis", 6, ("St-Louis", "St Louis", "SAINT LOUIS"),
              ("Sor", "Guet Ndar", "Balacoss")),
        Place("Kaolack", 6, ("Kaolak", "KAOLACK"), ("Léona", "Médina Baye", "Kasnack")),
        Place("Ziguinchor", 5, ("Zig", "ZIGUINCHOR"), ("Boucotte", "Tilène", "Lyndiane")),
        Place("Touba", 5, ("TOUBA",), ("Darou Marnane", "Ndamatou")),
        Place("Rufisque", 4, ("RUFISQUE", "Rufisk"), ("Keury Kao", "Diokoul")),
        Place("Mbour", 4, ("M'Bour", "MBOUR"), ("Tefess", "Grand Mbour")),
        Place("Louga", 3, ("LOUGA",), ("Artillerie", "Keur Serigne Louga")),
        Place("Tambacounda", 3, ("Tamba", "TAMBACOUNDA"), ("Médina Coura", "Liberté")),
    ),
    "CI": (
        Place("Abidjan", 42, ("ABJ", "Abj.", "ABIDJAN"),
              ("Cocody Riviera 2", "Yopougon Maroc", "Treichville", "Marcory Zone 4",
               "Plateau", "Adjamé Williamsville", "Koumassi", "Abobo Baoulé", "Port-Bouët",
               "Cocody Angré", "Deux-Plateaux Vallons")),
        Place("Bouaké", 10, ("Bouake", "BOUAKE"), ("Koko", "Dar-es-Salam", "Air France 1")),
        Place("Yamoussoukro", 6, ("Yakro", "YAMOUSSOUKRO"), ("Habitat", "Morofé", "Dioulakro")),
        Place("Daloa", 6, ("DALOA",), ("Lobia", "Tazibouo", "Orly")),
        Place("San-Pédro", 6, ("San Pedro", "SAN-PEDRO"), ("Bardot", "Lac", "Séwéké")),
        Place("Korhogo", 6, ("KORHOGO", "Korogo"), ("Petit Paris", "Soba", "Haoussabougou")),
        Place("Man", 4, ("MAN",), ("Libreville", "Domoraud")),
        Place("Gagnoa", 4, ("GAGNOA",), ("Dioulabougou", "Garahio")),
        Place("Divo", 3, ("DIVO",), ("Konankankro",)),
        Place("Abengourou", 3, ("ABENGOUROU", "Abengourou"), ("Agnikro",)),
    ),
    "BF": (
        Place("Ouagadougou", 42, ("Ouaga", "OUAGA", "OUAGADOUGOU"),
              ("Secteur 15", "Gounghin", "Pissy", "Tampouy", "Dassasgho", "Ouaga 2000",
               "Zogona", "Samandin", "Patte d'Oie", "Wemtenga", "Cissin")),
        Place("Bobo-Dioulasso", 16, ("Bobo", "Bobo Dioulasso", "BOBO-DIOULASSO"),
              ("Sarfalao", "Accart-Ville", "Dogona", "Belle-Ville", "Kuinima")),
        Place("Koudougou", 7, ("KOUDOUGOU", "Kdg"), ("Secteur 7", "Issouka")),
        Place("Banfora", 5, ("BANFORA",), ("Secteur 2", "Secteur 5")),
        Place("Ouahigouya", 5, ("Ouahigouya", "OHG", "OUAHIGOUYA"), ("Secteur 10",)),
        Place("Kaya", 4, ("KAYA",), ("Secteur 4",)),
        Place("Tenkodogo", 3, ("TENKODOGO",), ("Secteur 1",)),
        Place("Fada N'Gourma", 3, ("Fada", "Fada Ngourma"), ("Secteur 3",)),
        Place("Dédougou", 3, ("Dedougou", "DEDOUGOU"), ("Secteur 6",)),
    ),
    "NE": (
        Place("Niamey", 42, ("NIAMEY", "Nmy", "Niamé"),
              ("Plateau", "Yantala", "Koira Kano", "Lazaret", "Recasement", "Terminus",
               "Gamkallé", "Dar es Salam", "Francophonie", "Kalley")),
        Place("Zinder", 12, ("ZINDER", "Damagaram"), ("Birni", "Zengou", "Sabon Gari")),
        Place("Maradi", 12, ("MARADI",), ("Sabon Carré", "Ali Dan Sofo", "Zaria")),
        Place("Tahoua", 7, ("TAHOUA",), ("Sabon Gari", "Koweit")),
        Place("Agadez", 6, ("AGADEZ", "Agades"), ("Dagmanet", "Obitara")),
        Place("Dosso", 5, ("DOSSO",), ("Koira Tégui", "Garbado")),
        Place("Tillabéri", 4, ("Tillaberi", "TILLABERY"), ("Quartier 1",)),
        Place("Diffa", 3, ("DIFFA",), ("Diffa Koura",)),
    ),
}

# Street-level address formats per country ({district}, {city}, {n}, {m}).
ADDRESS_FORMATS: dict[str, tuple[str, ...]] = {
    "ML": ("Rue {m}, Porte {n}, {district}, {city}", "{district}, Rue {m} Porte {n}, {city}",
           "BP {n}, {city}"),
    "SN": ("{district}, Villa n° {n}, {city}", "Cité {district}, Lot {n}, {city}",
           "BP {n}, {city}"),
    "CI": ("{district}, Lot {n}, Îlot {m}, {city}", "{district}, 0{m} BP {n} {city}",
           "{district}, Rue {m}, {city}"),
    "BF": ("{district}, Parcelle {n}, Lot {m}, {city}", "01 BP {n} {city}",
           "{district}, Rue {m}.{n}, {city}"),
    "NE": ("Quartier {district}, Rue {m}, Porte {n}, {city}", "BP {n}, {city}",
           "{district}, Avenue {m}, {city}"),
}

# Dialling code and the leading digits of mobile numbers; subscriber digits after the prefix.
PHONES: dict[str, tuple[str, tuple[str, ...], int]] = {
    "ML": ("+223", ("76", "66", "70", "79", "65", "20"), 6),
    "SN": ("+221", ("77", "78", "76", "70", "33"), 7),
    "CI": ("+225", ("07", "05", "01", "27"), 8),
    "BF": ("+226", ("70", "76", "78", "65", "25"), 6),
    "NE": ("+227", ("96", "90", "93", "80", "20"), 6),
}

# How each country groups the digits of a phone number when writing it.
PHONE_GROUPS: dict[str, tuple[int, ...]] = {
    "ML": (2, 2, 2, 2), "SN": (2, 3, 2, 2), "CI": (2, 2, 2, 2, 2), "BF": (2, 2, 2, 2),
    "NE": (2, 2, 2, 2),
}

# Trade-register (RCCM, OHADA) court code per country, and how tax ids look.
RCCM_CITY = {"ML": "BKO", "SN": "DKR", "CI": "ABJ", "BF": "OUA", "NE": "NIM"}
RCCM_COUNTRY = {"ML": "MA", "SN": "SN", "CI": "CI", "BF": "BF", "NE": "NI"}


@dataclass(frozen=True)
class Sector:
    name: str
    risk_class: int
    weight: int
    patterns: tuple[str, ...]
    jobs: tuple[str, ...]


# Patterns: {family}, {family2}, {given}, {city}, {word}, {acronym}, {form}.
SECTORS: tuple[Sector, ...] = (
    Sector("Commerce général", 1, 22,
           ("Établissements {family} et Frères", "Ets {family} & Fils {form}",
            "{given} {family} Commerce Général", "Comptoir {word} {form}",
            "Société Commerciale {family}-{family2} {form}", "{acronym} Distribution {form}"),
           ("Vendeur", "Caissier", "Magasinier", "Comptable", "Commercial", "Gérant",
            "Livreur", "Manœuvre")),
    Sector("Bâtiment et travaux publics", 4, 10,
           ("Entreprise {family} BTP {form}", "{acronym} Construction {form}",
            "Société de Travaux de {city} {form}", "{family} Bâtiment et Génie Civil {form}"),
           ("Maçon", "Ferrailleur", "Conducteur d'engins", "Chef de chantier", "Manœuvre",
            "Ingénieur génie civil", "Topographe", "Chauffeur poids lourd")),
    Sector("Industries extractives", 4, 3,
           ("Société des Mines de {word} {form}", "{acronym} Mining {form}",
            "Compagnie Minière du {word} {form}"),
           ("Mineur", "Foreur", "Géologue", "Mécanicien d'engins", "Électricien",
            "Agent de sécurité", "Conducteur de dumper")),
    Sector("Transport et logistique", 3, 8,
           ("Transports {family} {form}", "{family} Voyages", "{acronym} Logistique {form}",
            "Compagnie de Transit de {city} {form}"),
           ("Chauffeur", "Apprenti chauffeur", "Mécanicien", "Agent de transit",
            "Déclarant en douane", "Magasinier", "Convoyeur")),
    Sector("Banque et assurance", 1, 4,
           ("Banque {word} de Développement {form}", "{acronym} Assurances {form}",
            "Caisse d'Épargne et de Crédit {word}", "Mutuelle {word} de {city}"),
           ("Chargé de clientèle", "Guichetier", "Analyste crédit", "Comptable",
            "Auditeur interne", "Agent de recouvrement", "Informaticien")),
    Sector("Hôtellerie et restauration", 2, 7,
           ("Hôtel {word}", "Restaurant {word}", "Résidence {word} {form}",
            "Maquis {word}", "Campement {word}"),
           ("Cuisinier", "Serveur", "Réceptionniste", "Femme de chambre", "Gardien",
            "Plongeur", "Maître d'hôtel")),
    Sector("Agro-industrie", 3, 7,
           ("Huilerie {word} {form}", "Société Agricole de {city} {form}",
            "{acronym} Agro-Industries {form}", "Rizerie {family} {form}",
            "Coopérative {word} de {city}"),
           ("Ouvrier agricole", "Conducteur de machine", "Contremaître", "Magasinier",
            "Technicien agricole", "Manœuvre", "Chauffeur")),
    Sector("Santé privée", 2, 5,
           ("Clinique {word}", "Pharmacie {word}", "Cabinet Médical {word}",
            "Laboratoire d'Analyses {word} {form}"),
           ("Infirmier", "Sage-femme", "Aide-soignant", "Médecin", "Pharmacien",
            "Technicien de laboratoire", "Secrétaire médicale")),
    Sector("Enseignement privé", 1, 6,
           ("Groupe Scolaire {word}", "Institut Supérieur {word}", "Collège Privé {word}",
            "École {word} de {city}"),
           ("Enseignant", "Surveillant", "Directeur d'école", "Secrétaire", "Gardien",
            "Comptable")),
    Sector("Télécommunications et informatique", 1, 3,
           ("{word} Télécom {form}", "{acronym} Informatique {form}",
            "{word} Digital Services {form}"),
           ("Technicien réseau", "Développeur", "Téléconseiller", "Ingénieur télécom",
            "Commercial", "Informaticien")),
    Sector("Sécurité et gardiennage", 2, 5,
           ("{word} Sécurité {form}", "Société de Gardiennage {family} {form}",
            "{acronym} Protection {form}"),
           ("Agent de sécurité", "Gardien", "Chef de poste", "Maître-chien", "Chauffeur")),
    Sector("Industrie manufacturière", 3, 6,
           ("Boulangerie {word}", "Savonnerie {word} {form}", "Plastiques de {city} {form}",
            "Société Industrielle {family} {form}", "Menuiserie {family}"),
           ("Ouvrier", "Conducteur de ligne", "Boulanger", "Menuisier", "Soudeur",
            "Électromécanicien", "Magasinier", "Manœuvre")),
    Sector("Énergie et eau", 3, 2,
           ("{acronym} Énergie {form}", "Société {word} d'Électricité {form}",
            "{family} Solaire {form}"),
           ("Électricien", "Technicien de maintenance", "Releveur de compteurs",
            "Ingénieur électricien", "Plombier")),
    Sector("Organisations non gouvernementales", 1, 3,
           ("ONG {word}", "Association {word} pour le Développement",
            "Fondation {family} pour l'Éducation"),
           ("Animateur", "Chargé de programme", "Comptable", "Chauffeur", "Coordonnateur",
            "Assistant administratif")),
    Sector("Services domestiques et personnels", 1, 3,
           ("Ménage {family}", "Foyer {given} {family}"),
           ("Employé de maison", "Chauffeur", "Gardien", "Cuisinier", "Nounou")),
)

# Civil-service employers, for an organisation that insures state employees (CMSS-ML).
PUBLIC_SECTOR = Sector(
    "Administration publique", 1, 1,
    ("Ministère de {ministry}", "Direction Régionale de {service} de {city}",
     "Mairie de {city}", "Hôpital Régional de {city}", "Gouvernorat de {city}",
     "Académie d'Enseignement de {city}", "Centre de Santé de Référence de {city}",
     "Tribunal de Grande Instance de {city}"),
    ("Administrateur civil", "Professeur", "Instituteur", "Médecin", "Infirmier d'État",
     "Secrétaire d'administration", "Magistrat", "Agent technique", "Comptable public",
     "Attaché d'administration", "Chauffeur", "Planton"),
)
MINISTRIES = (
    "l'Économie et des Finances", "la Santé et du Développement Social",
    "l'Éducation Nationale", "l'Agriculture", "la Justice", "l'Administration Territoriale",
    "l'Enseignement Supérieur", "l'Énergie et de l'Eau", "la Communication",
    "l'Environnement", "la Jeunesse et des Sports", "l'Emploi et de la Formation Professionnelle",
    "l'Équipement et des Transports", "la Promotion de la Femme",
)
SERVICES = (
    "la Santé", "l'Agriculture", "l'Éducation", "l'Hydraulique", "l'Urbanisme",
    "l'Élevage", "la Protection Sociale", "la Jeunesse", "l'Assainissement",
)
WORDS = (
    "du Sahel", "du Fleuve", "Djoliba", "Les Rôniers", "Les Cocotiers", "Espoir",
    "La Paix", "Le Baobab", "Teranga", "Sahélienne", "Kankou Moussa", "Soundiata",
    "Wassoulou", "Le Niger", "La Lagune", "Éburnie", "Yennenga", "Nakambé", "Ténéré",
    "Air", "Liptako", "Mandé", "Bani", "Sénégal Oriental", "Casamance", "Cap-Vert",
    "Savane", "Étoile", "Lumière", "Bon Berger", "Horizon", "Avenir", "Excellence",
    "Solidarité", "Sankofa", "Akwaba", "Sabali", "Benkadi", "Faso", "Dunia", "Jiguiya",
    "Nafa", "Barka", "Nyéta", "Ouaga 2000", "Kasso", "Gounghin", "Ndar", "Sine-Saloum",
)
LEGAL_FORMS = ("SARL", "SA", "SARL", "SUARL", "SAS", "SARL", "GIE", "")
# fmt: on
