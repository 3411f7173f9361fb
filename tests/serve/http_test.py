#!/usr/bin/python3
"""`asha-tune serve` as a real HTTP server, probed by real clients: what it refuses (other Host
names, other methods, paths out of the served runs, malformed requests), that a slow or vanished
client stops nobody, how it shows runs being written, deleted, or not runs at all, and what a
taken port does to `serve` and to a run with `--serve`.

Every wait is on an event of the server (a line it prints, a reply, an event on a stream); the
timeouts only bound a hung server.

Usage: http_test.py ASHA_TUNE SOURCE_DIR WORK_DIR"""
import atexit
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys

tuner, src, work = sys.argv[1:4]
shutil.rmtree(work, ignore_errors=True)
os.makedirs(work)
root = os.path.join(work, "runs")
os.makedirs(root)
failures = []
BOUND = 60  # seconds: a hung server, not a synchronisation


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what, flush=True)
    if not ok:
        failures.append(what)


def run(args, **kw):
    return subprocess.run([tuner, *args], capture_output=True, text=True, timeout=300, **kw)


# A finished run, a run whose journal ends in a torn line, a directory that is not a run.
sim = run(["simulate", "--config", os.path.join(src, "configs/quick.json"), "--max-trials", "12",
           "--run-dir", os.path.join(root, "sim"), "--quiet"])
check(sim.returncode == 0, "a simulated run to serve: " + sim.stderr[-300:])
torn = os.path.join(root, "torn")
shutil.copytree(os.path.join(root, "sim"), torn)
with open(os.path.join(torn, "journal.jsonl"), "a") as f:
    f.write('{"event":"report","trial":0,"TORN')
os.makedirs(os.path.join(root, "not-a-run", "deeper"))
with open(os.path.join(work, "secret"), "w") as f:
    f.write("SECRET-OUTSIDE\n")
os.makedirs(os.path.join(root, "sim", "trials", "0"), exist_ok=True)
os.makedirs(os.path.join(root, "sim", "trials", "1"), exist_ok=True)
with open(os.path.join(root, "sim", "trials", "1", "stdout.log"), "w") as f:
    f.write("epoch 1 done\n")
for name in ("stdout.log", "stderr.log"):
    path = os.path.join(root, "sim", "trials", "0", name)
    if os.path.exists(path):
        os.remove(path)
    os.symlink(os.path.join(work, "secret"), path)
os.symlink(work, os.path.join(root, "link-out"))  # a directory link out of the served tree

err_path = os.path.join(work, "serve.err")
err = open(err_path, "w")
server = subprocess.Popen([tuner, "serve", root, "--port", "0"], stdout=subprocess.PIPE,
                          stderr=err, text=True)
# A check that raises must not leave the server running.
atexit.register(lambda: server.poll() is None and server.kill())
banner = server.stdout.readline()  # printed once it listens
check("http://127.0.0.1:" in banner, f"serve prints its URL ({banner.strip()})")
port = int(banner.split("http://127.0.0.1:")[1].split("/")[0])


def request(method, path, host=None, headers=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=BOUND)
    h = {"Host": host or f"127.0.0.1:{port}"}
    h.update(headers or {})
    conn.request(method, path, headers=h)
    res = conn.getresponse()
    body = res.read()
    conn.close()
    return res, body


def raw(data):
    """Sends bytes as they are; the reply's first line, or '' when the server closed."""
    with socket.create_connection(("127.0.0.1", port), timeout=BOUND) as s:
        try:
            s.sendall(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # refused before it was all sent
        reply = b""
        try:
            while b"\r\n\r\n" not in reply and (chunk := s.recv(65536)):
                reply += chunk
        except (ConnectionResetError, socket.timeout):
            pass
    return reply.split(b"\r\n", 1)[0].decode(errors="replace")


def alive():
    res, body = request("GET", "/api/runs")
    return res.status == 200


res, body = request("GET", "/")
check(res.status == 200 and b"/dashboard.js" in body, "the page is served")
csp = res.getheader("Content-Security-Policy") or ""
check("default-src 'none'" in csp and "connect-src 'self'" in csp,
      "the page may talk to this server only (Content-Security-Policy)")
check(res.getheader("X-Content-Type-Options") == "nosniff", "nosniff on every reply")

res, body = request("GET", "/api/runs")
names = [r["name"] for r in json.loads(body)]
check(sorted(names) == ["sim", "torn"],
      f"the runs are listed, not a directory that is not one or a link out ({names})")

# DNS rebinding: a page of another name that resolves to 127.0.0.1.
for host in ("evil.example", f"evil.example:{port}", f"localhost.evil.example:{port}",
             f"localhost:{port + 1}"):
    res, body = request("GET", "/api/runs", host=host)
    check(res.status == 403, f"Host: {host} is refused ({res.status})")
res, _ = request("GET", "/api/runs", host=f"localhost:{port}")
check(res.status == 200, "Host: localhost is answered")

for method in ("POST", "PUT", "DELETE", "PATCH"):
    res, _ = request(method, "/api/runs")
    check(res.status == 405, f"{method} is refused: the dashboard is read-only ({res.status})")

# Paths out of the runs: the server builds no path from a request.
for path in ("/../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/..%2f..%2fetc%2fpasswd",
             "//etc/passwd", "/api/run/trials.csv?run=..%2F..%2Fetc",
             "/api/run/trials.csv?run=%2Fetc", "/api/run/trials.csv?run=link-out%2Fsecret",
             "/api/run?run=sim%2F..%2F..", "/api/trial/output?run=sim&trial=..%2F..&stream=stdout",
             "/api/trial/output?run=sim&trial=0&stream=..%2F..%2Fsecret"):
    res, body = request("GET", path)
    check(400 <= res.status < 500 and b"root:" not in body and b"SECRET" not in body,
          f"{path}: {res.status}, nothing outside the runs")
for stream in ("stdout", "stderr"):
    res, body = request("GET", f"/api/trial/output?run=sim&trial=0&stream={stream}")
    check(b"SECRET" not in body, f"a trial's {stream}.log linked out of the run is not followed")
res, body = request("GET", "/api/trial/output?run=sim&trial=1&stream=stdout")
check(res.status == 200 and body == b"epoch 1 done\n", "a trial's own output is served")

# Malformed requests: a 4xx or a closed connection, and the server goes on.
for data in (b"GARBAGE\r\n\r\n", b"GET\r\n\r\n", b"GET / HTTP/9.9\r\n\r\n",
             b"GET /" + b"a" * 100000 + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
             b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX: " + b"b" * 100000 + b"\r\n\r\n",
             b"GET /api/runs HTTP/1.1\r\n" + b"H: v\r\n" * 5000 + b"\r\n",
             b"POST /api/runs HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 999999999\r\n\r\nx",
             b"\x00\xff\xfe\r\n\r\n"):
    first = raw(data)
    check(first.startswith("HTTP/1.1 4") and alive(),
          f"malformed {data[:24]!r}...: {first or 'closed'}; the server goes on")


def open_stream(path, rcvbuf=None):
    s = socket.socket()
    if rcvbuf:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    s.settimeout(BOUND)
    s.connect(("127.0.0.1", port))
    s.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode())
    return s


