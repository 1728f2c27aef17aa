"""The catalogue of finding codes: one stable slug per problem, its severity and zh/en templates.

Templates may use ``{column}`` (the header as written), ``{value}`` (the cell text) and
``{detail}`` (a short computed explanation). A detail written as ``count; closest`` is also offered as
``{count}`` and ``{closest}``, and ``{choices}`` is the column's list of accepted values. ``docs/findings.md`` is generated from this module
(``make docs``) and a test fails when the two drift or when code emits an uncatalogued slug.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

import polars as pl

from skillcli.model import Severity

E, W, N = Severity.ERROR, Severity.WARNING, Severity.INELIGIBLE  # N: not covered by the policy


@dataclass(frozen=True, slots=True)
class Code:
    """A catalogued finding code."""

    slug: str
    severity: Severity
    zh: str
    en: str
    area: str
    # The Chinese message for the sender of the table (the enterprise or institution reading a 退回
    # file), where ``zh`` tells the clerk what to do ("ask the sender for …"). It may use
    # ``{column}`` and ``{value}`` only: a return renders it from the finding as the check wrote it.
    sender: str = ""

    @property
    def blocking(self) -> bool:
        """Whether a row with this finding is held: every error is, a warning never."""
        return self.severity is Severity.ERROR


def _codes(area: str, *rows: tuple[str, Severity, str, str] | tuple[str, Severity, str, str, str]) -> list[Code]:
    """The codes of one area; a row's optional fifth text is its message for the sender (``Code.sender``)."""
    return [Code(f"{area}.{row[0]}", row[1], row[2], row[3], area, *row[4:]) for row in rows]


