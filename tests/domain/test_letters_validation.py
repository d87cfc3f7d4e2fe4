"""The validation notice (12 CFR 1006.34, Model Form B-1): every required element is on the page
whatever the account (names with accents, long addresses, zero and large amounts, both languages);
the validation period's end date across a month end, a leap day and a federal holiday; and an
itemization that does not add up is refused."""

from __future__ import annotations

import unicodedata
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from collector_tui.domain.letters.common import LetterError, long_date
from collector_tui.domain.letters.validation import (
    CollectorIdentity,
    Itemization,
    ValidationNoticeFacts,
    validation_end,
    validation_inputs,
)
from collector_tui.domain.money import MAX_ACCOUNT_CENTS
from collector_tui.services.letters.render import render_letter
from tests.domain.compliance_helpers import POLICY

# Model Form B-1's headings and required statements (12 CFR 1006.34(c)(1)-(4)), as the page says
# them (whitespace collapsed: the extractor breaks lines where the page wraps them).
REQUIRED_EN = (
    "is a debt collector.",  # (c)(1), 1006.18(e)
    "We are trying to collect a debt that you owe to",
    "We will use any information you give us to help collect the debt.",
    "Our information shows:",  # (c)(2)
    "with account number",
    "you owed:",  # (c)(2)(vi)-(vii)
    "and today:",
    "You were charged this amount in interest:",  # (c)(2)(viii)
    "You were charged this amount in fees:",
    "You paid or were credited this amount toward the debt:",
    "Total amount of the debt now:",  # (c)(2)(ix)
    "How can you dispute the debt?",  # (c)(3)(i)-(iii)
    "to dispute all or part of the debt. If you do not, we will assume that our information is correct.",
    "we must stop collection on any amount you dispute until we send you information that shows you "
    "owe the debt.",
    "What else can you do?",
    "Write to ask for the name and address of the original creditor, if different from the current creditor.",
    "we must stop collection until we send you that information.",
    "Go to www.cfpb.gov/debt-collection to learn more about your rights under federal law.",  # (c)(3)(iv)
    "Póngase en contacto con nosotros para solicitar una copia de este formulario en español.",  # (d)(3)(vi)
    "Mail this form to:",  # (c)(4)
    "How do you want to respond?",
    "Check all that apply:",
    "I want to dispute the debt because I think:",
    "This is not my debt.",
    "The amount is wrong.",
    "Other (please describe on reverse or attach additional information).",
    "I want you to send me the name and address of the original creditor.",
)
REQUIRED_ES = (
    "es un cobrador de deudas.",
    "Estamos tratando de cobrar una deuda que usted le debe a",
    "Usaremos cualquier información que usted nos dé para ayudar a cobrar la deuda.",
    "Nuestra información indica:",
    "con el número de cuenta",
    "usted debía:",
    "y hoy:",
    "Se le cobró esta cantidad en intereses:",
    "Se le cobró esta cantidad en cargos:",
    "Usted pagó o se le acreditó esta cantidad a la deuda:",
    "Cantidad total de la deuda ahora:",
    "¿Cómo puede disputar la deuda?",
    "para disputar toda la deuda o parte de ella. Si no lo hace, supondremos que nuestra información es "
    "correcta.",
    "debemos suspender el cobro de cualquier cantidad que usted dispute hasta que le enviemos información "
    "que demuestre que usted debe la deuda.",
    "¿Qué más puede hacer?",
    "Escríbanos para pedir el nombre y la dirección del acreedor original, si es diferente del acreedor "
    "actual.",
    "debemos suspender el cobro hasta que le enviemos esa información.",
    "Visite www.cfpb.gov/debt-collection para obtener más información sobre sus derechos según la ley "
    "federal.",
    "Envíe este formulario por correo a:",
    "¿Cómo desea responder?",
    "Marque todas las opciones que correspondan:",
    "Quiero disputar la deuda porque creo que:",
    "Esta deuda no es mía.",
    "La cantidad es incorrecta.",
    "Otro (describa al reverso o adjunte información adicional).",
    "Quiero que me envíen el nombre y la dirección del acreedor original.",
)
REQUIRED = {"en": REQUIRED_EN, "es": REQUIRED_ES}

COLLECTOR = CollectorIdentity(
    name="Example Collections (fictional)",
    mailing_address=("PO Box 0000", "Nowhere, ZZ 00000"),
    phone="(555) 010-0199",
    hours="Monday to Friday, 8 a.m. to 6 p.m. Eastern",
)
NAME_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZáéíóúñüÁÉÍÓÚÑÜçãõâêôàèìòùäëïößøåæ"


