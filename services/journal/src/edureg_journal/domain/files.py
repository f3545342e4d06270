"""Which files a homework may carry: what a school sends home (documents, spreadsheets,
slides, pictures, PDF, plain text), told by their first bytes as well as by their name —
never by the type the browser claims. Pure functions."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Per file, and per lesson: a worksheet or a scan, not a video course.
MAX_FILE_BYTES = 8 * 1024 * 1024
MAX_FILES_PER_LESSON = 5
MAX_NAME = 120

_OOXML = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

# extension → (media type served, the first bytes it must begin with; None: plain text)
KINDS: dict[str, tuple[str, bytes | None]] = {
    "pdf": ("application/pdf", b"%PDF-"),
    "png": ("image/png", b"\x89PNG\r\n\x1a\n"),
    "jpg": ("image/jpeg", b"\xff\xd8\xff"),
    "jpeg": ("image/jpeg", b"\xff\xd8\xff"),
    "docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        _OOXML,
    ),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", _OOXML),
    "pptx": (
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        _OOXML,
    ),
    "odt": ("application/vnd.oasis.opendocument.text", _OOXML),
    "ods": ("application/vnd.oasis.opendocument.spreadsheet", _OOXML),
    "odp": ("application/vnd.oasis.opendocument.presentation", _OOXML),
    "doc": ("application/msword", _OLE),
    "xls": ("application/vnd.ms-excel", _OLE),
    "ppt": ("application/vnd.ms-powerpoint", _OLE),
    "rtf": ("application/rtf", b"{\\rtf"),
    "txt": ("text/plain; charset=utf-8", None),
}
ALLOWED = ", ".join(sorted({k for k in KINDS if k != "jpeg"}))


class FileRefused(ValueError):
    """Why a file is not taken, in Russian for the teacher."""


@dataclass(frozen=True)
class Accepted:
    name: str
    media_type: str


def clean_name(raw: str | None) -> str:
    """The file's own name without any folder, control characters or leading dots, at
    most `MAX_NAME` characters with its extension kept."""
    name = unicodedata.normalize("NFC", raw or "")
    name = re.split(r"[\\/]", name)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = re.sub(r"\s+", " ", name).strip().lstrip(".").strip()
    if len(name) > MAX_NAME:
        stem, dot, ext = name.rpartition(".")
        if dot and len(ext) <= 5:
            name = stem[: MAX_NAME - len(ext) - 1].rstrip() + "." + ext
        else:
            name = name[:MAX_NAME]
    return name


def accept(raw_name: str | None, content: bytes) -> Accepted:
    """The file as it will be kept and served, or `FileRefused` saying why not."""
    name = clean_name(raw_name)
    if not name:
        raise FileRefused("У файла нет имени")
    if not content:
        raise FileRefused("Файл пустой")
    if len(content) > MAX_FILE_BYTES:
        raise FileRefused(f"Файл больше {MAX_FILE_BYTES // (1024 * 1024)} МБ")
    _, dot, ext = name.rpartition(".")
    kind = KINDS.get(ext.lower()) if dot else None
    if kind is None:
        raise FileRefused(f"Такой тип файла не принимается; можно: {ALLOWED}")
    media_type, magic = kind
    if magic is None:
        if b"\x00" in content:
            raise FileRefused("Файл .txt должен быть текстом")
        try:
            content.decode("utf-8")
        except UnicodeDecodeError:
            raise FileRefused("Файл .txt должен быть текстом в кодировке UTF-8") from None
    elif not content.startswith(magic):
        raise FileRefused(f"Содержимое файла не похоже на .{ext.lower()}")
    return Accepted(name=name, media_type=media_type)
