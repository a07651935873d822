// Every API call goes through the generated client (clients/typescript); this module only wires it to the browser:
// one Session (the access token in memory, the refresh token in the API's HttpOnly cookie, silent refresh on a 401
// and at start-up), per-call options the generated methods have no
// parameter for (If-Match, reading the ETag, query parameters a newer API adds), and the live stream's reader.
import * as Generated from "@threatplatform/client";
import {
  AlertDto,
  AlertsClient,
  ApiException,
  AuthClient,
  EventsClient,
  NotificationsClient,
  ProblemDetails,
  SensorsClient,
  Session,
  StatsClient,
  UsersClient,
  type Http,
  type Tokens,
} from "@threatplatform/client";

export const baseUrl = window.location.origin;

// Where earlier versions of the console kept both tokens: a refresh token left there is dropped, never read.
try {
  sessionStorage.removeItem("tp.tokens");
} catch {
  // Storage switched off: nothing was kept there either.
}

type Listener = (tokens: Tokens | null) => void;
const listeners = new Set<Listener>();

/**
 * No token is ever stored where a script could read it: the access token lives in this module's memory, the refresh
 * token in the API's HttpOnly, SameSite=Strict cookie (sent only to the refresh and logout endpoints). A reload or a
 * new tab signs back in through that cookie (`resumed`); closing the browser ends the session.
 */
export const session = new Session({
  baseUrl,
  refreshCookie: true,
  onTokensChanged: (tokens) => listeners.forEach((l) => l(tokens)),
});

/** The start-up silent refresh: settles true when the cookie signed this page back in. */
export const resumed: Promise<boolean> = session.resume().catch(() => false);