_ALL: list[Code] = [
    *_codes(
        "file",
        (
            "too-large",
            E,
            "文件 {value} 超过大小上限（{detail}），未读取",
            "file {value} is over the size limit ({detail}); not read",
        ),
        (
            "no-data-sheet",
            E,
            "文件中没有可识别的花名册、考勤或证书工作表（{detail}）",
            "no roster, attendance or certificate sheet recognised in the file ({detail})",
        ),
        (
            "encoding-fallback",
            W,
            "CSV 文件不是 UTF-8，已按 GBK/GB18030 读取",
            "CSV file is not UTF-8; read as GBK/GB18030",
        ),
    ),
    *_codes(
        "sheet",
        (
            "header-not-found",
            E,
            "工作表名像{detail}，但前 20 行中找不到表头",
            "sheet name says {detail} but no header row was found in the first 20 rows",
        ),
        (
            "missing-column",
            E,
            "缺少必填列「{column}」，请在表头加上此列并逐行填写",
            "required column '{column}' is missing; add it to the header and fill it for every row",
        ),
        (
            "missing-column-likely",
            E,
            "本表没有「{column}」列；「{value}」（第 {count} 行 {closest} 列）可能就是它：请把表头改为「{column}」后重新检查，"
            "或请操作 skillcli 的同事加参数 --map {value}={column}；如它不是，请在表头加上「{column}」列并逐行填写",
            "the sheet has no '{column}' column; '{value}' (row {count}, column {closest}) is probably it: rename that"
            " header to '{column}' and check again, or whoever runs skillcli adds --map {value}={column}; if it is not,"
            " add a '{column}' column to the header and fill it for every row",
        ),
        (
            "duplicate-column",
            W,
            "列「{column}」与前面的列重复，已忽略此列；请删除重复的列",
            "column '{column}' repeats an earlier column and was ignored; delete the repeated column",
        ),
        (
            "duplicate-column-hidden",
            W,
            "列「{column}」（{value} 列）与前面的列重复，且在表中是隐藏列，已忽略此列；请在 Excel 中选中它两侧的列，"
            "右键「取消隐藏」，核对后删除此列",
            "column '{column}' (column {value}) repeats an earlier column and is hidden in the sheet; it was ignored:"
            " unhide it in Excel (select the columns on both sides, right-click, Unhide), check it and delete it",
        ),
        (
            "footer-count",
            W,
            "表尾写「{value}」，本表读到 {detail} 行人员数据，请核对是否漏填或多填（或表尾人数未更新）",
            "the footer says '{value}' but {detail} data rows were read from this sheet: check for a row left out"
            " or entered twice (or a count not updated)",
        ),
        (
            "rows-below-footer",
            W,
            "{detail}。如这些人属本批次申报，请把这些行移到合计行以上并更新表尾人数；如不属本批次，请删去这些行",
            "{detail}. If they are claimed in this batch, move those rows above the total line and update the head"
            " count; if not, delete them",
        ),
        (
            "hidden",
            W,
            "工作表被隐藏，仍已读取；如不应申报，请删除该工作表",
            "the sheet is hidden; it was read all the same; delete it if it is not claimed",
        ),
        (
            "unknown-column-like",
            W,
            "未识别的列「{column}」，已忽略。它看来就是「{detail}」列：如是，请在工作簿中把表头「{column}」改为「{detail}」后"
            "重新检查。（也可以请操作 skillcli 的同事不改文件而加参数 --map {column}={detail}，或在 skillcli.toml 的 "
            '[columns] 表中写 "{column}" = "{detail}"）',
            "column '{column}' is not recognised and was ignored. It looks like '{detail}': if so, rename the header"
            " '{column}' to '{detail}' in the workbook and check again. (Or whoever runs skillcli adds --map"
            ' {column}={detail}, or writes "{column}" = "{detail}" in the [columns] table of skillcli.toml)',
        ),
        (
            "unknown-column-money",
            W,
            "未识别的列「{column}」，已忽略。它看来就是「{detail}」列，而「{detail}」决定补贴是否发放或发多少：不改的话，"
            "计算补贴时按本表没有「{detail}」处理。如是，请在工作簿中把表头「{column}」改为「{detail}」后重新检查。"
            "（也可以请操作 skillcli 的同事不改文件而加参数 --map {column}={detail}，或在 skillcli.toml 的 [columns] 表中写 "
            '"{column}" = "{detail}"）',
            "column '{column}' is not recognised and was ignored. It looks like '{detail}', which decides whether a"
            " subsidy is paid or how much: left as it is, the subsidies are worked out as if the sheet had no"
            " '{detail}'. If so, rename the header '{column}' to '{detail}' in the workbook and check again. (Or"
            ' whoever runs skillcli adds --map {column}={detail}, or writes "{column}" = "{detail}" in the [columns]'
            " table of skillcli.toml)",
        ),
        (
            "category-flag-column",
            W,
            "未识别的列「{column}」，已忽略，但它关系到补贴：是不是「{detail}」只按「人员类别」列判断（按人员类别发放的补贴，"
            "如培训期间生活费补贴，只看这一列）。请在工作簿中为此列填「是」的每个人，在「人员类别」列填写「{detail}」"
            "（本表没有「人员类别」列就加上此列），然后重新检查；此列本身可以保留",
            "column '{column}' is not recognised and was ignored, but it matters for money: whether a person is"
            " '{detail}' is read from the 人员类别 column only (subsidies for that group, such as a living allowance"
            " during training, look at that column alone). For every person marked 是 in this column write"
            " '{detail}' in 人员类别 (add that column if the sheet has none), then check again; this column may stay",
        ),
        (
            "unknown-column-missing",
            W,
            "未识别的列「{column}」，已忽略。本表缺少必填列「{detail}」，此列可能就是它：如是，请在工作簿中把表头「{column}」改为"
            "「{detail}」后重新检查（也可以请操作 skillcli 的同事加参数 --map {column}={detail}）",
            "column '{column}' is not recognised and was ignored. The sheet lacks the required column '{detail}', and"
            " this is probably it: if so, rename the header '{column}' to '{detail}' in the workbook and check again"
            " (or whoever runs skillcli adds --map {column}={detail})",
        ),
        (
            "merged-header-unknown",
            W,
            "合并表头「{column}」（{detail}）下的「{value}」未能识别为已知列，这几列已忽略（表头行不会当作数据读取）。"
            "请把这几列的表头改为模板中的写法，写在一行内（如「劳动合同起始日期」「劳动合同终止日期」；skillcli template "
            "可生成模板），或请操作 skillcli 的同事加参数 --map {column}/下一行的表头=模板中的列名",
            "the merged header '{column}' ({detail}) has '{value}' under it, which name no known column; these"
            " columns were ignored (the header rows are not read as data). Rename these headers as the template"
            " writes them, on one row (skillcli template writes one), or whoever runs skillcli adds"
            " --map {column}/<header below>=<template column>",
            "合并表头「{column}」下的「{value}」未能识别为已知列，本次未读取这几列。请取消表头的合并单元格，把这几列的表头"
            "改为模板中的写法并写在一行内（如「劳动合同起始日期」「劳动合同终止日期」），然后重新报送",
        ),
        (
            "unknown-column",
            W,
            "未识别的列「{column}」，已忽略（此列的内容不会被读取）。此列如不用于计算补贴，不必处理；如它就是模板中的某一列，"
            "请在工作簿中把表头改为模板中的写法（skillcli template 可生成模板），或请操作 skillcli 的同事加参数 "
            "--map {column}=模板中的列名",
            "column '{column}' is not recognised and was ignored (its cells are not read). If it is not needed for"
            " the subsidies, nothing to do; if it is one of the template's columns, rename the header as the template"
            " writes it (skillcli template writes one), or whoever runs skillcli adds --map {column}=<template column>",
        ),
        (
            "roster-without-id",
            W,
            "本表有 {value} 行（从本行起）无法与花名册核对：同一文件的花名册{detail}没有可用的「身份证号码」列"
            "（表头未能识别或整列为空）。请先改正花名册的表头，再重新检查：这些行会逐行核对，仍找不到的会逐行列出",
            "{value} row(s) of this sheet (from this row on) cannot be matched to the roster: the roster {detail}"
            " of the same file has no usable ID column (its header was not recognised, or the column is blank). Fix"
            " the roster's header first, then check again: these rows are matched one by one and any still not"
            " found are listed row by row",
        ),
        (
            "column-by-content",
            W,
            "身份证号码列没有表头，按内容识别为第 {detail} 列",
            "the ID column has no header; recognised by its content in column {detail}",
        ),
    ),
    *_codes(
        "cell",
        (
            "formula",
            W,
            "单元格是公式 {value}，已按 Excel 上次算出并显示的结果读取；请核对结果，最好改为直接填写数值",
            "cell holds a formula {value}; the result Excel last showed was read: check it, and better type the value itself",
        ),
        (
            "formula-no-result",
            W,
            "此单元格是公式 {value}，文件中没有保存计算结果（文件未在 Excel 中打开保存过），已按空白处理；"
            "请在 Excel 中打开并保存，或直接填写数值",
            "this cell is the formula {value} and the file holds no computed result (it was never opened and saved"
            " in Excel), so it was read as blank; open and save the file in Excel, or type the value itself",
        ),
        (
            "error",
            E,
            "单元格显示错误值 {value}，无法读取，请改为正确的值",
            "cell shows the error value {value} and cannot be read; enter the right value",
        ),
        (
            "merged",
            W,
            "数据区有合并单元格 {value}，只有左上角一格有值，其余格按空白读取；请取消合并并逐行填写",
            "merged cells {value} in the data: only the top-left cell has a value, the others read as blank; unmerge them and fill each row",
        ),
        (
            "precision-lost",
            E,
            "「{column}」被 Excel 存成了数字，第 15 位以后的数字已丢失（读到 {value}），表中已找不回原号码；"
            "请向报送单位要来正确的号码，先把该单元格格式设为「文本」，再填入号码",
            "'{column}' was stored as a number and Excel dropped the digits past the 15th (read {value}); the real"
            " number cannot be recovered from the file: get it from the sender, format the cell as Text, then type it",
            "「{column}」被 Excel 存成了数字，第 15 位以后的数字已丢失（读到 {value}），表中已找不回原号码；"
            "请在此格填写正确的完整号码（先把单元格设为文本）",
        ),
        (
            "text-marker",
            W,
            "「{column}」中的号码前面有一个撇号（'），这是 Excel 中“按文本保存”的记号，不是号码的一部分；已去掉撇号后读取，"
            "号码本身无误则不必改动",
            "'{column}' starts with an apostrophe ('), Excel's mark for a cell kept as text, not part of the"
            " number; it was read without it, and nothing needs changing if the number is right",
        ),
    ),
    *_codes(
        "row",
        (
            "hidden",
            W,
            "该行在 Excel 中被隐藏，仍已读取；如不应申报，请删除该行",
            "the row is hidden in Excel; it was read all the same; delete it if it is not claimed",
        ),
    ),
    *_codes(
        "name",
        ("missing", E, "「{column}」为空，请填写", "'{column}' is blank; fill it in"),
        (
            "has-digits",
            W,
            "姓名「{value}」含数字，请核对后只填姓名",
            "name '{value}' contains digits; check it and write the name only",
        ),
        (
            "mismatch",
            E,
            "同一身份证号码在{detail}，与本行姓名「{value}」不同，请核对后改为同一写法",
            "the same ID number is named {detail}, not '{value}' as here; make the two agree",
        ),
    ),
    *_codes(
        "id",
        ("missing", E, "「{column}」为空，请填写", "'{column}' is blank; fill it in"),
        (
            "precision-lost",
            E,
            "身份证号码被 Excel 存成了数字，后几位已丢失：Excel 中显示为 {detail}，表中已找不回原号码；"
            "请向报送单位要来此人正确的身份证号码，先把该单元格格式设为「文本」，再填入 18 位号码",
            "the ID was stored as a number and Excel dropped its last digits: Excel shows {detail} and"
            " the real number cannot be recovered from the file; get this person's ID from the sender, format the"
            " cell as Text, then type the 18 characters",
            "身份证号码被 Excel 存成了数字，后几位已丢失：Excel 中显示为 {value}，表中已找不回原号码；"
            "请在此格填写此人正确的 18 位身份证号码（先把单元格设为文本）",
        ),
        (
            "format",
            E,
            "身份证号码「{value}」不是 18 位（17 位数字加校验位），请按身份证重新填写",
            "ID '{value}' is not 18 characters (17 digits and a check character); copy it again from the ID card",
        ),
        (
            "old-15-digit",
            E,
            "15 位旧身份证号码，请换成 18 位：{detail}",
            "old 15-digit ID; use the 18-digit number: {detail}",
        ),
        (
            "checksum",
            E,
            "身份证号码校验位错误：按前 17 位算应为 {detail}，说明号码有抄错的位，请按身份证核对全部 18 位",
            "ID check character is wrong: the first 17 digits give {detail}, so a digit is miscopied; check all 18 against the ID card",
        ),
        (
            "birth-date",
            E,
            "身份证号码中的出生日期 {detail} 不存在，请按身份证核对",
            "the birth date {detail} inside the ID does not exist; check it against the ID card",
        ),
    ),
    *_codes(
        "sex",
        (
            "mismatch",
            W,
            "性别「{value}」与身份证号码（第 17 位表示{detail}）不符，请核对性别或身份证号码",
            "sex '{value}' disagrees with the ID's 17th digit ({detail})",
        ),
    ),
    *_codes(
        "uscc",
        (
            "format",
            E,
            "统一社会信用代码「{value}」格式错误（应为 18 位数字和大写字母），请按营业执照重新填写",
            "credit code '{value}' is malformed (18 digits and capital letters expected); copy it again from the business licence",
        ),
        (
            "checksum",
            E,
            "统一社会信用代码校验位错误：按前 17 位算应为 {detail}，说明有抄错的位，请按营业执照核对",
            "credit code check character is wrong: the first 17 characters give {detail}, so one is miscopied; check it against the business licence",
        ),
        (
            "two-names",
            W,
            "统一社会信用代码 {count} 在本批次中有不同的名称：本行写作「{value}」，另一写法见{closest}。按此代码付款时，"
            "户名须与该单位在银行开户时登记的名称完全一致，否则银行会以“户名不符”退回；请按营业执照和开户资料核实开户名称，"
            "把所有行改为这一写法",
            "credit code {count} is written with different names in this batch: '{value}' here, the other spelling"
            " at {closest}."
            " A payment to this code must carry the name registered with the bank account, or the bank returns it"
            " (name mismatch): check the account's name against the licence and bank papers and write it on every row",
            "同一统一社会信用代码在本次报送的表中有不同的单位名称（本行写作「{value}」）：补贴按此代码付款，户名须与"
            "银行开户时登记的名称完全一致，否则无法到账；请按营业执照和开户资料核实开户名称，把所有行改为这一写法",
        ),
    ),
    *_codes(
        "phone",
        (
            "format",
            W,
            "手机号码「{value}」有 {detail} 位数字，手机号码应为以 1 开头的 11 位数字，请核对",
            "phone '{value}' has {detail} digits; a mobile number is 11 digits starting with 1; check it",
        ),
    ),
    *_codes(
        "account",
        (
            "format",
            E,
            "账号「{value}」应只含数字，请按银行卡或社保卡重新填写",
            "account '{value}' must contain digits only; copy it again from the card",
        ),
    ),
    *_codes(
        "date",
        ("missing", E, "「{column}」为空，请填写", "'{column}' is blank; fill it in"),
        (
            "invalid",
            E,
            "「{column}」的「{value}」不是有效日期，请核对其中的年、月、日，按 2024-05-06 的写法填写",
            "'{column}' value '{value}' is not a valid date; check its year, month and day and write it as 2024-05-06",
        ),
        (
            "month-only",
            E,
            "「{column}」的「{value}」只有年月，缺少日，请填写到日（如 2024-05-06）",
            "'{column}' value '{value}' has a year and month but no day; write the full date (2024-05-06)",
        ),
        (
            "order",
            E,
            "开始日期晚于结束日期（{detail}），请核对两个日期",
            "start date is after end date ({detail}); check both dates",
        ),
        (
            "after-period",
            W,
            "「{column}」{value} 晚于本批次所属月份 {detail}，即到本月底培训尚未结业，按结业计算的补贴要等结业后的批次；"
            "日期无误则不必改动，填错了请改为实际结业日期",
            "end date '{column}' {value} is after the batch period {detail}, so the training has not ended by the end of the"
            " month and a subsidy due at the end waits for a later batch; if the date is right nothing needs"
            " changing, if it is wrong write the real end date",
        ),
        (
            "after-today",
            W,
            "「{column}」{value} 晚于今天 {detail}（未指定批次月份，按今天核查），即培训尚未结业，按结业计算的补贴要等结业后"
            "再申报；日期无误则不必改动，填错了请改为实际结业日期",
            "end date '{column}' {value} is after today, {detail} (no batch month given, checked as of today), so the"
            " training has not ended and a subsidy due at the end waits until it has; if the date is right"
            " nothing needs changing, if it is wrong write the real end date",
        ),
        (
            "filed-before-start",
            E,
            "备案结束日期早于开班日期（{detail}），请按备案材料核对",
            "filed end date is before the start date ({detail}); check it against the filing",
        ),
        (
            "implausible",
            W,
            "「{column}」的年份不合常理（{value}），请核对",
            "'{column}' has an implausible year ({value}); check it",
        ),
    ),
    *_codes(
        "value",
        (
            "not-in-list",
            E,
            "「{column}」的值「{value}」不在可选范围内，请改为其中之一：{detail}",
            "'{column}' value '{value}' is not in the list; use one of: {detail}",
        ),
        (
            "mark",
            E,
            "「{column}」填的是符号「{value}」，符号不能作为结论，请写明文字：如「{value}」表示{closest}，请改为「{closest}」；"
            "如表示{count}，请改为「{count}」",
            "'{column}' holds the mark '{value}', and a mark is not a result: write it out. If '{value}' means"
            " {closest}, write '{closest}'; if it means {count}, write '{count}'",
        ),
        ("missing", E, "「{column}」为空，请填写", "'{column}' is blank; fill it in"),
        (
            "unknown",
            W,
            "「{column}」的值「{value}」不是可选值，共 {count} 行填了此值（本行是第一行），这些行不算作任何一个可选类别；"
            "最接近的可选值是「{closest}」。如指的是某个可选值，请改填；可选值为：{choices}",
            "'{column}' value '{value}' is not a listed value; {count} row(s) have it (this is the first) and they"
            " count as none of the listed values; the closest is '{closest}'. If a listed value is meant, write"
            " it; the listed values are: {choices}",
        ),
        (
            "likely-alias",
            W,
            "「{column}」的值「{value}」不是可选值，共 {count} 行填了此值（本行是第一行），疑似「{closest}」的别称；"
            "取决于它的补贴暂不发放，请核实后改填为可选值之一：{choices}",
            "'{column}' value '{value}' is not a listed value; {count} row(s) have it (this is the first); it looks"
            " like another name for '{closest}': a subsidy that depends on it is held until it is corrected to"
            " one of: {choices}",
        ),
        (
            "yes-no",
            E,
            "「{column}」应填「是」或「否」，现为「{value}」，请改填",
            "'{column}' must be 是/否 (yes/no), got '{value}'",
        ),
        (
            "too-long",
            E,
            "「{column}」过长（共 {detail} 个字符，超出台账可存的长度），请核对并缩短「{value}…」",
            "'{column}' is too long for the ledger ({detail} characters); check and shorten '{value}…'",
        ),
    ),
    *_codes(
        "level",
        (
            "unknown",
            E,
            "等级「{value}」无法识别，请改为 五级/初级工、四级/中级工、三级/高级工、二级/技师、一级/高级技师、专项能力 或 无等级",
            "level '{value}' is not recognised; use 五级/初级工, 四级/中级工, 三级/高级工, 二级/技师, 一级/高级技师, 专项能力 or 无等级",
        ),
    ),
    *_codes(
        "money",
        (
            "invalid",
            E,
            "「{column}」的「{value}」不是金额，请只填数字（单位：元），如 1500 或 1500.00",
            "'{column}' value '{value}' is not an amount; write digits only (yuan), such as 1500 or 1500.00",
        ),
        ("negative", E, "「{column}」的 {value} 是负数，请核对", "'{column}' value {value} is negative; check it"),
        (
            "sub-fen",
            W,
            "「{column}」的 {value} 有超过两位的小数，已四舍五入到分；请核对金额",
            "'{column}' value {value} has more than two decimals; rounded to the fen; check the amount",
        ),
    ),
    *_codes(
        "number",
        (
            "invalid",
            E,
            "「{column}」的「{value}」不是数字，请只填数字",
            "'{column}' value '{value}' is not a number; write digits only",
        ),
        ("negative", E, "「{column}」的 {value} 是负数，请核对", "'{column}' value {value} is negative; check it"),
        (
            "not-integer",
            E,
            "「{column}」的 {value} 不是整数，请填整数",
            "'{column}' value {value} is not a whole number; write a whole number",
        ),
    ),
    *_codes(
        "roster",
        (
            "duplicate-person",
            E,
            "同一人在同一培训班中重复出现（首次出现在{detail}），请删除重复的一行",
            "the same person appears twice in one class (first at {detail}); delete the repeated row",
        ),
    ),
    *_codes(
        "attendance",
        (
            "not-on-roster",
            E,
            "考勤表中的这个身份证号码在花名册中找不到，请核对号码，或在花名册中补上此人",
            "attendance row for an ID that is not on the roster; check the number or add the person to the roster",
        ),
        (
            "trainee-missing",
            W,
            "此人（{value}）在考勤表{count}中没有考勤记录，按考勤计算的补贴将暂不发放（不按 0 计）：请在{count}为此人补上一行，"
            "填写{closest}",
            "this person ({value}) has no row in the attendance sheet {count}, so a subsidy worked out from"
            " attendance is held (not counted as zero): add a row for them to {count}, filling in {closest}",
        ),
        (
            "id-differs",
            W,
            "考勤表中此人（{value}）的一行在{detail}，但那里的身份证号码与本行不同，所以对不上：请按身份证核对两处号码，"
            "改正写错的一处",
            "the attendance row of this person ({value}) is at {detail}, but its ID number differs from this row's,"
            " so the two do not match: check both numbers against the ID card and correct the wrong one",
        ),
        (
            "present-exceeds-required",
            E,
            "实际出勤天数 {value} 大于应出勤天数 {detail}，请核对考勤",
            "days present {value} exceed days required {detail}; check the attendance",
        ),
        (
            "online-exceeds-total",
            E,
            "线上学时 {value} 大于总学时 {detail}，请核对学时",
            "online hours {value} exceed total hours {detail}; check the hours",
        ),
        (
            "hours-sum",
            W,
            "总学时 {value} 与线上学时加线下学时之和 {detail} 不符，请核对学时",
            "total hours {value} differ from online + offline hours {detail}; check the hours",
        ),
    ),
    *_codes(
        "cert",
        (
            "not-on-roster",
            W,
            "证书表中的这个身份证号码在花名册中找不到，请核对号码",
            "certificate for an ID that is not on the roster; check the number",
        ),
        (
            "duplicate-number",
            E,
            "证书编号重复（首次出现在{detail}），请按证书核对编号",
            "certificate number is repeated (first at {detail}); check it against the certificates",
        ),
        (
            "number-level-mismatch",
            W,
            "证书编号表示的等级是{detail}，与「等级」列不符，请按证书核对",
            "the certificate number says level {detail}, unlike the level column; check it against the certificate",
        ),
        (
            "number-year-mismatch",
            W,
            "证书编号表示的发证年份是 {detail} 年，与「发证日期」不符，请按证书核对",
            "the certificate number says issued in {detail}, unlike the issue date; check it against the certificate",
        ),
    ),
]

