"""The agent portal in a real headless Chromium against the real `haven vault serve` and two real `haven agent serve`.

One story, test by test in file order (one vault, two agents, one browser). The first agent (web-01) is served as
127.0.0.1 and the second (db-01) as localhost, so the browser keeps one session for each, as for two machines.
Both portals are set up and signed in to; two credentials files are downloaded from the vault portal and each agent
registers with its own (a short passphrase is refused first). On web-01: pick a folder, save the schedule with a
security PIN from the vault, back up now and watch the progress reach 100% and the report, change files (content,
a new file, a mode), back up again, and recover one folder from the first point to an alternate location once per
conflict mode (copy, overwrite, skip), checking the outcome on disk. On db-01: recover web-01's whole latest point
as another server with web-01's passphrase, and compare every byte and mode with the source. Every page visited is
saved to test-artifacts/agent-portal/.
"""
import json
import os
import pathlib
import queue
import re
import shutil
import stat
import subprocess
import tempfile
import threading
import time

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.select import Select

from conftest import CHECKOUT, VaultServer, click_and_wait_for_page

ARTIFACTS = CHECKOUT / "test-artifacts" / "agent-portal"
PASSWORD = "a long administrator password"
PASSPHRASE = "correct horse battery staple and more"
SECOND_PASSPHRASE = "the second server keeps its own passphrase"
LOCAL_EDIT = b"edited at the alternate location before the recovery\n"
story = {"shots": 0}


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
    shutil.rmtree(ARTIFACTS, ignore_errors=True)  # the shots are numbered in the order visited: none left from a run before
    folder = pathlib.Path(tempfile.mkdtemp(prefix="haven-agent-browser-"))
    vault = start(["vault", "serve", "--data", str(folder / "vault")], "vault portal")
    first = start(["agent", "serve", "--state", str(folder / "agent-web-01")], "agent portal")
    second = start(["agent", "serve", "--state", str(folder / "agent-db-01")], "agent portal")
    yield {"vault": vault, "first": first, "second": second, "folder": folder}
    stop(second)
    stop(first)
    stop(vault)
    shutil.rmtree(folder, ignore_errors=True)


def shot(driver, name):
    """Saves the whole page as test-artifacts/agent-portal/NN-NAME.png, numbered in the order visited."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    story["shots"] += 1
    height = driver.execute_script("return Math.max(document.body.scrollHeight, document.documentElement.scrollHeight)")
    driver.set_window_size(1400, min(max(900, height + 40), 4000))
    driver.save_screenshot(str(ARTIFACTS / f"{story['shots']:02}-{name}.png"))
    driver.set_window_size(1400, 1000)


def visit(driver, url, name):
    driver.get(url)
    shot(driver, name)


def submit(driver, css, name):
    """Clicks a submit button, waits for the next page to load and saves it as NAME."""
    click_and_wait_for_page(driver, css)
    shot(driver, name)


def flash(driver):
    found = driver.find_elements(By.CSS_SELECTOR, ".flash")
    return found[0].text if found else ""


def detail(driver, term):
    """The text of the report's <dd> that follows the <dt> reading `term`."""
    for dt in driver.find_elements(By.CSS_SELECTOR, "#report dt"):
        if dt.text == term:
            return dt.find_element(By.XPATH, "following-sibling::dd[1]").text
    raise AssertionError(f"the report has no {term!r}: {driver.find_element(By.ID, 'report').text}")


def set_up_and_sign_in(driver, base, token, label):
    """Sets the administrator password with the printed setup token, signs out, and signs in with the password."""
    visit(driver, base + "/", f"{label}-setup")
    assert driver.current_url.endswith("/setup"), "an unconfigured portal sends every visitor to setup"
    driver.find_element(By.ID, "token").send_keys(token)
    driver.find_element(By.ID, "password").send_keys(PASSWORD)
    driver.find_element(By.ID, "confirm").send_keys(PASSWORD)
    submit(driver, "button[type=submit]", f"{label}-after-setup")
    submit(driver, ".account button.link", f"{label}-signed-out")
    assert "/login" in driver.current_url
    driver.find_element(By.ID, "password").send_keys("not the password")
    submit(driver, "button.primary", f"{label}-sign-in-refused")
    assert "Wrong password" in driver.page_source
    driver.find_element(By.ID, "password").send_keys(PASSWORD)
    submit(driver, "button.primary", f"{label}-overview-unregistered")
    assert driver.current_url.endswith("/overview"), driver.current_url
    assert "Protect this server in three steps" in driver.page_source