def read_until(s, marker):
    data = b""
    while marker not in data:
        chunk = s.recv(65536)
        if not chunk:
            break
        data += chunk
    return data


def wait_until_listed(name):
    """Until the server lists run `name` (its watcher adds a copied run soon after it appears)."""
    res, body = request("GET", "/api/runs")
    while name not in [r["name"] for r in json.loads(body)]:
        runs_stream = open_stream("/api/runs/events")
        read_until(runs_stream, f'"{name}"'.encode())
        runs_stream.close()
        res, body = request("GET", "/api/runs")


# A torn last line (a run being written) is not sent until it is whole.
s = open_stream("/api/run/events?run=torn")
data = read_until(s, b'{"event":"finished"')
data += read_until(s, b"\n\n")
s.close()
check(b'"finished"' in data and b"TORN" not in data, "a torn last journal line is not sent")

# Slow clients: pages that never read a long stream hold up nobody.
slow = [open_stream("/api/run/events?run=sim", rcvbuf=4096) for _ in range(4)]
check(all(alive() for _ in range(5)), "pages that do not read their stream hold up nobody")
# Vanished clients.
for _ in range(20):
    open_stream("/api/run/events?run=sim").close()
check(alive(), "pages that vanish mid-stream cost nothing")
for s in slow:
    s.close()

# A run deleted while a page follows it.
shutil.copytree(os.path.join(root, "sim"), os.path.join(root, "doomed"), symlinks=True)
wait_until_listed("doomed")
s = open_stream("/api/run/events?run=doomed")
read_until(s, b'"finished"')
shutil.rmtree(os.path.join(root, "doomed"))
data = read_until(s, b"event: gone")
s.close()
check(b"event: gone" in data, "a page following a run that is deleted is told so")
check(alive(), "the server goes on after a served run is deleted")

# A taken port.
taken = run(["serve", root, "--port", str(port)])
check(taken.returncode == 3 and str(port) in taken.stderr,
      f"serve on a taken port: exit 3 naming it ({taken.returncode}: {taken.stderr.strip()})")
beside = run(["--config", os.path.join(src, "configs/quick.json"), "--max-trials", "2", "--gpus",
              "none", "--run-dir", os.path.join(work, "beside"), "--quiet", "--serve", str(port)],
             cwd=src)
check(beside.returncode == 0 and "no dashboard for this run" in beside.stderr,
      f"--serve on a taken port: a warning, and the run goes on ({beside.returncode}: "
      f"{beside.stderr.strip()[-300:]})")
exposed = subprocess.Popen([tuner, "serve", root, "--port", "0", "--bind", "0.0.0.0"],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
atexit.register(lambda: exposed.poll() is None and exposed.kill())
exposed.stdout.readline()
exposed.send_signal(signal.SIGINT)
_, exposed_err = exposed.communicate(timeout=BOUND)
check("no authentication" in exposed_err, "another address than loopback gets a warning")
check(exposed.returncode == 0, f"Ctrl-C ends serve with exit 0 ({exposed.returncode})")

# A server that stops (Ctrl-C here; the run's end for --serve) still sends what the journal
# holds by then: a record journaled just before reaches the open page before its stream ends.
shutil.copytree(os.path.join(root, "sim"), os.path.join(root, "ending"), symlinks=True)
wait_until_listed("ending")
s = open_stream("/api/run/events?run=ending")
read_until(s, b'"finished"')
with open(os.path.join(root, "ending", "journal.jsonl"), "a") as f:
    f.write('{"event":"clock","said":"THE-LAST-WORD"}\n')
server.send_signal(signal.SIGINT)
data = read_until(s, b"THE-LAST-WORD")
s.close()
check(b"THE-LAST-WORD" in data, "a stopping server sends the page what was journaled before")
try:
    rc = server.wait(timeout=BOUND)
except subprocess.TimeoutExpired:
    server.kill()
    rc = server.wait()
err.close()
check(rc == 0, f"serve ends on SIGINT with exit 0 ({rc})")
if failures:
    print("--- serve stderr\n" + open(err_path).read())
print(f"{len(failures)} failed")
sys.exit(1 if failures else 0)
