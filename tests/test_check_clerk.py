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
