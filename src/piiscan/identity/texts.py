"""Words of the breach summary and the incident register, in English and French.

The legal references are the ones Canadian privacy officers work with:
PIPEDA s. 10.1 (real risk of significant harm; factors in s. 10.1(8)) and
the Breach of Security Safeguards Regulations (SOR/2018-64, records s. 6);
Quebec's Act respecting the protection of personal information in the
private sector ss. 3.5–3.8 (risk of serious injury, factors in s. 3.7,
register s. 3.8) and the Regulation respecting confidentiality incidents.
Section numbers of the regulations are given only where sure; staff check
the text that applies to them.
"""

from __future__ import annotations

TO_COMPLETE = {"en": "TO COMPLETE", "fr": "À COMPLÉTER"}

SUMMARY: dict[str, dict[str, str]] = {
    "en": {
        "title": "Breach assessment — summary",
        "intro": "What piiscan found in the exposed scope, for the risk assessment. Counts only: "
                 "the names and identifiers are in individuals.jsonl / individuals.csv, which must "
                 "be kept owner-only and destroyed when the incident is closed.",
        "generated": "Generated", "scope": "Scope examined",
        "card.individuals": "individuals affected", "card.findings": "pieces of personal information",
        "card.items": "items read", "card.errors": "items not (fully) read",
        "card.minors": "minors", "card.theft": "with data enabling identity theft",
        "by_element": "Individuals by data element", "element": "Data element",
        "individuals": "Individuals",
        "by_tier": "Sensitivity tiers", "tier": "Tier", "categories": "Categories",
        "tier.note": "Immigration (passport, UCI, work permits), health, SIN and financial data "
                     "rank highest; then date of birth and licence; then contact details; a name "
                     "alone lowest. Each person counts once, at their highest tier.",
        "factors": "Risk assessment: real risk of significant harm (PIPEDA s. 10.1) / risk of "
                   "serious injury (Quebec private sector Act s. 3.7)",
        "factors.intro": "Pre-filled with what the scan knows; the rest is for the team handling "
                         "the incident, with the person in charge of the protection of personal "
                         "information.",
        "factor": "Factor", "known": "What the scan knows", "staff": "To assess",
        "f.sensitivity": "Sensitivity of the information",
        "f.sensitivity.known": "{highest} of {n} individuals have highest-tier data ({cats}). "
                               "{theft} have a name with a SIN, or with a date of birth and another "
                               "identity number. {minors} are minors.",
        "f.sensitivity.staff": "Are the people vulnerable (refugee claimants, clients of health or "
                               "social services, children)? Does the context (case notes, files "
                               "about immigration status, health, finances) make it more sensitive?",
        "f.probability": "Probability of misuse",
        "f.probability.known": "{items} items were readable without a key; {encrypted} were "
                               "encrypted and could not be read.",
        "f.probability.staff": "Who obtained the data or could have (theft, attack, error, an "
                               "employee)? Was it malicious? How long was it exposed? Was it "
                               "recovered, destroyed, or copied? Is there evidence of misuse?",
        "f.consequences": "Anticipated consequences of its use",
        "f.consequences.known": "Possible harms from the data elements: {harms}.",
        "f.consequences.staff": "Confirm the harms that apply: identity theft, fraud, financial "
                                "loss, damage to reputation, discrimination, humiliation, harm to "
                                "immigration proceedings, physical harm.",
        "f.number": "Number of people concerned",
        "f.number.known": "{n} individuals identified ({name_only} known by name only; {unattributed} "
                          "findings could not be tied to a person).",
        "f.number.staff": "Check items not read (below) by hand; adjust the count.",
        "f.conclusion": "Conclusion",
        "f.conclusion.staff": "Is there a real risk of significant harm / a risk of serious injury? "
                              "If so: report to the Office of the Privacy Commissioner of Canada "
                              "and the Commission d'accès à l'information, notify the individuals "
                              "(see --letters), and notify organisations that can reduce the harm "
                              "(banks, Service Canada, IRCC). Record the decision in "
                              "incident-register.md.",
        "reach": "Ways to reach them", "reach.email": "by email", "reach.phone": "by phone",
        "reach.address": "by mail (address found)", "reach.none": "no contact point found",
        "errors": "Items not read, to check by hand", "reason": "Reason", "count": "Items",
        "errors.none": "Every item in the scope was read.",
        "more": "… and {n} more.",
        "harm.identity": "identity theft", "harm.fraud": "fraud and financial loss",
        "harm.immigration": "harm to immigration proceedings, targeting of the person",
        "harm.health": "discrimination, misuse of health coverage", "harm.contact": "phishing, harassment",
        "harm.name": "damage to reputation if the context is sensitive",
        "footer": "Generated by piiscan breach. Keep this folder owner-only; destroy it when the "
                  "incident is closed and the register entry is complete.",
    },
    "fr": {
        "title": "Évaluation d'incident de confidentialité — sommaire",
        "intro": "Ce que piiscan a trouvé dans les données exposées, pour l'évaluation du risque. "
                 "Des comptes seulement : les noms et identifiants sont dans individuals.jsonl / "
                 "individuals.csv, à garder en accès restreint et à détruire à la fermeture du "
                 "dossier.",
        "generated": "Produit le", "scope": "Données examinées",
        "card.individuals": "personnes concernées", "card.findings": "renseignements personnels",
        "card.items": "éléments lus", "card.errors": "éléments non lus (ou en partie)",
        "card.minors": "personnes mineures", "card.theft": "avec de quoi usurper l'identité",
        "by_element": "Personnes par renseignement", "element": "Renseignement",
        "individuals": "Personnes",
        "by_tier": "Niveaux de sensibilité", "tier": "Niveau", "categories": "Catégories",
        "tier.note": "L'immigration (passeport, IUC, permis de travail), la santé, le NAS et les "
                     "données financières sont au niveau le plus élevé ; puis la date de naissance "
                     "et le permis de conduire ; puis les coordonnées ; un nom seul en dernier. "
                     "Chaque personne compte une fois, à son niveau le plus élevé.",
        "factors": "Évaluation du risque : risque de préjudice sérieux (Loi sur la protection des "
                   "renseignements personnels dans le secteur privé, art. 3.7) / risque réel de "
                   "préjudice grave (LPRPDE, art. 10.1)",
        "factors.intro": "Prérempli avec ce que l'analyse sait ; le reste revient à l'équipe qui "
                         "gère l'incident, avec la personne responsable de la protection des "
                         "renseignements personnels.",
        "factor": "Facteur", "known": "Ce que l'analyse sait", "staff": "À évaluer",
        "f.sensitivity": "Sensibilité des renseignements",
        "f.sensitivity.known": "{highest} des {n} personnes ont des renseignements du niveau le "
                               "plus élevé ({cats}). {theft} ont un nom avec un NAS, ou avec une "
                               "date de naissance et un autre numéro d'identité. {minors} sont "
                               "mineures.",
        "f.sensitivity.staff": "Les personnes sont-elles vulnérables (demandeurs d'asile, usagers "
                               "de services de santé ou sociaux, enfants) ? Le contexte (notes "
                               "d'intervention, statut d'immigration, santé, finances) rend-il "
                               "les renseignements plus sensibles ?",
        "f.probability": "Probabilité d'une utilisation malveillante",
        "f.probability.known": "{items} éléments étaient lisibles sans clé ; {encrypted} étaient "
                               "chiffrés et n'ont pu être lus.",
        "f.probability.staff": "Qui a obtenu les données ou aurait pu les obtenir (vol, attaque, "
                               "erreur, employé) ? Était-ce malveillant ? Combien de temps ont-elles "
                               "été exposées ? Ont-elles été récupérées, détruites ou copiées ? Y "
                               "a-t-il des signes d'utilisation ?",
        "f.consequences": "Conséquences appréhendées de leur utilisation",
        "f.consequences.known": "Préjudices possibles selon les renseignements : {harms}.",
        "f.consequences.staff": "Confirmer les préjudices qui s'appliquent : vol d'identité, "
                                "fraude, perte financière, atteinte à la réputation, "
                                "discrimination, humiliation, tort à une démarche d'immigration, "
                                "préjudice physique.",
        "f.number": "Nombre de personnes concernées",
        "f.number.known": "{n} personnes identifiées ({name_only} connues par leur nom seulement ; "
                          "{unattributed} renseignements n'ont pu être rattachés à une personne).",
        "f.number.staff": "Vérifier à la main les éléments non lus (ci-dessous) ; ajuster le nombre.",
        "f.conclusion": "Conclusion",
        "f.conclusion.staff": "Y a-t-il un risque de préjudice sérieux / un risque réel de "
                              "préjudice grave ? Si oui : aviser la Commission d'accès à "
                              "l'information et le Commissariat à la protection de la vie privée "
                              "du Canada, aviser les personnes (voir --letters) et les "
                              "organismes qui peuvent réduire le risque (institutions "
                              "financières, Service Canada, IRCC). Consigner la décision dans "
                              "incident-register.md.",
        "reach": "Moyens de les joindre", "reach.email": "par courriel", "reach.phone": "par téléphone",
        "reach.address": "par la poste (adresse trouvée)", "reach.none": "aucune coordonnée trouvée",
        "errors": "Éléments non lus, à vérifier à la main", "reason": "Motif", "count": "Éléments",
        "errors.none": "Tous les éléments ont été lus.",
        "more": "… et {n} autres.",
        "harm.identity": "vol d'identité", "harm.fraud": "fraude et perte financière",
        "harm.immigration": "tort à une démarche d'immigration, ciblage de la personne",
        "harm.health": "discrimination, utilisation abusive de la couverture de santé",
        "harm.contact": "hameçonnage, harcèlement",
        "harm.name": "atteinte à la réputation si le contexte est sensible",
        "footer": "Produit par piiscan breach. Garder ce dossier en accès restreint ; le détruire à "
                  "la fermeture de l'incident, une fois le registre rempli.",
    },
}