_ALL += [
    *_codes(
        "payout",
        (
            "blocked-by-related",
            E,
            "该人员在{detail}有一处错误（见该处的问题说明），本行暂不发放；请先改正那一处",
            "this person has an error at {detail} ({value}); the row is held",
        ),
        (
            "sheet-unusable",
            E,
            "所在工作表缺少必填列「{column}」，本行暂不发放",
            "the sheet lacks the required column '{column}'; the row is held",
        ),
        (
            "no-rate",
            E,
            "{detail}：「{column}」为 {value}，政策没有该等级的补贴标准",
            "{detail}: no rate for {column} {value} in this policy",
        ),
        (
            "no-catalogue-rate",
            E,
            "{detail}：「{column}」{value} 不在补贴目录中，不按 0 发放。如本行的职业写法与目录不同，请在工作簿中改为目录中的写法；"
            "如目录里确有此职业，目录金额不在政策原文中，请取得当年的补贴目录（各职业及其补贴金额），"
            "补充后重新计算",
            "{detail}: '{column}' {value} is not in the subsidy catalogue, so nothing is paid. If the row writes the"
            " occupation differently from the catalogue, write it as the catalogue does in the workbook; if the"
            " catalogue does list it, its amounts are not in the document: get the year's catalogue (each occupation"
            " and its amount), add it and run again",
        ),
        (
            "no-year-rate",
            E,
            "{detail}：按「{column}」{value} 查不到该年度的标准（年度表缺该年），不按其他年度发放；请补充该年度标准",
            "{detail}: no value for the year of '{column}' {value} in the dated table; not paid with another"
            " year's value: add that year's value",
        ),
        (
            "not-advanceable",
            E,
            # Whether or not the training has ended, the final batch claims it in full (not 「结业后」: the
            # trainings of a monthly roster have ended; reader6).
            "{detail}，本项补贴不预拨，按全额申报",
            "{detail}; this subsidy is not advanced, claim it in full",
        ),
        (
            "missing-input",
            E,
            "{detail}：缺少「{column}」，无法判断或计算",
            "{detail}: '{column}' is missing, so the rule cannot be decided",
        ),
        (
            "column-not-in-batch",
            E,
            "{detail}：本批次的表格中没有「{column}」所需的列，无法判断或计算；请在申报表中加上该列、逐行填写后重新报送",
            "{detail}: no sheet of the batch has the column '{column}' needs, so the rule cannot be decided; add"
            " the column, fill it for every row and submit again",
        ),
        (
            "no-attendance",
            E,
            "{count}：没有该学员可用的考勤记录，不按 0 计，本项暂不发放；{closest}",
            "{count}: no usable attendance for this trainee; not counted as zero, the line is held. {closest}",
        ),
        (
            "no-certificate-data",
            E,
            "{detail}：无法确认「{column}」：{value}",
            "{detail}: '{column}' cannot be confirmed: no certificate of this training is in the certificate"
            " data and no pass is recorded ({value})",
        ),
        (
            "no-fee",
            E,
            "{detail}：按实际培训费用封顶计算，但「{column}」为空",
            "{detail}: the ceiling needs the actual fee but '{column}' is blank",
        ),
        ("payee-missing", E, "{detail}：收款方缺少「{column}」", "{detail}: the payee lacks '{column}'"),
        (
            "advance-forbidden",
            E,
            "{detail}：本政策不允许预拨，但已预拨 {value} 元",
            "{detail}: this policy forbids advances but {value} yuan was advanced",
        ),
        (
            "advance-exceeds",
            E,
            "已预拨 {value} 元超过应发金额 {detail} 元",
            "the advance of {value} yuan exceeds the entitlement of {detail} yuan",
        ),
        (
            "advance-over-share",
            E,
            "已预拨 {value} 元超过允许的预拨比例 {detail}",
            "the advance of {value} yuan exceeds the permitted share {detail}",
        ),
        (
            "fully-advanced",
            W,
            "已预拨 {value} 元等于应发金额 {detail} 元，本次无需再发",
            "the advance of {value} yuan equals the entitlement of {detail} yuan; nothing is left to pay",
        ),
        (
            "likely-alias",
            E,
            "{detail}：「{column}」为 {value}（疑似别称），本补贴是否适用取决于此，请核实后改填",
            "{detail}: '{column}' is {value} (likely another name for a listed value); whether this subsidy"
            " applies depends on it, so it is held until corrected",
        ),
        (
            "blank-read-as",
            W,
            "「{column}」有 {value} 行为空（第 {count} 行），按「{closest}」处理；如不对，请在这些行填写「{column}」",
            "'{column}' is blank on {value} rows (rows {count}) and was read as '{closest}'; if that is wrong, fill"
            " '{column}' in on those rows",
        ),
        (
            "self-evaluation-by-certificate",
            W,
            "单位「{value}」不在备案自主评价企业名单（参数 self_evaluation_enterprises）中，但第 {detail} 行职工的证书"
            "（编号以 Y 开头）由该单位颁发，按口径 R1 认定为备案自主评价企业，这些职工的取证补贴按 A9b 直补企业；"
            "如该单位并未备案，请核对证书表的「发证机构」和「证书编号」",
            "'{value}' is not on the list of filed self-evaluating enterprises (parameter self_evaluation_enterprises),"
            " but the certificates of rows {detail} (numbers starting with Y) were issued by it, so by readings R1 it"
            " is taken as filed and those employees' certificate subsidies are paid to it under A9b; if it is not"
            " filed, check the certificates' issuer and number",
        ),
        (
            "absent-read-as",
            W,
            "本表没有「{column}」列，其 {value} 行都按「{detail}」处理；如不对，请在本表加上「{column}」列并逐行填写",
            "this sheet has no '{column}' column; its {value} rows were read as '{detail}'; if that is wrong, add"
            " the column and fill it in",
        ),
        (
            "column-absent",
            W,
            "本批次没有「{column}」列，{detail} 未核查（按不设此条件判断）",
            "no sheet of this batch has a '{column}' column: {detail} was not checked (decided without it)",
        ),
    ),
    # Why the policy does not cover a row (``ineligible.csv``): the requirements every rule has, and
    # no rule at all. A policy's own requirements (E8 …) are named by their ids in the rules file.
    *_codes(
        "policy",
        (
            "not-in-force",
            N,
            "结业日期不在政策有效期 {detail} 内",
            "the training ended outside the policy's effective dates",
        ),
        (
            "not-closed",
            N,
            "培训尚未结业（结业日期晚于批次月份），结业后再申报",
            "the class has not closed by the end of the batch month",
        ),
        (
            "no-rule",
            N,
            "本政策没有适用于培训类型「{value}」（及其人员类别）的补贴规则",
            "no rule of this policy applies to training type '{value}' (and its person category)",
        ),
    ),
    # A claim the ledger already paid (or advanced) is a notice, not an error: there is nothing to correct,
    # and a re-run of a paid month listed every paid row as a red 错误 (reader6).
    *_codes(
        "ledger",
        (
            "already-paid",
            W,
            "{value} 已于台账 {detail} 发放，不重复发放",
            "{value} was already paid in the ledger ({detail}); not paid again",
        ),
        (
            "already-advanced",
            W,
            "{value} 已于台账 {detail} 预拨，不再重复预拨",
            "{value} was already advanced in the ledger ({detail})",
        ),
    ),
    *_codes(
        "limit",
        (
            "yearly",
            E,
            "每人每年补贴性培训不超过 {value} 次，已在{detail}享受",
            "at most {value} subsidised trainings per person per year; already paid at {detail}",
        ),
        (
            "no-repeat",
            E,
            "同一职业同一等级不可重复享受，已在{detail}享受",
            "the same occupation and level cannot be subsidised twice; already at {detail}",
        ),
        (
            "exclusive",
            E,
            "与 {detail} 的补贴不可重复享受（{value}）",
            "cannot be combined with the subsidy at {detail} ({value})",
        ),
        (
            "months-paid",
            W,
            "本行的月份（{value}）已于 {detail} 发放，不重复发放",
            "the months of this row ({value}) were already paid at {detail}; not paid again",
        ),
        (
            "months-cap",
            E,
            "已达每人月数上限（{value} 个月），已发放的月份见 {detail}，本行不再发放",
            "the person's cap of months ({value}) is used up by {detail}; the row is not paid",
        ),
    ),
]

