"""The portal's pages run under a CSP without 'unsafe-inline' (security.py): an inline
style or script in a template is silently dropped by the browser — a chart's bars would
be empty. None may be written."""

from __future__ import annotations

import re
from pathlib import Path

import edureg_portal

TEMPLATES = Path(edureg_portal.__file__).parent / "templates"


def test_no_template_has_an_inline_style_or_script() -> None:
    found = []
    for path in sorted(TEMPLATES.glob("*.html")):
        text = path.read_text(encoding="utf-8")
        for pattern in (r"\sstyle\s*=", r"<script(?![^>]*\ssrc=)[^>]*>", r"\son[a-z]+\s*="):
            found += [f"{path.name}: {m.group(0).strip()}" for m in re.finditer(pattern, text)]
    assert found == []
