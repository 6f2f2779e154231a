"""Offline seeding in a real headless Chromium against the real `haven vault serve` and `haven agent serve`.

One story, test by test in file order: set up the vault portal and one agent, register, choose an offline initial
backup with a staging folder on Schedule backup, back up now and read the seed's folder and next steps on the job's
page; import the seed on the vault portal's Import seed page (a damaged copy first, refused with the bad object
named), see the point marked Seeded, and back up again online. Pages are saved to test-artifacts/offline-seed/.
"""
import json
import os
import pathlib
import re
import shutil
import tempfile
import time

import pytest
from selenium.webdriver.common.by import By

from conftest import CHECKOUT, click_and_wait_for_page
from test_agent_portal import start, stop

ARTIFACTS = CHECKOUT / "test-artifacts" / "offline-seed"
PASSWORD = "a long administrator password"
PASSPHRASE = "correct horse battery staple and more"
story = {"shots": 0}


@pytest.fixture(scope="module")
def servers():
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    folder = pathlib.Path(tempfile.mkdtemp(prefix="haven-seed-browser-"))
    vault = start(["vault", "serve", "--data", str(folder / "vault")], "vault portal")
    agent = start(["agent", "serve", "--state", str(folder / "agent")], "agent portal")
    yield {"vault": vault, "agent": agent, "folder": folder}
    stop(agent)
    stop(vault)
    shutil.rmtree(folder, ignore_errors=True)


def shot(driver, name):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    story["shots"] += 1
    driver.save_screenshot(str(ARTIFACTS / f"{story['shots']:02}-{name}.png"))


def submit(driver, css, name):
    click_and_wait_for_page(driver, css)
    shot(driver, name)


def centered(driver, element):
    """The element scrolled to the middle of the window, clear of the page's sticky action bar."""
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
    return element


def set_up(driver, base, token, label):
    driver.get(base + "/")
    driver.find_element(By.ID, "token").send_keys(token)
    driver.find_element(By.ID, "password").send_keys(PASSWORD)
    driver.find_element(By.ID, "confirm").send_keys(PASSWORD)
    submit(driver, "button[type=submit]", f"{label}-after-setup")


def back_up(driver, label):
    """Back up now on the agent; waits for the job's report and returns the page's main text."""
    driver.get(story["agent"] + "/backup")
    submit(driver, "#back-up-now", f"{label}-started")
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not driver.find_elements(By.CSS_SELECTOR, "[data-refresh-final], #report"):
        time.sleep(0.3)
    driver.refresh()
    shot(driver, f"{label}-done")
    return driver.find_element(By.TAG_NAME, "main").text


def test_set_up_the_vault_and_register_the_agent(servers, browser, downloads):
    browser.delete_all_cookies()
    story["vault"] = servers["vault"].values["vault portal"].rstrip("/")
    story["agent"] = servers["agent"].values["agent portal"].rstrip("/").replace("127.0.0.1", "localhost")
    set_up(browser, story["vault"], servers["vault"].values["setup token"], "vault")
    browser.find_element(By.ID, "name").send_keys("Production")
    submit(browser, "#create-vault button[type=submit]", "vault-production")
    story["vault_page"] = browser.current_url
    before = set(downloads.iterdir())
    browser.find_element(By.ID, "download-credentials").click()
    credentials = None
    deadline = time.monotonic() + 15
    while credentials is None and time.monotonic() < deadline:
        for path in set(downloads.iterdir()) - before:
            try:
                if path.name.endswith(".VaultCredentials") and json.loads(path.read_text()):
                    credentials = servers["folder"] / "seed.VaultCredentials"
                    shutil.move(path, credentials)
                    break
            except ValueError:
                pass
        time.sleep(0.1)
    assert credentials, "the vault portal handed out no credentials file"

    set_up(browser, story["agent"], servers["agent"].values["setup token"], "agent")
    browser.get(story["agent"] + "/register")
    browser.find_element(By.ID, "credentials").send_keys(str(credentials))
    browser.find_element(By.ID, "passphrase").send_keys(PASSPHRASE)
    browser.find_element(By.ID, "confirm").send_keys(PASSPHRASE)
    submit(browser, "#register", "agent-registered")
    assert browser.current_url.endswith("/schedule"), browser.current_url


