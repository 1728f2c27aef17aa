"""ID numbers and credit codes for test data, with python-stdnum as the oracle.

Check characters come from python-stdnum, an implementation independent of skillcli's own vectorised
checksums, so a test that expects "valid" or "wrong check character" never trusts the code under test.
"""

from __future__ import annotations

import re

from stdnum.cn import ric, uscc


def valid_id(area: str = "320506", birth: str = "19900307", seq: str = "231") -> str:
    """An 18-character ID with a correct GB 11643 check character. ``seq`` ends with the sex digit."""
    body = area + birth + seq
    assert len(body) == 17
    # stdnum expects the number *with* a check position and ignores that last character.
    return body + ric.calc_check_digit(body + "0")


def person_id(n: int, sex: str = "男", area: str = "320506", birth: str = "19900307") -> str:
    """Person ``n``'s ID (1 ≤ n ≤ 99): the same n is the same person in every batch of a test."""
    assert 1 <= n <= 99
    return valid_id(area=area, birth=birth, seq=f"{n:02d}{1 if sex == '男' else 2}")


def sex_of(id18: str) -> str:
    """男 for an odd 17th digit, 女 for an even one (GB 11643)."""
    return "男" if int(id18[16]) % 2 else "女"


def wrong_check(id18: str) -> str:
    """The same ID with a check character that is certainly wrong."""
    right = id18[-1]
    return id18[:-1] + ("1" if right != "1" else "2")


def id_with_check_x() -> str:
    """A valid ID whose check character is X (searched, not hard-coded)."""
    return next(v for s in range(100, 1000) if (v := valid_id(seq=str(s))).endswith("X"))


def upgraded_id(id15: str) -> str:
    """The 18-character form of a 15-character ID: century 19 inserted, check character appended."""
    body = id15[:6] + "19" + id15[6:]
    return body + ric.calc_check_digit(body + "0")


def valid_uscc(body: str = "91320506MA1MCGQ3X") -> str:
    """An 18-character credit code with a correct GB 32100 check character (17-character body)."""
    assert len(body) == 17
    return body + uscc.calc_check_digit(body)


def full_ids(text: str) -> set[str]:
    """Every checksum-valid 18-character ID number in a text (what masking must hide)."""
    found = set()
    for match in re.finditer(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])", text):
        value = match.group(0).upper()
        if ric.calc_check_digit(value[:17] + "0") == value[17]:
            found.add(value)
    return found
