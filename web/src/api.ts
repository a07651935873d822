// Every API call goes through the generated client (clients/typescript); this module only wires it to the browser:
// one Session (the access token in memory, the refresh token in the API's HttpOnly cookie, silent refresh on a 401
// and at start-up), per-call options the generated methods have no parameter for (If-Match, reading the ETag), the
// alert list with named options, and the live stream's reader.
import {
  AlertsClient,
  ApiException,
  AuditClient,
  AuthClient,
  EventsClient,
  NotificationsClient,
  ProblemDetails,
  RulesClient,
  SensorsClient,
  Session,
  StatsClient,
  UsersClient,
  type AlertStatus,
  type Http,
  type PageEnvelopeOfAlertDto,
  type Severity,
  type Tokens,
} from "@threatplatform/client";
import { parseBlock, takeBlocks, type StreamEvent, type StreamState } from "./stream";

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
}

function http(options?: CallOptions): Http {
  return {
    fetch: async (url, init) => {
      const href = typeof url === "string" ? url : url.url;
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
  audit: (o?: CallOptions) => new AuditClient(baseUrl, http(o)),
  rules: (o?: CallOptions) => new RulesClient(baseUrl, http(o)),
};

/** GET /api/alerts/'s query parameters by the API's own names (see the OpenAPI document for what each means). */
export interface AlertListOptions {
  page?: number;
  page_size?: number;
  status?: AlertStatus[];
  event__severity?: Severity[];
  event__source?: string;
  event__event_type?: string;
  created_at__gte?: Date;
  created_at__lte?: Date;
  search?: string;
  ordering?: string;
  detection__technique?: string;
  detection__confidence__gte?: number;
  assignee?: string;
  tags?: string[];
  sla_breached?: boolean;
  rule?: number;
  cursor?: string;
  exact_count?: boolean;
}

/** The alert list with named options: the generated method takes them positionally, in the OpenAPI document's order. */
export function listAlerts(o: AlertListOptions, signal?: AbortSignal): Promise<PageEnvelopeOfAlertDto> {
  return api
    .alerts()
    .list(
      o.page,
      o.page_size,
      o.status,
      o.event__severity,
      o.event__source,
      o.event__event_type,
      o.created_at__gte,
      o.created_at__lte,
      o.search,
      o.ordering,
      o.detection__technique,
      o.detection__confidence__gte,
      o.assignee,
      o.tags,
      o.sla_breached,
      o.rule,
      o.cursor,
      o.exact_count,
      signal,
    );
}

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

// ---- paging ----

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

export type { StreamEvent, StreamState } from "./stream";

/** The stream's path, as the generated client's streamAlerts reads it (its `stream()` method expects JSON, not events). */
const streamPath = "/api/alerts/stream/";

/**
 * Follows GET /api/alerts/stream/ through the session (a bearer header, refreshed on 401), reconnecting with
 * Last-Event-ID after a drop so nothing is missed. Returns a function that stops it.
 */
export function followAlerts(onEvent: (event: StreamEvent) => void, onState: (state: StreamState) => void): () => void {
  const abort = new AbortController();
  let lastId: string | undefined;
  let delay = 500;

  void (async () => {
    while (!abort.signal.aborted) {
      try {
        onState(lastId ? "reconnecting" : "connecting");
        const headers: Record<string, string> = { Accept: "text/event-stream" };
        if (lastId) headers["Last-Event-ID"] = lastId;
        const response = await session.http.fetch(`${baseUrl}${streamPath}`, { headers, signal: abort.signal });
        if (!response.ok || !response.body) throw new Error(`stream answered ${response.status}`);
        onState("live");
        delay = 500;
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = "";
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          const { blocks, rest } = takeBlocks(buffer + value.replace(/\r\n?/g, "\n"));
          buffer = rest;
          for (const block of blocks) {
            const { id, event } = parseBlock(block);
            if (id !== undefined) lastId = id;
            if (event) onEvent(event);
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
