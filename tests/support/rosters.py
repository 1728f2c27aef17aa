"""Roster, certificate and attendance rows with sensible defaults and per-row overrides.

Two rosters: the minimal one ``check`` reads (``roster_row``: eight columns, trainee n, one valid row by
default) and the Suzhou payout roster (``payout_row``: every column a suzhou-2019 payout reads, paid by
or through one enterprise and one institution). A test names only the values it is about; everything
else is a valid default. The same person number n is the same person (same name, same ID) everywhere.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tests.support.ids import person_id, valid_uscc

# -- a minimal valid roster (check) ------------------------------------------------------------
ROSTER_HEADERS: dict[str, str] = {
    "name": "姓名",
    "id_number": "身份证号码",
    "sex": "性别",
    "training_type": "培训类型",
    "occupation": "职业(工种)",
    "level": "培训等级",
    "start_date": "开班日期",
    "end_date": "结业日期",
}


def person(n: int = 1, sex: str = "男") -> dict[str, str]:
    """The n-th distinct trainee (1 ≤ n ≤ 99): a name without digits and a valid ID whose 17th
    digit agrees with ``sex``."""
    assert 1 <= n <= 99
    names = "甲乙丙丁戊己庚辛壬癸"
    name = "学员" + names[(n - 1) % 10] + ("" if n <= 10 else names[(n - 1) // 10])
    return {"name": name, "id_number": person_id(n, sex), "sex": sex}


ROSTER_DEFAULTS: dict[str, Any] = {
    "training_type": "技能提升",
    "occupation": "电工",
    "level": "四级/中级工",
    "start_date": "2024-05-06",
    "end_date": "2024-05-15",
}
ROSTER_HEADER_ROW = list(ROSTER_HEADERS.values())


def roster_row(n: int = 1, **changes: Any) -> list[Any]:
    """A valid row for trainee ``n`` in ``ROSTER_HEADERS`` order, with only the named fields changed."""
    unknown = set(changes) - set(ROSTER_HEADERS)
    assert not unknown, f"unknown roster fields {unknown}"
    values = {**person(n, changes.get("sex", "男")), **ROSTER_DEFAULTS, **changes}
    return [values[key] for key in ROSTER_HEADERS]


def roster_sheet(*rows: list[Any], header: Sequence[str] = ROSTER_HEADER_ROW) -> list[list[Any]]:
    """A roster sheet: header on row 1, then the rows (default: one valid trainee)."""
    return [list(header), *(rows or [roster_row()])]


# -- the Suzhou payout roster (suzhou-2019) ----------------------------------------------------
ENTERPRISE = valid_uscc("91320506MA1MCGQ3X")
ENTERPRISE_NAME = "苏州精工机械有限公司"
INSTITUTION = valid_uscc("52320506MJ1234567")
INSTITUTION_NAME = "吴中区职业技能培训学校"

PAYOUT_COLUMNS: dict[str, str] = {
    "name": "姓名",
    "id_number": "身份证号码",
    "category": "人员类别",
    "employer": "单位名称",
    "employer_code": "统一社会信用代码",
    "training": "培训类型",
    "occupation": "职业(工种)",
    "level": "培训等级",
    "start": "开班日期",
    "end": "结业日期",
    "institution": "培训机构",
    "institution_code": "机构统一社会信用代码",
    "fee": "培训费用",
    "payer": "出资方",
    "insured": "是否参保",
    "pensioner": "是否领取养老金",
    "passed": "考核结果",
    "class_id": "班级编号",
    "advance": "已预拨金额",
    "filed": "备案结束日期",
    "account": "银行账号",
}
_FIELD_OF = {header: field for field, header in PAYOUT_COLUMNS.items()}
_COMMON = list(PAYOUT_COLUMNS.values())[:18]
# The payout tests' roster: advances already paid and the filing date, no bank account.
PAYOUT_HEADER = [*_COMMON, "已预拨金额", "备案结束日期"]
# The payment cycle's roster: each person's bank card, as the bank export needs it.
BANK_HEADER = [*_COMMON, "银行账号"]


def bank_card(n: int) -> str:
    """Person n's 16-digit bank card number (as the roster's 银行账号 gives it)."""
    return f"6222{n:012d}"


def payout_row(
    n: int,
    name: str,
    training: str,
    occupation: str,
    level: str,
    start: str,
    end: str,
    *,
    header: Sequence[str] = PAYOUT_HEADER,
    **changes: Any,
) -> list[Any]:
    """Person n's row in ``header``'s order: an insured, non-pensioner employee of ENTERPRISE who passed,
    trained at INSTITUTION and paid by the enterprise, in class C<n>; ``changes`` name other values by
    their ``PAYOUT_COLUMNS`` key."""
    unknown = set(changes) - set(PAYOUT_COLUMNS)
    assert not unknown, f"unknown payout roster fields {unknown}"
    values: dict[str, Any] = {
        "name": name,
        "id_number": person_id(n),
        "category": "企业职工",
        "employer": ENTERPRISE_NAME,
        "employer_code": ENTERPRISE,
        "training": training,
        "occupation": occupation,
        "level": level,
        "start": start,
        "end": end,
        "institution": INSTITUTION_NAME,
        "institution_code": INSTITUTION,
        "fee": "",
        "payer": "企业",
        "insured": "是",
        "pensioner": "否",
        "passed": "合格",
        "advance": "",
        "filed": "",
        "account": bank_card(n),
        **changes,
    }
    values["class_id"] = values.get("class_id") or f"C{n:02d}"
    return [values[_FIELD_OF[column]] for column in header]


# -- certificates and attendance ---------------------------------------------------------------
CERT_HEADER = ["身份证号码", "姓名", "证书编号", "证书类型", "职业(工种)", "等级", "发证日期", "是否本市取证"]
ATTENDANCE_HEADER = ["身份证号码", "姓名", "班级编号", "应出勤天数", "实际出勤天数"]


def certificate(
    n: int,
    name: str,
    number: str,
    occupation: str,
    level: str,
    issued: str,
    kind: str = "职业技能等级证书",
    local: str = "是",
) -> list[Any]:
    """Person n's certificate row in ``CERT_HEADER`` order (issued in the city unless ``local`` says 否)."""
    return [person_id(n), name, number, kind, occupation, level, issued, local]


def attendance(n: int, name: str, due: int, attended: int, class_id: str = "") -> list[Any]:
    """Person n's attendance row in ``ATTENDANCE_HEADER`` order (class C<n> unless given)."""
    return [person_id(n), name, class_id or f"C{n:02d}", due, attended]


def uncatalogued_row(n: int, name: str) -> list[Any]:
    """Person n's 育婴员 就业技能培训 row paid by the institution: its amount comes only from the year's
    catalogue (skill_training_catalogue), which ships empty, so the row is held until one is supplied."""
    return payout_row(
        n,
        name,
        "就业技能培训",
        "育婴员",
        "五级/初级工",
        "2021-05-01",
        "2021-05-20",
        category="城镇登记失业人员",
        payer="机构",
    )
