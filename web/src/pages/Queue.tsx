import { keepPreviousData, useQuery, useQueryClient } from "@tanstack/react-query";
import { AlertDto, AlertStatus, AssignBody, UpdateStatusBody, type BulkBody } from "@threatplatform/client";
import { useCallback, useMemo, useState } from "react";
import { useNavigate } from "react-router";
import { api, cursorOf, listAlerts, problemText } from "../api";
import { useAuth } from "../auth";
import { ErrorNote } from "../components";
import { fmtNumber } from "../format";
import { AlertTable } from "./queue/AlertTable";
import { BulkBar } from "./queue/BulkBar";
import { FilterBar } from "./queue/FilterBar";
import { nextOrdering, sortState } from "./queue/filters";
import { Pager } from "./queue/Pager";
import { replaceRow, useAlertFeed } from "./queue/useAlertFeed";
import { useQueueFilters } from "./queue/useQueueFilters";
import { useQueueKeys } from "./queue/useQueueKeys";

const toRow = (detail: { toJSON: () => unknown }) => AlertDto.fromJS(detail.toJSON());

/** The alert queue: filters in the URL, the live stream, selection, keyboard and bulk actions over one page of alerts. */
export function QueuePage() {
  const { params, filters, controls, listOptions, update, clear, firstPage, older, newer, toPage } = useQueueFilters();
  const { me, isAdmin } = useAuth();
  const queryClient = useQueryClient();
  const navigate = useNavigate();

  const alerts = useQuery({
    queryKey: ["alerts", params.toString()],
    placeholderData: keepPreviousData,
    queryFn: ({ signal }) => listAlerts(listOptions, signal),
  });
  const rows = useMemo(() => alerts.data?.results ?? [], [alerts.data]);

  // ---- live: new alerts are announced, not inserted (rows never jump); changes to visible rows apply in place ----
  const feed = useAlertFeed(filters, me, rows);
  const showNew = () => {
    feed.forget();
    firstPage();
    void queryClient.invalidateQueries({ queryKey: ["alerts"] });
  };

  // ---- selection, keyboard and actions ----
  const [active, setActive] = useState(0);
  const lastRow = Math.max(rows.length - 1, 0);
  if (active > lastRow) setActive(lastRow);
  const [selected, setSelected] = useState<Set<number>>(new Set());
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  const act = useCallback(
    async (label: string, work: () => Promise<AlertDto | void>) => {
      setError(null);
      try {
        const alert = await work();
        if (alert) replaceRow(queryClient, alert);
        setMessage(label);
      } catch (e) {
        setError(problemText(e));
      }
    },
    [queryClient],
  );
  const acknowledge = (alert: AlertDto) =>
    act(`Alert #${alert.id} acknowledged.`, async () =>
      toRow(await api.alerts().updateStatus(alert.id, new UpdateStatusBody({ status: AlertStatus.Acknowledged }))),
    );
  const assignToMe = (alert: AlertDto, userId: number) =>
    act(`Alert #${alert.id} assigned to you.`, async () => toRow(await api.alerts().assign(alert.id, new AssignBody({ assignee: userId }))));

  const toggle = (id: number) =>
    setSelected((s) => {
      const n = new Set(s);
      if (n.has(id)) n.delete(id);
      else n.add(id);
      return n;
    });

  const row = rows[active];
  useQueueKeys({
    move: (by) => setActive((a) => (by > 0 ? Math.min(a + 1, rows.length - 1) : Math.max(a - 1, 0))),
    open: row && (() => void navigate(`/alerts/${row.id}`)),
    toggle: row && (() => toggle(row.id)),
    acknowledge: row && isAdmin ? () => void acknowledge(row) : undefined,
    assignToMe: row && me ? () => void assignToMe(row, me.id) : undefined,
  });

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

  const data = alerts.data;
  const exact = data ? data.count_is_exact !== false : true;
  const { live, newCount } = feed;

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

      <FilterBar filters={filters} controls={controls} update={update} clear={clear} />

      {newCount > 0 && (
        <button type="button" className="new-bar" onClick={showNew} data-testid="new-alerts">
          {newCount} new alert{newCount === 1 ? "" : "s"} — show
        </button>
      )}

      <BulkBar selected={selected} me={me} isAdmin={isAdmin} bulk={bulk} />

      {message && (
        <p className="note" role="status" data-testid="queue-message">
          {message}
        </p>
      )}
      <ErrorNote error={error ?? (alerts.error ? problemText(alerts.error) : null)} />

      <div className="table-wrap">
        <AlertTable
          rows={rows}
          busy={alerts.isFetching}
          active={active}
          setActive={setActive}
          selected={selected}
          toggle={toggle}
          setSelected={setSelected}
          sortState={(key) => sortState(controls.ordering, key)}
          sortBy={(key) => update({ ordering: nextOrdering(controls.ordering, key) })}
        />
        {data && rows.length === 0 && <p className="empty">No alert matches these filters.</p>}
      </div>

      <Pager
        page={filters.page}
        cursor={filters.cursor}
        nextCursor={cursorOf(data?.next)}
        hasPrevious={!!data?.previous}
        hasNext={!!data?.next}
        count={data?.count}
        exact={exact}
        older={older}
        newer={newer}
        toPage={toPage}
      />
    </section>
  );
}
