#!/usr/bin/env python3
"""The /console page end to end, in a real headless Chromium driven over W3C WebDriver.

Run by scripts/browser-test.sh, which starts the gateway, seeds an invited account and starts chromedriver.
A virtual authenticator (Chrome DevTools Protocol, through chromedriver's passthrough) stands in for a person
with a platform passkey, so the WebAuthn ceremonies run through the browser's own code, exactly as for a person,
and are checked by the gateway as any other. Standard library only: no Selenium, nothing to install.

Environment:
  CONSOLE_BASE_URL     the gateway as the browser reaches it, e.g. http://localhost:8080 (the passkeys' origin)
  WEBDRIVER_URL        chromedriver, e.g. http://127.0.0.1:9515
  CONSOLE_INVITE_FILE  file holding the invite token (a file, so the token is in no process's argv)
  CONSOLE_EMAIL        the invited account's email
  CONSOLE_ARTIFACTS    directory for the screenshot and the browser's console log on failure
  CONSOLE_STEPS_FILE   where the number of passed steps is written (optional)
  CONSOLE_TIMEOUT      seconds the whole run may take (default 180)
  CHROMIUM_BINARY      default /usr/bin/chromium
"""

import base64
import json
import os
import re
import secrets
import sys
import time
import urllib.error
import urllib.request

# chromedriver is on this machine: a proxy in the environment must not be asked to reach it.
OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))
# The W3C WebDriver key under which an element reference comes back.
ELEMENT_KEY = "element-6066-11e4-a52e-4f735466cecf"


class WebDriverError(Exception):
    pass


class StepFailed(Exception):
    pass


class WebDriver:
    """The few W3C WebDriver commands the test needs, plus chromedriver's CDP passthrough and log endpoint."""

    def __init__(self, url):
        self.url = url.rstrip("/")
        self.session = None

    def call(self, method, path, body=None, timeout=60):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.url + path, data=data, method=method)
        if data is not None:
            request.add_header("Content-Type", "application/json")
        try:
            with OPENER.open(request, timeout=timeout) as response:
                answer = json.load(response)
        except urllib.error.HTTPError as error:
            # WebDriver errors are JSON too; the request body (which may hold a password being typed) is never shown.
            try:
                value = json.load(error).get("value", {})
            except ValueError:
                value = {}
            message = str(value.get("message", "")).splitlines()[0:1]
            raise WebDriverError(f"{method} {path}: {value.get('error', error.code)}: {''.join(message)}") from None
        return answer.get("value")

    def start(self, binary):
        capabilities = {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": binary,
                # As root in a container: no sandbox, no GPU, and /tmp rather than a small /dev/shm.
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                         "--window-size=1280,1000"],
            },
            "goog:loggingPrefs": {"browser": "ALL"},
        }
        value = self.call("POST", "/session", {"capabilities": {"alwaysMatch": capabilities}}, timeout=90)
        self.session = value["sessionId"]
        return value["capabilities"]

    def quit(self):
        if self.session:
            try:
                self.call("DELETE", f"/session/{self.session}", timeout=30)
            finally:
                self.session = None

    def s(self, path, body=None, method=None, timeout=60):
        return self.call(method or ("GET" if body is None else "POST"), f"/session/{self.session}{path}", body, timeout)

    def cdp(self, command, params=None):
        return self.s("/goog/cdp/execute", {"cmd": command, "params": params or {}})

    def go(self, url):
        self.s("/url", {"url": url})

    def script(self, source, *args):
        return self.s("/execute/sync", {"script": source, "args": list(args)})

    def element(self, element_id):
        return self.s("/element", {"using": "css selector", "value": f"#{element_id}"})[ELEMENT_KEY]

    def type(self, element_id, text, clear=True):
        element = self.element(element_id)
        if clear:
            self.s(f"/element/{element}/clear", {})
        self.s(f"/element/{element}/value", {"text": text})

    def click(self, element_id):
        self.s(f"/element/{self.element(element_id)}/click", {})

    def displayed(self, element_id):
        return self.s(f"/element/{self.element(element_id)}/displayed")

    def screenshot(self):
        return base64.b64decode(self.s("/screenshot"))

    def browser_log(self):
        return self.s("/se/log", {"type": "browser"})


