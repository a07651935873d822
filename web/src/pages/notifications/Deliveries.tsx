import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { Link, useSearchParams } from "react-router";
import { DeliveryStatus, type DeliveryDto } from "@threatplatform/client";
import { api } from "../../api";
import { fmtAgo, fmtDate } from "../../format";
import { useAllChannels } from "./Rules";
import { ChangeNotes, ListHead, pageOf, Pager, useChange } from "../../lists";
import { DeliveryBadge, NotificationTabs } from "./shared";

const PAGE_SIZE = 25;
const statuses = Object.values(DeliveryStatus);
type FilterKey = "status" | "channel" | "rule" | "alert";

const idParam = (value: string | null) => {
  const n = Number(value);
  return value && Number.isInteger(n) && n > 0 ? n : undefined;
};

/** The delivery log: every filter and the page live in the URL, so a filtered view can be linked (e.g. from an alert). */
export default function DeliveriesPage() {
  const [params, setParams] = useSearchParams();
  const page = pageOf(params);
  const status = statuses.find((s) => s === params.get("status"));
  const channel = idParam(params.get("channel"));
  const rule = idParam(params.get("rule"));
  const alert = idParam(params.get("alert"));
  const [alertText, setAlertText] = useState(params.get("alert") ?? "");
  const { note, error, run } = useChange(["notification-deliveries"]);

  const deliveries = useQuery({
    queryKey: ["notification-deliveries", params.toString()],
    placeholderData: keepPreviousData,
    queryFn: ({ signal }) =>
      api.notifications().listDeliveries(page, PAGE_SIZE, status ? [status] : undefined, channel, rule, alert, undefined, undefined, true, signal),
    // The dispatcher works in the background: pending rows change on their own.
    refetchInterval: 5000,
  });
  const channels = useAllChannels();
  const rules = useQuery({
    queryKey: ["notification-rules", "all"],
    queryFn: ({ signal }) => api.notifications().listRules(1, 100, undefined, "name", undefined, undefined, signal),
    staleTime: 30_000,
  });
  const channelName = new Map((channels.data?.results ?? []).map((c) => [c.id, `${c.name} (${c.kind.toLowerCase()})`]));
  const ruleName = new Map((rules.data?.results ?? []).map((r) => [r.id, r.name]));

  const update = (changes: Partial<Record<FilterKey | "page", string | undefined>>) => {
    const next = new URLSearchParams(params);
    for (const [key, value] of Object.entries(changes)) {
      if (value) next.set(key, value);
      else next.delete(key);
    }
    if (!("page" in changes)) next.delete("page");
    setParams(next);
  };

  const retry = (d: DeliveryDto) =>
    run(() => api.notifications().retryDelivery(d.id), `Delivery #${d.id} queued again (same webhook-id, a fresh allowance of attempts).`);

  const applyAlert = (e: FormEvent) => {
    e.preventDefault();
    update({ alert: alertText.trim() || undefined });
  };

  const data = deliveries.data;
  return (
    <section aria-labelledby="deliveries-title">
      <h1 id="deliveries-title">Delivery log</h1>
      <NotificationTabs />
      <p className="muted">
        Every notification queued, newest first. FAILED ones are retried with backoff; DEAD ones gave up. A delivery keeps its id (the receiver's
        webhook-id) on every attempt.
      </p>
      <form className="filters" onSubmit={applyAlert} aria-label="Filter deliveries">
        <div className="filter-row">
          <div className="field">
            <label htmlFor="dl-status">Status</label>
            <select id="dl-status" value={status ?? ""} onChange={(e) => update({ status: e.target.value || undefined })}>
              <option value="">any</option>
              {statuses.map((s) => (
                <option key={s}>{s}</option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="dl-channel">Channel</label>
            <select id="dl-channel" value={channel ?? ""} onChange={(e) => update({ channel: e.target.value || undefined })}>
              <option value="">any</option>
              {channels.data?.results.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name}
                </option>
              ))}
              {channel && !channelName.has(channel) && <option value={channel}>#{channel}</option>}
            </select>
          </div>
          <div className="field">
            <label htmlFor="dl-rule">Rule</label>
            <select id="dl-rule" value={rule ?? ""} onChange={(e) => update({ rule: e.target.value || undefined })}>
              <option value="">any</option>
              {rules.data?.results.map((r) => (
                <option key={r.id} value={r.id}>
                  {r.name}
                </option>
              ))}
              {rule && !ruleName.has(rule) && <option value={rule}>#{rule}</option>}
            </select>
          </div>
          <label>
            Alert id
            <input inputMode="numeric" className="short" value={alertText} onChange={(e) => setAlertText(e.target.value)} />
          </label>
          <button type="submit" className="secondary">
            Apply
          </button>
          {(status || channel || rule || alert) && (
            <button
              type="button"
              className="secondary"
              onClick={() => {
                setAlertText("");
                setParams({});
              }}
            >
              Clear filters
            </button>
          )}
        </div>
      </form>
      <ChangeNotes note={note} error={error} loadError={deliveries.error} />
      <div className="table-wrap">
        <table className="compact deliveries">
          <ListHead
            columns={["Delivery", "Status", "Event", "Alert", "Channel", "Rule", { label: "Attempts", className: "num" }, "Last error", "Next attempt", "Sent"]}
          />
          <tbody>
            {data?.results.map((d) => (
              <tr key={d.id} data-delivery={d.id}>
                <th scope="row" title={`queued ${fmtDate(d.created_at)}`}>
                  #{d.id}
                </th>
                <td>
                  <DeliveryBadge status={d.status} />
                </td>
                <td>{d.event}</td>
                <td>{d.alert != null ? <Link to={`/alerts/${d.alert}`}>#{d.alert}</Link> : "—"}</td>
                <td>{d.channel != null ? (channelName.get(d.channel) ?? `#${d.channel}`) : <span className="muted">deleted</span>}</td>
                <td>{d.rule != null ? (ruleName.get(d.rule) ?? `#${d.rule}`) : "—"}</td>
                <td className="num">{d.attempts}</td>
                <td className="last-error">{d.last_error ?? "—"}</td>
                <td title={fmtDate(d.next_attempt_at)}>{d.status === DeliveryStatus.Pending || d.status === DeliveryStatus.Failed ? fmtAgo(d.next_attempt_at) : "—"}</td>
                <td title={fmtDate(d.sent_at)}>{fmtAgo(d.sent_at)}</td>
                <td>
                  {(d.status === DeliveryStatus.Failed || d.status === DeliveryStatus.Dead) && (
                    <button type="button" className="secondary" onClick={() => void retry(d)}>
                      Retry<span className="sr-only"> delivery {d.id}</span>
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {data && data.results.length === 0 && <p className="empty">No delivery matches these filters.</p>}
      </div>
      <Pager
        page={page}
        list={data}
        pageSize={PAGE_SIZE}
        go={(p) => update({ page: String(p) })}
      />
    </section>
  );
}
