"""The demo customer track in French: every field, so learners in French are served it."""

from __future__ import annotations

from typing import Any

TRUE_FALSE = ["Vrai", "Faux"]

SPEAK_UP = """# Pourquoi il est important de parler

La plupart des manquements sont d'abord remarqués par des collègues, et non par
des auditeurs. Une organisation n'apprend l'existence d'un problème à temps que
si chacun se sent **en sécurité** pour le signaler et sait que c'est **attendu**
de sa part.

## Les canaux

- votre responsable, ou le responsable de celui-ci
- la conformité, les ressources humaines ou le service juridique
- la ligne d'éthique (téléphone ou web), disponible 24 h/24, 7 j/7 et dans plus de 20 langues

## L'anonymat

La ligne d'éthique permet à la personne qui signale de rester anonyme tout en
suivant son dossier grâce à une clé de signalement et à un mot de passe. Les
signalements anonymes font l'objet d'une enquête comme tous les autres.

## La bonne foi

Vous n'avez pas besoin de preuves. Faites part d'une préoccupation de bonne
foi — en croyant sincèrement que quelque chose ne va peut-être pas — même si
elle s'avère finalement infondée.
"""

RETALIATION = """# Protection contre les représailles

Les représailles désignent toute mesure défavorable prise *parce que* quelqu'un
a fait part d'une préoccupation de bonne foi ou a participé à une enquête.

## À quoi elles ressemblent

| Évidentes | Subtiles |
| --- | --- |
| licenciement, rétrogradation | exclusion des réunions |
| baisse de salaire, prime supprimée | évaluations soudain mauvaises |
| menaces | rumeurs sur « qui a signalé » |

## Ce que les responsables doivent faire

1. Remercier la personne d'avoir fait part de sa préoccupation.
2. Garder l'identité de la personne qui signale confidentielle, selon le besoin d'en connaître.
3. Ne jamais chercher à savoir qui a déposé un signalement anonyme.
4. Informer la conformité de tout signe de représailles.
"""

CONFLICTS_AND_DATA = """# Conflits d'intérêts et traitement des données

## Conflits d'intérêts

Un conflit d'intérêts survient lorsqu'un intérêt personnel pourrait influencer
— ou *sembler* influencer — une décision professionnelle : un proche chez un
fournisseur, une activité parallèle, un cadeau d'un prestataire. **Déclarez-le
tôt** ; un conflit déclaré peut généralement être géré.

## Traitement des données des signalements

Les signalements reçus par la ligne d'éthique contiennent des données
personnelles sur les personnes qui signalent, les personnes visées et les
témoins :

- ne partagez les détails d'un dossier qu'avec les personnes qui en ont besoin pour le traiter
- ne transférez jamais un dossier vers une messagerie personnelle ou un outil non approuvé
- ne conservez les données que le temps autorisé par la politique de conservation
- signalez immédiatement toute violation de données présumée à l'équipe de protection des données
"""

