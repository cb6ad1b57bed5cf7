import math
import re

import pytest

from contracts import codes


def test_generated_codes_use_sixteen_symbols_without_look_alikes():
    for _ in range(200):
        code = codes.generate_code()
        assert len(code) == 16
        assert set(code) <= set(codes.ALPHABET)
        assert not set(code) & set("0O1ILU")


def test_generated_codes_carry_about_eighty_bits():
    assert 16 * math.log2(len(codes.ALPHABET)) > 78


def test_generated_codes_do_not_repeat():
    assert len({codes.generate_code() for _ in range(10_000)}) == 10_000


def test_format_groups_in_fours():
    assert codes.format_code("K7QF9MZX2DPAW3HC") == "K7QF-9MZX-2DPA-W3HC"


@pytest.mark.parametrize(
    "typed",
    [
        "K7QF-9MZX-2DPA-W3HC",
        "k7qf-9mzx-2dpa-w3hc",
        "  K7QF9MZX2DPAW3HC\n",
        "k7qf 9mzx 2dpa w3hc",
        "K7QF\u20139MZX\u20142DPA\u2010W3HC",
    ],
)
def test_normalize_ignores_case_dashes_and_spaces(typed):
    assert codes.normalize_code(typed) == "K7QF9MZX2DPAW3HC"


def test_normalize_matches_imported_uuids():
    typed = "3f2c4b1e-9d7a-4c3b-8e2f-1a2b3c4d5e6f"
    assert codes.normalize_code(typed) == "3F2C4B1E9D7A4C3B8E2F1A2B3C4D5E6F"


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "   ",
        "-",
        "A" * 65,
        "ABC/DEF",
        "ABC\x00DEF",
        "ABC_DEF",
        "ÄBC",
        "ﬃ",
        "'; DROP TABLE contracts_seat; --",
        "%00",
        "💥",
    ],
)
def test_normalize_refuses_what_cannot_be_a_code(typed):
    assert codes.normalize_code(typed) is None


def test_printable_excerpt_drops_control_characters_and_truncates():
    excerpt = codes.printable_excerpt("AB\x00C\nD" + "E" * 100)
    assert excerpt.startswith("ABCD")
    assert len(excerpt) <= codes.MAX_LENGTH
    assert re.fullmatch(r"[A-E]+", excerpt)