HARMS_BY_CATEGORY = {"sin": ("identity", "fraud"), "financial": ("fraud",),
                     "immigration": ("identity", "immigration"), "health": ("health", "identity"),
                     "identity": ("identity",), "contact": ("contact",), "online": ("contact",),
                     "name": ("name",)}

# The register entry: (field id, English label, French label, legal basis).
REGISTER_FIELDS: tuple[tuple[str, str, str, str], ...] = (
    ("reference", "Incident reference", "Référence de l'incident", ""),
    ("personal_information", "Description of the personal information involved",
     "Description des renseignements personnels visés", "Q: s. 3.8, Reg.; P: s. 10.3, Reg. s. 2(1)(c)"),
    ("circumstances", "Circumstances of the incident (and cause, if known)",
     "Circonstances de l'incident (et cause, si connue)", "Q: Reg.; P: Reg. s. 2(1)(a)"),
    ("occurred", "Date or period of the incident", "Date ou période de l'incident",
     "Q: Reg.; P: Reg. s. 2(1)(b)"),
    ("discovered", "Date the organisation became aware of it",
     "Date à laquelle l'organisation en a pris connaissance", "Q: Reg."),
    ("persons", "Number of persons concerned", "Nombre de personnes concernées",
     "Q: Reg.; P: Reg. s. 2(1)(d)"),
    ("risk_assessment", "Assessment of the risk of serious injury / real risk of significant harm",
     "Évaluation du risque de préjudice sérieux / risque réel de préjudice grave",
     "Q: s. 3.7; P: s. 10.1(7)–(8)"),
    ("risk_conclusion", "Conclusion: is there such a risk?", "Conclusion : ce risque existe-t-il ?",
     "Q: s. 3.5; P: s. 10.1(1)"),
    ("measures", "Measures taken to reduce the risk of harm",
     "Mesures prises pour diminuer les risques de préjudice", "Q: Reg.; P: Reg. s. 2(1)(e)"),
    ("notice_cai", "Notice to the Commission d'accès à l'information (date sent)",
     "Avis à la Commission d'accès à l'information (date de transmission)", "Q: s. 3.5, Reg."),
    ("notice_opc", "Report to the Office of the Privacy Commissioner of Canada (date sent)",
     "Déclaration au Commissariat à la protection de la vie privée du Canada (date)",
     "P: s. 10.1(1)–(2)"),
    ("notice_individuals", "Notices to the persons concerned (dates, how)",
     "Avis aux personnes concernées (dates, moyen)", "Q: s. 3.5, Reg.; P: s. 10.1(3)–(6)"),
    ("public_notice", "Public notice, if any, and why", "Avis public, le cas échéant, et motif",
     "Q: s. 3.5, Reg."),
    ("other_organisations", "Other organisations notified that can reduce the harm",
     "Autres organismes avisés qui peuvent réduire le préjudice", "Q: s. 3.6; P: s. 10.2"),
    ("person_in_charge", "Person in charge of the protection of personal information consulted",
     "Personne responsable de la protection des renseignements personnels consultée", "Q: s. 3.7"),
    ("contact", "Contact person for the Commissioners and the individuals",
     "Personne-ressource pour les commissaires et les personnes", "P: Reg. s. 2(1)(g)"),
    ("kept_until", "Keep this entry until (PIPEDA: at least 24 months after the breach was "
     "determined; Quebec: check the period in the Regulation, commonly 5 years)",
     "Conserver jusqu'au (LPRPDE : au moins 24 mois après la constatation ; Québec : vérifier la "
     "durée prévue au règlement, habituellement 5 ans)", "P: s. 10.3, Reg. s. 6; Q: Reg."),
)
LEGEND = {
    "en": "Q = Quebec's Act respecting the protection of personal information in the private "
          "sector and its Regulation respecting confidentiality incidents (Reg.); P = PIPEDA and "
          "the Breach of Security Safeguards Regulations (Reg.). Check which applies to you.",
    "fr": "Q = Loi sur la protection des renseignements personnels dans le secteur privé et "
          "Règlement sur les incidents de confidentialité (Reg.) ; P = LPRPDE et Règlement sur "
          "les atteintes aux mesures de sécurité (Reg.). Vérifier ce qui s'applique à vous.",
}

