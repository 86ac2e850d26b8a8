"""Every kind's default templates, in every language, pass the check an admin's edit must
pass, and render their sample with its link in each part."""

from __future__ import annotations

import pytest
from jinja2 import Environment, meta

from portico.notifier.messages.catalogue import KINDS
from portico.notifier.messages.kinds import SAMPLE_ORGANISATION, SAMPLE_RECIPIENT
from portico.notifier.messages.rendering import LOCALES, check, default_templates, render

EVERY_TEMPLATE = [(kind, locale) for kind in sorted(KINDS) for locale in LOCALES]
# Only parses, to list the variables templates use: the filters need names, not behaviour.
PARSER = Environment()
PARSER.filters.update(dict.fromkeys(("date", "datetime", "money"), str))


@pytest.mark.parametrize(("kind", "locale"), EVERY_TEMPLATE)
def test_a_default_template_passes_its_own_check(kind: str, locale: str) -> None:
    templates = default_templates(kind, locale)
    assert templates.subject and templates.html and templates.text
    assert check(kind, templates, locale) == []
    rendered = render(
        templates,
        {**KINDS[kind].sample, "recipient": SAMPLE_RECIPIENT},
        locale=locale,
        organisation=SAMPLE_ORGANISATION,
    )
    assert "\n" not in rendered.subject
    # Previews render the sample: a variable it lacks would show blank there.
    sources = [templates.subject, templates.html, templates.text, templates.sms or ""]
    used = set().union(*(meta.find_undeclared_variables(PARSER.parse(s)) for s in sources))
    assert used - {"recipient", "organisation", "locale"} <= set(KINDS[kind].sample)
    for link in KINDS[kind].links:
        url = KINDS[kind].sample[link]
        assert url in rendered.text
        assert url.replace("&", "&amp;") in rendered.html
        if rendered.sms is not None:
            assert url in rendered.sms


def test_staff_kinds_can_be_texted() -> None:
    # A staff member may turn SMS on for any kind they hear of: each needs an SMS text.
    for kind in KINDS.values():
        if kind.staff_defaults is not None:
            for locale in LOCALES:
                assert default_templates(kind.key, locale).sms, f"{kind.key}/{locale}: no sms.txt"