_ALL += [
    # Training vouchers (电子培训券, S0 §3, S1): why a roster row got no voucher, and why a completion
    # row was not redeemed. ``skillcli vouchers issue`` / ``vouchers redeem`` emit them.
    *_codes(
        "voucher",
        (
            "blocked",
            E,
            "该行有错误（{value}：{detail}），不发券",
            "the row has an error ({value}: {detail}); no voucher is issued",
        ),
        (
            "repeat-in-roster",
            W,
            "同一人已在 {detail} 出现，只按首次出现的行发券",
            "the same person appears earlier at {detail}; vouchers follow the first row only",
        ),
        (
            "age-outside",
            W,
            "发券日年龄 {value} 周岁，不在本项目任何年龄段内（{detail}）",
            "aged {value} on the issue date, outside every age group of the programme ({detail})",
        ),
        (
            "not-for-age-group",
            W,
            "「{value}」券不面向年龄段 {detail} 的人员",
            "the {value} voucher is not offered to age group {detail}",
        ),
        (
            "not-for-category",
            W,
            "「{value}」券只面向 {detail}，该人员的人员类别不在其中",
            "the {value} voucher is only for {detail}; this person's 人员类别 is not among them",
        ),
        (
            "likely-alias",
            E,
            "「人员类别」为 {detail}（疑似别称），能否领取「{value}」券取决于此，请核实后改填",
            "人员类别 is {detail} (likely another name for a listed group); whether the {value} voucher is due"
            " depends on it, so it is held until corrected",
        ),
        (
            "already-open",
            W,
            "已持有未使用、未过期的「{value}」券 {detail}，不重复发放",
            "already holds an open {value} voucher ({detail}); not issued again",
        ),
        (
            "no-key",
            E,
            "既没有培训券编号，也没有身份证号码",
            "neither a voucher number nor an ID number is given",
        ),
        ("unknown", E, "培训券编号「{value}」在台账中不存在", "voucher number '{value}' is not in the ledger"),
        (
            "no-voucher",
            E,
            "该身份证号码名下没有培训券（券类别：{value}）",
            "no voucher is held under this ID number (category: {value})",
        ),
        (
            "ambiguous",
            E,
            "该身份证号码名下有多张可核销的培训券（{detail}），请填写培训券编号或券类别",
            "several open vouchers are held under this ID ({detail}); give the voucher number or its category",
        ),
        (
            "other-program",
            E,
            "培训券 {value} 属于项目 {detail}，不在本次核销的项目中",
            "voucher {value} belongs to programme {detail}, not to the one being redeemed",
        ),
        (
            "wrong-person",
            E,
            "培训券 {value} 发给的是另一人（{detail}），与本行身份证号码不符",
            "voucher {value} was issued to someone else ({detail}), not to this row's ID number",
        ),
        (
            "already-redeemed",
            E,
            "培训券 {value} 已于 {detail} 核销，不重复核销",
            "voucher {value} was already redeemed ({detail}); not redeemed again",
        ),
        (
            "duplicate-in-file",
            E,
            "培训券 {value} 在本文件中重复核销（首次在第 {detail} 行）",
            "voucher {value} is redeemed twice in this file (first at row {detail})",
        ),
        (
            "expired",
            E,
            "培训券已于 {value} 到期，核销日期为 {detail}",
            "the voucher expired on {value}; the redemption date is {detail}",
        ),
        (
            "before-issue",
            E,
            "结业日期 {value} 早于发券日期 {detail}，不是用本券参加的培训",
            "the training ended on {value}, before the voucher was issued on {detail}",
        ),
        (
            "not-ended",
            E,
            "结业日期 {value} 晚于核销日期 {detail}：培训尚未结业",
            "the training ends on {value}, after the redemption date {detail}: it has not ended",
        ),
        (
            "bad-end-date",
            E,
            "「{column}」为空或不是有效日期：{value}",
            "'{column}' is blank or not a valid date: {value}",
        ),
        (
            "institution-code-missing",
            E,
            "培训机构「{value}」缺少统一社会信用代码，无法向机构付款",
            "the institution '{value}' has no credit code, so it cannot be paid",
        ),
        (
            "institution-code-invalid",
            E,
            "培训机构统一社会信用代码「{value}」无效（{detail}）",
            "the institution's credit code '{value}' is invalid ({detail})",
        ),
        (
            "no-attendance",
            E,
            "缺少出勤数据（实际/应出勤天数或实际/应修学时）或无法识别：{value}",
            "attendance (days present/required or hours attended/required) is missing or unreadable: {value}",
        ),
        (
            "attendance-low",
            E,
            "出勤率 {value} 低于核销要求 {detail}",
            "attendance {value} is below the {detail} required for redemption",
        ),
        (
            "not-passed",
            E,
            "考核结果为「{value}」，须考核合格方可核销",
            "the assessment result is '{value}'; a pass is required for redemption",
        ),
    ),
    *_codes(
        "diff",
        (
            "duplicate-key",
            W,
            "多行的对比键（身份证号码与培训/证书/班级）相同：{value}（同键的其他行：{detail}），无法逐行对应",
            "several rows share the comparison key (ID number and training/certificate/class): {value}"
            " (other rows: {detail}); they cannot be matched row by row",
        ),
    ),
]

