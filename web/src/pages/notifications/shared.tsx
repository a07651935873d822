import { NavLink } from "react-router";
import { ProblemDetails, type DeliveryStatus } from "@threatplatform/client";
import { problemText } from "../../api";

/** The three notification admin pages, as tabs under one heading. */
export function NotificationTabs() {
  return (
    <nav className="tabs" aria-label="Notifications">
      <NavLink to="/admin/notifications/channels">Channels</NavLink>
      <NavLink to="/admin/notifications/rules">Rules</NavLink>
      <NavLink to="/admin/notifications/deliveries">Delivery log</NavLink>
    </nav>
  );
}

/**
 * A refused write split for the form: the messages of each field the problem names (`config.url`, `name`, …), shown
 * next to that field, and a sentence for what no field of the form shows.
 */
export interface FormProblem {
  fields: Record<string, string[]>;
  general: string | null;
}

export function formProblem(error: unknown, shownFields: readonly string[]): FormProblem {
  if (!(error instanceof ProblemDetails)) return { fields: {}, general: problemText(error) };
  const fields: Record<string, string[]> = {};
  const rest: string[] = [];
  for (const [field, messages] of Object.entries(error.errors ?? {})) {
    // A field of a list item (`config.to[2]`) shows at its list.
    const at = shownFields.find((f) => field === f || field.startsWith(`${f}[`) || field.startsWith(`${f}.`));
    if (at) fields[at] = [...(fields[at] ?? []), ...messages];
    else rest.push(`${field}: ${messages.join(" ")}`);
  }
  const detail = error.detail ?? error.title;
  const general = Object.keys(fields).length > 0 ? (rest.length > 0 ? rest.join(" ") : null) : [detail, ...rest].filter(Boolean).join(" ");
  return { fields, general: general || null };
}

export const noProblem: FormProblem = { fields: {}, general: null };

/** The id of a field's error text, for aria-describedby. */
export const errorId = (form: string, field: string) => `${form}-${field.replace(/[^a-z0-9]/gi, "-")}-error`;

/** Attributes that tie an input to its field's error, when it has one. */
export function invalidProps(problem: FormProblem, form: string, field: string) {
  return problem.fields[field] ? { "aria-invalid": true as const, "aria-describedby": errorId(form, field) } : {};
}

export function FieldError({ problem, form, field }: { problem: FormProblem; form: string; field: string }) {
  const messages = problem.fields[field];
  if (!messages) return null;
  return (
    <span className="field-error" id={errorId(form, field)} data-field-error={field}>
      {messages.join(" ")}
    </span>
  );
}

export function DeliveryBadge({ status }: { status: DeliveryStatus }) {
  return <span className={`badge dl-${status.toLowerCase()}`}>{status}</span>;
}

/** Splits what people type as a list: commas, semicolons or new lines. */
export const splitList = (text: string) =>
  text
    .split(/[,;\n]/)
    .map((s) => s.trim())
    .filter(Boolean);