def flat(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def itemization(
    amount: int = 156_000, interest: int = 0, fees: int = 0, paid: int = 25_000, on: date = date(2026, 8, 1)
) -> Itemization:
    return Itemization(on, amount, interest, fees, paid, amount + interest + fees - paid)


def facts(**changes: object) -> ValidationNoticeFacts:
    values: dict[str, object] = {
        "collector": COLLECTOR,
        "consumer_name": "José Núñez",
        "consumer_address": ("100 Main St", "Columbus, OH 43215"),
        "creditor_name": "Mercy General Hospital",
        "account_number": "A-1001",
        "itemization": itemization(),
        "notice_date": date(2026, 12, 23),
        "language": "en",
    }
    values.update(changes)
    return ValidationNoticeFacts(**values)  # type: ignore[arg-type]


names = st.text(alphabet=NAME_LETTERS + " '-", min_size=1, max_size=60).filter(
    lambda s: any(c.isalpha() for c in s)
)
address_lines = st.lists(
    st.text(alphabet=NAME_LETTERS + "0123456789 #,.-", min_size=1, max_size=120).filter(str.strip),
    min_size=1,
    max_size=3,
)
cents = st.integers(min_value=0, max_value=MAX_ACCOUNT_CENTS)


@st.composite
def itemizations(draw: st.DrawFn) -> Itemization:
    amount, interest, fees = draw(cents), draw(st.integers(0, 10_000_00)), draw(st.integers(0, 10_000_00))
    paid = draw(st.integers(0, amount + interest + fees))
    return itemization(amount, interest, fees, paid)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    consumer=names,
    address=address_lines,
    creditor=names,
    item=itemizations(),
    language=st.sampled_from(["en", "es"]),
)
def test_every_required_element_of_model_form_b1_is_on_the_page(
    consumer: str, address: list[str], creditor: str, item: Itemization, language: str
) -> None:
    notice = facts(
        consumer_name=consumer,
        consumer_address=tuple(address),
        creditor_name=creditor,
        itemization=item,
        language=language,
    )
    inputs = validation_inputs(notice, POLICY)
    letter = render_letter("validation_notice", language, inputs)
    text = flat(letter.text)
    missing = [element for element in REQUIRED[language] if flat(element) not in text]
    assert not missing
    for value in (
        consumer,
        creditor,
        *address,
        "A-1001",
        COLLECTOR.name,
        *COLLECTOR.mailing_address,
        inputs["amount_on_itemization_date"],
        "+ " + inputs["interest"],
        "+ " + inputs["fees"],
        "– " + inputs["payments_and_credits"],
        inputs["current_amount"],
        inputs["itemization_date"],
        inputs["validation_end_date"],
    ):
        assert flat(value) in text, value
    assert text.count(flat(inputs["validation_end_date"])) == 3  # dispute, stop, original creditor


def test_the_end_date_and_the_amounts_as_each_language_writes_them() -> None:
    english = validation_inputs(facts(), POLICY)
    spanish = validation_inputs(facts(language="es"), POLICY)
    assert (english["validation_end_date"], spanish["validation_end_date"]) == (
        "January 30, 2027",
        "30 de enero de 2027",
    )
    assert english["current_amount"] == spanish["current_amount"] == "$1,310.00"
    text = flat(render_letter("validation_notice", "es", spanish).text)
    assert "a más tardar el 30 de enero de 2027" in text
    assert "Al 1 de agosto de 2026, usted debía: $1,560.00" in text


@pytest.mark.parametrize(
    ("sent", "end"),
    [
        # Christmas (Friday) and the weekend are not business days: sent the day before Christmas
        # Eve, received the 30th; the 23rd, the 31st; Christmas Eve, then New Year's Day is skipped too.
        (date(2026, 12, 22), date(2027, 1, 29)),
        (date(2026, 12, 23), date(2027, 1, 30)),
        (date(2026, 12, 24), date(2027, 2, 3)),
        # Across a month end: received February 2 or 3, 2027 (no leap day: March 4 or 5).
        (date(2027, 1, 26), date(2027, 3, 4)),
        (date(2027, 1, 27), date(2027, 3, 5)),
        # 2028 is a leap year: received January 28 -> February 27; January 31 -> March 1 (February
        # has 29 days); sent on the leap day itself, received March 7 -> April 6.
        (date(2028, 1, 21), date(2028, 2, 27)),
        (date(2028, 1, 24), date(2028, 3, 1)),
        (date(2028, 2, 29), date(2028, 4, 6)),
    ],
)
def test_the_validation_period_ends_30_days_after_receipt_5_business_days_after_sending(
    sent: date, end: date
) -> None:
    notice = facts(notice_date=sent)
    assert validation_end(notice, POLICY) == end
    assert validation_inputs(notice, POLICY)["validation_end_date"] == long_date(end, "en")


def test_an_itemization_that_does_not_add_up_is_refused() -> None:
    with pytest.raises(LetterError, match="does not add up"):
        Itemization(date(2026, 8, 1), 156_000, 0, 0, 25_000, 131_001)
    with pytest.raises(LetterError, match="negative"):
        Itemization(date(2026, 8, 1), 156_000, -1, 0, 0, 155_999)


def test_blank_facts_and_unknown_languages_are_refused() -> None:
    with pytest.raises(LetterError, match="consumer's address"):
        validation_inputs(facts(consumer_address=("  ",)), POLICY)
    with pytest.raises(LetterError, match="language"):
        facts(language="fr")
    with pytest.raises(LetterError, match="after the notice date"):
        facts(itemization=itemization(on=date(2027, 1, 1)))


def test_dates_are_written_out() -> None:
    assert long_date(date(2027, 1, 5), "en") == "January 5, 2027"
    assert long_date(date(2027, 1, 5), "es") == "5 de enero de 2027"


def test_a_value_is_printed_as_typed_never_read_as_markup() -> None:
    """The inputs are strings placed in the page, not Typst source: a name with markup characters
    prints as it is and runs nothing."""
    name = 'Ana *[#x]* $1 \\ _o_ // "q" <l> @r = 1.'
    inputs = validation_inputs(facts(consumer_name=name), POLICY)
    assert flat(name) in flat(render_letter("validation_notice", "en", inputs).text)
