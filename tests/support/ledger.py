"""The ledger tests' two Suzhou months: 张伟's three trainings in month one, a fourth and a repeat in month two.

Suzhou's shortage catalogue ships empty; these batches are run with 电工 and 焊工 on it, as a district would.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.support.rosters import CERT_HEADER, PAYOUT_HEADER, certificate, payout_row

SUZHOU = ("--policy", "suzhou-2019", "--period", "2021-06", "--param", "shortage_occupations=电工,焊工")


def payout(run_cli: Callable[..., Any], batch: Path, out: Path, ledger: str, *extra: object) -> Any:
    return run_cli("payout", batch, *SUZHOU, "--out", out, "--ledger", ledger, *extra)


def cli_args(batch: Path, out: Path, ledger: str) -> list[object]:
    """The arguments of a quiet committing payout of ``batch``, for a separate process."""
    return ["payout", batch, *SUZHOU, "--out", out, "--ledger", ledger, "--commit", "--quiet"]


def runs(run_cli: Callable[..., Any], ledger: str) -> list[dict[str, Any]]:
    """``ledger runs --json``: every run committed to ``ledger``, oldest first."""
    result = run_cli("ledger", "runs", "--ledger", ledger, "--json")
    assert result.code == 0, result.stderr
    return list(result.json["runs"])


def month_one(make_xlsx: Callable[..., Path]) -> Path:
    roster = [
        payout_row(1, "张伟", "技能提升", "电工", "四级/中级工", "2021-02-01", "2021-03-31", payer="个人"),
        payout_row(
            1, "张伟", "技能提升", "车工", "四级/中级工", "2021-03-01", "2021-04-30", payer="个人", class_id="C91"
        ),
        payout_row(
            1, "张伟", "技能提升", "焊工", "四级/中级工", "2021-04-01", "2021-05-20", payer="个人", class_id="C92"
        ),
        payout_row(6, "孙丽", "岗前培训", "车工", "无等级", "2021-05-01", "2021-05-10"),
    ]
    certs = [
        certificate(1, "张伟", "S000032000001214000101", "电工", "四级/中级工", "2021-04-10"),
        certificate(1, "张伟", "S000032000001214000102", "车工", "四级/中级工", "2021-05-10"),
        certificate(1, "张伟", "S000032000001214000103", "焊工", "四级/中级工", "2021-05-25"),
    ]
    return make_xlsx({"花名册": [PAYOUT_HEADER, *roster], "证书": [CERT_HEADER, *certs]}, name="month1.xlsx")


def month_two(make_xlsx: Callable[..., Path]) -> Path:
    roster = [
        payout_row(
            1, "张伟", "技能提升", "钳工", "四级/中级工", "2021-05-01", "2021-06-10", payer="个人", class_id="C93"
        ),
        payout_row(
            1, "张伟", "技能提升", "电工", "四级/中级工", "2021-05-15", "2021-06-20", payer="个人", class_id="C94"
        ),
        payout_row(7, "周杰", "岗前培训", "车工", "无等级", "2021-06-01", "2021-06-10"),
    ]
    certs = [
        certificate(1, "张伟", "S000032000001214000104", "钳工", "四级/中级工", "2021-06-15"),
        certificate(1, "张伟", "S000032000001214000105", "电工", "四级/中级工", "2021-06-25"),
    ]
    return make_xlsx({"花名册": [PAYOUT_HEADER, *roster], "证书": [CERT_HEADER, *certs]}, name="month2.xlsx")
