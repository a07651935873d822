// Drives the real API through the generated client: start it on a free port against a fresh database, then sign up,
// ingest, find, be refused, and work an alert as an admin made with the create-admin command.
// Run by scripts/client-test.sh (through `make test`), which sets TP_API_DLL and TP_CONNECTION_STRING.
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createServer } from "node:net";
import { after, before, describe, it } from "node:test";
import {
  AlertHistoryAction,
  AlertsClient,
  AlertStatus,
  AssignBody,
  AuthClient,
  CommentBody,
  CreateApiKeyBody,
  CreateSensorBody,
  EventsClient,
  EventInput,
  ProblemDetails,
  RegisterBody,
  SensorKind,
  TagsBody,
  SensorsClient,
  Session,
  Severity,
  UpdateStatusBody,
  streamAlerts,
  type AlertStreamEvent,
  type EventDto,
} from "../src/index.js";

const dll = required("TP_API_DLL");
const apiEnv: NodeJS.ProcessEnv = {
  ...process.env,
  ConnectionStrings__Default: required("TP_CONNECTION_STRING"),
  Database__MigrateOnStartup: "true",
  ASPNETCORE_ENVIRONMENT: "Production",
  Serilog__MinimumLevel__Default: "Warning",
};
const suffix = randomBytes(4).toString("hex");
const analyst = { username: `analyst_${suffix}`, email: `analyst_${suffix}@example.org`, password: `correct horse ${suffix} battery` };
const admin = { username: `admin_${suffix}`, email: `admin_${suffix}@example.org`, password: `stapled admin ${suffix} passphrase` };

let api: ChildProcess | undefined;
let apiOutput = "";
let baseUrl = "";

before(async () => {
  const port = await freePort();
  baseUrl = `http://127.0.0.1:${port}`;
  api = spawn("dotnet", [dll, "--urls", baseUrl], { env: apiEnv, stdio: ["ignore", "pipe", "pipe"] });
  api.stdout?.on("data", (chunk: Buffer) => (apiOutput += chunk.toString()));
  api.stderr?.on("data", (chunk: Buffer) => (apiOutput += chunk.toString()));
  await waitUntilReady(`${baseUrl}/health/ready`, 120_000);
  await createAdmin();
});

after(() => {
  api?.kill("SIGTERM");
});