def download_credentials(driver, downloads, folder):
    """Clicks Download credentials on the vault's page; moves the file out of the shared downloads folder."""
    before = set(downloads.iterdir())
    driver.find_element(By.ID, "download-credentials").click()
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        for path in set(downloads.iterdir()) - before:
            if path.name.endswith(".VaultCredentials"):
                try:
                    json.loads(path.read_text())
                except ValueError:
                    continue  # still being written
                kept = folder / f"credentials-{len(list(folder.glob('credentials-*')))}.VaultCredentials"
                shutil.move(path, kept)
                return kept
        time.sleep(0.1)
    raise AssertionError(f"the vault portal handed out no .VaultCredentials file: {list(downloads.iterdir())}")


def write_tree(root, files):
    for relative, content in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)


def test_the_vault_hands_out_two_credentials_and_both_agents_are_set_up(servers, browser, downloads):
    browser.delete_all_cookies()
    vault = servers["vault"].values["vault portal"].rstrip("/")
    first = servers["first"].values["agent portal"].rstrip("/")
    second = servers["second"].values["agent portal"].rstrip("/").replace("127.0.0.1", "localhost")
    assert second.startswith("http://localhost:"), second
    story.update(vault=vault, first=first, second=second)

    visit(browser, vault + "/", "vault-setup")
    browser.find_element(By.ID, "token").send_keys(servers["vault"].values["setup token"])
    browser.find_element(By.ID, "password").send_keys(PASSWORD)
    browser.find_element(By.ID, "confirm").send_keys(PASSWORD)
    submit(browser, "button[type=submit]", "vault-after-setup")
    browser.find_element(By.ID, "name").send_keys("Production")
    submit(browser, "#create-vault button[type=submit]", "vault-production")
    story["vault_page"] = browser.current_url
    story["credentials"] = [download_credentials(browser, downloads, servers["folder"]) for _ in range(2)]
    files = [json.loads(path.read_text()) for path in story["credentials"]]
    assert files[0]["vaultName"] == files[1]["vaultName"] == "Production"
    assert files[0] != files[1], "each download is a credentials file of its own"

    set_up_and_sign_in(browser, first, servers["first"].values["setup token"], "web-01")
    set_up_and_sign_in(browser, second, servers["second"].values["setup token"], "db-01")
    visit(browser, first + "/overview", "web-01-overview-still-signed-in")
    assert browser.current_url.endswith("/overview"), "signing in to the second portal kept the first one's session"


def register(driver, base, credentials, name, passphrase, label):
    visit(driver, base + "/register", f"{label}-register")
    driver.find_element(By.ID, "credentials").send_keys(str(credentials))
    field = driver.find_element(By.ID, "machineName")
    field.clear()
    field.send_keys(name)
    driver.find_element(By.ID, "passphrase").send_keys(passphrase)
    driver.find_element(By.ID, "confirm").send_keys(passphrase)
    submit(driver, "#register", f"{label}-registered")
    assert driver.current_url.endswith("/schedule"), driver.current_url
    assert f"{name} is registered with the vault Production" in flash(driver)


def test_register_refuses_a_short_passphrase_then_registers_both_agents(browser):
    visit(browser, story["first"] + "/register", "web-01-register-first-try")
    browser.find_element(By.ID, "credentials").send_keys(str(story["credentials"][0]))
    name = browser.find_element(By.ID, "machineName")
    name.clear()
    name.send_keys("web-01")
    browser.find_element(By.ID, "passphrase").send_keys("too short")
    browser.find_element(By.ID, "confirm").send_keys("too short")
    submit(browser, "#register", "web-01-register-refused")
    assert "Use at least 16 characters" in browser.page_source
    assert browser.find_element(By.ID, "machineName").get_attribute("value") == "web-01", "the name stays"
    assert browser.find_element(By.ID, "passphrase").get_attribute("value") == "", "the passphrase does not"
    register(browser, story["first"], story["credentials"][0], "web-01", PASSPHRASE, "web-01")
    register(browser, story["second"], story["credentials"][1], "db-01", SECOND_PASSPHRASE, "db-01")


