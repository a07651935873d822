import { keepPreviousData, useQuery, useQueryClient } from "@tanstack/react-query";
import { useCallback, useEffect, useMemo, useRef, useState, type FormEvent } from "react";
import { Link, useNavigate, useSearchParams } from "react-router";
import {
  AlertDto,
  AlertStatus,
  AssignBody,
  BulkAlertAction,
  BulkBody,
  UpdateStatusBody,
  type MeDto,
  type PageEnvelopeOfAlertDto,
  type Severity,
} from "@threatplatform/client";
import { api, countIsExact, cursorOf, followAlerts, grouping, problemText, type StreamState } from "../api";
import { useAuth } from "../auth";
import { ErrorNote, SeverityBadge, StatusBadge } from "../components";
import { fmtAgo, fmtDate, fmtNumber, severities, statuses, statusLabel, TAG_PATTERN } from "../format";

const PAGE_SIZE = 50;

interface Filters {
  status: AlertStatus[];
  severity: Severity[];
  assignee: string;
  tags: string[];
  sla: boolean;
  source: string;
  from: string;
  to: string;
  q: string;
  ordering: string;
  page: number;
  cursor: string;
}

const list = (v: string | null) => (v ? v.split(",").filter(Boolean) : []);

function readFilters(p: URLSearchParams): Filters {
  return {
    status: list(p.get("status")).filter((s): s is AlertStatus => statuses.includes(s as AlertStatus)),
    severity: list(p.get("severity")).filter((s): s is Severity => severities.includes(s as Severity)),
    assignee: p.get("assignee") ?? "",
    tags: list(p.get("tags")),
    sla: p.get("sla") === "true",
    source: p.get("source") ?? "",
    from: p.get("from") ?? "",
    to: p.get("to") ?? "",
    q: p.get("q") ?? "",
    ordering: p.get("ordering") ?? "-created_at",
    page: Math.max(1, Number(p.get("page")) || 1),
    cursor: p.get("cursor") ?? "",
  };
}

const startOfDay = (d: string) => (d ? new Date(`${d}T00:00:00Z`) : undefined);
const endOfDay = (d: string) => (d ? new Date(`${d}T23:59:59.999Z`) : undefined);

/** Whether a streamed new alert belongs in the list as filtered (to count it in the "N new" bar). */
function matches(alert: AlertDto, f: Filters, me: MeDto | undefined): boolean {
  // The alert's own copy of its event's fields: the event itself may have expired (retention), the copy stays.
  const q = f.q.toLowerCase();
  return (
    (f.status.length === 0 || f.status.includes(alert.status)) &&
    (f.severity.length === 0 || f.severity.includes(alert.event?.severity ?? alert.severity)) &&
    (!f.source || alert.source === f.source) &&
    (f.assignee !== "none" || !alert.assignee) &&
    (f.assignee !== "me" || alert.assignee?.id === me?.id) &&
    f.tags.every((t) => alert.tags.includes(t)) &&
    (!f.sla || alert.sla_breached) &&
    (!q || [alert.source, alert.event_type, alert.description].some((t) => t.toLowerCase().includes(q))) &&
    (!f.from || alert.created_at >= startOfDay(f.from)!) &&
    (!f.to || alert.created_at <= endOfDay(f.to)!)
  );
}

const columns: { key: string; label: string }[] = [
  { key: "event__severity", label: "Severity" },
  { key: "status", label: "Status" },
  { key: "created_at", label: "Created" },
  { key: "updated_at", label: "Updated" },
];

