"""The fields a rule condition may test: roster columns and the values derived for each row.

Each field has a kind (how condition values are parsed and compared) and a Chinese label (how
a reason names it). Derived fields are computed by ``skillcli.rules.derive``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from skillcli.schema.columns import ATTENDANCE_STATUS, CATEGORIES, CERT_KINDS, PASSED, PAYERS, ROLES, TRAINING_TYPES

FieldKind = Literal["enum", "level", "bool", "date", "number", "text"]


@dataclass(frozen=True, slots=True)
class Field:
    name: str
    kind: FieldKind
    label: str
    choices: tuple[str, ...] = ()
    derived: bool = False
    # A missing value makes the row an exception ("missing is not zero"), except where the
    # input schema says a blank means "no" (是否领取养老金).
    missing_means_false: bool = False


def _values(choices: tuple[tuple[str, str], ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v for _, v in choices))


FIELDS: dict[str, Field] = {
    f.name: f
    for f in (
        Field("training_type", "enum", "培训类型", _values(TRAINING_TYPES)),
        Field("category", "enum", "人员类别", _values(CATEGORIES)),
        Field("payer", "enum", "出资方", _values(PAYERS)),
        Field("passed", "enum", "考核结果", _values(PASSED)),
        Field("role", "enum", "角色", _values(ROLES)),
        Field("level", "level", "培训等级"),
        Field("occupation", "text", "职业(工种)"),
        Field("employer_name", "text", "单位名称"),
        Field("institution", "text", "培训机构"),
        Field("insured", "bool", "是否参保"),
        Field("pensioner", "bool", "是否领取养老金", missing_means_false=True),
        Field("start_date", "date", "开班日期"),
        Field("end_date", "date", "结业日期"),
        Field("filed_end_date", "date", "备案结束日期"),
        Field("fee_fen", "number", "培训费用(分)"),
        Field("insured_months", "number", "参保月数"),
        # Derived per row.
        Field("age", "number", "年龄（开班时）", derived=True),
        Field("training_months", "number", "培训月数", derived=True),
        Field("contract_months", "number", "劳动合同月数", derived=True),
        Field("has_cert", "bool", "取得本职业本等级证书", derived=True),
        Field("cert_kind", "enum", "证书类型", _values(CERT_KINDS), derived=True),
        Field("cert_issue_date", "date", "发证日期", derived=True),
        Field("cert_local", "bool", "本市取证", derived=True),
        Field("qualified", "bool", "考核合格或取得证书", derived=True),
        Field("attended_days", "number", "实际出勤天数", derived=True),
        Field("required_days", "number", "应出勤天数", derived=True),
        Field("attendance_rate", "number", "出勤率", derived=True),
        Field("online_share", "number", "线上学时占比", derived=True),
        Field("shortage_occupation", "bool", "紧缺职业(工种)", derived=True),
        Field("self_evaluating_employer", "bool", "单位为备案自主评价企业", derived=True),
        Field("left_during_training", "bool", "培训期间离职（离职日期不晚于结业日期）", derived=True),
        Field("prior_cert_years", "number", "低一等级证书持证年数（未找到记为0）", derived=True),
        Field("active_in_period", "bool", "本月在训", derived=True),
        Field("closed", "bool", "已于批次月份内结业", derived=True),
        Field("batch_month_end", "date", "批次月末", derived=True),
        Field("advance_fen", "number", "已预拨金额(分)"),
    )
}

ATTENDANCE_STATUS_VALUES = _values(ATTENDANCE_STATUS)
