"""The demo customer track in German: every field, so learners in German are served it."""

from __future__ import annotations

from typing import Any

TRUE_FALSE = ["Wahr", "Falsch"]

SPEAK_UP = """# Warum es wichtig ist, Bedenken anzusprechen

Die meisten Fälle von Fehlverhalten bemerken zuerst Kolleginnen und Kollegen,
nicht Prüfer. Eine Organisation erfährt nur dann früh von Problemen, wenn sich
die Menschen **sicher** fühlen und wissen, dass es von ihnen **erwartet** wird,
sie anzusprechen.

## Meldewege

- Ihre Führungskraft oder deren Führungskraft
- Compliance, Personalabteilung oder Rechtsabteilung
- die Ethik-Hotline (Telefon oder Web), rund um die Uhr erreichbar und in über 20 Sprachen

## Anonymität

Über die Hotline kann eine meldende Person anonym bleiben und den Fall trotzdem
mit einem Meldeschlüssel und einem Passwort weiterverfolgen. Anonyme Meldungen
werden wie alle anderen untersucht.

## Guter Glaube

Sie brauchen keine Beweise. Sprechen Sie ein Anliegen in gutem Glauben an – in
der ehrlichen Überzeugung, dass etwas nicht stimmen könnte –, auch wenn es sich
später als unbegründet herausstellt.
"""

RETALIATION = """# Schutz vor Repressalien

Repressalien sind alle nachteiligen Maßnahmen, die ergriffen werden, *weil*
jemand in gutem Glauben ein Anliegen angesprochen oder an einer Untersuchung
mitgewirkt hat.

## Woran man sie erkennt

| Offensichtlich | Subtil |
| --- | --- |
| Kündigung, Herabstufung | Ausschluss von Besprechungen |
| Gehaltskürzung, gestrichener Bonus | plötzlich schlechte Beurteilungen |
| Drohungen | Gerede darüber, „wer gemeldet hat“ |

## Was Führungskräfte tun müssen

1. Der Person dafür danken, dass sie das Anliegen angesprochen hat.
2. Die Identität der meldenden Person vertraulich behandeln: Nur wer sie kennen muss, erfährt sie.
3. Niemals versuchen herauszufinden, wer eine anonyme Meldung abgegeben hat.
4. Compliance über jedes Anzeichen von Repressalien informieren.
"""

CONFLICTS_AND_DATA = """# Interessenkonflikte und Umgang mit Daten

## Interessenkonflikte

Ein Interessenkonflikt entsteht, wenn ein persönliches Interesse eine
geschäftliche Entscheidung beeinflussen könnte – oder *den Anschein erweckt*,
sie zu beeinflussen: ein Verwandter bei einem Lieferanten, ein Nebengeschäft,
ein Geschenk eines Anbieters. **Legen Sie ihn früh offen**; ein offengelegter
Konflikt lässt sich meist handhaben.

## Umgang mit Meldedaten

Hotline-Meldungen enthalten personenbezogene Daten über meldende Personen,
Betroffene und Zeugen:

- Falldetails nur mit Personen teilen, die sie für den Fall benötigen
- Fallakten niemals an private E-Mail-Adressen oder nicht freigegebene Tools weiterleiten
- Daten nur so lange aufbewahren, wie es die Aufbewahrungsrichtlinie erlaubt
- einen vermuteten Datenschutzverstoß sofort dem Datenschutzteam melden
"""