export function QueuePage() {
  const [params, setParams] = useSearchParams();
  const filters = useMemo(() => readFilters(params), [params]);
  const { me, isAdmin } = useAuth();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const queryKey = useMemo(() => ["alerts", params.toString()], [params]);
  const [cursorTrail, setCursorTrail] = useState<string[]>([]);

  const alerts = useQuery({
    queryKey,
    placeholderData: keepPreviousData,
    queryFn: ({ signal }) =>
      api
        .alerts({ query: filters.cursor ? { cursor: filters.cursor } : undefined })
        .list(
          filters.cursor ? undefined : filters.page,
          PAGE_SIZE,
          filters.status,
          filters.severity,
          filters.source || undefined,
          undefined,
          startOfDay(filters.from),
          endOfDay(filters.to),
          filters.q || undefined,
          filters.ordering,
          undefined,
          undefined,
          filters.assignee || undefined,
          filters.tags,
          filters.sla ? true : undefined,
          undefined, // cursor
          undefined, // exact_count: the capped count ("10,000+") is what the queue shows
          signal,
        ),
  });
  const rows = useMemo(() => alerts.data?.results ?? [], [alerts.data]);

  // The URL is the state, but the router applies a navigation later (a transition). Until it lands, the filter controls
  // show, and the next change builds on, the parameters last asked for: otherwise React resets a controlled checkbox,
  // select or date to the old URL's value for a moment, and a second change made meanwhile drops the first. The list
  // itself follows the URL. Once the URL moves (the navigation landed, or back/forward), what was asked is forgotten, so
  // returning to the URL it was asked on later shows that URL.
  const [asked, setAsked] = useState<{ on: string; next: URLSearchParams } | null>(null);
  const pending = asked && asked.on === params.toString() ? asked : null;
  if (asked && !pending) setAsked(null);
  const shown = pending?.next ?? params;
  const controls = useMemo(() => readFilters(shown), [shown]);

  const update = useCallback(
    (next: Partial<Record<string, string | undefined>>, keepPage = false) => {
      const p = new URLSearchParams(shown);
      for (const [k, v] of Object.entries(next)) {
        if (v) p.set(k, v);
        else p.delete(k);
      }
      if (!keepPage) {
        p.delete("page");
        p.delete("cursor");
        setCursorTrail([]);
      }
      setAsked({ on: params.toString(), next: p });
      setParams(p);
    },
    [params, shown, setParams],
  );

  // ---- live: new alerts are announced, not inserted (rows never jump); changes to visible rows apply in place ----
  const [fresh, setFresh] = useState<Set<number>>(new Set());
  const [live, setLive] = useState<StreamState>("connecting");
  const filtersRef = useRef(filters);
  filtersRef.current = filters;
  const meRef = useRef(me);
  meRef.current = me;
  const replaceRow = useCallback(
    (alert: AlertDto) =>
      queryClient.setQueriesData<PageEnvelopeOfAlertDto>({ queryKey: ["alerts"] }, (page) => {
        if (!page || !page.results.some((r) => r.id === alert.id)) return page;
        const copy = Object.assign(Object.create(Object.getPrototypeOf(page)), page) as PageEnvelopeOfAlertDto;
        copy.results = page.results.map((r) => (r.id === alert.id ? alert : r));
        return copy;
      }),
    [queryClient],
  );
  useEffect(
    () =>
      followAlerts(({ type, alert }) => {
        if (type === "alert.created" && matches(alert, filtersRef.current, meRef.current)) {
          setFresh((s) => new Set(s).add(alert.id));
        } else if (type === "alert.updated") {
          replaceRow(alert);
        }
      }, setLive),
    [replaceRow],
  );
  const visibleIds = useMemo(() => new Set(rows.map((r) => r.id)), [rows]);
  const newCount = [...fresh].filter((id) => !visibleIds.has(id)).length;
  const showNew = () => {
    setFresh(new Set());
    const p = new URLSearchParams(params);
    p.delete("page");
    p.delete("cursor");
    setCursorTrail([]);
    setParams(p);
    void queryClient.invalidateQueries({ queryKey: ["alerts"] });
  };

  // ---- selection, keyboard and actions ----
  const [active, setActive] = useState(0);
  const [selected, setSelected] = useState<Set<number>>(new Set());
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => setActive((a) => Math.min(a, Math.max(rows.length - 1, 0))), [rows.length]);
  const tableRef = useRef<HTMLTableSectionElement>(null);
  useEffect(() => {
    tableRef.current?.querySelector(`[data-index="${active}"]`)?.scrollIntoView({ block: "nearest" });
  }, [active]);

  const act = useCallback(
    async (label: string, work: () => Promise<AlertDto | void>) => {
      setError(null);
      try {
        const alert = await work();
        if (alert) replaceRow(alert);
        setMessage(label);
      } catch (e) {
        setError(problemText(e));
      }
    },
    [replaceRow],
  );
  const toRow = (detail: { toJSON: () => unknown }) => AlertDto.fromJS(detail.toJSON());
  const acknowledge = (alert: AlertDto) =>
    act(`Alert #${alert.id} acknowledged.`, async () =>
      toRow(await api.alerts().updateStatus(alert.id, new UpdateStatusBody({ status: AlertStatus.Acknowledged }))),
    );
  const assignToMe = (alert: AlertDto) =>
    act(`Alert #${alert.id} assigned to you.`, async () => toRow(await api.alerts().assign(alert.id, new AssignBody({ assignee: me!.id }))));

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const target = e.target as HTMLElement;
      if (e.ctrlKey || e.metaKey || e.altKey || target.closest("input, textarea, select, [contenteditable]")) return;
      const row = rows[active];
      if (e.key === "j") setActive((a) => Math.min(a + 1, rows.length - 1));
      else if (e.key === "k") setActive((a) => Math.max(a - 1, 0));
      else if (e.key === "Enter" && row && target.tagName !== "BUTTON" && target.tagName !== "A") navigate(`/alerts/${row.id}`);
      else if (e.key === "x" && row) toggle(row.id);
      else if (e.key === "a" && row && isAdmin) void acknowledge(row);
      else if (e.key === "m" && row && me) void assignToMe(row);
      else return;
      e.preventDefault();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  });

  const toggle = (id: number) =>
    setSelected((s) => {
      const n = new Set(s);
      if (n.has(id)) n.delete(id);
      else n.add(id);
      return n;
    });
  const allSelected = rows.length > 0 && rows.every((r) => selected.has(r.id));

  const bulk = async (body: BulkBody, what: string) => {
    setError(null);
    try {
      const result = await api.alerts().bulk(body);
      const failed = result.results.filter((r) => !r.ok);
      setMessage(
        `${what}: ${result.results.length - failed.length} of ${result.results.length} done` +
          (failed.length ? `; refused: ${failed.map((f) => `#${f.id} (${f.status_code}${f.error ? `: ${f.error}` : ""})`).join(", ")}` : "."),
      );
      setSelected(new Set());
      await queryClient.invalidateQueries({ queryKey: ["alerts"] });
    } catch (e) {
      setError(problemText(e));
    }
  };
  const [bulkTag, setBulkTag] = useState("");

  // ---- the filter form (applied on submit so typing does not query on every key) ----
  const [draft, setDraft] = useState({ q: filters.q, source: filters.source, tags: filters.tags.join(", ") });
  useEffect(() => setDraft({ q: filters.q, source: filters.source, tags: filters.tags.join(", ") }), [filters.q, filters.source, filters.tags]);
  const applyText = (e: FormEvent) => {
    e.preventDefault();
    update({
      q: draft.q.trim(),
      source: draft.source.trim(),
      tags: draft.tags
        .split(",")
        .map((t) => t.trim())
        .filter(Boolean)
        .join(","),
    });
  };
  const toggleIn = (key: "status" | "severity", value: string) => {
    const current = new Set<string>(controls[key]);
    if (current.has(value)) current.delete(value);
    else current.add(value);
    update({ [key]: [...current].join(",") });
  };

  const sortBy = (key: string) => update({ ordering: controls.ordering === `-${key}` ? key : `-${key}` });
  const sortState = (key: string): "ascending" | "descending" | "none" =>
    controls.ordering === key ? "ascending" : controls.ordering === `-${key}` ? "descending" : "none";

  const data = alerts.data;
  const exact = data ? countIsExact(data) : true;
  const nextCursor = cursorOf(data?.next);
  const hasGrouping = rows.some((r) => grouping(r).occurrences !== undefined);

  return (
    <section className="queue" aria-labelledby="queue-title">
      <div className="page-head">
        <h1 id="queue-title">Alert queue</h1>
        <p className="count" data-testid="alert-count" aria-live="polite">
          {data ? `${exact ? fmtNumber(data.count) : `${fmtNumber(data.count)}+`} alert${data.count === 1 ? "" : "s"}` : ""}
        </p>
        <span className={`live live-${live}`} data-testid="live-state">
          {live === "live" ? "● Live" : live === "connecting" ? "Connecting…" : "Reconnecting…"}
        </span>
      </div>

      <form className="filters" onSubmit={applyText} aria-label="Filters">
        <fieldset>
          <legend>Status</legend>
          {statuses.map((s) => (
            <label key={s} className="chip">
              <input type="checkbox" checked={controls.status.includes(s)} onChange={() => toggleIn("status", s)} />
              {statusLabel[s]}
            </label>
          ))}
        </fieldset>
        <fieldset>
          <legend>Severity</legend>
          {severities.map((s) => (
            <label key={s} className="chip">
              <input type="checkbox" checked={controls.severity.includes(s)} onChange={() => toggleIn("severity", s)} />
              {s}
            </label>
          ))}
        </fieldset>
        <div className="filter-row">
          <label>
            Search
            <input type="search" name="q" placeholder="source, type, description" value={draft.q} onChange={(e) => setDraft({ ...draft, q: e.target.value })} />
          </label>
          <label>
            Source
            <input name="source" value={draft.source} onChange={(e) => setDraft({ ...draft, source: e.target.value })} />
          </label>
          <label>
            Tags
            <input name="tags" placeholder="all of: a, b" value={draft.tags} onChange={(e) => setDraft({ ...draft, tags: e.target.value })} />
          </label>
          <button type="submit">Apply</button>
        </div>
        <div className="filter-row">
          <label>
            Assignee
            <select value={controls.assignee} onChange={(e) => update({ assignee: e.target.value })}>
              <option value="">anyone</option>
              <option value="me">me</option>
              <option value="none">nobody</option>
            </select>
          </label>
          <label>
            From
            <input type="date" value={controls.from} onChange={(e) => update({ from: e.target.value })} />
          </label>
          <label>
            To
            <input type="date" value={controls.to} onChange={(e) => update({ to: e.target.value })} />
          </label>
          <label className="chip">
            <input type="checkbox" checked={controls.sla} onChange={(e) => update({ sla: e.target.checked ? "true" : undefined })} />
            SLA breached
          </label>
          <button type="button" className="secondary" onClick={() => setParams(new URLSearchParams())}>
            Clear filters
          </button>
        </div>
      </form>

      {newCount > 0 && (
        <button type="button" className="new-bar" onClick={showNew} data-testid="new-alerts">
          {newCount} new alert{newCount === 1 ? "" : "s"} — show
        </button>
      )}

      <div className="bulk" role="region" aria-label="Bulk actions">
        <span>{selected.size} selected</span>
        {isAdmin && (
          <button
            type="button"
            disabled={selected.size === 0}
            onClick={() => void bulk(new BulkBody({ ids: [...selected], action: BulkAlertAction.Status, status: AlertStatus.Acknowledged }), "Acknowledge")}
          >
            Acknowledge selected
          </button>
        )}
        <button
          type="button"
          disabled={selected.size === 0 || !me}
          onClick={() => void bulk(new BulkBody({ ids: [...selected], action: BulkAlertAction.Assign, assignee: me!.id } as BulkBody), "Assign to me")}
        >
          Assign selected to me
        </button>
        <label className="inline">
          <span className="sr-only">Tag to add to the selected alerts</span>
          <input placeholder="tag" value={bulkTag} onChange={(e) => setBulkTag(e.target.value.toLowerCase())} />
        </label>
        <button
          type="button"
          disabled={selected.size === 0 || !TAG_PATTERN.test(bulkTag)}
          onClick={() => void bulk(new BulkBody({ ids: [...selected], action: BulkAlertAction.Tag, add_tags: [bulkTag] } as BulkBody), "Tag")}
        >
          Tag selected
        </button>
        <span className="muted small keys">Keys: j/k move · Enter open · x select · m assign to me{isAdmin ? " · a acknowledge" : ""}</span>
      </div>

      {message && (
        <p className="note" role="status" data-testid="queue-message">
          {message}
        </p>
      )}
      <ErrorNote error={error ?? (alerts.error ? problemText(alerts.error) : null)} />

      <div className="table-wrap">
        <table className="alerts" aria-busy={alerts.isFetching}>
          <thead>
            <tr>
              <th scope="col" className="narrow">
                <input
                  type="checkbox"
                  aria-label="Select all on this page"
                  checked={allSelected}
                  onChange={() => setSelected(allSelected ? new Set() : new Set(rows.map((r) => r.id)))}
                />
              </th>
              {columns.slice(0, 2).map((c) => (
                <SortHeader key={c.key} label={c.label} state={sortState(c.key)} onClick={() => sortBy(c.key)} />
              ))}
              <th scope="col">Alert</th>
              <th scope="col">Source</th>
              <th scope="col">Assignee</th>
              <th scope="col">Tags</th>
              {hasGrouping && <th scope="col">Seen</th>}
              <th scope="col">SLA</th>
              {columns.slice(2).map((c) => (
                <SortHeader key={c.key} label={c.label} state={sortState(c.key)} onClick={() => sortBy(c.key)} />
              ))}
            </tr>
          </thead>
          <tbody ref={tableRef}>
            {rows.map((a, i) => (
              <tr
                key={a.id}
                data-index={i}
                data-alert-id={a.id}
                className={`${i === active ? "active" : ""} ${selected.has(a.id) ? "selected" : ""}`}
                onClick={() => setActive(i)}
              >
                <td className="narrow">
                  <input type="checkbox" aria-label={`Select alert ${a.id}`} checked={selected.has(a.id)} onChange={() => toggle(a.id)} />
                </td>
                <td>
                  <SeverityBadge severity={a.event?.severity ?? a.severity} />
                </td>
                <td>
                  <StatusBadge status={a.status} />
                </td>
                <td className="title">
                  <Link to={`/alerts/${a.id}`}>
                    #{a.id} {a.event_type}
                  </Link>
                  <span className="desc">{a.description}</span>
                </td>
                <td>{a.source}</td>
                <td>{a.assignee?.username ?? <span className="muted">—</span>}</td>
                <td>
                  {a.tags.map((t) => (
                    <span key={t} className="tag">
                      {t}
                    </span>
                  ))}
                </td>
                {hasGrouping && <td>{grouping(a).occurrences !== undefined ? `${fmtNumber(grouping(a).occurrences!)}×` : ""}</td>}
                <td>{a.sla_breached ? <span className="badge breach">breached</span> : a.ack_due_at ? <span className="muted small">ack {fmtAgo(a.ack_due_at)}</span> : ""}</td>
                <td title={fmtDate(a.created_at)}>{fmtAgo(a.created_at)}</td>
                <td title={fmtDate(a.updated_at)}>{fmtAgo(a.updated_at)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {data && rows.length === 0 && <p className="empty">No alert matches these filters.</p>}
      </div>

      <nav className="pager" aria-label="Pages">
        {nextCursor !== undefined || filters.cursor ? (
          <>
            <button
              type="button"
              className="secondary"
              disabled={!filters.cursor}
              onClick={() => {
                const trail = [...cursorTrail];
                const previous = trail.pop();
                setCursorTrail(trail);
                update({ cursor: previous }, true);
              }}
            >
              ← Newer
            </button>
            <button
              type="button"
              className="secondary"
              disabled={!nextCursor}
              onClick={() => {
                setCursorTrail([...cursorTrail, filters.cursor]);
                update({ cursor: nextCursor }, true);
              }}
            >
              Older →
            </button>
          </>
        ) : (
          <>
            <button type="button" className="secondary" disabled={!data?.previous} onClick={() => update({ page: String(filters.page - 1) }, true)}>
              ← Previous
            </button>
            <span>
              Page {filters.page}
              {data && exact ? ` of ${fmtNumber(Math.max(1, Math.ceil(data.count / PAGE_SIZE)))}` : ""}
            </span>
            <button type="button" className="secondary" disabled={!data?.next} onClick={() => update({ page: String(filters.page + 1) }, true)}>
              Next →
            </button>
          </>
        )}
      </nav>
    </section>
  );
}

function SortHeader({ label, state, onClick }: { label: string; state: "ascending" | "descending" | "none"; onClick: () => void }) {
  return (
    <th scope="col" aria-sort={state}>
      <button type="button" className="sort" onClick={onClick}>
        {label} <span aria-hidden="true">{state === "ascending" ? "▲" : state === "descending" ? "▼" : "↕"}</span>
      </button>
    </th>
  );
}