FRENCH: dict[str, Any] = {
    "name": "Les fondamentaux d'une culture du signalement",
    "description": (
        "Pour toutes les personnes d'une organisation cliente : comment faire part d'une "
        "préoccupation, comment l'organisation protège les personnes qui signalent, et comment "
        "gérer les conflits d'intérêts et les données des signalements."
    ),
    "courses": [
        {
            "title": "Signaler une préoccupation et la ligne d'éthique",
            "description": "Pourquoi les signalements précoces comptent et quels canaux existent.",
            "content": SPEAK_UP,
            "questions": {
                "su1": (
                    "Une personne soupçonne, sans pouvoir le prouver, que des factures sont "
                    "gonflées. Que doit-elle faire ?",
                    [
                        "Rassembler d'abord des preuves, puis signaler",
                        "Faire part de sa préoccupation dès maintenant, de bonne foi",
                        "Attendre de voir si cela se reproduit",
                    ],
                    "La bonne foi suffit : croire sincèrement que quelque chose ne va "
                    "peut-être pas. Enquêter est le rôle de l'équipe chargée du dossier.",
                ),
                "su2": (
                    "Une personne qui signale anonymement via la ligne d'éthique peut quand "
                    "même répondre à des questions complémentaires.",
                    TRUE_FALSE,
                    "La clé de signalement et le mot de passe lui permettent de revenir sur "
                    "le dossier sans révéler son identité.",
                ),
                "su3": (
                    "Quels sont les canaux légitimes pour faire part d'une préoccupation ?",
                    [
                        "Votre responsable",
                        "La ligne d'éthique",
                        "La conformité",
                        "Une publication publique sur les réseaux sociaux",
                    ],
                    "Les canaux internes passent en premier : ils permettent à l'organisation "
                    "d'agir vite et de protéger toutes les personnes concernées.",
                ),
                "su4": (
                    "Les signalements anonymes sont traités avec une priorité moindre que "
                    "les signalements nominatifs.",
                    TRUE_FALSE,
                    "Chaque signalement est évalué sur son contenu, quelle que soit la "
                    "personne qui l'a envoyé.",
                ),
                "su5": (
                    "Qu'est-ce qui incite le plus les gens à parler ?",
                    [
                        "Des responsables qui remercient et donnent suite",
                        "Une règle qui rend le signalement obligatoire",
                        "Une récompense pour chaque signalement déposé",
                    ],
                    "Les gens parlent là où ils voient que les préoccupations sont bien "
                    "accueillies et suivies d'effet.",
                ),
            },
        },
        {
            "title": "Protection contre les représailles",
            "description": (
                "Reconnaître les représailles et savoir ce que les responsables doivent faire."
            ),
            "content": RETALIATION,
            "questions": {
                "rt1": (
                    "Lesquelles de ces situations peuvent constituer des représailles contre "
                    "une personne qui a signalé ?",
                    [
                        "L'exclure des réunions d'équipe",
                        "Une mauvaise évaluation soudaine et inexpliquée",
                        "La remercier d'avoir fait part de sa préoccupation",
                        "La muter sur un projet moins visible",
                    ],
                    "Les représailles sont souvent subtiles : l'exclusion, les évaluations et "
                    "les affectations comptent aussi.",
                ),
                "rt2": (
                    "La protection contre les représailles ne s'applique que si la "
                    "préoccupation s'avère fondée.",
                    TRUE_FALSE,
                    "Les personnes qui signalent de bonne foi sont protégées même lorsque la "
                    "préoccupation n'est pas confirmée.",
                ),
                "rt3": (
                    "Une responsable apprend qu'un membre de son équipe a déposé un "
                    "signalement anonyme. Que doit-elle faire ?",
                    [
                        "Demander à l'équipe qui l'a déposé",
                        "Ne pas chercher à identifier la personne qui a signalé",
                        "Demander le nom au prestataire de la ligne d'éthique",
                    ],
                    "Chercher à démasquer une personne qui a signalé constitue en soi une "
                    "violation de la politique de protection contre les représailles.",
                ),
                "rt4": (
                    "Les témoins qui participent à une enquête sont également protégés.",
                    TRUE_FALSE,
                    "La protection couvre toutes les personnes qui coopèrent à une enquête.",
                ),
                "rt5": (
                    "Vous remarquez que des collègues se demandent qui a « balancé ». "
                    "Que faites-vous ?",
                    [
                        "Je l'ignore : ce ne sont que des paroles",
                        "J'en informe la conformité : cela peut être le début de représailles",
                        "Je participe pour en savoir plus",
                    ],
                    "L'hostilité envers une personne soupçonnée d'avoir signalé est un signal "
                    "d'alerte à faire remonter.",
                ),
                "rt6": (
                    "Quelles étapes font partie de la réponse d'un responsable à une "
                    "préoccupation ?",
                    [
                        "Remercier la personne",
                        "Ne communiquer son identité qu'à ceux qui doivent la connaître",
                        "Promettre un résultat précis",
                        "Transmettre la préoccupation au bon canal",
                    ],
                    "Les responsables ne peuvent pas promettre de résultat, mais ils doivent "
                    "protéger le signalement et le transmettre au bon interlocuteur.",
                ),
            },
        },
        {
            "title": "Conflits d'intérêts et traitement des données",
            "description": (
                "Déclarer les conflits d'intérêts et traiter les données personnelles "
                "contenues dans les signalements."
            ),
            "content": CONFLICTS_AND_DATA,
            "questions": {
                "cd1": (
                    "L'entreprise de votre beau-frère répond à un appel d'offres que vous "
                    "évaluez. Quelle est la bonne première étape ?",
                    [
                        "Évaluer équitablement et ne rien dire",
                        "Déclarer le lien de parenté et se retirer de la décision",
                        "Rejeter l'offre par précaution",
                    ],
                    "La déclaration permet à l'organisation de gérer le conflit ; le silence "
                    "le transforme en manquement.",
                ),
                "cd2": (
                    "Un conflit d'intérêts n'existe que si la décision s'est réellement "
                    "révélée partiale.",
                    TRUE_FALSE,
                    "L'apparence d'une influence suffit ; c'est pourquoi il importe de le "
                    "déclarer tôt.",
                ),
                "cd3": (
                    "Lesquelles de ces situations peuvent créer un conflit d'intérêts ?",
                    [
                        "Une activité parallèle rémunérée avec un client",
                        "Des places de concert offertes par un prestataire",
                        "La lecture d'une lettre d'information sectorielle",
                        "La détention d'actions d'un fournisseur",
                    ],
                    "Les liens financiers et les cadeaux peuvent influencer le jugement ; les "
                    "informations publiques, non.",
                ),
                "cd4": (
                    "Vous devez travailler sur un dossier pendant le week-end. Qu'est-ce qui "
                    "est acceptable ?",
                    [
                        "Le transférer vers votre messagerie personnelle",
                        "Utiliser à distance le système de gestion des dossiers approuvé",
                        "L'imprimer et l'emporter chez vous",
                    ],
                    "Les données des dossiers restent dans des systèmes approuvés, avec "
                    "contrôle d'accès et journal d'audit.",
                ),
                "cd5": (
                    "Les détails d'un dossier peuvent être communiqués à toute personne de "
                    "l'entreprise qui le demande poliment.",
                    TRUE_FALSE,
                    "Ne les communiquez qu'aux personnes qui ont besoin de ces informations "
                    "pour le dossier.",
                ),
                "cd6": (
                    "Vous avez envoyé un rapport de dossier au mauvais destinataire. Que faire ?",
                    [
                        "Lui demander de le supprimer et passer à autre chose",
                        "Le signaler immédiatement à l'équipe de protection des données",
                        "Attendre de voir si quelqu'un se plaint",
                    ],
                    "Un e-mail mal adressé peut constituer une violation de données "
                    "personnelles soumise à un délai légal de notification ; c'est l'équipe "
                    "de protection des données qui décide.",
                ),
                "cd7": (
                    "Quelles sont les bonnes pratiques pour les données des signalements ?",
                    [
                        "Respecter le calendrier de conservation",
                        "Garder des copies « au cas où »",
                        "Limiter l'accès à l'équipe chargée du dossier",
                        "Masquer les noms lors du partage de synthèses",
                    ],
                    "Conserver moins, moins longtemps, et visible par moins de personnes.",
                ),
            },
        },
    ],
}
