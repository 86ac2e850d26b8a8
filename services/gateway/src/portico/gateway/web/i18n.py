"""French and English: the catalogs compiled by the build, the language of each request.

The language is the user's choice (kept in the session, and in their profile for staff),
else the browser's ``Accept-Language``, else English. Pages read it through a context
variable set once per request, so that templates, filters and error messages agree.
"""

from __future__ import annotations

import contextvars
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_datetime
from babel.numbers import format_currency, format_decimal
from babel.support import NullTranslations, Translations

LOCALES = ("en", "fr")
DEFAULT_LOCALE = "en"
CATALOGS = Path(__file__).parent.parent / "translations"

_current: contextvars.ContextVar[str] = contextvars.ContextVar("locale", default=DEFAULT_LOCALE)


@cache
def translations(locale: str) -> NullTranslations:
    if locale == DEFAULT_LOCALE:
        return NullTranslations()
    if not (CATALOGS / locale / "LC_MESSAGES" / "messages.mo").exists():
        raise RuntimeError(
            f"the {locale} message catalog is not compiled: run `make assets` (or `make run`)"
        )
    return Translations.load(str(CATALOGS), [locale])


def use_locale(locale: str) -> contextvars.Token[str]:
    return _current.set(locale if locale in LOCALES else DEFAULT_LOCALE)


def reset_locale(token: contextvars.Token[str]) -> None:
    _current.reset(token)


def current_locale() -> str:
    return _current.get()


def gettext(message: str) -> str:
    return translations(current_locale()).gettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    return translations(current_locale()).ngettext(singular, plural, count)


_ = gettext


def pgettext(context: str, message: str) -> str:
    """A message whose translation depends on what it speaks of: a document "Accepted" is
    "Accepté" in French, an invitation "Acceptée"."""
    return str(translations(current_locale()).pgettext(context, message))


def N_(message: str) -> str:
    """Marks a string to translate where it is shown, not here (a menu label defined once)."""
    return message


def from_accept_language(header: str | None) -> str | None:
    """The first of our languages the browser asks for, by its q weights."""
    if not header:
        return None
    weighted: list[tuple[float, int, str]] = []
    for position, part in enumerate(header.split(",")):
        tag, _sep, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        language = tag.split("-")[0].lower()
        if language in LOCALES and quality > 0:
            weighted.append((-quality, position, language))
    return min(weighted)[2] if weighted else None


def format_when(value: str | datetime | date | None, kind: str = "datetime") -> str:
    if value in (None, ""):
        return ""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    locale = current_locale()
    if kind == "date" or not isinstance(value, datetime):
        return format_date(value, format="medium", locale=locale)
    return format_datetime(value, format="medium", locale=locale)


def format_number(value: object) -> str:
    if value in (None, ""):
        return ""
    return format_decimal(_decimal(value), locale=current_locale())


def format_money(value: object, currency: str = "EUR") -> str:
    if value in (None, ""):
        return ""
    return format_currency(_decimal(value), currency, locale=current_locale())


def language_name(locale: str) -> str:
    """A language named in itself (English, français), as a language switch shows it."""
    try:
        return Locale.parse(locale).get_display_name(locale) or locale
    except (UnknownLocaleError, ValueError):
        return locale


def _decimal(value: object) -> Decimal:
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return Decimal(0)


def language_choices() -> list[tuple[str, str]]:
    """The languages Portico speaks, as a select's (code, name in that language) pairs."""
    return [(code, language_name(code).capitalize()) for code in LOCALES]
