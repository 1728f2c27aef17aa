"""What `check` finds and says, as the fifth independent reader needed it: each test writes a real
.xlsx, runs the CLI in-process and checks the finding's cell (file, sheet, Excel row, column, value)
and its message text.
"""

from __future__ import annotations

import pytest

from tests.support.cli import by_code
from tests.support.rosters import ROSTER_HEADER_ROW, person, roster_row, roster_sheet


def only(result, code):
    return [f for f in result.json["findings"] if f["code"] == code]


# -- √ / × in a pass/fail column ----------------------------------------------------------------
@pytest.mark.parametrize(
    ("mark", "means", "other"),
    [
        ("√", "合格", "不合格"),
        ("✓", "合格", "不合格"),
        ("✔", "合格", "不合格"),
        ("○", "合格", "不合格"),
        ("对", "合格", "不合格"),
        ("Y", "合格", "不合格"),
        ("×", "不合格", "合格"),
        ("✗", "不合格", "合格"),
        ("✘", "不合格", "合格"),
        ("错", "不合格", "合格"),
        ("N", "不合格", "合格"),
    ],
)
def test_mark__a_tick_or_cross_in_the_result_says_which_word_to_write(make_xlsx, check_json, mark, means, other):
    header = [*ROSTER_HEADER_ROW, "考核结果"]
    path = make_xlsx(
        {"花名册": roster_sheet([*roster_row(1), "合格"], [*roster_row(2), mark], header=header)}, name="华锐.xlsx"
    )
    result = check_json(path)
    assert result.code == 1
    [finding] = only(result, "value.mark")
    assert (finding["file"].endswith("华锐.xlsx"), finding["sheet"], finding["row"]) == (True, "花名册", 3)
    assert (finding["column"], finding["value"], finding["severity"]) == ("考核结果", mark, "error")
    assert finding["message_zh"] == (
        f"「考核结果」填的是符号「{mark}」，符号不能作为结论，请写明文字：如「{mark}」表示{means}，请改为「{means}」；"
        f"如表示{other}，请改为「{other}」"
    )
    assert f"If '{mark}' means {means}, write '{means}'" in finding["message_en"]
    # A mark is not a value outside the list: it gets only the finding that says what to write.
    assert by_code(result, "value.not-in-list") == []


def test_mark__words_are_read_and_other_text_is_still_out_of_the_list(make_xlsx, check_json):
    header = [*ROSTER_HEADER_ROW, "是否合格"]
    path = make_xlsx(
        {
            "花名册": roster_sheet(
                [*roster_row(1), "合格"], [*roster_row(2), "是"], [*roster_row(3), "待定"], header=header
            )
        }
    )
    result = check_json(path)
    assert by_code(result, "value.mark") == []
    assert by_code(result, "value.not-in-list") == [(4, "是否合格", "value.not-in-list")]


# -- 依据 of every condition --------------------------------------------------------------------
def _policies():
    from skillcli.rules.load import load_policy, policy_paths

    return [load_policy(path) for _, path in sorted(policy_paths().items())]


def test_clause__every_packaged_rule_line_cites_a_clause_not_the_bare_document():
    from skillcli.rules.compile import built_in_requirements

    policies = _policies()
    assert {p.id for p in policies} >= {"wuxi-2024", "suzhou-2019", "shanxi-2019", "cixi-2023"}
    bare = []
    for policy in policies:
        ref = policy.document["ref"]
        for rule in policy.rules:
            lines = [("rule", rule.clause)] + [
                (req.id, req.clause) for req in (*built_in_requirements(policy, rule), *policy.eligibility, *rule.require)
            ]
            # A clause is the document's reference followed by where in it: 「S3 三(九)」, 「S3 落款…」.
            bare += [(policy.id, rule.id, what, c) for what, c in lines if not c.startswith(f"{ref} ") or c == ref]
    assert bare == []


def test_clause__explain_cites_where_the_notice_states_its_dates(make_xlsx, run_cli):
    from tests.support.wuxi import IDS, PERIOD, POLICY, wuxi_batch

    files = wuxi_batch(make_xlsx)
    result = run_cli("explain", IDS["王强"], *files, "--policy", POLICY, "--period", PERIOD)
    assert result.code == 0, result.stderr
    # explain prints its result on stdout or stderr (out15 moves the results to stdout).
    lines = [line for line in (result.stdout + result.stderr).splitlines() if "在政策施行期内结业" in line]
    assert len(lines) == 2  # A17 and A18 each have the condition
    assert all("S3 落款「2024年4月2日」（未写有效期，自发文之日起）" in line for line in lines)
