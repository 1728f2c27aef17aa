"""Every message a finished sentence: no placeholders, no Python reprs, no internal names.

The catalogue templates and every shipped rule's reasons are rendered with sample values; the
findings of the mistakes batch and of a payout are read through the CLI as a clerk gets them.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.support.cli import findings
from tests.support.ids import person_id, valid_id
from tests.support.rosters import ROSTER_HEADER_ROW, roster_row, roster_sheet

SAMPLE = Path(__file__).resolve().parent.parent / "sample_data"
RULES = Path(__file__).resolve().parent.parent / "rules"

# ASCII a Chinese message may hold: file formats, the program and its flags, units, and policy
# references such as rule ids (A7, E1) and clause ids (S2c 二(四)2); a single capital is a check
# character (应为 X).
ALLOWED_ASCII = {
    "Excel",
    "CSV",
    "UTF",
    "GBK",
    "GB18030",
    "MB",
    "skillcli",
    "toml",
    "template",
    "map",
    "param",
    "columns",
}
REFERENCE_RE = re.compile(r"^([A-Z]|[A-Z]\d{1,2}[a-z]?|S\d[a-z]?|R[0-9A-Za-z]+)$")


def problems(text: str, *, remove: tuple[str, ...] = ()) -> list[str]:
    """What keeps ``text`` from being a finished Chinese sentence (empty when nothing does).
    ``remove`` takes out text copied from the cell (a value may be anything the clerk typed)."""
    for copied in remove:
        if copied:
            text = text.replace(copied, "")
    # A parameter's name is what the clerk types after --param: it is named, not jargon.
    text = re.sub(r"(?:--param |参数 )[a-z][a-z_]*=?", "", text)
    found = []
    if "{" in text or "}" in text:
        found.append("placeholder brace")
    for token in ("None", "nan", "datetime", "00:00:00", "Decimal(", "[]", "()"):
        if token in text:
            found.append(f"python repr {token!r}")
    if re.search(r"(?<![\d.])\d+\.0(?![\d])", text):
        found.append("float like 440.0")
    if re.search(r"\b[a-z]+_[a-z_]+\b", text) and "--param" not in text:
        found.append("internal field name")
    for word in re.findall(r"[A-Za-z][A-Za-z0-9]*", text):
        if word not in ALLOWED_ASCII and not REFERENCE_RE.match(word):
            found.append(f"ASCII word {word!r}")
    return found


def test_problems__catches_what_it_is_meant_to_catch():
    # The checker itself: each kind of defect the issue names is caught, a finished sentence is not.
    assert problems("姓名不同：{detail}")
    assert problems("结业日期 2024-03-04 00:00:00")
    assert problems("学时之和 440.0 与总学时 240 不符")
    assert problems("没有该学员的考勤记录（online_share）")
    assert problems("→ exception")
    assert problems("须满足 「单位名称」 ∈ {}")
    assert problems("值为 None")
    assert problems("培训费用为 1,950.00 元；A7 与 E1 见 S2c 二(四)2") == []


def test_catalogue__every_template_renders_as_a_chinese_sentence():
    from skillcli.findings import CATALOGUE, render

    bad = {}
    for slug in CATALOGUE:
        zh, en = render(slug, column="培训费用", value="1200", detail="2024-03-04")
        found = problems(zh)
        if found or "{" in en:
            bad[slug] = (zh, found)
    assert bad == {}


def _policies() -> list[Any]:
    from skillcli.rules.load import load_policy

    return [load_policy(path) for path in sorted(RULES.glob("*.yaml")) if not path.name.endswith(".cases.yaml")]


def test_rules__every_condition_and_reason_of_every_policy_reads_as_chinese():
    from skillcli.rules.describe import condition_text, supply_hint

    policies = _policies()
    assert len(policies) >= 6
    bad = []
    for policy in policies:
        requirements = [*policy.eligibility, *(req for rule in policy.rules for req in rule.require)]
        conditions = [c for req in requirements for c in (*req.when, *req.require)]
        conditions += [c for rule in policy.rules for c in rule.scope]
        for cond in conditions:
            text = condition_text(cond) + supply_hint(cond)
            if problems(text.replace(f"参数 {cond.param}", "").replace(f"--param {cond.param}=", "")):
                bad.append((policy.id, cond, text))
        for req in requirements:
            if req.reason_zh and problems(req.reason_zh):
                bad.append((policy.id, req.id, req.reason_zh))
    assert bad == []


def test_rules__an_empty_list_says_which_list_and_how_to_supply_it(make_xlsx, run_cli, tmp_path):
    # A7 (Suzhou, 困难企业职工培训) needs the city's list of struggling enterprises, empty by default.
    header = ["姓名", "身份证号码", "单位名称", "培训类型", "职业(工种)", "开班日期", "结业日期"]
    row = ["王一", valid_id(seq="011"), "苏州木渎新材料科技有限公司", "在岗培训", "电工", "2021-05-01", "2021-05-20"]
    batch = make_xlsx({"花名册": [header, row]})
    result = run_cli(
        "payout", batch, "--policy", "suzhou-2019", "--period", "2021-05", "--out", tmp_path / "o", "--json"
    )
    reasons = [i["reason"] for i in result.json["ineligible"]]
    assert len(reasons) == 1
    reason = reasons[0]
    assert reason.startswith("A7：不符合条件，「单位名称」须在困难企业名单中，但困难企业名单为空")
    assert "本行为「苏州木渎新材料科技有限公司」" in reason
    assert "困难企业名单不在花名册中，无需改动工作簿" in reason  # what the clerk can do first
    assert "由操作 skillcli 的同事用 --param struggling_enterprises=名称1,名称2 提供后重新计算" in reason
    assert "∈" not in reason and "{" not in reason


def test_check__every_finding_of_the_mistakes_batch_is_a_finished_sentence(check_json):
    result = check_json(SAMPLE / "mistakes_batch.xlsx")
    assert result.json["findings"]
    for finding in result.json["findings"]:
        copied = (finding["value"], finding["column"])
        assert problems(finding["message_zh"], remove=copied) == [], finding
        assert not re.search(r"[a-z]+_[a-z_]+", finding["column"]), finding


def test_check__row_references_hours_and_levels_read_as_a_clerk_writes_them(check_json):
    result = check_json(SAMPLE / "mistakes_batch.xlsx")
    by = {(f["sheet"], f["row"], f["code"]): f["message_zh"] for f in result.json["findings"]}
    assert "首次出现在「花名册」第 14 行" in by[("花名册", 15, "roster.duplicate-person")]
    assert "总学时 240 与线上学时加线下学时之和 440 不符" in by[("考勤", 12, "attendance.hours-sum")]
    # The finding is filed under 总学时: its value is what that cell holds, not the computed sum.
    values = {(f["sheet"], f["row"], f["code"]): f["value"] for f in result.json["findings"]}
    assert values[("考勤", 12, "attendance.hours-sum")] == "240"
    assert "证书编号表示的等级是四级/中级工" in by[("证书", 10, "cert.number-level-mismatch")]
    assert "在「花名册」第 24 行「王浩宇」，与本行姓名「王浩晓」不同" in by[("考勤", 19, "name.mismatch")]
    english = {(f["sheet"], f["row"], f["code"]): f["message_en"] for f in result.json["findings"]}
    assert "first at row 14 of sheet '花名册'" in english[("花名册", 15, "roster.duplicate-person")]


def test_check__a_row_in_another_file_is_named_with_its_file(make_xlsx, check_json):
    first = make_xlsx({"花名册": roster_sheet(roster_row(1))}, name="一班.xlsx")
    second = make_xlsx({"花名册": roster_sheet(roster_row(2), roster_row(1))}, name="二班.xlsx")
    result = check_json(first, second)
    assert findings(result) == [(3, "身份证号码", "roster.duplicate-person")]
    message = result.json["findings"][0]["message_zh"]
    assert "首次出现在一班.xlsx 的「花名册」第 2 行" in message


@pytest.mark.parametrize("policy", ["wuxi-2024"])
def test_payout__held_rows_name_the_chinese_column_not_the_field(make_xlsx, run_cli, tmp_path, policy):
    # An apprentice roster without an attendance sheet: the hold names 线上学时占比, never online_share.
    path = SAMPLE / "wuxi_apprentices_2024.xlsx"
    from openpyxl import load_workbook

    book = load_workbook(path)
    for name in list(book.sheetnames):
        if name != "花名册":
            del book[name]
    roster_only = tmp_path / "roster_only.xlsx"
    book.save(roster_only)
    result = run_cli(
        "payout", roster_only, "--policy", policy, "--period", "2024-06", "--out", tmp_path / "o", "--json"
    )
    exceptions = result.json["exceptions"]
    assert exceptions
    for item in exceptions:
        assert not re.search(r"[a-z]+_[a-z_]+", item["column"] + item["message_zh"]), item


# -- the terminal --------------------------------------------------------------------------------
def test_screen__chinese_only_with_file_column_names_and_where_the_rest_is(make_xlsx, run_cli):
    from tests.support.ids import wrong_check
    from tests.support.rosters import person

    first = make_xlsx({"花名册": roster_sheet(roster_row(1, level="九级"), roster_row(2))}, name="一班.xlsx")
    second = make_xlsx(
        {"花名册": roster_sheet(*(roster_row(n, id_number=wrong_check(person_id(n))) for n in (3, 4, 5)))},
        name="二班.xlsx",
    )
    result = run_cli("check", first, second, "--period", "2024-06", "--limit", "3")
    screen = result.stdout
    # One line per problem with its count; no codes and no English in Chinese output.
    assert re.search(r"错误\s+3\s+身份证号码校验位错误", screen)
    assert "id.checksum" not in screen and "level.unknown" not in screen
    # Two inputs: a file column; the trainee's name beside the masked ID.
    line = next(text for text in screen.splitlines() if "九级" in text and "一班.xlsx" in text)
    assert person(1)["name"] in line
    assert valid_id(seq="011")[:6] + "********" in line
    assert "另有 1 条未列出。完整列表：skillcli check 加 --out 目录 写出 exceptions.xlsx，或加 --limit 4" in screen
    with_out = run_cli("check", first, second, "--period", "2024-06", "--limit", "3", "--out", first.parent / "o")
    assert f"另有 1 条未列出，完整列表见 {first.parent / 'o' / 'exceptions.xlsx'}" in with_out.stdout.replace("\n", "")
    english = run_cli("check", first, second, "--period", "2024-06", "--lang", "en").stdout
    assert "id.checksum" in english and "Findings by problem" in english


@pytest.mark.parametrize(
    ("batch", "policy", "period"),
    [("district_batch.xlsx", "suzhou-2019", "2021-06"), ("mistakes_batch.xlsx", "suzhou-2019", "2024-06")],
)
def test_payout__every_exception_and_reason_is_a_finished_sentence(run_cli, tmp_path, batch, policy, period):
    result = run_cli(
        "payout", SAMPLE / batch, "--policy", policy, "--period", period, "--out", tmp_path / "o", "--json"
    )
    payload = result.json
    assert payload["exceptions"] or payload["ineligible"]
    for item in [*payload["exceptions"], *payload["warnings"]]:
        # Cell text copied into the message (abc, 62284815O0586774445) is the clerk's own.
        copied = tuple(re.findall(r"「([^」]*)」", item["message_zh"]))
        assert problems(item["message_zh"], remove=copied) == [], item
    for item in payload["ineligible"]:
        text = item["reason"].replace("参数 struggling_enterprises", "").replace("--param struggling_enterprises=", "")
        assert problems(text) == [], item


def test_payout__screen_in_chinese_has_no_codes(run_cli, tmp_path):
    args = ("payout", SAMPLE / "mistakes_batch.xlsx", "--policy", "suzhou-2019", "--period", "2024-06")
    screen = run_cli(*args, "--out", tmp_path / "o").stdout
    assert re.search(
        r"\b\d+\s+A8：结业日期不在政策有效期 2019-01-01～2021-12-31 内（S2c 一「2019年至2021年」）", screen
    )
    for code in ("policy.not-in-force", "id.checksum", "payout.blocked-by-related", "原因代码"):
        assert code not in screen, code
    english = run_cli(*args, "--out", tmp_path / "e", "--lang", "en").stdout
    assert "policy.not-in-force" in english and "id.checksum" in english


def test_payout__a_column_the_batch_lacks_is_not_called_blank(make_xlsx, run_cli, tmp_path):
    # Shanxi's A2 decides its payee from 出资方; this roster has no such column at all.
    header = [
        "姓名",
        "身份证号码",
        "人员类别",
        "培训类型",
        "职业(工种)",
        "培训等级",
        "开班日期",
        "结业日期",
        "考核结果",
    ]
    row = [
        "王一",
        valid_id(seq="011"),
        "农村转移劳动力",
        "就业技能培训",
        "电工",
        "五级/初级工",
        "2020-05-01",
        "2020-05-20",
        "合格",
    ]
    batch = make_xlsx({"花名册": [header, row]})
    result = run_cli(
        "payout", batch, "--policy", "shanxi-2019", "--period", "2020-06", "--out", tmp_path / "o", "--json"
    )
    held = [(e["code"], e["column"], e["message_zh"]) for e in result.json["exceptions"]]
    assert held, result.stderr
    code, column, message = held[0]
    assert (code, column) == ("payout.column-not-in-batch", "出资方")
    assert "本批次的表格中没有「出资方」所需的列" in message and "请在申报表中加上该列" in message


# -- the independent acceptance read (issue 15): what a clerk reads, word for word --------------
def _acceptance_batch(make_xlsx: Any) -> Path:
    import datetime as dt

    header = [*ROSTER_HEADER_ROW, "手机号码", "人员类别", "补贴资金承担方"]
    start, end = dt.date(2024, 5, 6), dt.date(2024, 5, 15)

    def row(n: int, **changes: Any) -> list[Any]:
        extra = [changes.pop(k, d) for k, d in (("phone", "13812345678"), ("category", "企业职工"))]
        return [*roster_row(n, **{"start_date": start, "end_date": end, **changes}), *extra, "企业"]

    rows = [
        row(1, phone="1381234560", category="外来务工人员"),
        row(2, id_number=int(valid_id(seq="021"))),
        row(3, category="农民工"),
        row(4, end_date=dt.date(2024, 7, 5)),
    ]
    return make_xlsx({"花名册": [header, *rows]})


def test_check__acceptance_read_messages_are_finished_chinese_sentences(make_xlsx, run_cli):
    batch = _acceptance_batch(make_xlsx)
    result = run_cli("check", batch, "--period", "2024-06", "--json")
    by = {(f["row"], f["code"]): f for f in result.json["findings"]}
    # 农民工 is an accepted name of 农村转移劳动力: no finding on its row.
    assert [key for key in by if key[0] == 4] == []
    assert by[(2, "phone.format")]["message_zh"] == (
        "手机号码「138***4560」有 10 位数字，手机号码应为以 1 开头的 11 位数字，请核对"
    )
    categories = "、".join(
        [
            "企业职工",
            "农村转移劳动力",
            "高校毕业生",
            "城镇登记失业人员",
            "就业困难人员",
            "零就业家庭成员",
            "脱贫劳动力",
            "残疾人",
            "退役军人",
            "在校学生",
            "低保家庭成员",
            "贫困家庭学生",
            "低收入农户成员",
            "未继续升学初高中毕业生",
            "农村未继续升学初高中毕业生",
        ]
    )
    unknown = by[(2, "value.unknown")]
    assert unknown["message_zh"] == (
        "「人员类别」的值「外来务工人员」不是可选值，共 1 行填了此值（本行是第一行），这些行不算作任何一个可选类别；"
        f"最接近的可选值是「城镇登记失业人员」。如指的是某个可选值，请改填；可选值为：{categories}"
    )
    assert unknown["message_en"].startswith(
        "'人员类别' value '外来务工人员' is not a listed value; 1 row(s) have it (this is the first) and they count"
        " as none of the listed values; the closest is '城镇登记失业人员'."
    )
    # What Excel shows in the cell (the read-back number cannot be found with Ctrl+F).
    assert by[(3, "id.precision-lost")]["message_zh"] == (
        "身份证号码被 Excel 存成了数字，后几位已丢失：Excel 中显示为 3.20506E+17，表中已找不回原号码；"
        "请向报送单位要来此人正确的身份证号码，先把该单元格格式设为「文本」，再填入 18 位号码"
    )
    assert by[(5, "date.after-period")]["message_zh"] == (
        "「结业日期」2024-07-05 晚于本批次所属月份 2024-06，即到本月底培训尚未结业，按结业计算的补贴要等结业后的批次；"
        "日期无误则不必改动，填错了请改为实际结业日期"
    )
    assert by[(1, "sheet.unknown-column-money")]["message_zh"] == (
        "未识别的列「补贴资金承担方」，已忽略。它看来就是「出资方」列，而「出资方」决定补贴是否发放或发多少：不改的话，"
        "计算补贴时按本表没有「出资方」处理。如是，请在工作簿中把表头「补贴资金承担方」改为「出资方」后重新检查。"
        "（也可以请操作 skillcli 的同事不改文件而加参数 --map 补贴资金承担方=出资方，或在 skillcli.toml 的 [columns] 表中写 "
        '"补贴资金承担方" = "出资方"）'
    )
    for finding in result.json["findings"]:
        assert problems(finding["message_zh"], remove=(finding["value"], finding["column"], "--map")) == [], finding


def test_check__a_mistyped_phone_is_masked_on_screen_unless_show_ids(make_xlsx, run_cli):
    batch = _acceptance_batch(make_xlsx)
    screen = run_cli("check", batch, "--period", "2024-06").stdout
    assert "138***4560" in screen
    assert "1381234560" not in screen
    # The unknown 人员类别 line names whose row it is, as every other row finding does.
    line = next(text for text in screen.splitlines() if "外来务工人员" in text and "人员类别" in text.split("「")[0])
    assert "学员甲  320506********0110" in line
    # The sample's 10-digit phone and its bank account with a letter O in it are masked as well.
    sample = run_cli("check", SAMPLE / "mistakes_batch.xlsx", "--period", "2024-06", "--limit", "60").stdout
    assert "138***7895" in sample and "622848*********4445" in sample
    assert "1387647895" not in sample and "62284815O0586774445" not in sample
    shown = run_cli("check", batch, "--period", "2024-06", "--show-ids").stdout
    assert "手机号码「1381234560」有 10 位数字" in shown


def test_check__exceptions_workbook_in_chinese_has_plain_dates_and_chinese_labels(make_xlsx, run_cli, tmp_path):
    from openpyxl import load_workbook

    batch = _acceptance_batch(make_xlsx)
    run_cli("check", batch, "--period", "2024-06", "--out", tmp_path / "zh")
    book = load_workbook(tmp_path / "zh" / "exceptions.xlsx")
    labels = [r[0] for r in book["汇总"].iter_rows(values_only=True) if r[0]]
    assert labels[:3] == ["检查结果汇总", "批次月份", "文件数"]
    assert not [label for label in labels if "/ " in label or re.search(r"[a-z]{3}", label.replace("skillcli", ""))]
    sheet = book["花名册问题"]
    header = [c.value for c in sheet[1]]
    row = next(r for r in sheet.iter_rows(min_row=2, values_only=True) if r[2] == 5)
    assert row[header.index("开班日期")] == "2024-05-06"
    assert row[header.index("结业日期")] == "2024-07-05"
    run_cli("check", batch, "--period", "2024-06", "--out", tmp_path / "en", "--lang", "en")
    english = load_workbook(tmp_path / "en" / "exceptions.xlsx")["汇总"]
    assert english["A1"].value == "Check summary"


# -- ledger references ---------------------------------------------------------------------------
def _ledger_roster(make_xlsx: Any, name: str, *rows: tuple[int, str, str, str]) -> Path:
    """A Suzhou roster of 中级工 technical-upgrade trainings with their certificates: (person,
    occupation, start, end) per row, the certificate issued on the end date."""
    header = ["姓名", "身份证号码", "培训类型", "职业(工种)", "培训等级", "开班日期", "结业日期", "出资方", "是否参保"]
    cert_header = ["身份证号码", "姓名", "证书编号", "证书类型", "职业(工种)", "等级", "发证日期", "是否本市取证"]
    names = {1: "张伟", 2: "李娜", 3: "王芳"}
    roster, certs = [header], [cert_header]
    for i, (n, occupation, start, end) in enumerate(rows, start=1):
        pid = valid_id(seq=f"{n:02d}1")
        roster.append([names[n], pid, "技能提升", occupation, "四级/中级工", start, end, "个人", "是"])
        number = f"S00003200000121400{n}{i}0{len(name)}"
        certs.append([pid, names[n], number, "职业技能等级证书", occupation, "四级/中级工", end, "是"])
    return make_xlsx({"花名册": roster, "证书": certs}, name=name)


def test_payout__ledger_lines_are_cited_by_period_run_and_position_within_the_run(
    make_xlsx, run_cli, tmp_path, ledger_url
):
    # Two committed runs: May pays 张伟 one training; June pays 李娜 then 王芳 (ledger lines 2 and 3,
    # the June run's first and second). A June re-run and a later training of 王芳 cite June's second
    # line as 「2021-06 批次（R…）第 2 笔」, never the ledger-wide line number 3.
    args = ("--policy", "suzhou-2019", "--ledger", ledger_url, "--param", "shortage_occupations=电工,焊工")
    may = _ledger_roster(make_xlsx, "may.xlsx", (1, "电工", "2021-04-01", "2021-05-20"))
    june = _ledger_roster(
        make_xlsx,
        "june.xlsx",
        (2, "车工", "2021-05-01", "2021-06-10"),
        (3, "焊工", "2021-05-01", "2021-06-12"),
    )
    committed = run_cli("payout", may, *args, "--period", "2021-05", "--out", tmp_path / "m", "--commit")
    assert committed.code == 0, committed.stderr
    first = run_cli("payout", june, *args, "--period", "2021-06", "--out", tmp_path / "j", "--commit", "--json")
    assert first.code == 0, first.stderr
    run_id = run_cli("ledger", "runs", "--ledger", ledger_url, "--json").json["runs"][1]["run_id"]
    again = run_cli("payout", june, *args, "--period", "2021-06", "--out", tmp_path / "j2", "--json")
    held = {e["row"]: e["message_zh"] for e in again.json["exceptions"]}
    assert held[3] == f"A8 已于台账 2021-06 批次（{run_id}）第 2 笔 发放，不重复发放"
    # The same occupation and level again in July (E2) names the same June line.
    july = _ledger_roster(make_xlsx, "july.xlsx", (3, "焊工", "2021-06-20", "2021-07-10"))
    later = run_cli("payout", july, *args, "--period", "2021-07", "--out", tmp_path / "jl", "--json")
    (repeat,) = later.json["exceptions"]
    assert repeat["code"] == "limit.no-repeat"
    assert f"已在台账 2021-06 批次（{run_id}）第 2 笔享受" in repeat["message_zh"]
    # The clerk finds the line as 序号 2 in the June run's own payouts.xlsx.
    from openpyxl import load_workbook

    detail = list(load_workbook(tmp_path / "j" / "payouts.xlsx")["明细"].iter_rows(values_only=True))
    assert detail[2][:2] == (2, "王芳")
    # The June workbook regenerated from the ledger reads the same, in Chinese only.
    shown = run_cli("ledger", "show", run_id, "--ledger", ledger_url, "--out", tmp_path / "again")
    assert shown.code == 0, shown.stderr
    regenerated = list(load_workbook(tmp_path / "again" / "payouts.xlsx")["明细"].iter_rows(values_only=True))
    assert regenerated[2][:2] == (2, "王芳") and regenerated[2][-1] == "june.xlsx「花名册」第 3 行"
    for sheet, cells in label_cells(tmp_path / "again" / "payouts.xlsx").items():
        assert [c for c in cells if english_words(c) or " / " in c] == [], sheet


# -- the workbooks a clerk reads -----------------------------------------------------------------
# ASCII a Chinese header or label may hold: the program's name, the ID of 身份证号码/ID, and
# references (rule ids such as A7, clauses, periods such as 2024-06 or YYYY-MM).
LABEL_ASCII = {"skillcli", "ID", "YYYY", "MM"}


def english_words(text: str) -> list[str]:
    """The ASCII words of ``text`` that a Chinese-only header or label must not hold."""
    return [
        word
        for word in re.findall(r"[A-Za-z][A-Za-z0-9]*", text)
        if word not in LABEL_ASCII and not REFERENCE_RE.match(word)
    ]


def label_cells(path: Path) -> dict[str, list[str]]:
    """Every sheet's header row and labels: the text cells written in bold (titles, headers, the
    label column of 汇总/说明/封面, the block titles of 汇总), each sheet's first row included."""
    from openpyxl import load_workbook

    found: dict[str, list[str]] = {}
    for sheet in load_workbook(path).worksheets:
        cells = [c for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]
        found[sheet.title] = [c.value for c in cells if c.row == 1 or c.font.bold]
    return found


