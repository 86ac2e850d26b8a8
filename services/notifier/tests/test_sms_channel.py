"""The SMS channel's pure parts: numbers written in E.164 and bodies that fit two segments
with their link whole."""

from __future__ import annotations

import pytest

from portico.notifier.channels.base import PermanentFailure
from portico.notifier.channels.phone import mask_phone, normalise_phone
from portico.notifier.channels.sms_text import fit_sms, is_gsm7

LINK = "https://portal.example.com/s/Zk3q9XwV2bLmN8rT5yHc"
PROSE = "Atelier Lumière has sent you the service agreement to read and sign. " * 6


def gsm_length(text: str) -> int:
    return sum(2 if char in "\f^{}\\[~]|€" else 1 for char in text)


def ucs2_units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def fits_two_segments(text: str) -> bool:
    return gsm_length(text) <= 306 if is_gsm7(text) else ucs2_units(text) <= 134


# Phone numbers


@pytest.mark.parametrize(
    ("number", "country", "e164"),
    [
        ("06 12 34 56 78", "FR", "+33612345678"),
        ("06.12.34.56.78", "FR", "+33612345678"),
        ("0612345678", "fr", "+33612345678"),
        ("+33 6 12 34 56 78", "FR", "+33612345678"),
        ("+33 (0)6 12 34 56 78", "FR", "+33612345678"),
        ("0033 6 12 34 56 78", "FR", "+33612345678"),
        ("+44 20 7946 0958", "FR", "+442079460958"),
        ("020 7946 0958", "GB", "+442079460958"),
        ("(202) 555-0123", "US", "+12025550123"),
        ("+1 202-555-0123", "GB", "+12025550123"),
        ("  +32 470 12 34 56  ", "FR", "+32470123456"),
        # A number with a + prefix needs no country.
        ("+33612345678", "", "+33612345678"),
    ],
)
def test_a_valid_number_is_written_in_e164(number: str, country: str, e164: str) -> None:
    assert normalise_phone(number, country) == e164


@pytest.mark.parametrize(
    ("number", "country"),
    [
        ("", "FR"),
        ("   ", "FR"),
        ("call me", "FR"),
        ("06 12 34", "FR"),
        ("06 12 34 56 78 90 12", "FR"),
        ("00 00 00 00 00", "FR"),
        ("+33 1", "FR"),
        ("+999 612345678", "FR"),
        ("+", "FR"),
        ("1" * 300, "FR"),
        ("+33 6 12 34 56 78" * 30, "FR"),
        ("0612345678", ""),
        ("0612345678", "ZZ"),
        ("0612345678", "France"),
        ("\x00\n\t", "FR"),
        ("📞 06 12 34 56 78 ☎", "XX"),
    ],
)
def test_anything_but_a_valid_number_is_a_permanent_failure(number: str, country: str) -> None:
    with pytest.raises(PermanentFailure, match="is not a valid phone number"):
        normalise_phone(number, country)


def test_the_failure_quotes_a_long_input_only_in_part() -> None:
    with pytest.raises(PermanentFailure) as failure:
        normalise_phone("12345 " * 100, "FR")
    assert len(failure.value.reason) < 80


@pytest.mark.parametrize(
    ("e164", "masked"),
    [
        ("+33612345678", "+33 6••••••78"),
        ("+442079460958", "+44 2•••••••58"),
        ("+12025550123", "+1 2•••••••23"),
    ],
)
def test_a_masked_number_keeps_its_prefix_and_last_two_digits(e164: str, masked: str) -> None:
    assert mask_phone(e164) == masked


def test_masking_never_shows_more_than_the_last_two_digits_of_a_malformed_number() -> None:
    assert mask_phone("0612345678") == "••••••••78"
    assert mask_phone("") == ""


# Bodies that fit


def test_a_body_that_fits_is_sent_as_written() -> None:
    body = f"Camille, please sign the agreement: {LINK}"
    assert fit_sms(body, link=LINK) == body
    assert fit_sms("Your code is 481 516.", link=None) == "Your code is 481 516."


def test_whitespace_from_a_template_is_normalised_but_paragraphs_stay() -> None:
    text = "\n    Hello   Camille,\n\n\n\n\t  your documents\t are ready.  \n"
    assert fit_sms(text, link=None) == "Hello Camille,\n\nyour documents are ready."


def test_a_body_of_exactly_two_gsm_segments_is_kept() -> None:
    body = "a" * 306
    assert fit_sms(body, link=None) == body
    assert fit_sms(body + "b", link=None) != body + "b"


