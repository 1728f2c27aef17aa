"""Each language is read alone: English output carries no Chinese fragment, Chinese output no English word.

Allowed in English: what the clerk's own files hold (names, values, file, sheet and header names as written),
the policy's proper nouns (subsidy names, clause numbers, the rules file's own wording) and level names beside
their English gloss — level 4 / intermediate (四级/中级工). Allowed in Chinese: finding codes in their own
column, rule and reading ids, file names, option and parameter names. One batch triggers many codes, and a
ledger holds an earlier run so that ledger references (「2021-05 批次（R…）第 1 笔」) appear.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from skillcli.model import LEVEL_LABELS, SKIP_LABELS
from skillcli.rules.load import find_policy, load_policy, policy_paths
from skillcli.schema.columns import SPECS
from tests.support.ids import person_id
from tests.support.rosters import (
    ATTENDANCE_HEADER,
    CERT_HEADER,
    ENTERPRISE_NAME,
    PAYOUT_HEADER,
    attendance,
    certificate,
    payout_row,
)

HAN = re.compile(r"[\u3400-\u9fff]")
SUZHOU = ("--policy", "suzhou-2019", "--param", "shortage_occupations=电工")

MAY = {
    "花名册": [
        PAYOUT_HEADER,
        payout_row(1, "张伟", "技能提升", "电工", "四级/中级工", "2021-03-01", "2021-04-30", payer="个人"),
        payout_row(2, "李娜", "岗前培训", "车工", "无等级", "2021-05-01", "2021-05-10"),
    ],
    "证书": [CERT_HEADER, certificate(1, "张伟", "S000032000001214000001", "电工", "四级/中级工", "2021-05-20")],
}
JUNE = {
    "花名册": [
        [*PAYOUT_HEADER, "车间工号"],
        # Paid in May: held as already paid, naming the ledger line.
        [*payout_row(2, "李娜", "岗前培训", "车工", "无等级", "2021-05-01", "2021-05-10"), "A-01"],
        # The same occupation and level as May's line: a repeat of a ledger training (E2).
        [*payout_row(1, "张伟", "技能提升", "电工", "四级/中级工", "2021-05-01", "2021-06-10", payer="个人"), "A-02"],
        # 以工代训 with a part month (part_month), and one without a listed group.
        [
            *payout_row(3, "王芳", "以工代训", "装配工", "无等级", "2021-01-04", "2021-04-30", category="就业困难人员"),
            "",
        ],
        [*payout_row(4, "赵强", "以工代训", "装配工", "无等级", "2021-01-04", "2021-04-30"), ""],
        # A self-evaluating employer's uninsured employee (A9b, R13) and an insured one.
        [*payout_row(5, "杨静", "技能提升", "钳工", "三级/高级工", "2021-03-01", "2021-04-30", insured="否"), ""],
        [*payout_row(6, "周杰", "技能提升", "钳工", "三级/高级工", "2021-03-01", "2021-04-30"), ""],
        # A pensioner, a living allowance without attendance, a class not yet closed, a bad date and phone-less row.
        [*payout_row(7, "吴敏", "岗前培训", "车工", "无等级", "2021-05-01", "2021-05-10", pensioner="是"), ""],
        [
            *payout_row(
                8, "徐涛", "专项能力培训", "育婴员", "五级/初级工", "2021-05-01", "2021-05-20", category="低保家庭成员"
            ),
            "",
        ],
        [*payout_row(9, "孙燕", "技能提升", "焊工", "四级/中级工", "2021-05-01", "2021-07-15"), ""],
        [*payout_row(10, "马超", "岗前培训", "车工", "无等级", "2021-05-01", "2021.13.05"), ""],
        [*payout_row(10, "马超", "岗前培训", "车工", "无等级", "2021-05-01", "2021.13.05"), ""],
        [None],
        ["共12人"],
    ],
    "证书": [
        [*CERT_HEADER, "发证机构"],
        [*certificate(5, "杨静", "Y000132050005213000005", "钳工", "三级/高级工", "2021-05-20"), ENTERPRISE_NAME],
        [*certificate(6, "周杰", "Y000132050006213000006", "钳工", "三级/高级工", "2021-05-20"), ENTERPRISE_NAME],
        [*certificate(1, "张伟", "S000032000001214000009", "电工", "四级/中级工", "2021-06-15"), ""],
        [*certificate(9, "孙燕", "S000032000009213000009", "焊工", "四级/中级工", "2021-06-15"), ""],
    ],
    "考勤": [ATTENDANCE_HEADER, attendance(1, "张伟", 20, 20)],
}


@pytest.fixture
def june(make_xlsx: Any, run_cli: Any, tmp_path: Path) -> dict[str, Any]:
    """June's batch, after May's run was committed to a new SQLite ledger."""
    from skillcli.ledger.store import Ledger

    # Created as the ledger fixtures do: `ledger init` would also write skillcli.toml in the working directory.
    ledger = str(tmp_path / "ledger.sqlite")
    Ledger.open(ledger).migrate()
    may = make_xlsx(MAY, name="五月.xlsx")
    committed = run_cli(
        "payout", may, *SUZHOU, "--period", "2021-05", "--out", tmp_path / "may", "--ledger", ledger, "--commit"
    )
    assert committed.code == 0, committed.stdout + committed.stderr
    return {"batch": make_xlsx(JUNE, name="恒达精密_六月.xlsx"), "ledger": ledger}


def test_english__every_multiplier_label_has_an_english_label_citing_its_clause() -> None:
    labelled = 0
    for path in policy_paths().values():
        for rule in load_policy(path).rules:
            multiplier = rule.amount.multiplier
            if multiplier is None or not multiplier.label:
                continue
            labelled += 1
            assert multiplier.label_en, f"{path.name} {rule.id}: multiplier label without label_en"
            assert multiplier.label_en.split()[0] == multiplier.label.split()[0], (path.name, rule.id)
            assert not HAN.search(multiplier.label_en), (path.name, rule.id)
    assert labelled >= 2


def allowed_chinese() -> list[str]:
    """What English output may quote in Chinese, longest first: the inputs, the policy's own words."""
    words: set[str] = {"五月.xlsx", "恒达精密_六月.xlsx"}
    for sheets in (MAY, JUNE):
        words |= set(sheets)
        words |= {str(v) for rows in sheets.values() for row in rows for v in row if v}
    policy = load_policy(find_policy("suzhou-2019"))
    words |= {policy.title, policy.region, *policy.document.values()}
    for rule in policy.rules:
        # A multiplier's label is not allowed: English output gives its label_en.
        words |= {rule.subsidy, rule.clause}
        # A reason the rules file words in English may still name a policy term (建档立卡, 低保).
        for req in rule.require:
            words |= set(HAN_TERMS.findall(req.reason_en))
            words |= {str(c.value) for c in req.require} | {str(v) for c in req.require for v in _values(c.value)}
        words |= {str(v) for c in rule.scope for v in _values(c.value)}
    for req in policy.eligibility:
        words |= {req.clause, *HAN_TERMS.findall(req.reason_en)}
    # The template's headers, which a message names as the clerk's sheet would write them.
    words |= {column.header for specs in SPECS.values() for column in specs}
    words |= set(LEVEL_LABELS.values()) | {"结班后发放", "无证书", "合计/小计"}
    words |= {zh for zh, _ in SKIP_LABELS.values() if "/" in zh}
    return sorted((w for w in words if HAN.search(w)), key=len, reverse=True)


