import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { Link, useParams } from "react-router";
import {
  AlertHistoryAction,
  AssignBody,
  EventFormat,
  CommentBody,
  TagsBody,
  UpdateStatusBody,
  type AlertDetailDto,
  type AlertNotificationDto,
  type AlertStatus,
} from "@threatplatform/client";
import { api, problemStatus, problemText } from "../api";
import { useAuth } from "../auth";
import { ErrorNote, SeverityBadge, StatusBadge } from "../components";
import { DeliveryBadge } from "./notifications/shared";
import { ListHead } from "../lists";
import { fmtDate, fmtNumber, nextStatuses, statusLabel, statusVerb, TAG_PATTERN } from "../format";

interface Loaded {
  alert: AlertDetailDto;
  etag: string | null;
}

async function loadAlert(id: number, signal?: AbortSignal): Promise<Loaded> {
  let etag: string | null = null;
  const alert = await api.alerts({ onResponse: (r) => (etag = r.headers.get("ETag")) }).get(id, signal);
  return { alert, etag };
}

/** What people decide on an alert (a sensor's folds change none of it): two versions equal here differ only by folds. */
const decidedByPeople = (a: AlertDetailDto) =>
  JSON.stringify([a.status, a.assignee?.id ?? null, [...a.tags].sort(), a.comments_count, a.history.filter((h) => h.changed_by != null).length]);

/** ATT&CK's page for a technique id, shown as text: the console fetches nothing from the internet. */
const attackUrl = (technique: string) => `https://attack.mitre.org/techniques/${technique.replace(".", "/")}/`;

