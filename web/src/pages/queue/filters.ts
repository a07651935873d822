// The queue's filters as pure functions: the URL's query string (what a reload or a shared link keeps) to typed
// filters, those to the alert list's options by the API's own parameter names, and whether a streamed alert belongs.
import type { AlertDto, AlertStatus, MeDto, Severity } from "@threatplatform/client";
import type { AlertListOptions } from "../../api";
import { severities, statuses } from "../../format";

export const PAGE_SIZE = 50;

/** What the queue's URL says. Its keys are the console's own (short, stable for bookmarks); `apiParameter` maps them. */
export interface QueueFilters {
  status: AlertStatus[];
  severity: Severity[];
  assignee: string;
  tags: string[];
  sla: boolean;
  source: string;
  /** A detection rule's id: only the alerts that rule raised. */
  rule: string;
  from: string;
  to: string;
  q: string;
  ordering: string;
  page: number;
  cursor: string;
}

export type FilterKey = keyof QueueFilters;

/** Each URL key and the GET /api/alerts/ parameter it becomes (`from`/`to` are days, sent as the day's first/last instant). */
export const apiParameter = {
  status: "status",
  severity: "event__severity",
  assignee: "assignee",
  tags: "tags",
  sla: "sla_breached",
  source: "event__source",
  rule: "rule",
  from: "created_at__gte",
  to: "created_at__lte",
  q: "search",
  ordering: "ordering",
  page: "page",
  cursor: "cursor",
} as const satisfies Record<FilterKey, keyof AlertListOptions>;

export const DEFAULT_ORDERING = "-created_at";

const list = (v: string | null) => (v ? v.split(",").filter(Boolean) : []);

export function readFilters(p: URLSearchParams): QueueFilters {
  return {
    status: list(p.get("status")).filter((s): s is AlertStatus => statuses.includes(s as AlertStatus)),
    severity: list(p.get("severity")).filter((s): s is Severity => severities.includes(s as Severity)),
    assignee: p.get("assignee") ?? "",
    tags: list(p.get("tags")),
    sla: p.get("sla") === "true",
    source: p.get("source") ?? "",
    rule: /^\d+$/.test(p.get("rule") ?? "") ? p.get("rule")! : "",
    from: p.get("from") ?? "",
    to: p.get("to") ?? "",
    q: p.get("q") ?? "",
    ordering: p.get("ordering") ?? DEFAULT_ORDERING,
    page: Math.max(1, Number(p.get("page")) || 1),
    cursor: p.get("cursor") ?? "",
  };
}

export const startOfDay = (d: string) => (d ? new Date(`${d}T00:00:00Z`) : undefined);
export const endOfDay = (d: string) => (d ? new Date(`${d}T23:59:59.999Z`) : undefined);

/** The list request for these filters: a cursor replaces the page number; the capped count ("10,000+") is what shows. */
export function toListOptions(f: QueueFilters, pageSize = PAGE_SIZE): AlertListOptions {
  return {
    [apiParameter.page]: f.cursor ? undefined : f.page,
    page_size: pageSize,
    [apiParameter.status]: f.status,
    [apiParameter.severity]: f.severity,
    [apiParameter.source]: f.source || undefined,
    [apiParameter.rule]: f.rule ? Number(f.rule) : undefined,
    [apiParameter.from]: startOfDay(f.from),
    [apiParameter.to]: endOfDay(f.to),
    [apiParameter.q]: f.q || undefined,
    [apiParameter.ordering]: f.ordering,
    [apiParameter.assignee]: f.assignee || undefined,
    [apiParameter.tags]: f.tags,
    [apiParameter.sla]: f.sla ? true : undefined,
    [apiParameter.cursor]: f.cursor || undefined,
  };
}

export type FilterChanges = Partial<Record<FilterKey, string | undefined>>;

/** The URL after a change: empty values are dropped; unless `keepPage`, paging starts over (page and cursor dropped). */
export function withChanges(current: URLSearchParams, changes: FilterChanges, keepPage = false): URLSearchParams {
  const p = new URLSearchParams(current);
  for (const [k, v] of Object.entries(changes)) {
    if (v) p.set(k, v);
    else p.delete(k);
  }
  if (!keepPage) {
    p.delete("page");
    p.delete("cursor");
  }
  return p;
}

/** A status or severity checkbox: the comma list with `value` added, or removed when it was there. */
export function toggled(values: readonly string[], value: string): string {
  const current = new Set<string>(values);
  if (current.has(value)) current.delete(value);
  else current.add(value);
  return [...current].join(",");
}

/** The tags field as typed ("a, b,") to the URL's comma list ("a,b"). */
export function tagList(text: string): string {
  return text
    .split(",")
    .map((t) => t.trim())
    .filter(Boolean)
    .join(",");
}

export type SortState = "ascending" | "descending" | "none";

export const sortState = (ordering: string, key: string): SortState =>
  ordering === key ? "ascending" : ordering === `-${key}` ? "descending" : "none";

/** A column header's click: descending first, then flips. */
export const nextOrdering = (ordering: string, key: string) => (ordering === `-${key}` ? key : `-${key}`);

/** Whether a streamed new alert belongs in the list as filtered (to count it in the "N new" bar). */
export function matches(alert: AlertDto, f: QueueFilters, me: MeDto | undefined): boolean {
  // The alert's own copy of its event's fields: the event itself may have expired (retention), the copy stays.
  const q = f.q.toLowerCase();
  const from = startOfDay(f.from);
  const to = endOfDay(f.to);
  return (
    (f.status.length === 0 || f.status.includes(alert.status)) &&
    (f.severity.length === 0 || f.severity.includes(alert.event?.severity ?? alert.severity)) &&
    (!f.source || alert.source === f.source) &&
    (!f.rule || alert.rule?.id === Number(f.rule)) &&
    (f.assignee !== "none" || !alert.assignee) &&
    (f.assignee !== "me" || alert.assignee?.id === me?.id) &&
    f.tags.every((t) => alert.tags.includes(t)) &&
    (!f.sla || alert.sla_breached) &&
    (!q || [alert.source, alert.event_type, alert.description].some((t) => t.toLowerCase().includes(q))) &&
    (!from || alert.created_at >= from) &&
    (!to || alert.created_at <= to)
  );
}
