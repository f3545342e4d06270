"""Which homework files are taken: by their first bytes and their name, never by the
type a browser claims; names without folders or control characters."""

from __future__ import annotations

import pytest

from edureg_journal.domain import files


@pytest.mark.parametrize(
    ("raw", "kept"),
    [
        ("../../etc/passwd.txt", "passwd.txt"),
        ("C:\\Users\\Учитель\\Лист 1.docx", "Лист 1.docx"),
        ("name\r\nSet-Cookie: x.pdf", "nameSet-Cookie: x.pdf"),
        ("  .hidden.pdf ", "hidden.pdf"),
        ("а" * 200 + ".xlsx", "а" * 115 + ".xlsx"),
        (None, ""),
    ],
)
def test_names_lose_folders_and_control_characters(raw: str | None, kept: str) -> None:
    assert files.clean_name(raw) == kept
    assert len(files.clean_name(raw)) <= files.MAX_NAME


def test_a_file_is_taken_by_its_bytes_and_served_as_its_kind() -> None:
    assert files.accept("Лист.PDF", b"%PDF-1.7 ...").media_type == "application/pdf"
    assert files.accept("a.docx", b"PK\x03\x04...").media_type.endswith("document")
    assert files.accept("Задание.txt", "Решить №5".encode()).media_type.startswith("text/plain")
    assert files.accept("photo.jpeg", b"\xff\xd8\xff\xe0").media_type == "image/jpeg"


@pytest.mark.parametrize(
    ("name", "content", "says"),
    [
        ("page.html", b"<html>", "тип файла"),
        ("script.svg", b"<svg onload=alert(1)>", "тип файла"),
        ("noext", b"%PDF-", "тип файла"),
        ("fake.pdf", b"<html>", "не похоже на .pdf"),
        ("fake.docx", b"%PDF-", "не похоже на .docx"),
        ("cp1251.txt", "Задача".encode("cp1251"), "UTF-8"),
        ("nul.txt", b"a\x00b", "текстом"),
        ("empty.pdf", b"", "пустой"),
        ("", b"%PDF-", "нет имени"),
    ],
)
def test_what_is_not_what_it_says_is_refused(name: str, content: bytes, says: str) -> None:
    with pytest.raises(files.FileRefused, match=says):
        files.accept(name, content)


def test_a_file_over_the_limit_is_refused() -> None:
    with pytest.raises(files.FileRefused, match="8 МБ"):
        files.accept("big.pdf", b"%PDF-" + b"0" * files.MAX_FILE_BYTES)