export default function AlertDetailPage() {
  const id = Number(useParams().id);
  const { me, isAdmin } = useAuth();
  const queryClient = useQueryClient();
  const [error, setError] = useState<string | null>(null);
  const [stale, setStale] = useState(false);
  const [note, setNote] = useState("");

  const detail = useQuery({
    queryKey: ["alert", id],
    queryFn: ({ signal }) => loadAlert(id, signal),
    enabled: Number.isInteger(id) && id > 0,
  });
  const comments = useQuery({
    queryKey: ["alert", id, "comments"],
    queryFn: ({ signal }) => api.alerts().listComments(id, 1, 100, undefined, undefined, undefined, signal),
    enabled: detail.isSuccess,
  });
  const users = useQuery({
    queryKey: ["users", "active"],
    queryFn: ({ signal }) => api.users().list(1, 100, undefined, true, "username", undefined, undefined, signal),
    enabled: isAdmin,
    staleTime: 60_000,
  });

  /**
   * One write with the ETag we hold: a 412 means the alert changed since we loaded it. When what changed is only a
   * sensor folding more events in (occurrences, last seen, severity, due times) and nothing a person decides (status,
   * assignee, tags, comments), the write is tried again on the fresh version — a busy alert moves every few
   * milliseconds and would otherwise never take an acknowledgement. Anything a person changed shows "reload".
   */
  const write = async (work: (ifMatch: string | null, setEtag: (r: Response) => void) => Promise<unknown>) => {
    setError(null);
    let seen = detail.data;
    for (let attempt = 1; ; attempt++) {
      let newEtag: string | null = null;
      try {
        const result = await work(seen?.etag ?? null, (r) => (newEtag = r.headers.get("ETag")));
        if (result && typeof result === "object" && "history" in result) {
          queryClient.setQueryData<Loaded>(["alert", id], { alert: result as AlertDetailDto, etag: newEtag });
        } else {
          await queryClient.invalidateQueries({ queryKey: ["alert", id] });
        }
        await queryClient.invalidateQueries({ queryKey: ["alerts"] });
        return true;
      } catch (e) {
        if (problemStatus(e) !== 412) {
          setError(problemText(e));
          return false;
        }
        const fresh = attempt < 3 && seen ? await loadAlert(id).catch(() => null) : null;
        if (!fresh || !seen || decidedByPeople(fresh.alert) !== decidedByPeople(seen.alert)) {
          setStale(true);
          return false;
        }
        queryClient.setQueryData<Loaded>(["alert", id], fresh);
        seen = fresh;
      }
    }
  };

  const reload = async () => {
    setStale(false);
    await queryClient.invalidateQueries({ queryKey: ["alert", id] });
  };

  if (detail.isPending) return <p role="status">Loading alert #{id}…</p>;
  if (detail.isError)
    return (
      <section>
        <h1>Alert #{id}</h1>
        <ErrorNote error={problemText(detail.error)} />
        <Link to="/">Back to the queue</Link>
      </section>
    );

  const { alert } = detail.data;
  const e = alert.event;
  const changeStatus = (status: AlertStatus) =>
    write((ifMatch, onResponse) => api.alerts({ ifMatch, onResponse }).updateStatus(id, new UpdateStatusBody({ status, note: note.trim() || undefined }))).then(
      (ok) => ok && setNote(""),
    );
  const assign = (assignee: number | null) =>
    write((ifMatch, onResponse) => api.alerts({ ifMatch, onResponse }).assign(id, new AssignBody({ assignee })));
  const mine = alert.assignee?.id === me?.id;

  return (
    <article className="detail" aria-labelledby="alert-title">
      <p>
        <Link to="/">← Queue</Link>
      </p>
      <header className="detail-head">
        <h1 id="alert-title">
          #{alert.id} {alert.event_type}
        </h1>
        <SeverityBadge severity={e?.severity ?? alert.severity} />
        <StatusBadge status={alert.status} />
        {alert.sla_breached && <span className="badge breach">SLA breached</span>}
      </header>

      {stale && (
        <div className="stale" role="alert" data-testid="stale">
          This alert was changed by someone else — reload to see the change before you act.
          <button type="button" onClick={() => void reload()}>
            Reload
          </button>
        </div>
      )}
      <ErrorNote error={error} />

      <div className="columns">
        <div className="col-main">
          <section aria-labelledby="event-title" className="card">
            <h2 id="event-title">Event</h2>
            {!e ? (
              <>
                <p className="muted" data-testid="event-expired">
                  The event that raised this alert has expired (the retention period dropped it). The alert keeps its copy:
                </p>
                <dl className="fields">
                  <Field name="Description" value={alert.description || "—"} />
                  <Field name="Source" value={alert.source} />
                  <Field name="Event type" value={alert.event_type} />
                </dl>
              </>
            ) : (
            <>
            <dl className="fields">
              <Field name="Description" value={e.description || "—"} />
              <Field name="Source" value={e.source} />
              <Field name="Event type" value={e.event_type} />
              <Field name="Severity" value={e.severity} />
              <Field name="Occurred at" value={fmtDate(e.occurred_at)} />
              <Field name="Received at" value={fmtDate(e.timestamp)} />
              <Field name="Source IP" value={e.source_ip ?? "—"} />
              <Field name="Destination IP" value={e.destination_ip ?? "—"} />
              <Field name="External id" value={e.external_id ?? "—"} />
              <Field name="Event id" value={String(e.id)} />
              <Field name="Sensor" value={e.sensor != null ? `#${e.sensor}` : "— (a person's token)"} />
              <Field name="Ingested by" value={e.ingested_by != null ? `user #${e.ingested_by}` : "—"} />
              <Field name="Format" value={e.format ?? EventFormat.Native} />
            </dl>
            <h3>Metadata</h3>
            {e.metadata != null ? <pre className="json" data-testid="metadata">{JSON.stringify(e.metadata, null, 2)}</pre> : <p className="muted">None.</p>}
            <RawRecord format={e.format} raw={e.raw ?? null} />
            </>
            )}
          </section>

          {alert.rule && (
            <p className="card" data-testid="raised-by-rule">
              Raised by rule{" "}
              {alert.rule.id != null ? <Link to={`/rules?open=${alert.rule.id}`}>{alert.rule.title}</Link> : <strong>{alert.rule.title}</strong>} (
              {[alert.rule.level, alert.rule.technique].filter(Boolean).join(", ")})
            </p>
          )}

          {(alert.detection ?? e?.detection) && (
            <section aria-labelledby="detection-title" className="card">
              <h2 id="detection-title">Detection</h2>
              {(() => {
                const d = (alert.detection ?? e?.detection)!;
                return (
                  <dl className="fields">
                    <Field name="Model" value={`${d.model}${d.model_version ? ` ${d.model_version}` : ""}`} />
                    <Field name="Confidence" value={`${Math.round(d.confidence * 100)} %`} />
                    <Field name="ATT&CK technique" value={d.technique ? `${d.technique} (${attackUrl(d.technique)})` : "—"} />
                  </dl>
                );
              })()}
            </section>
          )}

          <section aria-labelledby="occ-title" className="card">
            <h2 id="occ-title">Occurrences</h2>
            <dl className="fields">
              <Field name="Occurrences" value={fmtNumber(alert.occurrences)} />
              <Field name="First seen" value={fmtDate(alert.first_seen_at)} />
              <Field name="Last seen" value={fmtDate(alert.last_seen_at)} />
            </dl>
            <FoldedEvents id={id} />
          </section>

          <NotificationsPanel alertId={alert.id} notifications={alert.notifications ?? []} isAdmin={isAdmin} />

          <section aria-labelledby="history-title" className="card">
            <h2 id="history-title">History</h2>
            <ol className="timeline">
              <li>
                <time dateTime={alert.created_at.toISOString()}>{fmtDate(alert.created_at)}</time> alert raised
              </li>
              {alert.history.map((h, i) => (
                <li key={i}>
                  <time dateTime={h.changed_at.toISOString()}>{fmtDate(h.changed_at)}</time> <strong>{h.changed_by_username ?? `user #${h.changed_by}`}</strong>{" "}
                  {describe(h.action, h.from ?? h.from_status ?? null, h.to ?? h.to_status ?? null)}
                  {h.note && <q>{h.note}</q>}
                </li>
              ))}
            </ol>
          </section>
        </div>

        <aside className="col-side">
          <section aria-labelledby="triage-title" className="card">
            <h2 id="triage-title">Triage</h2>
            <p>
              Assignee: <strong data-testid="assignee">{alert.assignee?.username ?? "nobody"}</strong>
            </p>
            <div className="buttons">
              {!alert.assignee && me && (
                <button type="button" onClick={() => void assign(me.id)}>
                  Assign to me
                </button>
              )}
              {alert.assignee && (mine || isAdmin) && (
                <button type="button" className="secondary" onClick={() => void assign(null)}>
                  Unassign
                </button>
              )}
            </div>
            {isAdmin && users.data && (
              <label>
                Assign to
                <select value={alert.assignee?.id ?? ""} onChange={(ev) => void assign(ev.target.value ? Number(ev.target.value) : null)}>
                  <option value="">nobody</option>
                  {users.data.results.map((u) => (
                    <option key={u.id} value={u.id}>
                      {u.username}
                    </option>
                  ))}
                </select>
              </label>
            )}
            <p className="small muted">
              Ack due {fmtDate(alert.ack_due_at)} · resolve due {fmtDate(alert.resolve_due_at)}
            </p>

            {isAdmin && (
              <div className="status-actions" data-testid="status-actions">
                <h3>Status</h3>
                <label>
                  Note (optional)
                  <input value={note} onChange={(ev) => setNote(ev.target.value)} maxLength={1000} />
                </label>
                <div className="buttons">
                  {nextStatuses[alert.status].map((s) => (
                    <button key={s} type="button" onClick={() => void changeStatus(s)}>
                      {statusVerb[s]}
                    </button>
                  ))}
                </div>
              </div>
            )}
          </section>

          <TagsEditor tags={alert.tags} save={(tags) => write((ifMatch, onResponse) => api.alerts({ ifMatch, onResponse }).replaceTags(id, new TagsBody({ tags })))} />

          <section aria-labelledby="comments-title" className="card">
            <h2 id="comments-title">Comments ({alert.comments_count})</h2>
            <ul className="comments" data-testid="comments">
              {comments.data?.results.map((c) => (
                <li key={c.id}>
                  <p className="meta">
                    <strong>{c.author.username}</strong> · <time dateTime={c.created_at.toISOString()}>{fmtDate(c.created_at)}</time>
                  </p>
                  {/* Text, never HTML: React escapes it. */}
                  <p className="body">{c.body}</p>
                </li>
              ))}
            </ul>
            <CommentForm
              add={(body) =>
                write((ifMatch) => api.alerts({ ifMatch }).addComment(id, new CommentBody({ body }))).then(async (ok) => {
                  await queryClient.invalidateQueries({ queryKey: ["alert", id, "comments"] });
                  return ok;
                })
              }
            />
          </section>
        </aside>
      </div>
    </article>
  );
}

