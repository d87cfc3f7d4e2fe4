"""835 files for the remittance tests, built segment by segment (invented payer, provider, claims).

``remittance_text(claims, ...)`` writes one interchange with one transaction set whose BPR02 is the
claims' payments less the provider adjustments, so it balances unless a test says otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Clp:
    """One claim: CLP01..CLP07 and its claim-level CAS segments (``"CO*45*60.00"``)."""

    control_number: str
    status: str
    charge: str
    paid: str
    patient: str = ""
    icn: str = "ICN-1"
    cas: tuple[str, ...] = ()
    remarks: tuple[str, ...] = ()  # RARCs, written as the claim's MOA segment


def _cents(text: str) -> int:
    sign = -1 if text.startswith("-") else 1
    whole, _, fraction = text.lstrip("-").partition(".")
    return sign * (int(whole or "0") * 100 + int(fraction.ljust(2, "0") or "0"))


def _amount(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    return f"{sign}{abs(cents) // 100}.{abs(cents) % 100:02d}"


def remittance_text(
    claims: list[Clp],
    *,
    trace: str = "TRACE-0001",
    plb: tuple[tuple[str, str], ...] = (),  # (reason:reference, amount)
    bpr_amount: str | None = None,
    payer: str = "INVENTED HEALTH PLAN",
    payer_id: str = "PAYER-X",  # REF*2U
    payer_phone: str | None = None,  # a PER*CX (the payer's claims line) when given
    paid_on: str = "20261120",
) -> str:
    paid = sum(_cents(c.paid) for c in claims) - sum(_cents(amount) for _, amount in plb)
    body = [
        "ST*835*0001*005010X221A1",
        f"BPR*I*{bpr_amount or _amount(paid)}*C*ACH*CCP*01*999999999*DA*123456789*1512345678"
        f"**01*888888888*DA*98765*{paid_on}",
        f"TRN*1*{trace}*1512345678",
        "DTM*405*20261119",
        f"N1*PR*{payer}",
        "N3*1 NOWHERE WAY",
        "N4*SPRINGFIELD*IL*62701",
        f"REF*2U*{payer_id}",
        *([f"PER*CX*CLAIMS LINE*TE*{payer_phone}"] if payer_phone else []),
        "PER*BL*CLAIMS DESK*TE*5555550100",
        "N1*PE*MERCY GENERAL*XX*1999999984",
        "LX*1",
    ]
    for claim in claims:
        body.append(
            f"CLP*{claim.control_number}*{claim.status}*{claim.charge}*{claim.paid}*{claim.patient}*12*{claim.icn}*11*1"
        )
        body += [f"CAS*{cas}" for cas in claim.cas]
        body.append("NM1*QC*1*INVENTED*PERSON****MI*X000001")
        if claim.remarks:  # MOA follows the patient's NM1 in loop 2100
            body.append("MOA***" + "*".join(claim.remarks))
    for reason, amount in plb:
        body.append(f"PLB*1999999984*20261231*{reason}*{amount}")
    body.append(f"SE*{len(body) + 1}*0001")
    isa = (
        "ISA*00*          *00*          *ZZ*INVENTEDPAYER  *ZZ*MERCYGENERAL   "
        "*261120*1200*^*00501*000000007*0*T*:"
    )
    segments = [
        isa,
        "GS*HP*INVENTEDPAYER*MERCYGENERAL*20261120*1200*7*X*005010X221A1",
        *body,
        "GE*1*7",
        "IEA*1*000000007",
    ]
    return "~\n".join(segments) + "~\n"
