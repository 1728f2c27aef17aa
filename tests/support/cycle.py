"""Two months of a Suzhou district's batches, for the bank and report tests (the whole payment cycle).

Amounts are computed here from the policy document's numbers (S2c), never copied from the
program's output: A8 技能提升 by level 1000 / 1500 / 2000 元, × 1.3 for a shortage occupation
(电工, 焊工 …); A6 以工代训 500 元 a month; A16 生活费 995 元 × attended days / 30; A12 特种作业
min(fee, 800); A5 岗前培训 300 元. The shortage list and the living standard by year are not in the
document, so the rules file ships them empty and every run here supplies them (``SUPPLIED``), as a
district does: 电工 and 焊工 on the list, the 2020 standard 995 元 (a value for the test).

June 2021 pays ten lines to eight people; July 2021 repeats an already-paid claim (张伟), repeats
an occupation + level (李娜, E2), gives 冯刚 a fourth training in the year (E1), and pays two new
people through their enterprise.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

from tests.support.amounts import yuan
from tests.support.ids import person_id as pid
from tests.support.ledger import runs
from tests.support.rosters import (
    ATTENDANCE_HEADER,
    BANK_HEADER,
    CERT_HEADER,
    ENTERPRISE,
    ENTERPRISE_NAME,
    INSTITUTION,
    INSTITUTION_NAME,
    attendance,
    certificate,
    payout_row,
)
from tests.support.rosters import bank_card as account

ENTERPRISE_ACCOUNT = "32050188000001234567"
INSTITUTION_ACCOUNT = "10550101040012345"


def row(
    n: int, name: str, training: str, occupation: str, level: str, start: str, end: str, **changes: Any
) -> list[Any]:
    """Person n's row of the cycle's roster, which carries each person's bank card (BANK_HEADER)."""
    return payout_row(n, name, training, occupation, level, start, end, header=BANK_HEADER, **changes)


SHORTAGE = Decimal("1.3")  # S2c 二(四)4: 紧缺职业 +30 %

JUNE = [
    row(1, "张伟", "技能提升", "电工", "四级/中级工", "2021-03-01", "2021-05-31", payer="个人"),
    row(2, "李娜", "技能提升", "车工", "三级/高级工", "2021-03-01", "2021-05-31", payer="企业"),
    row(3, "赵强", "以工代训", "车工", "无等级", "2021-01-01", "2021-04-15", category="就业困难人员"),
    row(
        4,
        "周杰",
        "专项能力培训",
        "育婴员",
        "五级/初级工",
        "2021-05-01",
        "2021-05-20",
        category="低保家庭成员",
        payer="机构",
    ),
    row(5, "孙丽", "技能提升", "焊工", "五级/初级工", "2021-04-01", "2021-05-20", payer="机构"),
    row(6, "郑涛", "特种作业培训", "电工", "无等级", "2021-04-01", "2021-04-20", fee="650", payer="个人"),
    row(7, "冯刚", "技能提升", "钳工", "五级/初级工", "2021-01-04", "2021-02-26", payer="个人", class_id="C71"),
    row(7, "冯刚", "技能提升", "车工", "四级/中级工", "2021-03-01", "2021-04-30", payer="个人", class_id="C72"),
    row(7, "冯刚", "技能提升", "铣工", "三级/高级工", "2021-05-04", "2021-06-18", payer="个人", class_id="C73"),
    row(10, "吴敏", "特种作业培训", "焊工", "无等级", "2021-04-01", "2021-04-20", fee="1200", payer="个人"),
]
JUNE_CERTS = [
    certificate(1, "张伟", "S000032000001214000001", "电工", "四级/中级工", "2021-06-10"),
    certificate(2, "李娜", "S000032000001213000002", "车工", "三级/高级工", "2021-06-10"),
    certificate(5, "孙丽", "S000032000001215000005", "焊工", "五级/初级工", "2021-06-01"),
    certificate(6, "郑涛", "T2021-0006", "电工", "无等级", "2021-04-25", kind="特种作业操作证"),
    certificate(7, "冯刚", "S000032000001215000071", "钳工", "五级/初级工", "2021-03-01"),
    certificate(7, "冯刚", "S000032000001214000072", "车工", "四级/中级工", "2021-05-10"),
    certificate(7, "冯刚", "S000032000001213000073", "铣工", "三级/高级工", "2021-06-20"),
    certificate(10, "吴敏", "T2021-0010", "焊工", "无等级", "2021-04-25", kind="特种作业操作证"),
]
JUNE_ATTENDANCE: list[list[Any]] = [ATTENDANCE_HEADER, attendance(4, "周杰", 15, 12)]

