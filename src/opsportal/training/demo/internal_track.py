"""The demo INTERNAL track: case handling for operations staff."""

from __future__ import annotations

from typing import Any

from opsportal.training.demo.questions import choice, multi, true_false

INTERNAL_TRACK: dict[str, Any] = {
    "track": {
        "name": "Case Handling for Operations Staff",
        "slug": "case-handling-operations",
        "description": "Internal: triage, confidentiality and escalation of hotline cases.",
        "type": "INTERNAL",
        "level": "PROFESSIONAL",
        "isRequired": True,
        "estimatedMinutes": 45,
        "version": "1.0",
        "sortOrder": 2,
        "validityDays": 365,
    },
    "courses": [
        {
            "course": {
                "title": "Triage and escalation",
                "description": "Routing new reports within the service levels.",
                "content": (
                    "# Triage\n\nEvery new report is acknowledged within **one business day** "
                    "and classified by category and severity.\n\n## Escalate at once\n\n"
                    "- threats to life or safety\n- allegations against senior executives\n"
                    "- suspected data breaches\n"
                ),
            },
            "questions": [
                choice(
                    "tr1",
                    "Within what time must a new report be acknowledged?",
                    ["One hour", "One business day", "One week"],
                    [1],
                    "The service level is one business day for acknowledgement.",
                ),
                multi(
                    "tr2",
                    "Which reports are escalated immediately?",
                    [
                        "A threat to someone's safety",
                        "An allegation against the CFO",
                        "A question about the holiday policy",
                        "A suspected data breach",
                    ],
                    [0, 1, 3],
                    "Safety, senior-executive allegations and breaches skip the normal queue.",
                ),
                true_false(
                    "tr3",
                    "Operations staff may contact a reported subject directly to hear their side.",
                    False,
                    "Only the customer's assigned investigator contacts subjects.",
                ),
                true_false(
                    "tr4",
                    "A report's category can be corrected after triage.",
                    True,
                    "Reclassify whenever new facts appear; the audit trail records the change.",
                ),
                choice(
                    "tr5",
                    "A reporter writes in a language you do not read. What do you do?",
                    [
                        "Close the report as unreadable",
                        "Use the approved translation workflow",
                        "Paste it into a public translation website",
                    ],
                    [1],
                    "Public tools would disclose report data to a third party.",
                ),
            ],
        },
    ],
}
