"""A held-out measuring set for the pseudonymiser, written by hand for issue 12 (item 6).

Nothing in the product was tuned on these names or sentences: they were written before the
figures were first looked at, and the rules were developed on the Faker-based set of
``bench_analyse_pseudonimisering.py`` only. The names are common in Dutch towns for each
origin group; the sentences are everyday story sentences in other wordings than that set's.
The ordinary sentences use Dutch words that are also first names or surnames somewhere
(roos, hoop, storm, noor, visser, ...), in their ordinary meaning.
"""

from __future__ import annotations

import random

NAMES: dict[str, tuple[list[str], list[str]]] = {
    "nederlands": (
        "Joke Gerrit Wim Marieke Sanne Bram Ineke Dirk Fenna Tjeerd Hanneke Jelle".split(),
        ["Dijkstra", "Vermeulen", "de Groot", "Hendriks", "van Leeuwen", "Kuipers", "Brouwer", "Postma",
         "Scholten", "van Dam", "Verbeek", "Hoekstra"],
    ),
    "turks": (
        "Emine Mehmet Ayşe Hüseyin Fatma Murat Zeynep Kemal Elif Osman Hatice Serkan".split(),
        "Öztürk Demir Çelik Şahin Aydın Arslan Doğan Kılıç Koç Kurt Özdemir Polat".split(),
    ),
    "marokkaans": (
        "Fatima Mohamed Khadija Youssef Naima Rachid Samira Abdelkader Latifa Mustafa Houda Karim".split(),
        ["El Amrani", "Bouzid", "Ouali", "Benali", "El Khattabi", "Azzouzi", "Haddouchi", "Boukhari",
         "Tahiri", "Amrani", "Essafi", "Lahlou"],
    ),
    "surinaams": (
        "Ritesh Anita Sandeep Roshni Wendell Glenda Marcel Sunil Indra Orlando Chandra Iwan".split(),
        ["Ramlal", "Baboeram", "Sitaldin", "Mohan", "Tjon Jong", "Brunings", "Pengel", "Kasanmoentalib",
         "Ramdhani", "Bhagwandin", "Fernandes", "Karsowidjojo"],
    ),
    "antilliaans": (
        "Jurensley Kimberly Edsel Quincy Yolanda Rigoberto Shanaira Dwight Maribel Ryanne Eithel Ruthsela".split(),
        "Martis Rojer Sulvaran Josepha Anthony Cicilia Lourens Mercelina Bernabela Doran Felida Schoop".split(),
    ),
    "pools": (
        "Agnieszka Tomasz Katarzyna Piotr Magdalena Krzysztof Joanna Paweł Ewa Grzegorz Monika Łukasz".split(),
        "Nowak Wiśniewski Wójcik Kowalczyk Kamiński Lewandowska Zieliński Szymańska Woźniak Dąbrowski "
        "Kozłowski Jankowska".split(),
    ),
    "syrisch": (
        "Mahmoud Lina Wissam Dima Fadi Nour Ammar Reem Iyad Hala Majd Ruba".split(),
        ["Al-Khatib", "Hamoud", "Aljundi", "Saleh", "Kurdi", "Zein", "Ibrahim", "Shahin", "Alomar", "Habib",
         "Moussa", "Sulaiman"],
    ),
    "eritrees": (
        "Tesfalem Helen Abraham Mehret Dawit Almaz Yemane Rahwa Tekle Feven Goitom Hiwet".split(),
        "Gebremedhin Tesfamariam Habte Kidane Berhe Ghebremichael Araya Weldu Asmerom Negash Mengis "
        "Okbazghi".split(),
    ),
    "oekraiens": (
        "Oksana Dmytro Yuliia Andrii Nataliia Serhii Iryna Volodymyr Tetiana Mykola Olena Bohdan".split(),
        "Shevchenko Kovalenko Bondarenko Tkachenko Kravchenko Melnyk Boyko Moroz Lysenko Petrenko "
        "Savchenko Rudenko".split(),
    ),
}