REGISTER: dict[str, dict[str, str]] = {
    "en": {
        "title": "Incident register entry (confidentiality incident / breach of security safeguards)",
        "intro": "Pre-filled by piiscan from the scan of the exposed data on {date}. Fields marked "
                 "**{todo}** must be completed by the team handling the incident. Law 25 (Quebec) "
                 "and PIPEDA require a register of every incident, whether or not it is reported.",
        "basis": "Basis", "scope": "Scope examined by piiscan",
        "pi": "{n} individuals; data elements: {elements}. Highest sensitivity: {highest} "
              "individuals ({cats}).",
        "pi.unread": " {errors} items could not be read ({reasons}): check them by hand.",
        "persons": "{n} (from the scan; {name_only} known by name only; verify the items not read)",
        "risk": "Sensitivity: {highest} individuals with highest-tier data; {theft} with data "
                "enabling identity theft; {minors} minors. Probability of misuse: {todo}. "
                "Anticipated consequences: {todo}. See summary.html.",
        "individuals_hint": "{email} reachable by email, {phone} by phone, {address} by mail, {none} "
                            "without a contact point found. Letters: piiscan breach --letters.",
    },
    "fr": {
        "title": "Inscription au registre des incidents de confidentialité",
        "intro": "Prérempli par piiscan à partir de l'analyse des données exposées le {date}. Les "
                 "champs marqués **{todo}** doivent être remplis par l'équipe qui gère l'incident. "
                 "La Loi 25 (Québec) et la LPRPDE exigent de consigner chaque incident, déclaré "
                 "ou non.",
        "basis": "Fondement", "scope": "Données examinées par piiscan",
        "pi": "{n} personnes ; renseignements : {elements}. Sensibilité la plus élevée : {highest} "
              "personnes ({cats}).",
        "pi.unread": " {errors} éléments n'ont pu être lus ({reasons}) : à vérifier à la main.",
        "persons": "{n} (selon l'analyse ; {name_only} connues par leur nom seulement ; vérifier les "
                   "éléments non lus)",
        "risk": "Sensibilité : {highest} personnes avec des renseignements du niveau le plus "
                "élevé ; {theft} avec de quoi usurper l'identité ; {minors} mineures. Probabilité "
                "d'utilisation malveillante : {todo}. Conséquences appréhendées : {todo}. Voir "
                "summary.html.",
        "individuals_hint": "{email} joignables par courriel, {phone} par téléphone, {address} par "
                            "la poste, {none} sans coordonnées trouvées. Lettres : piiscan breach "
                            "--letters.",
    },
}
