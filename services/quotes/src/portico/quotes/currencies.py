"""How many decimals a currency's amounts have (ISO 4217's minor units), for the totals'
rounding and the amounts a quote prints.

Most currencies have cents; only the exceptions are listed. A code not listed gets 2: the
rule for nearly every currency in use, and the safe side (an amount kept to the cent
loses nothing when printed without it).
"""

from __future__ import annotations

DEFAULT_CURRENCY = "EUR"
CENTS = 2

_EXCEPTIONS: dict[str, int] = {
    # No minor unit in use.
    **dict.fromkeys(
        (
            "BIF",
            "CLP",
            "DJF",
            "GNF",
            "ISK",
            "JPY",
            "KMF",
            "KRW",
            "PYG",
            "RWF",
            "UGX",
            "UYI",
            "VND",
            "VUV",
            "XAF",
            "XOF",
            "XPF",
        ),
        0,
    ),
    # Thousandths.
    **dict.fromkeys(("BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"), 3),
}


def decimals_of(currency: str) -> int:
    """The decimals of ``currency``'s amounts: 2 for the euro, 0 for the yen, 3 for the
    Tunisian dinar."""
    return _EXCEPTIONS.get(currency.upper(), CENTS)