def test_workbooks__chinese_headers_and_labels_only_with_lang_zh_english_with_lang_en(make_xlsx, run_cli, tmp_path):
    args = ("--policy", "suzhou-2019", "--period", "2021-06")
    run_cli("payout", SAMPLE / "district_batch.xlsx", *args, "--out", tmp_path / "zh")
    run_cli("check", SAMPLE / "mistakes_batch.xlsx", "--period", "2024-06", "--out", tmp_path / "c")
    run_cli(
        "check",
        _acceptance_batch(make_xlsx),
        "--period",
        "2024-06",
        "--out",
        tmp_path / "r",
        "--split-by",
        "institution",
    )
    books = [tmp_path / "zh" / "payouts.xlsx", tmp_path / "c" / "exceptions.xlsx", *(tmp_path / "r").glob("*.xlsx")]
    assert len(books) >= 4
    seen = {}
    for book in books:
        for sheet, cells in label_cells(book).items():
            seen[(book.name, sheet)] = cells
            bad = [(cell, english_words(cell)) for cell in cells if english_words(cell) or " / " in cell]
            assert bad == [], (book.name, sheet)
    payouts = label_cells(tmp_path / "zh" / "payouts.xlsx")
    assert set(payouts) == {"汇总", "明细", "异常", "不符合条件", "说明"}
    # Codes stay only in the last column of 不符合条件 and of 异常, titled 代码 (for support).
    for sheet in ("不符合条件", "异常"):
        assert payouts[sheet][-1] == "代码" and payouts[sheet].count("代码") == 1, sheet
    assert {"控制数", "按收款方", "项目", "收款方名称", "台账批次", "规则文件校验码"} <= {
        c for cells in payouts.values() for c in cells
    }
    english = tmp_path / "en"
    run_cli("payout", SAMPLE / "district_batch.xlsx", *args, "--out", english, "--lang", "en")
    en = label_cells(english / "payouts.xlsx")
    assert en["明细"][:4] == ["No.", "Name", "ID number", "Subsidy"]
    assert {"Control", "By payee", "ledger run", "rules file SHA-256"} <= {c for cells in en.values() for c in cells}
    assert not [c for cells in en.values() for c in cells if re.search(r"[\u4e00-\u9fff]", c)]


