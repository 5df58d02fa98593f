#!/usr/bin/env python3
"""Faults under a steady write load, run by scripts/test-faults.sh (which makes the cluster, keys and accounts).

A load of writer threads creates care tasks and records each one the gateway acknowledged (201 with its id) and
each one it did not (an error, a 503, a broken connection). Then, one after another:

  kill -9     the gateway is killed with SIGKILL and started again;
  pg-fast     PostgreSQL is stopped in fast mode and started again, the gateway left alone;
  pg-immediate  the same in immediate mode (no shutdown checkpoint: crash recovery on start);
  two-gateways  a second gateway writes the same chain beside the first;
  bad-input   oversized and malformed bodies, forged and malformed tokens and slow clients, beside the load.

After each: every acknowledged task is in `care_tasks` with its `task.create` entry, every faulted task row has
its entry (nothing half-written), writes are acknowledged again after the fault, and
`verifier verify --replay` passes. Standard library only.
"""

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time

ENV = os.environ
TMP = ENV["FAULTS_TMP"]
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PATIENTS = [line.strip() for line in open(ENV["FAULTS_PATIENTS_FILE"]) if line.strip()]
WRITER_EMAIL = ENV["FAULTS_WRITER_EMAIL"]
WRITER_PASSWORD = open(ENV["FAULTS_WRITER_PASSWORD_FILE"]).read().strip()
OWNER_URL = ENV["DATABASE_OWNER_URL"]


class Failure(Exception):
    pass


def expect(condition, message):
    if not condition:
        raise Failure(message)


def wait_for(condition, seconds, message, interval=0.1):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(interval)
    raise Failure(message)


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def call(port, method, path, body=None, token=None, timeout=10, headers=None):
    """One request; (status, parsed JSON or None). Raises OSError when the connection fails."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        sent = dict(headers or {})
        data = None
        if body is not None:
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            sent.setdefault("Content-Type", "application/json")
        if token:
            sent["Authorization"] = "Bearer " + token
        connection.request(method, path, body=data, headers=sent)
        response = connection.getresponse()
        raw = response.read()
        try:
            parsed = json.loads(raw) if raw else None
        except ValueError:
            parsed = None
        return response.status, parsed
    finally:
        connection.close()


def psql(query):
    """Rows of `query` as lists of strings, run as the owner role."""
    result = subprocess.run(
        ["psql", "-X", "-A", "-t", "-q", "-F", "\t", "-v", "ON_ERROR_STOP=1", OWNER_URL, "-c", query],
        capture_output=True, text=True, timeout=60)
    expect(result.returncode == 0, "psql failed: " + result.stderr.strip())
    return [line.split("\t") for line in result.stdout.splitlines() if line]


def pg(action, *arguments):
    """pg_stop or pg_start from scripts/pg.sh, on the test's cluster."""
    script = 'source scripts/pg.sh; "$@"'
    result = subprocess.run(["bash", "-c", script, "pg", action, *arguments], cwd=ROOT, capture_output=True, text=True,
                            timeout=120)
    expect(result.returncode == 0, f"{action} failed: {result.stderr.strip()}")


def pg_stop(mode):
    pg("pg_stop", ENV["FAULTS_PG_DATA"], mode)


def pg_start():
    pg("pg_start", ENV["FAULTS_PG_DATA"], ENV["FAULTS_PG_SOCKET"], ENV["FAULTS_PG_PORT"], ENV["FAULTS_PG_LOG"])