export function onSessionChange(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export interface CallOptions {
  /** Sent as If-Match: the write is refused with 412 when the alert changed since this ETag. */
  ifMatch?: string | null;
  /** Sees the raw response (its headers) before the generated client reads the body. */
  onResponse?: (response: Response) => void;
  /** Query parameters added to the URL the generated method built (for parameters it does not know yet). */
  query?: Record<string, string | undefined>;
}

function http(options?: CallOptions): Http {
  return {
    fetch: async (url, init) => {
      let href = typeof url === "string" ? url : url.url;
      if (options?.query) {
        const parsed = new URL(href, baseUrl);
        for (const [key, value] of Object.entries(options.query)) {
          if (value !== undefined) parsed.searchParams.set(key, value);
        }
        href = parsed.toString();
      }
      const headers = new Headers(init?.headers);
      if (options?.ifMatch) headers.set("If-Match", options.ifMatch);
      const response = await session.http.fetch(href, { ...init, headers });
      options?.onResponse?.(response);
      return response;
    },
  };
}

export const api = {
  auth: (o?: CallOptions) => new AuthClient(baseUrl, http(o)),
  alerts: (o?: CallOptions) => new AlertsClient(baseUrl, http(o)),
  events: (o?: CallOptions) => new EventsClient(baseUrl, http(o)),
  users: (o?: CallOptions) => new UsersClient(baseUrl, http(o)),
  sensors: (o?: CallOptions) => new SensorsClient(baseUrl, http(o)),
  stats: (o?: CallOptions) => new StatsClient(baseUrl, http(o)),
  notifications: (o?: CallOptions) => new NotificationsClient(baseUrl, http(o)),
};

/** Signs in without a stored session; throws the API's ProblemDetails (401, 403 awaiting approval, 429 throttled). */
export function signIn(username: string, password: string): Promise<Tokens> {
  return session.login(username, password);
}

export async function signOut(): Promise<void> {
  try {
    await session.logout();
  } catch {
    // The tokens are forgotten either way; the server revokes the refresh token when it can.
  }
}

// ---- API features that land in parallel: used when the regenerated client has them, never imitated ----

type AnyClient = Record<string, unknown>;
const alertsPrototype = AlertsClient.prototype as unknown as AnyClient;

/** The generated method for GET /api/alerts/{id}/events/ once the client has it (fingerprint grouping). */
export const alertEventsMethod = ["listEvents", "events", "listAlertEvents"].find((n) => typeof alertsPrototype[n] === "function");

/** The generated client for GET /api/audit/ once the API has it. */
export const AuditClientClass = (Generated as unknown as Record<string, unknown>)["AuditClient"] as
  | (new (baseUrl: string, http: Http) => AnyClient)
  | undefined;

export function auditClient(): AnyClient | undefined {
  return AuditClientClass ? new AuditClientClass(baseUrl, http()) : undefined;
}

/** Fields an alert has once grouping lands (the generated DTO keeps them when the client is regenerated). */
export interface Grouping {
  occurrences?: number;
  first_seen_at?: Date;
  last_seen_at?: Date;
}

export function grouping(alert: AlertDto): Grouping {
  return alert as unknown as Grouping;
}

/** `count_is_exact` once the list envelope carries it; absent means exact. */
export function countIsExact(page: { count: number }): boolean {
  return (page as unknown as { count_is_exact?: boolean }).count_is_exact !== false;
}

/** The cursor in a `next` link, when the API pages by key. */
export function cursorOf(link: string | null | undefined): string | undefined {
  if (!link) return undefined;
  return new URL(link, baseUrl).searchParams.get("cursor") ?? undefined;
}

// ---- errors ----

export function problemStatus(error: unknown): number | undefined {
  if (error instanceof ProblemDetails) return error.status;
  if (error instanceof ApiException) return error.status;
  return undefined;
}

/** A sentence for people: the API's detail and each field's messages (the API names every bad field). */
export function problemText(error: unknown): string {
  if (error instanceof ProblemDetails) {
    const fields = Object.entries(error.errors ?? {}).map(([field, messages]) => `${field}: ${messages.join(" ")}`);
    const detail = error.detail ?? error.title;
    const unique = fields.filter((f) => !detail.includes(f.slice(f.indexOf(":") + 2)));
    return [detail, ...unique].join(" ");
  }
  if (error instanceof ApiException) return `${error.status}: ${error.message}`;
  if (error instanceof Error) return error.message;
  return String(error);
}

// ---- the live alert stream ----

export type StreamState = "connecting" | "live" | "reconnecting";
export interface StreamEvent {
  type: string;
  id: string;
  alert: AlertDto;
}

/** The stream's URL exactly as the generated client builds it (its JSON-returning method cannot read a stream). */
function streamUrl(): string {
  let captured = "";
  const capture: Http = {
    fetch: (url) => {
      captured = typeof url === "string" ? url : url.url;
      return Promise.reject(new Error("captured"));
    },
  };
  new AlertsClient(baseUrl, capture).stream().catch(() => undefined);
  return captured;
}

/**
 * Follows GET /api/alerts/stream/ through the session (a bearer header, refreshed on 401), reconnecting with
 * Last-Event-ID after a drop so nothing is missed. Returns a function that stops it.
 */
export function followAlerts(onEvent: (event: StreamEvent) => void, onState: (state: StreamState) => void): () => void {
  const abort = new AbortController();
  let lastId: string | undefined;
  let delay = 500;

  const dispatch = (block: string) => {
    let type = "message";
    let id: string | undefined;
    const data: string[] = [];
    for (const line of block.split("\n")) {
      if (line.startsWith(":")) continue;
      const colon = line.indexOf(":");
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
      if (field === "event") type = value;
      else if (field === "id") id = value;
      else if (field === "data") data.push(value);
    }
    if (id !== undefined) lastId = id;
    if (data.length === 0) return;
    try {
      onEvent({ type, id: id ?? "", alert: AlertDto.fromJS(JSON.parse(data.join("\n"))) });
    } catch {
      // A malformed event is skipped; the next one carries on.
    }
  };

  void (async () => {
    while (!abort.signal.aborted) {
      try {
        onState(lastId ? "reconnecting" : "connecting");
        const headers: Record<string, string> = { Accept: "text/event-stream" };
        if (lastId) headers["Last-Event-ID"] = lastId;
        const response = await session.http.fetch(streamUrl(), { headers, signal: abort.signal });
        if (!response.ok || !response.body) throw new Error(`stream answered ${response.status}`);
        onState("live");
        delay = 500;
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = "";
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value.replace(/\r\n?/g, "\n");
          let end: number;
          while ((end = buffer.indexOf("\n\n")) >= 0) {
            dispatch(buffer.slice(0, end));
            buffer = buffer.slice(end + 2);
          }
        }
      } catch {
        if (abort.signal.aborted) return;
      }
      if (session.current === null) return; // signed out: nothing to follow
      onState("reconnecting");
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 10_000);
    }
  })();

  return () => abort.abort();
}