describe("ThreatPlatform through the generated TypeScript client", () => {
  let analystHttp: Session;
  let event: EventDto;
  let alertId: number;
  let analystId: number;
  const marker = `needle-${suffix}`;

  it("registers an analyst", async () => {
    const user = await new AuthClient(baseUrl, { fetch }).register(new RegisterBody(analyst));

    analystId = user.id;
    assert.equal(user.username, analyst.username);
    assert.equal(user.role, "ANALYST");
    assert.ok(user.date_joined instanceof Date);
  });

  it("logs the analyst in and knows who is signed in", async () => {
    analystHttp = new Session({ baseUrl });
    await analystHttp.login(analyst.username, analyst.password);

    const me = await new AuthClient(baseUrl, analystHttp.http).me();

    assert.equal(me.username, analyst.username);
    assert.equal(me.role, "ANALYST");
  });

  it("ingests a HIGH event, which raises an alert", async () => {
    event = await new EventsClient(baseUrl, analystHttp.http).ingest(
      new EventInput({
        source: `fw-edge-${suffix}`,
        event_type: "port_scan",
        severity: Severity.High,
        description: `SYN scan from 203.0.113.7 (${marker})`,
        source_ip: "203.0.113.7",
        metadata: { ports: [22, 80, 443] },
      }),
    );

    assert.equal(event.severity, Severity.High);
    assert.ok(event.alert_id, "a HIGH event raises an alert");
    alertId = event.alert_id;
  });

  it("finds the alert with a status filter and a search", async () => {
    const alerts = new AlertsClient(baseUrl, analystHttp.http);

    const anHourAgo = new Date(Date.now() - 3_600_000);
    const page = await alerts.list(undefined, undefined, [AlertStatus.Open], [Severity.High, Severity.Critical], undefined, undefined, anHourAgo, undefined, marker);

    assert.equal(page.count, 1);
    assert.equal(page.results[0]?.id, alertId);
    assert.equal(page.results[0]?.status, AlertStatus.Open);
    assert.equal(page.results[0]?.event?.id, event.id);
    assert.equal(page.results[0]?.event_expired, false);
    const none = await alerts.list(undefined, undefined, [AlertStatus.Resolved], undefined, undefined, undefined, undefined, undefined, marker);
    assert.equal(none.count, 0);
  });

  it("lets the analyst take the alert, comment on it and tag it, each change in its history", async () => {
    const alerts = new AlertsClient(baseUrl, analystHttp.http);

    await alerts.assign(alertId, new AssignBody({ assignee: analystId }));
    const comment = await alerts.addComment(alertId, new CommentBody({ body: "<script>alert(1)</script> seen before" }));
    await alerts.replaceTags(alertId, new TagsBody({ tags: ["phishing", "mitre:t1566"] }));
    const detail = await alerts.get(alertId);

    assert.equal(comment.body, "<script>alert(1)</script> seen before", "comments are text, returned as sent");
    assert.equal(detail.assignee?.id, analystId);
    assert.deepEqual([...detail.tags].sort(), ["mitre:t1566", "phishing"]);
    assert.equal(detail.comments_count, 1);
    assert.deepEqual(
      detail.history.map((h) => h.action),
      ["ASSIGNEE", "COMMENT_ADDED", "TAGS"],
    );
  });

  it("refuses the analyst a status change with 403", async () => {
    const alerts = new AlertsClient(baseUrl, analystHttp.http);

    const refused = await problemFrom(alerts.updateStatus(alertId, new UpdateStatusBody({ status: AlertStatus.Acknowledged })));

    assert.equal(refused.status, 403);
  });

  it("lets the admin move the alert OPEN → ACKNOWLEDGED → RESOLVED and read the history", async () => {
    const session = new Session({ baseUrl });
    await session.login(admin.username, admin.password);
    const alerts = new AlertsClient(baseUrl, session.http);

    const acknowledged = await alerts.updateStatus(alertId, new UpdateStatusBody({ status: AlertStatus.Acknowledged, note: "looking" }));
    const resolved = await alerts.updateStatus(alertId, new UpdateStatusBody({ status: AlertStatus.Resolved, note: "blocked at the edge" }));
    const detail = await alerts.get(alertId);

    assert.equal(acknowledged.status, AlertStatus.Acknowledged);
    assert.equal(resolved.status, AlertStatus.Resolved);
    assert.deepEqual(
      detail.history.filter((h) => h.action === AlertHistoryAction.Status).map((h) => [h.from_status, h.to_status, h.note]),
      [
        [AlertStatus.Open, AlertStatus.Acknowledged, "looking"],
        [AlertStatus.Acknowledged, AlertStatus.Resolved, "blocked at the edge"],
      ],
    );
    assert.ok(detail.history.every((h) => h.changed_at instanceof Date));
  });

  it("lets a sensor ingest with an API key until the admin revokes it", async () => {
    const session = new Session({ baseUrl });
    await session.login(admin.username, admin.password);
    const sensors = new SensorsClient(baseUrl, session.http);
    const source = `ids-${suffix}`;
    const sensor = await sensors.create(new CreateSensorBody({ name: source, kind: SensorKind.Ids }));
    const created = await sensors.createKey(sensor.id, new CreateApiKeyBody({ name: "shipper" }));
    const keyed = { fetch: (url: RequestInfo, init?: RequestInit) => fetch(url, { ...init, headers: { ...(init?.headers as Record<string, string>), Authorization: `ApiKey ${created.key}` } }) };
    const events = new EventsClient(baseUrl, keyed);

    const stored = await events.ingest(new EventInput({ source, event_type: "alert", severity: Severity.Critical, external_id: "sid-1" }));
    await sensors.revokeKey(sensor.id, created.id);
    const refused = await waitForProblem(() => events.ingest(new EventInput({ source, event_type: "alert", severity: Severity.Low })), 401);

    assert.equal(stored.sensor, sensor.id);
    assert.equal(stored.ingested_by ?? null, null);
    assert.ok(created.key.startsWith(`tp_${created.prefix}_`));
    assert.equal(refused.status, 401);
    assert.ok((await sensors.listKeys(sensor.id)).every((k) => !("key" in k) && k.revoked_at instanceof Date));
  });

  it("streams a sensor's alert live and folds its repeat into it (grouping)", async () => {
    const session = new Session({ baseUrl });
    await session.login(admin.username, admin.password);
    const sensors = new SensorsClient(baseUrl, session.http);
    const source = `edr-${suffix}`;
    const sensor = await sensors.create(new CreateSensorBody({ name: source, kind: SensorKind.Edr }));
    const created = await sensors.createKey(sensor.id, new CreateApiKeyBody({ name: "agent" }));
    const keyed = { fetch: (url: RequestInfo, init?: RequestInit) => fetch(url, { ...init, headers: { ...(init?.headers as Record<string, string>), Authorization: `ApiKey ${created.key}` } }) };
    const events = new EventsClient(baseUrl, keyed);
    const stop = new AbortController();
    const timeout = setTimeout(() => stop.abort(), 20_000);
    const seen: AlertStreamEvent[] = [];
    let opened!: () => void;
    const open = new Promise<void>((resolve) => (opened = resolve));
    const stream = streamAlerts(baseUrl, session.http, { signal: stop.signal, onOpen: () => opened() });
    const first = stream.next();
    await open; // listening before anything is ingested

    // A frame carries the alert as it is when the stream reads it, so the repeat is sent only once the first frame
    // has arrived (sent at once, both changes can be read together and announce occurrences 2 from the start).
    const repeat = () => new EventInput({ source, event_type: "ransomware_behaviour", severity: Severity.Critical, source_ip: "10.1.2.3" });
    const raised = await events.ingest(repeat());
    let folded: typeof raised | undefined;
    try {
      for (let next = await first; !next.done; next = await stream.next()) {
        seen.push(next.value);
        if (next.value.alert.id !== raised.alert_id) {
          continue;
        }
        if (folded === undefined) {
          folded = await events.ingest(repeat());
        } else if (next.value.alert.occurrences === 2) {
          break;
        }
      }
    } finally {
      clearTimeout(timeout);
      stop.abort();
    }

    const mine = seen.filter((e) => e.alert.id === raised.alert_id);
    assert.ok(folded, "the alert's first frame arrived");
    assert.equal(folded.alert_id, raised.alert_id, "same sensor, source, type and addresses: one alert");
    assert.deepEqual(mine.map((e) => [e.type, e.alert.occurrences]), [["alert.created", 1], ["alert.updated", 2]]);
    assert.ok(mine.every((e) => e.id !== ""), "every message has an id to resume from");
    const held = await new AlertsClient(baseUrl, session.http).listEvents(raised.alert_id!);
    assert.deepEqual(held.results.map((e) => e.id).sort(), [raised.id, folded.id].sort());
  });

  it("refreshes once on a 401 and retries with the new access token", async () => {
    const signedIn = new Session({ baseUrl });
    const tokens = await signedIn.login(analyst.username, analyst.password);
    const changes: unknown[] = [];
    const session = new Session({ baseUrl, tokens: { access: "not-a-token", refresh: tokens.refresh }, onTokensChanged: (t) => changes.push(t) });

    const me = await new AuthClient(baseUrl, session.http).me();

    assert.equal(me.username, analyst.username);
    assert.equal(changes.length, 1);
    assert.notEqual(session.current?.refresh, tokens.refresh, "the refresh token rotated");
  });

  it("gives up after one failed refresh: the 401 reaches the caller and the session is cleared", async () => {
    const session = new Session({ baseUrl, tokens: { access: "not-a-token", refresh: "not-a-refresh-token" } });

    const problem = await problemFrom(new AuthClient(baseUrl, session.http).me());

    assert.equal(problem.status, 401);
    assert.equal(session.current, null);
  });
});

