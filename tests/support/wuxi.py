"""A Wuxi 2024 apprenticeship batch (policy wuxi-2024, period 2024-12) like the one an independent
reader built: two enterprises' rosters with the cases the reader could not act on in the outputs.

``wuxi_batch`` writes the two workbooks and returns their paths; ``PEOPLE`` names each trainee's
case. Dates are real Excel dates unless the case is about the text (无固定期限).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.support.ids import valid_id, valid_uscc

D = dt.date
POLICY, PERIOD = "wuxi-2024", "2024-12"
ENTERPRISE_A, ENTERPRISE_B = "无锡华锐精密机械有限公司", "无锡恒通电子科技有限公司"
USCC_A, USCC_B = valid_uscc("91320214MA1XK7P22"), valid_uscc("913202117035288Q8")
HEADER = [
    "序号", "姓名", "身份证号码", "单位名称", "统一社会信用代码", "培训类型", "职业(工种)", "等级",
    "开班日期", "结业日期", "备案结束日期", "劳动合同起始日期", "劳动合同终止日期", "考核结果", "班级编号",
]  # fmt: skip
ATTENDANCE = ["身份证号码", "姓名", "班级编号", "线上学时", "线下学时"]
CERTIFICATES = ["身份证号码", "姓名", "证书编号", "证书类型", "职业(工种)", "等级", "发证日期"]

IDS = {
    name: valid_id(area, birth, seq)
    for name, area, birth, seq in (
        ("张伟", "320214", "19980312", "015"),
        ("王强", "320211", "19900115", "031"),
        ("陈静", "320211", "20000430", "022"),
        ("赵磊", "320214", "20011105", "035"),
        ("黄敏", "320211", "20020618", "042"),
        ("周杰", "320213", "19970321", "019"),
        ("吴芳", "320214", "19950809", "028"),
        ("孙丽", "320213", "19940516", "066"),
        ("林涛", "320213", "19980808", "091"),
        ("何勇", "320214", "19950512", "017"),
        ("许婷", "320213", "19971125", "048"),
    )
}
# 何勇's ID typed as a number: Excel kept 15 digits and shows 3.20214E+17.
LOST_ID = int(IDS["何勇"][:15] + "000")
LOST_SHOWN = "3.20214E+17"

# name → (occupation, level, start, end, filed end, contract start, contract end, result, class)
ROWS_A: list[tuple[str, str, str, Any, Any, Any, Any, Any, str | None, str]] = [
    ("张伟", "数控车工", "中级工", D(2023, 6, 1), D(2024, 5, 31), D(2024, 5, 31), D(2023, 5, 1), D(2026, 4, 30), "合格", "HR-01"),
    # An open-ended labour contract: paid as at least one year.
    ("王强", "装配钳工", "中级工", D(2023, 4, 1), D(2024, 9, 30), D(2024, 9, 30), D(2015, 3, 1), "无固定期限", "合格", "HR-03"),
    ("陈静", "工业机器人系统运维", "无等级", D(2023, 7, 1), D(2024, 6, 30), D(2024, 6, 30), D(2023, 6, 1), D(2026, 5, 31), "合格", "HR-05"),
    ("赵磊", "数控车工", "中级工", D(2023, 6, 1), D(2024, 5, 31), D(2024, 5, 31), D(2023, 6, 1), D(2024, 3, 31), "合格", "HR-01"),
    # The class closes after the batch month: not yet payable, not an error.
    ("黄敏", "电工", "中级工", D(2024, 3, 1), D(2025, 2, 28), D(2025, 2, 28), D(2024, 2, 1), D(2027, 1, 31), None, "HR-06"),
    ("周杰", "数控车工", "中级工", D(2023, 6, 1), D(2024, 5, 31), D(2024, 5, 31), D(2023, 3, 1), D(2026, 2, 28), "不合格", "HR-01"),
    ("吴芳", "电工", "中级工", D(2023, 8, 1), D(2024, 7, 31), D(2024, 7, 31), D(2023, 7, 1), D(2026, 6, 30), "合格", "HR-07"),
    # 30 months: the 2–3 year special-case band of S3 二(一).
    ("孙丽", "数控车工", "中级工", D(2022, 7, 1), D(2024, 12, 31), D(2024, 12, 31), D(2022, 6, 1), D(2027, 5, 31), "合格", "HR-08"),
]  # fmt: skip
ROWS_B: list[tuple[str, str, str, Any, Any, Any, Any, Any, str | None, str]] = [
    ("林涛", "电子设备装接工", "中级工", D(2023, 10, 1), D(2024, 9, 30), D(2024, 9, 30), D(2023, 9, 1), D(2026, 8, 31), "合格", "HT-02"),
    ("林涛", "电子设备装接工", "中级工", D(2023, 10, 1), D(2024, 9, 30), D(2024, 9, 30), D(2023, 9, 1), D(2026, 8, 31), "合格", "HT-02"),
    ("何勇", "电子设备装接工", "中级工", D(2023, 10, 1), D(2024, 9, 30), D(2024, 9, 30), D(2023, 9, 1), D(2026, 8, 31), "合格", "HT-02"),
    # Trained 18 months, filed for 12: paid on the filed period.
    ("许婷", "电子设备装接工", "中级工", D(2023, 3, 1), D(2024, 8, 31), D(2024, 2, 29), D(2023, 2, 1), D(2026, 1, 31), "合格", "HT-01"),
]  # fmt: skip


def _roster(rows: list[Any], enterprise: str, uscc: str) -> list[list[Any]]:
    lines = [HEADER]
    for n, (name, occupation, level, start, end, filed, c_start, c_end, result, class_id) in enumerate(rows, 1):
        id_number: Any = LOST_ID if name == "何勇" else IDS[name]
        lines.append(
            [n, name, id_number, enterprise, uscc, "新型学徒制", occupation, level, start, end, filed, c_start, c_end,
             result, class_id]
        )  # fmt: skip
    return lines


def _attendance(rows: list[Any], missing: tuple[str, ...]) -> list[list[Any]]:
    online = {"吴芳": (200, 200)}  # 50 % online: over the 40 % of S3 二(四)
    seen: list[list[Any]] = [ATTENDANCE]
    for name, *rest in rows:
        if name in missing or any(line[1] == name for line in seen[1:]):
            continue
        on, off = online.get(name, (120, 360))
        seen.append([LOST_ID if name == "何勇" else IDS[name], name, rest[-1], on, off])
    return seen


def wuxi_batch(make_xlsx: Callable[..., Path], *, no_attendance: tuple[str, ...] = ()) -> list[Path]:
    """The two enterprises' workbooks (roster, attendance; A also certificates). The trainees named
    in ``no_attendance`` have no attendance row."""
    certificates = [
        CERTIFICATES,
        [IDS["陈静"], "陈静", "WX-2024-0031", "培训合格证", "工业机器人系统运维", "无等级", D(2024, 7, 10)],
    ]
    return [
        make_xlsx(
            {
                "学徒花名册": _roster(ROWS_A, ENTERPRISE_A, USCC_A),
                "考勤汇总": _attendance(ROWS_A, no_attendance),
                "取证情况": certificates,
            },
            name="华锐_学徒补贴申请.xlsx",
        ),
        make_xlsx(
            {"人员名单": _roster(ROWS_B, ENTERPRISE_B, USCC_B), "出勤": _attendance(ROWS_B, no_attendance)},
            name="恒通_学徒花名册.xlsx",
        ),
    ]
