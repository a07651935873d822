import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent, type KeyboardEvent } from "react";
import { useSearchParams } from "react-router";
import { RuleBody, Severity, ThrottleBody, type ChannelDto, type RuleDto } from "@threatplatform/client";
import { api } from "../../api";
import { ErrorNote } from "../../components";
import { fmtAgo, fmtDate, severities } from "../../format";
import { ChangeNotes, ConfirmButton, ListHead, pageOf, Pager, useChange } from "../../lists";
import { FieldError, formProblem, invalidProps, noProblem, NotificationTabs, type FormProblem } from "./shared";

const PAGE_SIZE = 20;
const ruleFields = ["name", "events", "min_severity", "sources", "tags", "techniques", "channels", "throttle"] as const;

export const alertEvents: { value: string; label: string }[] = [
  { value: "alert.created", label: "Created" },
  { value: "alert.escalated", label: "Escalated (a grouped alert's severity rose)" },
  { value: "alert.reopened", label: "Reopened" },
  { value: "alert.assigned", label: "Assigned (also mails the assignee)" },
  { value: "alert.sla_breached", label: "SLA breached" },
];

/** Every channel, for the rule form's choices and the list's names (a few hundred at most in practice). */
export function useAllChannels() {
  return useQuery({
    queryKey: ["notification-channels", "all"],
    queryFn: ({ signal }) => api.notifications().listChannels(1, 100, undefined, undefined, "name", undefined, undefined, signal),
    staleTime: 30_000,
  });
}

export default function RulesPage() {
  const queryClient = useQueryClient();
  const [params, setParams] = useSearchParams();
  const page = pageOf(params);
  const rules = useQuery({
    queryKey: ["notification-rules", page],
    queryFn: ({ signal }) => api.notifications().listRules(page, PAGE_SIZE, undefined, "-id", undefined, true, signal),
  });
  const channels = useAllChannels();
  const [editing, setEditing] = useState<number | null>(null);
  const { note, error, setNote, run } = useChange(["notification-rules"]);
  const names = new Map((channels.data?.results ?? []).map((c) => [c.id, c]));
  const refresh = () => queryClient.invalidateQueries({ queryKey: ["notification-rules"] });

  return (
    <section aria-labelledby="rules-title">
      <h1 id="rules-title">Notification rules</h1>
      <NotificationTabs />
      <p className="muted">Which alert events reach which channels. Every filter given must match; an alert matching several rules is sent once per rule.</p>
      <RuleForm
        key="new"
        channels={channels.data?.results ?? []}
        onSaved={async (rule) => {
          setNote(`Rule ${rule.name} created.`);
          await refresh();
        }}
      />
      <ChangeNotes note={note} error={error} loadError={rules.error} />
      <table className="list">
        <ListHead columns={["Name", "Events", "Filters", "Channels", "Throttle", "State"]} />
        <tbody>
          {rules.data?.results.map((r) => (
            <RuleRows
              key={r.id}
              rule={r}
              channels={channels.data?.results ?? []}
              channelName={(id) => names.get(id)?.name ?? `#${id}`}
              editing={editing === r.id}
              toggleEdit={() => setEditing(editing === r.id ? null : r.id)}
              onSaved={async () => {
                setEditing(null);
                setNote(`Rule ${r.name} saved.`);
                await refresh();
              }}
              setActive={(active) =>
                void run(() => api.notifications().updateRule(r.id, new RuleBody({ is_active: active })), active ? `${r.name} enabled.` : `${r.name} disabled.`)
              }
              remove={() => void run(() => api.notifications().deleteRule(r.id), `${r.name} deleted.`)}
            />
          ))}
        </tbody>
      </table>
      {rules.data && rules.data.results.length === 0 && <p className="empty">No rule yet: nothing is sent until a rule selects alerts.</p>}
      <Pager
        page={page}
        list={rules.data}
        pageSize={PAGE_SIZE}
        go={(p) => setParams(p > 1 ? { page: String(p) } : {})}
      />
    </section>
  );
}