def test_check__a_suggested_18_digit_id_is_masked_on_screen_unless_show_ids(make_xlsx, run_cli, tmp_path):
    # 320506 750412 124 (15 digits) becomes 320506 19750412 124 + its check character.
    suggested = valid_id(birth="19750412", seq="124")
    batch = make_xlsx({"花名册": roster_sheet(roster_row(1, id_number="320506750412124"))})
    masked = suggested[:6] + "********" + suggested[-4:]
    screen = run_cli("check", batch, "--period", "2024-06", "--out", tmp_path / "o")
    assert f"请换成 18 位：{masked}" in screen.stdout and suggested not in screen.stdout + screen.stderr
    as_json = run_cli("check", batch, "--period", "2024-06", "--json")
    assert suggested not in as_json.stdout and masked in as_json.stdout
    shown = run_cli("check", batch, "--period", "2024-06", "--show-ids")
    assert f"请换成 18 位：{suggested}" in shown.stdout
    # The workbook for the clerk holds the number to copy in full.
    from openpyxl import load_workbook

    sheet = load_workbook(tmp_path / "o" / "exceptions.xlsx")["花名册问题"]
    assert any(f"请换成 18 位：{suggested}" in str(c.value) for row in sheet.iter_rows() for c in row)


def test_payout__a_run_whose_line_ids_interleave_with_another_is_still_numbered_within_itself(
    make_xlsx, run_cli, tmp_path
):
    import sqlite3

    # Two runs committed at the same moment on PostgreSQL can take interleaved line ids. Simulated
    # here by renumbering: June's second line (王芳) gets an id after a line of another run.
    ledger = tmp_path / "ledger.sqlite"
    assert run_cli("ledger", "init", "--ledger", ledger).code == 0
    args = ("--policy", "suzhou-2019", "--ledger", ledger, "--param", "shortage_occupations=电工,焊工")
    june = _ledger_roster(
        make_xlsx,
        "june.xlsx",
        (2, "车工", "2021-05-01", "2021-06-10"),
        (3, "焊工", "2021-05-01", "2021-06-12"),
    )
    may = _ledger_roster(make_xlsx, "may.xlsx", (1, "电工", "2021-04-01", "2021-05-20"))
    assert run_cli("payout", june, *args, "--period", "2021-06", "--out", tmp_path / "j", "--commit").code == 0
    assert run_cli("payout", may, *args, "--period", "2021-05", "--out", tmp_path / "m", "--commit").code == 0
    with sqlite3.connect(ledger) as db:
        assert db.execute("SELECT line_id FROM lines ORDER BY line_id").fetchall() == [(1,), (2,), (3,)]
        db.execute("UPDATE lines SET line_id = 9 WHERE line_id = 2")  # 王芳, June: ids 1 and 9, May's 3 between
    run_id = run_cli("ledger", "runs", "--ledger", ledger, "--json").json["runs"][0]["run_id"]
    again = run_cli("payout", june, *args, "--period", "2021-06", "--out", tmp_path / "j2", "--json")
    held = {e["row"]: e["message_zh"] for e in again.json["exceptions"]}
    assert held == {
        2: f"A8 已于台账 2021-06 批次（{run_id}）第 1 笔 发放，不重复发放",
        3: f"A8 已于台账 2021-06 批次（{run_id}）第 2 笔 发放，不重复发放",
    }