def test_pick_folders_and_save_the_schedule_with_a_security_pin(servers, browser):
    source = servers["folder"] / "data" / "site"
    files = {f"docs/chapter-{n:02}.txt": os.urandom(256 << 10) for n in range(24)}
    files.update({f"media/clip-{n}.bin": os.urandom(4 << 20) for n in range(6)})
    files["index.html"] = b"<h1>first version</h1>\n"
    files["bin/publish.sh"] = b"#!/bin/sh\necho published\n"
    files["private/token"] = b"secret\n"
    write_tree(source, files)
    (source / "empty").mkdir()
    (source / "current").symlink_to("index.html")
    os.chmod(source / "bin" / "publish.sh", 0o755)
    os.chmod(source / "private" / "token", 0o600)
    os.chmod(source / "private", 0o700)
    os.chmod(source / "docs", 0o750)
    story["source"] = source
    story["first_docs"] = servers["folder"] / "docs-as-first-backed-up"
    shutil.copytree(source / "docs", story["first_docs"])

    browser.get(story["first"] + "/schedule?browse=" + str(source.parent))
    shot(browser, "web-01-schedule-browse")
    browser.find_element(By.CSS_SELECTOR, f"#folder-browser input[name=path][value='{source}']").click()
    click_and_wait_for_page(browser, f"#folder-browser button.entry-open[value='{source}']")
    assert browser.find_element(By.CSS_SELECTOR, f"#selected-paths input[value='{source}']").is_selected(), \
        "the ticked folder stays ticked after opening it"
    shot(browser, "web-01-schedule-picked")
    submit(browser, "#save-schedule", "web-01-schedule-needs-pin")
    assert browser.find_elements(By.ID, "pin"), "a first retention policy needs a security PIN"

    browser.switch_to.new_window("tab")
    browser.get(story["vault_page"])
    submit(browser, "#generate-pin", "vault-security-pin")
    pin = browser.find_element(By.ID, "pin").get_attribute("aria-label").split()[-1]
    browser.close()
    browser.switch_to.window(browser.window_handles[0])
    browser.find_element(By.ID, "pin").send_keys(pin)
    submit(browser, "#save-schedule", "web-01-schedule-saved")
    assert browser.current_url.endswith("/overview"), browser.page_source[:2000]
    assert "Backup schedule saved" in flash(browser)


def test_settings_throttle_uploads_so_progress_can_be_watched(browser):
    visit(browser, story["first"] + "/settings", "web-01-settings")
    browser.find_element(By.ID, "throttle").click()
    for field in ("workRate", "otherRate"):
        browser.find_element(By.ID, field).clear()
        browser.find_element(By.ID, field).send_keys("abc" if field == "workRate" else "40")
    submit(browser, "#save-settings", "web-01-settings-refused")
    assert "Enter a bandwidth in Mbit/s" in browser.page_source, "a bad rate is refused next to its field"
    assert browser.find_element(By.ID, "otherRate").get_attribute("value") == "40", "what was typed stays"
    browser.find_element(By.ID, "workRate").clear()
    browser.find_element(By.ID, "workRate").send_keys("40")
    for box in browser.find_elements(By.CSS_SELECTOR, "input[name=workDay]"):
        if not box.is_selected():
            box.click()
    submit(browser, "#save-settings", "web-01-settings-saved")
    assert "Settings saved" in flash(browser)
    assert browser.find_element(By.ID, "throttle").is_selected()


def watch_job(driver, label, seconds=180):
    """Polls the job page the browser is on until its report shows; returns (job id, percentages seen)."""
    job = re.search(r"/jobs/(\d+)$", driver.current_url)
    assert job, driver.current_url
    job = job.group(1)
    seen = set()
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            percent = driver.find_element(By.ID, f"job-{job}-percent").text
            if percent != "100%" and not seen - {"100%"}:
                shot(driver, f"{label}-job-running")
            seen.add(percent)
            if driver.find_elements(By.ID, "report"):
                break
        except Exception:
            pass  # the page reloads itself when the job ends
        time.sleep(0.2)
    assert driver.find_element(By.ID, f"job-{job}-state").text == "Succeeded", driver.find_element(By.TAG_NAME, "main").text
    assert driver.find_element(By.ID, f"job-{job}-percent").text == "100%"
    shot(driver, f"{label}-job-done")
    return job, seen


def back_up_and_watch(driver, label):
    visit(driver, story["first"] + "/backup", f"{label}-backup-now")
    submit(driver, "#back-up-now", f"{label}-job-started")
    return watch_job(driver, label)


def test_back_up_now_and_watch_the_progress_reach_100_percent_and_the_report(browser):
    job, seen = back_up_and_watch(browser, "web-01-first")
    assert "100%" in seen
    assert len(seen - {"100%"}) >= 1, f"the bar moved on its own before the end (seen: {sorted(seen)})"
    assert browser.find_element(By.ID, "job-mode").text == "Unoptimized", "a first backup reads every file"
    assert detail(browser, "Files") == "33 new · 0 changed · 0 unchanged", "24 chapters, 6 clips, 3 other files"
    assert detail(browser, "Protected") == "31 MB", "31,457,336 bytes"
    assert "None: every file was handled." in browser.find_element(By.ID, "warnings").text


