"""Remittance posting speed (issue 18): an 835 of N claims posted end to end.

For each size (COLLECTOR_BENCH_REMITTANCE_SIZES, default 10000 for a quick run; 100000 for
the full one, whose goal is under a minute):
- write the demo office's placements.csv, keep N accounts that carry an insurance claim and
  give each claim a ``claim_control_number``, then import them (`collector import placements`);
- write one balanced 005010X221A1 835 paying every claim (CLP status 1, one or two SVC lines
  with CO and PR adjustments);
- time `collector import remittance FILE --json` in a subprocess: claims/s end to end.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from benchmarks.import_speed import _fresh_db, _import
from benchmarks.results import record
from collector_tui.demo.files import write_demo_files
from collector_tui.demo.generator import DemoOffice

SIZES = tuple(int(n) for n in os.environ.get("COLLECTOR_BENCH_REMITTANCE_SIZES", "10000").split(","))
GOAL_SECONDS = 60.0


def _cents(text: str) -> int:
    whole, _, fraction = text.strip().lstrip("$").replace(",", "").partition(".")
    return int(whole or "0") * 100 + int(fraction.ljust(2, "0")[:2] or "0")


def _amount(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


def _claim_placements(source: Path, target: Path, size: int) -> list[tuple[str, int]]:
    """Keep ``size`` rows with a claim, each with a control number; (control number, billed cents)."""
    claims: list[tuple[str, int]] = []
    with source.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        fields = list(reader.fieldnames or [])
        if "claim_control_number" not in fields:
            fields.append("claim_control_number")
        with target.open("w", encoding="utf-8", newline="") as out:
            writer = csv.DictWriter(out, fieldnames=fields)
            writer.writeheader()
            for row in reader:
                if len(claims) >= size:
                    break
                if not row.get("claim_payer") or _cents(row.get("claim_billed") or "0") < 200:
                    continue
                control = f"BENCH{len(claims):012d}"
                row["claim_control_number"] = control
                writer.writerow(row)
                claims.append((control, _cents(row["claim_billed"])))
    return claims


def _service_lines(charge: int, two: bool) -> list[tuple[int, int, int, int]]:
    """(charge, paid, CO-45, PR-1) per SVC line; each line balances."""
    parts = [charge // 2, charge - charge // 2] if two else [charge]
    lines = []
    for part in parts:
        co = part * 20 // 100
        pr = part * 10 // 100
        lines.append((part, part - co - pr, co, pr))
    return lines


def _remittance(claims: list[tuple[str, int]], path: Path) -> None:
    body: list[str] = []
    total_paid = 0
    for n, (control, charge) in enumerate(claims):
        lines = _service_lines(charge, two=n % 2 == 1)
        paid = sum(line[1] for line in lines)
        patient = sum(line[3] for line in lines)
        total_paid += paid
        body.append(
            f"CLP*{control}*1*{_amount(charge)}*{_amount(paid)}*{_amount(patient)}*12*ICN{n:010d}*11*1"
        )
        body.append(f"NM1*QC*1*INVENTED*PERSON****MI*X{n:09d}")
        for code, (line_charge, line_paid, co, pr) in zip(("99213", "80053"), lines, strict=False):
            body.append(f"SVC*HC:{code}*{_amount(line_charge)}*{_amount(line_paid)}**1")
            body.append("DTM*472*20261101")
            body.append(f"CAS*CO*45*{_amount(co)}")
            body.append(f"CAS*PR*1*{_amount(pr)}")
    head = [
        "ST*835*0001*005010X221A1",
        f"BPR*I*{_amount(total_paid)}*C*ACH*CCP*01*999999999*DA*123456789*1512345678"
        "**01*888888888*DA*98765*20261120",
        "TRN*1*BENCH-TRACE-0001*1512345678",
        "DTM*405*20261119",
        "N1*PR*INVENTED HEALTH PLAN",
        "N3*1 NOWHERE WAY",
        "N4*SPRINGFIELD*IL*62701",
        "REF*2U*PAYER-X",
        "PER*BL*CLAIMS DESK*TE*5555550100",
        "N1*PE*MERCY GENERAL*XX*1999999984",
        "LX*1",
    ]
    transaction = head + body
    transaction.append(f"SE*{len(transaction) + 1}*0001")
    segments = [
        "ISA*00*          *00*          *ZZ*INVENTEDPAYER  *ZZ*MERCYGENERAL   "
        "*261120*1200*^*00501*000000007*0*T*:",
        "GS*HP*INVENTEDPAYER*MERCYGENERAL*20261120*1200*7*X*005010X221A1",
        *transaction,
        "GE*1*7",
        "IEA*1*000000007",
    ]
    path.write_text("~\n".join(segments) + "~\n", encoding="utf-8")


def _post(db: Path, remittance: Path) -> tuple[float, int, str]:
    started = time.perf_counter()
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "collector_tui",
            "--db",
            str(db),
            "import",
            "remittance",
            str(remittance),
            "--json",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    return time.perf_counter() - started, done.returncode, done.stdout.strip() or done.stderr.strip()


def main() -> None:
    runs = []
    for size in SIZES:
        with tempfile.TemporaryDirectory(prefix="collector-bench-") as name:
            folder = Path(name)
            office = DemoOffice(accounts=size * 2 + 100, seed=42, as_of=datetime.now(UTC).date())
            files = write_demo_files(folder / "files", office)
            placements = folder / "claims.csv"
            claims = _claim_placements(files.placements, placements, size)
            db = folder / "office.db"
            _fresh_db(db)
            placed, _ = _import(db, placements)
            remittance = folder / "payer.835"
            _remittance(claims, remittance)
            seconds, code, output = _post(db, remittance)
            try:
                summary: object = json.loads(output)
            except ValueError:
                summary = output[-2000:]
            run = {
                "claims": len(claims),
                "placement_import_seconds": round(placed, 2),
                "remittance_bytes": remittance.stat().st_size,
                "post_seconds": round(seconds, 2),
                "claims_per_second": round(len(claims) / seconds),
                "goal_seconds_for_100000": GOAL_SECONDS,
                "exit_code": code,
                "summary": summary,
            }
            print({k: v for k, v in run.items() if k != "summary"})
            runs.append(run)
    record("remittance_posting", {"runs": runs})
