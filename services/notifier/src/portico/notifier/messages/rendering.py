"""Rendering messages from templates: sandboxed Jinja2, the organisation's branding, one
layout for every email with its CSS inlined (mail clients drop <style> blocks), and the
check an edited template must pass before it is saved.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import cache, lru_cache
from importlib.resources import files
from typing import Any

import css_inline
from babel.dates import format_date, format_datetime
from babel.numbers import format_currency
from jinja2 import Template, TemplateSyntaxError, meta
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup

from portico.notifier.messages.catalogue import KINDS
from portico.notifier.messages.kinds import SAMPLE_ORGANISATION, SAMPLE_RECIPIENT

LOCALES = ("en", "fr")
PARTS = ("subject", "html", "text", "sms")
_FILES = {"subject": "subject.txt", "html": "body.html", "text": "body.txt", "sms": "sms.txt"}
DEFAULT_COLOUR = "#2f5bea"
FOOTER = {
    "en": "Sent by {name} through its client portal.",
    "fr": "Envoyé par {name} depuis son espace client.",
}


@dataclass(frozen=True)
class TemplateSet:
    """The sources of one kind of message in one language."""

    subject: str
    html: str
    text: str
    sms: str | None = None


@dataclass(frozen=True)
class Rendered:
    subject: str
    html: str
    text: str
    sms: str | None


@dataclass(frozen=True)
class TemplateError:
    part: str
    line: int | None
    message: str


def _as_datetime(value: Any) -> datetime | date | None:
    if isinstance(value, datetime | date):
        return value
    if isinstance(value, str) and value:
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            return date.fromisoformat(value)
    return None


def _environment(*, html: bool) -> SandboxedEnvironment:
    environment = SandboxedEnvironment(autoescape=html, keep_trailing_newline=False)

    def date_filter(value: Any, locale: str | None = None) -> str:
        moment = _as_datetime(value)
        if moment is None:
            return ""
        day = moment.date() if isinstance(moment, datetime) else moment
        return _long_date(day, locale or _current_locale(environment))

    def datetime_filter(value: Any) -> str:
        moment = _as_datetime(value)
        if not isinstance(moment, datetime):
            return date_filter(value)
        return format_datetime(moment, format="long", locale=_current_locale(environment))

    def money_filter(value: Any, currency: str) -> str:
        # Amounts travel as decimal strings ("12500.00"): never through a float.
        try:
            amount = Decimal(str(value))
        except InvalidOperation:
            return str(value)
        return format_currency(amount, currency, locale=_current_locale(environment))

    environment.filters["date"] = date_filter
    environment.filters["datetime"] = datetime_filter
    environment.filters["money"] = money_filter
    return environment


@lru_cache(maxsize=1024)
def _long_date(day: date, locale: str) -> str:
    # Babel looks the locale and its patterns up again on every call, which cost as much
    # as the rest of a message's rendering; the dates messages show are few and recur.
    return format_date(day, format="long", locale=locale)


def _current_locale(environment: SandboxedEnvironment) -> str:
    return str(environment.globals.get("locale", "en"))


@cache
def _environments(locale: str) -> tuple[SandboxedEnvironment, SandboxedEnvironment]:
    """(HTML with autoescape, plain text) environments whose filters speak ``locale``."""
    html, text = _environment(html=True), _environment(html=False)
    html.globals["locale"] = text.globals["locale"] = locale
    return html, text


@cache
def default_templates(kind: str, locale: str) -> TemplateSet:
    folder = files("portico.notifier.messages").joinpath("templates", kind, locale)
    sources = {}
    for part, name in _FILES.items():
        resource = folder.joinpath(name)
        sources[part] = resource.read_text(encoding="utf-8").strip() if resource.is_file() else None
    return TemplateSet(
        subject=sources["subject"] or "",
        html=sources["html"] or "",
        text=sources["text"] or "",
        sms=sources["sms"],
    )


@cache
def _layout() -> str:
    return files("portico.notifier.messages").joinpath("templates", "layout.html").read_text()


@lru_cache(maxsize=512)
def _compiled(locale: str, html: bool, source: str) -> Template:
    """Compiling is most of a render's cost; the same few sources are rendered again and
    again (admins' edits are new sources, so they never meet a stale entry)."""
    html_env, text_env = _environments(locale)
    return (html_env if html else text_env).from_string(source)


def render(
    templates: TemplateSet,
    context: dict[str, Any],
    *,
    locale: str,
    organisation: dict[str, Any],
) -> Rendered:
    values = {**context, "organisation": organisation, "locale": locale}
    subject = " ".join(_compiled(locale, False, templates.subject).render(values).split())
    body = _compiled(locale, True, templates.html).render(values)
    footer = FOOTER.get(locale, FOOTER["en"]).format(name=organisation.get("name") or "Portico")
    page = _compiled(locale, True, _layout()).render(
        {
            **values,
            "subject": subject,
            "body": Markup(body),  # noqa: S704 (rendered by the autoescaping environment)
            "footer": footer,
            "colour": organisation.get("brand_colour") or DEFAULT_COLOUR,
        }
    )
    text = _compiled(locale, False, templates.text).render(values).strip()
    text += f"\n\n-- \n{footer}\n"
    sms = _compiled(locale, False, templates.sms).render(values).strip() if templates.sms else None
    return Rendered(subject=subject, html=_inliner().inline(page), text=text, sms=sms)


def render_plain(source: str, values: dict[str, Any], *, locale: str) -> str:
    """A plain-text template (no escaping) rendered with the filters of ``locale``."""
    return _compiled(locale, False, source).render(values)


@cache
def _inliner() -> css_inline.CSSInliner:
    return css_inline.CSSInliner(keep_style_tags=False, load_remote_stylesheets=False)


def check(kind: str, templates: TemplateSet, locale: str) -> list[TemplateError]:
    """Why an edited template set cannot be saved: syntax errors (with their line), a link
    the message must carry that a part dropped, or a failure rendering the sample."""
    html_env, text_env = _environments(locale)
    errors: list[TemplateError] = []
    required = KINDS[kind].links
    for part in PARTS:
        source = getattr(templates, part)
        if source is None:
            continue
        environment = html_env if part == "html" else text_env
        try:
            parsed = environment.parse(source)
        except TemplateSyntaxError as error:
            errors.append(TemplateError(part, error.lineno, error.message or "invalid syntax"))
            continue
        if part != "subject":
            used = meta.find_undeclared_variables(parsed)
            for link in required:
                if link not in used:
                    errors.append(
                        TemplateError(part, None, f"must contain {{{{ {link} }}}}: the link")
                    )
    if not errors:
        try:
            render(
                templates,
                {**KINDS[kind].sample, "recipient": SAMPLE_RECIPIENT},
                locale=locale,
                organisation=SAMPLE_ORGANISATION,
            )
        except Exception as error:
            errors.append(TemplateError("html", getattr(error, "lineno", None), str(error)))
    return errors