CATALOGUE: dict[str, Code] = {code.slug: code for code in _ALL}
# The codes whose row must not be paid or given a voucher, decided here once from the catalogue.
BLOCKING = frozenset(slug for slug, code in CATALOGUE.items() if code.blocking)

# The one shape of a finding before its messages are rendered: what every stage emits, what is
# concatenated, joined to roster rows and held, and what ``pipeline.render_findings`` turns into text.
# The row key keeps the names of the typed frames' key columns, so a finding joins to its row
# without renaming.
FINDING_SCHEMA: dict[str, Any] = {
    "_file": pl.String,  # the input file as given on the command line
    "_sheet": pl.String,  # the sheet name; null for a finding about the whole file
    "_row": pl.Int64,  # the Excel row number as Excel shows it; null for a file or sheet finding
    # The canonical column name (its header text is looked up per sheet when the message is
    # rendered), or, for a column skillcli does not know, the header text itself.
    "canonical": pl.String,
    "value": pl.String,  # the cell text as read (or the value the message quotes)
    "code": pl.String,  # a slug of ``CATALOGUE``
    "severity": pl.String,  # the code's severity, looked up in ``CATALOGUE`` when the finding is emitted
    "detail": pl.String,  # a short computed explanation, the templates' ``{detail}``
    "person_id": pl.String,  # the row's ID number when it has one, so a finding can hold that person
}
# The rendered findings every output reads: the row key as the clerk sees it, the header text as
# written in ``column`` and both messages. ``pipeline.render_findings`` makes them.
RENDERED_COLUMNS = (
    "file",
    "sheet",
    "row",
    "column",
    "value",
    "code",
    "severity",
    "message_zh",
    "message_en",
    "person_id",
)
EMITTED_EVENT = "skillcli.findings.emitted"


