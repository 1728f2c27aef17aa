"""The fields a rule condition may test: roster columns and the values derived for each row.

Each field has a kind (how condition values are parsed and compared) and a Chinese label (how
a reason names it). Derived fields are computed by ``skillcli.rules.derive``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from skillcli.model import SheetKind
from skillcli.schema.columns import ATTENDANCE_STATUS, CATEGORIES, CERT_KINDS, PASSED, PAYERS, ROLES, TRAINING_TYPES

FieldKind = Literal["enum", "level", "bool", "date", "number", "text"]


@dataclass(frozen=True, slots=True)
class Field:
    name: str
    kind: FieldKind
    label: str
    choices: tuple[str, ...] = ()
    derived: bool = False
    # A missing value makes the row an exception ("missing is not zero"), except for fields whose
    # blank means the ordinary value: 是否领取养老金 blank = 否, 人员类别 blank = no listed group. Such
    # a blank never grants money (a test "in the list" is false) and never withholds it. The text
    # says how a blank was read, in the one hint line per field (``payout.blank-read-as``).
    blank_reads_as: str = ""
    # The roster column whose blanks the hint counts, when it is not the field itself.
    blank_column: str = ""
    # ``blank_reads_as`` in English, for the hint read with --lang en.
    blank_reads_as_en: str = ""
    # A derived column saying where the value came from, shown instead of a bare 是/否 (explain).
    shown_column: str = ""


def _values(choices: tuple[tuple[str, str], ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v for _, v in choices))


FIELDS: dict[str, Field] = {
    f.name: f
    for f in (
        Field("training_type", "enum", "培训类型", _values(TRAINING_TYPES)),
        Field(
            "category",
            "enum",
            "人员类别",
            _values(CATEGORIES),
            blank_reads_as="无特殊人员类别",
            blank_reads_as_en="no special group",
        ),
        Field("payer", "enum", "出资方", _values(PAYERS)),
        Field("passed", "enum", "考核结果", _values(PASSED)),
        Field("role", "enum", "角色", _values(ROLES)),
        Field("level", "level", "培训等级"),
        Field("occupation", "text", "职业(工种)"),
        Field("employer_name", "text", "单位名称"),
        Field("institution", "text", "培训机构"),
        Field("insured", "bool", "是否参保"),
        Field("pensioner", "bool", "是否领取养老金", blank_reads_as="否", blank_reads_as_en="no"),
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
        # 是否紧缺职业 overrides the rules file's list; blank, the list decides (never null).
        Field(
            "shortage_occupation",
            "bool",
            "紧缺职业(工种)",
            derived=True,
            blank_reads_as="规则文件的紧缺职业目录",
            blank_reads_as_en="the rules file's shortage-occupation list",
            blank_column="shortage",
        ),
        Field(
            "self_evaluating_employer",
            "bool",
            "单位为备案自主评价企业（在备案名单中，或证书由本单位颁发）",
            derived=True,
            shown_column="self_evaluating_source",
        ),
        Field("left_during_training", "bool", "培训期间离职（离职日期不晚于结业日期）", derived=True),
        Field("prior_cert_years", "number", "低一等级证书持证年数（未找到记为0）", derived=True),
        Field("active_in_period", "bool", "本月在训", derived=True),
        Field("closed", "bool", "已于批次月份或之前结业", derived=True),
        Field("batch_month_end", "date", "批次月末", derived=True),
        Field("advance_fen", "number", "已预拨金额(分)"),
    )
}

ATTENDANCE_STATUS_VALUES = _values(ATTENDANCE_STATUS)


# Where each field's value comes from: alternatives of (sheet kind, column) sets. A field is absent
# from a batch when no alternative is carried by its sheets (a column no sheet has, or no sheet of
# that kind). Roster fields not listed come from the roster column of their own name; derived
# fields not listed are computed from columns every roster has (dates, ID) and are never absent.
_R, _A, _C = SheetKind.ROSTER, SheetKind.ATTENDANCE, SheetKind.CERTIFICATES
FIELD_SOURCES: dict[str, tuple[tuple[tuple[SheetKind, str], ...], ...]] = {
    "fee_fen": (((_R, "fee_yuan"),),),
    "advance_fen": (((_R, "advance_yuan"),),),
    "contract_months": (((_R, "contract_start"), (_R, "contract_end")),),
    "has_cert": (((_C, "id_number"),),),
    "cert_kind": (((_C, "cert_kind"),),),
    "cert_issue_date": (((_C, "issue_date"),),),
    "cert_local": (((_C, "issued_locally"),),),
    "qualified": (((_R, "passed"),), ((_C, "id_number"),)),
    "attended_days": (((_A, "days_present"),), ((_A, "date"), (_A, "status"))),
    "required_days": (((_A, "days_required"),), ((_A, "date"), (_A, "status"))),
    "attendance_rate": (((_A, "days_present"), (_A, "days_required")), ((_A, "date"), (_A, "status"))),
    "online_share": (((_A, "hours_online"),),),
}


def absent_fields(present: set[tuple[SheetKind, str]]) -> frozenset[str]:
    """The fields no sheet of the batch can give, from the (kind, column) pairs its sheets carry.

    Fields whose blank has an ordinary reading (``blank_reads_as``) are never absent: a batch
    without the column reads every row that way.
    """
    absent = set()
    for name, spec in FIELDS.items():
        if spec.blank_reads_as:
            continue
        if name in FIELD_SOURCES:
            sources = FIELD_SOURCES[name]
        elif spec.derived:
            continue
        else:
            sources = (((_R, name),),)
        if not any(all(pair in present for pair in option) for option in sources):
            absent.add(name)
    return frozenset(absent)


# The English names of the derived fields, for reasons read with --lang en. A roster field is named by
# its header as the clerk's sheet writes it (「培训类型」), which the English reader sees in the file.
DERIVED_LABELS_EN: dict[str, str] = {
    "age": "age at the start of training",
    "training_months": "training months",
    "contract_months": "labour-contract months",
    "has_cert": "certificate of this occupation and level obtained",
    "cert_kind": "certificate type",
    "cert_issue_date": "certificate issue date",
    "cert_local": "certificate obtained in the city",
    "qualified": "passed the assessment or holds the certificate",
    "attended_days": "days attended",
    "required_days": "days required",
    "attendance_rate": "attendance rate",
    "online_share": "share of online hours",
    "shortage_occupation": "shortage occupation",
    "self_evaluating_employer": "employer is a filed self-evaluating enterprise (on the list, or issued the certificate)",
    "left_during_training": "left the job during the training",
    "prior_cert_years": "years holding the next-lower certificate (0 if none found)",
    "active_in_period": "in training this month",
    "closed": "training ended by the end of the batch month",
    "batch_month_end": "end of the batch month",
}


def label_en(field: str) -> str:
    """How an English reason names a field: its English name, or its header as written, quoted."""
    spec = FIELDS[field]
    return DERIVED_LABELS_EN.get(field) or f"'{spec.label}'"
