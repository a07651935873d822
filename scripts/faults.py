#!/usr/bin/env python3
"""Fault injection against the real API on a private PostgreSQL (driven by scripts/test-faults.sh).

Clients ingest single events and batches, each event with an external_id, and retry every failure until the API
acknowledges it (201/200), as log shippers do. Meanwhile faults are injected: PostgreSQL stopped for 10 s, the API
killed with SIGKILL and restarted, the API's connections terminated, the pool exhausted and statements timed out by a
table lock. Afterwards the database must hold every acknowledged event exactly once, every batch whole, one alert per
HIGH/CRITICAL event, and no answer may have been a 500. The notification outbox is killed too: a real webhook receiver
(its own Standard Webhooks verification) holds the dispatcher's requests while CRITICAL alerts keep coming, the API is
killed with SIGKILL while some deliveries are committed but not yet claimed and others reached the receiver but were
never recorded SENT; after the restart every delivery must arrive, once per webhook-id, and none unknown or unsigned.
Prints a table of faults and losses; exits 1 on any loss.
"""
import base64
import hashlib
import hmac
import http.client
import http.server
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
import uuid

API_DLL = os.environ["TP_API_DLL"]
PORT = int(os.environ.get("TP_FAULTS_API_PORT", "18450"))
PG_URL = os.environ["TP_FAULTS_CONNECTION_STRING"]
PG_CTL = os.environ["TP_PG_CTL"]
PG_DIR = os.environ["TP_PG_DIR"]
PSQL = os.environ.get("TP_PSQL", "psql")
AS_OWNER = os.environ.get("TP_AS_OWNER", "").split()
LOG = os.environ.get("TP_FAULTS_LOG", "/tmp/tp-faults-api.log")
PASSWORD = "Faults-Test-Password-1!"

kv = dict(part.split("=", 1) for part in PG_URL.split(";") if "=" in part)
PG_ENV = dict(os.environ, PGPASSWORD=kv["Password"])
PSQL_ARGS = [PSQL, "-h", kv["Host"], "-p", kv["Port"], "-U", kv["Username"], "-d", kv["Database"], "-tAq", "-v", "ON_ERROR_STOP=1"]

RUN = uuid.uuid4().hex[:8]
SEVERITIES = ["LOW", "MEDIUM", "HIGH", "CRITICAL"]


def psql(sql):
    done = subprocess.run(PSQL_ARGS + ["-c", sql], env=PG_ENV, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"psql failed: {done.stderr.strip()}\n{sql}")
    return done.stdout.strip()


class Api:
    def __init__(self):
        self.proc = None
        self.env = dict(os.environ,
                        ConnectionStrings__Default=PG_URL,
                        ASPNETCORE_ENVIRONMENT="Production",
                        Jwt__SigningKey="faults-signing-key-" + "x" * 40,
                        Audit__ChainKey=base64.b64encode(os.urandom(48)).decode(),
                        Database__MigrateOnStartup="true",
                        Database__StatementTimeoutSeconds="2",
                        Database__PoolSize="8",
                        Database__AcquireTimeoutMilliseconds="800",
                        RateLimiting__User__PermitsPerMinute="0",
                        RateLimiting__SensorKey__PermitsPerMinute="0",
                        RateLimiting__Anonymous__PermitsPerMinute="0",
                        RateLimiting__AuthPermitsPerMinute="100000",
                        RateLimiting__MaxConcurrentBatches="64",
                        RateLimiting__MaxConcurrentBatchesPerCaller="64",
                        RateLimiting__SensorKeyReservedBatchPercent="0",
                        Ingest__UserEventsPerSecond="0",
                        Serilog__MinimumLevel__Default="Warning",
                        # The notify-kill-9 scenario's receiver runs on loopback; a send is cut off after 10 s, and a
                        # delivery whose host died mid-send is sent again 12 s after it was claimed.
                        Notifications__AllowedNetworks__0="127.0.0.1/32",
                        Notifications__RequestTimeoutSeconds="10",
                        Notifications__LeaseSeconds="12")

    def start(self):
        log = open(LOG, "a")
        self.proc = subprocess.Popen(["dotnet", API_DLL, "--urls", f"http://127.0.0.1:{PORT}"], env=self.env,
                                     stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        wait_until(lambda: status("GET", "/health/ready")[0] == 200, 120, "the API to become ready")

    def kill9(self):
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait()

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()


def request(method, path, body=None, token=None, content_type="application/json", timeout=30):
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=timeout)
    headers = {"Content-Type": content_type}
    if token:
        headers["Authorization"] = "Bearer " + token
    try:
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        return response.status, response.getheader("Retry-After"), response.read()
    finally:
        conn.close()


