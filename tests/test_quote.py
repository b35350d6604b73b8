"""Tests of the client quote: its words, its terms, its totals, the open-book waterfall
that adds up to the cent, the HTML page, the PDF, and ``tierprice quote``.

Worked by hand: the example deal with a plan, volume bands, a minimum and a platform
fee on calls (Erlang C, so every call is handled and billed): usage 10,000 - 1,000
included = 9,000 units, of which 2,000 at full price and 7,000 at 10% off = 8,300
billed units; 4,000 + 5.00 x 8,300 = 45,500 (above the 12,000 minimum) + 500 platform
fee = 46,000.00; mail 2,000 x 2.50 = 5,000.00; the month 51,000.00.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from helpers import SCENARIOS_DIR, make_scenario
from hypothesis import given
from hypothesis import strategies as st

from optimizer import cli
from optimizer.options import RunOptions
from optimizer.output.quote import build_quote, largest_remainder, waterfall_amounts
from optimizer.output.quote_html import to_html
from optimizer.output.quote_pdf import latin1, to_pdf
from optimizer.output.quote_words import price_phrase, terms_lines
from optimizer.pipeline import run_scenario
from optimizer.results import CategoryOutcome
from optimizer.scenario.loader import load_scenario

pypdf = pytest.importorskip("pypdf")

DAY = dt.date(2026, 12, 1)
SMALL = {
    "calendar.interval_minutes": 60,
    "categories.*.open_hours": {"mon-fri": "09:00-17:00"},
    "categories.calls.tiers.std.prices": [{"fee": 4000, "included": 1000, "unit_price": 5.0}],
    "categories.calls.terms": {
        "volume_bands": {"bands": [{"from": 0, "discount": 0}, {"from": 2000, "discount": 0.1}]},
        "minimum_monthly": 12000,
        "platform_fee": 500,
    },
}
"""The example deal with contract terms on calls (see the module docstring)."""
SHIPPED = sorted(SCENARIOS_DIR.glob("*.yaml"))
QUICK = RunOptions(explain=False, diagnose=False)


@pytest.fixture(scope="module")
def termed():
    """The example deal with terms, solved: (scenario, result)."""
    scenario = make_scenario(**SMALL)
    return scenario, run_scenario(scenario, QUICK)


@pytest.fixture(scope="module")
def telco():
    """The Nordic telco deal with billing and the sales chat quoted: (scenario, result)."""
    from optimizer.scenario.fixes import parse_fixes

    scenario = load_scenario(SCENARIOS_DIR / "nordic_telco.yaml")
    fixed = parse_fixes(
        scenario, ("billing=silver@1.04", "sales_chat=standard@0.115", "email=standard@3.90"), "t"
    )
    return scenario, run_scenario(scenario, RunOptions(fixed=fixed, explain=False, diagnose=False))


# ------------------------------------------------------------------ largest remainder


def test_largest_remainder_by_hand() -> None:
    assert largest_remainder([0.333, 0.333, 0.334], 100) == [33, 33, 34]
    assert largest_remainder([1.005, 1.005, 1.0], 301) == [101, 100, 100]  # ties: first
    assert largest_remainder([-2.504, 5.006], 250) == [-250, 500]
    assert largest_remainder([], 0) == []
    assert largest_remainder([1.0, 1.0], 203) == [102, 101]  # 3 cents short: spread on
    assert largest_remainder([1.004, 1.006], 199) == [99, 100]  # a cent over: the smallest


@given(
    st.lists(st.integers(-(10**9), 10**9), min_size=1, max_size=12),
    st.lists(st.integers(0, 10**6), min_size=12, max_size=12),
)
def test_largest_remainder_adds_up_and_moves_each_value_less_than_a_cent(
    cents: list[int], fractions: list[int]
) -> None:
    """Values with up to 6 decimals of a cent: the rounded cents add up to the rounded
    total, and no value moves by a cent or more."""
    values = [(c + f / 10**6) / 100 for c, f in zip(cents, fractions, strict=False)]
    total = round(sum(c + f / 10**6 for c, f in zip(cents, fractions, strict=False)))
    out = largest_remainder(values, total)
    assert sum(out) == total
    assert all(abs(o - v * 100) < 1 for o, v in zip(out, values, strict=True))


# ------------------------------------------------------------------ the waterfall


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_waterfall_adds_up_to_the_revenue_in_cents(path: Path) -> None:
    """On every shipped scenario: the open-book lines add up to the monthly price to
    the cent, the cost lines to the verified cost, the site lines to each site's cost,
    and every line is within a cent of its exact amount."""
    scenario = load_scenario(path)
    result = run_scenario(scenario, QUICK)
    assert result.totals is not None
    quote = build_quote(scenario, result, DAY)
    assert quote.monthly_cents == round(result.totals.revenue * 100)
    assert sum(line.cents for line in quote.waterfall) == quote.monthly_cents
    assert sum(line.monthly_cents for line in quote.lines) == quote.monthly_cents
    amounts = waterfall_amounts(scenario, result)
    costs = sum(value for label, value in amounts if label != "Margin")
    assert costs == pytest.approx(result.totals.cost, rel=1e-9)
    assert amounts[-1] == ("Margin", pytest.approx(result.totals.margin, rel=1e-9, abs=1e-6))
    for (_, value), line in zip(amounts, quote.waterfall, strict=True):
        assert abs(line.cents - value * 100) < 1
    p = scenario.provider
    for site in result.sites:
        own = site.paid_hours * (
            scenario.site(site.name).hourly_cost
            + scenario.site(site.name).overhead_per_hour
            + p.supervisor_hourly_cost / p.supervisor_ratio
        )
        assert own == pytest.approx(site.cost, rel=1e-9, abs=1e-9)


def test_waterfall_names_only_the_components_the_deal_has(termed) -> None:
    """The example has one site, no team-leader cost, overhead, fixed cost or set-up."""
    scenario, result = termed
    labels = [label for label, _ in waterfall_amounts(scenario, result)]
    assert labels == ["Agent labour, home", "Margin"]


def test_waterfall_of_the_telco_names_every_component(telco) -> None:
    scenario, result = telco
    labels = [line.label for line in build_quote(scenario, result, DAY).waterfall]
    assert labels == [
        "Agent labour, helsinki",
        "Agent labour, tallinn",
        "Team leaders",
        "Site overhead (seats, licences, desktop)",
        "Fixed costs",
        "Set-up, spread over 24 months",
        "Margin",
    ]
    quote = build_quote(scenario, result, DAY)
    assert quote.amount(quote.waterfall[4].cents) == "EUR 18,000.00"
    assert quote.amount(quote.waterfall[5].cents) == "EUR 3,750.00"  # 90,000 / 24


# ------------------------------------------------------------------ words and terms


def test_terms_and_totals_by_hand(termed) -> None:
    scenario, result = termed
    quote = build_quote(scenario, result, DAY, valid_days=45)
    calls, mail = quote.lines
    assert calls.monthly_cents == 4_600_000
    assert mail.monthly_cents == 500_000
    assert quote.monthly_cents == 5_100_000
    assert quote.contract_cents == 12 * 5_100_000  # 12 months, no escalation
    assert quote.valid_until == dt.date(2027, 1, 15)
    assert calls.price == "EUR 5.00 per handled contact"
    assert calls.quantity == "10,000 handled contacts a month"
    assert calls.terms == (
        "Plan: EUR 4,000.00 a month includes the first 1,000 handled contacts; the unit "
        "price applies above them.",
        "Volume discount on handled contacts a month: 10% from 2,000, counted beyond the "
        "1,000 included (each band's discount on the units in it).",
        "Minimum charge: EUR 12,000.00 a month.",
        "Platform fee: EUR 500.00 a month.",
    )
    assert mail.terms == ()
    assert mail.service == "90% of items handled within 24 hours"


def test_delivery_terms_in_words() -> None:
    """A site premium and a minimum site share are terms the client reads."""
    scenario = make_scenario(
        **{
            "categories.calls.terms": {
                "site_premium": {"home": 0.25},
                "min_site_share": {"home": 0.5},
            }
        }
    )
    assert terms_lines(scenario, scenario.category("calls"), None) == (
        "Work delivered from home is billed at the unit price + 25%.",
        "At least 50% of the productive agent hours delivered from home.",
    )


def test_a_bonus_in_the_monthly_amount_says_it_is_not_guaranteed() -> None:
    """A bonus level the plan staffs to is in the quoted monthly amount (design 11: its
    amount is revenue); the client is told it is earned only in such a month, and a
    level the plan does not reach is stated without that remark."""
    level = {"service_level": 0.9, "answer_within_seconds": 20, "amount": 1500}
    higher = level | {"service_level": 0.95}
    scenario = make_scenario(**{"categories.calls.terms": {"bonus": [level, higher]}})
    billing = {"bonus": [{"earned": True}, {"earned": False}], "plan_fee": 0, "included": 0}
    reached, missed = terms_lines(scenario, scenario.category("calls"), billing | {
        "platform_fee": 0.0})  # fmt: skip
    assert reached.endswith("(in the monthly amount above: earned only in such a month).")
    assert missed.startswith("Bonus: EUR 1,500.00") and "monthly amount" not in missed


def test_golden_html_of_the_telco_quote(telco) -> None:
    """Service in words, prices in the client's units, totals, assumptions, validity."""
    scenario, result = telco
    page = to_html(build_quote(scenario, result, DAY))
    for text in [
        "<title>Quote: Nordic telco renewal 2027</title>",
        "80% of calls answered within 20 seconds",
        "EUR 1.04 per handled minute",
        "11.5% of sales",
        "on EUR 468,000.00 of sales a month",  # 15,000 chats x 12% x 260
        "53,820.00",  # 11.5% of 468,000
        "95% of items handled within 24 hours",
        "EUR 3.90 per handled contact",
        "EUR 25.00 per resolution",
        "Contract term: 24 months from the start of service.",
        "billing: 42,000 calls offered a month, average handle time 300 seconds, open Mon-Fri "
        "08:00-20:00, Sat 10:00-16:00.",
        "sales_chat: 15,000 chats offered a month, average handle time 420 seconds, open every day "
        "09:00-22:00, 2.5 chats at a time per agent, 12% converting to a sale worth EUR 260.00.",
        "valid until 2026-12-31",
        "Contract total (24 months)",
    ]:
        assert text in page, text
    assert "Open book" not in page
    assert "Team leaders" not in page
    assert "<script" not in page and "<link" not in page and "http" not in page
    assert "Open book" in to_html(build_quote(scenario, result, DAY), open_book=True)