function RuleRows(props: {
  rule: RuleDto;
  channels: ChannelDto[];
  channelName: (id: number) => string;
  editing: boolean;
  toggleEdit: () => void;
  onSaved: (rule: RuleDto) => Promise<void>;
  setActive: (active: boolean) => void;
  remove: () => void;
}) {
  const { rule: r } = props;
  const filters = [
    `severity ≥ ${r.min_severity}`,
    r.sources.length ? `sources: ${r.sources.join(", ")}` : null,
    r.tags.length ? `tags: ${r.tags.join(", ")}` : null,
    r.techniques.length ? `techniques: ${r.techniques.join(", ")}` : null,
  ].filter(Boolean);
  return (
    <>
      <tr data-rule={r.name}>
        <th scope="row">
          {r.name}
          <span className="small muted" title={fmtDate(r.created_at)}>
            {" "}
            · {fmtAgo(r.created_at)}
          </span>
        </th>
        <td>{r.events.join(", ")}</td>
        <td>{filters.join(" · ")}</td>
        <td>{r.channels.map(props.channelName).join(", ")}</td>
        <td>{r.throttle ? `${r.throttle.max} per ${r.throttle.per_seconds} s, then a digest` : "—"}</td>
        <td>{r.is_active ? "enabled" : <span className="badge pending">disabled</span>}</td>
        <td>
          <div className="buttons">
            <button type="button" className="secondary" aria-expanded={props.editing} onClick={props.toggleEdit}>
              {props.editing ? "Close" : "Edit"}
              <span className="sr-only"> {r.name}</span>
            </button>
            <button type="button" className={r.is_active ? "danger" : "secondary"} onClick={() => props.setActive(!r.is_active)}>
              {r.is_active ? "Disable" : "Enable"}
              <span className="sr-only"> {r.name}</span>
            </button>
            <ConfirmButton label="Delete" question={`Delete rule ${r.name}?`} onConfirm={props.remove} />
          </div>
        </td>
      </tr>
      {props.editing && (
        <tr className="expanded">
          <td colSpan={7}>
            <RuleForm rule={r} channels={props.channels} onSaved={props.onSaved} />
          </td>
        </tr>
      )}
    </>
  );
}

interface Draft {
  name: string;
  events: string[];
  minSeverity: Severity;
  sources: string[];
  tags: string[];
  techniques: string[];
  channels: number[];
  throttleMax: string;
  throttleSeconds: string;
}

function draftOf(rule?: RuleDto): Draft {
  return {
    name: rule?.name ?? "",
    events: rule?.events ?? ["alert.created", "alert.escalated"],
    minSeverity: rule?.min_severity ?? Severity.High,
    sources: rule?.sources ?? [],
    tags: rule?.tags ?? [],
    techniques: rule?.techniques ?? [],
    channels: rule?.channels ?? [],
    throttleMax: rule?.throttle ? String(rule.throttle.max) : "",
    throttleSeconds: rule?.throttle ? String(rule.throttle.per_seconds) : "",
  };
}

