"""The name a download is saved under."""

from __future__ import annotations

import re
from urllib.parse import unquote

from portico.kit.downloads import attachment


def saved_as(header: str) -> tuple[str, str]:
    """The UTF-8 name (which browsers prefer) and the ASCII fallback."""
    utf8 = re.search(r"; filename\*=UTF-8''([^\s;]+)$", header)
    fallback = re.match(r'attachment; filename="([^"]*)"; ', header)
    assert utf8 and fallback, header
    return unquote(utf8.group(1)), fallback.group(1)


def test_an_accented_name_is_kept_whole_with_an_ascii_fallback() -> None:
    header = attachment("Mandat de prélèvement – signé.pdf")
    assert saved_as(header) == (
        "Mandat de prélèvement – signé.pdf",
        "Mandat de pr_l_vement _ sign_.pdf",
    )


def test_quotes_backslashes_and_line_breaks_cannot_break_the_header() -> None:
    header = attachment('a"b\\c\r\nSet-Cookie: x=1.pdf')
    assert "\r" not in header and "\n" not in header
    assert saved_as(header) == ('a"b\\c\r\nSet-Cookie: x=1.pdf', "a_b_c__Set-Cookie: x=1.pdf")


def test_a_name_of_nothing_printable_still_saves() -> None:
    assert saved_as(attachment("")) == ("download", "download")
    assert saved_as(attachment("東京.pdf")) == ("東京.pdf", "__.pdf")