def test_escalated_contract_total_and_its_term(termed) -> None:
    """24 months with prices +2% from year 2: 12 x 51,000 + 12 x 52,020 = 1,236,240.00
    (the example deal's month is 51,000.00 by hand); the term says so."""
    scenario, _ = termed
    escalated = scenario.with_overrides(
        {"contract_months": 24, "escalation": {"prices": 0.02, "wages": 0.0}}
    )
    quote = build_quote(escalated, run_scenario(escalated, QUICK), DAY)
    assert quote.monthly_cents == 5_100_000
    assert quote.contract_cents == 123_624_000
    assert quote.contract_terms == (
        "Contract term: 24 months from the start of service.",
        "Prices rise by 2% at the start of each contract year after the first.",
    )


def test_html_is_well_formed(telco) -> None:
    """Every element the page opens is closed, in order (void elements aside)."""
    from html.parser import HTMLParser

    class Balance(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.stack: list[str] = []

        def handle_starttag(self, tag: str, attrs: object) -> None:
            if tag not in ("meta", "br"):
                self.stack.append(tag)

        def handle_endtag(self, tag: str) -> None:
            assert self.stack.pop() == tag

    scenario, result = telco
    parser = Balance()
    parser.feed(to_html(build_quote(scenario, result, DAY), open_book=True))
    assert parser.stack == []


def test_html_escapes_scenario_text(termed) -> None:
    scenario, result = termed
    quote = build_quote(scenario.model_copy(update={"scenario": "A<b>&co"}), result, DAY)
    page = to_html(quote)
    assert "A&lt;b&gt;&amp;co" in page and "A<b>" not in page


def _outcome(price: float, revenue: float = 100.0) -> CategoryOutcome:
    return CategoryOutcome("x", "t", "m", price, revenue, 0.0, revenue, 1.0, 1.0, None, None)


@pytest.mark.parametrize(
    ("path", "category", "price", "phrase"),
    [
        ("nordic_telco", "billing", 1.04, "EUR 1.04 per handled minute"),
        ("nordic_telco", "tech_support", 7.4, "EUR 7.40 per handled contact"),
        ("nordic_telco", "fault_desk", 23.0, "EUR 23.00 per resolution"),
        ("nordic_telco", "sales_chat", 0.1149, "11.49% of sales"),
        ("answering_service", "reception", 8400.0, "EUR 8,400.00 per FTE and month"),
        ("answering_service", "appointment_booking", 32.0, "EUR 32.00 per productive agent hour"),
        ("journey_study", "journey_study", 46000.0, "EUR 46,000.00 once"),
        ("journey_study_by_interviews", "journey_interviews", 1400.0,
         "EUR 1,400.00 per unit of project work, once"),
        ("journey_study_by_interviews", "journey_analysis", 145.0,
         "EUR 145.00 per specialist hour, once"),
    ],
)  # fmt: skip
def test_price_phrase_of_every_pricing_model(
    path: str, category: str, price: float, phrase: str
) -> None:
    scenario = load_scenario(SCENARIOS_DIR / f"{path}.yaml")
    assert price_phrase(scenario, scenario.category(category), _outcome(price), None) == phrase


def test_project_lines_name_size_fee_and_invoice() -> None:
    """The interviews: 12 units x 1,400 = 16,800 invoiced in month 3; the analysis:
    150 hours x 145 = 21,750; the table shows each fee / 12 months."""
    scenario = load_scenario(SCENARIOS_DIR / "journey_study_by_interviews.yaml")
    quote = build_quote(scenario, run_scenario(scenario, QUICK), DAY)
    lines = {line.category: line for line in quote.lines}
    assert lines["journey_interviews"].quantity == (
        "12 units, EUR 16,800.00 in all, invoiced in month 3 (monthly average shown)"
    )
    assert lines["journey_interviews"].monthly_cents == 140_000
    assert lines["journey_analysis"].quantity.startswith("150 hours, EUR 21,750.00 in all")
    assert lines["journey_analysis"].monthly_cents == 181_250


def test_fixed_monthly_fee_and_a_sub_cent_price() -> None:
    scenario = make_scenario(**{"categories.calls.pricing": "fixed_fee"})
    calls = scenario.category("calls")
    assert price_phrase(scenario, calls, _outcome(12500.0), None) == "EUR 12,500.00 a month"
    per_minute = make_scenario(**{"categories.calls.pricing": "per_minute"})
    assert (
        price_phrase(per_minute, per_minute.category("calls"), _outcome(0.0725), None)
        == "EUR 0.0725 per handled minute"
    )


# ------------------------------------------------------------------ PDF


def test_pdf_is_one_page_with_the_quote_on_it(telco) -> None:
    scenario, result = telco
    quote = build_quote(scenario, result, DAY)
    data = to_pdf(quote, open_book=True)
    assert data.startswith(b"%PDF-")
    reader = pypdf.PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 1
    text = " ".join(reader.pages[0].extract_text().split())
    for phrase in [
        "Quote: Nordic telco renewal 2027",
        "EUR 1.04 per handled minute",
        "11.5% of sales",
        quote.amount(quote.monthly_cents),
        "Agent labour, tallinn",
        "valid until 2026-12-31",
    ]:
        assert phrase in text, phrase
    assert to_pdf(quote, open_book=True) == data  # same quote, same bytes


def test_pdf_writes_text_helvetica_cannot_show() -> None:
    assert latin1("Zürich – Łódź ✓") == "Zürich - ?ódz ?"  # Ł has no plain form


# ------------------------------------------------------------------ the command


def _quote(*args: str) -> object:
    return CliRunner().invoke(cli.main, ["quote", *args], catch_exceptions=False)


@pytest.fixture
def small_file(tmp_path):
    path = tmp_path / "deal.yaml"
    scenario = make_scenario(**SMALL)
    path.write_text(yaml.safe_dump(scenario.raw(), sort_keys=False), encoding="utf-8")
    return path


def test_command_writes_html_and_pdf(small_file, tmp_path) -> None:
    html = tmp_path / "q.html"
    run = _quote(str(small_file), "--output", str(html), "--date", "2026-12-01",
                 "--valid-days", "10", "--open-book")  # fmt: skip
    assert run.exit_code == 0, run.output
    page = html.read_text(encoding="utf-8")
    assert "valid until 2026-12-11" in page and "EUR 51,000.00" in page and "Open book" in page
    pdf = tmp_path / "q.pdf"
    assert _quote(str(small_file), "--output", str(pdf)).exit_code == 0
    reader = pypdf.PdfReader(pdf)
    today = dt.date.today()
    valid = (today + dt.timedelta(days=30)).isoformat()
    assert len(reader.pages) == 1 and valid in reader.pages[0].extract_text()


def test_command_refuses_an_input_as_output(small_file, tmp_path) -> None:
    link = tmp_path / "quote.html"
    link.symlink_to(small_file)
    before = small_file.read_bytes()
    run = _quote(str(small_file), "--output", str(link))
    assert run.exit_code == 2
    assert "input" in run.output and "Traceback" not in run.output
    assert small_file.read_bytes() == before


@pytest.mark.parametrize("name", ["q.txt", "q.docx", "q", "-"])
def test_command_unknown_suffix_is_one_message_and_exit_2(small_file, tmp_path, name) -> None:
    run = _quote(str(small_file), "--output", str(tmp_path / name) if name != "-" else name)
    assert run.exit_code == 2
    assert run.output.count("Error:") == 1 and ".html or .pdf" in run.output
    assert not (tmp_path / name).exists()


def test_command_infeasible_deal_exit_3_and_no_file(small_file, tmp_path) -> None:
    out = tmp_path / "q.pdf"
    raw = yaml.safe_load(small_file.read_text(encoding="utf-8"))
    raw["client"]["budget_per_month"] = 1000.0
    small_file.write_text(yaml.safe_dump(raw), encoding="utf-8")
    run = _quote(str(small_file), "--output", str(out))
    assert run.exit_code == 3
    assert "infeasible" in run.output and "no quote written" in run.output
    assert not out.exists()
