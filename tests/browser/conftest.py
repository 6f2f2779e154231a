"""Fixtures for the browser tests: the real `haven vault serve` binary on loopback, and Debian's Chromium driven by selenium."""
import os
import pathlib
import queue
import shutil
import subprocess
import tempfile
import threading
import time

import pytest
from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

CHECKOUT = pathlib.Path(__file__).resolve().parents[2]
ARTIFACTS = CHECKOUT / "test-artifacts" / "vault-portal"


class VaultServer:
    """A running `haven vault serve` with what it printed at start."""

    def __init__(self, process, data, lines):
        self.process = process
        self.data = data
        self.lines = lines
        self.values = {}

    def read_start(self, timeout=30):
        """Reads stdout until the setup token line; returns the printed `name: value` pairs."""
        deadline = time.monotonic() + timeout
        while "setup token" not in self.values:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or self.process.poll() is not None:
                raise AssertionError(f"haven vault serve did not print a setup token; it printed {self.values}")
            try:
                line = self.lines.get(timeout=remaining)
            except queue.Empty:
                continue
            if ":" in line and not line.startswith(" "):
                name, _, value = line.partition(":")
                self.values[name.strip()] = value.strip()
        return self.values


def click_and_wait_for_page(driver, css, seconds=20):
    """Clicks the element at `css` and waits until the next page has loaded.

    The old page is marked with a script variable that a new document does not have. Waiting for the old
    <html> element to go stale is not enough: Chromium sometimes answers that check with "Node with given id
    does not belong to the document" instead of a stale element."""
    driver.execute_script("window.havenOldPage = true")
    driver.find_element(By.CSS_SELECTOR, css).click()
    WebDriverWait(driver, seconds, ignored_exceptions=(WebDriverException,)).until(
        lambda d: d.execute_script("return !window.havenOldPage && document.readyState === 'complete'"))


@pytest.fixture(scope="session")
def vault_server():
    binary = os.environ.get("HAVEN_BIN", str(CHECKOUT / ".build" / "release" / "haven"))
    if not os.path.exists(binary):
        raise AssertionError(f"{binary} is missing: run `swift build -c release` (make test does) or set HAVEN_BIN")
    data = tempfile.mkdtemp(prefix="haven-vault-browser-")
    process = subprocess.Popen(
        [binary, "vault", "serve", "--data", data, "--listen", "127.0.0.1:0", "--resources", str(CHECKOUT)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines = queue.Queue()

    def pump():
        for line in process.stdout:
            lines.put(line.rstrip("\n"))

    threading.Thread(target=pump, daemon=True).start()
    server = VaultServer(process, data, lines)
    server.read_start()
    yield server
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
    shutil.rmtree(data, ignore_errors=True)


@pytest.fixture(scope="session")
def downloads():
    directory = tempfile.mkdtemp(prefix="haven-vault-downloads-")
    yield pathlib.Path(directory)
    shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture(scope="session")
def browser(downloads):
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1400,1000"):
        options.add_argument(argument)
    options.set_capability("acceptInsecureCerts", True)
    options.add_experimental_option("prefs", {
        "download.default_directory": str(downloads),
        "download.prompt_for_download": False,
        "download.directory_upgrade": True,
        "safebrowsing.enabled": True,
    })
    driver = webdriver.Chrome(options=options, service=Service("/usr/bin/chromedriver"))
    driver.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})
    driver.implicitly_wait(0)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    yield driver
    driver.quit()
