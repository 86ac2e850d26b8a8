"""Templates are read again when changed on disk only in the embedded run, where they are
edited; a deployed gateway reads each once instead of checking its file at every page."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from portico.gateway.apis.base import ServiceClient
from portico.gateway.areas import AREAS
from portico.gateway.web.areas import Area
from portico.gateway.web.templating import environment, use_areas


@pytest.fixture
def area(tmp_path: Path) -> Iterator[Area]:
    (tmp_path / "probe").mkdir()
    (tmp_path / "probe" / "page.html").write_text("first")
    yield Area(service="probe", client=ServiceClient, routers=(), templates=tmp_path)
    # Back to the gateway's own areas, for the tests that follow in this process.
    use_areas(AREAS, reload_templates=True)


def edited(path: Path, text: str) -> None:
    path.write_text(text)
    # A later modification time than the one read, whatever the file system's precision.
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 2_000_000_000))


@pytest.mark.parametrize(("reload_templates", "after_edit"), [(True, "second"), (False, "first")])
def test_an_edited_template_is_read_again_only_where_templates_are_edited(
    area: Area, reload_templates: bool, after_edit: str
) -> None:
    use_areas([area], reload_templates=reload_templates)
    assert environment.get_template("probe/page.html").render() == "first"
    edited(area.templates / "probe" / "page.html", "second")
    assert environment.get_template("probe/page.html").render() == after_edit
