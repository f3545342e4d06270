import pytest

from edureg_contingent.domain.snils import check_number, match_key, normalise


@pytest.mark.parametrize(
    ("raw", "digits"),
    [
        ("112-233-445 95", "11223344595"),
        ("11223344595", "11223344595"),
        ("100-079-190 00", "10007919000"),  # the sum is 101: check number 00
        ("001-001-998 99", "00100199899"),  # issued before check numbers: not checked
    ],
)
def test_valid_numbers(raw: str, digits: str) -> None:
    assert normalise(raw) == digits


@pytest.mark.parametrize("raw", ["112-233-445 96", "1122334459", "112-233-445 9a", ""])
def test_invalid_numbers(raw: str) -> None:
    with pytest.raises(ValueError, match="СНИЛС"):
        normalise(raw)


def test_check_number_rules() -> None:
    assert check_number("112233445") == "95"
    # Sums over 101 are taken modulo 101.
    assert check_number("999999999") == f"{(9 * 45) % 101:02d}"


def test_match_key_is_keyed() -> None:
    assert match_key(b"k1", "11223344595") == match_key(b"k1", "11223344595")
    assert match_key(b"k1", "11223344595") != match_key(b"k2", "11223344595")
    assert "11223344595" not in match_key(b"k1", "11223344595")