# (context, sentence): {f} first name, {l} surname, {n} full name.
TEMPLATES = [
    ("volledig", "Op dinsdag haalt {n} mij op voor de inloop."),
    ("voornaam", "Ik bel {f} elke avond even."),
    ("voornaam_na_via", "Via {f} kwam ik bij het taalcafé terecht."),
    ("voornaam_zinsbegin", "{f} en ik koken samen op vrijdag."),
    ("tussen_komma", "De buurvrouw, {n}, brengt soms soep."),
    ("achternaam", "Toen {l} verhuisde, miste ik de gesprekken."),
    ("voornaam_er_bij", "Gelukkig was {f} er ook bij."),
    ("kleine_letters", "daarna ben ik met {n} naar de huisarts gegaan."),
    ("groet", "Bedankt {f}, zonder jou was het niet gelukt."),
]

# Ordinary Dutch sentences; the words that are also names are used in their ordinary sense.
ORDINARY = [
    "De roos in de voortuin bloeit weer.",
    "Roos en tulp staan samen in de vaas.",
    "Ik heb goede hoop dat het lukt.",
    "Hoop doet leven, zei mijn moeder altijd.",
    "In mei gaan we weer wandelen in het bos.",
    "Mijn zoon wil later visser worden.",
    "De bakker op de hoek is met pensioen.",
    "Er kwam een storm over het dorp.",
    "Storm en regen hielden ons binnen.",
    "De zon scheen de hele middag op het plein.",
    "Een vos liep 's nachts door de tuin.",
    "De kok van het buurthuis maakt lekkere soep.",
    "Mijn kleinzoon speelt bas in een bandje.",
    "Het lot bracht ons naar deze wijk.",
    "Een mees zat op de vensterbank.",
    "De beer in het speelgoedhoekje is van mijn kleindochter.",
    "Ze droeg een ketting van amber.",
    "De iris in de vijver is paars.",
    "Mijn buurman is een echte Noor, hij komt uit Bergen.",
    "Ik zeg elke dag goedendag tegen de buren.",
    "We plukten kersen en bramen langs de dijk.",
    "De linde voor ons huis is heel oud.",
    "De berk in het park verliest zijn blad.",
    "Een ster aan de hemel deed me aan vroeger denken.",
    "De smid in het dorp maakte vroeger hekken.",
    "Met de koning van de wijk bedoelen ze de conciërge.",
    "Samen met de buren maakten we de straat schoon.",
    "Met Pasen eten we samen in het buurthuis.",
    "Met Kerstmis zingt het koor in de kerk.",
    "Het was een mooie dag om te fietsen.",
    "De jade vaas brak tijdens de verhuizing.",
    "Mijn vader werkte als boer op het land.",
    "We gingen met de bus naar Amersfoort.",
    "In Zwolle kochten we een nieuwe jas.",
    "Ik fiets graag langs de rivier naar Deventer.",
    "Groen en geel zijn mijn lievelingskleuren.",
]


def parts_of(secret: str) -> list[str]:
    """The parts of a name that must not be readable afterwards (particles may stay)."""
    particles = {"van", "de", "der", "den", "ter", "ten", "el", "al"}
    return [p for p in secret.replace("-", " ").split() if p.lower() not in particles and len(p) > 2]


def stories(seed: int = 2026) -> list[tuple[str, str, str, list[str]]]:
    """(group, context, text, parts that must not survive): every name in two contexts."""
    rng = random.Random(seed)
    out = []
    for group, (firsts, lasts) in NAMES.items():
        for index, (first, last) in enumerate(zip(firsts, lasts)):
            for context, template in rng.sample(TEMPLATES, 2) if index else TEMPLATES[:2]:
                f, l, n = first, last, f"{first} {last}"
                if context == "kleine_letters":
                    f, l, n = f.lower(), l.lower(), n.lower()
                text = template.format(f=f, l=l, n=n)
                secret = l if "{l}" in template else (f if "{f}" in template else n)
                out.append((group, context, text, parts_of(secret)))
    return out