HAN_TERMS = re.compile(r"[\u3400-\u9fff][\u3400-\u9fff()（）\d]*")


def _values(value: Any) -> tuple[Any, ...]:
    return value if isinstance(value, tuple) else (value,)


def leftover_chinese(text: str, allowed: list[str]) -> list[str]:
    """The lines of ``text`` that still hold a Chinese character once the allowed words are taken out."""
    found = []
    for line in text.splitlines():
        stripped = line
        for word in allowed:
            stripped = stripped.replace(word, "")
        # A clause reference (二(四)6, 三(十三)) is the policy's own numbering.
        stripped = re.sub(r"[一二三四五六七八九十]+\([一二三四五六七八九十]+\)\d*", "", stripped)
        if HAN.search(stripped):
            found.append(line.strip())
    return found


def english_cells(book: Path) -> str:
    """The cells of payouts.xlsx the policy side writes in the reader's language: 明细's formula (the
    column next to 本次发放) and 不符合条件's reason, read by header."""
    found = []
    for sheet in openpyxl.load_workbook(book).worksheets:
        rows = list(sheet.iter_rows(values_only=True))
        if not rows:
            continue
        header = [str(h) for h in rows[0]]
        for name in ("Formula", "Calculation", "Reason", "计算", "原因"):
            if name in header:
                j = header.index(name)
                found += [str(row[j]) for row in rows[1:] if row[j] is not None]
        # The rules file's notes in the 说明 sheet, labelled "note" in English.
        found += [str(row[1]) for row in rows if row and row[0] == "note" and len(row) > 1]
    return "\n".join(found)


