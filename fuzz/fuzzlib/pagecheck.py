"""pagecheck.py - loads a local HTML page in a real headless browser
(Debian's chromium) and says what is wrong with it: it did not load, a
link or an embedded resource points at a file that does not exist, a
fragment names no element, or the page logged a console error or threw.

The browser is driven over the DevTools protocol on a pipe
(--remote-debugging-pipe: commands on fd 3, answers and events on fd 4,
each message JSON ended by a NUL byte), with the standard library only.
Every link the DOM holds is checked - a[href], img[src], object[data],
link[href], script[src], iframe[src], svg <a>/<image> - as the browser
resolved it, so a wrong relative path fails as it would for a reader.
Links that leave the page's folder tree for the web are problems too: a
campaign's pages travel as one folder.

  problems = pagecheck.check_page("out/index.html")   # [] when the page is fine
"""
import json
import os
import select
import shutil
import subprocess
import tempfile
import time
import urllib.parse

BROWSERS = ("chromium", "chromium-browser", "google-chrome")

# Every URL the page refers to, as the browser resolved it.
LINKS_JS = r"""
(() => {
  const out = [];
  const attr = (sel, name) => document.querySelectorAll(sel).forEach(e => {
    const v = e.getAttribute(name);
    if (v !== null) out.push([e.tagName.toLowerCase(), v, new URL(v, document.baseURI).href]);
  });
  attr('a[href]', 'href'); attr('img[src]', 'src'); attr('object[data]', 'data');
  attr('link[href]', 'href'); attr('script[src]', 'src'); attr('iframe[src]', 'src');
  document.querySelectorAll('svg a, svg image').forEach(e => {
    const v = e.getAttribute('href') || e.getAttributeNS('http://www.w3.org/1999/xlink', 'href');
    if (v) out.push([e.tagName.toLowerCase(), v, new URL(v, document.baseURI).href]);
  });
  return JSON.stringify({links: out, ids: Array.from(document.querySelectorAll('[id]')).map(e => e.id),
                         title: document.title, text: document.body ? document.body.innerText.length : 0});
})()
"""


class BrowserError(Exception):
    """No browser, or it did not answer in time."""


def find_browser():
    for name in BROWSERS:
        path = shutil.which(name)
        if path:
            return path
    return None


class DevTools:
    """A DevTools protocol session over the browser's pipe."""

    def __init__(self, browser, deadline):
        self.deadline = deadline
        self.profile = tempfile.mkdtemp(prefix="vas-pagecheck-")
        to_browser_r, self.to_browser = os.pipe()
        self.from_browser, from_browser_w = os.pipe()

        def fds():  # the child's fd 3 reads commands, fd 4 writes answers
            for fd, target in ((to_browser_r, 3), (from_browser_w, 4)):
                if fd != target:
                    os.dup2(fd, target)
                os.set_inheritable(target, True)   # dup2 onto itself keeps close-on-exec
        self.log = open(os.path.join(self.profile, "browser.log"), "w+")
        self.proc = subprocess.Popen(
            [browser, "--headless", "--no-sandbox", "--disable-gpu", "--remote-debugging-pipe",
             "--user-data-dir=" + self.profile, "--no-first-run", "--no-default-browser-check",
             "--disable-extensions", "--disable-background-networking", "--disable-component-update",
             "--disable-sync", "--mute-audio", "about:blank"],
            stdin=subprocess.DEVNULL, stdout=self.log, stderr=subprocess.STDOUT,
            preexec_fn=fds, close_fds=False, start_new_session=True)
        os.close(to_browser_r)
        os.close(from_browser_w)
        self.buffer = b""
        self.next_id = 0
        self.events = []

    def send(self, method, params=None, session=None):
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self.to_browser, json.dumps(message).encode() + b"\0")
        return self.next_id

    def read_message(self):
        while b"\0" not in self.buffer:
            left = self.deadline - time.time()
            if left <= 0:
                raise BrowserError("the browser did not answer in time")
            ready, _, _ = select.select([self.from_browser], [], [], left)
            if not ready:
                continue
            chunk = os.read(self.from_browser, 1 << 16)
            if not chunk:
                raise BrowserError("the browser closed the pipe (exit status %s)" % self.proc.poll())
            self.buffer += chunk
        raw, _, self.buffer = self.buffer.partition(b"\0")
        return json.loads(raw)

    def call(self, method, params=None, session=None):
        """Sends a command and returns its result; events that arrive
        meanwhile are kept in self.events."""
        wanted = self.send(method, params, session)
        while True:
            message = self.read_message()
            if message.get("id") == wanted:
                if "error" in message:
                    raise BrowserError("%s: %s" % (method, message["error"].get("message")))
                return message.get("result", {})
            if "method" in message:
                self.events.append(message)

    def wait_for(self, method, session):
        """The first event `method` of session (kept or still to come)."""
        while True:
            for e in self.events:
                if e["method"] == method and e.get("sessionId") == session:
                    return e
            message = self.read_message()
            if "method" in message:
                self.events.append(message)

    def drain(self, seconds):
        """Collects the events of the next `seconds` (late console output)."""
        end = min(self.deadline, time.time() + seconds)
        while time.time() < end:
            ready, _, _ = select.select([self.from_browser], [], [], max(0.0, end - time.time()))
            if not ready:
                break
            chunk = os.read(self.from_browser, 1 << 16)
            if not chunk:
                break
            self.buffer += chunk
            while b"\0" in self.buffer:
                raw, _, self.buffer = self.buffer.partition(b"\0")
                message = json.loads(raw)
                if "method" in message:
                    self.events.append(message)

    def close(self):
        try:
            self.send("Browser.close")
        except OSError:
            pass
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, 9)
            self.proc.wait()
        for fd in (self.to_browser, self.from_browser):
            try:
                os.close(fd)
            except OSError:
                pass
        self.log.close()
        shutil.rmtree(self.profile, ignore_errors=True)