GERMAN: dict[str, Any] = {
    "name": "Grundlagen einer Speak-up-Kultur",
    "description": (
        "Für alle in einer Kundenorganisation: wie man Bedenken anspricht, wie die "
        "Organisation meldende Personen schützt und wie man mit Interessenkonflikten und "
        "Meldedaten umgeht."
    ),
    "courses": [
        {
            "title": "Bedenken ansprechen und die Ethik-Hotline",
            "description": "Warum frühe Meldungen wichtig sind und welche Meldewege es gibt.",
            "content": SPEAK_UP,
            "questions": {
                "su1": (
                    "Eine beschäftigte Person vermutet, dass Rechnungen überhöht werden, kann "
                    "es aber nicht beweisen. Was sollte sie tun?",
                    [
                        "Erst Beweise sammeln, dann melden",
                        "Das Anliegen jetzt in gutem Glauben ansprechen",
                        "Abwarten, ob es wieder vorkommt",
                    ],
                    "Guter Glaube genügt: die ehrliche Überzeugung, dass etwas nicht stimmen "
                    "könnte. Die Untersuchung ist Aufgabe des Fallteams.",
                ),
                "su2": (
                    "Wer anonym über die Hotline meldet, kann trotzdem Rückfragen beantworten.",
                    TRUE_FALSE,
                    "Mit Meldeschlüssel und Passwort kann die meldende Person zum Fall "
                    "zurückkehren, ohne ihre Identität preiszugeben.",
                ),
                "su3": (
                    "Welche Wege sind legitim, um ein Anliegen anzusprechen?",
                    [
                        "Ihre Führungskraft",
                        "Die Ethik-Hotline",
                        "Compliance",
                        "Ein öffentlicher Beitrag in sozialen Medien",
                    ],
                    "Interne Wege kommen zuerst: So kann die Organisation schnell handeln und "
                    "alle Beteiligten schützen.",
                ),
                "su4": (
                    "Anonyme Meldungen werden mit geringerer Priorität behandelt als namentliche.",
                    TRUE_FALSE,
                    "Jede Meldung wird nach ihrem Inhalt beurteilt, gleich wer sie abgegeben hat.",
                ),
                "su5": (
                    "Was bringt Menschen am ehesten dazu, Bedenken anzusprechen?",
                    [
                        "Führungskräfte, die mit Dank reagieren und sich darum kümmern",
                        "Eine Regel, die Meldungen zur Pflicht macht",
                        "Belohnungen für jede eingereichte Meldung",
                    ],
                    "Menschen sprechen Bedenken dort an, wo sie sehen, dass Anliegen "
                    "willkommen sind und etwas bewirken.",
                ),
            },
        },
        {
            "title": "Schutz vor Repressalien",
            "description": "Repressalien erkennen und was Führungskräfte tun müssen.",
            "content": RETALIATION,
            "questions": {
                "rt1": (
                    "Was davon kann eine Repressalie gegen eine meldende Person sein?",
                    [
                        "Sie von Teambesprechungen ausschließen",
                        "Eine plötzliche, unerklärte schlechte Beurteilung",
                        "Ihr dafür danken, dass sie das Anliegen angesprochen hat",
                        "Sie in ein weniger sichtbares Projekt versetzen",
                    ],
                    "Repressalien sind oft subtil: Auch Ausgrenzung, Beurteilungen und "
                    "Aufgabenverteilung zählen.",
                ),
                "rt2": (
                    "Der Schutz vor Repressalien gilt nur, wenn sich das Anliegen als "
                    "zutreffend erweist.",
                    TRUE_FALSE,
                    "Wer in gutem Glauben meldet, ist geschützt, auch wenn sich das Anliegen "
                    "nicht bestätigt.",
                ),
                "rt3": (
                    "Eine Führungskraft erfährt, dass jemand aus ihrem Team eine anonyme "
                    "Meldung abgegeben hat. Was sollte sie tun?",
                    [
                        "Im Team fragen, wer sie abgegeben hat",
                        "Nicht versuchen, die meldende Person zu ermitteln",
                        "Den Hotline-Anbieter nach dem Namen fragen",
                    ],
                    "Der Versuch, eine meldende Person zu enttarnen, ist selbst ein Verstoß "
                    "gegen die Richtlinie zum Schutz vor Repressalien.",
                ),
                "rt4": (
                    "Zeugen, die an einer Untersuchung mitwirken, sind ebenfalls geschützt.",
                    TRUE_FALSE,
                    "Der Schutz gilt für alle, die bei einer Untersuchung mitwirken.",
                ),
                "rt5": (
                    "Sie bemerken, dass Kollegen darüber tratschen, wer „gepetzt“ hat. "
                    "Was tun Sie?",
                    [
                        "Es ignorieren; es ist nur Gerede",
                        "Compliance informieren: Es könnte der Beginn von Repressalien sein",
                        "Mitmachen, um mehr zu erfahren",
                    ],
                    "Feindseligkeit gegenüber einer vermeintlich meldenden Person ist ein "
                    "Warnsignal, das gemeldet werden sollte.",
                ),
                "rt6": (
                    "Welche Schritte gehören zur Reaktion einer Führungskraft auf ein Anliegen?",
                    [
                        "Der Person danken",
                        "Ihre Identität nur denen bekannt machen, die sie kennen müssen",
                        "Ein bestimmtes Ergebnis versprechen",
                        "Das Anliegen an die richtige Stelle weiterleiten",
                    ],
                    "Führungskräfte können kein Ergebnis versprechen, aber sie müssen die "
                    "Meldung schützen und richtig weiterleiten.",
                ),
            },
        },
        {
            "title": "Interessenkonflikte und Umgang mit Daten",
            "description": (
                "Interessenkonflikte offenlegen und mit personenbezogenen Daten in Meldungen "
                "umgehen."
            ),
            "content": CONFLICTS_AND_DATA,
            "questions": {
                "cd1": (
                    "Die Firma Ihres Schwagers bewirbt sich um einen Auftrag, den Sie "
                    "bewerten. Was ist der richtige erste Schritt?",
                    [
                        "Fair bewerten und nichts sagen",
                        "Die Beziehung offenlegen und sich aus der Entscheidung zurückziehen",
                        "Das Angebot sicherheitshalber ablehnen",
                    ],
                    "Die Offenlegung ermöglicht es der Organisation, den Konflikt zu "
                    "handhaben; Schweigen macht daraus ein Fehlverhalten.",
                ),
                "cd2": (
                    "Ein Interessenkonflikt besteht nur, wenn die Entscheidung tatsächlich "
                    "voreingenommen ausgefallen ist.",
                    TRUE_FALSE,
                    "Schon der Anschein einer Beeinflussung genügt; deshalb ist eine frühe "
                    "Offenlegung so wichtig.",
                ),
                "cd3": (
                    "Was davon kann einen Interessenkonflikt begründen?",
                    [
                        "Ein bezahltes Nebengeschäft mit einem Kunden",
                        "Konzertkarten als Geschenk eines Anbieters",
                        "Das Lesen eines Branchen-Newsletters",
                        "Aktien eines Lieferanten besitzen",
                    ],
                    "Geldbeziehungen und Geschenke können das Urteil beeinflussen, "
                    "öffentliche Informationen nicht.",
                ),
                "cd4": (
                    "Sie müssen am Wochenende an einer Fallakte arbeiten. Was ist zulässig?",
                    [
                        "Sie an Ihre private E-Mail-Adresse weiterleiten",
                        "Das freigegebene Fallmanagementsystem per Fernzugriff nutzen",
                        "Sie ausdrucken und mit nach Hause nehmen",
                    ],
                    "Falldaten bleiben in freigegebenen Systemen mit Zugriffskontrolle und "
                    "Prüfprotokoll.",
                ),
                "cd5": (
                    "Falldetails dürfen mit allen im Unternehmen geteilt werden, die höflich "
                    "danach fragen.",
                    TRUE_FALSE,
                    "Teilen Sie sie nur mit Personen, die die Informationen für den Fall "
                    "benötigen.",
                ),
                "cd6": (
                    "Sie haben einen Fallbericht an den falschen Empfänger geschickt. Was nun?",
                    [
                        "Ihn bitten, den Bericht zu löschen, und weitermachen",
                        "Es sofort dem Datenschutzteam melden",
                        "Abwarten, ob sich jemand beschwert",
                    ],
                    "Eine fehlgeleitete E-Mail kann eine Verletzung des Schutzes "
                    "personenbezogener Daten mit gesetzlicher Meldefrist sein; das "
                    "Datenschutzteam entscheidet.",
                ),
                "cd7": (
                    "Welche Gewohnheiten sind im Umgang mit Meldedaten gut?",
                    [
                        "Den Aufbewahrungsplan einhalten",
                        "Kopien „für alle Fälle“ behalten",
                        "Den Zugriff auf das Fallteam beschränken",
                        "Namen schwärzen, wenn Zusammenfassungen geteilt werden",
                    ],
                    "Weniger aufbewahren, kürzer aufbewahren und für weniger Personen "
                    "sichtbar machen.",
                ),
            },
        },
    ],
}
