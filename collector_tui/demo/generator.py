"""A deterministic synthetic collections office: same seed and date, same office.

Everything is invented: names are random pairings from common-name lists,
phones are in the fictional 555-01XX range on real area codes, and addresses
are street numbers on generic street names. Rows come out in the canonical
import columns (strings), so the demo loads through exactly the path that a
billing system's nightly files take.

What the billing system knows that the compliance rules read (delinquency and
itemization dates, validation and 501(r) notices, financial-assistance
applications, phone consents and revocations, text and email opt-outs, the
consumer's wishes about calls) is drawn from a random stream of its own, so
adding it left every other value of the office as it was. St. Mary's Regional
is a nonprofit hospital that publishes its financial-assistance policy.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from itertools import accumulate

from collector_tui.domain.placement import (
    PLACEMENT_COLUMNS,
)

DEMO_DEFAULT_LOGIN = "mlopez"
BATCH_SIZE = 1000  # accounts per independently seeded batch (and per load transaction)


@dataclass(frozen=True, slots=True)
class DemoUser:
    login: str
    display_name: str
    role: str
    share: float  # weight of accounts assigned (0 for supervisors and admins)


DEMO_USERS: tuple[DemoUser, ...] = (
    DemoUser("mlopez", "Maria Lopez", "collector", 3.0),
    DemoUser("jchen", "James Chen", "collector", 1.5),
    DemoUser("aokafor", "Ada Okafor", "collector", 1.5),
    DemoUser("rpatel", "Ravi Patel", "collector", 1.5),
    DemoUser("kbrown", "Kim Brown", "collector", 1.0),
    DemoUser("sreed", "Sam Reed", "supervisor", 0.0),
    DemoUser("admin", "Office Admin", "admin", 0.0),
)

FACILITIES: tuple[tuple[str, str], ...] = (
    ("SMR", "St. Mary's Regional"),
    ("MCG", "Mercy Clinic Group"),
    ("DVM", "Desert Valley Medical"),
    ("PIH", "Pacific Island Health"),
)
# What the placement file says of a facility (docs/import-formats.md): the nonprofit hospital.
FACILITY_FACTS: dict[str, dict[str, str]] = {
    "SMR": {
        "facility_nonprofit": "yes",
        "facility_fap_policy_url": "https://stmarys.example.org/financial-assistance",
    },
}
INCONVENIENT_TIMES = (
    "mon-fri 12:00-13:00",
    "sun 00:00-24:00",
    "mon-fri 08:00-10:00",
    "sat 08:00-12:00; sun 00:00-24:00",
)

# state -> (cities, ZIP prefixes, area codes). Includes the zones collectors
# get wrong: Arizona and Hawaii (no DST), Alaska, Puerto Rico, and area codes
# that span two zones (812 Indiana, 850 Florida panhandle, 208 Idaho).
GEOGRAPHY: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "OH": (("Columbus", "Dayton", "Toledo"), ("432", "454", "436"), ("614", "937", "419")),
    "NY": (("Albany", "Buffalo", "Rochester"), ("122", "142", "146"), ("518", "716", "585")),
    "FL": (("Tallahassee", "Pensacola", "Orlando"), ("323", "325", "328"), ("850", "850", "407")),
    "IN": (
        ("Evansville", "Indianapolis", "Bloomington"),
        ("477", "462", "474"),
        ("812", "317", "812"),
    ),
    "TX": (("Austin", "Houston", "El Paso"), ("787", "770", "799"), ("512", "713", "915")),
    "IL": (("Chicago", "Peoria", "Springfield"), ("606", "616", "627"), ("312", "309", "217")),
    "CO": (("Denver", "Boulder", "Pueblo"), ("802", "803", "810"), ("303", "720", "719")),
    "ID": (("Boise", "Coeur d'Alene", "Pocatello"), ("837", "838", "832"), ("208", "208", "208")),
    "AZ": (("Phoenix", "Tucson", "Flagstaff"), ("850", "857", "860"), ("602", "520", "928")),
    "CA": (("Sacramento", "Fresno", "San Diego"), ("958", "937", "921"), ("916", "559", "619")),
    "WA": (("Seattle", "Spokane", "Tacoma"), ("981", "992", "984"), ("206", "509", "253")),
    "AK": (("Anchorage", "Fairbanks", "Juneau"), ("995", "997", "998"), ("907", "907", "907")),
    "HI": (("Honolulu", "Hilo", "Kahului"), ("968", "967", "967"), ("808", "808", "808")),
    "PR": (("San Juan", "Ponce", "Mayaguez"), ("009", "007", "006"), ("787", "939", "787")),
    "GA": (("Atlanta", "Savannah", "Macon"), ("303", "314", "312"), ("404", "912", "478")),
    "MD": (("Baltimore", "Annapolis", "Frederick"), ("212", "214", "217"), ("410", "443", "301")),
}
STATE_WEIGHTS = {
    "OH": 14,
    "NY": 10,
    "FL": 9,
    "IN": 6,
    "TX": 12,
    "IL": 8,
    "CO": 6,
    "ID": 3,
    "AZ": 7,
    "CA": 10,
    "WA": 4,
    "AK": 2,
    "HI": 2,
    "PR": 2,
    "GA": 6,
    "MD": 5,
}

FIRST_NAMES = (
    "James",
    "Mary",
    "Linh",
    "Chidi",
    "Anna",
    "Noe",
    "Eric",
    "Maria",
    "David",
    "Aisha",
    "Robert",
    "Emily",
    "Jose",
    "Priya",
    "Michael",
    "Grace",
    "Daniel",
    "Sofia",
    "Kevin",
    "Leilani",
    "Omar",
    "Hannah",
    "Luis",
    "Mei",
    "Thomas",
    "Fatima",
    "Brian",
    "Carmen",
    "Samuel",
    "Olivia",
    "Tyrone",
    "Keanu",
    "Rosa",
    "Ethan",
    "Nadia",
    "Victor",
)
LAST_NAMES = (
    "Harris",
    "Nguyen",
    "Okafor",
    "Smith",
    "Kahale",
    "Brown",
    "Garcia",
    "Johnson",
    "Lee",
    "Martinez",
    "Patel",
    "Williams",
    "Rodriguez",
    "Kim",
    "Davis",
    "Lopez",
    "Wilson",
    "Anderson",
    "Thomas",
    "Moore",
    "Jackson",
    "Martin",
    "Thompson",
    "White",
    "Clark",
    "Lewis",
    "Walker",
    "Hall",
    "Young",
    "Allen",
    "Wright",
    "Scott",
    "Torres",
    "Rivera",
    "Campbell",
    "Mitchell",
    "Akana",
    "Yazzie",
    "Begay",
    "Castillo",
)
STREETS = (
    "Main St",
    "Oak Ave",
    "Maple Dr",
    "Cedar Ln",
    "Park Rd",
    "Elm St",
    "Lakeview Dr",
    "Hillcrest Ave",
    "Sunset Blvd",
    "River Rd",
    "Washington St",
    "Mesa Dr",
)
PROCEDURES = (
    ("99213", 14500),
    ("99214", 21000),
    ("99284", 125000),
    ("99285", 198000),
    ("71046", 31000),
    ("80053", 9800),
    ("85025", 4500),
    ("36415", 2500),
    ("93000", 8900),
    ("74177", 245000),
    ("70450", 162000),
    ("29881", 812000),
    ("45378", 310000),
    ("59400", 690000),
    ("97110", 12500),
    ("90471", 3500),
)
# The plain words a billing system sends beside each code (the demo's own, not the AMA's CPT text).
DESCRIPTIONS = {
    "99213": "Office visit, established patient, low complexity",
    "99214": "Office visit, established patient, moderate complexity",
    "99284": "Emergency department visit, high severity",
    "99285": "Emergency department visit, highest severity",
    "71046": "Chest X-ray, two views",
    "80053": "Blood test: comprehensive metabolic panel",
    "85025": "Blood test: complete blood count",
    "36415": "Drawing blood from a vein",
    "93000": "Heart tracing (EKG) with reading",
    "74177": "CT scan of belly and pelvis with contrast",
    "70450": "CT scan of head without contrast",
    "29881": "Knee arthroscopy with cartilage repair",
    "45378": "Colonoscopy, diagnostic",
    "59400": "Pregnancy care and vaginal delivery",
    "97110": "Physical therapy exercises, 15 minutes",
    "90471": "Giving a vaccine, one shot",
}
PAYERS = (
    "Aetna",
    "BlueCross BlueShield",
    "UnitedHealthcare",
    "Cigna",
    "Humana",
    "Medicaid",
    "Medicare",
    "Ambetter",
)
DENIALS = (
    ("CO-197", "N30"),
    ("CO-16", "M51"),
    ("CO-50",),
    ("PR-1",),
    ("PR-2",),
    ("PR-3",),
    ("CO-29",),
    ("CO-97", "M15"),
    ("CO-22",),
    ("CO-27",),
)
LANGUAGES = ("en",) * 8 + ("es", "es", "vi", "zh")
CALL_RESULTS = (
    "NA",
    "NA",
    "NA",
    "BUSY",
    "LMVM",
    "LMVM",
    "RPC_CB",
    "RPC_PTP",
    "RPC_REFUSE",
    "WRONG",
    "3RD",
    "RPC_HARD",
    "ITEMIZED",
    "INBOUND",
)
NOTES = (
    "Guarantor asked for an itemized statement.",
    "Left a limited-content voicemail.",
    "Guarantor says insurance should have paid; verifying coverage.",
    "Guarantor will call back after payday.",
    "Spoke with spouse; will pass on message.",
    "Reviewed account; no contact made.",
    "Guarantor asked about financial assistance.",
)


@dataclass(frozen=True, slots=True)
class DemoPromise:
    facility_code: str
    account_number: str
    amount_cents: int
    due_date: date
    status: str


@dataclass(frozen=True, slots=True)
class DemoPlan:
    facility_code: str
    account_number: str
    principal_cents: int
    installment_count: int
    frequency: str
    first_due_date: date
    installments_paid: int


@dataclass(slots=True)
class DemoAccount:
    """One account of the office and its history, as import rows and arrangements."""

    placement: dict[str, str]
    transactions: list[dict[str, str]] = field(default_factory=list)
    activities: list[dict[str, str]] = field(default_factory=list)
    promise: DemoPromise | None = None
    plan: DemoPlan | None = None


def _money(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class _Household:
    guarantor_id: str
    first: str
    last: str
    dob: date
    state: str
    city: str
    zip_code: str
    street: str
    phones: list[tuple[str, str]]
    language: str
    flags: dict[str, str]


class DemoOffice:
    """Generates ``accounts`` accounts for ``seed`` as of ``as_of`` (dates are relative to it)."""

    def __init__(self, *, accounts: int, seed: int, as_of: date) -> None:
        if accounts < 0:
            raise ValueError("the number of accounts cannot be negative")
        self.accounts = accounts
        self.seed = seed
        self.as_of = as_of
        self._collectors = [u for u in DEMO_USERS if u.share > 0]
        self._states = list(STATE_WEIGHTS)
        # Cumulative weights: random.choices then skips re-summing on every call.
        self._state_cum = list(accumulate(STATE_WEIGHTS[s] for s in self._states))
        self._collector_cum = list(accumulate(u.share for u in self._collectors))

    @property
    def batch_count(self) -> int:
        return -(-self.accounts // BATCH_SIZE)

    def batch(self, index: int) -> list[DemoAccount]:
        """Accounts ``index * BATCH_SIZE + 1`` onwards; each batch has its own random stream,
        so batches can be generated in parallel and still give the same office."""
        rng = random.Random(f"{self.seed}/{index}")
        first = index * BATCH_SIZE + 1
        last = min(self.accounts, first + BATCH_SIZE - 1)
        accounts: list[DemoAccount] = []
        household: _Household | None = None
        household_left = 0
        for n in range(first, last + 1):
            if household is None or household_left == 0:
                household = self._household(rng, n)
                household_left = rng.choices((1, 2, 3), cum_weights=(78, 94, 100))[0]
            household_left -= 1
            accounts.append(self._account(rng, n, household))
        self._told(random.Random(f"{self.seed}/{index}/told"), accounts)
        return accounts

    def __iter__(self) -> Iterator[DemoAccount]:
        for index in range(self.batch_count):
            yield from self.batch(index)

    def _household(self, rng: random.Random, n: int) -> _Household:
        state = rng.choices(self._states, cum_weights=self._state_cum)[0]
        cities, zips, areas = GEOGRAPHY[state]
        where = rng.randrange(len(cities))
        phones: list[tuple[str, str]] = []
        for kind in rng.sample(
            ("mobile", "home", "work"), k=rng.choices((1, 2, 3), cum_weights=(45, 85, 100))[0]
        ):
            area = areas[where] if rng.random() < 0.85 else rng.choice(areas)
            phones.append((f"({area}) 555-01{rng.randrange(100):02d}", kind))
        flags = {"bankruptcy": "N", "attorney": "N", "deceased": "N", "cease": "N"}
        roll = rng.random()
        if roll < 0.01:
            flags["bankruptcy"] = "Y"
        elif roll < 0.015:
            flags["attorney"] = "Y"
        elif roll < 0.02:
            flags["deceased"] = "Y"
        elif roll < 0.03:
            flags["cease"] = "Y"
        age_years = rng.randint(19, 88)
        return _Household(
            guarantor_id=f"G{n:08d}",
            first=rng.choice(FIRST_NAMES),
            last=rng.choice(LAST_NAMES),
            dob=self.as_of - timedelta(days=age_years * 365 + rng.randrange(365)),
            state=state,
            city=cities[where],
            zip_code=f"{zips[where]}{rng.randrange(100):02d}",
            street=f"{rng.randint(10, 9899)} {rng.choice(STREETS)}",
            phones=phones,
            language=rng.choice(LANGUAGES),
            flags=flags,
        )

    def _account(self, rng: random.Random, n: int, h: _Household) -> DemoAccount:
        facility_code, facility_name = rng.choice(FACILITIES)
        account_number = f"A-{1_000_000 + n}"
        placed_days_ago = int(rng.triangular(0, 400, 40))
        placed = self.as_of - timedelta(days=placed_days_ago)
        service = placed - timedelta(days=rng.randint(30, 120))
        first_statement = service + timedelta(days=rng.randint(5, 25))
        lines = rng.choices(PROCEDURES, k=rng.choices((1, 2, 3, 4), cum_weights=(40, 70, 90, 100))[0])
        charges = [(service, code, max(1000, int(base * rng.uniform(0.6, 1.6)))) for code, base in lines]
        billed = sum(amount for _, _, amount in charges)
        total = max(2500, int(billed * rng.uniform(0.08, 0.9)))
        insurance_pending = 0
        claim_cols: dict[str, str] = {}
        has_claim = rng.random() < 0.55
        if has_claim:
            status = rng.choices(("paid", "denied", "pending", "appealed"), cum_weights=(50, 75, 95, 100))[0]
            if status == "pending":
                insurance_pending = int(total * rng.uniform(0.3, 0.9))
            allowed = int(billed * rng.uniform(0.4, 0.8))
            paid = 0 if status in ("denied", "pending", "appealed") else max(0, allowed - total)
            submitted = service + timedelta(days=rng.randint(3, 20))
            claim_cols = {
                "claim_payer": rng.choice(PAYERS),
                "claim_number": f"CLM{rng.randrange(10**7):07d}",
                "claim_status": status,
                "claim_billed": _money(billed),
                "claim_allowed": _money(allowed),
                "claim_paid": _money(paid),
                "claim_patient_share": _money(total - insurance_pending),
                "claim_denial_codes": ";".join(rng.choice(DENIALS))
                if status in ("denied", "appealed")
                else "",
                "claim_submitted_date": min(submitted, self.as_of).isoformat(),
                "claim_timely_filing_deadline": (service + timedelta(days=365)).isoformat(),
                "claim_appeal_deadline": (submitted + timedelta(days=180)).isoformat()
                if status == "denied"
                else "",
            }
            # CLP01 of the payers' 835s (demo/remittances.py), drawn from no random stream so every
            # other value stays: unique to the facility, the account and the claim, so another
            # seed's file imported into this office never claims a number one of its claims holds.
            claim_cols["claim_control_number"] = (
                f"{facility_code}{account_number[2:]}-{claim_cols['claim_number'][3:]}"
            )
        dependant = rng.random() < 0.3
        patient_first = rng.choice(FIRST_NAMES) if dependant else h.first
        relationship = rng.choice(("spouse", "child")) if dependant else "self"
        if relationship == "child":
            patient_dob = self.as_of - timedelta(days=rng.randint(1, 17) * 365 + rng.randrange(365))
        elif relationship == "spouse":
            patient_dob = h.dob + timedelta(days=rng.randint(-3000, 3000))
        else:
            patient_dob = h.dob
        collector = rng.choices(self._collectors, cum_weights=self._collector_cum)[0]
        unassigned = rng.random() < 0.02
        row = dict.fromkeys(PLACEMENT_COLUMNS, "")
        row.update(
            record_type="new",
            facility_code=facility_code,
            facility_name=facility_name,
            account_number=account_number,
            guarantor_id=h.guarantor_id,
            guarantor_first_name=h.first,
            guarantor_last_name=h.last,
            guarantor_dob=h.dob.isoformat(),
            guarantor_ssn_last4=f"{rng.randrange(10000):04d}",
            address1=h.street,
            city=h.city,
            state=h.state,
            zip=h.zip_code,
            email=f"{h.first.lower()}.{h.last.lower()}{n % 97}@example.com" if rng.random() < 0.4 else "",
            language=h.language,
            patient_first_name=patient_first,
            patient_last_name=h.last,
            patient_dob=min(patient_dob, self.as_of).isoformat(),
            patient_relationship=relationship,
            service_date_from=service.isoformat(),
            service_date_to=service.isoformat(),
            first_statement_date=first_statement.isoformat(),
            placed_date=placed.isoformat(),
            total_balance=_money(total),
            insurance_pending=_money(insurance_pending),
            patient_responsibility=_money(total - insurance_pending),
            charges=";".join(
                f"{d.isoformat()}|{code}|{_money(amount)}|{DESCRIPTIONS[code]}" for d, code, amount in charges
            ),
            dispute="Y" if rng.random() < 0.02 else "N",
            fap_status=rng.choices(
                ("none", "requested", "pending", "approved", "denied"), cum_weights=(90, 93, 96, 98, 100)
            )[0],
            collector_login="" if unassigned else collector.login,
            **h.flags,
            **claim_cols,
        )
        for slot, (number, kind) in enumerate(h.phones, start=1):
            row[f"phone{slot}"] = number
            row[f"phone{slot}_type"] = kind
        account = DemoAccount(placement=row)
        self._history(rng, account, placed, total - insurance_pending, collector.login, h)
        return account

    def _history(
        self,
        rng: random.Random,
        account: DemoAccount,
        placed: date,
        patient_cents: int,
        login: str,
        h: _Household,
    ) -> None:
        key = {
            "facility_code": account.placement["facility_code"],
            "account_number": account.placement["account_number"],
        }
        number = account.placement["account_number"]
        days_open = max(1, (self.as_of - placed).days)
        # Calls and notes since placement (never today, so the demo opens with callable accounts).
        for i in range(rng.choices((0, 1, 2, 3, 5), cum_weights=(30, 55, 75, 90, 100))[0]):
            day = placed + timedelta(days=rng.randrange(days_open))
            if day >= self.as_of:
                continue
            moment = datetime.combine(day, time(14 + rng.randrange(6), rng.randrange(60)), tzinfo=UTC)
            result = rng.choice(CALL_RESULTS)
            phone = rng.choice(h.phones)[0]
            account.activities.append(
                {
                    "activity_id": f"ACT-{number}-{i}",
                    **key,
                    "occurred_at": _stamp(moment),
                    "channel": "call",
                    "direction": "in" if result == "INBOUND" else "out",
                    "phone": phone,
                    "party": "guarantor" if result.startswith("RPC") or result == "INBOUND" else "none",
                    "result_code": result,
                    "note": rng.choice(NOTES) if rng.random() < 0.4 else "",
                    "collector_login": login,
                }
            )
        # Payments, with the odd returned check.
        if patient_cents > 5000 and rng.random() < 0.3:
            paid = 0
            for i in range(rng.randint(1, 3)):
                amount = min(patient_cents - paid - 100, rng.randint(2500, max(2500, patient_cents // 4)))
                if amount <= 0:
                    break
                paid += amount
                day = placed + timedelta(days=rng.randrange(days_open))
                if day >= self.as_of:
                    continue
                moment = datetime.combine(day, time(16), tzinfo=UTC)
                tx_id = f"TX-{number}-{i}"
                method = rng.choice(("card", "check", "ach"))
                account.transactions.append(
                    {
                        "transaction_id": tx_id,
                        **key,
                        "kind": "payment",
                        "amount": _money(amount),
                        "posted_at": _stamp(moment),
                        "method": method,
                        "reference": "",
                        "reverses_transaction_id": "",
                    }
                )
                if method == "check" and rng.random() < 0.15:
                    account.transactions.append(
                        {
                            "transaction_id": f"{tx_id}-NSF",
                            **key,
                            "kind": "reversal",
                            "amount": _money(amount),
                            "posted_at": _stamp(moment + timedelta(hours=2)),
                            "method": "check",
                            "reference": "NSF",
                            "reverses_transaction_id": tx_id,
                        }
                    )
        roll = rng.random()
        if roll < 0.04:
            due = self.as_of + timedelta(days=rng.randint(-10, 20))
            status = "pending" if due >= self.as_of else rng.choice(("kept", "broken"))
            account.promise = DemoPromise(
                key["facility_code"],
                number,
                max(2500, patient_cents // rng.randint(2, 6)),
                due,
                status,
            )
        elif roll < 0.06 and patient_cents >= 20000:
            count = rng.choice((6, 12, 18, 24))
            first_due = placed + timedelta(days=rng.randint(10, 40))
            months_elapsed = max(0, (self.as_of - first_due).days // 30)
            account.plan = DemoPlan(
                key["facility_code"],
                number,
                patient_cents,
                count,
                "monthly",
                first_due,
                min(count - 1, months_elapsed),
            )

    # -- what the billing system knows that the compliance rules read -----------------------------

    def _told(self, rng: random.Random, accounts: list[DemoAccount]) -> None:
        """Fill the compliance columns of a batch's rows, household by household (the rows of a
        household follow each other), from ``rng``, a stream of their own."""
        start = 0
        while start < len(accounts):
            guarantor = accounts[start].placement["guarantor_id"]
            end = start + 1
            while end < len(accounts) and accounts[end].placement["guarantor_id"] == guarantor:
                end += 1
            household = accounts[start:end]
            # Facts that change who may be called now go to households the demo collector works
            # none of: her queue stays the one the UI snapshots show (tests/ui/test_snapshots.py).
            others = all(a.placement["collector_login"] != DEMO_DEFAULT_LOGIN for a in household)
            wishes = self._wishes(rng, household[0].placement) if others else {}
            for account in household:
                row = account.placement
                row.update(wishes)
                row.update(FACILITY_FACTS.get(row["facility_code"], {}))
                row.update(self._account_dates(rng, row, calls_may_change=others))
            start = end

    def _day(self, day: date) -> str | None:
        """``day`` as the file writes it, or None if it is still to come."""
        return day.isoformat() if day < self.as_of else None

    def _wishes(self, rng: random.Random, row: dict[str, str]) -> dict[str, str]:
        """A household's phone consents, revocations and opt-outs, and its wishes about calls."""
        told: dict[str, str] = {}
        registered = date.fromisoformat(row["service_date_from"])
        for slot in range(1, 4):
            kind = row[f"phone{slot}_type"]
            if not row[f"phone{slot}"]:
                continue
            if kind == "mobile" and rng.random() < 0.55:
                told[f"phone{slot}_consent"] = "yes"
                told[f"phone{slot}_consent_date"] = registered.isoformat()  # given when registering
                if rng.random() < 0.12:
                    revoked = datetime.combine(
                        self.as_of - timedelta(days=rng.randint(1, 60)),
                        time(15, rng.randrange(60)),
                        tzinfo=UTC,
                    )
                    if revoked.date() >= registered:
                        told[f"phone{slot}_revoked_at"] = _stamp(revoked)
            elif kind != "work" and rng.random() < 0.03:
                told[f"phone{slot}_revoked_at"] = (
                    self.as_of - timedelta(days=rng.randint(1, 90))
                ).isoformat()
            if kind == "mobile" and rng.random() < 0.06:
                told[f"phone{slot}_text_opt_out"] = (
                    self.as_of - timedelta(days=rng.randint(1, 120))
                ).isoformat()
        if "work" in (row["phone1_type"], row["phone2_type"], row["phone3_type"]) and rng.random() < 0.3:
            told["no_calls_at_work"] = "yes"
        if rng.random() < 0.08:
            told["inconvenient_times"] = rng.choice(INCONVENIENT_TIMES)
        if row["email"] and rng.random() < 0.1:
            told["email_opt_out"] = (self.as_of - timedelta(days=rng.randint(1, 200))).isoformat()
        return told

    def _account_dates(
        self, rng: random.Random, row: dict[str, str], *, calls_may_change: bool
    ) -> dict[str, str]:
        """An account's delinquency and itemization, its notices and its assistance application."""
        told: dict[str, str] = {}
        statement = date.fromisoformat(row["first_statement_date"])
        placed = date.fromisoformat(row["placed_date"])
        if rng.random() < 0.65:
            # A self-pay balance is delinquent from its first statement (what the rules assume when
            # no date is on file); a balance left after insurance, once the claim came back.
            delinquent = statement
            if row["claim_submitted_date"]:
                submitted = date.fromisoformat(row["claim_submitted_date"])
                delinquent = max(statement, submitted + timedelta(days=rng.randint(30, 60)))
            told["delinquency_date"] = min(delinquent, placed).isoformat()
        if rng.random() < 0.45:
            total = int(row["total_balance"].replace(".", ""))
            credits = int(total * rng.uniform(0.05, 0.3)) if rng.random() < 0.3 else 0
            told.update(
                itemization_date=statement.isoformat(),  # its statement date (12 CFR 1006.34(b)(3)(i))
                itemization_amount=_money(total + credits),
                itemization_interest="0.00",
                itemization_fees="0.00",
                itemization_credits=_money(credits),
            )
        # With a notice on file a dispute after its validation period no longer stops calls: such
        # notices only where calls may change.
        notice = self._day(placed + timedelta(days=rng.randint(1, 5)))
        if rng.random() < 0.7 and notice is not None and (row["dispute"] == "N" or calls_may_change):
            told["validation_notice_date"] = notice
        if row["facility_code"] in FACILITY_FACTS and rng.random() < 0.6:
            eca = self._day(statement + timedelta(days=rng.randint(90, 150)))
            if eca is not None:
                told["eca_notice_date"] = eca
        if row["fap_status"] != "none" and calls_may_change:
            applied = self._day(statement + timedelta(days=rng.randint(5, 60)))
            if applied is not None:
                told["fap_application_date"] = applied
        return {name: value for name, value in told.items() if value}
