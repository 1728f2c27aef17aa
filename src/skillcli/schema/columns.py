"""Every column skillcli understands: canonical name, the Chinese header, its aliases and its type.

This table is the single source for header matching, parsing, the Pandera models and the
blank template. Aliases are compared after ``skillcli.text.normalise_header``; add real-world
variants here when a district sends a new one.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from typing import TYPE_CHECKING

from skillcli.errors import UsageError
from skillcli.model import Level, SheetKind
from skillcli.text import normalise_header

if TYPE_CHECKING:
    from skillcli.io.layout import HeaderWords


class ColType(StrEnum):
    """How a column is parsed and checked."""

    TEXT = "text"
    NAME = "name"
    ID = "id"  # 居民身份证号码, GB 11643
    PHONE = "phone"
    USCC = "uscc"  # 统一社会信用代码, GB 32100
    ACCOUNT = "account"  # bank account or social-security card number: digits, exact
    CODE = "code"  # exact text such as a certificate or class number
    DATE = "date"
    PERIOD = "period"  # "2024.05.06-2024.05.15" in one cell, split into start and end
    INT = "int"
    NUMBER = "number"  # hours: non-negative decimal
    MONEY = "money"
    LEVEL = "level"
    ENUM = "enum"
    YESNO = "yesno"


@dataclass(frozen=True, slots=True)
class ColumnSpec:
    """One canonical column. ``choices`` maps accepted spellings to the stored value for enums."""

    name: str
    header: str
    ctype: ColType
    aliases: tuple[str, ...] = ()
    required: bool = False
    choices: tuple[tuple[str, str], ...] = ()
    description: str = ""
    # An open list (人员类别): a value outside it is kept as written and reported once per value as a
    # warning, because rosters name groups the list does not (农村劳动力 …) and a scope test can take
    # such a value as what it is. A closed list (培训类型, 出资方 …) decides every rule: an error.
    open_values: bool = False

    @property
    def choice_map(self) -> dict[str, str]:
        return dict(self.choices)

    @property
    def allowed(self) -> tuple[str, ...]:
        """The canonical values, in order, for messages and dropdowns."""
        return tuple(dict.fromkeys(value for _, value in self.choices))


def _enum(*values: str, extra: dict[str, str] | None = None) -> tuple[tuple[str, str], ...]:
    pairs = [(v, v) for v in values]
    pairs += list((extra or {}).items())
    return tuple(pairs)


YES, NO = "是", "否"
YESNO_CHOICES = _enum(
    YES,
    NO,
    extra={
        "√": YES,
        "✓": YES,
        "✔": YES,
        "Y": YES,
        "YES": YES,
        "y": YES,
        "yes": YES,
        "1": YES,
        "有": YES,
        "TRUE": YES,
        "true": YES,
        "×": NO,
        "✗": NO,
        "✘": NO,
        "N": NO,
        "NO": NO,
        "n": NO,
        "no": NO,
        "0": NO,
        "无": NO,
        "FALSE": NO,
        "false": NO,
    },
)

CATEGORIES = _enum(
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
    # S2c 三(十二) names 建档立卡低收入农户 (Jiangsu's own registry) beside 贫困劳动力, and both S2a 二(四) and S2c
    # 一(一)/三(十二) name school leavers; the rural ones (农村…) are a group of their own in S2c 三(十二).
    "低收入农户成员",
    "未继续升学初高中毕业生",
    "农村未继续升学初高中毕业生",
    extra={
        "建档立卡低收入农户": "低收入农户成员",
        "建档立卡低收入农户成员": "低收入农户成员",
        "低收入农户": "低收入农户成员",
        "低收入农户劳动力": "低收入农户成员",
        "城乡低保对象": "低保家庭成员",
        "城乡未继续升学初高中毕业生": "未继续升学初高中毕业生",
        "城乡未继续升学的初高中毕业生": "未继续升学初高中毕业生",
        "未升学初高中毕业生": "未继续升学初高中毕业生",
        "农村未继续升学的初高中毕业生": "农村未继续升学初高中毕业生",
        "贫困劳动力": "脱贫劳动力",
        "建档立卡贫困劳动力": "脱贫劳动力",
        "脱贫户": "脱贫劳动力",  # S0 §2 calls the Jin'an trainees 脱贫户
        "农民工": "农村转移劳动力",
        "失业人员": "城镇登记失业人员",
        "登记失业人员": "城镇登记失业人员",
        "职工": "企业职工",
        "在职职工": "企业职工",
        "应届高校毕业生": "高校毕业生",
        "残疾人员": "残疾人",
        "学生": "在校学生",
        "低保对象": "低保家庭成员",
        # Names the seeds and provincial forms use for the same groups (S2a 二(四), S2c 三(十二), S4).
        "农村转移就业劳动者": "农村转移劳动力",
        "新生代农民工": "农村转移劳动力",
        "下岗失业人员": "城镇登记失业人员",
        "低保对象中的劳动力": "低保家庭成员",
        "退伍军人": "退役军人",
        "退役士兵": "退役军人",
        "高校应届毕业生": "高校毕业生",
        "在校生": "在校学生",
    },
)

# Values that are not in the list but look like another name for a listed value. They are not read
# as that value (贫困户 names a household, 脱贫劳动力 a person of working age; the clerk must say which),
# so a subsidy whose decision would change if the value were its likely alias is held, naming it.
CATEGORY_LIKELY_ALIASES: dict[str, str] = {
    "贫困户": "脱贫劳动力",
    "脱贫户": "脱贫劳动力",  # S0 §2 (Jin'an) names the trainees 脱贫户
    "建档立卡贫困户": "脱贫劳动力",
    "建档立卡户": "脱贫劳动力",
    "建档立卡贫困人口": "脱贫劳动力",
    "脱贫人口": "脱贫劳动力",
    "贫困人口": "脱贫劳动力",
    "防返贫监测对象": "脱贫劳动力",
    "监测对象": "脱贫劳动力",
    "低保户": "低保家庭成员",
    "城乡低保对象": "低保家庭成员",
    "零就业家庭": "零就业家庭成员",
    "贫困家庭子女": "贫困家庭学生",  # S2a 二(五) 贫困家庭子女
    "建档立卡贫困户家庭学生": "贫困家庭学生",  # S2c 二(十一)
    "贫困户家庭学生": "贫困家庭学生",
    "困难人员": "就业困难人员",
    "残疾": "残疾人",
    "毕业生": "高校毕业生",
    "应届毕业生": "高校毕业生",
    "失业": "城镇登记失业人员",
}

TRAINING_TYPES = _enum(
    "岗前培训",
    "以工代训",
    "技能提升",
    "新型学徒制",
    "就业技能培训",
    "专项能力培训",
    "特种作业培训",
    "岗位研修",
    "农业技术培训",
    "转岗培训",
    "安全技能培训",
    "在岗培训",
    "全日制学习",
    "创业培训",
    extra={
        "SYB创业培训": "创业培训",
        "创办你的企业(SYB)": "创业培训",
        "创业技能培训": "创业培训",
        "企业新型学徒制": "新型学徒制",
        "新型学徒制培训": "新型学徒制",
        "学徒制": "新型学徒制",
        "岗前技能培训": "岗前培训",
        "新录用人员岗前培训": "岗前培训",
        "技能提升培训": "技能提升",
        "职业技能提升": "技能提升",
        "技能等级提升": "技能提升",
        "就业技能": "就业技能培训",
        "专项职业能力培训": "专项能力培训",
        "特种作业": "特种作业培训",
        "特种作业人员培训": "特种作业培训",
        "高技能人才岗位研修": "岗位研修",
        "农业实用技术培训": "农业技术培训",
        "转岗转业培训": "转岗培训",
        "安全生产培训": "安全技能培训",
        "在岗技能培训": "在岗培训",
        "全日制": "全日制学习",
    },
)

PAYERS = _enum(
    "个人",
    "企业",
    "机构",
    extra={
        "本人": "个人",
        "自费": "个人",
        "学员": "个人",
        "个人出资": "个人",
        "单位": "企业",
        "企业出资": "企业",
        "用人单位": "企业",
        "培训机构": "机构",
        "机构垫资": "机构",
        "院校": "机构",
    },
)

PASSED = _enum(
    "合格", "不合格", extra={"通过": "合格", "是": "合格", "未通过": "不合格", "否": "不合格", "不通过": "不合格"}
)
SEX = _enum("男", "女", extra={"男性": "男", "女性": "女", "M": "男", "F": "女"})
CERT_KINDS = _enum(
    "职业资格证书",
    "职业技能等级证书",
    "专项职业能力证书",
    "特种作业操作证",
    "特种设备作业人员证",
    "培训合格证",
    "结业证书",
    extra={
        "职业资格证": "职业资格证书",
        "技能等级证书": "职业技能等级证书",
        "等级证书": "职业技能等级证书",
        "专项能力证书": "专项职业能力证书",
        "特种作业操作证书": "特种作业操作证",
        "特种作业证": "特种作业操作证",
        "特种设备作业证": "特种设备作业人员证",
        "培训合格证书": "培训合格证",
        "合格证书": "培训合格证",
        "合格证": "培训合格证",
        "结业证": "结业证书",
    },
)
ROLES = _enum(
    "学徒", "导师", extra={"徒弟": "学徒", "学员": "学徒", "师傅": "导师", "企业导师": "导师", "带徒师傅": "导师"}
)
ATTENDANCE_STATUS = _enum(
    "出勤",
    "缺勤",
    "请假",
    extra={
        "√": "出勤",
        "✓": "出勤",
        "✔": "出勤",
        "到": "出勤",
        "已签到": "出勤",
        "正常": "出勤",
        "迟到": "出勤",
        "×": "缺勤",
        "✗": "缺勤",
        "旷课": "缺勤",
        "未到": "缺勤",
        "未签到": "缺勤",
        "事假": "请假",
        "病假": "请假",
    },
)


def _level_choices() -> tuple[tuple[str, str], ...]:
    """Every spelling of the one level scale: 五级, 初级工, 五级/初级工, 五级(初级工), 5级 …

    Spellings are compared after brackets, slashes and the prefixes 国家职业资格/职业技能等级 are
    removed (see ``skillcli.schema.parse.level_key``), so only the bare combinations are listed.
    """
    scale = {
        Level.L5: (("五级", "5级", "5", "L5"), ("初级工", "初级")),
        Level.L4: (("四级", "4级", "4", "L4"), ("中级工", "中级")),
        Level.L3: (("三级", "3级", "3", "L3"), ("高级工", "高级")),
        Level.L2: (("二级", "2级", "2", "L2"), ("技师",)),
        Level.L1: (("一级", "1级", "1", "L1"), ("高级技师",)),
    }
    pairs: list[tuple[str, str]] = []
    for level, (numbers, titles) in scale.items():
        for number in numbers:
            pairs.append((number, level.value))
            for title in titles:
                pairs += [(number + title, level.value), (title + number, level.value)]
        pairs += [(title, level.value) for title in titles]
    pairs += [(s, Level.SPECIAL.value) for s in ("专项能力", "专项职业能力", "专项")]
    pairs += [(s, Level.NONE.value) for s in ("无等级", "无", "不分等级", "合格证")]
    return tuple(pairs)


LEVELS = _level_choices()

_ID_ALIASES = (
    "身份证号码",
    "身份证号",
    "公民身份号码",
    "证件号码",
    "身份证",
    "18位身份证号",
    "劳动力身份证号码",
    "身份证件号码",
    "居民身份证号码",
    "学员身份证号码",
    "证件号",
)
_NAME_ALIASES = ("姓名", "学员姓名", "职工姓名", "学徒姓名", "劳动力姓名", "考生姓名", "中文名", "学生姓名", "人员姓名")
_OCCUPATION_ALIASES = (
    "职业(工种)",
    "职业",
    "工种",
    "培训工种",
    "培训职业",
    "培训职业(工种)",
    "考核专业(工种)",
    "报考职业(工种)",
    "申报工种",
    "职业(工种)名称",
    "培训专业",
    "证书职业(工种)",
)

ROSTER: tuple[ColumnSpec, ...] = (
    ColumnSpec("name", "姓名", ColType.NAME, _NAME_ALIASES, required=True),
    ColumnSpec("id_number", "身份证号码", ColType.ID, _ID_ALIASES, required=True),
    ColumnSpec("sex", "性别", ColType.ENUM, choices=SEX),
    ColumnSpec("phone", "手机号码", ColType.PHONE, ("联系电话", "手机号", "电话", "联系方式", "手机")),
    ColumnSpec(
        "category",
        "人员类别",
        ColType.ENUM,
        ("人员身份", "类别", "人员类型", "就业前所属群体", "人员属性"),
        choices=CATEGORIES,
        open_values=True,
    ),
    ColumnSpec("employer_name", "单位名称", ColType.TEXT, ("企业名称", "工作单位", "用人单位", "所在单位")),
    ColumnSpec(
        "employer_uscc",
        "统一社会信用代码",
        ColType.USCC,
        ("社会信用代码", "信用代码", "企业统一社会信用代码", "单位统一社会信用代码"),
    ),
    ColumnSpec(
        "training_type",
        "培训类型",
        ColType.ENUM,
        ("补贴类型", "培训项目类别", "项目类型", "培训类别"),
        required=True,
        choices=TRAINING_TYPES,
    ),
    ColumnSpec("occupation", "职业(工种)", ColType.TEXT, _OCCUPATION_ALIASES, required=True),
    ColumnSpec(
        "level",
        "培训等级",
        ColType.LEVEL,
        ("等级", "技能等级", "申报等级", "级别", "鉴定级别", "报考等级", "工种等级", "培训级别"),
        choices=LEVELS,
    ),
    ColumnSpec(
        "start_date",
        "开班日期",
        ColType.DATE,
        ("培训开始日期", "培训起始日期", "开始时间", "入学日期", "开班时间", "培训开始时间"),
        required=True,
    ),
    ColumnSpec(
        "end_date",
        "结业日期",
        ColType.DATE,
        ("培训结束日期", "培训终止日期", "结束时间", "结业时间", "培训结束时间"),
        required=True,
    ),
    ColumnSpec("training_period", "培训时间", ColType.PERIOD, ("培训期间", "培训起止日期", "培训起止时间", "培训起止")),
    ColumnSpec("filed_end_date", "备案结束日期", ColType.DATE, ("备案培训期限止", "计划结业日期", "备案结业日期")),
    ColumnSpec(
        "institution",
        "培训机构",
        ColType.TEXT,
        ("承训机构", "培训单位", "培训单位名称", "定点培训机构", "学校名称", "培训机构名称"),
    ),
    ColumnSpec("institution_uscc", "机构统一社会信用代码", ColType.USCC, ("机构信用代码", "培训机构统一社会信用代码")),
    ColumnSpec(
        "fee_yuan",
        "培训费用",
        ColType.MONEY,
        ("培训费", "实际培训费用", "培训费用(元)", "实际培训费", "实际培训费用(元)"),
    ),
    ColumnSpec("insured", "是否参保", ColType.YESNO, ("参保状态", "是否缴纳社保", "参保情况"), choices=YESNO_CHOICES),
    ColumnSpec(
        "pensioner",
        "是否领取养老金",
        ColType.YESNO,
        ("是否退休", "领取养老金", "是否领取基本养老金"),
        choices=YESNO_CHOICES,
    ),
    ColumnSpec("payer", "出资方", ColType.ENUM, ("培训费出资方", "缴费主体", "出资主体"), choices=PAYERS),
    ColumnSpec("shortage", "是否紧缺职业", ColType.YESNO, ("紧缺职业", "是否紧缺职业(工种)"), choices=YESNO_CHOICES),
    ColumnSpec("passed", "考核结果", ColType.ENUM, ("是否合格", "鉴定结果", "考核情况", "考试结果"), choices=PASSED),
    ColumnSpec("contract_start", "劳动合同起始日期", ColType.DATE, ("合同开始日期", "劳动合同开始日期")),
    ColumnSpec("contract_end", "劳动合同终止日期", ColType.DATE, ("合同结束日期", "劳动合同结束日期")),
    ColumnSpec("left_date", "离职日期", ColType.DATE, ("学徒离职日期", "离职时间", "办理离职日期")),
    ColumnSpec("advance_yuan", "已预拨金额", ColType.MONEY, ("预拨金额", "已拨付", "已预拨")),
    ColumnSpec("class_id", "班级编号", ColType.CODE, ("开班编号", "班次", "班级", "班号")),
    ColumnSpec("role", "角色", ColType.ENUM, ("学徒/导师", "人员角色"), choices=ROLES),
    ColumnSpec("insured_months", "参保月数", ColType.INT, ("参保时长(月)", "连续参保月数")),
    ColumnSpec("bank_account", "银行账号", ColType.ACCOUNT, ("社保卡号", "收款账号", "银行卡号", "账号")),
    ColumnSpec("account_name", "户名", ColType.NAME, ("账户名", "收款人", "开户名")),
    ColumnSpec("prior_cert_occupation", "现有证书情况/职业(工种)", ColType.TEXT, ("原证书职业(工种)",)),
    ColumnSpec("prior_cert_level", "现有证书情况/等级", ColType.LEVEL, ("原证书等级",), choices=LEVELS),
    ColumnSpec("prior_cert_date", "现有证书情况/取证时间", ColType.DATE, ("原证书取证时间", "现有证书情况/取证日期")),
)

ATTENDANCE: tuple[ColumnSpec, ...] = (
    ColumnSpec("id_number", "身份证号码", ColType.ID, _ID_ALIASES, required=True),
    ColumnSpec("name", "姓名", ColType.NAME, _NAME_ALIASES),
    ColumnSpec("class_id", "班级编号", ColType.CODE, ("开班编号", "班次", "班级", "班号")),
    ColumnSpec("days_required", "应出勤天数", ColType.INT, ("应到天数", "计划天数", "应出勤")),
    ColumnSpec("days_present", "实际出勤天数", ColType.INT, ("实到天数", "出勤天数", "实际出勤")),
    ColumnSpec("hours_online", "线上学时", ColType.NUMBER, ("网络学时", "线上课时")),
    ColumnSpec("hours_offline", "线下学时", ColType.NUMBER, ("面授学时", "实训学时", "线下课时")),
    ColumnSpec("hours_total", "总学时", ColType.NUMBER, ("合计学时", "总课时", "培训学时")),
    ColumnSpec("date", "日期", ColType.DATE, ("考勤日期", "签到日期")),
    ColumnSpec("status", "签到状态", ColType.ENUM, ("出勤情况", "考勤状态", "出勤状态"), choices=ATTENDANCE_STATUS),
)

CERTIFICATES: tuple[ColumnSpec, ...] = (
    ColumnSpec("id_number", "身份证号码", ColType.ID, _ID_ALIASES, required=True),
    ColumnSpec("name", "姓名", ColType.NAME, _NAME_ALIASES),
    ColumnSpec(
        "cert_number", "证书编号", ColType.CODE, ("证书号", "证书号码", "结业证书编号", "证件编号"), required=True
    ),
    ColumnSpec("cert_kind", "证书类型", ColType.ENUM, ("证书种类", "证书类别"), choices=CERT_KINDS),
    ColumnSpec("occupation", "职业(工种)", ColType.TEXT, _OCCUPATION_ALIASES, required=True),
    ColumnSpec("level", "等级", ColType.LEVEL, ("技能等级", "证书等级", "鉴定级别", "级别"), choices=LEVELS),
    ColumnSpec(
        "issue_date",
        "发证日期",
        ColType.DATE,
        ("取证日期", "取证时间", "获证日期", "颁证日期", "核发日期", "证书获取时间", "发证时间"),
        required=True,
    ),
    ColumnSpec("issuer", "发证机构", ColType.TEXT, ("评价机构", "发证单位", "发证机关")),
    ColumnSpec(
        "issued_locally", "是否本市取证", ColType.YESNO, ("取证地", "本地取证", "是否本地取证"), choices=YESNO_CHOICES
    ),
)

SPECS: dict[SheetKind, tuple[ColumnSpec, ...]] = {
    SheetKind.ROSTER: ROSTER,
    SheetKind.ATTENDANCE: ATTENDANCE,
    SheetKind.CERTIFICATES: CERTIFICATES,
}

# Columns that identify a person; a sheet without one of these cannot be a sheet of that kind.
KEY_COLUMNS = frozenset({"id_number"})
# Columns whose text must survive exactly: a numeric cell there has lost digits (Excel keeps 15).
EXACT_COLUMNS = frozenset({"id_number", "bank_account", "cert_number"})


LIKELY_ALIASES: dict[str, dict[str, str]] = {"category": CATEGORY_LIKELY_ALIASES}


def closest_value(column: ColumnSpec, value: str) -> str:
    """The listed value a clerk most likely meant by ``value``: its likely alias, else the listed
    value with the most similar spelling (for the message only; nothing is read as it)."""
    import difflib

    likely = LIKELY_ALIASES.get(column.name, {})
    if value in likely:
        return likely[value]
    spellings = column.choice_map
    best = max(spellings, key=lambda s: (difflib.SequenceMatcher(None, value, s).ratio(), -len(s)))
    return spellings[best]


def spec(kind: SheetKind, name: str) -> ColumnSpec:
    """The spec of one canonical column of one kind."""
    for column in SPECS[kind]:
        if column.name == name:
            return column
    raise KeyError(f"{kind}.{name}")


def alias_index(kind: SheetKind) -> dict[str, str]:
    """Normalised header text → canonical name, for one kind. First spelling wins."""
    index: dict[str, str] = {}
    for column in SPECS[kind]:
        for text in (column.header, *column.aliases):
            index.setdefault(normalise_header(text), column.name)
    return index


ALIASES: dict[SheetKind, dict[str, str]] = {kind: alias_index(kind) for kind in SheetKind}

# Headers a roster often carries that no rule reads (序号, 备注, 签名 …): they are accounted for as
# known and unneeded, so a clerk is not asked about them; every other unmatched header is reported.
NOT_NEEDED = frozenset(
    normalise_header(text)
    for text in (
        "序号",
        "编号",
        "备注",
        "签名",
        "签字",
        "本人签名",
        "本人签字",
        "学员签名",
        "学员签字",
        "民族",
        "年龄",
        "出生日期",
        "出生年月",
        "文化程度",
        "学历",
        "政治面貌",
        "户籍地址",
        "户籍所在地",
        "户口所在地",
        "家庭住址",
        "现住址",
        "联系地址",
        "通讯地址",
        # Computed by skillcli from the days or hours read beside it.
        "出勤率",
        "出勤比例",
    )
)


@lru_cache(maxsize=4096)  # as header_key
def not_needed(header: str) -> bool:
    """A header known and unneeded, numbered or not (备注, 备注2, 签名1)."""
    return re.sub(r"\d+$", "", header_key(header)) in NOT_NEEDED


# A unit in brackets at the end of a header (培训费用(元), 总学时(小时)) says nothing about which
# column it is: a header that matches no spelling is tried again without it.
UNIT_SUFFIX_RE = re.compile(r"\((元|万元|元/人|人民币元|人民币|天|日|月|个月|小时|学时|课时|%)\)$")


# A note in brackets at either end of a header: 身份证号码(18位), 姓名(必填), 【必填】姓名, 金额[元].
# ``normalise_header`` has already turned full-width brackets into half-width ones.
_NOTE_RE = re.compile(r"^[(\[【]([^()\[\]【】]*)[)\]】]|[(\[【]([^()\[\]【】]*)[)\]】]$")


def _columns_named(text: str) -> set[str]:
    """The canonical columns, of any sheet kind, that a normalised header text names."""
    return {canonical for kind in SheetKind if (canonical := ALIASES[kind].get(text)) is not None}


@lru_cache(maxsize=4096)  # called for the same cells as normalise_header, as often
def header_key(text: str) -> str:
    """The comparable form of a header: a trailing unit in brackets removed, and a note in brackets
    (身份证号码（18位）, 姓名(必填)) removed unless the note itself names another column.

    A note that names a column is kept on purpose: 「备注（出资方）」 is a column of payers headed as a
    remark, and stripping the note would file it under 备注 (known and unneeded) and drop the payers
    without a word; kept whole, it is reported as an unknown column and the suggestion names 出资方.
    A note naming the same column as the text before it (联系电话(手机)) is only a note.
    """
    key = UNIT_SUFFIX_RE.sub("", normalise_header(text))
    for _ in range(2):  # a note at each end: 【必填】身份证号码(18位)
        match = _NOTE_RE.search(key)
        if match is None:
            break
        note = match.group(1) if match.group(1) is not None else match.group(2)
        base = UNIT_SUFFIX_RE.sub("", (key[: match.start()] + key[match.end() :]).strip("*"))
        named = _columns_named(note)
        if not base or (named and not named & _columns_named(base)):
            break
        key = base
    return key


CLOSEST_MIN_SCORE = 0.45
# Words that end many headers and say nothing about which column one is: 入职日期 and 离职日期 share
# 职日期 but not their meaning, so closeness is also judged on what is left without them.
_GENERIC_ENDINGS = re.compile(r"(日期|时间|名称|号码|金额|情况|状态|类型|编号|天数|学时)$")
# Share of a known spelling's own characters (without the generic ending) a header must hold.
_STEM_SHARE = 2 / 3
# Columns whose value decides whether a subsidy is paid or how much, so that a clerk is told that
# an unread header of that kind changes money, not only that it was ignored.
MONEY_COLUMNS = frozenset(
    {
        "category",
        "employer_uscc",
        "training_type",
        "occupation",
        "level",
        "start_date",
        "end_date",
        "training_period",
        "filed_end_date",
        "institution_uscc",
        "fee_yuan",
        "insured",
        "pensioner",
        "payer",
        "shortage",
        "passed",
        "contract_start",
        "contract_end",
        "left_date",
        "advance_yuan",
        "insured_months",
        "days_required",
        "days_present",
        "hours_online",
        "hours_offline",
        "hours_total",
        "date",
        "status",
        "cert_number",
        "cert_kind",
        "issue_date",
        "issued_locally",
    }
)
# Share of a column's filled cells that must read as the suggested column's type.
FIT_SHARE = 0.6
_FLAG_RE = re.compile(r"^是否(?:为|属于|是)?(.+?)(?:人员|对象)?$")


def _closeness(text: str, known: str) -> tuple[float, float]:
    """(score, stem share) of a header against one known spelling, both normalised."""
    import difflib

    shared = len(set(text) & set(known)) / len(set(known))
    score = (difflib.SequenceMatcher(None, text, known).ratio() + shared) / 2
    stem = _GENERIC_ENDINGS.sub("", known) or known
    stem_share = len(set(_GENERIC_ENDINGS.sub("", text) or text) & set(stem)) / len(set(stem))
    return score, stem_share


def _ranked(kind: SheetKind, text: str) -> list[tuple[float, float, ColumnSpec]]:
    """Every known column of ``kind`` by its best (score, stem share) against ``text``, best first."""
    best: dict[str, tuple[float, float, ColumnSpec]] = {}
    for column in SPECS[kind]:
        for spelling in (column.header, *column.aliases):
            known = header_key(spelling)
            if known:
                score, stem = _closeness(text, known)
                if column.name not in best or (score, stem) > best[column.name][:2]:
                    best[column.name] = (score, stem, column)
    return sorted(best.values(), key=lambda item: item[:2], reverse=True)


def category_flag(header: str) -> str | None:
    """The 人员类别 a yes/no header stands for (是否建档立卡贫困户 → 脱贫劳动力), else None."""
    match = _FLAG_RE.match(header_key(header))
    if match is None:
        return None
    for group in (match.group(1), match.group(1) + "人员", match.group(1) + "成员"):
        if group in CATEGORY_LIKELY_ALIASES:
            return CATEGORY_LIKELY_ALIASES[group]
        listed = dict(CATEGORIES).get(group)
        if listed is not None:
            return listed
    return None


def values_fit(column: ColumnSpec, values: list[str]) -> bool:
    """Whether most filled cells of an unread column read as ``column``'s type: a date column
    mostly dates, a list column mostly its listed values. An empty column says nothing against."""
    import polars as pl

    from skillcli.schema import parse

    filled = [v for v in values if v and v.strip()]
    if not filled:
        return True
    cell = pl.col("v")
    # What a cell of each type looks like, as a test on the cell's text (and the column's choices).
    tests: dict[ColType, Callable[[pl.Expr, list[str]], pl.Expr]] = {
        ColType.DATE: lambda v, _: parse.parse_date(v)[0].is_not_null(),
        ColType.PERIOD: lambda v, _: parse.parse_date(parse.split_period(v)[1])[0].is_not_null(),
        ColType.MONEY: lambda v, _: parse.parse_money(v, wan=False)[1].is_null(),
        ColType.INT: lambda v, _: parse.parse_number(v, integer=True)[1].is_null(),
        ColType.NUMBER: lambda v, _: parse.parse_number(v, integer=False)[1].is_null(),
        ColType.ID: lambda v, _: parse.compact_upper(v).str.contains(r"^(\d{17}[\dX]|\d{15})$"),
        ColType.USCC: lambda v, _: parse.compact_upper(v).str.contains(r"^[0-9A-Z]{18}$"),
        ColType.PHONE: lambda v, _: v.str.replace_all(r"[\s\-]", "").str.contains(r"^\+?\d{7,13}$"),
        ColType.ACCOUNT: lambda v, _: v.str.replace_all(r"[\s\-]", "").str.contains(r"^\d{8,}$"),
        ColType.LEVEL: lambda v, choices: parse.level_key(v).is_in(choices),
        ColType.ENUM: lambda v, choices: parse.enum_key(v).is_in(choices),
        ColType.YESNO: lambda v, choices: parse.enum_key(v).is_in(choices),
        ColType.NAME: lambda v, _: v.str.contains(r"^[\u4e00-\u9fff·•.\s]{2,20}$|^[A-Za-z .'-]{2,40}$"),
    }
    test = tests.get(column.ctype)
    if test is None:
        return True
    fits = test(cell, list(column.choice_map))
    share = pl.DataFrame({"v": filled}).select(fits.fill_null(False).mean()).item()
    return bool(share is not None and share >= FIT_SHARE)


def suggest_column(kind: SheetKind, header: str, values: list[str], present: set[str]) -> tuple[str, str]:
    """The finding (code, detail) for a header no spelling matched.

    A known column is suggested only when the header is close to it in its own words (not only
    in a generic ending such as 日期), the column is not already read from the same sheet, and most
    of the column's cells fit its type: 考勤方式 holding 人脸识别 is no 日期, and 入职日期 beside a
    开班日期 is no training start. A yes/no header naming a 人员类别 (是否建档立卡贫困户) is told apart,
    because only 人员类别 decides such a group's subsidies.
    """
    flag = category_flag(header) if kind is SheetKind.ROSTER else None
    if flag is not None:
        return "sheet.category-flag-column", flag
    text = header_key(header)
    for score, stem, column in _ranked(kind, text) if text else []:
        if score < CLOSEST_MIN_SCORE:
            break
        if stem < _STEM_SHARE or column.name in present or not values_fit(column, values):
            continue
        code = "sheet.unknown-column-money" if column.name in MONEY_COLUMNS else "sheet.unknown-column-like"
        return code, column.header
    return "sheet.unknown-column", ""


def likely_missing(kind: SheetKind, missing: str, headers: list[str], present: set[str]) -> str | None:
    """Of the headers that matched no column, the one a missing required column most likely is.

    Looser than ``suggest_column``, because the column is known to be absent: a header qualifies when
    the missing column is its closest column not already read (结班日期 → 结业日期, since 开班日期 is
    read) and it shares a character besides a generic ending such as 日期 with the column's own
    header (入职日期 is no 开班日期, though 入 is in the alias 入学日期).
    """
    best: tuple[float, str] | None = None
    for header in headers:
        text = header_key(header)
        for score, _, column in _ranked(kind, text) if text else []:
            if column.name in present:
                continue
            shares_stem = _closeness(text, header_key(column.header))[1] > 0
            if column.name == missing and score >= CLOSEST_MIN_SCORE and shares_stem and (best is None or score > best[0]):
                best = (score, header)
            break
    return best[1] if best else None


# The clerk's own header mapping (--map, [columns] in skillcli.toml): normalised header → canonical,
# per sheet kind. It wins over the built-in aliases, because the clerk knows the district's forms.
ColumnMap = dict[SheetKind, dict[str, str]]


def column_map(pairs: Mapping[str, object], origin: str) -> ColumnMap:
    """The mapping for ``header → target`` pairs; a target that names no known column, or a pair that
    is not text, is a usage error naming ``origin`` (the flag or the settings file)."""
    mapping: ColumnMap = {}
    for header, target in pairs.items():
        found = resolve_target(target) if isinstance(target, str) else {}
        if not header.strip() or not found:
            raise UsageError(
                f"{origin}：「{header}={target}」中的「{target}」不是已知的列（已知列见 skillcli template 生成的模板）",
                f"{origin}: '{target}' in '{header}={target}' is not a known column (see skillcli template)",
            )
        for kind, canonical in found.items():
            mapping.setdefault(kind, {})[normalise_header(header)] = canonical
    return mapping


def resolve_target(target: str) -> dict[SheetKind, str]:
    """The canonical column a ``--map`` target names in each sheet kind: its Chinese header, one of
    its aliases or its canonical name. Empty when it names no known column."""
    found: dict[SheetKind, str] = {}
    key = header_key(target)
    for kind in SheetKind:
        canonical = ALIASES[kind].get(key)
        if canonical is None and any(column.name == target for column in SPECS[kind]):
            canonical = target
        if canonical is not None:
            found[kind] = canonical
    return found


def exact_columns(columns: Mapping[str, int]) -> dict[str, int]:
    """Of a table's canonical columns (name → column index), those whose cells must be kept as
    text exactly as typed: IDs, bank accounts and certificate numbers."""
    return {c: i for c, i in columns.items() if c in EXACT_COLUMNS}


def header_words() -> HeaderWords:
    """The roster's spellings for the header locator (``skillcli.io.layout.locate``).

    Imported when a workbook is read, not with this module: the rule engine reads the choice
    lists here without loading the reader.
    """
    from skillcli.io.layout import HeaderWords

    return HeaderWords(ALIASES, header_key, not_needed, suggest_column)
