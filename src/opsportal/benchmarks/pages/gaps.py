"""How far a value is from the median, in the page's language: "5.8 days slower than the median".

`verdicts.describe_gap` says it in the API's English; here each case is one whole
sentence for translators, whole numbers through gettext's plural forms and
decimals (always "days" in English) as messages of their own, since plural
forms count whole numbers only.
"""

from __future__ import annotations

from opsportal.benchmarks.pages.wording import number
from opsportal.metrics.registry import Unit
from opsportal.web.i18n import _, ngettext, pgettext


def gap_text(unit: str, gap: float, *, smoothed: bool = False) -> str:
    """`verdicts.describe_gap`, translated: "5.8 days slower than the median".

    `smoothed`: against the customer's figure, "the peer median (smoothed)".
    """
    if gap == 0:
        return _("at the peer median (smoothed)") if smoothed else _("at the median")
    size = abs(gap)
    amount = number(size)
    whole = float(size).is_integer()
    n = int(size)
    if Unit(unit) is Unit.DAYS:
        if gap > 0:
            if smoothed:
                if whole:
                    return ngettext(
                        "%(amount)s day slower than the peer median (smoothed)",
                        "%(amount)s days slower than the peer median (smoothed)",
                        n,
                        amount=amount,
                    )
                return pgettext(
                    "a number with decimals",
                    "%(amount)s days slower than the peer median (smoothed)",
                    amount=amount,
                )
            if whole:
                return ngettext(
                    "%(amount)s day slower than the median",
                    "%(amount)s days slower than the median",
                    n,
                    amount=amount,
                )
            return pgettext(
                "a number with decimals", "%(amount)s days slower than the median", amount=amount
            )
        if smoothed:
            if whole:
                return ngettext(
                    "%(amount)s day faster than the peer median (smoothed)",
                    "%(amount)s days faster than the peer median (smoothed)",
                    n,
                    amount=amount,
                )
            return pgettext(
                "a number with decimals",
                "%(amount)s days faster than the peer median (smoothed)",
                amount=amount,
            )
        if whole:
            return ngettext(
                "%(amount)s day faster than the median",
                "%(amount)s days faster than the median",
                n,
                amount=amount,
            )
        return pgettext(
            "a number with decimals", "%(amount)s days faster than the median", amount=amount
        )
    return _points_gap(gap, amount=amount, whole=whole, n=n, smoothed=smoothed)


def _points_gap(gap: float, *, amount: str, whole: bool, n: int, smoothed: bool) -> str:
    if gap > 0:
        if smoothed:
            if whole:
                return ngettext(
                    "%(amount)s point above the peer median (smoothed)",
                    "%(amount)s points above the peer median (smoothed)",
                    n,
                    amount=amount,
                )
            return pgettext(
                "a number with decimals",
                "%(amount)s points above the peer median (smoothed)",
                amount=amount,
            )
        if whole:
            return ngettext(
                "%(amount)s point above the median",
                "%(amount)s points above the median",
                n,
                amount=amount,
            )
        return pgettext(
            "a number with decimals", "%(amount)s points above the median", amount=amount
        )
    if smoothed:
        if whole:
            return ngettext(
                "%(amount)s point below the peer median (smoothed)",
                "%(amount)s points below the peer median (smoothed)",
                n,
                amount=amount,
            )
        return pgettext(
            "a number with decimals",
            "%(amount)s points below the peer median (smoothed)",
            amount=amount,
        )
    if whole:
        return ngettext(
            "%(amount)s point below the median",
            "%(amount)s points below the median",
            n,
            amount=amount,
        )
    return pgettext("a number with decimals", "%(amount)s points below the median", amount=amount)