function describe(action: AlertHistoryAction, from: string | null, to: string | null): string {
  switch (action) {
    case AlertHistoryAction.Status:
      return `changed status ${from ? statusLabel[from as AlertStatus] ?? from : "—"} → ${to ? statusLabel[to as AlertStatus] ?? to : "—"}`;
    case AlertHistoryAction.Assignee:
      return to ? `assigned it to ${to}` : `unassigned ${from ?? ""}`.trim();
    case AlertHistoryAction.Tags:
      return `set tags to ${to || "none"}`;
    case AlertHistoryAction.CommentAdded:
      return "commented";
    case AlertHistoryAction.CommentDeleted:
      return "deleted a comment";
    default:
      return String(action).toLowerCase();
  }
}

/**
 * The record as the sensor sent it. Text only: React renders it as a text node (never innerHTML), so markup or script
 * in a hostile record shows as characters.
 */
function RawRecord({ format, raw }: { format: EventFormat | undefined; raw: string | null }) {
  const [copied, setCopied] = useState(false);
  if (raw === null)
    return (
      <p className="muted small" data-testid="raw-none">
        {format && format !== EventFormat.Native ? "The raw record is not kept for this event." : "Sent as the platform's own event JSON: there is no other raw record."}
      </p>
    );
  return (
    <>
      <div className="raw-head">
        <h3>Raw record ({format})</h3>
        <button
          type="button"
          className="secondary"
          onClick={() =>
            void navigator.clipboard.writeText(raw).then(
              () => setCopied(true),
              () => setCopied(false),
            )
          }
        >
          {copied ? "Copied" : "Copy raw record"}
        </button>
      </div>
      <pre className="raw" data-testid="raw" tabIndex={0}>
        {raw}
      </pre>
    </>
  );
}

