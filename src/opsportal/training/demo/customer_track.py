"""The demo CUSTOMER track: three courses on speaking up, non-retaliation, conflicts and data."""

from __future__ import annotations

from typing import Any

from opsportal.training.demo.questions import choice, multi, true_false

SPEAK_UP = """# Why speaking up matters

Most misconduct is first noticed by colleagues, not by auditors. An
organisation hears about problems early only when people feel **safe** and
**expected** to raise them.

## Channels

- your manager, or their manager
- Compliance, HR or Legal
- the ethics hotline (phone or web), available 24/7 and in 20+ languages

## Anonymity

The hotline lets a reporter stay anonymous and still follow up through a
report key and password. Anonymous reports are investigated like any other.

## Good faith

You do not need proof. Raise a concern in good faith — an honest belief that
something may be wrong — even if it turns out to be unfounded.
"""

RETALIATION = """# Non-retaliation

Retaliation is any adverse action taken *because* someone raised a concern
in good faith or took part in an investigation.

## What it looks like

| Obvious | Subtle |
| --- | --- |
| dismissal, demotion | leaving someone out of meetings |
| pay cut, lost bonus | sudden poor reviews |
| threats | gossip about "who reported" |

## What managers must do

1. Thank the person for raising the concern.
2. Keep the reporter's identity confidential, on a need-to-know basis.
3. Never try to find out who filed an anonymous report.
4. Tell Compliance about any sign of retaliation.
"""

CONFLICTS_AND_DATA = """# Conflicts of interest and data handling

## Conflicts of interest

A conflict of interest arises when a personal interest could influence — or
*appear* to influence — a business decision: a relative at a supplier, a side
business, a gift from a vendor. **Disclose early**; a disclosed conflict can
usually be managed.

## Handling report data

Hotline reports contain personal data about reporters, subjects and
witnesses:

- share case details only with people who need them for the case
- never forward case files to personal email or unapproved tools
- keep data only as long as the retention policy allows
- report a suspected data breach immediately to the privacy team
"""