# (person, rule, payee type, amount) for every June line, from the document's numbers.
JUNE_LINES: list[tuple[int, str, str, Decimal]] = [
    (1, "A8", "person", yuan(Decimal(1500) * SHORTAGE)),  # 中级工, 电工 is a shortage occupation
    (2, "A8", "enterprise", yuan(2000)),  # 高级工, paid by the enterprise
    (3, "A6", "enterprise", yuan(500 * 3)),  # 2021-01-01..04-15: 3 whole months
    (4, "A16", "person", yuan(Decimal(995) * 12 / 30)),  # 12 days attended
    (5, "A8", "institution", yuan(Decimal(1000) * SHORTAGE)),  # 初级工, 焊工, the institution advanced it
    (6, "A12", "person", yuan(650)),  # min(650, 800)
    (7, "A8", "person", yuan(1000)),  # 钳工 初级工
    (7, "A8", "person", yuan(1500)),  # 车工 中级工
    (7, "A8", "person", yuan(2000)),  # 铣工 高级工
    (10, "A12", "person", yuan(800)),  # min(1200, 800)
]
JUNE_TOTAL = sum((amount for *_, amount in JUNE_LINES), Decimal(0))
NAMES = {
    1: "张伟",
    2: "李娜",
    3: "赵强",
    4: "周杰",
    5: "孙丽",
    6: "郑涛",
    7: "冯刚",
    8: "陈洋",
    9: "褚霞",
    10: "吴敏",
    11: "钱军",
}

JULY = [
    JUNE[0],  # already paid
    row(2, "李娜", "技能提升", "车工", "三级/高级工", "2021-06-01", "2021-06-30", class_id="C22"),  # E2 repeat
    row(
        7, "冯刚", "技能提升", "焊工", "四级/中级工", "2021-06-01", "2021-06-30", payer="个人", class_id="C74"
    ),  # E1: 4th this year
    row(8, "陈洋", "技能提升", "车工", "四级/中级工", "2021-05-01", "2021-06-30"),
    row(9, "褚霞", "岗前培训", "车工", "无等级", "2021-06-01", "2021-06-10"),
]
JULY_CERTS = [
    JUNE_CERTS[0],
    certificate(2, "李娜", "S000032000001213000022", "车工", "三级/高级工", "2021-07-05"),
    certificate(7, "冯刚", "S000032000001214000074", "焊工", "四级/中级工", "2021-07-05"),
    certificate(8, "陈洋", "S000032000001214000008", "车工", "四级/中级工", "2021-07-05"),
]
JULY_LINES: list[tuple[int, str, str, Decimal]] = [
    (8, "A8", "enterprise", yuan(1500)),  # 车工 中级工 (not a shortage occupation)
    (9, "A5", "enterprise", yuan(300)),  # 岗前培训 per person
]
JULY_EXCEPTIONS = {
    2: "ledger.already-paid",  # Excel row 2: 张伟's June claim again
    3: "limit.no-repeat",  # 李娜 车工 高级工 was paid in June (E2)
    4: "limit.yearly",  # 冯刚's 4th training in 2021 (E1: at most 3)
}
JULY_TOTAL = sum((amount for *_, amount in JULY_LINES), Decimal(0))

# An advance run in July (E10, at most 50 %): 钱军 高级工 2000 元, half now.
# E10 (S2c 三(十三)) advances only training run by an enterprise: 钱军's training is paid for by his enterprise.
ADVANCE = [row(11, "钱军", "技能提升", "铣工", "三级/高级工", "2021-06-01", "2021-06-30", payer="企业")]
ADVANCE_CERTS = [certificate(11, "钱军", "S000032000001213000011", "铣工", "三级/高级工", "2021-07-08")]
ADVANCE_TOTAL = yuan(Decimal(2000) / 2)


def write_batch(
    make_xlsx: Callable[..., Path],
    name: str,
    roster: list[list[Any]],
    certs: list[list[Any]],
    attendance: list[list[Any]] | None = None,
) -> Path:
    sheets: dict[str, list[list[Any]]] = {"花名册": [BANK_HEADER, *roster], "证书": [CERT_HEADER, *certs]}
    if attendance:
        sheets["考勤"] = attendance
    return make_xlsx(sheets, name=name)


SUPPLIED = ("--param", "shortage_occupations=电工,焊工", "--param", "living_standard_month=2020:995")


def commit(run_cli: Callable[..., Any], batch: Path, period: str, out: Path, ledger: str, *extra: object) -> Any:
    return run_cli(
        "payout",
        batch,
        "--policy",
        "suzhou-2019",
        "--period",
        period,
        "--out",
        out,
        "--commit",
        "--ledger",
        ledger,
        *SUPPLIED,
        *extra,
    )


