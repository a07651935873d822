import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createServer } from "node:net";
import { AuthClient, RegisterBody, Session, UpdateUserBody, UsersClient } from "@threatplatform/client";

const dll = required("TP_API_DLL");
const connection = required("TP_CONNECTION_STRING");
const signingKey = randomBytes(48).toString("base64");
// Production refuses to start without an audit chain key; one per run, shared by both API processes and create-admin.
const auditChainKey = randomBytes(48).toString("base64");

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the browser tests with scripts/web-test.sh (or make test).`);
  return value;
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

async function startApi(extra: Record<string, string>): Promise<{ url: string; process: ChildProcess }> {
  const url = `http://127.0.0.1:${await freePort()}`;
  let output = "";
  const child = spawn("dotnet", [dll, "--urls", url], {
    env: {
      ...process.env,
      ConnectionStrings__Default: connection,
      Database__MigrateOnStartup: "true",
      ASPNETCORE_ENVIRONMENT: "Production",
      Serilog__MinimumLevel__Default: "Warning",
      Jwt__SigningKey: signingKey,
      Audit__ChainKey: auditChainKey,
      Auth__Registration: "approval",
      Auth__FreeFailedLogins: "3",
      RateLimiting__AuthPermitsPerMinute: "100000",
      // Notification tests send to receivers they open on 127.0.0.1; a failed delivery waits an hour for its automatic
      // retry, so that only the delivery log's Retry sends it again.
      Notifications__AllowedNetworks__0: "127.0.0.0/8",
      Notifications__BackoffBaseSeconds: "3600",
      ...extra,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout?.on("data", (c: Buffer) => (output += c.toString()));
  child.stderr?.on("data", (c: Buffer) => (output += c.toString()));
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`The API exited with ${child.exitCode}:\n${output}`);
    try {
      if ((await fetch(`${url}/health/ready`)).ok) return { url, process: child };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  child.kill("SIGTERM");
  throw new Error(`The API was not ready within 120 s:\n${output}`);
}

export default async function globalSetup(): Promise<() => void> {
  const suffix = randomBytes(3).toString("hex");
  const main = await startApi({});
  // A second process on the same database whose access tokens expire after 3 s: the silent-refresh scenario.
  const shortLived = await startApi({ Jwt__AccessTokenSeconds: "3", Jwt__ClockSkewSeconds: "0" });

  const admin = { username: `admin_${suffix}`, email: `admin_${suffix}@example.org`, password: `Admin passphrase ${suffix}!` };
  const created = spawnSync("dotnet", [dll, "create-admin", "--username", admin.username, "--email", admin.email], {
    input: `${admin.password}\n`,
    env: {
      ...process.env,
      ConnectionStrings__Default: connection,
      Jwt__SigningKey: signingKey,
      Audit__ChainKey: auditChainKey,
      Serilog__MinimumLevel__Default: "Warning",
    },
    encoding: "utf8",
  });
  if (created.status !== 0) throw new Error(`create-admin failed: ${created.stdout}${created.stderr}`);

  const adminSession = new Session({ baseUrl: main.url });
  await adminSession.login(admin.username, admin.password);
  const auth = new AuthClient(main.url, { fetch });
  const users = new UsersClient(main.url, adminSession.http);
  const analyst = { username: `analyst_${suffix}`, email: `analyst_${suffix}@example.org`, password: `Analyst passphrase ${suffix}!` };
  const registered = await auth.register(new RegisterBody(analyst));
  await users.update(registered.id, new UpdateUserBody({ is_active: true }));

  Object.assign(process.env, {
    TP_E2E_BASE_URL: main.url,
    TP_E2E_SHORT_URL: shortLived.url,
    TP_E2E_SUFFIX: suffix,
    TP_E2E_ADMIN: JSON.stringify(admin),
    TP_E2E_ANALYST: JSON.stringify({ ...analyst, id: registered.id }),
  });

  return () => {
    for (const api of [main, shortLived]) api.process.kill("SIGTERM");
  };
}