def test_extension_characters_count_twice() -> None:
    body = "€" * 153
    assert fit_sms(body, link=None) == body
    shortened = fit_sms("€" * 154, link=None)
    assert shortened.endswith("...") and gsm_length(shortened) <= 306


def test_a_long_body_is_cut_between_words_with_an_ellipsis() -> None:
    shortened = fit_sms(PROSE, link=None)
    assert len(shortened) <= 306
    assert shortened.endswith("...")
    assert PROSE.startswith(shortened.removesuffix("..."))
    assert PROSE[len(shortened) - 3] == " "  # the word before the cut is whole


def test_a_gsm_body_is_cut_with_three_dots_so_it_stays_in_gsm() -> None:
    # "…" is not in GSM 03.38: with it the body would drop to 134 characters.
    shortened = fit_sms(PROSE + LINK, link=LINK)
    assert is_gsm7(shortened)
    assert len(shortened) > 250


def test_the_link_at_the_end_is_kept_whole() -> None:
    shortened = fit_sms(f"{PROSE}Sign here: {LINK}", link=LINK)
    assert shortened.endswith(f"... {LINK}")
    assert shortened.startswith("Atelier Lumière has sent you")
    assert fits_two_segments(shortened)
    assert len(shortened) > 290


def test_the_link_in_the_middle_is_kept_and_the_text_after_it_shortened_first() -> None:
    text = f"Camille, please sign the agreement: {LINK} {PROSE}"
    shortened = fit_sms(text, link=LINK)
    assert shortened.startswith(f"Camille, please sign the agreement: {LINK} Atelier")
    assert shortened.endswith("...")
    assert fits_two_segments(shortened)


def test_a_long_text_before_a_link_in_the_middle_gives_way_to_the_link() -> None:
    text = f"{PROSE}Sign: {LINK} It expires on 12 May."
    shortened = fit_sms(text, link=LINK)
    assert shortened.endswith(f"... {LINK}")
    assert fits_two_segments(shortened)


def test_a_link_missing_from_the_text_is_added_at_the_end() -> None:
    shortened = fit_sms(PROSE, link=LINK)
    assert shortened.endswith(f"... {LINK}")
    assert fit_sms("Sign the agreement.", link=LINK) == f"Sign the agreement. {LINK}"


def test_an_ellipsis_never_touches_the_link() -> None:
    text = f"Sign: {LINK}, " + "and then " * 60
    shortened = fit_sms(text, link=LINK)
    assert f"{LINK}," in shortened or shortened.endswith(LINK)
    assert f"{LINK}." not in shortened and f"{LINK}…" not in shortened


def test_a_link_longer_than_the_limit_is_sent_alone() -> None:
    long_link = "https://portal.example.com/s/" + "x" * 320
    assert fit_sms(f"Sign here: {long_link}", link=long_link) == long_link


def test_a_link_that_leaves_no_room_for_prose_is_sent_alone() -> None:
    link = "https://portal.example.com/s/" + "x" * 275
    assert fit_sms(f"Please sign this agreement today: {link}", link=link) == link


def test_an_emoji_switches_to_ucs2_and_two_segments_hold_134_units() -> None:
    text = f"🎉 {PROSE}{LINK}"
    shortened = fit_sms(text, link=LINK)
    assert not is_gsm7(shortened)
    assert shortened.startswith("🎉 Atelier Lumière")
    assert shortened.endswith(f"… {LINK}")
    assert ucs2_units(shortened) <= 134
    assert ucs2_units(shortened) > 120


def test_an_emoji_counts_as_two_ucs2_units() -> None:
    body = "😀" * 67
    assert fit_sms(body, link=None) == body
    assert ucs2_units(fit_sms("😀" * 68, link=None)) <= 134


def test_ucs2_text_that_fits_is_kept() -> None:
    body = "Votre devis « Rénovation » est prêt : " + LINK
    assert not is_gsm7(body)
    assert fit_sms(body, link=LINK) == body


def test_a_smaller_limit_scales_the_ucs2_budget() -> None:
    shortened = fit_sms("Ω✓ " + PROSE, link=None, limit=160)
    assert ucs2_units(shortened) <= 70
    assert fit_sms("a" * 160, link=None, limit=160) == "a" * 160


def test_one_long_word_is_cut_inside_it() -> None:
    shortened = fit_sms("x" * 1000, link=None)
    assert shortened == "x" * 303 + "..."


def test_an_absurd_limit_is_refused() -> None:
    with pytest.raises(ValueError, match="limit"):
        fit_sms("hello", link=None, limit=3)
