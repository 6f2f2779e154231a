"""The vault portal in a real headless Chromium against the real `haven vault serve`: the administrator's story, step by step.

The tests run in file order and build on each other (one server, one browser): set up the password, sign in,
create vaults, download credentials and register a machine with them over the API, generate a PIN, see the
server, read the audit log, sort a table. Every page visited is saved to test-artifacts/vault-portal/.
"""
import datetime
import json
import re
import time

from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

from agent import Agent
from conftest import ARTIFACTS, click_and_wait_for_page

PASSWORD = "a long administrator password"
story = {}


def shot(driver, name):
    """Saves the whole page as test-artifacts/vault-portal/NAME.png."""
    height = driver.execute_script("return Math.max(document.body.scrollHeight, document.documentElement.scrollHeight)")
    driver.set_window_size(1400, min(max(900, height + 40), 4000))
    driver.save_screenshot(str(ARTIFACTS / f"{name}.png"))
    driver.set_window_size(1400, 1000)


def wait_for(driver, locator, seconds=10):
    return WebDriverWait(driver, seconds).until(expected_conditions.presence_of_element_located(locator))


def submit(driver, button_css):
    """Clicks a submit button and waits for the next page to load."""
    click_and_wait_for_page(driver, button_css)


def flash(driver):
    found = driver.find_elements(By.CSS_SELECTOR, ".flash")
    return found[0].text if found else ""


def test_setup_sets_the_password_with_the_printed_token(vault_server, browser):
    base = vault_server.values["vault portal"].rstrip("/")
    story["base"] = base
    browser.get(base + "/")
    assert browser.current_url.endswith("/setup"), "an unconfigured portal sends every visitor to setup"
    shot(browser, "01-setup")
    browser.find_element(By.ID, "token").send_keys(vault_server.values["setup token"])
    browser.find_element(By.ID, "password").send_keys(PASSWORD)
    browser.find_element(By.ID, "confirm").send_keys(PASSWORD)
    submit(browser, "button[type=submit]")
    assert browser.current_url.endswith("/vaults")
    assert "Password set" in flash(browser)


def test_sign_out_and_sign_in_again(browser):
    submit(browser, ".account button.link")
    assert "/login" in browser.current_url
    browser.find_element(By.ID, "password").send_keys("not the password")
    submit(browser, "button.primary")
    assert "Wrong password" in browser.page_source
    shot(browser, "02-sign-in-refused")
    browser.find_element(By.ID, "password").send_keys(PASSWORD)
    submit(browser, "button.primary")
    assert browser.current_url.endswith("/vaults")
    assert "No vaults yet" in browser.page_source, "the empty state says what to do next"
    shot(browser, "03-vaults-empty")


def create_vault(browser, name):
    field = browser.find_element(By.ID, "name")
    field.clear()
    field.send_keys(name)
    submit(browser, "#create-vault button[type=submit]")


def test_create_vaults_and_a_duplicate_is_refused_keeping_what_was_typed(browser):
    create_vault(browser, "Production")
    assert re.search(r"/vaults/[0-9a-f]{32}$", browser.current_url), browser.current_url
    assert "Vault Production created" in flash(browser)
    story["production"] = browser.current_url
    shot(browser, "04-vault-new")
    browser.get(story["base"] + "/vaults")
    create_vault(browser, "Production")
    error = browser.find_element(By.CSS_SELECTOR, "#create-vault .field-error").text
    assert "already exists" in error
    assert browser.find_element(By.ID, "name").get_attribute("value") == "Production"
    shot(browser, "05-vaults-duplicate-name")
    create_vault(browser, "Archive")
    assert "Vault Archive created" in flash(browser)