def test_change_content_add_a_file_change_a_mode_and_back_up_again(browser):
    source = story["source"]
    (source / "docs" / "chapter-03.txt").write_bytes(b"rewritten after the first backup\n")
    (source / "docs" / "new-chapter.txt").write_bytes(os.urandom(1000))
    os.chmod(source / "docs" / "new-chapter.txt", 0o640)
    os.chmod(source / "bin" / "publish.sh", 0o700)
    os.chmod(source / "media", 0o711)
    # The overview's Change journal card forecasts the next backup: optimized, listing four folders (docs for its files,
    # bin for the script's mode, media for its own mode and the source folder, whose listing holds media's mode).
    deadline = time.monotonic() + 15
    while True:
        browser.get(story["first"] + "/overview")
        forecast = browser.find_element(By.ID, "next-mode-files-detail").text
        if "4 folders" in forecast or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    shot(browser, "web-01-overview-journal")
    assert browser.find_element(By.ID, "journal-state").text == "Watching"
    assert browser.find_element(By.ID, "next-mode-files").text == "Optimized"
    assert forecast == "lists the 4 folders changed so far"
    back_up_and_watch(browser, "web-01-second")
    assert browser.find_element(By.ID, "job-mode").text == "Optimized", "the journal's folders were listed, nothing else"
    assert detail(browser, "Files") == "1 new · 2 changed · 31 unchanged", \
        "the new chapter is new; the rewritten chapter and the script whose mode changed are changed"
    visit(browser, story["first"] + "/jobs", "web-01-jobs")
    assert len(browser.find_elements(By.CSS_SELECTOR, "a[href^='/jobs/']")) >= 2
    visit(browser, story["first"] + "/overview", "web-01-overview")
    assert browser.find_element(By.ID, "last-state").text == "Succeeded"


def recover(driver, base, label, *, point, target, conflict, pick=None, other=None):
    """Walks the Recover data wizard to a restore of `pick` (everything when None) into `target`; returns the job id.

    `point` is "first" or "latest"; `other` is (server name, passphrase) to recover another server's data."""
    visit(driver, base + "/recover", f"{label}-recover-source")
    if other:
        driver.find_element(By.ID, "source-other").click()
        Select(driver.find_element(By.ID, "machine")).select_by_visible_text(
            next(o.text for o in Select(driver.find_element(By.ID, "machine")).options if o.text.startswith(other[0] + " ")))
        driver.find_element(By.ID, "passphrase").send_keys(other[1])
    else:
        driver.find_element(By.ID, "source-this").click()
    submit(driver, "#next", f"{label}-recover-point")
    times = driver.find_elements(By.CSS_SELECTOR, "#times input[name=point]")
    assert len(times) == 2, "both recovery points are on today's date"
    (times[0] if point == "latest" else times[-1]).click()  # the list is newest first
    submit(driver, "#next", f"{label}-recover-items")
    if pick:
        driver.find_element(By.CSS_SELECTOR, f"input[name=pick][value='{pick}']").click()
        shot(driver, f"{label}-recover-items-ticked")
    submit(driver, "#next", f"{label}-recover-options")
    driver.find_element(By.ID, "target-alternate").click()
    driver.find_element(By.ID, "alternatePath").send_keys(str(target))
    driver.find_element(By.ID, f"conflict-{conflict}").click()
    shot(driver, f"{label}-recover-options-filled")
    submit(driver, "#recover", f"{label}-restore-started")
    job, _ = watch_job(driver, f"{label}-restore", seconds=120)
    return job


def prepare_conflict(target):
    """Empties the alternate location and leaves one file there that the recovery meets."""
    shutil.rmtree(target, ignore_errors=True)
    docs = target / str(story["source"]).lstrip("/") / "docs"
    docs.mkdir(parents=True)
    (docs / "chapter-03.txt").write_bytes(LOCAL_EDIT)
    os.chmod(docs / "chapter-03.txt", 0o600)
    return docs