def test_english__no_chinese_fragment_outside_names_values_and_policy_terms(
    june: dict[str, Any], run_cli: Any, tmp_path: Path
) -> None:
    allowed = allowed_chinese()
    checked = run_cli("check", june["batch"], "--period", "2021-06", "--lang", "en")
    paid = run_cli(
        "payout", june["batch"], *SUZHOU, "--period", "2021-06", "--out", tmp_path / "june",
        "--ledger", june["ledger"], "--lang", "en", "--param", "part_month=round_half",
    )  # fmt: skip
    explained = [
        run_cli(
            "explain",
            person_id(n),
            june["batch"],
            *SUZHOU,
            "--period",
            "2021-06",
            "--ledger",
            june["ledger"],
            "--lang",
            "en",
            "--param",
            "part_month=round_half",
        )
        for n in (1, 2, 3, 5, 6, 8)
    ]
    screens = [checked, paid, *explained]
    text = "\n".join(r.stdout + r.stderr for r in screens)
    # The batch did trigger what the test is about: ledger references, limits, part months, A9b, a footer.
    for expected in (
        "run 2021-05 (R",
        "ledger run 2021-05 (R",
        "the part month counted as one by parameter part_month=round_half",
        "readings R13",
        "certificates of rows",
        "the footer says '共12人' but 11 data rows",
    ):
        assert expected in text, expected
    messages = [
        row["message_en"] for row in csv.DictReader((tmp_path / "june" / "exceptions.csv").open(encoding="utf-8-sig"))
    ]
    assert leftover_chinese(text, allowed) == []
    assert leftover_chinese("\n".join(messages), allowed) == []
    cells = english_cells(tmp_path / "june" / "payouts.xlsx")
    # A paid line's formula names its table row's level in English (explain shows no amount for a
    # rule the row does not meet, so the level is looked for in 明细).
    assert re.search(r"level \d / [a-z ]+ \(", cells), cells
    # A multiplier by its English label, citing its clause, in 明细 and in explain.
    a9b = "× 1.3 (A9b self-evaluating enterprise, at the shortage rate) = "
    assert a9b in cells and a9b in explained[4].stdout
    assert "is not paid per trainee and is not judged from the monthly roster" in cells  # a note, in English
    assert leftover_chinese(cells, allowed) == []


# A word of two or more letters, not part of an option (--map), a file name (payouts.xlsx) or a path.
ENGLISH_WORD = re.compile(
    r"(?<![\w.\-/$@{])[A-Za-z][A-Za-z_\-]*[a-z][A-Za-z_\-]*(?![\w\-]*\.(?:xlsx|csv|json|toml|sqlite))"
)


def test_chinese__no_english_word_outside_codes_files_and_options(
    june: dict[str, Any], run_cli: Any, tmp_path: Path
) -> None:
    policy = load_policy(find_policy("suzhou-2019"))
    allowed = {"skillcli", "xlsx", "csv", "json", "toml", "min", *policy.parameters}
    allowed |= {v for p in policy.parameters.values() if isinstance(p.value, str) for v in (p.value,)}
    allowed |= {"whole_months_only", "round_half", "count_started", "SHA", "SYB", "Excel", "template"}
    checked = run_cli("check", june["batch"], "--period", "2021-06")
    paid = run_cli(
        "payout", june["batch"], *SUZHOU, "--period", "2021-06", "--out", tmp_path / "june", "--ledger", june["ledger"]
    )
    explained = [
        run_cli("explain", person_id(n), june["batch"], *SUZHOU, "--period", "2021-06", "--ledger", june["ledger"])
        for n in (1, 2, 3, 5, 8)
    ]
    text = "\n".join(r.stdout + r.stderr for r in (checked, paid, *explained))
    assert "2021-05 批次（R" in text and "按参数 part_month 不计" in text
    # A return batch is printed as hex digits of the file's SHA-256; the settings table is [payer].
    text = re.sub(r"\b[0-9a-f]{10,64}\b", "", text).replace("[payer]", "").replace("suzhou-2019", "")
    words = set(ENGLISH_WORD.findall(text)) - allowed
    assert words == set(), [line for line in text.splitlines() if set(ENGLISH_WORD.findall(line)) - allowed]


