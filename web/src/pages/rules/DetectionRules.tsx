import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useRef, useState, type UIEvent } from "react";
import { Link, useSearchParams } from "react-router";
import {
  CreateRuleBody,
  EventInput,
  ProblemDetails,
  ReplaceRuleBody,
  SetActiveBody,
  TestRuleBody,
  type DetectionRuleDto,
  type RuleTestResult,
} from "@threatplatform/client";
import { api, problemText } from "../../api";
import { useAuth } from "../../auth";
import { ErrorNote } from "../../components";
import { fmtAgo, fmtNumber } from "../../format";
import { ChangeNotes, ConfirmButton, ListHead, useChange } from "../../lists";
import { errorsByLine, parseEvents, parseSigmaErrors, type SigmaError } from "./sigma";

const template = `title: My rule
status: experimental
level: medium
tags:
    - attack.t1110
logsource:
    category: authentication
detection:
    selection:
        event_type: auth_failure
    condition: selection
`;

const logsourceText = (r: DetectionRuleDto) =>
  [r.logsource?.product, r.logsource?.category, r.logsource?.service].filter(Boolean).join(" / ") || "any";

/** What the editor edits: a new rule, or an existing one by id. */
type Editing = { id: null } | { id: number };

export default function DetectionRulesPage() {
  const { isAdmin } = useAuth();
  const queryClient = useQueryClient();
  const [params, setParams] = useSearchParams();
  const openParam = Number(params.get("open")) || null;
  const [editing, setEditing] = useState<Editing | null>(openParam ? { id: openParam } : null);
  const { note: status, error, setNote: setStatus, run } = useChange(["detection-rules"]);
  const rules = useQuery({
    queryKey: ["detection-rules"],
    queryFn: ({ signal }) => api.rules().list(1, 100, undefined, undefined, undefined, "title", undefined, undefined, signal),
  });

  const open = (next: Editing | null) => {
    setEditing(next);
    setStatus(null);
    const p = new URLSearchParams(params);
    if (next && next.id != null) p.set("open", String(next.id));
    else p.delete("open");
    setParams(p, { replace: true });
  };

  return (
    <section aria-labelledby="rules-title">
      <h1 id="rules-title">Detection rules</h1>
      <p className="muted">
        Sigma rules run on every ingested event; a match raises an alert with the rule&apos;s level as its severity.
        {!isAdmin && " Only admins can change rules."}
      </p>
      {isAdmin && (
        <p>
          <button type="button" onClick={() => open({ id: null })}>
            New rule
          </button>
        </p>
      )}
      <ChangeNotes note={status} error={error} loadError={rules.error} />

      {editing && (
        <RuleEditor
          key={editing.id ?? "new"}
          id={editing.id}
          isAdmin={isAdmin}
          close={() => open(null)}
          saved={async (rule, created) => {
            // The editor shows the rule as stored (its cached copy is replaced, not refetched); a new rule opens by id.
            queryClient.setQueryData(["detection-rule", rule.id], rule);
            if (created) open({ id: rule.id });
            setStatus(created ? `Rule "${rule.title}" created.` : `Rule "${rule.title}" saved.`);
            await queryClient.invalidateQueries({ queryKey: ["detection-rules"] });
          }}
        />
      )}

      <table className="list">
        <ListHead columns={["Title", "Level", "Status", "Logsource", "Active", "Hits", "Updated"]} />
        <tbody>
          {rules.data?.results.map((r) => (
            <tr key={r.id} data-rule={r.title}>
              <th scope="row">{r.title}</th>
              <td>{r.level}</td>
              <td>{r.status ?? "—"}</td>
              <td>{logsourceText(r)}</td>
              <td>
                {isAdmin ? (
                  <label className="chip">
                    <input
                      type="checkbox"
                      checked={r.is_active}
                      onChange={(e) => {
                        const on = e.target.checked;
                        void run(() => api.rules().setActive(r.id, new SetActiveBody({ is_active: on })), `Rule "${r.title}" ${on ? "enabled" : "disabled"}.`);
                      }}
                    />
                    {r.is_active ? "on" : "off"}
                    <span className="sr-only"> {r.title}</span>
                  </label>
                ) : r.is_active ? (
                  "on"
                ) : (
                  "off"
                )}
              </td>
              <td className="num">
                {r.hits > 0 ? (
                  <Link to={`/?rule=${r.id}`} aria-label={`${fmtNumber(r.hits)} alerts raised by ${r.title}`}>
                    {fmtNumber(r.hits)}
                  </Link>
                ) : (
                  "0"
                )}
              </td>
              <td>{fmtAgo(r.updated_at)}</td>
              <td className="actions">
                <button type="button" className="secondary" onClick={() => open({ id: r.id })}>
                  {isAdmin ? "Edit" : "View"}
                  <span className="sr-only"> {r.title}</span>
                </button>
                {isAdmin && (
                  <>
                    {" "}
                    <ConfirmButton
                      label="Delete"
                      question={`Delete rule "${r.title}"? Its alerts stay.`}
                      onConfirm={() =>
                        void run(async () => {
                          await api.rules().delete(r.id);
                          if (editing?.id === r.id) open(null);
                        }, `Rule "${r.title}" deleted.`)
                      }
                    >
                      Delete<span className="sr-only"> {r.title}</span>
                    </ConfirmButton>
                  </>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {rules.data && rules.data.results.length === 0 && <p className="muted">No detection rules yet.</p>}
    </section>
  );
}

/** The 400's Sigma messages when the API refused the YAML, else null (other problems are shown as text). */
function sigmaErrorsOf(e: unknown): SigmaError[] | null {
  if (e instanceof ProblemDetails && e.status === 400 && e.errors?.sigma?.length) return parseSigmaErrors(e.errors.sigma);
  return null;
}

function RuleEditor({
  id,
  isAdmin,
  close,
  saved,
}: {
  id: number | null;
  isAdmin: boolean;
  close: () => void;
  saved: (rule: DetectionRuleDto, created: boolean) => Promise<void>;
}) {
  const existing = useQuery({
    queryKey: ["detection-rule", id],
    queryFn: ({ signal }) => api.rules().get(id!, signal),
    enabled: id != null,
  });
  const [draft, setDraft] = useState<string | null>(id == null ? template : null);
  const sigma = draft ?? existing.data?.sigma ?? "";
  const [errors, setErrors] = useState<SigmaError[]>([]);
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const save = async () => {
    setBusy(true);
    setErrors([]);
    setProblem(null);
    try {
      const rule = id == null ? await api.rules().create(new CreateRuleBody({ sigma })) : await api.rules().replace(id, new ReplaceRuleBody({ sigma }));
      setDraft(null);
      await saved(rule, id == null);
    } catch (e) {
      const sigmaErrors = sigmaErrorsOf(e);
      if (sigmaErrors) setErrors(sigmaErrors);
      else setProblem(problemText(e));
    } finally {
      setBusy(false);
    }
  };

  const title = id == null ? "New rule" : `Rule: ${existing.data?.title ?? `#${id}`}`;
  return (
    <section className="card" aria-labelledby="rule-editor-title">
      <h2 id="rule-editor-title">{title}</h2>
      {id != null && existing.isLoading ? (
        <p role="status">Loading…</p>
      ) : (
        <>
          <YamlEditor value={sigma} onChange={isAdmin ? setDraft : undefined} errors={errors} />
          <SigmaErrorList errors={errors} lines={sigma.split("\n")} />
          <ErrorNote error={problem ?? (existing.error ? problemText(existing.error) : null)} />
          <p>
            {isAdmin && (
              <button type="button" disabled={busy} onClick={() => void save()}>
                {id == null ? "Create rule" : "Save rule"}
              </button>
            )}{" "}
            <button type="button" className="secondary" onClick={close}>
              Close
            </button>
          </p>
          {isAdmin && <TestPanel sigma={sigma} showSigmaErrors={setErrors} />}
        </>
      )}
    </section>
  );
}

/** A monospace textarea with line numbers; lines with a validation error are marked in the gutter. */
function YamlEditor({ value, onChange, errors }: { value: string; onChange?: (v: string) => void; errors: SigmaError[] }) {
  const gutter = useRef<HTMLDivElement>(null);
  const lines = value.split("\n").length;
  const byLine = errorsByLine(errors);
  const sync = (e: UIEvent<HTMLTextAreaElement>) => {
    if (gutter.current) gutter.current.scrollTop = e.currentTarget.scrollTop;
  };
  return (
    <div className="yaml-editor">
      <div className="gutter" ref={gutter} aria-hidden="true">
        {Array.from({ length: lines }, (_, i) => (
          <div key={i} className={byLine.has(i + 1) ? "bad" : undefined} data-line={i + 1} title={byLine.get(i + 1)?.map((e) => e.message).join(" ")}>
            {byLine.has(i + 1) ? "⚠ " : ""}
            {i + 1}
          </div>
        ))}
      </div>
      <textarea
        aria-label="Sigma YAML"
        spellCheck={false}
        wrap="off"
        rows={Math.min(Math.max(lines + 1, 12), 30)}
        value={value}
        readOnly={!onChange}
        aria-invalid={errors.length > 0}
        aria-describedby={errors.length > 0 ? "sigma-errors" : undefined}
        onScroll={sync}
        onChange={(e) => onChange?.(e.target.value)}
      />
    </div>
  );
}

/** Each validation error under a copy of its line, with a caret at its column; messages without a line are listed. */
function SigmaErrorList({ errors, lines }: { errors: SigmaError[]; lines: string[] }) {
  if (errors.length === 0) return null;
  return (
    <div className="error" role="alert" id="sigma-errors">
      <p>The rule was not saved: {errors.length === 1 ? "one problem" : `${errors.length} problems`}.</p>
      <ul className="sigma-errors">
        {errors.map((e, i) => (
          <li key={i} data-error-line={e.line ?? undefined}>
            {e.line != null ? (
              <>
                <strong>
                  Line {e.line}, column {e.column}:
                </strong>{" "}
                {e.message}
                <pre aria-hidden="true">
                  {`${String(e.line).padStart(4)} | ${lines[e.line - 1] ?? ""}\n     | ${" ".repeat(Math.max(0, (e.column ?? 1) - 1))}^`}
                </pre>
              </>
            ) : (
              e.message
            )}
          </li>
        ))}
      </ul>
    </div>
  );
}

const sampleEvents = `[
  {"source": "ws-042", "event_type": "auth_failure", "severity": "LOW", "description": "bad password"},
  {"source": "ws-042", "event_type": "process_start", "severity": "LOW", "description": "notepad"}
]`;

/** Dry-runs the YAML as typed on pasted events (POST /api/rules/test/): nothing is stored. */
function TestPanel({ sigma, showSigmaErrors }: { sigma: string; showSigmaErrors: (errors: SigmaError[]) => void }) {
  const [text, setText] = useState(sampleEvents);
  const [result, setResult] = useState<RuleTestResult | null>(null);
  const [count, setCount] = useState(0);
  const [problem, setProblem] = useState<string | null>(null);

  const test = async () => {
    setResult(null);
    setProblem(null);
    const parsed = parseEvents(text);
    if ("error" in parsed) {
      setProblem(parsed.error);
      return;
    }
    try {
      const r = await api.rules().test(new TestRuleBody({ sigma, events: parsed.events.map((e) => EventInput.fromJS(e)) }));
      showSigmaErrors([]);
      setCount(parsed.events.length);
      setResult(r);
    } catch (e) {
      const sigmaErrors = sigmaErrorsOf(e);
      if (sigmaErrors) showSigmaErrors(sigmaErrors);
      setProblem(sigmaErrors ? "The rule has errors: see them above." : problemText(e));
    }
  };

  return (
    <section aria-labelledby="rule-test-title">
      <h3 id="rule-test-title">Test</h3>
      <label className="block">
        Events (a JSON array, or one JSON object per line)
        <textarea className="mono" rows={6} spellCheck={false} value={text} onChange={(e) => setText(e.target.value)} />
      </label>
      <p>
        <button type="button" className="secondary" onClick={() => void test()}>
          Run test
        </button>
      </p>
      <ErrorNote error={problem} />
      {result && (
        <div className="note" role="status" data-testid="rule-test-result">
          <p>
            {result.matches.length === 0
              ? `No event of ${count} matched.`
              : `Matched ${result.matches.length} of ${count}: event${result.matches.length === 1 ? "" : "s"} ${result.matches.join(", ")}.`}
          </p>
          {result.alerts.length > 0 && (
            <ul>
              {result.alerts.map((a, i) => (
                <li key={i}>
                  Would raise a {a.rule.level} alert “{a.rule.title}”{a.rule.technique ? ` (${a.rule.technique})` : ""} for event
                  {a.events.length === 1 ? "" : "s"} {a.events.join(", ")}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
    </section>
  );
}