def test_download_credentials_and_register_a_machine_with_them(vault_server, browser, downloads):
    browser.get(story["production"])
    hours = browser.find_element(By.ID, "hours")
    assert hours.get_attribute("value") == "48"
    assert browser.find_element(By.ID, "machines").get_attribute("value") == "1"
    hours.clear()
    hours.send_keys("24")
    before = set(downloads.iterdir())  # the agent portal's story may have downloaded some too
    browser.find_element(By.ID, "download-credentials").click()
    deadline = time.monotonic() + 15
    files = []
    while time.monotonic() < deadline:
        files = [path for path in set(downloads.iterdir()) - before if path.name.endswith(".VaultCredentials")]
        if files:
            break
        time.sleep(0.2)
    assert files, f"no credentials file arrived in {downloads}: {list(downloads.iterdir())}"
    today = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d")
    assert files[0].name == f"Production_{today}.VaultCredentials"
    credentials = json.loads(files[0].read_text())
    assert credentials["vaultName"] == "Production"
    expires = datetime.datetime.strptime(credentials["expiresAt"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc)
    now = datetime.datetime.now(datetime.timezone.utc)
    assert now + datetime.timedelta(hours=23) < expires <= now + datetime.timedelta(hours=24, minutes=1)
    assert credentials["address"] == story["base"]
    assert credentials["certificateSHA256"] == vault_server.values["certificate SHA-256"]

    agent = Agent(credentials)
    status, body = agent.register("web-01")
    assert status == 201, body
    assert body["vaultName"] == "Production"
    story["agent"] = agent
    again, refused = Agent(credentials).register("web-02")
    assert again == 401 and refused["error"]["code"] == "credentials_used_up", "a file for one machine registers one"


def test_the_agent_backs_up_three_points(browser):
    agent = story["agent"]
    now = datetime.datetime.now(datetime.timezone.utc)
    for hours, size in ((50, 1_284_000_000), (26, 1_301_000_000), (2, 1_318_000_000)):
        time_text = (now - datetime.timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M:%SZ")
        agent.back_up("/srv", time_text, size, f"pack of {hours}".encode() * 1000)
    browser.get(story["production"])
    assert browser.find_element(By.ID, "stat-points").text == "3"


def test_generate_a_security_pin(browser):
    browser.get(story["production"])
    submit(browser, "#generate-pin")
    pin = browser.find_element(By.ID, "pin").get_attribute("aria-label")
    assert re.fullmatch(r"Security PIN \d{8}", pin), pin
    expires = browser.find_element(By.ID, "pin-expires").get_attribute("datetime")
    expiry = datetime.datetime.strptime(expires, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc)
    left = expiry - datetime.datetime.now(datetime.timezone.utc)
    assert datetime.timedelta(minutes=4) < left <= datetime.timedelta(minutes=5, seconds=1)
    shot(browser, "06-security-pin")
    story["pin"] = pin.split()[-1]


def test_the_pin_lets_the_agent_lower_retention_and_the_portal_undeletes(browser):
    agent = story["agent"]
    status, body = agent.set_policy({"daily": 1, "weekly": 0, "monthly": 0, "yearly": 0}, "00000000")
    assert status == 403 and body["error"]["code"] == "pin_invalid", body
    status, body = agent.set_policy({"daily": 1, "weekly": 0, "monthly": 0, "yearly": 0}, story["pin"])
    assert status == 200, body
    browser.get(story["production"])
    rows = browser.find_elements(By.CSS_SELECTOR, "#soft-deleted-table tbody tr")
    assert len(rows) == 2, "retention soft-deleted the two older points"
    alerts = browser.find_element(By.CSS_SELECTOR, ".alerts").text
    assert "2 recovery points soft-deleted" in alerts
    assert "14 d" in rows[0].text or "13 d" in rows[0].text, rows[0].text
    shot(browser, "07-vault-soft-deleted")
    submit(browser, "#soft-deleted-table tbody tr:first-child button")
    assert "is live again" in flash(browser)
    assert len(browser.find_elements(By.CSS_SELECTOR, "#soft-deleted-table tbody tr")) == 1
    assert browser.find_element(By.ID, "stat-points").text == "2"


def test_the_registered_server_shows_on_the_vault_and_server_pages(browser):
    browser.get(story["production"])
    row = browser.find_element(By.CSS_SELECTOR, "#servers-table tbody tr")
    assert "web-01" in row.text and "web-01.example.com" in row.text
    assert "Protected" in row.text
    assert browser.find_element(By.ID, "stat-servers").text == "1"
    recent = browser.find_elements(By.CSS_SELECTOR, ".server table.compact")[1].text
    assert "/srv" in recent and "1.3 GB" in recent
    shot(browser, "08-vault-with-server")
    row.find_element(By.LINK_TEXT, "web-01").click()
    wait_for(browser, (By.ID, "policy"))
    assert browser.current_url.endswith("/servers/" + story["agent"].machine)
    assert "Daily\n1" in browser.find_element(By.ID, "policy").text
    points = browser.find_element(By.ID, "points-table").text
    assert "Held" in points, "the undeleted point is held"
    shot(browser, "09-server")


def test_run_maintenance_reports_what_it_removed(browser):
    browser.get(story["production"])
    submit(browser, "#run-maintenance")
    assert "Maintenance finished" in flash(browser)


def test_the_audit_log_lists_the_events_newest_first(browser):
    browser.find_element(By.LINK_TEXT, "Audit log").click()
    wait_for(browser, (By.ID, "audit-table"))
    events = [cell.text for cell in browser.find_elements(By.CSS_SELECTOR, "#audit-table tbody td:nth-child(2)")]
    for event in ("vault.created", "credentials.issued", "machine.registered", "credentials.refused", "pin.generated",
                  "pin.refused", "pin.used", "policy.changed", "recovery-point.expired", "recovery-point.undeleted",
                  "maintenance.run"):
        assert event in events, f"{event} missing from {events}"
    assert events.index("pin.generated") < events.index("machine.registered") < events.index("credentials.issued")
    shot(browser, "10-audit-log")
    browser.find_element(By.CSS_SELECTOR, "#vault-filter option:nth-child(2)").click()  # Archive, by name
    submit(browser, ".filter button")
    events = [cell.text for cell in browser.find_elements(By.CSS_SELECTOR, "#audit-table tbody td:nth-child(2)")]
    assert events == ["vault.created"], events


def test_sorting_the_vaults_table_by_a_header_click(browser):
    browser.get(story["base"] + "/vaults")
    names = lambda: [cell.text for cell in browser.find_elements(By.CSS_SELECTOR, "#vaults tbody td:first-child")]
    servers = browser.find_element(By.CSS_SELECTOR, "#vaults thead th:nth-child(2)")
    servers.find_element(By.CSS_SELECTOR, "button.sort").click()
    assert servers.get_attribute("aria-sort") == "ascending"
    assert names() == ["Archive", "Production"]
    servers.find_element(By.CSS_SELECTOR, "button.sort").click()
    assert servers.get_attribute("aria-sort") == "descending"
    assert names() == ["Production", "Archive"], "Production has one server, Archive none"
    shot(browser, "11-vaults-sorted")


def test_help_and_unknown_pages(browser):
    browser.get(story["base"] + "/help")
    assert browser.find_elements(By.PARTIAL_LINK_TEXT, "vault portal"), "the administrator's guide is a help page"
    shot(browser, "12-help")
    browser.get(story["base"] + "/vaults/no-such-vault")
    assert "404" in browser.find_element(By.CSS_SELECTOR, ".error-page .status").text
    shot(browser, "13-not-found")
