"""Every error message the policy loader and ``rules check`` can give, each from a broken file in tests/data/bad_rules.

Each file is tests/data/bad_rules/valid.yaml broken in one place and named after what is wrong. Through the
CLI, as a district's rules clerk meets them, each must end in its exit code with one message that names
the file, the key and what is wrong, in Chinese and in English, and never a traceback.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.support.cli import Result

BAD_RULES = Path(__file__).resolve().parent / "data" / "bad_rules"

# file stem: (key named, what is wrong in Chinese, what is wrong in English). The key is the same in both.
LOAD_ERRORS: dict[str, tuple[str, str, str]] = {
    "not-yaml": ("line 6", "不是有效的 YAML", "is not valid YAML"),
    "top-level-a-list": ("", "文件顶层应为映射", "the top level must be a mapping"),
    "unknown-top-level-key": ("colour", "policy 有未知字段", "unknown keys in policy"),
    "missing-title": ("title", "缺少 title", "missing key 'title'"),
    "effective-not-a-mapping": ("effective", "应为映射", "must be a mapping"),
    "effective-from-not-a-date": ("effective.from", "不是日期", "is not a date"),
    "document-not-a-mapping": ("document", "应为映射", "must be a mapping"),
    "parameters-not-a-mapping": ("parameters", "应为映射", "must be a mapping"),
    "parameter-without-value": ("prejob_rate", "缺少 value", "has no value"),
    "parameter-without-doc": ("prejob_rate", "缺少 doc 说明", "needs a doc line"),
    "undefined-parameter": ("rules.A5.amount.rate", "引用了未定义的参数 $prejob_rates", "undefined parameter $prejob_rates"),
    "readings-not-a-list": ("readings", "应为列表", "must be a list"),
    "reading-without-why": ("readings R1", "缺少 why", "missing 'why'"),
    "duplicate-reading-ids": ("readings", "id 重复：['R1']", "ids used twice: ['R1']"),
    "eligibility-not-a-list": ("eligibility", "应为列表", "must be a list"),
    "requirement-without-clause": ("eligibility.E8", "缺少 clause", "missing 'clause'"),
    "conditions-not-a-mapping": ("eligibility.E8.require", "应为 字段: 条件 的映射", "must map fields to conditions"),
    "unknown-field": ("eligibility.E8.require", "有未知字段「pensionr」", "unknown field 'pensionr'"),
    "unknown-value": ("rules.A5.scope.training_type", "「岗前陪训」不在「培训类型」的可选值中", "'岗前陪训' is not a value"),
    "unknown-level-in-condition": ("rules.A5.scope.level", "等级「九级工」无法识别", "level '九级工' is not recognised"),
    "bool-condition-not-true-or-false": ("eligibility.E8.require.pensioner", "应为 true/false", "must be true or false"),
    "number-condition-not-a-number": ("eligibility.E8.require.age.max", "应为数字", "must be a number"),
    "if-absent-not-hold": ("rules.A5.if_absent", "只能是 hold", "must be 'hold'"),
    "if-absent-with-a-require-list": ("rules.A5.if_absent", "只用于 require 的简写形式", "applies to the shorthand require only"),
    "rules-not-a-list": ("rules", "应为列表", "must be a list"),
    "rule-not-a-mapping": ("rule 'A6 岗前培训补贴'", "应为映射", "must be a mapping"),
    "duplicate-rule-ids": ("rules", "id 重复：['A5']", "ids used twice: ['A5']"),
    "rule-unknown-key": ("rule A5", "有未知字段 ['colour']", "unknown keys in rule A5: ['colour']"),
    "rule-without-clause": ("A5", "缺少 clause", "missing 'clause'"),
    "payee-unknown": ("rules.A5.payee", "「school」应为 person/enterprise/institution", "'school' is not a payee rule"),
    "payee-by-payer-not-a-mapping": ("rules.A5.payee_by_payer", "应为映射", "must be a mapping"),
    "payee-by-payer-unknown-payer": ("rules.A5.payee_by_payer", "出资方「政府」无效", "'政府' is not a 出资方"),
    "payee-by-payer-unknown-payee": ("rules.A5.payee_by_payer.企业", "收款方「school」无效", "'school' is not a payee"),
    "advance-to-a-person": ("rules.A5.advance", "应为 enterprise/institution 的列表", "must list enterprise and/or institution"),
    "amount-not-a-mapping": ("rules.A5.amount", "应为映射", "must be a mapping"),
    "amount-form-unknown": ("rules.A5.amount.form", "「weekly」应为", "'weekly' must be one of"),
    "amount-without-rate": ("rules.A5.amount", "缺少 rate", "missing rate"),
    "amount-three-decimals": ("rules.A5.amount.rate", "「300.005」超过两位小数", "'300.005' has more than two decimals"),
    "amount-not-a-number": ("rules.A5.amount.rate", "金额「三百」不是数字", "amount '三百' is not a number"),
    "amount-a-list": ("rules.A5.amount.rate", "金额应为数字（元）", "amount must be a number of yuan"),
    "amount-cap-not-a-positive-integer": ("rules.A5.amount.max_units", "应为正整数", "must be a positive integer"),
    "amount-cap-per-person-on-a-row-amount": (
        "rules.A5.amount.max_units_per",
        "person 只用于有 max_units、单一标准且无系数的 per_month 金额",
        "person only on a per_month amount with max_units",
    ),
    "multiplier-factor-not-a-number": ("rules.A5.amount.multiplier.factor", "应为数字", "must be a number"),
    "multiplier-any-of-with-when": ("rules.A5.amount.multiplier", "不与 when 同用", "not combined with when"),
    "level-table-not-a-mapping": ("rules.A5.amount.rate.by_level", "应为映射", "must be a mapping"),
    "level-table-unknown-level": ("rules.A5.amount.rate", "等级「九级工」无法识别", "level '九级工' is not recognised"),
    "rate-table-without-its-kind": ("rules.A5.amount.rate", "by_level / by_year / catalogue", "by_level, by_year, catalogue"),
    "year-table-not-a-mapping": ("rules.A5.amount.rate.by_year", "应为 年份: 金额 的映射", "must map years to amounts"),
    "year-table-bad-year": ("rules.A5.amount.rate.by_year", "年份「21」无效", "'21' is not a year"),
    "year-table-of-not-a-date": ("rules.A5.amount.rate.of", "应为日期字段", "must be a date field"),
    "year-table-offset-not-an-integer": ("rules.A5.amount.rate.offset", "应为整数", "must be an integer"),
    "catalogue-not-a-parameter": ("rules.A5.amount.rate.catalogue", "应引用一个参数", "must name a parameter"),
    "catalogue-parameter-not-a-mapping": ("rules.A5.amount.rate.catalogue", "职业: 金额 的映射", "must map occupations"),
    "catalogue-unknown-level": ("rules.A5.amount.rate", "目录的等级「九级工」无法识别", "level '九级工' is not recognised"),
    "limits-unknown-key": ("limits", "有未知字段 ['monthly']", "unknown keys in limits: ['monthly']"),
    "limit-not-a-mapping": ("limits.yearly", "应为映射", "must be a mapping"),
    "limit-without-clause": ("limits.yearly", "缺少 clause", "missing clause"),
    "limit-max-not-an-integer": ("limits.yearly.max", "应为正整数", "must be a positive integer"),
    "no-repeat-window-unknown": ("limits.no_repeat.window", "「month」应为 ever 或 year", "'month' must be 'ever' or 'year'"),
    "exclusive-not-a-list": ("limits.exclusive", "应为列表", "must be a list"),
    "exclusive-without-clause": ("limits.exclusive.E3", "缺少 clause", "missing clause"),
    "exclusive-unknown-rule": ("limits.exclusive.E3.rules", "本文件没有的规则 ['A99']", "['A99'] are not rules of this file"),
    "exclusive-one-rule": ("limits.exclusive.E3.rules", "应至少列出两条规则", "must list at least two rules"),
    "advance-share-not-a-number": ("limits.advance.max_share", "应为 0 到 1 之间的数", "must be a number from 0 to 1"),
    "advance-allowed-not-true-or-false": ("limits.advance.allowed", "应为 true/false", "must be true or false"),
}
# Files that load but that ``rules check`` rejects (rules/lint.py).
LINT_ERRORS: dict[str, tuple[str, str, str]] = {
    "effective-ends-before-it-starts": ("", "有效期结束早于开始", "effective.to is before effective.from"),
    "file-name-differs-from-id": ("another-name.yaml", "文件名应为", "the file should be named"),
    "level-table-leaves-out-a-level": ("A5", "等级表缺少 二级/技师", "level table leaves out 二级/技师"),
}
CASES = {**LOAD_ERRORS, **LINT_ERRORS}


def flat(text: str) -> str:
    """Screen text with the table's line breaks and padding taken out, so a wrapped cell reads as one line."""
    return re.sub(r"\s+", " ", text)


