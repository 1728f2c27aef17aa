"""Training vouchers (电子培训券, S0 §3, S1) through the CLI, on SQLite and on PostgreSQL.

Every expected value is computed here from the programme files themselves, read with plain YAML
(face values, validity, age groups, who may receive which category, the attendance threshold), and
from birth dates written in the test: never copied from skillcli's output. The lifecycle goes issue →
redeem → export-bank → reconcile → report for both programmes; the other tests take one rule each:
double redemption (same file, second run, two processes at once), expiry, wrong person, attendance
below the threshold, idempotent re-issuing, age groups at their edges, parameter overrides, and a
corpus that makes every ``voucher.*`` code of the catalogue come out.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections import Counter
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import openpyxl
import yaml

from skillcli.findings import CATALOGUE
from tests.support.bank import upload
from tests.support.ids import person_id, valid_uscc, wrong_check
from tests.support.processes import spawn
from tests.support.workbooks import read_csv

ROOT = Path(__file__).resolve().parents[1]
LULIANG, MEISHAN = "luliang-2021", "meishan-2020"
INST_A, INST_A_NAME, INST_A_ACCOUNT = valid_uscc("52141100MJ1234567"), "吕梁市职业技能培训学校", "14010188000001111"
INST_B, INST_B_NAME, INST_B_ACCOUNT = valid_uscc("52141102MJ7654321"), "离石区家政服务培训中心", "14010188000002222"
INST_M, INST_M_NAME, INST_M_ACCOUNT = valid_uscc("52511400MJ2468024"), "眉山工程技师学院", "51010188000003333"
ROSTER_HEADER = ["姓名", "身份证号码", "人员类别"]
DONE_HEADER = [
    "培训券编号",
    "姓名",
    "身份证号码",
    "券类别",
    "培训机构",
    "机构统一社会信用代码",
    "结业日期",
    "应出勤天数",
    "实际出勤天数",
    "应修学时",
    "实际学时",
    "考核结果",
]


# -- the programmes' numbers, read independently of skillcli ------------------------------------------
def program(program_id: str) -> dict[str, Any]:
    return yaml.safe_load((ROOT / "rules" / "vouchers" / f"{program_id}.yaml").read_text(encoding="utf-8"))


def resolve(data: dict[str, Any], value: Any) -> Any:
    if isinstance(value, str) and value.startswith("$"):
        return data["parameters"][value[1:]]["value"]
    return value


def face_fen(data: dict[str, Any], category: str) -> int:
    spec = next(c for c in data["categories"] if c["name"] == category)
    return int(Decimal(str(resolve(data, spec["face"]))) * 100)


def expiry(data: dict[str, Any], issued: dt.date) -> dt.date:
    return issued + dt.timedelta(days=int(resolve(data, data["validity"]["days"])) - 1)


def threshold(data: dict[str, Any]) -> Decimal:
    return Decimal(str(resolve(data, data["redemption"]["min_attendance"])))


def age(birth: dt.date, day: dt.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def group_of(data: dict[str, Any], years: int) -> str | None:
    for group in data["age_groups"]:
        low, high = int(resolve(data, group["min"])), group.get("max")
        if years >= low and (high is None or years <= int(high)):
            return str(group["id"])
    return None


def entitled(data: dict[str, Any], birth: dt.date, category: str | None, day: dt.date) -> list[str]:
    """The categories a person is issued, from the file's age groups and 人员类别 lists."""
    group = group_of(data, age(birth, day))
    found = []
    for spec in data["categories"]:
        allowed = resolve(data, spec.get("person_categories"))
        if group in spec["age_groups"] and (allowed is None or category in allowed):
            found.append(spec["name"])
    return found


