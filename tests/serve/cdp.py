"""A headless Chromium driven over the DevTools protocol on a pipe (--remote-debugging-pipe):
the standard library only, no WebSocket. The tests of the dashboard open pages with it, wait
for what the page says (a JavaScript promise the page settles, never a sleep) and take
screenshots.

    with Browser(flags) as b:
        page = b.open("http://127.0.0.1:8080/")
        page.wait_for("window.ashaDashboard.reports >= 3", timeout=60)
        page.evaluate("document.title")
"""
import base64
import json
import os
import subprocess
import time


class CdpError(RuntimeError):
    pass


class Browser:
    def __init__(self, flags, log_path=None):
        self.flags = list(flags)
        self.log_path = log_path
        self.next_id = 0
        self.buffer = b""
        self.events = []

    def __enter__(self):
        to_child_r, self.to_child = os.pipe()
        self.from_child, from_child_w = os.pipe()

        def wire():  # Chromium reads commands on fd 3 and writes answers on fd 4
            # Through fresh copies: a pipe may already be fd 3 or 4, and dup2 onto itself
            # would keep it close-on-exec (or overwrite the other one).
            r, w = os.dup(to_child_r), os.dup(from_child_w)
            os.dup2(r, 3)
            os.dup2(w, 4)

        log = open(self.log_path, "w") if self.log_path else subprocess.DEVNULL
        self.proc = subprocess.Popen(
            ["chromium", *self.flags, "--remote-debugging-pipe", "about:blank"],
            stdin=subprocess.DEVNULL, stdout=log, stderr=log, preexec_fn=wire,
            close_fds=False)  # Python fds are close-on-exec anyway (PEP 446); 3 and 4 must stay
        os.close(to_child_r)
        os.close(from_child_w)
        return self

    def __exit__(self, *exc):
        try:
            self.send("Browser.close", timeout=10)
        except Exception:
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        os.close(self.to_child)
        os.close(self.from_child)

    def _read_message(self, deadline):
        while b"\0" not in self.buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise CdpError("Chromium did not answer in time")
            import select
            ready, _, _ = select.select([self.from_child], [], [], remaining)
            if not ready:
                continue
            chunk = os.read(self.from_child, 1 << 20)
            if not chunk:
                raise CdpError("Chromium closed its pipe (did it crash? see its log)")
            self.buffer += chunk
        message, self.buffer = self.buffer.split(b"\0", 1)
        return json.loads(message)

    def send(self, method, params=None, session=None, timeout=60):
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self.to_child, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            reply = self._read_message(deadline)
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise CdpError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def open(self, url, width=1400, height=1000):
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        page = Page(self, session, target)
        page.send("Emulation.setDeviceMetricsOverride",
                  {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False})
        page.send("Runtime.enable")
        page.send("Page.navigate", {"url": url})
        return page


class Page:
    def __init__(self, browser, session, target):
        self.browser = browser
        self.session = session
        self.target = target

    def close(self):
        """Closes the page's tab (its renderer and its connections go with it)."""
        self.browser.send("Target.closeTarget", {"targetId": self.target})

    def send(self, method, params=None, timeout=60):
        return self.browser.send(method, params, self.session, timeout)

    def evaluate(self, expression, timeout=60):
        """The value of a JavaScript expression (a promise is awaited)."""
        result = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True,
                                                "awaitPromise": True}, timeout=timeout + 5)
        if "exceptionDetails" in result:
            raise CdpError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait_for(self, condition, timeout=60, every_frame=True):
        """Waits until `condition` (JavaScript) holds: checked on every frame the page draws,
        inside the page, so the wait ends on the page's own event. A page in a background tab
        draws no frames: every_frame=False checks it on each turn of its timers instead."""
        script = """new Promise((resolve) => {
            const until = performance.now() + %d;
            const check = () => {
                let ok = false;
                try { ok = !!(%s); } catch (e) {}
                if (ok) return resolve(true);
                if (performance.now() > until) return resolve(false);
                %s;
            };
            check();
        })""" % (timeout * 1000, condition,
                 "requestAnimationFrame(check)" if every_frame else "setTimeout(check, 10)")
        return self.evaluate(script, timeout=timeout)

    def screenshot(self, path, full_page=True, timeout=300):
        """A PNG of the page. The bound is long: rasterising a tall page of 10,000 curves took
        over a minute on a 2-core machine running two test suites at once."""
        params = {"format": "png"}
        if full_page:
            metrics = self.send("Page.getLayoutMetrics")
            size = metrics.get("cssContentSize") or metrics["contentSize"]
            params["clip"] = {"x": 0, "y": 0, "width": size["width"], "height": size["height"],
                              "scale": 1}
            params["captureBeyondViewport"] = True
        data = self.send("Page.captureScreenshot", params, timeout=timeout)["data"]
        with open(path, "wb") as f:
            f.write(base64.b64decode(data))