def check(run_cli: Any, name: str, lang: str) -> Result:
    return run_cli("rules", "check", BAD_RULES / f"{name}.yaml", "--lang", lang)


@pytest.fixture(autouse=True)
def _wide_screen(monkeypatch: pytest.MonkeyPatch) -> None:
    # The lint table wraps long cells at the terminal width; a wide screen keeps each message on one line.
    monkeypatch.setenv("COLUMNS", "400")


def test_bad_rules__the_base_file_is_valid(run_cli: Any) -> None:
    result = check(run_cli, "valid", "en")
    assert result.code == 0, result.stderr
    assert "1 files, 0 errors" in result.stdout


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_rules__rules_check_names_file_key_and_fault(run_cli: Any, name: str) -> None:
    key, zh, en = CASES[name]
    for lang, fault, summary in (("zh", zh, "错误 1"), ("en", en, "1 errors")):
        result = check(run_cli, name, lang)
        text = flat(result.stdout)  # the lint is the command's result
        assert result.code == 1, text + result.stderr
        assert "Traceback" not in result.stderr and "内部错误" not in text + result.stderr
        assert f"{name}.yaml" in text and key in text and fault in text, text
        assert summary in text


@pytest.mark.parametrize("name", sorted(LOAD_ERRORS))
def test_bad_rules__using_the_policy_is_one_line_and_exit_2(run_cli: Any, name: str) -> None:
    key, zh, en = LOAD_ERRORS[name]
    for lang, fault in (("zh", zh), ("en", en)):
        result = run_cli("--rules", BAD_RULES, "rules", "show", name, "--lang", lang)
        assert result.code == 2, result.stderr
        (line,) = result.stderr.strip().splitlines()
        assert f"{name}.yaml" in line and key in line and fault in line, line


def test_bad_rules__every_file_has_a_case_and_a_readme_line() -> None:
    files = {p.stem for p in BAD_RULES.glob("*.yaml")}
    assert files == {"valid", *CASES}
    readme = (BAD_RULES / "README.md").read_text(encoding="utf-8")
    listed = set(re.findall(r"^\| `([a-z0-9-]+)\.yaml` \|", readme, flags=re.MULTILINE))
    assert listed == files