# A required column the sheet lacks, with or without a header that is likely it: every stage that
# holds a sheet's rows, or drops the finding for a column it does not need, reads both.
MISSING_COLUMN_CODES = ("sheet.missing-column", "sheet.missing-column-likely")


# A detail computed in both languages (规则文件的紧缺职业目录 / the rules file's shortage list): each
# message keeps its own half (``schema.checks.words_locations``).
BILINGUAL_MARK = "\x1d"


def bilingual(zh: str, en: str) -> str:
    """A detail with its Chinese and English wording, each kept by its own message (``words_locations``)."""
    return f"{BILINGUAL_MARK}{zh}{BILINGUAL_MARK}{en}{BILINGUAL_MARK}"


class Issue(NamedTuple):
    """One finding built in Python (a header problem, a whole file): a row of ``FINDING_SCHEMA``
    without its severity, which ``from_rows`` looks up in the catalogue."""

    file: str
    sheet: str
    row: int | None
    canonical: str
    value: str
    code: str
    detail: str = ""
    person_id: str = ""


def severity_of(code: pl.Expr) -> pl.Expr:
    """The catalogue's severity of each code; an uncatalogued code is a programming error."""
    return code.replace_strict(
        list(CATALOGUE), [c.severity.value for c in CATALOGUE.values()], default=None, return_dtype=pl.String
    )


