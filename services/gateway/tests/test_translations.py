"""Every string of the UI has its French translation, with the same placeholders."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

GATEWAY = Path(__file__).parents[1]
CATALOG = GATEWAY / "src/portico/gateway/translations/fr/LC_MESSAGES/messages.po"
METHODS = [
    ("src/**.py", "python"),
    # The core's templates and each area's (areas/<service>/templates).
    ("src/portico/gateway/**/templates/**.html", "jinja2"),
]
OPTIONS = {"src/portico/gateway/**/templates/**.html": {"extensions": "jinja2.ext.i18n"}}
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def ui_strings() -> set[str]:
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(GATEWAY), METHODS, options_map=OPTIONS
    ):
        found.add(message if isinstance(message, str) else message[0])
    return found


def test_every_ui_string_is_translated_into_french() -> None:
    with CATALOG.open("rb") as file:
        catalog = read_po(file)
    translated = {
        (message.id if isinstance(message.id, str) else message.id[0]): message
        for message in catalog
        if message.id and "fuzzy" not in message.flags
    }
    strings = ui_strings()
    assert len(strings) > 50
    missing = sorted(
        text
        for text in strings
        if text not in translated
        or not all(
            [translated[text].string]
            if isinstance(translated[text].string, str)
            else translated[text].string
        )
    )
    assert not missing, "run `make messages` and translate:\n" + "\n".join(missing)
    for text in strings:
        message = translated[text]
        french = message.string if isinstance(message.string, str) else message.string[-1]
        assert set(PLACEHOLDER.findall(french)) == set(PLACEHOLDER.findall(text)), text