/** The alert's notifications (detail's `notifications`): which channel, what event, how it stands. */
function NotificationsPanel({ alertId, notifications, isAdmin }: { alertId: number; notifications: AlertNotificationDto[]; isAdmin: boolean }) {
  return (
    <section aria-labelledby="notifications-title" className="card" data-testid="notifications">
      <h2 id="notifications-title">Notifications</h2>
      {notifications.length === 0 ? (
        <p className="muted">No notification rule selected this alert: nobody was notified.</p>
      ) : (
        <table className="compact">
          <ListHead actions={false} columns={["Channel", "Event", "Status", "Sent"]} />
          <tbody>
            {notifications.map((n, i) => (
              <tr key={i}>
                <td>{n.channel != null ? `${n.kind ?? ""} #${n.channel}`.trim() : "deleted channel"}</td>
                <td>{n.event}</td>
                <td>
                  <DeliveryBadge status={n.status} />
                </td>
                <td>{fmtDate(n.sent_at)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {isAdmin && notifications.length > 0 && (
        <p className="small">
          <Link to={`/admin/notifications/deliveries?alert=${alertId}`}>This alert's deliveries in the delivery log</Link>
        </p>
      )}
    </section>
  );
}

function Field({ name, value }: { name: string; value: string }) {
  return (
    <>
      <dt>{name}</dt>
      <dd>{value}</dd>
    </>
  );
}

function TagsEditor({ tags, save }: { tags: string[]; save: (tags: string[]) => Promise<boolean> }) {
  const [draft, setDraft] = useState("");
  const [problem, setProblem] = useState<string | null>(null);
  // One save at a time (each sends the whole list), and typing goes on meanwhile: the box is emptied after a save only
  // if it still holds the tag that was saved, so the next tag typed while the last one saved is kept.
  const [saving, setSaving] = useState(false);
  const saveOne = async (next: string[]) => {
    setSaving(true);
    try {
      return await save(next);
    } finally {
      setSaving(false);
    }
  };
  const add = async (ev: FormEvent) => {
    ev.preventDefault();
    if (saving) return;
    const typed = draft;
    const tag = typed.trim().toLowerCase();
    if (!TAG_PATTERN.test(tag)) {
      setProblem("A tag is 1–50 characters of a-z, 0-9, colon, underscore, dot or hyphen.");
      return;
    }
    setProblem(null);
    if (await saveOne([...tags.filter((t) => t !== tag), tag])) setDraft((current) => (current === typed ? "" : current));
  };
  return (
    <section aria-labelledby="tags-title" className="card">
      <h2 id="tags-title">Tags</h2>
      <ul className="tag-list" data-testid="tags">
        {tags.map((t) => (
          <li key={t} className="tag">
            {t}
            <button type="button" className="link" aria-label={`Remove tag ${t}`} disabled={saving} onClick={() => void saveOne(tags.filter((x) => x !== t))}>
              ×
            </button>
          </li>
        ))}
        {tags.length === 0 && <li className="muted">No tags.</li>}
      </ul>
      <form onSubmit={add} className="inline-form">
        <label>
          New tag
          <input value={draft} onChange={(ev) => setDraft(ev.target.value)} placeholder="e.g. phishing" />
        </label>
        <button type="submit" disabled={saving}>
          Add tag
        </button>
      </form>
      <ErrorNote error={problem} />
    </section>
  );
}

function CommentForm({ add }: { add: (body: string) => Promise<boolean> }) {
  const [body, setBody] = useState("");
  const [posting, setPosting] = useState(false);
  const submit = async (ev: FormEvent) => {
    ev.preventDefault();
    const typed = body;
    if (posting || !typed.trim()) return;
    setPosting(true);
    try {
      // Emptied only if unchanged since it was sent: what was typed meanwhile stays.
      if (await add(typed)) setBody((current) => (current === typed ? "" : current));
    } finally {
      setPosting(false);
    }
  };
  return (
    <form onSubmit={submit}>
      <label>
        Add a comment
        <textarea value={body} onChange={(ev) => setBody(ev.target.value)} rows={3} maxLength={10000} />
      </label>
      <button type="submit" disabled={posting || !body.trim()}>
        Comment
      </button>
    </form>
  );
}

/** Events folded into this alert (GET /api/alerts/{id}/events/), the latest first. */
function FoldedEvents({ id }: { id: number }) {
  const events = useQuery({
    queryKey: ["alert", id, "events"],
    queryFn: () => api.alerts().listEvents(id, 1, 20),
  });
  if (!events.data) return null;
  return (
    <table className="compact">
      <caption>Latest events folded into this alert ({fmtNumber(events.data.count)})</caption>
      <ListHead actions={false} columns={["Received", "Severity", "Description"]} />
      <tbody>
        {events.data.results.map((ev) => (
          <tr key={ev.id}>
            <td>{fmtDate(ev.timestamp)}</td>
            <td>
              <SeverityBadge severity={ev.severity} />
            </td>
            <td>{ev.description}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
