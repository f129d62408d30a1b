"""A relationship survey end to end: an editor creates it, people answer through their
links (one declines, one withdraws), the ties reach the map with their provenance, the
response rates are right, and a tampered or closed link is refused with a clear page."""

import datetime
import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from stakeholders.models import Relationship, Role
from tests.browser.conftest import open_from_menu
from tests.browser.test_accessibility import assert_accessible
from tests.factories import (
    PASSWORD,
    AffiliationFactory,
    MembershipFactory,
    OrganisationFactory,
    PersonFactory,
    RelationshipFactory,
    UserFactory,
    WorkspaceFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LINK = re.compile(r"https?://\S+?/surveys/respond/[^/\s]+/")


@pytest.fixture
def system():
    workspace = WorkspaceFactory(name="North Fenwick ICS", slug="north-fenwick")
    editor = UserFactory(username="erin", first_name="Erin", last_name="Editor")
    MembershipFactory(user=editor, workspace=workspace, role=Role.EDITOR)
    hospital = OrganisationFactory(workspace=workspace, name="Northgate Hospital")
    council = OrganisationFactory(
        workspace=workspace, name="Fenwick Council", sector="local_government"
    )
    people = {}
    for name, org in (
        ("Ada Lovell", hospital),
        ("Ben Okafor", hospital),
        ("Cal Reyes", hospital),
        ("Dee Marsh", council),
        ("Eve Adebayo", council),
    ):
        first = name.split()[0].lower()
        person = PersonFactory(workspace=workspace, name=name, email=f"{first}@example.nhs.uk")
        AffiliationFactory(person=person, organisation=org, is_primary=True)
        people[first] = person
    # What an editor had entered before the survey.
    RelationshipFactory(source=people["cal"], target=people["dee"], strength=2)
    return workspace, people


def _respondent(browser, width=1280):
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    page.csp_violations = []
    page.on(
        "console",
        lambda msg: (
            page.csp_violations.append(msg.text) if "Content Security Policy" in msg.text else None
        ),
    )
    return context, page


def _add(page, question: int, typed: str, name: str) -> None:
    """Type part of a name in a question's search box and choose them (htmx matches)."""
    box = page.get_by_label("Add a person: type part of their name").nth(question)
    box.fill(typed)
    page.get_by_role("button", name=re.compile(rf"^{name}")).click()
    fieldset = page.locator(".app-survey-question").nth(question)
    expect(fieldset.locator(".app-survey-answer", has_text=name)).to_have_count(1)


def test_an_editor_runs_a_survey_and_people_answer_through_their_links(
    browser, page, live_server, system, screenshot
):
    workspace, people = system
    mail.outbox.clear()
    page.goto(f"{live_server.url}/w/north-fenwick/")
    page.get_by_label("Username").fill("erin")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    open_from_menu(page, "Surveys")
    page.get_by_role("button", name="New survey").click()
    page.get_by_label("Title").fill("Working together 2027")
    page.get_by_label("Introduction").fill("We are mapping how we work across the system.")
    closes = datetime.date.today() + datetime.timedelta(days=14)
    page.get_by_label("Closing date").fill(closes.strftime("%d/%m/%Y"))
    assert_accessible(page, "the new survey page")
    page.get_by_role("button", name="Create the survey").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Working together 2027")
    page.get_by_role("button", name="Email invitations").click()
    expect(page.locator("#rate-submitted")).to_have_text("0 of 5 (0%)")
    links = {message.to[0].split("@")[0]: LINK.search(message.body)[0] for message in mail.outbox}
    assert sorted(links) == ["ada", "ben", "cal", "dee", "eve"]

    # Ada agrees and names Ben (both questions) and Dee.
    context, ada = _respondent(browser)
    referers: list[str] = []
    ada.on("request", lambda request: referers.append(request.headers.get("referer", "")))
    ada.goto(links["ada"])
    expect(ada).to_have_url(f"{live_server.url}/surveys/respond/")
    expect(ada.get_by_role("heading", level=2, name="How your answers are used")).to_be_visible()
    assert_accessible(ada, "the survey's notice")
    screenshot_of(ada, "survey-notice")
    ada.get_by_role("button", name="I agree, start the survey").click()
    _add(ada, 0, "oka", "Ben Okafor")
    _add(ada, 0, "mars", "Dee Marsh")
    _add(ada, 1, "ben", "Ben Okafor")
    ada.get_by_label("How closely you work together").nth(0).select_option("4")
    ada.get_by_label("How much you trust them").nth(0).select_option("5")
    ada.get_by_label("How closely you work together").nth(1).select_option("2")
    ada.get_by_label("How closely you work together").nth(2).select_option("5")
    assert_accessible(ada, "the survey's questions")
    screenshot_of(ada, "survey-questions")
    ada.get_by_role("button", name="Submit my answers").click()
    expect(ada.get_by_role("heading", name="Thank you: your answers are in")).to_be_visible()
    # The token left the address at once: no later request carried it as a referrer.
    token = links["ada"].rstrip("/").rsplit("/", 1)[-1]
    assert referers and not any(token in referer for referer in referers)
    assert ada.csp_violations == []
    context.close()

    # Ben answers on a phone, and names Ada: their tie is confirmed by both.
    context, ben = _respondent(browser, width=375)
    ben.goto(links["ben"])
    ben.get_by_role("button", name="I agree, start the survey").click()
    _add(ben, 0, "lov", "Ada Lovell")
    ben.get_by_label("How closely you work together").first.select_option("4")
    assert ben.evaluate("document.documentElement.scrollWidth") <= 375
    screenshot_of(ben, "survey-phone")
    ben.get_by_role("button", name="Submit my answers").click()
    expect(ben.get_by_role("heading", name="Thank you: your answers are in")).to_be_visible()
    context.close()

    # Cal declines.
    context, cal = _respondent(browser)
    cal.goto(links["cal"])
    cal.get_by_role("button", name="I do not want to take part").click()
    expect(cal.get_by_text("You chose not to take part.")).to_be_visible()
    context.close()

    # Dee answers, then withdraws.
    context, dee = _respondent(browser)
    dee.goto(links["dee"])
    dee.get_by_role("button", name="I agree, start the survey").click()
    _add(dee, 0, "adeb", "Eve Adebayo")
    dee.get_by_label("How closely you work together").first.select_option("3")
    dee.get_by_role("button", name="Submit my answers").click()
    assert Relationship.objects.filter(source=people["dee"], provenance="reported").count() == 1
    dee.get_by_role("button", name="Withdraw my answers").click()
    dee.get_by_role("button", name="Yes, withdraw my answers").click()
    expect(dee.get_by_text("You withdrew your answers")).to_be_visible()
    assert not Relationship.objects.filter(source=people["dee"]).exists()
    context.close()

    # The editor's tracking page: 2 of 5 submitted, by organisation 2 of 3 and 0 of 2.
    page.reload()
    expect(page.locator("#rate-submitted")).to_have_text("2 of 5 (40%)")
    rates = page.get_by_role("region", name="Response rate by organisation")
    expect(rates.get_by_role("row", name=re.compile("Northgate Hospital"))).to_contain_text("66%")
    expect(rates.get_by_role("row", name=re.compile("Fenwick Council"))).to_contain_text("0%")
    people_table = page.get_by_role("region", name="5 people invited")
    expect(people_table.get_by_role("row", name=re.compile("Cal Reyes"))).to_contain_text(
        "Declined"
    )
    expect(people_table.get_by_role("row", name=re.compile("Dee Marsh"))).to_contain_text(
        "Withdrawn"
    )
    assert_accessible(page, "the survey tracking page")
    screenshot("survey-tracking")

    # The ties are on the map, with where they came from.
    page.goto(f"{live_server.url}/w/north-fenwick/map/?person={people['ada'].pk}")
    panel = page.locator("#map-panel")
    expect(panel).to_contain_text("Reported by Ada Lovell")
    expect(panel).to_contain_text("Confirmed by both")
    screenshot("survey-map-panel")

    # A tampered link, then the survey closed: both refused with a clear page.
    context, eve = _respondent(browser)
    eve.goto(links["eve"][:-6] + "xxxxx/")
    expect(eve.get_by_role("heading", level=1)).to_have_text("This survey link does not work")
    page.goto(f"{live_server.url}/w/north-fenwick/surveys/")
    page.get_by_role("link", name="Working together 2027").click()
    page.get_by_label("Yes, stop every link now").check()
    page.get_by_role("button", name="Close the survey now").click()
    eve.goto(links["eve"])
    expect(eve.get_by_role("heading", level=1)).to_have_text("This survey has closed")
    screenshot_of(eve, "survey-closed")
    context.close()
    assert page.csp_violations == []


def screenshot_of(page, name: str) -> None:
    from tests.browser.conftest import ARTIFACTS

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