def accounts_csv(path: Path) -> Path:
    """The enterprise's and the institution's bank accounts (``--accounts``), spaces as people type them."""
    path.write_text(
        "payee_id,account,bank\n"
        f"{ENTERPRISE},3205 0188 0000 0123 4567,建设银行苏州吴中支行\n"
        f"{INSTITUTION},1055 0101 0400 1234 5,农业银行苏州吴中支行\n",
        encoding="utf-8",
    )
    return path


def cycle(
    run_cli: Callable[..., Any], make_xlsx: Callable[..., Path], tmp_path: Path, ledger: str, *, advance: bool = False
) -> dict[str, str]:
    """Commit June, then July (and optionally July's advance run); returns {"june": id, "july": id, ...}."""
    # Only ``ledger init`` creates a ledger; on one the fixture already made it changes nothing.
    assert run_cli("ledger", "init", "--ledger", ledger).code == 0
    june = commit(
        run_cli,
        write_batch(make_xlsx, "june.xlsx", JUNE, JUNE_CERTS, JUNE_ATTENDANCE),
        "2021-06",
        tmp_path / "june",
        ledger,
    )
    assert june.code == 0, june.stderr
    july = commit(run_cli, write_batch(make_xlsx, "july.xlsx", JULY, JULY_CERTS), "2021-07", tmp_path / "july", ledger)
    assert july.code == 1, july.stderr  # paid, with exceptions
    ids = {}
    if advance:
        adv = commit(
            run_cli,
            write_batch(make_xlsx, "advance.xlsx", ADVANCE, ADVANCE_CERTS),
            "2021-07",
            tmp_path / "advance",
            ledger,
            "--advance",
            "50%",
        )
        assert adv.code == 0, adv.stderr
    for run in runs(run_cli, ledger):
        key = "advance" if run["kind"] == "advance" else {"2021-06": "june", "2021-07": "july"}[run["period"]]
        ids[key] = run["run_id"]
    return ids


def june_return(make_xlsx: Callable[..., Path], name: str = "回盘.xlsx") -> Path:
    """The bank's return for June's export, as a bank writes it (title, batch line, 合计, 经办人).

    张伟 paid, found by 户名 + amount (no account in the line); 周杰 refused (户名不符); 郑涛 paid
    50 元 less (mismatch); 冯刚 paid, found by ID (the bank masked the card number); the enterprise
    paid, found by account; 吴敏 still 处理中; 王某 is not in the ledger; the institution is missing.
    """
    rows: list[list[Any]] = [
        ["中国农业银行批量代发回盘明细"],
        ["批次号：NB20210628001", None, "交易日期：2021-06-28"],
        ["序号", "收款人", "卡号", "证件号码", "交易金额（元）", "交易结果", "失败原因"],
        [1, "张伟", None, None, 1950, "交易成功", None],
        [2, "周杰", account(4), None, "398.00", "失败", "户名不符"],
        [3, "郑涛", account(6), None, 600, "成功", None],
        [4, "冯刚", "6222********0007", pid(7), "4,500.00", "成功", None],
        [5, ENTERPRISE_NAME, ENTERPRISE_ACCOUNT, None, 3500, "成功", None],
        [6, "吴敏", account(10), None, 800, "处理中", None],
        [7, "王某", "6222000000009999", None, "100.00", "成功", None],
        ["合计", None, None, None, 11848, None, None],
        ["经办人：李会计", None, None, None, None, None, None],
    ]
    return make_xlsx({"回盘明细": rows}, name=name)


# What the June return says, per class: (name, ledger amount, return amount, reason).
JUNE_RETURN_CLASSES: dict[str, list[tuple[str, Decimal | None, Decimal | None, str]]] = {
    "paid": [
        ("张伟", yuan("1950.00"), yuan("1950.00"), ""),
        ("冯刚", yuan(4500), yuan(4500), ""),
        (ENTERPRISE_NAME, yuan(3500), yuan(3500), ""),
    ],
    "failed": [("周杰", yuan("398.00"), yuan("398.00"), "户名不符")],
    "amount-mismatch": [("郑涛", yuan(650), yuan(600), "")],
    "pending": [("吴敏", yuan(800), yuan(800), "")],
    "not-in-ledger": [("王某", None, yuan(100), "")],
    "not-in-return": [(INSTITUTION_NAME, yuan(1300), None, "")],
}
JUNE_RETURN_TOTAL = yuan(1950 + 398 + 600 + 4500 + 3500 + 800 + 100)