/** Revocation reaches every replica within 2 s (LISTEN/NOTIFY): retry until the call is refused with that status. */
async function waitForProblem(call: () => Promise<unknown>, status: number): Promise<ProblemDetails> {
  const deadline = Date.now() + 2_000;
  for (;;) {
    try {
      await call();
    } catch (error) {
      if (error instanceof ProblemDetails && error.status === status) {
        return error;
      }
      throw error;
    }
    assert.ok(Date.now() < deadline, `still accepted ${Date.now() - deadline + 2_000} ms after revocation`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function problemFrom(call: Promise<unknown>): Promise<ProblemDetails> {
  try {
    await call;
  } catch (error) {
    assert.ok(error instanceof ProblemDetails, `expected a ProblemDetails, got ${String(error)}`);
    return error;
  }
  assert.fail("expected the call to be refused");
}

function createAdmin(): Promise<void> {
  return new Promise((resolve, reject) => {
    const cli = spawn("dotnet", [dll, "create-admin", "--username", admin.username, "--email", admin.email, "--password-stdin"], {
      env: { ...apiEnv, Database__MigrateOnStartup: "false" },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let output = "";
    cli.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    cli.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    cli.on("error", reject);
    cli.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`create-admin exited ${code}: ${output}`))));
    cli.stdin.end(`${admin.password}\n`);
  });
}

async function waitUntilReady(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (api?.exitCode !== null) {
      throw new Error(`The API exited with ${api?.exitCode}:\n${apiOutput}`);
    }
    try {
      if ((await fetch(url)).ok) {
        return;
      }
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`The API was not ready within ${timeoutMs} ms:\n${apiOutput}`);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

function required(name: string): string {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is not set: run the client test with scripts/client-test.sh (or make test).`);
  }
  return value;
}