def pct(part: int, whole: int) -> str:
    return str((Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


# -- people and files ----------------------------------------------------------------------------------
class Person:
    def __init__(self, n: int, name: str, birth: str, category: str | None = None) -> None:
        self.name = name
        self.birth = dt.date.fromisoformat(birth)
        self.id = person_id(n, birth=birth.replace("-", ""))
        self.category = category

    def row(self) -> list[Any]:
        return [self.name, self.id, self.category]


def done(
    voucher: str | None,
    who: Person | None,
    *,
    end: str = "2021-09-30",
    days: tuple[Any, Any] | None = (20, 20),
    hours: tuple[Any, Any] | None = None,
    passed: str | None = "合格",
    inst: tuple[str | None, str | None] = (INST_A_NAME, INST_A),
    category: str | None = None,
    person_id: str | None = "",
) -> list[Any]:
    """A completions row; ``person_id`` "" means the person's own ID, None a blank cell."""
    return [
        voucher,
        who.name if who else None,
        (who.id if who else None) if person_id == "" else person_id,
        category,
        inst[0],
        inst[1],
        end,
        *(days or (None, None)),
        *(hours or (None, None)),
        passed,
    ]


def issue(run_cli: Any, roster: Path, program_id: str, day: str, out: Path, ledger: str, *extra: object) -> Any:
    return run_cli(
        "vouchers", "issue", roster, "--program", program_id, "--date", day, "--out", out, "--ledger", ledger,
        "--json", "--show-ids", *extra,
    )  # fmt: skip


def redeem(run_cli: Any, completions: Path, day: str, out: Path, ledger: str, *extra: object) -> Any:
    return run_cli(
        "vouchers", "redeem", completions, "--date", day, "--out", out, "--ledger", ledger, "--json", "--show-ids",
        *extra,
    )  # fmt: skip


def status(run_cli: Any, ledger: str, day: str, *extra: object) -> dict[str, Any]:
    result = run_cli("vouchers", "status", "--ledger", ledger, "--date", day, "--json", *extra)
    assert result.code == 0, result.stderr
    found: dict[str, Any] = result.json
    return found


def numbers(result: Any) -> dict[tuple[str, str], str]:
    """(name, category) → voucher number, from an issue's JSON."""
    return {(v["name"], v["category"]): v["voucher_no"] for v in result.json["issued"]}


def voucher_runs(run_cli: Any, ledger: str) -> list[dict[str, Any]]:
    result = run_cli("ledger", "runs", "--ledger", ledger, "--json")
    assert result.code == 0, result.stderr
    return [r for r in result.json["runs"] if r["kind"] == "voucher"]


def codes_by_row(result: Any) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    for e in result.json["exceptions"]:
        found.setdefault(e["row"], []).append(e["code"])
    return found


# -- Lüliang: the whole lifecycle ---------------------------------------------------------------------
L_DAY = dt.date(2021, 6, 1)
L_PEOPLE = [
    Person(1, "田青", "2003-12-15", "企业职工"),  # 17: under every age group
    Person(2, "王壮", "1991-03-10", "企业职工"),  # 30: 18–45, an employee
    Person(3, "李中", "1971-02-20", "农村转移劳动力"),  # 50: 46–60, not an employee
    Person(4, "赵老", "1956-01-10", None),  # 65: over 60, 人员类别 blank (only 普惠制培训 is offered)
    Person(5, "孙明", "1976-06-02", "企业职工"),  # 44 today, 45 tomorrow: still 18–45
    Person(6, "周六", "1961-06-01", "农村转移劳动力"),  # exactly 60 today: 46–60
    Person(7, "吴七", "1960-05-31", "脱贫劳动力"),  # 61 since yesterday: over 60
]


def luliang_issued_as_entitled(issued: Any, data: dict[str, Any], out: Path) -> list[tuple[str, str]]:
    """The Lüliang issue checked against the programme: who got which voucher, at which face value and
    number, why the others got none, and the files written to ``out``. Returns (name, category) issued."""
    # Who got what: the categories the file's age groups and 人员类别 lists give, in roster order.
    expected = [(p.name, c) for p in L_PEOPLE for c in entitled(data, p.birth, p.category, L_DAY)]
    assert [(v["name"], v["category"]) for v in issued.json["issued"]] == expected
    ages = {v["name"]: (v["age"], v["age_group"]) for v in issued.json["issued"]}
    for p in L_PEOPLE[1:]:
        assert ages[p.name] == (age(p.birth, L_DAY), group_of(data, age(p.birth, L_DAY)))
    assert {n: a for n, (a, _) in ages.items()} == {
        "王壮": 30,
        "李中": 50,
        "赵老": 65,
        "孙明": 44,
        "周六": 60,
        "吴七": 61,
    }
    for v in issued.json["issued"]:
        assert v["face_fen"] == face_fen(data, v["category"])
        assert v["issue_date"] == "2021-06-01" and v["expiry_date"] == expiry(data, L_DAY).isoformat()
    # Numbers: prefix + issue date + a sequence, unique, in roster order.
    assert [v["voucher_no"] for v in issued.json["issued"]] == [
        f"LL20210601{i:05d}" for i in range(1, len(expected) + 1)
    ]
    assert issued.json["face_fen"] == sum(face_fen(data, c) for _, c in expected)
    reasons = {(r["name"], r["category"]): r["code"] for r in issued.json["not_issued"]}
    assert reasons == {
        ("田青", "（全部）"): "voucher.age-outside",
        ("李中", "企业培训"): "voucher.not-for-category",
        ("赵老", "等级评价"): "voucher.not-for-age-group",
        ("赵老", "企业培训"): "voucher.not-for-age-group",
        ("周六", "企业培训"): "voucher.not-for-category",
        ("吴七", "等级评价"): "voucher.not-for-age-group",
        ("吴七", "企业培训"): "voucher.not-for-age-group",
    }
    csv_rows = read_csv(out / "issued.csv")
    assert [(r["voucher_no"], r["person_id"], r["face_yuan"]) for r in csv_rows] == [
        (v["voucher_no"], next(p.id for p in L_PEOPLE if p.name == v["name"]), f"{Decimal(v['face_fen']) / 100:.2f}")
        for v in issued.json["issued"]
    ]
    assert len(read_csv(out / "not-issued.csv")) == len(reasons)
    book = openpyxl.load_workbook(out / "issued.xlsx")
    assert book.sheetnames == ["已发券", "未发券", "说明"]
    return expected


def institutions_paid(run_cli: Any, make_xlsx: Any, run_id: str, one_fen: int, tmp_path: Path, ledger_url: str) -> None:
    """The voucher run of three 普惠制培训 vouchers (two at institution A, one at B) exported to the
    bank and reconciled as paid."""
    # export-bank: one bank line per institution, the run's total as the control total.
    accounts = tmp_path / "accounts.csv"
    accounts.write_text(
        f"payee_id,account,bank\n{INST_A},{INST_A_ACCOUNT},工商银行吕梁分行\n{INST_B},{INST_B_ACCOUNT},农业银行离石支行\n",
        encoding="utf-8",
    )
    bank = run_cli(
        "export-bank", run_id, "--out", tmp_path / "代发.xlsx", "--ledger", ledger_url, "--accounts", accounts,
        "--json",
    )  # fmt: skip
    assert bank.code == 0, bank.stderr
    total = 3 * one_fen
    assert bank.json["total_fen"] == total and bank.json["by_payee_type"] == [
        {"payee_type": "institution", "payees": 2, "fen": total}
    ]
    _, _, rows, _ = upload(openpyxl.load_workbook(tmp_path / "代发.xlsx"), "培训机构")
    lines = {r[2]: (r[1], r[3], Decimal(str(r[4]))) for r in rows}
    one = Decimal(one_fen) / 100
    assert lines == {
        INST_A_NAME: (INST_A_ACCOUNT, "工商银行吕梁分行", 2 * one),
        INST_B_NAME: (INST_B_ACCOUNT, "农业银行离石支行", one),
    }

    # reconcile: the bank paid both lines.
    returned = make_xlsx(
        {
            "回盘": [
                ["户名", "账号", "金额", "状态"],
                [INST_A_NAME, INST_A_ACCOUNT, f"{2 * one:.2f}", "成功"],
                [INST_B_NAME, INST_B_ACCOUNT, f"{one:.2f}", "成功"],
            ]
        },
        name="回盘.xlsx",
    )
    rec = run_cli("reconcile", returned, "--ledger", ledger_url, "--out", tmp_path / "rec", "--json")
    assert rec.code == 0, rec.stderr
    assert rec.json["counts"]["paid"] == 2 and rec.json["totals_fen"]["paid_fen"] == total


def reasons_follow_lang(run_cli: Any, completions: Path, result: Any, tmp_path: Path, ledger_url: str) -> None:
    """The redemption's exceptions.csv holds every exception, in Chinese by default, in English with --lang en."""
    reasons = read_csv(tmp_path / "redeem" / "exceptions.csv")
    assert {int(r["row"]): [r["code"]] for r in reasons} == codes_by_row(result)
    # Chinese by default, as payout's CSVs: Chinese headers, 错误/提示, no English message.
    header = (tmp_path / "redeem" / "exceptions.csv").read_text(encoding="utf-8-sig").splitlines()[0]
    assert header == "文件,工作表,行号,培训券编号,身份证号码,姓名,券类别,代码,级别,说明"
    assert {r["severity"] for r in reasons} == {"error"} and all("message_en" not in r for r in reasons)
    # --lang en keeps the names and values scripts read.
    english = redeem(run_cli, completions, "2021-10-08", tmp_path / "en", ledger_url, "--lang", "en")
    en_header = (tmp_path / "en" / "exceptions.csv").read_text(encoding="utf-8-sig").splitlines()[0]
    assert english.code == 1 and en_header.split(",")[-3:] == ["severity", "message_zh", "message_en"]


def test_vouchers__luliang_lifecycle(run_cli: Any, make_xlsx: Any, tmp_path: Path, ledger_url: str) -> None:
    data = program(LULIANG)
    roster = make_xlsx({"发券名单": [ROSTER_HEADER, *(p.row() for p in L_PEOPLE)]}, name="roster.xlsx")
    issued = issue(run_cli, roster, LULIANG, "2021-06-01", tmp_path / "issue", ledger_url)
    assert issued.code == 0, issued.stderr

    expected = luliang_issued_as_entitled(issued, data, tmp_path / "issue")

    no = numbers(issued)
    wang, li, zhao, sun = L_PEOPLE[1], L_PEOPLE[2], L_PEOPLE[3], L_PEOPLE[4]
    share = threshold(data)
    completions = make_xlsx(
        {
            "结业核销": [
                DONE_HEADER,
                done(no[("王壮", "普惠制培训")], wang, days=(20, 18)),  # 2: redeemed
                done(no[("王壮", "等级评价")], wang, days=None, hours=(40, "31.5")),  # 3: 78.75 % < 80 %
                done(no[("李中", "普惠制培训")], li, days=None, hours=(40, 32), inst=(INST_B_NAME, INST_B)),  # 4: 80 %
                done(no[("李中", "等级评价")], li, passed="不合格"),  # 5: failed the assessment
                done(no[("王壮", "企业培训")], li),  # 6: 王壮's voucher with 李中's ID
                done("LL2021060199999", wang),  # 7: no such voucher
                done(no[("王壮", "普惠制培训")], wang),  # 8: the same voucher again in this file
                done(None, zhao),  # 9: by ID only: 赵老 holds one voucher
                done(no[("孙明", "普惠制培训")], sun, inst=("无代码培训点", None)),  # 10: no credit code
            ]
        },
        name="done.xlsx",
    )
    # A dry run reads the ledger and writes nothing to it.
    dry = redeem(run_cli, completions, "2021-10-08", tmp_path / "dry", ledger_url)
    assert dry.code == 1 and dry.json["run_id"] is None
    assert voucher_runs(run_cli, ledger_url) == []
    result = redeem(run_cli, completions, "2021-10-08", tmp_path / "redeem", ledger_url, "--commit")
    assert result.code == 1, result.stderr
    assert codes_by_row(result) == {
        3: ["voucher.attendance-low"],
        5: ["voucher.not-passed"],
        6: ["voucher.wrong-person"],
        7: ["voucher.unknown"],
        8: ["voucher.duplicate-in-file"],
        10: ["voucher.institution-code-missing"],
    }
    low = next(e for e in result.json["exceptions"] if e["row"] == 3)
    assert f"{Decimal('31.5') * 100 / 40:.2f}%" in low["message_zh"] and f"{share * 100:.2f}%" in low["message_zh"]
    paid = [(r["row"], r["voucher_no"], r["institution_id"], r["amount_fen"]) for r in result.json["redeemed"]]
    assert paid == [
        (2, no[("王壮", "普惠制培训")], INST_A, face_fen(data, "普惠制培训")),
        (4, no[("李中", "普惠制培训")], INST_B, face_fen(data, "普惠制培训")),
        (9, no[("赵老", "普惠制培训")], INST_A, face_fen(data, "普惠制培训")),
    ]
    total = 3 * face_fen(data, "普惠制培训")
    assert result.json["total_fen"] == total and result.json["counts"] == {"redeemed": 3, "exception_rows": 6}
    assert len(read_csv(tmp_path / "redeem" / "redeemed.csv")) == 3
    reasons_follow_lang(run_cli, completions, result, tmp_path, ledger_url)
    (run,) = voucher_runs(run_cli, ledger_url)
    assert run["run_id"] == result.json["run_id"] and run["policy_id"] == LULIANG
    assert (run["period"], run["line_count"], run["total_fen"]) == ("2021-10", 3, total)

    institutions_paid(run_cli, make_xlsx, run["run_id"], face_fen(data, "普惠制培训"), tmp_path, ledger_url)

    # status: as of the redemption day, by category and by age group.
    now = status(run_cli, ledger_url, "2021-10-08")
    n = len(expected)
    assert now["totals"] == {
        "issued": n,
        "redeemed": 3,
        "expired": 0,
        "open": n - 3,
        "face_fen": issued.json["face_fen"],
        "paid_fen": total,
        "rate": pct(3, n),
    }
    per_category = Counter(c for _, c in expected)
    assert {r["category"]: (r["issued"], r["redeemed"], r["rate"]) for r in now["by_category"]} == {
        c: (k, 3 if c == "普惠制培训" else 0, pct(3 if c == "普惠制培训" else 0, k)) for c, k in per_category.items()
    }
    groups = Counter(
        group_of(data, age(p.birth, L_DAY)) for p in L_PEOPLE for _ in entitled(data, p.birth, p.category, L_DAY)
    )
    redeemed_groups = Counter(group_of(data, age(p.birth, L_DAY)) for p in (wang, li, zhao))
    assert [(r["age_group"], r["issued"], r["redeemed"], r["rate"]) for r in now["by_age_group"]] == [
        (g, groups[g], redeemed_groups[g], pct(redeemed_groups[g], groups[g])) for g in ("18-45", "46-60", "60+")
    ]

    # report: the voucher lines are funds of October; the vouchers were issued in June.
    october = run_cli("report", "month", "2021-10", "--ledger", ledger_url, "--json")
    assert october.code == 0, october.stderr
    assert [(s["rule"], s["subsidy"], s["fen"]) for s in october.json["by_subsidy"]] == [
        ("V1", "电子培训券·普惠制培训", total)
    ]
    assert october.json["vouchers"]["totals"]["issued"] == 0
    assert october.json["vouchers"]["totals"]["redeemed_in_period"] == 3
    assert october.json["vouchers"]["totals"]["paid_in_period_fen"] == total
    june = run_cli("report", "month", "2021-06", "--ledger", ledger_url, "--json").json["vouchers"]
    assert (june["as_of"], june["totals"]["issued"], june["totals"]["redeemed"]) == ("2021-06-30", n, 0)
    year = run_cli("report", "year", "2021", "--ledger", ledger_url, "--out", tmp_path / "2021.xlsx", "--json")
    assert year.code == 0, year.stderr
    assert year.json["vouchers"]["totals"]["rate"] == pct(3, n)
    cells = list(openpyxl.load_workbook(tmp_path / "2021.xlsx")["培训券"].iter_rows(min_row=3, values_only=True))
    assert cells[0][:6] == ("合计", None, n, 3, 0, n - 3)
    assert Decimal(str(cells[0][6])) == Decimal(pct(3, n))


# -- Meishan: by 人员类别, redeemed by ID and category ---------------------------------------------------
M_DAY = dt.date(2020, 10, 15)
M_PEOPLE = [
    Person(11, "蔡斌", "2004-03-01", "在校学生"),  # 16: the first age group starts at the minimum working age
    Person(12, "蔡小", "2005-06-01", "在校学生"),  # 15: too young
    Person(13, "何工", "1985-04-04", "企业职工"),  # 35
    Person(14, "罗农", "1980-08-08", "农村转移劳动力"),  # 40: not among the groups S0 names
    Person(15, "杨空", "1990-01-01", None),  # 人员类别 blank: no listed group
    Person(16, "陈贫", "1958-02-02", "脱贫劳动力"),  # 62
]


def test_vouchers__meishan_lifecycle(run_cli: Any, make_xlsx: Any, tmp_path: Path, ledger_url: str) -> None:
    data = program(MEISHAN)
    roster = make_xlsx({"名单": [ROSTER_HEADER, *(p.row() for p in M_PEOPLE)]}, name="roster.xlsx")
    issued = issue(run_cli, roster, MEISHAN, "2020-10-15", tmp_path / "issue", ledger_url)
    assert issued.code == 0, issued.stderr
    expected = [(p.name, c) for p in M_PEOPLE for c in entitled(data, p.birth, p.category, M_DAY)]
    assert [(v["name"], v["category"]) for v in issued.json["issued"]] == expected
    assert {v["name"] for v in issued.json["issued"]} == {"蔡斌", "何工", "陈贫"}
    codes = Counter((r["name"], r["code"]) for r in issued.json["not_issued"])
    assert codes == {
        ("蔡斌", "voucher.not-for-category"): 1,  # 企业培训
        ("蔡小", "voucher.age-outside"): 1,
        ("何工", "voucher.not-for-category"): 1,  # 普惠制培训
        ("罗农", "voucher.not-for-category"): 3,
        ("杨空", "voucher.not-for-category"): 3,  # blank is no listed group, never "undecided"
        ("陈贫", "voucher.not-for-category"): 1,  # 企业培训
    }
    assert all(v["voucher_no"].startswith("MS20201015") for v in issued.json["issued"])
    no = numbers(issued)
    cai, he, chen = M_PEOPLE[0], M_PEOPLE[2], M_PEOPLE[5]
    inst = (INST_M_NAME, INST_M)
    completions = make_xlsx(
        {
            "结业核销表": [
                ["眉山市职业培训券结业核销表"],
                DONE_HEADER,
                done(None, cai, category="普惠制培训", end="2021-01-10", inst=inst),  # 3: by ID and category
                done(no[("何工", "企业培训")], he, end="2021-01-10", inst=inst),  # 4
                done(None, chen, end="2021-01-10", inst=inst),  # 5: holds two open vouchers: which one?
                ["合计", None, None, None, None, None, None, None, None, None, None, None],
            ]
        },
        name="done.xlsx",
    )
    result = redeem(run_cli, completions, "2021-01-20", tmp_path / "redeem", ledger_url, "--commit")
    assert result.code == 1, result.stderr
    assert codes_by_row(result) == {5: ["voucher.ambiguous"]}
    ambiguous = result.json["exceptions"][0]["message_zh"]
    assert no[("陈贫", "普惠制培训")] in ambiguous and no[("陈贫", "等级评价")] in ambiguous
    assert [(r["row"], r["voucher_no"], r["amount_fen"]) for r in result.json["redeemed"]] == [
        (3, no[("蔡斌", "普惠制培训")], face_fen(data, "普惠制培训")),
        (4, no[("何工", "企业培训")], face_fen(data, "企业培训")),
    ]
    total = face_fen(data, "普惠制培训") + face_fen(data, "企业培训")
    (run,) = voucher_runs(run_cli, ledger_url)
    assert (run["policy_id"], run["period"], run["total_fen"]) == (MEISHAN, "2021-01", total)
    accounts = tmp_path / "accounts.csv"
    accounts.write_text(f"统一社会信用代码,账号,开户行\n{INST_M},{INST_M_ACCOUNT},眉山农商银行\n", encoding="utf-8")
    bank = run_cli(
        "export-bank", run["run_id"], "--out", tmp_path / "bank.xlsx", "--ledger", ledger_url, "--accounts", accounts
    )
    assert bank.code == 0, bank.stderr
    returned = tmp_path / "回盘.csv"
    returned.write_text(
        f"户名,账号,金额,状态\n{INST_M_NAME},{INST_M_ACCOUNT},{Decimal(total) / 100:.2f},成功\n", encoding="utf-8"
    )
    rec = run_cli("reconcile", returned, "--ledger", ledger_url, "--out", tmp_path / "rec", "--json")
    assert rec.code == 0, rec.stderr
    assert rec.json["counts"]["paid"] == 1
    year = run_cli("report", "year", "2021", "--ledger", ledger_url, "--json").json
    assert year["totals"]["paid_fen"] == total  # the bank's confirmation reaches the fund report
    assert year["totals"]["certified"] == 0  # neither redemption was a 等级评价
    v2020 = run_cli("report", "year", "2020", "--ledger", ledger_url, "--json").json["vouchers"]
    assert v2020["totals"]["issued"] == len(expected) and v2020["totals"]["redeemed"] == 0  # as of 2020-12-31
    assert v2020["totals"]["open"] == len(expected)


# -- one rule at a time ------------------------------------------------------------------------------------
def one_person_roster(make_xlsx: Any, *people: Person, name: str = "roster.xlsx") -> Path:
    return make_xlsx({"花名册": [ROSTER_HEADER, *(p.row() for p in people)]}, name=name)


def test_vouchers__double_redemption_in_a_second_run_and_after_a_void(
    run_cli: Any, make_xlsx: Any, tmp_path: Path, ledger_url: str
) -> None:
    wang = L_PEOPLE[1]
    issued = issue(run_cli, one_person_roster(make_xlsx, wang), LULIANG, "2021-06-01", tmp_path / "i", ledger_url)
    voucher = numbers(issued)[("王壮", "普惠制培训")]
    completions = make_xlsx({"核销": [DONE_HEADER, done(voucher, wang)]}, name="done.xlsx")
    first = redeem(run_cli, completions, "2021-10-08", tmp_path / "r1", ledger_url, "--commit")
    assert first.code == 0, first.stderr
    again = redeem(run_cli, completions, "2021-10-09", tmp_path / "r2", ledger_url, "--commit")
    assert again.code == 1 and again.json["run_id"] is None
    assert codes_by_row(again) == {2: ["voucher.already-redeemed"]}
    assert first.json["run_id"] in again.json["exceptions"][0]["message_zh"]
    assert len(voucher_runs(run_cli, ledger_url)) == 1
    # A void reverses the payment: the voucher can be redeemed again (the next generation), once.
    voided = run_cli("ledger", "void", first.json["run_id"], "--reason", "机构报错结业日期", "--ledger", ledger_url)
    assert voided.code == 0, voided.stderr
    assert status(run_cli, ledger_url, "2021-10-10")["totals"]["redeemed"] == 0
    third = redeem(run_cli, completions, "2021-10-10", tmp_path / "r3", ledger_url, "--commit")
    assert third.code == 0, third.stderr
    assert status(run_cli, ledger_url, "2021-10-10")["totals"]["redeemed"] == 1
    fourth = redeem(run_cli, completions, "2021-10-11", tmp_path / "r4", ledger_url, "--commit")
    assert codes_by_row(fourth) == {2: ["voucher.already-redeemed"]}
    assert third.json["run_id"] in fourth.json["exceptions"][0]["message_zh"]


def test_vouchers__two_redemptions_at_once_cannot_both_commit(
    run_cli: Any, make_xlsx: Any, tmp_path: Path, ledger_url: str
) -> None:
    wang = L_PEOPLE[1]
    issued = issue(run_cli, one_person_roster(make_xlsx, wang), LULIANG, "2021-06-01", tmp_path / "i", ledger_url)
    voucher = numbers(issued)[("王壮", "普惠制培训")]
    completions = make_xlsx({"核销": [DONE_HEADER, done(voucher, wang)]}, name="done.xlsx")
    env = {
        "SKILLCLI_FAULT_PAUSE": "ledger-commit",
        "SKILLCLI_FAULT_MARKER": str(tmp_path / "reached"),
        "SKILLCLI_FAULT_RELEASE": str(tmp_path / "release"),
    }

    def args(out: str) -> list[object]:
        return ["vouchers", "redeem", completions, "--date", "2021-10-08", "--out", tmp_path / out, "--ledger",
                ledger_url, "--commit", "--json"]  # fmt: skip

    first = spawn(args("a"), env)
    deadline = time.monotonic() + 60
    while not (tmp_path / "reached").exists():  # the first run is inside its transaction
        assert time.monotonic() < deadline and first.poll() is None, first.communicate()
        time.sleep(0.05)
    second = spawn(args("b"), {})
    time.sleep(1.0)  # let the second run reach the ledger and wait on the first
    (tmp_path / "release").write_text("go", encoding="utf-8")
    first_out, first_err = first.communicate(timeout=120)
    second_out, second_err = second.communicate(timeout=120)
    assert first.returncode == 0, first_err
    (run,) = voucher_runs(run_cli, ledger_url)
    assert run["run_id"] == json.loads(first_out)["run_id"] and run["line_count"] == 1
    assert "Traceback" not in second_err
    if second.returncode == 4:  # it read the ledger before the first committed, and lost on the unique key
        assert run["run_id"] in second_err
    else:  # it waited for the first run's lock, then saw the voucher redeemed
        assert second.returncode == 1, second_err
        assert [e["code"] for e in json.loads(second_out)["exceptions"]] == ["voucher.already-redeemed"]
    assert status(run_cli, ledger_url, "2021-10-08")["totals"]["redeemed"] == 1


def test_vouchers__expiry_and_reissue_after_it(run_cli: Any, make_xlsx: Any, tmp_path: Path, ledger_url: str) -> None:
    data = program(LULIANG)
    wang = L_PEOPLE[1]
    roster = one_person_roster(make_xlsx, wang)
    issued = issue(run_cli, roster, LULIANG, "2021-06-01", tmp_path / "i", ledger_url)
    last_day = expiry(data, L_DAY)
    voucher = numbers(issued)[("王壮", "普惠制培训")]
    completions = make_xlsx(
        {"核销": [DONE_HEADER, done(voucher, wang, end=(last_day - dt.timedelta(days=5)).isoformat())]}
    )
    late = redeem(
        run_cli, completions, (last_day + dt.timedelta(days=1)).isoformat(), tmp_path / "late", ledger_url, "--commit"
    )
    assert late.code == 1
    assert codes_by_row(late) == {2: ["voucher.expired"]}
    assert last_day.isoformat() in late.json["exceptions"][0]["message_zh"]
    on_time = redeem(run_cli, completions, last_day.isoformat(), tmp_path / "ok", ledger_url)  # the last valid day
    assert on_time.code == 0 and on_time.json["counts"]["redeemed"] == 1
    count = len(issued.json["issued"])
    before = status(run_cli, ledger_url, last_day.isoformat())["totals"]
    after = status(run_cli, ledger_url, (last_day + dt.timedelta(days=1)).isoformat())["totals"]
    assert (before["open"], before["expired"]) == (count, 0)
    assert (after["open"], after["expired"], after["rate"]) == (0, count, pct(0, count))
    # Expired vouchers are not open: the same person is issued new ones.
    next_day = last_day + dt.timedelta(days=1)
    again = issue(run_cli, roster, LULIANG, next_day.isoformat(), tmp_path / "i2", ledger_url)
    assert again.code == 0 and again.json["batch_id"] is not None
    assert len(again.json["issued"]) == count
    assert all(v["voucher_no"].startswith(f"LL{next_day:%Y%m%d}") for v in again.json["issued"])


def test_vouchers__reissuing_the_same_roster_issues_nothing_new(
    run_cli: Any, make_xlsx: Any, tmp_path: Path, ledger_url: str
) -> None:
    people = L_PEOPLE[1:3]
    roster = one_person_roster(make_xlsx, *people)
    first = issue(run_cli, roster, LULIANG, "2021-06-01", tmp_path / "a", ledger_url)
    assert first.code == 0 and first.json["batch_id"]
    second = issue(run_cli, roster, LULIANG, "2021-06-01", tmp_path / "b", ledger_url)
    assert second.code == 0, second.stderr
    assert second.json["batch_id"] is None and second.json["issued"] == []
    assert "no new vouchers" in run_cli(
        "vouchers", "issue", roster, "--program", LULIANG, "--date", "2021-06-02", "--out", tmp_path / "c",
        "--ledger", ledger_url, "--lang", "en",
    ).stdout  # fmt: skip
    held = {(r["name"], r["category"]) for r in second.json["not_issued"] if r["code"] == "voucher.already-open"}
    assert held == set(numbers(first))
    assert status(run_cli, ledger_url, "2021-06-30")["totals"]["issued"] == len(first.json["issued"])
    assert read_csv(tmp_path / "b" / "issued.csv") == []
    # A new person on the same day continues the day's sequence.
    newcomer = L_PEOPLE[5]
    third = issue(run_cli, one_person_roster(make_xlsx, *people, newcomer, name="more.xlsx"), LULIANG, "2021-06-01",
                  tmp_path / "d", ledger_url)  # fmt: skip
    start = len(first.json["issued"]) + 1
    assert [v["voucher_no"] for v in third.json["issued"]] == [
        f"LL20210601{i:05d}" for i in range(start, start + len(third.json["issued"]))
    ]
    assert {v["name"] for v in third.json["issued"]} == {newcomer.name}


def test_vouchers__rows_with_errors_and_repeated_people_get_nothing(
    run_cli: Any, make_xlsx: Any, tmp_path: Path, ledger_url: str
) -> None:
    """A full training roster works too; a bad ID blocks its row, a person in two classes gets one set."""
    wang, li = L_PEOPLE[1], L_PEOPLE[2]
    header = [*ROSTER_HEADER, "培训类型", "职业(工种)", "开班日期", "结业日期", "班级编号"]
    bad_id = wang.id[:-1] + ("1" if wang.id[-1] != "1" else "2")
    roster = make_xlsx(
        {
            "花名册": [
                header,
                [*wang.row(), "就业技能培训", "护工", "2021-06-05", "2021-07-05", "C1"],
                [*wang.row(), "就业技能培训", "厨师", "2021-08-05", "2021-09-05", "C2"],
                ["坏号", bad_id, "企业职工", "就业技能培训", "护工", "2021-06-05", "2021-07-05", "C1"],
                [*li.row(), "就业技能培训", "护工", "2021-06-05", "2021-07-05", "C1"],
            ]
        }
    )
    result = issue(run_cli, roster, LULIANG, "2021-06-01", tmp_path / "i", ledger_url)
    assert result.code == 1, result.stderr  # a row has an error
    assert {(r["row"], r["code"]) for r in result.json["not_issued"] if r["category"] == "（全部）"} == {
        (3, "voucher.repeat-in-roster"),
        (4, "voucher.blocked"),
    }
    blocked = next(r for r in result.json["not_issued"] if r["code"] == "voucher.blocked")
    assert blocked["value"] == "id.checksum" and "校验位" in blocked["message_zh"]
    assert {v["name"] for v in result.json["issued"]} == {"王壮", "李中"}
    assert len([v for v in result.json["issued"] if v["name"] == "王壮"]) == 3


def test_vouchers__attendance_threshold_and_other_parameters_can_be_overridden(
    run_cli: Any, make_xlsx: Any, tmp_path: Path, ledger_url: str
) -> None:
    data = program(LULIANG)
    wang = L_PEOPLE[1]
    # face_puhui is an assumption: overridden at issue, the voucher carries that value to redemption.
    assert data["parameters"]["face_puhui"]["assumption"] is True
    issued = issue(run_cli, one_person_roster(make_xlsx, wang), LULIANG, "2021-06-01", tmp_path / "i", ledger_url,
                   "--param", "face_puhui=1200")  # fmt: skip
    faces = {v["category"]: v["face_fen"] for v in issued.json["issued"]}
    assert faces == {c: (120000 if c == "普惠制培训" else face_fen(data, c)) for c in faces}
    no = numbers(issued)
    # 17 of 20 days is 85 %: enough at the file's threshold, not at --param min_attendance=0.9.
    assert threshold(data) <= Decimal(17) / 20 < Decimal("0.9")
    completions = make_xlsx({"核销": [DONE_HEADER, done(no[("王壮", "普惠制培训")], wang, days=(20, 17))]})
    strict = redeem(
        run_cli, completions, "2021-10-08", tmp_path / "strict", ledger_url, "--param", "min_attendance=0.9"
    )
    assert codes_by_row(strict) == {2: ["voucher.attendance-low"]}
    assert (
        "85.00%" in strict.json["exceptions"][0]["message_zh"]
        and "90.00%" in strict.json["exceptions"][0]["message_zh"]
    )
    default = redeem(run_cli, completions, "2021-10-08", tmp_path / "default", ledger_url, "--commit")
    assert default.code == 0 and default.json["total_fen"] == 120000  # the face value fixed at issue
    assert run_cli("vouchers", "redeem", completions, "--out", tmp_path / "x", "--ledger", ledger_url,
                   "--param", "no_such=1").code == 2  # fmt: skip
    assert run_cli("vouchers", "programs", "--param", "no_such=1").code == 2
    listed = run_cli("vouchers", "programs", "--param", "validity_days=30", "--json").json["programs"]
    luliang = next(p for p in listed if p["id"] == LULIANG)
    assert luliang["validity_days"] == 30 and luliang["parameters"]["validity_days"]["overridden"] is True
    assert {p["id"] for p in listed} == {LULIANG, MEISHAN}
    assumptions = {name for name, p in luliang["parameters"].items() if p["assumption"]}
    assert assumptions == {n for n, p in data["parameters"].items() if p.get("assumption")}


def test_vouchers__every_voucher_code_comes_out(run_cli: Any, make_xlsx: Any, tmp_path: Path, ledger_url: str) -> None:
    """One issue and one redemption that between them emit every ``voucher.*`` code of the catalogue."""
    wang, li, zhao = L_PEOPLE[1], L_PEOPLE[2], L_PEOPLE[3]
    header = [*ROSTER_HEADER, "培训类型", "职业(工种)", "开班日期", "结业日期", "班级编号"]
    roster = make_xlsx(
        {
            "花名册": [
                header,
                [*wang.row(), "就业技能培训", "护工", "2021-06-05", "2021-07-05", "C1"],
                [*wang.row(), "就业技能培训", "厨师", "2021-08-05", "2021-09-05", "C2"],  # repeat-in-roster
                ["无号", None, None, "就业技能培训", "护工", "2021-06-05", "2021-07-05", "C1"],  # blocked
                [*L_PEOPLE[0].row(), "就业技能培训", "护工", "2021-06-05", "2021-07-05", "C1"],  # age-outside
                [*li.row(), "就业技能培训", "护工", "2021-06-05", "2021-07-05", "C1"],  # not-for-category
                [*zhao.row(), "就业技能培训", "护工", "2021-06-05", "2021-07-05", "C1"],  # not-for-age-group
            ]
        },
        name="l.xlsx",
    )
    first = issue(run_cli, roster, LULIANG, "2021-06-01", tmp_path / "i1", ledger_url)
    again = issue(run_cli, roster, LULIANG, "2021-06-01", tmp_path / "i2", ledger_url)  # already-open
    blank = Person(21, "空类", "1990-01-01", None)
    poor = Person(22, "贫户", "1980-01-01", "贫困户")  # likely-alias: 贫困户 may mean 脱贫劳动力
    meishan = issue(
        run_cli,
        one_person_roster(make_xlsx, blank, M_PEOPLE[0], poor, name="m.xlsx"),
        MEISHAN,
        "2021-06-01",
        tmp_path / "i3",
        ledger_url,
    )  # fmt: skip  (blank 人员类别)
    sun = L_PEOPLE[4]
    short = issue(run_cli, one_person_roster(make_xlsx, sun, name="s.xlsx"), LULIANG, "2021-06-01", tmp_path / "i4",
                  ledger_url, "--param", "validity_days=30")  # fmt: skip
    assert {v["expiry_date"] for v in short.json["issued"]} == {"2021-06-30"}
    no = numbers(first)
    ms = numbers(meishan)[("蔡斌", "普惠制培训")]
    bad = wrong_check(INST_A)
    rows = [
        DONE_HEADER,
        done(None, None, person_id=None),  # 2 no-key
        done("LL2021060100999", wang),  # 3 unknown
        done(None, L_PEOPLE[5]),  # 4 no-voucher
        done(None, wang),  # 5 ambiguous: 王壮 holds three
        done(ms, M_PEOPLE[0]),  # 6 other-program
        done(no[("王壮", "企业培训")], li),  # 7 wrong-person
        done(no[("王壮", "普惠制培训")], wang),  # 8 redeemed (before the file: see below) → already-redeemed
        done(no[("李中", "普惠制培训")], li),  # 9 redeemed here
        done(no[("李中", "普惠制培训")], li),  # 10 duplicate-in-file
        done(no[("王壮", "等级评价")], wang, end="2021-05-20"),  # 11 before-issue
        done(no[("李中", "等级评价")], li, end="2022-01-01"),  # 12 not-ended
        done(no[("赵老", "普惠制培训")], zhao, end="2021/13/40", inst=(INST_A_NAME, bad)),  # 13 bad date + bad code
        done(no[("王壮", "企业培训")], wang, days=None, passed=None),  # 14 no attendance, not passed
        done(no[("王壮", "企业培训")], wang, days=(20, 10), inst=(INST_A_NAME, None)),  # 15 low + no code
        done(numbers(short)[("孙明", "普惠制培训")], sun, end="2021-06-20"),  # 16 expired on 2021-06-30
    ]
    completions = make_xlsx({"核销": rows}, name="done.xlsx")
    earlier = make_xlsx({"核销": [DONE_HEADER, done(no[("王壮", "普惠制培训")], wang)]}, name="earlier.xlsx")
    assert redeem(run_cli, earlier, "2021-10-01", tmp_path / "r0", ledger_url, "--commit").code == 0
    mixed = redeem(run_cli, completions, "2021-10-08", tmp_path / "mixed", ledger_url)
    assert mixed.code == 2 and "--program" in mixed.stderr  # vouchers of two programmes in one file
    result = redeem(run_cli, completions, "2021-10-08", tmp_path / "r", ledger_url, "--program", LULIANG)
    assert result.code == 1, result.stderr
    assert codes_by_row(result) == {
        2: ["voucher.no-key"],
        3: ["voucher.unknown"],
        4: ["voucher.no-voucher"],
        5: ["voucher.ambiguous"],
        6: ["voucher.other-program"],
        7: ["voucher.wrong-person"],
        8: ["voucher.already-redeemed"],
        10: ["voucher.duplicate-in-file"],
        11: ["voucher.before-issue"],
        12: ["voucher.not-ended"],
        13: ["voucher.bad-end-date", "voucher.institution-code-invalid"],
        14: ["voucher.no-attendance", "voucher.not-passed"],
        15: ["voucher.institution-code-missing", "voucher.attendance-low"],
        16: ["voucher.expired"],
    }
    assert [r["row"] for r in result.json["redeemed"]] == [9]
    emitted = {r["code"] for r in first.json["not_issued"] + again.json["not_issued"] + meishan.json["not_issued"]}
    emitted |= {e["code"] for e in result.json["exceptions"]}
    assert emitted == {slug for slug in CATALOGUE if slug.startswith("voucher.")}
    for e in result.json["exceptions"]:
        assert e["message_zh"] and e["message_en"] and "{" not in e["message_zh"] + e["message_en"]


def test_vouchers__a_redeemed_voucher_counts_towards_a_payout_yearly_limit(
    run_cli: Any, make_xlsx: Any, tmp_path: Path, ledger_url: str
) -> None:
    """Lüliang is a city of Shanxi: a training paid by voucher is one of the person's three subsidised
    trainings a year (S2a 二(六), E1), so a Shanxi payout in the same ledger sees it."""
    wang = L_PEOPLE[1]
    employer = valid_uscc("91141100MA0K1234X")
    header = [
        "姓名",
        "身份证号码",
        "培训类型",
        "职业(工种)",
        "培训等级",
        "开班日期",
        "结业日期",
        "单位名称",
        "统一社会信用代码",
    ]
    batch = make_xlsx(
        {
            "花名册": [
                header,
                *(
                    [
                        wang.name,
                        wang.id,
                        "岗前培训",
                        occupation,
                        "无等级",
                        f"2021-{m:02d}-01",
                        f"2021-{m:02d}-15",
                        "吕梁某厂",
                        employer,
                    ]
                    for occupation, m in (("车工", 10), ("钳工", 11), ("焊工", 12))
                ),
            ]
        },
        name="payout.xlsx",
    )

    def payout(out: str) -> Any:
        return run_cli("payout", batch, "--policy", "shanxi-2019", "--period", "2021-12", "--out", tmp_path / out,
                       "--ledger", ledger_url, "--json", "--show-ids")  # fmt: skip

    issued = issue(run_cli, one_person_roster(make_xlsx, wang), LULIANG, "2021-06-01", tmp_path / "i", ledger_url)
    before = payout("p1")
    assert before.code == 0 and before.json["counts"]["paid"] == 3, before.stderr
    completions = make_xlsx({"核销": [DONE_HEADER, done(numbers(issued)[("王壮", "普惠制培训")], wang)]})
    redeemed = redeem(run_cli, completions, "2021-10-08", tmp_path / "r", ledger_url, "--commit")
    assert redeemed.code == 0, redeemed.stderr
    after = payout("p2")
    assert after.code == 1 and after.json["counts"]["paid"] == 2
    (limit,) = after.json["exceptions"]
    assert (limit["code"], limit["row"]) == ("limit.yearly", 4)  # the last to end, 焊工 in December
    assert redeemed.json["run_id"] in limit["message_zh"]


def test_vouchers__every_code_literal_in_the_source_is_catalogued() -> None:
    import ast
    import re

    pattern = re.compile(r"^voucher\.[a-z0-9]+(?:-[a-z0-9]+)*$")
    literals = {
        node.value
        for path in (ROOT / "src" / "skillcli").rglob("*.py")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and pattern.match(node.value)
    }
    assert len(literals) > 10
    assert literals <= set(CATALOGUE)


# -- the ledger's version, files and usage errors -------------------------------------------------------------
def test_vouchers__old_ledger_is_migrated_and_nothing_else_changes(
    run_cli: Any, make_xlsx: Any, tmp_path: Path
) -> None:
    from sqlalchemy import insert

    from skillcli.ledger import schema
    from skillcli.ledger.store import Ledger, now_text

    path = tmp_path / "old.sqlite"
    old = Ledger.open(str(path))
    with old.transaction() as conn:  # a ledger made before vouchers existed: version 1 only
        schema.schema_version.create(conn)
        schema.MIGRATIONS[0][2](conn)
        conn.execute(insert(schema.schema_version).values(version=1, applied_at=now_text(), description="v1"))
    roster = one_person_roster(make_xlsx, L_PEOPLE[1])
    refused = issue(run_cli, roster, LULIANG, "2021-06-01", tmp_path / "i", str(path))
    assert refused.code == 2 and "ledger migrate" in refused.stderr
    assert "v2" in run_cli("ledger", "migrate", "--ledger", path).stdout
    assert issue(run_cli, roster, LULIANG, "2021-06-01", tmp_path / "i", str(path)).code == 0


def test_vouchers__usage_errors_and_masking(run_cli: Any, make_xlsx: Any, tmp_path: Path) -> None:
    ledger = str(tmp_path / "l.sqlite")
    assert run_cli("ledger", "init", "--ledger", ledger).code == 0
    roster = one_person_roster(make_xlsx, L_PEOPLE[1])
    assert issue(run_cli, roster, "nowhere-2020", "2021-06-01", tmp_path / "o", ledger).code == 2
    outside = issue(run_cli, roster, LULIANG, "2020-06-01", tmp_path / "o", ledger)
    assert outside.code == 2 and "2020-06-01" in outside.stderr  # before the programme's effective date
    assert issue(run_cli, roster, LULIANG, "2021-13-01", tmp_path / "o", ledger).code == 2
    # Without --show-ids the screen and the JSON carry masked IDs only (run_cli checks the screen).
    shown = run_cli("vouchers", "issue", roster, "--program", LULIANG, "--date", "2021-06-01", "--out",
                    tmp_path / "m", "--ledger", ledger, "--json")  # fmt: skip
    assert shown.code == 0
    assert all("*" in v["person_id"] for v in shown.json["issued"])
    assert L_PEOPLE[1].id in (tmp_path / "m" / "issued.csv").read_text(encoding="utf-8-sig")  # files carry them whole
    # An old 15-digit ID blocks its row; its 18-digit form in the finding's message is masked too.
    old = make_xlsx({"花名册": [ROSTER_HEADER, ["旧号", "320506900307011", "企业职工"]]}, name="old.xlsx")
    blocked = run_cli("vouchers", "issue", old, "--program", LULIANG, "--date", "2021-06-01", "--out",
                      tmp_path / "b", "--ledger", ledger, "--json")  # fmt: skip
    assert blocked.code == 1
    assert [(r["code"], r["value"]) for r in blocked.json["not_issued"]] == [("voucher.blocked", "id.old-15-digit")]
    assert run_cli("vouchers", "status", "--ledger", tmp_path / "none.sqlite").code == 2  # no ledger yet


def test_vouchers__rules_check_lints_the_programmes(run_cli: Any, tmp_path: Path) -> None:
    ok = run_cli("rules", "check", ROOT / "rules")
    assert ok.code == 0, ok.stderr
    assert "luliang-2021.yaml" in ok.stdout  # the Lüliang programme ended in 2025: a stale warning
    broken = tmp_path / "rules" / "vouchers"
    broken.mkdir(parents=True)
    text = (ROOT / "rules" / "vouchers" / "meishan-2020.yaml").read_text(encoding="utf-8")
    (broken / "meishan-2020.yaml").write_text(text.replace("    max: 45\n", "    max: 50\n"), encoding="utf-8")
    (broken / "copy-2021.yaml").write_text(text.replace("clause: S0 §3          #", "#"), encoding="utf-8")
    result = run_cli("rules", "check", tmp_path / "rules", "--lang", "en")
    assert result.code == 1
    assert "overlap" in result.stdout  # 16–50 and 46–60
    assert "redemption: missing clause" in result.stdout