def console_problems(events):
    """Errors the page logged or threw, as lines of text."""
    out = []
    for e in events:
        p = e.get("params", {})
        if e["method"] == "Runtime.exceptionThrown":
            d = p.get("exceptionDetails", {})
            text = (d.get("exception") or {}).get("description") or d.get("text")
            out.append("uncaught exception: %s (line %s)" % (text, d.get("lineNumber")))
        elif e["method"] == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
            args = " ".join(str(a.get("value", a.get("description", ""))) for a in p.get("args", []))
            out.append("console.%s: %s" % (p["type"], args))
        elif e["method"] == "Log.entryAdded" and p.get("entry", {}).get("level") == "error":
            entry = p["entry"]
            out.append("browser log (%s): %s %s" % (entry.get("source"), entry.get("text"), entry.get("url", "")))
        elif e["method"] == "Network.loadingFailed" and not p.get("canceled"):
            out.append("a resource failed to load: %s" % p.get("errorText"))
    return out


def link_problems(page, found):
    """Links that do not resolve: a file that is missing, a fragment no
    element has, anything outside the page's folder or off the machine."""
    root = os.path.dirname(os.path.abspath(page))
    ids = set(found["ids"])
    out = []
    for tag, raw, url in found["links"]:
        parts = urllib.parse.urlsplit(url)
        if parts.scheme != "file":
            out.append("<%s> %s leaves the page (%s)" % (tag, raw, parts.scheme or "no scheme"))
            continue
        path = urllib.parse.unquote(parts.path)
        if path == os.path.abspath(page):
            if parts.fragment and parts.fragment not in ids:
                out.append("<%s> %s: no element has id '%s'" % (tag, raw, parts.fragment))
            continue
        if not (path == root or path.startswith(root + os.sep)):
            out.append("<%s> %s points outside the page's folder (%s)" % (tag, raw, path))
        elif not os.path.exists(path):
            out.append("<%s> %s: no such file (%s)" % (tag, raw, os.path.relpath(path, root)))
    return out


def check_page(page, timeout=20.0, browser=None, settle=0.3):
    """Loads page in the headless browser; returns a list of problems
    ([] when the page loaded, every link resolves and nothing was logged
    as an error). Raises BrowserError when there is no browser to ask."""
    browser = browser or find_browser()
    if not browser:
        raise BrowserError("no chromium on PATH (ci/install_deps.sh installs it)")
    page = os.path.abspath(page)
    if not os.path.isfile(page):
        return ["no page %s" % page]
    session = DevTools(browser, time.time() + timeout)
    try:
        target = session.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        sid = session.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Runtime", "Log", "Network", "Page"):
            session.call(domain + ".enable", session=sid)
        nav = session.call("Page.navigate", {"url": "file://" + urllib.parse.quote(page)}, session=sid)
        if nav.get("errorText"):
            return ["the page did not load: %s" % nav["errorText"]]
        session.wait_for("Page.loadEventFired", sid)
        session.drain(settle)
        found = json.loads(session.call("Runtime.evaluate", {"expression": LINKS_JS, "returnByValue": True},
                                        session=sid)["result"]["value"])
        problems = console_problems(session.events)
        if found["text"] == 0:
            problems.append("the page shows no text")
        return problems + link_problems(page, found)
    finally:
        session.close()