def test_choose_an_offline_initial_backup_on_schedule_backup(servers, browser):
    source = servers["folder"] / "data" / "site"
    (source / "docs").mkdir(parents=True)
    for n in range(50):
        (source / "docs" / f"page-{n:02}.bin").write_bytes(os.urandom(64 << 10))
    staging = servers["folder"] / "seed-disk"
    staging.mkdir()
    story.update(source=source, staging=staging)

    browser.get(story["agent"] + "/schedule?browse=" + str(source.parent))
    browser.find_element(By.CSS_SELECTOR, f"#folder-browser input[name=path][value='{source}']").click()
    centered(browser, browser.find_element(By.ID, "initial-offline")).click()
    centered(browser, browser.find_element(By.ID, "stagingFolder")).send_keys(str(staging))
    shot(browser, "schedule-offline")
    submit(browser, "#save-schedule", "schedule-needs-pin")
    assert browser.find_elements(By.ID, "pin"), "a first retention policy needs a security PIN"
    browser.switch_to.new_window("tab")
    browser.get(story["vault_page"])
    submit(browser, "#generate-pin", "vault-pin")
    pin = browser.find_element(By.ID, "pin").get_attribute("aria-label").split()[-1]
    browser.close()
    browser.switch_to.window(browser.window_handles[0])
    browser.find_element(By.ID, "pin").send_keys(pin)
    submit(browser, "#save-schedule", "schedule-saved")
    assert browser.current_url.endswith("/overview"), browser.page_source[:2000]
    browser.get(story["agent"] + "/schedule")
    assert browser.find_element(By.ID, "initial-offline").is_selected()
    assert browser.find_element(By.ID, "stagingFolder").get_attribute("value") == str(staging)


def test_the_seed_job_page_says_where_the_seed_is_and_what_to_do(browser):
    back_up(browser, "seed-job")
    assert browser.find_element(By.ID, "job-mode").text == "Offline seed"
    folder = browser.find_element(By.ID, "seed-folder").text
    match = re.search(re.escape(str(story["staging"])) + r"/[0-9a-f]{32}", folder)
    assert match, folder
    story["seed"] = pathlib.Path(match.group(0))
    assert (story["seed"] / "manifest.json").exists()
    assert f"haven vault import-seed Production {story['seed']}" in browser.find_element(By.ID, "seed-next").text
    browser.get(story["agent"] + "/overview")
    shot(browser, "overview-seed-waiting")
    assert f"was written offline to {story['seed']}" in browser.find_element(By.TAG_NAME, "main").text


def test_the_vault_refuses_a_damaged_copy_then_imports_the_seed(servers, browser):
    damaged = servers["folder"] / "damaged-copy" / story["seed"].name
    shutil.copytree(story["seed"], damaged)
    pack = next(path for path in (damaged / "data").rglob("*") if path.is_file())
    content = bytearray(pack.read_bytes())
    content[100] ^= 1
    pack.write_bytes(bytes(content))

    browser.get(story["vault_page"])
    submit(browser, "#import-seed", "import-seed-form")
    browser.find_element(By.ID, "path").send_keys(str(damaged))
    submit(browser, "#import-seed-submit", "import-seed-refused")
    assert browser.find_elements(By.ID, "seed-refused")
    assert f"data/{pack.name}: damaged" in browser.find_element(By.ID, "seed-problems").text

    field = browser.find_element(By.ID, "path")
    field.clear()
    field.send_keys(str(story["seed"]))
    submit(browser, "#import-seed-submit", "import-seed-imported")
    imported = browser.find_element(By.ID, "seed-imported").text
    assert "Seed imported" in imported, imported
    browser.find_element(By.CSS_SELECTOR, "#seed-imported a").click()
    shot(browser, "server-seeded")
    assert "Seeded" in browser.find_element(By.ID, "points-table").text


def test_the_next_backup_runs_online_and_sends_only_the_changes(browser):
    (story["source"] / "docs" / "page-00.bin").write_bytes(os.urandom(64 << 10))
    text = back_up(browser, "online-job")
    assert browser.find_element(By.ID, "job-mode").text in ("Optimized", "Unoptimized"), text
    assert "1 changed" in text, text
    assert not browser.find_elements(By.ID, "seed-folder")
