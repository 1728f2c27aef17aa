"""Policy test cases stored beside each rules file (``rules/<id>.cases.yaml``), run by ``rules test``.

A case is a small batch written the way a clerk would (Chinese headers) plus the expected outcome
of every roster row. This module reads cases and writes their workbooks; the runner
(``skillcli.api.cases``) sends each through ``skillcli.api.payout``, the same path as
``skillcli payout`` (reader, checks, policy), so a case exercises everything a user's file does.

Placeholders keep cases readable: ``person: P1`` fills 姓名 and a valid 身份证号码 (the same key
gives the same person), ``employer: E1`` fills 单位名称 and a valid 统一社会信用代码,
``institution: I1`` the 培训机构 columns.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal
from pathlib import Path
from typing import Any

from skillcli.errors import RulesError
from skillcli.rules.load import read_yaml
from skillcli.schema.parse import ID_CHECK_CHARS, ID_WEIGHTS, USCC_ALPHABET, USCC_WEIGHTS

_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华"


def id_for(key: str, birth: str = "") -> str:
    """A valid 18-digit ID made from a key: area 320506, a birth date and a sequence from its hash."""
    digest = int(hashlib.sha256(key.encode()).hexdigest(), 16)
    if not birth:
        year = 1970 + digest % 30
        birth = f"{year}{1 + digest // 31 % 12:02d}{1 + digest // 401 % 28:02d}"
    body = f"320506{birth}{digest // 7919 % 1000:03d}"
    total = sum(int(d) * w for d, w in zip(body, ID_WEIGHTS, strict=True))
    return body + ID_CHECK_CHARS[total % 11]


def name_for(key: str) -> str:
    digest = int(hashlib.sha256(("name" + key).encode()).hexdigest(), 16)
    return _SURNAMES[digest % len(_SURNAMES)] + _GIVEN[digest // 20 % len(_GIVEN)] + _GIVEN[digest // 700 % len(_GIVEN)]


def uscc_for(key: str, prefix: str = "91") -> str:
    """A valid 统一社会信用代码 made from a key."""
    digest = int(hashlib.sha256(("org" + key).encode()).hexdigest(), 16)
    body = prefix + "320506" + "".join(USCC_ALPHABET[(digest >> (5 * i)) % 31] for i in range(9))
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(body, USCC_WEIGHTS, strict=True))
    return body + USCC_ALPHABET[(31 - total % 31) % 31]


def _expand(row: dict[str, Any], births: dict[str, str] | None = None) -> dict[str, Any]:
    out = dict(row)
    person = out.pop("person", None)
    if person is not None:
        # The same key is the same person: a birth date given on any row of the case holds for all.
        birth = str(out.pop("birth", "") or (births or {}).get(str(person), ""))
        out.setdefault("姓名", name_for(str(person)))
        out.setdefault("身份证号码", id_for(str(person), birth))
    out.pop("birth", None)
    employer = out.pop("employer", None)
    if employer is not None:
        out.setdefault("单位名称", f"{employer}制造有限公司")
        out.setdefault("统一社会信用代码", uscc_for(str(employer)))
    institution = out.pop("institution", None)
    if institution is not None:
        out.setdefault("培训机构", f"{institution}职业培训学校")
        out.setdefault("机构统一社会信用代码", uscc_for(str(institution), "52"))
    return out


def write_case_workbook(path: Path, sheets: dict[str, list[dict[str, Any]]]) -> None:
    """The case's sheets as a real workbook; every value is written as text, dates as ISO text."""
    from skillcli.io.writer import Workbook

    births = {
        str(r["person"]): str(r["birth"]) for rows in sheets.values() for r in rows if "person" in r and r.get("birth")
    }
    book = Workbook(path)
    try:
        for name, rows in sheets.items():
            expanded = [_expand(r, births) for r in rows]
            headers = list(dict.fromkeys(k for r in expanded for k in r))
            sheet = book.add_sheet(name)
            for j, header in enumerate(headers):
                sheet.write_string(0, j, header)
            for i, row in enumerate(expanded, start=1):
                for j, header in enumerate(headers):
                    value = row.get(header)
                    if value is not None:
                        sheet.write_string(i, j, _text(value))
    finally:
        book.close()


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (dt.date, Decimal, int)):
        return str(value)
    return str(value)


def case_params(case: dict[str, Any]) -> dict[str, str]:
    """A case's ``params`` as ``--param`` texts: lists comma-joined, tables as ``key:value`` pairs."""
    found: dict[str, str] = {}
    for key, value in (case.get("params") or {}).items():
        if isinstance(value, list):
            found[str(key)] = ",".join(str(v) for v in value)
        elif isinstance(value, dict):
            found[str(key)] = ",".join(f"{k}:{v}" for k, v in value.items())
        else:
            found[str(key)] = str(value)
    return found


def cases_path(policy_path: Path, blind: bool = False) -> Path:
    suffix = ".blind.cases.yaml" if blind else ".cases.yaml"
    return policy_path.with_name(policy_path.stem + suffix)


def read_cases(path: Path) -> dict[str, Any]:
    data = read_yaml(path)
    if not isinstance(data, dict) or not isinstance(data.get("cases"), list):
        raise RulesError(f"{path}：应有 cases 列表", f"{path}: expected a 'cases' list")
    return data
