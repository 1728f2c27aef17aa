"""The library calls behind check, payout, explain and rules test (``skillcli.api``).

explain decides through ``skillcli.api.payout`` with the ledger a dry-run payout reads, so that the
two agree on claims already paid and on the yearly limit across months; the result frames keep the
schemas ``skillcli.payout.decision`` declares.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from tests.support.ids import person_id
from tests.support.ledger import SUZHOU, month_one, payout
from tests.support.rosters import CERT_HEADER, PAYOUT_HEADER, certificate, payout_row


def month_two_with_a_repeat(make_xlsx: Any) -> Path:
    """Month two, plus a row month one already paid (孙丽's 岗前培训, the same claim again)."""
    roster = [
        payout_row(
            1, "张伟", "技能提升", "钳工", "四级/中级工", "2021-05-01", "2021-06-10", payer="个人", class_id="C93"
        ),
        payout_row(6, "孙丽", "岗前培训", "车工", "无等级", "2021-05-01", "2021-05-10"),
        payout_row(7, "周杰", "岗前培训", "车工", "无等级", "2021-06-01", "2021-06-10"),
    ]
    certs = [certificate(1, "张伟", "S000032000001214000104", "钳工", "四级/中级工", "2021-06-15")]
    return make_xlsx({"花名册": [PAYOUT_HEADER, *roster], "证书": [CERT_HEADER, *certs]}, name="month2.xlsx")


def explained(run_cli: Any, person: str, batch: Path, ledger: str) -> tuple[str, set[str]]:
    """explain's outcome for the person's one row (as its English word) and the reason codes shown."""
    shown = run_cli("explain", person, batch, *SUZHOU, "--ledger", ledger, "--lang", "en")
    assert shown.code == 0, shown.stderr
    outcome = re.findall(r"row \d+ .*: (paid|exception|ineligible)\s*$", shown.stdout, re.MULTILINE)
    codes = set(re.findall(r"^  ([a-z]+\.[a-z-]+): ", shown.stdout, re.MULTILINE))
    assert len(outcome) == 1, shown.stdout
    return outcome[0], codes


def test_explain__agrees_with_payout_on_an_already_paid_claim_and_the_yearly_limit(
    run_cli: Any, make_xlsx: Any, tmp_path: Path, ledger_url: str
) -> None:
    assert payout(run_cli, month_one(make_xlsx), tmp_path / "m1", ledger_url, "--commit").code == 0
    batch = month_two_with_a_repeat(make_xlsx)
    dry = payout(run_cli, batch, tmp_path / "m2", ledger_url, "--json")
    assert dry.code == 1, dry.stderr
    payout_codes = {e["row"]: e["code"] for e in dry.json["exceptions"]}
    # 钳工: a 4th subsidised training in 2021 (E1 max 3), the three earlier ones in the ledger;
    # 孙丽's 岗前培训 was paid in month one.
    assert payout_codes == {2: "limit.yearly", 3: "ledger.already-paid"}
    assert [line["name"] for line in dry.json["lines"]] == ["周杰"]

    assert explained(run_cli, person_id(1), batch, ledger_url) == ("exception", {"limit.yearly"})
    assert explained(run_cli, person_id(6), batch, ledger_url) == ("exception", {"ledger.already-paid"})
    assert explained(run_cli, person_id(7), batch, ledger_url) == ("paid", set())


def test_api__payout_and_check_return_frames_with_the_declared_schemas(make_xlsx: Any, tmp_path: Path) -> None:
    import polars as pl

    from skillcli import api
    from skillcli.payout.decision import EXCEPTION_SCHEMA, STATUS_SCHEMA
    from skillcli.payout.ineligible import INELIGIBLE_SCHEMA
    from skillcli.payout.lines import LINE_SCHEMA

    batch = make_xlsx(
        {
            "花名册": [
                PAYOUT_HEADER,
                payout_row(1, "张伟", "技能提升", "电工", "四级/中级工", "2021-02-01", "2021-03-31", payer="个人"),
                payout_row(6, "孙丽", "岗前培训", "车工", "无等级", "2021-05-01", "2021-05-10"),
                payout_row(7, "周杰", "岗前培训", "车工", "无等级", "2021-05-01", "2021-05-10", passed="不合格"),
                payout_row(8, "王芳", "岗前培训", "车工", "无等级", "2021-05-01", ""),
            ],
            "证书": [CERT_HEADER, certificate(1, "张伟", "S000032000001214000101", "电工", "四级/中级工", "2021-04-10")],
        }
    )
    result = api.payout([batch], "suzhou-2019", "2021-06", params={"shortage_occupations": "电工"}, out=tmp_path / "o")
    assert result.counts == {"paid": 2, "exception": 1, "ineligible": 1}
    assert result.ledger is None and result.run_id is None
    assert result.manifest is not None and (tmp_path / "o" / "payouts.xlsx").is_file()
    assert dict(result.lines.schema) == LINE_SCHEMA
    assert dict(result.status.schema) == STATUS_SCHEMA
    assert dict(result.ineligible.schema) == INELIGIBLE_SCHEMA
    assert dict(result.exceptions.schema) == EXCEPTION_SCHEMA
    # 1500 × 1.3 (电工 on the shortage list) for 张伟's A8, 300 for 孙丽's A5.
    assert result.lines.select("name", "amount_fen").rows() == [("张伟", 195000), ("孙丽", 30000)]
    assert result.exceptions.filter(pl.col("severity") == "error").get_column("row").to_list() == [5]

    checked = api.check([batch], period="2021-06")
    assert dict(checked.findings.schema) == {k: v for k, v in EXCEPTION_SCHEMA.items() if k != "_rid"}
    assert checked.errors == 1 and checked.out is None
