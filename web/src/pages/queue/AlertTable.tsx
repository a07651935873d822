import type { AlertDto } from "@threatplatform/client";
import { useEffect, useRef } from "react";
import { Link } from "react-router";
import { SeverityBadge, StatusBadge } from "../../components";
import { fmtAgo, fmtDate, fmtNumber } from "../../format";
import type { SortState } from "./filters";

const columns: { key: string; label: string }[] = [
  { key: "event__severity", label: "Severity" },
  { key: "status", label: "Status" },
  { key: "created_at", label: "Created" },
  { key: "updated_at", label: "Updated" },
];

/** One page of the queue: the highlighted row (kept in view), the selection, and the sortable columns' headers. */
export function AlertTable({
  rows,
  busy,
  active,
  setActive,
  selected,
  toggle,
  setSelected,
  sortState,
  sortBy,
}: {
  rows: AlertDto[];
  busy: boolean;
  active: number;
  setActive: (index: number) => void;
  selected: ReadonlySet<number>;
  toggle: (id: number) => void;
  setSelected: (ids: Set<number>) => void;
  sortState: (key: string) => SortState;
  sortBy: (key: string) => void;
}) {
  const tableRef = useRef<HTMLTableSectionElement>(null);
  useEffect(() => {
    tableRef.current?.querySelector(`[data-index="${active}"]`)?.scrollIntoView({ block: "nearest" });
  }, [active]);

  const allSelected = rows.length > 0 && rows.every((r) => selected.has(r.id));
  // Every alert carries its occurrence count; the column shows once there is a row to show it for.
  const hasGrouping = rows.length > 0;

  return (
    <table className="alerts" aria-busy={busy}>
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
            {hasGrouping && <td>{`${fmtNumber(a.occurrences)}×`}</td>}
            <td>{a.sla_breached ? <span className="badge breach">breached</span> : a.ack_due_at ? <span className="muted small">ack {fmtAgo(a.ack_due_at)}</span> : ""}</td>
            <td title={fmtDate(a.created_at)}>{fmtAgo(a.created_at)}</td>
            <td title={fmtDate(a.updated_at)}>{fmtAgo(a.updated_at)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function SortHeader({ label, state, onClick }: { label: string; state: SortState; onClick: () => void }) {
  return (
    <th scope="col" aria-sort={state}>
      <button type="button" className="sort" onClick={onClick}>
        {label} <span aria-hidden="true">{state === "ascending" ? "▲" : state === "descending" ? "▼" : "↕"}</span>
      </button>
    </th>
  );
}