class Gateway:
    """One `gateway serve` process, configured by the environment scripts/live-gateway.sh set up."""

    def __init__(self, name):
        self.name = name
        self.port = free_port()
        self.process = None
        self.log_path = os.path.join(TMP, f"gateway-{name}.log")

    def start(self):
        log = open(self.log_path, "ab")
        self.process = subprocess.Popen([ENV["FAULTS_GATEWAY"], "serve"], env={**ENV, "PORT": str(self.port)},
                                        stdout=log, stderr=subprocess.STDOUT)
        log.close()
        wait_for(lambda: self.readiness() == 200, 90, f"gateway {self.name} was not ready within 90 s")
        return self

    def readiness(self):
        """The status of /health/ready, or None when nothing answers."""
        if self.process is None or self.process.poll() is not None:
            return None
        try:
            return call(self.port, "GET", "/health/ready", timeout=5)[0]
        except OSError:
            return None

    def kill9(self):
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def resident_kib(self):
        with open(f"/proc/{self.process.pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        raise Failure("no VmRSS for the gateway")

    def running(self):
        return self.process is not None and self.process.poll() is None


class WriteLoad:
    """Writer threads creating care tasks through `gateways` (a thread sticks to one), recording what was
    acknowledged and what was not."""

    def __init__(self, label, gateways, threads=6):
        self.label = label
        self.gateways = gateways
        self.threads = threads
        self.lock = threading.Lock()
        self.acknowledged = []  # (task id, title, gateway name)
        self.unanswered = []  # titles sent without a 201 in return
        self.stopping = threading.Event()
        self.workers = []

    def start(self):
        for index in range(self.threads):
            worker = threading.Thread(target=self.run, args=(index,), daemon=True)
            worker.start()
            self.workers.append(worker)
        return self

    def stop(self):
        self.stopping.set()
        for worker in self.workers:
            worker.join(timeout=60)
            expect(not worker.is_alive(), "a writer thread did not stop")

    def count(self, gateway=None):
        with self.lock:
            return sum(1 for item in self.acknowledged if gateway is None or item[2] == gateway.name)

    def wait_for_more(self, extra, seconds, what, gateway=None):
        base = self.count(gateway)
        wait_for(lambda: self.count(gateway) >= base + extra, seconds, f"{self.label}: no {extra} writes acknowledged {what}")

    def run(self, index):
        gateway = self.gateways[index % len(self.gateways)]
        token = None
        number = 0
        while not self.stopping.is_set():
            if token is None:
                token = sign_in(gateway.port)
                if token is None:
                    time.sleep(0.2)
                    continue
            number += 1
            title = f"fault {self.label} {index}-{number}"
            body = {"patientId": PATIENTS[number % len(PATIENTS)], "title": title, "priority": "urgent", "tags": ["fault"]}
            try:
                status, answer = call(gateway.port, "POST", "/v1/tasks", body, token=token, timeout=10)
            except OSError:
                status, answer = None, None
            with self.lock:
                if status == 201 and answer and "id" in answer:
                    self.acknowledged.append((answer["id"], title, gateway.name))
                else:
                    self.unanswered.append(title)
            if status == 401:
                token = None
            elif status != 201:
                time.sleep(0.1)



def sign_in(port):
    """An access token for the load's account, or None when the gateway cannot give one now."""
    try:
        status, answer = call(port, "POST", "/v1/auth/login", {"email": WRITER_EMAIL, "password": WRITER_PASSWORD})
    except OSError:
        return None
    return answer["accessToken"] if status == 200 else None


def check(load):
    """Every acknowledged write is there with its entry, no task row lacks its entry, and replay passes."""
    rows = psql(f"""
        SELECT t.id, t.title, coalesce(e.action, ''), coalesce(convert_from(e.canonical, 'UTF8')::jsonb #>> '{{resource,id}}', '')
        FROM care_tasks t LEFT JOIN ledger_entries e ON e.chain_id = 'main' AND e.seq = t.ledger_seq
        WHERE t.title LIKE 'fault {load.label} %'""")
    stored = {row[0]: row for row in rows}
    for task_id, title, _ in load.acknowledged:
        row = stored.get(task_id)
        expect(row is not None, f"{load.label}: acknowledged task {task_id} is not in care_tasks")
        expect(row[1] == title, f"{load.label}: acknowledged task {task_id} has another title")
    for task_id, _, action, resource in rows:
        expect(action == "task.create" and resource == task_id,
               f"{load.label}: task {task_id} has no task.create entry of its own (half-written)")
    acknowledged_ids = {item[0] for item in load.acknowledged}
    committed_unanswered = sum(1 for task_id in stored if task_id not in acknowledged_ids)
    verify = subprocess.run(
        [ENV["FAULTS_VERIFIER"], "verify", "-d", OWNER_URL, "--trusted-keys", ENV["FAULTS_TRUSTED_KEYS"],
         "--witness", ENV["LEDGER_WITNESS_FILE"], "--replay", "--kek", ENV["LEDGER_KEK_FILE"]],
        capture_output=True, text=True, timeout=300)
    expect(verify.returncode == 0, f"{load.label}: verifier verify --replay exited {verify.returncode}:\n"
           + "\n".join(verify.stdout.splitlines()[:20]) + verify.stderr)
    print(f"  {load.label}: {len(load.acknowledged)} acknowledged, all stored; {len(load.unanswered)} not acknowledged, "
          f"{committed_unanswered} of them committed whole, none half-written; verify --replay: intact", flush=True)


def kill9(gateway):
    load = WriteLoad("kill-9", [gateway]).start()
    load.wait_for_more(30, 60, "before the kill")
    gateway.kill9()
    expect(gateway.readiness() is None, "kill-9: something still answers on the killed gateway's port")
    gateway.start()
    load.wait_for_more(30, 60, "after the restart")
    load.stop()
    check(load)


def postgres_restart(gateway, mode):
    load = WriteLoad(f"pg-{mode}", [gateway]).start()
    load.wait_for_more(30, 60, "before PostgreSQL stopped")
    pg_stop(mode)
    wait_for(lambda: gateway.readiness() == 503, 20, f"pg-{mode}: /health/ready did not turn 503 while PostgreSQL was down")
    time.sleep(1)
    expect(gateway.readiness() == 503, f"pg-{mode}: /health/ready did not stay 503 while PostgreSQL was down")
    pg_start()
    wait_for(lambda: gateway.readiness() == 200, 60, f"pg-{mode}: the gateway was not ready again within 60 s")
    expect(gateway.running(), f"pg-{mode}: the gateway process stopped")
    load.wait_for_more(30, 60, "after PostgreSQL came back")
    load.stop()
    check(load)


def two_gateways(first):
    second = Gateway("second").start()
    try:
        load = WriteLoad("two-gateways", [first, second], threads=8).start()
        load.wait_for_more(60, 60, "through the first gateway", gateway=first)
        load.wait_for_more(60, 60, "through the second gateway", gateway=second)
        load.stop()
        check(load)
    finally:
        second.stop()


def bad_requests(port):
    """Requests that must each get a 4xx; returns how many were sent."""
    token = sign_in(port)
    expect(token is not None, "bad-input: the writer could not sign in")
    header, payload, signature = token.split(".")
    cases = [
        # (what, method, path, body, token, headers, expected status)
        ("truncated JSON", "POST", "/v1/tasks", b'{"patientId": "', token, {}, 400),
        ("JSON of the wrong shape", "POST", "/v1/tasks", b'[1, 2, 3]', token, {}, 400),
        ("not JSON at all", "POST", "/v1/tasks", b"\xff\xfe\x00garbage", token, {}, 400),
        ("wrong content type", "POST", "/v1/tasks", b"title=x", token, {"Content-Type": "text/plain"}, 415),
        ("token with a forged signature", "GET", "/v1/auth/me", None, f"{header}.{payload}.{signature[::-1]}", {}, 401),
        ("token with alg none", "GET", "/v1/auth/me", None,
         "eyJhbGciOiJub25lIiwidHlwIjoiYXQrand0In0." + payload + ".", {}, 401),
        ("token that is not a JWT", "GET", "/v1/auth/me", None, "not-a-token", {}, 401),
        ("token of 8 KiB of garbage", "GET", "/v1/auth/me", None, "A" * 8000, {}, 401),
    ]
    sent = 0
    for _ in range(20):
        got = oversized(port, token)
        expect(got == 413, f"bad-input: a body declared at 2 MiB answered {got}, not 413")
        sent += 1
    for what, method, path, body, bearer, headers, status in cases:
        for _ in range(20):
            got, _ = call(port, method, path, body, token=bearer, headers=headers)
            expect(got == status, f"bad-input: {what} answered {got}, not {status}")
            sent += 1
    return sent


def oversized(port, token):
    """Declares a 2 MiB body, sends its first KiB and reads the answer: the gateway must refuse it from the
    declared length, before reading the rest. The status, or None if the connection broke first."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(
            b"POST /v1/tasks HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            + f"Authorization: Bearer {token}\r\nContent-Length: {2 << 20}\r\n\r\n".encode() + b"{" + b" " * 1023)
        answer = b""
        while b"\r\n" not in answer:
            chunk = connection.recv(4096)
            if not chunk:
                return None
            answer += chunk
        return int(answer.split(b" ")[1])


def slow_clients(port, count, seconds):
    """`count` connections that send a request head a few bytes at a time and never finish it; returns how many
    the gateway closed by itself within `seconds`."""
    sockets = []
    for _ in range(count):
        connection = socket.create_connection(("127.0.0.1", port), timeout=5)
        connection.sendall(b"POST /v1/tasks HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        sockets.append(connection)
    closed = set()
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and len(closed) < count:
        for index, connection in enumerate(sockets):
            if index in closed:
                continue
            try:
                connection.sendall(b"X-Slow: 1\r\n")
            except OSError:
                closed.add(index)
        time.sleep(0.5)
    for connection in sockets:
        connection.close()
    return len(closed)


def bad_input(gateway):
    load = WriteLoad("bad-input", [gateway]).start()
    load.wait_for_more(20, 60, "before the bad input")
    resident_before = gateway.resident_kib()
    results = {}

    def slow():
        results["closed"] = slow_clients(gateway.port, 200, int(ENV["HTTP_IDLE_TIMEOUT_SECONDS"]) + 10)

    slow_thread = threading.Thread(target=slow, daemon=True)
    slow_thread.start()
    sent = 0
    threads = []
    for _ in range(4):
        def bad():
            results.setdefault("sent", []).append(bad_requests(gateway.port))
        thread = threading.Thread(target=bad, daemon=True)
        thread.start()
        threads.append(thread)
    for thread in threads:
        thread.join(timeout=300)
    sent = sum(results.get("sent", []))
    expect(sent == 4 * 9 * 20, f"bad-input: only {sent} of the bad requests were answered as expected")
    load.wait_for_more(20, 60, "while slow clients held connections")
    slow_thread.join(timeout=120)
    expect(results.get("closed") == 200,
           f"bad-input: the gateway closed {results.get('closed')} of 200 slow connections within the idle timeout")
    expect(gateway.running(), "bad-input: the gateway stopped")
    resident_after = gateway.resident_kib()
    growth = (resident_after - resident_before) // 1024
    expect(growth < 64, f"bad-input: the gateway's memory grew by {growth} MiB")
    load.stop()
    check(load)
    print(f"  bad-input: {sent} bad requests answered 4xx, 200 slow connections closed by the gateway, "
          f"memory {resident_before // 1024} -> {resident_after // 1024} MiB", flush=True)


def main():
    gateway = Gateway("first").start()
    scenarios = [
        ("kill -9 of the gateway under load", lambda: kill9(gateway)),
        ("PostgreSQL restarted in fast mode", lambda: postgres_restart(gateway, "fast")),
        ("PostgreSQL restarted in immediate mode", lambda: postgres_restart(gateway, "immediate")),
        ("two gateways writing one chain", lambda: two_gateways(gateway)),
        ("bad input beside the load", lambda: bad_input(gateway)),
    ]
    only = ENV.get("FAULTS_ONLY")
    if only:
        scenarios = [(name, run) for name, run in scenarios if only in name]
    try:
        for name, scenario in scenarios:
            started = time.monotonic()
            print(f"fault: {name}", flush=True)
            scenario()
            print(f"  ({time.monotonic() - started:.1f} s)", flush=True)
    except Failure as failure:
        print(f"FAILED: {failure}", file=sys.stderr, flush=True)
        if ENV.get("FAULTS_HOLD"):
            print(f"holding: gateway on port {gateway.port}", flush=True)
            time.sleep(int(ENV["FAULTS_HOLD"]))
        for name in ("first", "second"):
            path = os.path.join(TMP, f"gateway-{name}.log")
            if os.path.exists(path):
                print(f"--- last lines of {path} ---", file=sys.stderr)
                with open(path, errors="replace") as log:
                    print("".join(log.readlines()[-15:]), file=sys.stderr)
        return 1
    finally:
        gateway.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