def is_blocking(code: pl.Expr) -> pl.Expr:
    """Whether each finding holds its row (``BLOCKING``): payout and voucher issue both ask this."""
    return code.is_in(sorted(BLOCKING))


def held_by(rendered: pl.DataFrame, rows: pl.DataFrame) -> pl.DataFrame:
    """The rendered findings (``RENDERED_COLUMNS``) that hold rows of ``rows`` in their own cells,
    each with the columns of the row it holds. ``rows`` carries the row key ``_file``, ``_sheet``,
    ``_row``. Payout and voucher issue both hold a row by this."""
    return rendered.filter(is_blocking(pl.col("code")) & pl.col("row").is_not_null()).join(
        rows, left_on=["file", "sheet", "row"], right_on=["_file", "_sheet", "_row"], how="inner", maintain_order="left"
    )


def announce(codes: Iterable[str]) -> None:
    """Check that ``codes`` are catalogued and announce them as an audit event, by which the test
    suite checks that every catalogued code is emitted by some test."""
    found = set(codes)
    unknown = found - set(CATALOGUE)
    if unknown:  # a programming error, caught by the catalogue test long before a user sees it
        raise KeyError(f"uncatalogued finding codes: {sorted(unknown)}")
    if found:
        sys.audit(EMITTED_EVENT, tuple(sorted(found)))