/** Create (no rule) or edit a rule: the whole rule is sent, so what the form shows is what is stored. */
function RuleForm({ rule, channels, onSaved }: { rule?: RuleDto; channels: ChannelDto[]; onSaved: (rule: RuleDto) => Promise<void> }) {
  const [draft, setDraft] = useState<Draft>(() => draftOf(rule));
  const [problem, setProblem] = useState<FormProblem>(noProblem);
  const [busy, setBusy] = useState(false);
  const f = rule ? `rule-${rule.id}` : "new-rule";
  const set = (patch: Partial<Draft>) => setDraft({ ...draft, ...patch });

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setProblem(noProblem);
    const max = draft.throttleMax.trim();
    const seconds = draft.throttleSeconds.trim();
    let throttle: ThrottleBody | undefined;
    if (max || seconds) throttle = new ThrottleBody({ max: Number(max || "0"), per_seconds: Number(seconds || "60") });
    else if (rule?.throttle) throttle = new ThrottleBody({ max: 0, per_seconds: 60 }); // max 0 removes it
    const body = new RuleBody({
      name: draft.name.trim(),
      events: draft.events,
      min_severity: draft.minSeverity,
      sources: draft.sources,
      tags: draft.tags,
      techniques: draft.techniques,
      channels: draft.channels,
      throttle,
    });
    setBusy(true);
    try {
      const saved = rule ? await api.notifications().updateRule(rule.id, body) : await api.notifications().createRule(body);
      if (!rule) setDraft(draftOf());
      await onSaved(saved);
    } catch (err) {
      setProblem(formProblem(err, ruleFields));
    } finally {
      setBusy(false);
    }
  };

  const toggle = <T,>(list: T[], value: T, on: boolean) => (on ? [...list.filter((v) => v !== value), value] : list.filter((v) => v !== value));
  const titleId = `${f}-title`;

  return (
    <form className={rule ? "stacked-form" : "card stacked-form"} onSubmit={submit} aria-labelledby={titleId} noValidate>
      <h2 id={titleId}>{rule ? `Edit rule ${rule.name}` : "New rule"}</h2>
      <div className="form-row">
        <label className="grow">
          Name
          <input value={draft.name} maxLength={100} onChange={(e) => set({ name: e.target.value })} {...invalidProps(problem, f, "name")} />
          <FieldError problem={problem} form={f} field="name" />
        </label>
        <label>
          Minimum severity
          <select value={draft.minSeverity} onChange={(e) => set({ minSeverity: e.target.value as Severity })} {...invalidProps(problem, f, "min_severity")}>
            {[...severities].reverse().map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
          <FieldError problem={problem} form={f} field="min_severity" />
        </label>
      </div>
      <fieldset className="choices">
        <legend>Alert events</legend>
        {alertEvents.map((ev) => (
          <label key={ev.value} className="chip">
            <input type="checkbox" checked={draft.events.includes(ev.value)} onChange={(e) => set({ events: toggle(draft.events, ev.value, e.target.checked) })} />
            {ev.label}
          </label>
        ))}
        <FieldError problem={problem} form={f} field="events" />
      </fieldset>
      <fieldset className="choices">
        <legend>Channels</legend>
        {channels.length === 0 && <span className="muted">No channel yet: add one on the Channels tab.</span>}
        {channels.map((c) => (
          <label key={c.id} className="chip">
            <input type="checkbox" checked={draft.channels.includes(c.id)} onChange={(e) => set({ channels: toggle(draft.channels, c.id, e.target.checked) })} />
            {c.name} <span className="muted small">({c.kind.toLowerCase()}{c.is_active ? "" : ", disabled"})</span>
          </label>
        ))}
        <FieldError problem={problem} form={f} field="channels" />
      </fieldset>
      <div className="form-row">
        <Chips form={f} field="sources" label="Sources (any of)" values={draft.sources} set={(sources) => set({ sources })} problem={problem} placeholder="e.g. edge-fw-1" />
        <Chips form={f} field="tags" label="Tags (all of)" values={draft.tags} set={(tags) => set({ tags })} problem={problem} placeholder="e.g. phishing" />
        <Chips form={f} field="techniques" label="ATT&CK techniques (any of)" values={draft.techniques} set={(techniques) => set({ techniques })} problem={problem} placeholder="e.g. T1059" />
      </div>
      <fieldset className="choices">
        <legend>Throttle (optional)</legend>
        <label className="inline">
          At most
          <input type="number" min={1} className="short" value={draft.throttleMax} onChange={(e) => set({ throttleMax: e.target.value })} />
        </label>
        <label className="inline">
          per
          <input type="number" min={1} className="short" value={draft.throttleSeconds} onChange={(e) => set({ throttleSeconds: e.target.value })} />
          seconds; the rest of the window goes out as one digest
        </label>
        <FieldError problem={problem} form={f} field="throttle" />
      </fieldset>
      <div className="buttons">
        <button type="submit" disabled={busy}>
          {rule ? "Save rule" : "Create rule"}
        </button>
      </div>
      <ErrorNote error={problem.general} />
    </form>
  );
}

/** A list typed one value at a time (Enter or Add), each shown as a removable chip. */
function Chips(props: { form: string; field: string; label: string; values: string[]; set: (values: string[]) => void; problem: FormProblem; placeholder?: string }) {
  const [text, setText] = useState("");
  const inputId = `${props.form}-${props.field}`;
  const add = () => {
    const value = text.trim();
    if (value && !props.values.includes(value)) props.set([...props.values, value]);
    setText("");
  };
  return (
    <div className="chips grow">
      <label htmlFor={inputId}>{props.label}</label>
      <ul className="tag-list" aria-label={`Chosen ${props.field}`}>
        {props.values.map((v) => (
          <li key={v} className="tag">
            {v}
            <button type="button" className="link" aria-label={`Remove ${v} from ${props.field}`} onClick={() => props.set(props.values.filter((x) => x !== v))}>
              ×
            </button>
          </li>
        ))}
      </ul>
      <div className="inline-form">
        <input
          id={inputId}
          value={text}
          placeholder={props.placeholder}
          onChange={(e) => setText(e.target.value)}
          // A value typed but not added yet is added when the field is left (e.g. for the form's submit button).
          onBlur={add}
          onKeyDown={(e: KeyboardEvent<HTMLInputElement>) => {
            if (e.key === "Enter") {
              e.preventDefault();
              add();
            }
          }}
          {...invalidProps(props.problem, props.form, props.field)}
        />
        <button type="button" className="secondary" onClick={add}>
          Add<span className="sr-only"> to {props.field}</span>
        </button>
      </div>
      <FieldError problem={props.problem} form={props.form} field={props.field} />
    </div>
  );
}