def assert_first_docs(docs, besides=()):
    """Every chapter of the first point is in `docs` with its bytes; nothing else is but `besides`."""
    first = story["first_docs"]
    names = set(os.listdir(first))
    assert set(os.listdir(docs)) == names | set(besides), sorted(set(os.listdir(docs)) ^ names)
    for name in names - {"chapter-03.txt"}:
        assert (docs / name).read_bytes() == (first / name).read_bytes(), name
    assert not (docs / "new-chapter.txt").exists(), "the first point did not have it"


@pytest.mark.parametrize("conflict", ["copy", "overwrite", "skip"])
def test_recover_a_folder_from_the_first_point_to_an_alternate_location(servers, browser, conflict):
    source = story["source"]
    target = servers["folder"] / "recovered"
    docs = prepare_conflict(target)
    first_chapter = (story["first_docs"] / "chapter-03.txt").read_bytes()
    recover(browser, story["first"], f"web-01-{conflict}", point="first", target=target, conflict=conflict,
            pick=f"{source}/docs")
    existing = docs / "chapter-03.txt"
    if conflict == "copy":
        copies = [name for name in os.listdir(docs) if "Copy of" in name]
        assert len(copies) == 1, os.listdir(docs)
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}-\d{2} Copy of chapter-03\.txt", copies[0]), copies[0]
        assert existing.read_bytes() == LOCAL_EDIT, "the existing file stays"
        assert (docs / copies[0]).read_bytes() == first_chapter, "the copy has the first point's content"
        assert_first_docs(docs, besides=copies)
        assert detail(browser, "Files restored") == "24"
        assert browser.find_element(By.ID, "copies").text.startswith("1 restored beside the existing file")
        assert copies[0] in browser.find_element(By.ID, "copies").text, "the report names the copy"
    elif conflict == "overwrite":
        assert existing.read_bytes() == first_chapter, "the file now has the first point's content"
        assert stat.S_IMODE(existing.stat().st_mode) == stat.S_IMODE((source / "docs" / "chapter-00.txt").stat().st_mode), \
            "and the first point's mode"
        assert_first_docs(docs)
        assert detail(browser, "Files restored") == "24"
        assert not browser.find_elements(By.ID, "copies") and not browser.find_elements(By.ID, "files-skipped")
    else:
        assert existing.read_bytes() == LOCAL_EDIT, "the existing file is left as it was"
        assert stat.S_IMODE(existing.stat().st_mode) == 0o600
        assert_first_docs(docs)
        assert detail(browser, "Files restored") == "23"
        assert browser.find_element(By.ID, "files-skipped").text == "1 already there, left as they were"
    assert not (target / str(source).lstrip("/") / "index.html").exists(), "only the chosen folder is recovered"


def test_the_second_agent_recovers_the_whole_set_of_the_first_as_another_server(servers, browser):
    source = story["source"]
    target = servers["folder"] / "recovered-on-db-01"
    recover(browser, story["second"], "db-01-other-server", point="latest", target=target, conflict="copy",
            other=("web-01", PASSPHRASE))
    restored = target / str(source).lstrip("/")
    files = 0
    for directory, subdirectories, names in os.walk(source):
        relative = pathlib.Path(directory).relative_to(source)
        assert sorted(os.listdir(restored / relative)) == sorted(subdirectories + names), relative
        for name in ["."] + subdirectories + names:
            original, copy = source / relative / name, restored / relative / name
            assert os.lstat(copy).st_mode == os.lstat(original).st_mode, \
                f"{relative / name}: {oct(os.lstat(copy).st_mode)} is not {oct(os.lstat(original).st_mode)}"
            if os.path.islink(original):
                assert os.readlink(copy) == os.readlink(original), relative / name
            elif os.path.isfile(original):
                assert copy.read_bytes() == original.read_bytes(), relative / name
                assert os.lstat(copy).st_mtime_ns == os.lstat(original).st_mtime_ns, relative / name
                files += 1
    assert files == 34
    assert detail(browser, "Files restored") == str(files)
    assert detail(browser, "Recovery point") != ""
    assert "None: every file was handled." in browser.find_element(By.ID, "warnings").text
    inputs = browser.find_element(By.CSS_SELECTOR, "aside").text
    assert "web-01 (another server)" in inputs and "Everything in the recovery point" in inputs and str(target) in inputs, inputs


def test_settings_jobs_and_help_render_on_both_agents(browser):
    for base, label in ((story["first"], "web-01"), (story["second"], "db-01")):
        for path in ("/overview", "/jobs", "/settings", "/help"):
            visit(browser, base + path, f"{label}-{path.strip('/')}-end")
            assert browser.find_elements(By.CSS_SELECTOR, "main h1"), path
    browser.delete_all_cookies()