def emitted(frame: pl.DataFrame) -> pl.DataFrame:
    """``announce`` the codes of ``frame``; returns ``frame``."""
    if frame.height:
        announce(frame.get_column("code").drop_nulls().unique().to_list())
    return frame


def emit(
    frame: pl.DataFrame,
    code: pl.Expr | str,
    canonical: pl.Expr | str,
    value: pl.Expr,
    detail: pl.Expr | None = None,
    *,
    person: pl.Expr | None = None,
    keep: tuple[str, ...] = (),
) -> pl.DataFrame:
    """The findings of ``frame``'s rows: one per row where ``code`` is not null, in ``FINDING_SCHEMA``
    (plus the ``keep`` columns). ``frame`` carries the row key ``_file``, ``_sheet``, ``_row``;
    ``person`` defaults to its ``id_number`` column."""
    return emitted(emit_query(frame.lazy(), code, canonical, value, detail, person=person, keep=keep).collect())


def emit_query(
    frame: pl.LazyFrame | pl.DataFrame,
    code: pl.Expr | str,
    canonical: pl.Expr | str,
    value: pl.Expr,
    detail: pl.Expr | None = None,
    *,
    person: pl.Expr | None = None,
    keep: tuple[str, ...] = (),
) -> pl.LazyFrame:
    """``emit`` as a query, for collecting many together (``pl.collect_all``); pass each collected
    frame to ``emitted``."""
    frame = frame.lazy()
    if person is None:
        has_id = "id_number" in frame.collect_schema().names()
        person = pl.col("id_number") if has_id else pl.lit(None, pl.String)
    code_expr = pl.lit(code, pl.String) if isinstance(code, str) else code
    column = pl.lit(canonical, pl.String) if isinstance(canonical, str) else canonical.cast(pl.String)
    return (
        frame.select(
            pl.col("_file"),
            pl.col("_sheet"),
            pl.col("_row").cast(pl.Int64),
            column.alias("canonical"),
            value.cast(pl.String).alias("value"),
            code_expr.alias("code"),
            pl.lit(None, pl.String).alias("severity"),
            (detail if detail is not None else pl.lit(None, pl.String)).cast(pl.String).alias("detail"),
            person.cast(pl.String).alias("person_id"),
            *keep,
        )
        .filter(pl.col("code").is_not_null())
        .with_columns(severity_of(pl.col("code")).alias("severity"))
    )


def from_rows(rows: Iterable[Issue]) -> pl.DataFrame:
    """Findings built in Python, as a ``FINDING_SCHEMA`` frame."""
    frame = pl.DataFrame(
        [(*row[:6], None, *row[6:]) for row in rows], schema=FINDING_SCHEMA, orient="row"
    ).with_columns(severity_of(pl.col("code")).alias("severity"))
    return emitted(frame)


def empty(keep: Mapping[str, Any] | None = None) -> pl.DataFrame:
    """No findings (with the ``keep`` columns and their types)."""
    return pl.DataFrame(schema={**FINDING_SCHEMA, **(keep or {})})


def concat(parts: Iterable[pl.DataFrame], keep: Mapping[str, Any] | None = None) -> pl.DataFrame:
    """The findings of several stages as one frame; ``empty(keep)`` when there are none."""
    found = [p for p in parts if p.height]
    return pl.concat(found, how="vertical_relaxed") if found else empty(keep)


def template_expr(template: str, fields: Mapping[str, pl.Expr]) -> pl.Expr:
    """A message template as a Polars expression: each ``{field}`` of ``fields`` filled in, an absent one
    left blank. Every rendered message, of a check, a payout or a voucher, is built by this."""
    pieces: list[pl.Expr] = []
    for i, part in enumerate(re.split(r"\{(\w+)\}", template)):
        if i % 2:
            pieces.append(fields[part].cast(pl.String).fill_null("") if part in fields else pl.lit(""))
        elif part:
            pieces.append(pl.lit(part))
    return pl.concat_str(pieces) if pieces else pl.lit("")


class _Blank(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return ""


def render(slug: str, *, column: str = "", value: str = "", detail: str = "") -> tuple[str, str]:
    """The zh and en messages of a code with its fields filled in."""
    code = CATALOGUE[slug]
    count, _, closest = detail.partition("; ")
    fields = _Blank(column=column, value=value, detail=detail, count=count, closest=closest)
    return code.zh.format_map(fields), code.en.format_map(fields)


def sender_message(slug: str, *, column: str, value: str, message: str) -> str:
    """A rendered finding as its sender reads it in a return: the code's ``sender`` text when the
    clerk's ``message`` tells the clerk, not the sender, what to do; ``message`` otherwise."""
    code = CATALOGUE.get(slug)
    if code is None or not code.sender:
        return message
    return code.sender.format_map(_Blank(column=column, value=value))


def catalogue_markdown() -> str:
    """docs/findings.md, generated. Grouped by area, one table row per code."""
    lines = [
        "# Finding codes",
        "",
        "Generated from `src/skillcli/findings.py` by `make docs`; do not edit by hand.",
        "An **error** keeps the row out of the payout (`skillcli check` exits 1); a **warning** is reported only;"
        " an **ineligible** code says why the policy does not cover a row (`ineligible.csv`).",
        "",
    ]
    area = ""
    for code in _ALL:
        if code.area != area:
            area = code.area
            lines += ["", f"## {area}", "", "| code | severity | 中文 | English |", "|---|---|---|---|"]
        lines.append(f"| `{code.slug}` | {code.severity.value} | {code.zh} | {code.en} |")
    lines += [
        "",
        "## Wording in return files",
        "",
        "A return (退回_*.xlsx) goes to the enterprise or institution that sent the table. Where the message above"
        " tells the clerk what to ask the sender for, the return says it to the sender instead:",
        "",
        "| code | 退回清单中的说明 |",
        "|---|---|",
        *(f"| {code.slug} | {code.sender} |" for code in _ALL if code.sender),
    ]
    return "\n".join(lines) + "\n"