class ConsoleTest:
    def __init__(self, driver, base_url, email, invite, deadline):
        self.driver = driver
        self.base_url = base_url.rstrip("/")
        self.email = email
        self.invite = invite
        self.deadline = deadline
        self.steps = 0
        self.authenticator = None
        self.console_log = []
        # A fresh password for the run, typed into the page and never printed.
        self.password = "console-" + secrets.token_urlsafe(18)

    def step(self, name):
        self.steps += 1
        print(f"  ok {self.steps}: {name}", flush=True)

    def wait_for(self, what, predicate, timeout=20):
        """Polls the page until `predicate(page)` holds; `page` is the snapshot `page_state` returns."""
        until = min(time.monotonic() + timeout, self.deadline)
        page = None
        while True:
            page = self.page_state()
            if predicate(page):
                return page
            if time.monotonic() >= until:
                raise StepFailed(f"timed out waiting for {what}; the page shows {json.dumps(page)}")
            time.sleep(0.1)

    def page_state(self):
        return self.driver.script(
            """
            const status = document.getElementById('status');
            if (!status) {
              return {state: null, seq: 0, action: null, result: null, status: `not the console: ${document.title}`,
                      whoami: '', email: '', methods: [], authTime: null, passkeys: []};
            }
            const methods = document.getElementById('auth-methods');
            const time = document.getElementById('auth-time');
            return {
              state: document.body.dataset.state || null,
              seq: Number(status.dataset.seq || 0),
              action: status.dataset.action || null,
              result: status.dataset.result || null,
              status: status.textContent.trim(),
              whoami: document.getElementById('whoami').textContent.replace(/\\s+/g, ' ').trim(),
              email: document.getElementById('whoami-email').textContent.trim(),
              methods: (methods.dataset.methods || '').split(' ').filter(Boolean),
              authTime: time.getAttribute('datetime'),
              passkeys: Array.from(document.querySelectorAll('#passkey-list tr[data-passkey-id]'))
                .map(row => row.textContent.replace(/\\s+/g, ' ').trim()),
            };
            """)

    def act(self, action, element_id):
        """Clicks `element_id` and waits for the page to report `action` finished; fails if it ended in an error."""
        before = self.page_state()["seq"]
        self.driver.click(element_id)
        page = self.wait_for(f"'{action}' to finish", lambda p: p["seq"] > before and p["result"] != "pending", 30)
        if page["action"] != action or page["result"] != "ok":
            raise StepFailed(
                f"'{action}' did not succeed: status {page['result']} ({page['action']}): {page['status']}")
        return page

    def credentials(self):
        found = self.driver.cdp("WebAuthn.getCredentials", {"authenticatorId": self.authenticator})["credentials"]
        # Only what the checks need: the private keys are dropped at once, so no failure message can show them.
        return [{"rpId": c.get("rpId"), "resident": c.get("isResidentCredential"), "signCount": c.get("signCount")}
                for c in found]

    def run(self):
        d = self.driver
        d.cdp("WebAuthn.enable", {"enableUI": False})
        self.authenticator = d.cdp("WebAuthn.addVirtualAuthenticator", {"options": {
            "protocol": "ctap2", "transport": "internal", "hasResidentKey": True, "hasUserVerification": True,
            "isUserVerified": True, "automaticPresenceSimulation": True}})["authenticatorId"]
        self.step("virtual authenticator attached")

        # The invite arrives in the fragment, which the browser never sends to the server.
        d.go(f"{self.base_url}/console#invite={self.invite}")
        self.wait_for("the page to start", lambda p: p["state"] == "signed-out")
        prefilled = d.script("return [document.getElementById('invite-token').value, location.hash]")
        if prefilled[0] != self.invite:
            raise StepFailed("the invite token was not taken from the #invite= fragment")
        if prefilled[1]:
            raise StepFailed("the invite token was left in the address bar")
        self.step("invite token taken from the fragment and dropped from the address")

        d.type("enrol-password", self.password)
        d.type("enrol-password-repeat", self.password + "x")
        before = self.page_state()["seq"]
        d.click("enrol-submit")
        page = self.wait_for("the mismatch to be reported", lambda p: p["seq"] > before)
        if page["result"] != "error":
            raise StepFailed(f"mismatched passwords were not refused: {page['status']}")
        self.step("mismatched passwords refused in the page")

        d.type("enrol-password-repeat", self.password)
        self.act("enrol", "enrol-submit")
        if d.script("return document.getElementById('login-email').value") != self.email:
            raise StepFailed("after enrolment the sign-in form does not hold the account's email")
        self.step("enrolled with the invite")

        d.type("login-email", self.email)
        d.type("login-password", self.password)
        page = self.act("login", "login-submit")
        page = self.wait_for("the signed-in view", lambda p: p["state"] == "signed-in" and p["methods"])
        if page["email"] != self.email or "pwd" not in page["methods"]:
            raise StepFailed(f"signed in, but the page shows {page['whoami']!r} with methods {page['methods']}")
        if d.script("return document.getElementById('login-password').value") != "":
            raise StepFailed("the password stayed in the sign-in form")
        self.step("signed in with the password")

        d.type("passkey-name", "test laptop")
        self.act("passkey-add", "passkey-add")
        page = self.wait_for("the passkey in the list", lambda p: len(p["passkeys"]) == 1)
        if "test laptop" not in page["passkeys"][0]:
            raise StepFailed(f"the listed passkey is not the one added: {page['passkeys']}")
        self.step("passkey 'test laptop' added and listed")

        held = self.credentials()
        if len(held) != 1 or not held[0]["resident"] or held[0]["rpId"] != "localhost":
            raise StepFailed(f"the authenticator should hold one resident credential for localhost: {held}")
        self.step("the authenticator holds one discoverable credential for localhost")

        self.act("sign-out", "sign-out")
        page = self.wait_for("the signed-out view", lambda p: p["state"] == "signed-out")
        if d.displayed("signed-in") or page["passkeys"] or page["email"] or page["methods"]:
            raise StepFailed("signed out, but the signed-in view or its data is still on the page")
        self.step("signed out")

        # Discoverable: no email, so the browser offers what the authenticator holds for this site.
        d.type("passkey-login-email", "")
        self.act("passkey-login", "passkey-login-submit")
        page = self.wait_for("the signed-in view", lambda p: p["state"] == "signed-in" and p["methods"])
        if page["email"] != self.email:
            raise StepFailed(f"signed in with the passkey as someone else: {page['whoami']!r}")
        if not {"hwk", "swk"} & set(page["methods"]) or "mfa" not in page["methods"] or "pwd" in page["methods"]:
            raise StepFailed(
                f"a passkey sign-in should show hwk or swk with mfa, not pwd; the page shows {page['methods']}")
        if len(page["passkeys"]) != 1:
            raise StepFailed(f"the passkey list after a passkey sign-in: {page['passkeys']}")
        self.step(f"signed in with the passkey (methods {' '.join(page['methods'])})")

        signed_in_at = page["authTime"]
        page = self.act("step-up", "step-up")
        if not page["status"].startswith("Stepped up"):
            raise StepFailed(f"the step-up is not reported: {page['status']!r}")
        page = self.wait_for("the refreshed session details",
                             lambda p: p["authTime"] and p["authTime"] >= (signed_in_at or ""))
        if not {"hwk", "swk"} & set(page["methods"]):
            raise StepFailed(f"after the step-up the methods are {page['methods']}")
        self.step(f"stepped up (authenticated at {page['authTime']})")

        held = self.credentials()
        if len(held) != 1 or not held[0]["resident"]:
            raise StepFailed(f"the authenticator should still hold exactly one credential: {held}")
        self.step("still exactly one credential in the authenticator")

        self.act("sign-out", "sign-out")
        self.wait_for("the signed-out view", lambda p: p["state"] == "signed-out")
        self.step("signed out at the end")

        # A script or style the Content-Security-Policy blocked, or an uncaught error, lands in the console.
        self.console_log = d.browser_log() or []
        problems = [entry for entry in self.console_log
                    if entry.get("level") == "SEVERE" and "favicon.ico" not in entry.get("message", "")]
        if problems:
            messages = "; ".join(redact(entry.get("message", "")) for entry in problems)
            raise StepFailed(f"the browser console has errors: {messages}")
        self.step("no errors in the browser console")