def workbook_text(book: Path) -> str:
    """Every cell of a written workbook, one row a line."""
    return "\n".join(
        " ".join(str(v) for v in row if v is not None)
        for sheet in openpyxl.load_workbook(book).worksheets
        for row in sheet.iter_rows(values_only=True)
    )


def test_chinese__money_cycle_speaks_chinese(run_cli: Any, make_xlsx: Any, tmp_path: Path) -> None:
    # The money cycle after a payout, in Chinese: ledger runs, export-bank, reconcile, reissue,
    # statement, on screen and in the files they write. Allowed: file names, run ids, options,
    # and the identifiers the 说明 sheet names in parentheses beside their Chinese meaning.
    from skillcli.ledger.store import Ledger
    from tests.support.cycle import accounts_csv, cycle, june_return, pid

    ledger = str(tmp_path / "ledger.sqlite")
    Ledger.open(ledger).migrate()
    ids = cycle(run_cli, make_xlsx, tmp_path, ledger, advance=True)
    accounts = accounts_csv(tmp_path / "accounts.csv")
    listed = run_cli("ledger", "runs", "--ledger", ledger)
    exported = run_cli(
        "export-bank", ids["june"], "--out", tmp_path / "代发.xlsx", "--ledger", ledger, "--accounts", accounts
    )
    missing = run_cli("export-bank", ids["july"], "--out", tmp_path / "七月代发.xlsx", "--ledger", ledger)
    reconciled = run_cli("reconcile", june_return(make_xlsx), "--ledger", ledger, "--out", tmp_path / "rec")
    corrected = tmp_path / "c.csv"
    corrected.write_text(f"身份证号码,银行账号,开户行\n{pid(4)},6222000000000404,工商银行\n", encoding="utf-8")
    reissued = run_cli(
        "reissue", ids["june"], "--out", tmp_path / "补发.xlsx", "--ledger", ledger, "--accounts", corrected
    )
    stated = run_cli("statement", pid(4), "--out", tmp_path / "对账单.xlsx", "--ledger", ledger)
    voided = run_cli("ledger", "void", ids["advance"], "--reason", "重复申报", "--ledger", ledger)
    status = run_cli("ledger", "status", "--ledger", ledger)
    results = (listed, exported, missing, reconciled, reissued, stated, voided, status)
    assert [r.code for r in results] == [0, 0, 0, 1, 0, 0, 0, 0], [r.stderr for r in results]
    text = "\n".join(r.stdout + r.stderr for r in results)
    for book in (
        "代发.xlsx",
        "七月代发.xlsx",
        "补发.xlsx",
        "对账单.xlsx",
        "rec/reconciliation.xlsx",
        "june/payouts.xlsx",
    ):
        text += "\n" + workbook_text(tmp_path / book)
    # The cycle did show what the test is about: run kinds, match kinds, the payouts' parameters.
    for expected in (
        "预拨",
        "发放",
        "户名+金额",
        "证件号码+金额",
        "账号+金额",
        "紧缺职业目录（shortage_occupations） = 电工、焊工",
        "自主评价企业补贴是否要求职工参保（self_evaluation_requires_insured） = 是",
        "（北京时间）",
    ):
        assert expected in text, expected
    policy = load_policy(find_policy("suzhou-2019"))
    # min(实际费用, 上限) is the formula's own notation; seeds/… the path of the policy's source text.
    allowed = {"skillcli", "reconcile", "undo", "min", "seeds", *policy.parameters}
    allowed |= {p.value for p in policy.parameters.values() if isinstance(p.value, str)}
    # A return batch is printed as hex digits of the file's SHA-256; the settings table is [payer].
    text = re.sub(r"\b[0-9a-f]{10,64}\b", "", text).replace("[payer]", "").replace("suzhou-2019", "")
    words = set(ENGLISH_WORD.findall(text)) - allowed
    assert words == set(), [line for line in text.splitlines() if set(ENGLISH_WORD.findall(line)) - allowed]
