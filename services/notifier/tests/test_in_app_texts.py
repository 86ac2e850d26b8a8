"""The bell's texts: a short title and one line of plain text for every kind staff get in
the app, in English and French."""

from __future__ import annotations

import pytest

from portico.notifier.inapp.texts import excerpt_of, in_app_template, in_app_text, one_line
from portico.notifier.messages.catalogue import KINDS
from portico.notifier.messages.kinds import SAMPLE_ORGANISATION

STAFF_KINDS = sorted(key for key, kind in KINDS.items() if kind.staff_defaults is not None)


@pytest.mark.parametrize("locale", ["en", "fr"])
@pytest.mark.parametrize("kind", STAFF_KINDS)
def test_every_kind_staff_hear_of_has_a_title_and_an_excerpt(kind: str, locale: str) -> None:
    assert in_app_template(kind, locale), f"templates/{kind}/{locale}/in_app.txt"
    text = in_app_text(kind, KINDS[kind].sample, locale=locale, organisation=SAMPLE_ORGANISATION)
    assert text.title and text.excerpt
    assert "\n" not in text.title + text.excerpt
    assert len(text.title) <= 120 and len(text.excerpt) <= 140
    assert "http" not in text.excerpt  # the link is the notification's, not its text's


def test_the_titles_and_excerpts_differ_by_language() -> None:
    english, french = (
        in_app_text(
            "document_uploaded",
            KINDS["document_uploaded"].sample,
            locale=locale,
            organisation=SAMPLE_ORGANISATION,
        )
        for locale in ("en", "fr")
    )
    assert english.title == "Document to review: Attestation URSSAF (Atelier Lumière)"
    assert french.title == "Document à vérifier : Attestation URSSAF (Atelier Lumière)"
    assert english.excerpt == "urssaf-2026.pdf, uploaded by Camille Durand."
    assert french.excerpt == "urssaf-2026.pdf, déposé par Camille Durand."


def test_a_long_text_is_cut_after_a_whole_word_with_an_ellipsis() -> None:
    assert one_line("Voici   les plans\n mis à jour.", 40) == "Voici les plans mis à jour."
    assert one_line("Voici les plans mis à jour.", 19) == "Voici les plans…"
    # A cut right after a word keeps it; the comma it leaves dangling goes.
    assert one_line("Voici les plans, mis à jour.", 17) == "Voici les plans…"
    assert one_line("Anticonstitutionnellement", 10) == "Anticonst…"
    # French amounts and punctuation keep their no-break spaces, and are never cut there.
    assert one_line("Total : 12\u202f500,00\u00a0€", 40) == "Total : 12\u202f500,00\u00a0€"
    assert one_line("Total : 12\u202f500,00\u00a0€", 18) == "Total…"


def test_quoted_lines_are_left_out_unless_there_is_nothing_else() -> None:
    reply = "Oui, c'est bon.\n> Pouvez-vous valider ?\n>> Les plans\nMerci"
    assert excerpt_of(reply) == "Oui, c'est bon. Merci"
    assert excerpt_of("> Pouvez-vous valider ?") == "Pouvez-vous valider ?"