def redact(message):
    """The browser names the page by its address, invite token included: that stays out of reports."""
    return re.sub(r"#invite=[^\s]*", "#invite=(redacted)", message)


def main():
    base_url = os.environ["CONSOLE_BASE_URL"]
    artifacts = os.environ.get("CONSOLE_ARTIFACTS", ".")
    with open(os.environ["CONSOLE_INVITE_FILE"], encoding="utf-8") as file:
        invite = file.read().strip()
    budget = float(os.environ.get("CONSOLE_TIMEOUT", "180"))
    deadline = time.monotonic() + budget

    driver = WebDriver(os.environ["WEBDRIVER_URL"])
    capabilities = driver.start(os.environ.get("CHROMIUM_BINARY", "/usr/bin/chromium"))
    print(f"Browser: {capabilities.get('browserName')} {capabilities.get('browserVersion')}", flush=True)
    test = ConsoleTest(driver, base_url, os.environ["CONSOLE_EMAIL"], invite, deadline)
    failed = None
    try:
        test.run()
    except (StepFailed, WebDriverError, KeyError, OSError) as error:
        failed = error
    try:
        if failed is not None:
            keep(driver, test, artifacts)
    finally:
        driver.quit()
    steps_file = os.environ.get("CONSOLE_STEPS_FILE")
    if steps_file:
        with open(steps_file, "w", encoding="utf-8") as file:
            file.write(f"{test.steps}\n")
    if failed is not None:
        print(f"console test: step {test.steps + 1} failed: {failed}", file=sys.stderr)
        return 1
    return 0


def keep(driver, test, artifacts):
    """What is worth a look after a failure: how the page looked, and what the browser said."""
    try:
        with open(os.path.join(artifacts, "console-failure.png"), "wb") as file:
            file.write(driver.screenshot())
        log = test.console_log or driver.browser_log() or []
        with open(os.path.join(artifacts, "browser-console.log"), "w", encoding="utf-8") as file:
            for entry in log:
                file.write(f"{entry.get('level')} {redact(str(entry.get('message')))}\n")
    except (WebDriverError, OSError) as error:
        print(f"console test: could not keep the screenshot or the browser log: {error}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
