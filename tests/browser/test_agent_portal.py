"""The agent portal in a real headless Chromium against the real `haven vault serve` and `haven agent serve`.

One story, test by test in file order (one vault, one agent, one browser): set up both portals, download vault
credentials in the vault portal, register the agent with them (a short passphrase is refused first), pick a folder in
the folder browser, save the schedule with a security PIN from the vault, back up now and watch the progress reach
100%, change files and back up again, then recover one folder from the first recovery point to another location and
compare every byte. Every agent page visited is saved to test-artifacts/agent-portal/.
"""
import filecmp
import os
import pathlib
import queue
import re
import shutil
import subprocess
import tempfile
import threading
import time

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

from conftest import CHECKOUT, VaultServer

ARTIFACTS = CHECKOUT / "test-artifacts" / "agent-portal"
PASSWORD = "a long administrator password"
PASSPHRASE = "correct horse battery staple and more"
story = {}


def start(arguments, marker):
    """Starts the haven binary with `arguments`; returns the server once it printed the setup token."""
    binary = os.environ.get("HAVEN_BIN", str(CHECKOUT / ".build" / "release" / "haven"))
    if not os.path.exists(binary):
        raise AssertionError(f"{binary} is missing: run `swift build -c release` (make test does) or set HAVEN_BIN")
    process = subprocess.Popen([binary] + arguments + ["--listen", "127.0.0.1:0", "--resources", str(CHECKOUT)],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines = queue.Queue()

    def pump():
        for line in process.stdout:
            lines.put(line.rstrip("\n"))

    threading.Thread(target=pump, daemon=True).start()
    server = VaultServer(process, None, lines)
    server.read_start()
    assert marker in server.values, f"{arguments[0]} serve printed no {marker}: {server.values}"
    return server


def stop(server):
    server.process.terminate()
    try:
        server.process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.process.kill()


@pytest.fixture(scope="module")
def servers():
    folder = pathlib.Path(tempfile.mkdtemp(prefix="haven-agent-browser-"))
    vault = start(["vault", "serve", "--data", str(folder / "vault")], "vault portal")
    agent = start(["agent", "serve", "--state", str(folder / "agent")], "agent portal")
    yield {"vault": vault, "agent": agent, "folder": folder}
    stop(agent)
    stop(vault)
    shutil.rmtree(folder, ignore_errors=True)


def shot(driver, name):
    """Saves the whole page as test-artifacts/agent-portal/NAME.png."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    height = driver.execute_script("return Math.max(document.body.scrollHeight, document.documentElement.scrollHeight)")
    driver.set_window_size(1400, min(max(900, height + 40), 4000))
    driver.save_screenshot(str(ARTIFACTS / f"{name}.png"))
    driver.set_window_size(1400, 1000)


def submit(driver, css):
    """Clicks a submit button and waits for the next page to load."""
    old = driver.find_element(By.TAG_NAME, "html")
    driver.find_element(By.CSS_SELECTOR, css).click()
    WebDriverWait(driver, 20).until(expected_conditions.staleness_of(old))


def flash(driver):
    found = driver.find_elements(By.CSS_SELECTOR, ".flash")
    return found[0].text if found else ""


def set_up(driver, base, token):
    driver.get(base + "/")
    assert driver.current_url.endswith("/setup")
    driver.find_element(By.ID, "token").send_keys(token)
    driver.find_element(By.ID, "password").send_keys(PASSWORD)
    driver.find_element(By.ID, "confirm").send_keys(PASSWORD)
    submit(driver, "button[type=submit]")


def write_tree(root, files):
    for relative, content in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)


def test_both_portals_are_set_up_and_credentials_are_downloaded(servers, browser, downloads):
    browser.delete_all_cookies()
    vault = servers["vault"].values["vault portal"].rstrip("/")
    agent = servers["agent"].values["agent portal"].rstrip("/")
    story.update(vault=vault, agent=agent)
    set_up(browser, vault, servers["vault"].values["setup token"])
    browser.find_element(By.ID, "name").send_keys("Production")
    submit(browser, "#create-vault button[type=submit]")
    story["vault_page"] = browser.current_url
    before = set(downloads.iterdir())
    browser.find_element(By.ID, "download-credentials").click()
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        fresh = [p for p in set(downloads.iterdir()) - before if p.name.endswith(".VaultCredentials")]
        if fresh:
            break
        time.sleep(0.1)
    assert fresh, "the vault portal hands out a .VaultCredentials file"
    story["credentials"] = fresh[0]

    browser.get(agent + "/")
    assert browser.current_url.endswith("/setup"), "the agent portal starts at setup too"
    shot(browser, "01-setup")
    set_up(browser, agent, servers["agent"].values["setup token"])
    assert browser.current_url.endswith("/overview")
    assert "Protect this server in three steps" in browser.page_source
    shot(browser, "02-overview-unregistered")


def test_register_refuses_a_short_passphrase_then_registers(browser):
    browser.get(story["agent"] + "/register")
    shot(browser, "03-register")
    browser.find_element(By.ID, "credentials").send_keys(str(story["credentials"]))
    name = browser.find_element(By.ID, "machineName")
    name.clear()
    name.send_keys("web-01")
    browser.find_element(By.ID, "passphrase").send_keys("too short")
    browser.find_element(By.ID, "confirm").send_keys("too short")
    submit(browser, "#register")
    assert "Use at least 16 characters" in browser.page_source
    assert browser.find_element(By.ID, "machineName").get_attribute("value") == "web-01", "the name stays"
    assert browser.find_element(By.ID, "passphrase").get_attribute("value") == "", "the passphrase does not"
    shot(browser, "04-register-refused")
    browser.find_element(By.ID, "credentials").send_keys(str(story["credentials"]))
    browser.find_element(By.ID, "passphrase").send_keys(PASSPHRASE)
    browser.find_element(By.ID, "confirm").send_keys(PASSPHRASE)
    submit(browser, "#register")
    assert browser.current_url.endswith("/schedule")
    assert "web-01 is registered with the vault Production" in flash(browser)


def test_pick_a_folder_and_save_the_schedule_with_a_security_pin(servers, browser):
    source = servers["folder"] / "data" / "site"
    files = {f"docs/chapter-{n:02}.txt": os.urandom(256 << 10) for n in range(24)}
    files.update({f"media/clip-{n}.bin": os.urandom(4 << 20) for n in range(6)})
    files["index.html"] = b"<h1>first version</h1>\n"
    write_tree(source, files)
    story["source"] = source
    story["first_docs"] = servers["folder"] / "docs-as-first-backed-up"
    shutil.copytree(source / "docs", story["first_docs"])

    browser.get(story["agent"] + "/schedule?browse=" + str(source.parent))
    entry = browser.find_element(By.CSS_SELECTOR, f"#folder-browser input[name=path][value='{source}']")
    entry.click()
    browser.find_element(By.CSS_SELECTOR, f"#folder-browser button.entry-open[value='{source}']").click()
    WebDriverWait(browser, 10).until(lambda d: d.find_elements(By.CSS_SELECTOR, f"#selected-paths input[value='{source}']"))
    assert browser.find_element(By.CSS_SELECTOR, f"#selected-paths input[value='{source}']").is_selected(), \
        "the ticked folder stays ticked after opening it"
    shot(browser, "05-schedule")
    submit(browser, "#save-schedule")
    assert browser.find_elements(By.ID, "pin"), "a first retention policy needs a security PIN"
    shot(browser, "06-schedule-needs-pin")

    browser.switch_to.new_window("tab")
    browser.get(story["vault_page"])
    submit(browser, "#generate-pin")
    pin = browser.find_element(By.ID, "pin").get_attribute("aria-label").split()[-1]
    browser.close()
    browser.switch_to.window(browser.window_handles[0])
    browser.find_element(By.ID, "pin").send_keys(pin)
    submit(browser, "#save-schedule")
    assert browser.current_url.endswith("/overview"), browser.page_source[:2000]
    assert "Backup schedule saved" in flash(browser)


def test_settings_throttle_uploads_so_progress_can_be_watched(browser):
    browser.get(story["agent"] + "/settings")
    browser.find_element(By.ID, "throttle").click()
    for field in ("workRate", "otherRate"):
        browser.find_element(By.ID, field).clear()
        browser.find_element(By.ID, field).send_keys("abc" if field == "workRate" else "40")
    submit(browser, "#save-settings")
    assert "Enter a bandwidth in Mbit/s" in browser.page_source, "a bad rate is refused next to its field"
    assert browser.find_element(By.ID, "otherRate").get_attribute("value") == "40", "what was typed stays"
    browser.find_element(By.ID, "workRate").clear()
    browser.find_element(By.ID, "workRate").send_keys("40")
    for box in browser.find_elements(By.CSS_SELECTOR, "input[name=workDay]"):
        if not box.is_selected():
            box.click()
    submit(browser, "#save-settings")
    assert "Settings saved" in flash(browser)
    assert browser.find_element(By.ID, "throttle").is_selected()


def back_up_and_watch(browser, label):
    browser.get(story["agent"] + "/backup")
    shot(browser, f"{label}-backup-now")
    submit(browser, "#back-up-now")
    job = re.search(r"/jobs/(\d+)$", browser.current_url)
    assert job, browser.current_url
    job = job.group(1)
    seen = set()
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        try:
            percent = browser.find_element(By.ID, f"job-{job}-percent").text
            if percent != "100%" and not seen - {"100%"}:
                shot(browser, f"{label}-job-running")
            seen.add(percent)
            if browser.find_elements(By.ID, "report"):
                break
        except Exception:
            pass  # the page reloads itself when the job ends
        time.sleep(0.2)
    assert browser.find_element(By.ID, f"job-{job}-state").text == "Succeeded"
    assert browser.find_element(By.ID, f"job-{job}-percent").text == "100%"
    shot(browser, f"{label}-job-done")
    return job, seen


def test_back_up_now_and_watch_the_progress_reach_100_percent(browser):
    job, seen = back_up_and_watch(browser, "07")
    story["first_job"] = job
    assert "100%" in seen
    assert len(seen - {"100%"}) >= 1, f"the bar moved on its own before the end (seen: {sorted(seen)})"
    assert browser.find_element(By.ID, "job-mode").text == "Unoptimized", "a first backup reads every file"


def test_change_files_and_back_up_again(browser):
    source = story["source"]
    (source / "docs" / "chapter-03.txt").write_bytes(b"rewritten after the first backup\n")
    (source / "docs" / "new-chapter.txt").write_bytes(os.urandom(1000))
    (source / "index.html").write_bytes(b"<h1>second version</h1>\n")
    back_up_and_watch(browser, "08")
    assert "1 new · 2 changed · 29 unchanged" in browser.page_source, "the new chapter, the rewritten chapter and index.html"
    browser.get(story["agent"] + "/jobs")
    shot(browser, "09-jobs")
    browser.get(story["agent"] + "/overview")
    assert browser.find_element(By.ID, "last-state").text == "Succeeded"
    shot(browser, "10-overview")


def test_recover_a_folder_from_the_first_point_to_another_location(servers, browser):
    source = story["source"]
    target = servers["folder"] / "recovered"
    browser.get(story["agent"] + "/recover")
    shot(browser, "11-recover-source")
    browser.find_element(By.ID, "source-this").click()
    submit(browser, "#next")
    times = browser.find_elements(By.CSS_SELECTOR, "#times input[name=point]")
    assert len(times) == 2, "both recovery points are on today's date"
    shot(browser, "12-recover-point")
    times[-1].click()  # the earlier time: the list is newest first
    submit(browser, "#next")
    assert browser.find_elements(By.CSS_SELECTOR, f"input[name=pick][value='{source}/docs']"), "the tree opens at the data"
    browser.find_element(By.CSS_SELECTOR, f"input[name=pick][value='{source}/docs']").click()
    shot(browser, "13-recover-items")
    submit(browser, "#next")
    browser.find_element(By.ID, "target-alternate").click()
    browser.find_element(By.ID, "alternatePath").send_keys(str(target))
    shot(browser, "14-recover-options")
    submit(browser, "#recover")
    job = re.search(r"/jobs/(\d+)$", browser.current_url).group(1)
    WebDriverWait(browser, 120).until(lambda d: d.find_elements(By.ID, "report"))
    assert browser.find_element(By.ID, f"job-{job}-state").text == "Succeeded"
    shot(browser, "15-restore-done")
    restored = target / str(source).lstrip("/") / "docs"
    comparison = filecmp.dircmp(story["first_docs"], restored)
    assert not comparison.left_only and not comparison.right_only, (comparison.left_only, comparison.right_only)
    for name in os.listdir(story["first_docs"]):
        assert (story["first_docs"] / name).read_bytes() == (restored / name).read_bytes(), name
    assert not (restored / "new-chapter.txt").exists(), "the first point did not have it"
    assert not (target / str(source).lstrip("/") / "index.html").exists(), "only the chosen folder is recovered"


def test_settings_and_help_render(browser):
    for path, name in (("/settings", "16-settings"), ("/help", "17-help")):
        browser.get(story["agent"] + path)
        assert browser.find_elements(By.CSS_SELECTOR, "main h1")
        shot(browser, name)
    browser.delete_all_cookies()
