"""The HTML that staff may write for others to read (a workspace note, the introduction of a
client portal section): formatting and safe links, nothing that runs or loads."""

from __future__ import annotations

import nh3

ALLOWED_TAGS = frozenset(
    {
        "p",
        "br",
        "strong",
        "em",
        "u",
        "s",
        "ul",
        "ol",
        "li",
        "a",
        "h2",
        "h3",
        "blockquote",
        "code",
        "pre",
    }
)

# Built once: the cleaner compiles its rules, and every text goes through the same ones.
_CLEANER = nh3.Cleaner(
    tags=set(ALLOWED_TAGS),
    # Script and style text would otherwise survive as visible text once their tags go.
    clean_content_tags={"script", "style"},
    attributes={"a": {"href", "title"}},
    # Whatever rel the author wrote is replaced: a linked page must not reach the portal tab.
    link_rel="noopener noreferrer",
    url_schemes={"http", "https", "mailto"},
    # A relative link would point into the portal itself, which such a text has no reason to do.
    url_relative="deny",
    strip_comments=True,
)


def sanitise_html(html: str) -> str:
    """``html`` with only the allow-listed tags, attributes and link schemes kept."""
    return _CLEANER.clean(html).strip()
