"""Person names for the benchmark corpus, per origin, made up from parts.

These tables live only here: piiscan's person detector has no name list, so
the benchmark cannot reward a detector for recognising its own list. About
a third of given and family names are composed from per-origin syllables,
so the corpus also holds plausible names that appear in no list anywhere.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

# origin: (given names, family names, given-name syllables, family-name syllables)
ORIGINS: dict[str, tuple[list[str], list[str], list[str], list[str]]] = {
    "arabic": (
        ["Youssef", "Fatima", "Omar", "Khadija", "Hamza", "Amina", "Bilal", "Zainab", "Tariq",
         "Layla", "Karim", "Nour", "Walid", "Samira", "Rachid", "Houda", "Mounir", "Salma"],
        ["Al-Masri", "Haddad", "Benali", "El Amrani", "Khoury", "Saadi", "Bouzid", "Nasser",
         "Al-Hakim", "Belkacem", "Mansour", "Chahine", "Ait Ouali", "Zerrouki", "Darwish"],
        ["Ha", "Sa", "Ka", "Ri", "Mou", "Na", "Za", "La", "Fa", "Ya"],
        ["Ben", "Bou", "Al-", "Ham", "Sal", "Za", "Ka", "Ri", "Di", "Mer"],
    ),
    "persian": (
        ["Dariush", "Shirin", "Kourosh", "Parisa", "Arash", "Niloufar", "Babak", "Mahsa",
         "Farhad", "Golnaz", "Reza", "Azadeh", "Kaveh", "Yasaman", "Siamak"],
        ["Tehrani", "Rahimi", "Farahani", "Karimzadeh", "Hosseini", "Moradi", "Ebrahimi",
         "Jafari", "Sadeghi", "Shirazi", "Ghorbani", "Mohammadi", "Bagheri", "Esfahani"],
        ["Ar", "Da", "Sha", "Pa", "Far", "Na", "Ma", "Ka", "Ro"],
        ["Teh", "Ra", "Far", "Ka", "Zad", "Mo", "Ja", "Sa", "Gho"],
    ),
    "dari_pashto": (
        ["Ahmad Shah", "Zarghuna", "Wahidullah", "Malalai", "Naveed", "Farishta", "Ajmal",
         "Spozhmai", "Habibullah", "Palwasha", "Mirwais", "Shabnam", "Rahmatullah", "Gulalai"],
        ["Popalzai", "Durrani", "Noorzai", "Safi", "Stanikzai", "Ahmadzai", "Barakzai",
         "Mohmand", "Wardak", "Hotak", "Kakar", "Yousufzai", "Sultani", "Hakimi"],
        ["Gul", "Zar", "Mir", "Wah", "Sha", "Pal", "Naj", "Bas"],
        ["Zai", "Kak", "Dur", "Noor", "Safi", "Wal", "Haq", "Mal"],
    ),
    "tigrinya": (
        ["Yonas", "Selam", "Mehari", "Senait", "Tesfalem", "Luwam", "Dawit", "Hiwet", "Filmon",
         "Rahel", "Kidane", "Saba", "Yohannes", "Eden", "Berhane", "Winta"],
        ["Tesfay", "Gebremedhin", "Haile", "Woldemichael", "Kahsay", "Berhe", "Tekle", "Ghebre",
         "Asfaha", "Mebrahtu", "Habtom", "Weldu", "Negash", "Zerai", "Okbazghi"],
        ["Te", "sfa", "Me", "ha", "Ki", "Se", "Ya", "Ha", "Lu"],
        ["Ge", "bre", "Wol", "de", "Ha", "Te", "Ka", "Ne", "gash"],
    ),
    "somali": (
        ["Hodan", "Abdirahman", "Faadumo", "Mahad", "Ayaan", "Abdiqani", "Sahra", "Liban",
         "Ubah", "Guled", "Hibaaq", "Mukhtar", "Nimco", "Bashiir", "Idil"],
        ["Warsame", "Abdi", "Farah", "Jama", "Hirsi", "Egal", "Yusuf", "Dualeh", "Ismail",
         "Mohamud", "Samatar", "Gedi", "Omar", "Nur", "Aden"],
        ["Ab", "di", "Xa", "Ma", "Ca", "Hi", "Gu", "Fa"],
        ["War", "sa", "Hir", "Du", "Ja", "Ge", "Sa", "ma"],
    ),
    "lingala": (
        ["Mbuyi", "Kabongo", "Nzuzi", "Ilunga", "Makiese", "Lokua", "Bijou", "Dieudonné",
         "Exaucé", "Mpia", "Kinkela", "Grâce", "Trésor", "Malaika", "Yannick"],
        ["Mbala", "Tshibangu", "Kabila", "Lukusa", "Mukendi", "Nsimba", "Kalala", "Mputu",
         "Ngoie", "Bokeleale", "Matondo", "Kasongo", "Mulamba", "Lokwa", "Ekofo"],
        ["Mbu", "Ka", "Nzu", "Ma", "Ki", "Lo", "Ngo", "Tshi"],
        ["Mba", "Lu", "Ka", "Mu", "Nsi", "Ma", "Ton", "Ngo"],
    ),
    "haitian": (
        ["Jean-Robert", "Marie-Carmelle", "Wilner", "Nadège", "Fritz", "Guerline", "Jonas",
         "Mirlande", "Lesly", "Rose-Berthe", "Wideline", "Kesner", "Ketsia", "Ti-Jean"],
        ["Pierre-Louis", "Saint-Fleur", "Dorvil", "Jean-Baptiste", "Toussaint", "Désir",
         "Charlemagne", "Bien-Aimé", "Delva", "Fils-Aimé", "Alexis", "Célestin", "Métellus"],
        ["Wil", "Ker", "Gue", "Mir", "Les", "Ket", "Na"],
        ["Dor", "Del", "Mé", "Cé", "Char", "Tous", "vil"],
    ),
    "spanish": (
        ["María José", "Alejandro", "Guadalupe", "Santiago", "Ximena", "Joaquín", "Valentina",
         "Rodrigo", "Catalina", "Andrés", "Lucía", "Sebastián", "Camila", "Mateo"],
        ["García López", "Hernández", "Rodríguez", "Martínez Soto", "Castillo", "Ramírez",
         "de la Cruz", "Gutiérrez", "Morales", "Vargas", "Quispe", "Ortega Ruiz", "Mendoza"],
        ["Ma", "ri", "Ro", "dri", "Xi", "Jo", "Va", "Lu"],
        ["Gar", "Her", "Ro", "Ca", "Men", "Var", "Ri", "Que"],
    ),
    "ukrainian": (
        ["Oleksandr", "Yuliia", "Dmytro", "Oksana", "Taras", "Iryna", "Bohdan", "Nataliia",
         "Andrii", "Halyna", "Mykola", "Solomiia", "Yaroslav", "Khrystyna"],
        ["Kovalenko", "Shevchenko", "Bondarenko", "Tkachuk", "Melnyk", "Kravchenko", "Boiko",
         "Hrytsenko", "Lysenko", "Savchuk", "Ostapchuk", "Pavlyshyn", "Zinchenko"],
        ["Ok", "Ya", "Bo", "Ta", "Mi", "Ha", "Ro", "Sla"],
        ["Ko", "Shev", "Tka", "Hry", "Sav", "Pav", "chuk", "enko"],
    ),
    "tamil": (
        ["Kavitha", "Senthil", "Priya", "Arjun", "Lakshmi", "Murugan", "Tharshini", "Kumaran",
         "Anitha", "Vignesh", "Meena", "Sivakumar", "Nithya", "Prakash"],
        ["Subramaniam", "Ramasamy", "Krishnan", "Sivapalan", "Balasingham", "Thanabalasingam",
         "Arumugam", "Kandiah", "Rajaratnam", "Selvarajah", "Nadarajah", "Vijayakumar"],
        ["Ka", "vi", "Sen", "Thar", "Ku", "Ni", "Vig", "Pra"],
        ["Su", "bra", "Ra", "Kan", "Sel", "Na", "Ba", "singham"],
    ),
    "punjabi": (
        ["Harpreet", "Gurpreet", "Manjit", "Jaspreet", "Amandeep", "Simran", "Baljit",
         "Navdeep", "Rupinder", "Kulwinder", "Parminder", "Sukhjit", "Hardeep"],
        ["Kaur Sandhu", "Singh Gill", "Dhillon", "Grewal", "Sidhu", "Brar", "Randhawa",
         "Sekhon", "Bains", "Cheema", "Kaur", "Singh", "Mann"],
        ["Har", "Gur", "Jas", "Man", "Nav", "Sukh", "Bal"],
        ["Dhil", "Gre", "San", "Ran", "Sek", "Che", "Bai"],
    ),
    "vietnamese": (
        ["Thị Lan", "Văn Minh", "Thị Hương", "Quốc Bảo", "Thu Trang", "Đức Anh", "Ngọc Ánh",
         "Hoàng Long", "Thị Mai", "Minh Khoa", "Phương Linh", "Văn Hùng"],
        ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Võ", "Đặng", "Bùi", "Đỗ", "Ngô",
         "Dương"],
        ["Thị", "Văn", "Ngọc", "Thu", "Minh", "Đức", "Quốc"],
        ["Ng", "Trư", "Lâm", "Phan", "Hồ", "Tạ"],
    ),
    "chinese": (
        ["Xiuying", "Wei", "Jing", "Haoran", "Mei Ling", "Zhiwei", "Yan", "Jun", "Xiaoming",
         "Lihua", "Ying", "Chen Yu", "Ka Wai", "Siu Ming"],
        ["Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Huang", "Zhao", "Wu", "Zhou", "Chan",
         "Wong", "Leung", "Lau"],
        ["Xiu", "Hao", "Zhi", "Jia", "Lin", "Qing", "Yu"],
        ["Zh", "Ch", "Xu", "Gu", "Ma", "He"],
    ),
    "tagalog": (
        ["Maricel", "Jericho", "Rowena", "Rodel", "Marivic", "Jonathan", "Lourdes", "Ramil",
         "Cristina", "Danilo", "Rosalie", "Arnel", "Jenalyn", "Edgardo"],
        ["dela Cruz", "Santos", "Reyes", "Bautista", "Villanueva", "Mendoza", "Aquino",
         "Macaraeg", "Dimaculangan", "Pangilinan", "Manalo", "Soriano", "Tolentino"],
        ["Ma", "ri", "Je", "Ro", "Lyn", "Ar", "Jo"],
        ["Da", "Ma", "Pa", "Ba", "ngan", "lo", "ton"],
    ),
    "english": (
        ["Emily", "James", "Olivia", "Liam", "Sarah", "Michael", "Hannah", "Daniel", "Chloe",
         "Matthew", "Megan", "Ryan", "Jessica", "Connor", "Abigail"],
        ["Thompson", "MacDonald", "Campbell", "Robertson", "Anderson", "Fraser", "Mitchell",
         "O'Brien", "Henderson", "Sullivan", "Wright", "Stewart", "McKenzie", "Harrison"],
        ["Ash", "ley", "Bran", "don", "Kay", "la", "Jor"],
        ["Whit", "more", "Hol", "brook", "Pem", "ber", "ton"],
    ),
    "quebecois": (
        ["Marie-Ève", "Jean-François", "Geneviève", "Mathieu", "Isabelle", "Sébastien",
         "Catherine", "Maxime", "Josée", "Étienne", "Mélanie", "Frédéric", "Nathalie", "Benoît",
         "Annie-Claude", "Gaétan"],
        ["Tremblay", "Gagnon", "Bouchard", "Côté", "Pelletier", "Bélanger", "Lévesque",
         "Gauthier", "Ouellet", "Bergeron", "Saint-Pierre", "Lachance", "Desrosiers",
         "Thibodeau", "Gingras", "Leclerc"],
        ["Ma", "Sé", "Gé", "Fré", "Na", "Jo", "Bé"],
        ["Tremb", "Gau", "Ber", "Thi", "Gin", "Lach", "Pel"],
    ),
}

ORIGIN_NAMES = tuple(ORIGINS)


@dataclass(frozen=True, slots=True)
class PersonName:
    given: str
    family: str
    origin: str
    female: bool

    @property
    def full(self) -> str:
        if self.origin in ("vietnamese",):  # family name first
            return f"{self.family} {self.given}"
        return f"{self.given} {self.family}"

    def surname_first(self) -> str:
        """'TREMBLAY, Marie-Ève': how registries and forms list people."""
        return f"{self.family.upper()}, {self.given}"


def _compose(rng: random.Random, syllables: list[str], parts: int) -> str:
    word = "".join(rng.choice(syllables) for _ in range(parts))
    word = word.replace("--", "-").strip("-")
    return word[:1].upper() + word[1:].lower()


def make_name(rng: random.Random, origin: str | None = None) -> PersonName:
    """A name of the given (or a random) origin; some parts composed from syllables."""
    origin = origin or rng.choice(ORIGIN_NAMES)
    given, family, gsyl, fsyl = ORIGINS[origin]
    if origin in ("vietnamese", "chinese") or rng.random() < 0.7:
        g = rng.choice(given)
    else:
        g = _compose(rng, gsyl, rng.choice((2, 3)))
    if origin in ("vietnamese", "chinese") or rng.random() < 0.7:
        f = rng.choice(family)
    else:
        f = _compose(rng, fsyl, rng.choice((2, 3)))
    return PersonName(g, f, origin, rng.random() < 0.5)
