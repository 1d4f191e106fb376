"""A record a clinician can paste: each bundled example's record fits on two printed pages
from its HTML page.

The page is printed to PDF by headless Chromium, as a clinician's browser would print it,
and the PDF's pages are counted; the test is skipped where Chromium is not installed
(Debian's package ``chromium``).  Chromium prints on US Letter by default, the shorter of
Letter and A4.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

from alliance_notes import create_host
from alliance_notes.examples import example_notes

CHROMIUM = next(
    (found for name in ("chromium", "chromium-browser", "google-chrome") if (found := shutil.which(name))),
    None,
)
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="printing to PDF needs Chromium (Debian package 'chromium')"
)
_host = create_host()


def _printed_pages(html: str, folder: Path) -> int:
    """How many pages Chromium prints ``html`` on."""
    assert CHROMIUM is not None
    page, pdf = folder / "note.html", folder / "note.pdf"
    page.write_text(html, encoding="utf-8")
    subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",  # tests may run as root in a container
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={folder / 'profile'}",
            "--no-pdf-header-footer",
            f"--print-to-pdf={pdf}",
            page.as_uri(),
        ],
        capture_output=True,
        timeout=120,
        check=True,
    )
    return len(PdfReader(pdf).pages)


@pytest.mark.parametrize("kind", sorted(example_notes()))
def test_the_record_of_each_example_fits_two_printed_pages(kind: str, tmp_path: Path) -> None:
    note = _host.load_note(example_notes()[kind])
    record = _printed_pages(_host.render(note, "html"), tmp_path)
    assert record <= 2, f"the {kind} record prints on {record} pages"
    # The count is real: the review, with every quote and rule, is longer.
    (tmp_path / "review").mkdir()
    review = _printed_pages(_host.render(note, "html", audience="review"), tmp_path / "review")
    assert review > record
