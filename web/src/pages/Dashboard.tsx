import { useQuery } from "@tanstack/react-query";
import { lazy, Suspense, useState } from "react";
import { StatsBucket } from "@threatplatform/client";
import { api, problemText } from "../api";
import { ErrorNote } from "../components";
import { fmtDuration, fmtNumber, severities, statuses, statusLabel } from "../format";

// Chart.js (and the chart code) loads only when the dashboard is opened.
const Charts = lazy(() => import("./DashboardCharts"));

const ranges = { "24h": 1, "7d": 7, "30d": 30, "90d": 90 } as const;
type Range = keyof typeof ranges;

export default function DashboardPage() {
  const [range, setRange] = useState<Range>("7d");
  const stats = useQuery({
    queryKey: ["stats", range],
    queryFn: ({ signal }) => {
      const to = new Date();
      const from = new Date(to.getTime() - ranges[range] * 86_400_000);
      return api.stats().alerts(from, to, ranges[range] <= 2 ? StatsBucket.Hour : StatsBucket.Day, signal);
    },
    refetchInterval: 60_000,
  });
  const s = stats.data;

  return (
    <section aria-labelledby="dash-title" className="dashboard">
      <div className="page-head">
        <h1 id="dash-title">Dashboard</h1>
        <label className="inline">
          Window
          <select value={range} onChange={(e) => setRange(e.target.value as Range)}>
            {Object.keys(ranges).map((r) => (
              <option key={r} value={r}>
                last {r}
              </option>
            ))}
          </select>
        </label>
      </div>
      <ErrorNote error={stats.error ? problemText(stats.error) : null} />
      {s && (
        <>
          <div className="tiles">
            <Tile label="Alerts" value={fmtNumber(Object.values(s.by_status).reduce((a, b) => a + b, 0))} />
            <Tile label="Open" value={fmtNumber(s.by_status["OPEN"] ?? 0)} />
            <Tile label="SLA breached" value={fmtNumber(s.sla_breached)} testId="tile-sla" />
            <Tile label="MTTA median / p90" value={`${fmtDuration(s.mtta_seconds.median)} / ${fmtDuration(s.mtta_seconds.p90)}`} />
            <Tile label="MTTR median / p90" value={`${fmtDuration(s.mttr_seconds.median)} / ${fmtDuration(s.mttr_seconds.p90)}`} />
          </div>
          <div className="grid2">
            <section className="card" aria-labelledby="by-status">
              <h2 id="by-status">By status</h2>
              <table className="compact">
                <tbody>
                  {statuses.map((st) => (
                    <tr key={st}>
                      <th scope="row">{statusLabel[st]}</th>
                      <td className="num">{fmtNumber(s.by_status[st] ?? 0)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </section>
            <section className="card" aria-labelledby="by-severity">
              <h2 id="by-severity">By severity</h2>
              <table className="compact">
                <tbody>
                  {severities.map((sv) => (
                    <tr key={sv}>
                      <th scope="row">{sv}</th>
                      <td className="num">{fmtNumber(s.by_severity[sv] ?? 0)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </section>
          </div>
          <Suspense fallback={<p role="status">Loading charts…</p>}>
            <Charts stats={s} />
          </Suspense>
          <section className="card" aria-labelledby="top-sources">
            <h2 id="top-sources">Top sources by alerts</h2>
            <ol className="top-sources">
              {s.top_sources.map((t) => (
                <li key={t.source}>
                  <span>{t.source}</span> <span className="num">{fmtNumber(t.count)}</span>
                </li>
              ))}
              {s.top_sources.length === 0 && <li className="muted">No alerts in this window.</li>}
            </ol>
          </section>
        </>
      )}
      {stats.isPending && <p role="status">Loading…</p>}
    </section>
  );
}

function Tile({ label, value, testId }: { label: string; value: string; testId?: string }) {
  return (
    <div className="tile" data-testid={testId}>
      <span className="tile-label">{label}</span>
      <span className="tile-value">{value}</span>
    </div>
  );
}
