import AxeBuilder from "@axe-core/playwright";
import { expect, test as base, type Page } from "@playwright/test";
import { randomBytes } from "node:crypto";
import { mkdirSync } from "node:fs";
import {
  AlertsClient,
  AuthClient,
  CreateApiKeyBody,
  CreateSensorBody,
  EventInput,
  EventsClient,
  RegisterBody,
  SensorKind,
  SensorsClient,
  Session,
  Severity,
  type EventDto,
} from "@threatplatform/client";

export interface Person {
  username: string;
  password: string;
  email: string;
  id?: number;
}

export const baseUrl = () => process.env.TP_E2E_BASE_URL!;
export const admin = (): Person => JSON.parse(process.env.TP_E2E_ADMIN!) as Person;
export const analyst = (): Person => JSON.parse(process.env.TP_E2E_ANALYST!) as Person;
export const unique = (prefix: string) => `${prefix}-${randomBytes(4).toString("hex")}`;

const sessions = new Map<string, Promise<Session>>();
/** A signed-in client session for seeding and checking through the API (not the browser). */
export function apiSession(who: Person, url = baseUrl()): Promise<Session> {
  const key = `${url}|${who.username}`;
  if (!sessions.has(key)) {
    sessions.set(
      key,
      (async () => {
        const s = new Session({ baseUrl: url });
        await s.login(who.username, who.password);
        return s;
      })(),
    );
  }
  return sessions.get(key)!;
}

export async function alertsAs(who: Person): Promise<AlertsClient> {
  return new AlertsClient(baseUrl(), (await apiSession(who)).http);
}

/** Ingests events through the API as the admin; HIGH and CRITICAL ones raise alerts. */
export async function ingest(events: Partial<EventInput>[]): Promise<EventDto[]> {
  const client = new EventsClient(baseUrl(), (await apiSession(admin())).http);
  const stored: EventDto[] = [];
  for (const e of events) {
    stored.push(
      await client.ingest(
        new EventInput({ source: "e2e-sensor", event_type: "port_scan", severity: Severity.High, description: "seeded by e2e", ...e }),
      ),
    );
  }
  return stored;
}

/** A new sensor (grouping on) owning `source`, and a function that ingests through its API key. */
export async function sensorFor(source: string): Promise<(e: Partial<EventInput>) => Promise<EventDto>> {
  const sensors = new SensorsClient(baseUrl(), (await apiSession(admin())).http);
  const sensor = await sensors.create(new CreateSensorBody({ name: source, kind: SensorKind.Ids }));
  const { key } = await sensors.createKey(sensor.id, new CreateApiKeyBody({ name: "e2e" }));
  const keyed = {
    fetch: (url: RequestInfo, init?: RequestInit) =>
      fetch(url, { ...init, headers: { ...(init?.headers as Record<string, string>), Authorization: `ApiKey ${key}` } }),
  };
  const events = new EventsClient(baseUrl(), keyed);
  return (e) =>
    events.ingest(new EventInput({ source, event_type: "port_scan", severity: Severity.High, description: "seeded by e2e", ...e }));
}

export async function registerPending(prefix: string): Promise<Person & { id: number }> {
  const who = { username: unique(prefix).replace(/-/g, "_"), email: `${unique(prefix)}@example.org`, password: `Pending passphrase ${unique("p")}` };
  const user = await new AuthClient(baseUrl(), { fetch }).register(new RegisterBody(who));
  return { ...who, id: user.id };
}

export async function signIn(page: Page, who: Person, url = "/") {
  await page.goto(url);
  await page.getByLabel("Username").fill(who.username);
  await page.getByLabel("Password").fill(who.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByTestId("whoami")).toContainText(who.username);
}

/** axe on the page as it is: no serious or critical violation; then a screenshot for the record (README). */
export async function auditPage(page: Page, name: string) {
  const results = await new AxeBuilder({ page }).analyze();
  const bad = results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.impact}: ${v.id} (${v.help}) at ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
  expect(bad, `accessibility violations on ${name}`).toEqual([]);
  mkdirSync("screenshots", { recursive: true });
  await page.screenshot({ path: `screenshots/${name}.png`, fullPage: false });
}

/**
 * Every test runs with the outside world cut off: a request to any origin other than the API's is recorded and
 * aborted, and the test fails if there was one (the console must work on an air-gapped network).
 */
export const test = base.extend<{ foreign: string[] }>({
  foreign: [
    async ({ context }, use) => {
      const foreign: string[] = [];
      const allowed = new Set([new URL(baseUrl()).origin, new URL(process.env.TP_E2E_SHORT_URL!).origin]);
      await context.route("**/*", (route) => {
        const url = route.request().url();
        if (url.startsWith("data:") || url.startsWith("blob:") || allowed.has(new URL(url).origin)) return route.continue();
        foreign.push(url);
        return route.abort("blockedbyclient");
      });
      await use(foreign);
      expect(foreign, "requests to another origin").toEqual([]);
    },
    { auto: true },
  ],
});

export { expect };
