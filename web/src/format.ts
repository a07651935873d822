import { AlertStatus, Severity } from "@threatplatform/client";

const number = new Intl.NumberFormat("en-US");
const dateTime = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeStyle: "medium", timeZone: "UTC" });

export const fmtNumber = (n: number) => number.format(n);
export const fmtDate = (d: Date | null | undefined) => (d ? `${dateTime.format(d)} UTC` : "—");

/** "5 min ago" for the past, "in 5 min" for the future (due times). */
export function fmtAgo(d: Date | null | undefined, now = Date.now()): string {
  if (!d) return "—";
  const diff = Math.round((now - d.getTime()) / 1000);
  const s = Math.abs(diff);
  const span = s < 60 ? `${s} s` : s < 3600 ? `${Math.floor(s / 60)} min` : s < 86400 ? `${Math.floor(s / 3600)} h` : `${Math.floor(s / 86400)} d`;
  return diff >= 0 ? `${span} ago` : `in ${span}`;
}

export function fmtDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return "—";
  if (seconds < 60) return `${Math.round(seconds)} s`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min`;
  if (seconds < 86400) return `${(seconds / 3600).toFixed(1)} h`;
  return `${(seconds / 86400).toFixed(1)} d`;
}

export const statusLabel: Record<AlertStatus, string> = {
  [AlertStatus.Open]: "Open",
  [AlertStatus.Acknowledged]: "Acknowledged",
  [AlertStatus.InProgress]: "In progress",
  [AlertStatus.Resolved]: "Resolved",
  [AlertStatus.FalsePositive]: "False positive",
};

export const severities = [Severity.Critical, Severity.High, Severity.Medium, Severity.Low];
export const statuses = [AlertStatus.Open, AlertStatus.Acknowledged, AlertStatus.InProgress, AlertStatus.Resolved, AlertStatus.FalsePositive];

/** The lifecycle as the API enforces it (Domain's AlertStatus): which buttons an admin sees. */
export const nextStatuses: Record<AlertStatus, AlertStatus[]> = {
  [AlertStatus.Open]: [AlertStatus.Acknowledged, AlertStatus.Resolved, AlertStatus.FalsePositive],
  [AlertStatus.Acknowledged]: [AlertStatus.InProgress, AlertStatus.Resolved, AlertStatus.FalsePositive],
  [AlertStatus.InProgress]: [AlertStatus.Resolved, AlertStatus.FalsePositive],
  [AlertStatus.Resolved]: [AlertStatus.Open],
  [AlertStatus.FalsePositive]: [AlertStatus.Open],
};

export const statusVerb: Record<AlertStatus, string> = {
  [AlertStatus.Open]: "Reopen",
  [AlertStatus.Acknowledged]: "Acknowledge",
  [AlertStatus.InProgress]: "Start work",
  [AlertStatus.Resolved]: "Resolve",
  [AlertStatus.FalsePositive]: "False positive",
};

export const TAG_PATTERN = /^[a-z0-9:_.-]{1,50}$/;