def status(method, path, token=None):
    try:
        code, retry_after, _ = request(method, path, token=token, timeout=5)
        return code, retry_after
    except OSError:
        return None, None


def wait_until(check, seconds, what):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if check():
            return
        time.sleep(0.2)
    raise SystemExit(f"timed out waiting for {what}")


class WebhookReceiver:
    """A real HTTP receiver that verifies the Standard Webhooks signature with its own code: HMAC-SHA256 keyed with the
    base64-decoded part of the whsec_ secret over "{webhook-id}.{webhook-timestamp}.{body}", any "v1,<base64>" entry of
    webhook-signature matching (compared in constant time), the timestamp within 5 minutes. It records each request as
    it arrives (as a receiver that acts on it would), then answers 204, or, while holding, waits before answering."""

    def __init__(self):
        self.secret = None
        self.lock = threading.Lock()
        self.received = []           # (webhook-id, signature valid, alert id in the body)
        self.release = threading.Event()
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                webhook_id = self.headers.get("webhook-id", "")
                valid = receiver.verify(webhook_id, self.headers.get("webhook-timestamp", ""), self.headers.get("webhook-signature", ""), body)
                try:
                    alert = json.loads(body)["data"]["alert"]["id"]
                except (ValueError, KeyError, TypeError):
                    alert = None
                with receiver.lock:
                    receiver.received.append((webhook_id, valid, alert))
                receiver.release.wait(60)
                try:
                    self.send_response(204)
                    self.end_headers()
                except OSError:
                    pass  # the sender died while we held its request

            def log_message(self, *args):
                pass

        class Server(http.server.ThreadingHTTPServer):
            request_queue_size = 128  # the default backlog of 5 resets the dispatcher's concurrent connections

        self.server = Server(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def verify(self, webhook_id, timestamp, header, body):
        if not self.secret or not self.secret.startswith("whsec_") or not timestamp.isdigit() or abs(time.time() - int(timestamp)) > 300:
            return False
        key = base64.b64decode(self.secret[len("whsec_"):])
        expected = base64.b64encode(hmac.new(key, f"{webhook_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()).decode()
        return any(version == "v1" and hmac.compare_digest(signature, expected)
                   for version, _, signature in (entry.partition(",") for entry in header.split()))

    def held(self):
        with self.lock:
            return len(self.received)

    def stop(self):
        self.release.set()
        self.server.shutdown()


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.codes = {}
        self.errors = 0
        self.missing_retry_after = 0
        self.slowest_503 = 0.0
        self.kinds = {}
        self.slowest = {}

    def record(self, code, retry_after, elapsed, body=b""):
        with self.lock:
            self.codes[code] = self.codes.get(code, 0) + 1
            if code == 503:
                text = body.decode("utf-8", "replace")
                kind = "pool" if "connection of this server" in text else "timeout" if "took longer" in text else "down"
                self.kinds[kind] = self.kinds.get(kind, 0) + 1
                self.slowest[kind] = max(self.slowest.get(kind, 0.0), elapsed)
            if code in (429, 503) and not retry_after:
                self.missing_retry_after += 1
            if code == 503:
                self.slowest_503 = max(self.slowest_503, elapsed)

    def error(self):
        with self.lock:
            self.errors += 1


class Clients:
    """Single-event and batch clients that retry until acknowledged; remembers what was acknowledged."""

    def __init__(self, token, scenario, stats, singles=2, batchers=1, batch_size=50):
        self.token, self.scenario, self.stats = token, scenario, stats
        self.stop = threading.Event()
        self.acked = set()           # (source, external_id)
        self.batches = {}            # batch id -> size, acknowledged batches
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self.single, args=(i,)) for i in range(singles)] + \
                       [threading.Thread(target=self.batch, args=(i, batch_size)) for i in range(batchers)]

    def __enter__(self):
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for t in self.threads:
            t.join()

    def event(self, source, external_id, n):
        return {"source": source, "event_type": "fault_probe", "severity": SEVERITIES[n % 4],
                "description": f"fault injection {self.scenario} #{n}", "external_id": external_id,
                "occurred_at": "2026-11-30T00:00:00Z", "source_ip": "192.0.2.1"}

    def send_until_acked(self, method, path, body, content_type="application/json"):
        delay = 0.05
        while True:
            started = time.time()
            try:
                code, retry_after, answer = request(method, path, body, self.token, content_type)
                self.stats.record(code, retry_after, time.time() - started, answer)
                if code in (200, 201):
                    return True
                if code in (429, 503) and retry_after:
                    delay = min(float(retry_after), 2.0)
            except OSError:
                self.stats.error()
            if self.stop.is_set() and time.time() - started > 60:
                return False
            time.sleep(delay + random.random() * 0.05)
            delay = min(delay * 2, 1.0)

    def single(self, worker):
        source = f"faults-{RUN}-{self.scenario}-s{worker}"
        n = 0
        while not self.stop.is_set():
            external_id = f"e{n}"
            body = json.dumps(self.event(source, external_id, n))
            if self.send_until_acked("POST", "/api/events/", body):
                with self.lock:
                    self.acked.add((source, external_id))
            n += 1

    def batch(self, worker, size):
        source = f"faults-{RUN}-{self.scenario}-b{worker}"
        b = 0
        while not self.stop.is_set():
            items = [self.event(source, f"b{b}-{i}", b * size + i) for i in range(size)]
            body = "\n".join(json.dumps(item) for item in items) + "\n"
            if self.send_until_acked("POST", "/api/events/batch/", body, "application/x-ndjson"):
                with self.lock:
                    self.batches[(source, b)] = size
                    self.acked.update((source, item["external_id"]) for item in items)
            b += 1


def verify(clients, scenario):
    """(acknowledged, lost, duplicated, torn batches, alert mismatches) for one scenario's sources."""
    like = f"faults-{RUN}-{scenario}-%"
    rows = psql(f"SELECT source || '|' || external_id || '|' || count(*) FROM events WHERE source LIKE '{like}' GROUP BY source, external_id").splitlines()
    stored = {}
    for row in rows:
        source, external_id, count = row.rsplit("|", 2)
        stored[(source.split("|")[0], external_id)] = int(count)
    lost = sum(1 for key in clients.acked if key not in stored)
    duplicated = sum(1 for count in stored.values() if count > 1)
    torn = 0
    for (source, b), size in clients.batches.items():
        present = sum(1 for i in range(size) if (source, f"b{b}-{i}") in stored)
        torn += present not in (0, size)
    # Batches sent but never acknowledged (the run ended first) must be whole or absent too.
    prefixes = {}
    for (source, external_id) in stored:
        if external_id.startswith("b"):
            prefixes.setdefault((source, external_id.split("-")[0]), 0)
            prefixes[(source, external_id.split("-")[0])] += 1
    torn += sum(1 for count in prefixes.values() if count not in (0, 50))
    alerts = int(psql(
        f"SELECT count(*) FROM events e WHERE e.source LIKE '{like}' AND e.severity >= 3 "
        f"AND (SELECT count(*) FROM alerts a WHERE a.event_id = e.id) <> 1") or 0)
    alerts += int(psql(
        f"SELECT count(*) FROM events e JOIN alerts a ON a.event_id = e.id WHERE e.source LIKE '{like}' AND e.severity < 3") or 0)
    return len(clients.acked), lost, duplicated, torn, alerts


def main():
    api = Api()
    results = []
    failed = False
    try:
        api.start()
        # The first admin, then a token (valid 15 minutes, longer than this run).
        subprocess.run(["dotnet", API_DLL, "create-admin", "--username", f"faults_{RUN}", "--email", f"faults_{RUN}@example.org", "--password-stdin"],
                       input=PASSWORD + "\n", text=True, env=api.env, check=True, capture_output=True)
        _, _, body = request("POST", "/api/auth/login/", json.dumps({"username": f"faults_{RUN}", "password": PASSWORD}))
        token = json.loads(body)["access"]

        def scenario(name, inject, fault_text, singles=2, batchers=1, after=None):
            print(f"{time.strftime('%H:%M:%S')} {name}: {fault_text}", flush=True)
            stats = Stats()
            with Clients(token, name, stats, singles, batchers) as clients:
                time.sleep(3)
                observed = inject(token)
                time.sleep(3)
            acked, lost, duplicated, torn, alerts = verify(clients, name)
            if after is not None:
                extra = after()
                alerts += extra["errors"]
                observed = {"ok": observed["ok"] and extra["ok"], "note": observed["note"] + "; " + extra["note"]}
            five_hundreds = sum(count for code, count in stats.codes.items() if code >= 500 and code != 503)
            ok = lost == 0 and duplicated == 0 and torn == 0 and alerts == 0 and five_hundreds == 0 and stats.missing_retry_after == 0 and observed["ok"]
            results.append((name, fault_text, acked, stats.codes.get(503, 0), f"{stats.slowest_503:.2f}", stats.errors, five_hundreds,
                            lost + duplicated + torn + alerts,
                            observed["note"] + ("; 503s: " + ", ".join(f"{k} {v} (slowest {stats.slowest[k]:.2f} s)" for k, v in sorted(stats.kinds.items())) if stats.kinds else ""),
                            "ok" if ok else "FAILED"))
            return ok

        def stop_postgres(token):
            subprocess.run(AS_OWNER + [PG_CTL, "-D", PG_DIR, "-m", "fast", "stop"], check=True, capture_output=True)
            time.sleep(2)
            ready_during = status("GET", "/health/ready")[0]
            probe = status("GET", "/api/events/", token)
            time.sleep(8)
            subprocess.run(AS_OWNER + [PG_CTL, "-D", PG_DIR, "-l", PG_DIR + "/server.log", "-w", "start"], check=True, capture_output=True)
            wait_until(lambda: status("GET", "/health/ready")[0] == 200, 60, "readiness after PostgreSQL restarted")
            return {"ok": ready_during == 503 and probe[0] == 503 and probe[1] is not None,
                    "note": f"/health/ready {ready_during} during; GET {probe[0]} Retry-After {probe[1]}; recovered without restart"}

        def kill_api(token):
            time.sleep(0.5)
            api.kill9()
            time.sleep(1)
            api.start()
            return {"ok": True, "note": "SIGKILL mid-batch, restarted"}

        def terminate_backends(token):
            killed = 0
            for _ in range(3):
                killed += len(psql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                   "WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'").splitlines())
                time.sleep(1)
            return {"ok": killed > 0, "note": f"{killed} connections terminated"}

        def lock_table(token):
            # Holds an exclusive lock on events for 5 s: ingest blocks, the pool of 8 fills up, blocked statements hit
            # the 2 s statement_timeout, and waiters past the 1 s acquire timeout get 503 at once.
            locker = subprocess.Popen(PSQL_ARGS + ["-c", "BEGIN; LOCK TABLE events IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(5); COMMIT;"],
                                      env=PG_ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            locker.wait()
            return {"ok": True, "note": "5 s exclusive lock on events"}

        # The outbox across a SIGKILL: a webhook channel and a rule for this scenario's CRITICAL alerts.
        receiver = WebhookReceiver()
        notify = "notify-kill-9"
        sources = [f"faults-{RUN}-{notify}-s0", f"faults-{RUN}-{notify}-s1", f"faults-{RUN}-{notify}-b0"]
        _, _, body = request("POST", "/api/notifications/channels/", json.dumps({"name": f"faults-{RUN}", "kind": "WEBHOOK", "config": {"url": receiver.url}}), token)
        channel = json.loads(body)
        receiver.secret = channel["config"]["secret"]
        _, _, body = request("POST", "/api/notifications/rules/", json.dumps({"name": f"faults-{RUN}", "events": ["alert.created"], "min_severity": "CRITICAL",
                                                                             "sources": sources, "channels": [channel["id"]]}), token)
        rule = json.loads(body)["id"]
        windows = {}

        def kill_api_mid_delivery(token):
            # The receiver holds every request: the dispatcher's round waits on it, so deliveries committed meanwhile
            # stay unclaimed (window a), and the held ones reached the receiver but cannot be recorded SENT (window b).
            wait_until(lambda: receiver.held() > 0 and int(psql(f"SELECT count(*) FROM notification_deliveries WHERE rule_id = {rule} AND attempts = 0") or 0) > 0,
                       60, "a webhook held at the receiver and a delivery not yet claimed")
            api.kill9()
            windows["unclaimed"] = int(psql(f"SELECT count(*) FROM notification_deliveries WHERE rule_id = {rule} AND attempts = 0") or 0)
            windows["unrecorded"] = len({webhook_id for webhook_id, _, _ in receiver.received})
            receiver.release.set()
            time.sleep(1)
            api.start()
            return {"ok": True, "note": f"SIGKILL with {windows['unclaimed']} deliveries committed but unclaimed and {windows['unrecorded']} received but not recorded SENT"}

        def deliveries_once():
            # Every delivery SENT (the lease of the unrecorded ones runs out first), then: one delivery per CRITICAL
            # alert, and the receiver saw each webhook-id, signed, for the right alert; repeats count once.
            wait_until(lambda: int(psql(f"SELECT count(*) FROM notification_deliveries WHERE rule_id = {rule} AND status <> 2") or 0) == 0,
                       90, "every delivery of the notify-kill-9 rule to be SENT")
            like = f"faults-{RUN}-{notify}-%"
            per_alert = int(psql(
                f"SELECT count(*) FROM events e JOIN alerts a ON a.event_id = e.id WHERE e.source LIKE '{like}' AND e.severity = 4 "
                f"AND (SELECT count(*) FROM notification_deliveries d WHERE d.alert_id = a.id AND d.rule_id = {rule}) <> 1") or 0)
            deliveries = dict(tuple(int(x) for x in row.split("|")) for row in
                              psql(f"SELECT id, alert_id FROM notification_deliveries WHERE rule_id = {rule}").splitlines())
            with receiver.lock:
                received = list(receiver.received)
            seen = {}
            for webhook_id, valid, alert in received:
                seen.setdefault(webhook_id, []).append((valid, alert))
            missing = [d for d in deliveries if str(d) not in seen]
            unknown = [i for i in seen if not i.isdigit() or int(i) not in deliveries]
            unsigned = sum(1 for _, valid, _ in received if not valid)
            wrong_alert = sum(1 for i, hits in seen.items() if i.isdigit() and int(i) in deliveries and any(a != deliveries[int(i)] for _, a in hits))
            repeated = sum(1 for hits in seen.values() if len(hits) > 1)
            errors = per_alert + len(missing) + len(unknown) + unsigned + wrong_alert
            ok = errors == 0 and windows.get("unclaimed", 0) > 0 and repeated > 0
            return {"ok": ok, "errors": errors,
                    "note": f"{len(deliveries)} deliveries SENT, {len(seen)} distinct webhook-ids verified at the receiver "
                            f"({len(received)} requests, {repeated} ids twice); {per_alert} alerts without exactly one delivery, "
                            f"{len(missing)} missing, {len(unknown)} unknown, {unsigned} bad signatures, {wrong_alert} wrong alert"}

        failed |= not scenario("pg-stop", stop_postgres, "PostgreSQL stopped 10 s")
        failed |= not scenario("kill-9", kill_api, "API killed (SIGKILL) and restarted", singles=1, batchers=3)
        failed |= not scenario("terminate", terminate_backends, "pg_terminate_backend x3")
        failed |= not scenario("pool-timeout", lock_table, "pool exhausted + statement_timeout", singles=12, batchers=2)
        failed |= not scenario(notify, kill_api_mid_delivery, "API killed (SIGKILL) between commit and webhook sent, restarted",
                               after=deliveries_once)
    finally:
        api.stop()
        if "receiver" in locals():
            receiver.stop()

    header = ("scenario", "fault injected", "acknowledged events", "503 answers", "slowest 503 (s)", "connection errors", "500 answers",
              "lost/duplicated/torn/alert errors", "observed", "result")
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for row in results:
        print("| " + " | ".join(str(cell) for cell in row) + " |")
    if failed or len(results) < 5:
        print("FAULTS: losses or unclean answers found", file=sys.stderr)
        return 1
    print(f"Fault scenarios: {len(results)} ok, no losses")
    return 0


if __name__ == "__main__":
    sys.exit(main())