CUSTOMER_TRACK: dict[str, Any] = {
    "track": {
        "name": "Speak-Up Culture Foundations",
        "slug": "speak-up-culture-foundations",
        "description": (
            "For everyone in a customer organisation: how to raise concerns, how the "
            "organisation protects reporters, and how to handle conflicts and report data."
        ),
        "type": "CUSTOMER",
        "level": "FOUNDATION",
        "isRequired": True,
        "estimatedMinutes": 60,
        "version": "1.0",
        "sortOrder": 1,
    },
    "courses": [
        {
            "course": {
                "title": "Speaking up and the ethics hotline",
                "description": "Why early reports matter and which channels exist.",
                "content": SPEAK_UP,
            },
            "questions": [
                choice(
                    "su1",
                    "An employee suspects, but cannot prove, that invoices are being inflated. "
                    "What should they do?",
                    [
                        "Collect proof first, then report",
                        "Raise the concern now, in good faith",
                        "Wait to see if it happens again",
                    ],
                    [1],
                    "Good faith is enough: an honest belief that something may be wrong. "
                    "Investigating is the job of the case team.",
                ),
                true_false(
                    "su2",
                    "An anonymous hotline reporter can still answer follow-up questions.",
                    True,
                    "The report key and password let the reporter return to the case without "
                    "revealing who they are.",
                ),
                multi(
                    "su3",
                    "Which are legitimate channels for raising a concern?",
                    ["Your manager", "The ethics hotline", "Compliance", "A public social post"],
                    [0, 1, 2],
                    "Internal channels come first; they let the organisation act quickly and "
                    "protect everyone involved.",
                ),
                true_false(
                    "su4",
                    "Anonymous reports are given lower priority than named ones.",
                    False,
                    "Every report is assessed on its content, whoever sent it.",
                ),
                choice(
                    "su5",
                    "What makes people most likely to speak up?",
                    [
                        "Managers who respond with thanks and follow-through",
                        "A rule that makes reporting mandatory",
                        "Rewards for every report filed",
                    ],
                    [0],
                    "People speak up where they see that concerns are welcomed and acted on.",
                ),
            ],
        },
        {
            "course": {
                "title": "Non-retaliation",
                "description": "Recognising retaliation and what managers must do.",
                "content": RETALIATION,
            },
            "questions": [
                multi(
                    "rt1",
                    "Which of these can be retaliation against a reporter?",
                    [
                        "Leaving them out of team meetings",
                        "A sudden unexplained poor review",
                        "Thanking them for raising the concern",
                        "Moving them to a less visible project",
                    ],
                    [0, 1, 3],
                    "Retaliation is often subtle: exclusion, reviews and assignments count too.",
                ),
                true_false(
                    "rt2",
                    "Protection from retaliation applies only if the concern turns out to be true.",
                    False,
                    "Good-faith reporters are protected even when the concern is not confirmed.",
                ),
                choice(
                    "rt3",
                    "A manager hears that a team member filed an anonymous report. "
                    "What should the manager do?",
                    [
                        "Ask the team who filed it",
                        "Do not try to identify the reporter",
                        "Ask the hotline provider for the name",
                    ],
                    [1],
                    "Trying to unmask a reporter is itself a breach of the non-retaliation policy.",
                ),
                true_false(
                    "rt4",
                    "Witnesses who take part in an investigation are protected as well.",
                    True,
                    "Protection covers everyone who cooperates with an investigation.",
                ),
                choice(
                    "rt5",
                    "You notice colleagues gossiping about who 'snitched'. What do you do?",
                    [
                        "Ignore it; it is only talk",
                        "Tell Compliance: it may be the start of retaliation",
                        "Join in to find out more",
                    ],
                    [1],
                    "Hostility towards a suspected reporter is a warning sign to report.",
                ),
                multi(
                    "rt6",
                    "Which steps belong to a manager's response to a concern?",
                    [
                        "Thank the person",
                        "Keep their identity need-to-know",
                        "Promise a specific outcome",
                        "Pass it to the right channel",
                    ],
                    [0, 1, 3],
                    "Managers cannot promise outcomes, but they must protect and route the report.",
                ),
            ],
        },
        {
            "course": {
                "title": "Conflicts of interest and data handling",
                "description": "Disclosing conflicts and handling personal data in reports.",
                "content": CONFLICTS_AND_DATA,
            },
            "questions": [
                choice(
                    "cd1",
                    "Your brother-in-law's firm bids for a contract you are evaluating. "
                    "What is the right first step?",
                    [
                        "Evaluate fairly and say nothing",
                        "Disclose the relationship and step back from the decision",
                        "Reject the bid to be safe",
                    ],
                    [1],
                    "Disclosure lets the organisation manage the conflict; silence turns it "
                    "into misconduct.",
                ),
                true_false(
                    "cd2",
                    "A conflict of interest exists only if the decision actually turned out "
                    "to be biased.",
                    False,
                    "The appearance of influence is enough; that is why early disclosure matters.",
                ),
                multi(
                    "cd3",
                    "Which of these may create a conflict of interest?",
                    [
                        "A paid side business with a customer",
                        "A vendor's gift of concert tickets",
                        "Reading an industry newsletter",
                        "Owning shares in a supplier",
                    ],
                    [0, 1, 3],
                    "Money ties and gifts can sway judgement; public information does not.",
                ),
                choice(
                    "cd4",
                    "You need to work on a case file over the weekend. Which is acceptable?",
                    [
                        "Forward it to your personal email",
                        "Use the approved case-management system remotely",
                        "Print it and take it home",
                    ],
                    [1],
                    "Case data stays in approved systems with access control and audit trails.",
                ),
                true_false(
                    "cd5",
                    "Case details may be shared with anyone in the company who asks politely.",
                    False,
                    "Share only with people who need the information for the case.",
                ),
                choice(
                    "cd6",
                    "You sent a case report to the wrong recipient. What now?",
                    [
                        "Ask them to delete it and move on",
                        "Report it to the privacy team immediately",
                        "Wait to see whether anyone complains",
                    ],
                    [1],
                    "A misdirected email can be a personal-data breach with a legal reporting "
                    "deadline; the privacy team decides.",
                ),
                multi(
                    "cd7",
                    "Which are good data-handling habits for report data?",
                    [
                        "Follow the retention schedule",
                        "Keep copies 'just in case'",
                        "Limit access to the case team",
                        "Redact names when sharing summaries",
                    ],
                    [0, 2, 3],
                    "Keep less, for less time, visible to fewer people.",
                ),
            ],
        },
    ],
}
