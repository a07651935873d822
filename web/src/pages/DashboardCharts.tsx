import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Filler,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
  type ChartConfiguration,
} from "chart.js";
import { useEffect, useRef } from "react";
import { StatsBucket, type AlertStatsDto } from "@threatplatform/client";
import { severities } from "../format";

// Only the pieces used here are registered, so the lazy chunk stays small.
Chart.register(BarController, BarElement, CategoryScale, LinearScale, LineController, LineElement, PointElement, Filler, Legend, Tooltip);

const severityColours: Record<string, string> = { CRITICAL: "#b91c1c", HIGH: "#c2410c", MEDIUM: "#a16207", LOW: "#4d7c0f" };

function useChart(config: ChartConfiguration) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    if (!ref.current) return;
    const chart = new Chart(ref.current, config);
    return () => chart.destroy();
  }, [config]);
  return ref;
}

export default function DashboardCharts({ stats }: { stats: AlertStatsDto }) {
  const hourly = stats.bucket === StatsBucket.Hour;
  const labels = stats.over_time.map((b) =>
    hourly ? b.start.toISOString().slice(5, 13).replace("T", " ") + "h" : b.start.toISOString().slice(0, 10),
  );
  const over = useChart({
    type: "line",
    data: {
      labels,
      datasets: [{ label: "Alerts raised", data: stats.over_time.map((b) => b.count), borderColor: "#1d4ed8", backgroundColor: "rgba(29,78,216,.15)", fill: true, pointRadius: 0, tension: 0.2 }],
    },
    options: { responsive: true, maintainAspectRatio: false, animation: false, plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
  });
  const bySeverity = useChart({
    type: "bar",
    data: {
      labels: severities,
      datasets: [{ label: "Alerts", data: severities.map((s) => stats.by_severity[s] ?? 0), backgroundColor: severities.map((s) => severityColours[s]) }],
    },
    options: { responsive: true, maintainAspectRatio: false, animation: false, plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
  });
  const sources = useChart({
    type: "bar",
    data: {
      labels: stats.top_sources.map((s) => s.source),
      datasets: [{ label: "Alerts", data: stats.top_sources.map((s) => s.count), backgroundColor: "#475569" }],
    },
    options: { indexAxis: "y", responsive: true, maintainAspectRatio: false, animation: false, plugins: { legend: { display: false } } },
  });

  return (
    <div className="grid3">
      <figure className="card chart wide">
        <figcaption>Alerts over time ({hourly ? "per hour" : "per day"}, UTC)</figcaption>
        <div className="canvas-box">
          <canvas ref={over} role="img" aria-label={`Alerts over time: ${stats.over_time.reduce((a, b) => a + b.count, 0)} in the window`} />
        </div>
      </figure>
      <figure className="card chart">
        <figcaption>By severity</figcaption>
        <div className="canvas-box">
          <canvas ref={bySeverity} role="img" aria-label={`By severity: ${severities.map((s) => `${s} ${stats.by_severity[s] ?? 0}`).join(", ")}`} />
        </div>
      </figure>
      <figure className="card chart">
        <figcaption>Top sources</figcaption>
        <div className="canvas-box">
          <canvas ref={sources} role="img" aria-label={`Top sources: ${stats.top_sources.map((s) => `${s.source} ${s.count}`).join(", ") || "none"}`} />
        </div>
      </figure>
    </div>
  );
}
