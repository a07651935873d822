import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import {
  CreateApiKeyBody,
  CreateSensorBody,
  SensorKind,
  UpdateSensorBody,
  type CreatedApiKeyDto,
  type SensorDto,
} from "@threatplatform/client";
import { api, problemText } from "../api";
import { ErrorNote } from "../components";
import { fmtAgo, fmtDate, fmtNumber } from "../format";
import { ChangeNotes, ListHead, ManagedRow, useChange, useOpenRow } from "../lists";

const kinds = Object.values(SensorKind);
const splitList = (text: string) =>
  text
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);

export default function SensorsPage() {
  const queryClient = useQueryClient();
  const sensors = useQuery({
    queryKey: ["sensors"],
    queryFn: ({ signal }) => api.sensors().list(1, 100, undefined, undefined, undefined, "name", undefined, undefined, signal),
  });
  const [error, setError] = useState<string | null>(null);
  const [form, setForm] = useState({ name: "", kind: SensorKind.Ids as SensorKind, description: "", sources: "" });
  const rows = useOpenRow();

  const create = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      const sensor = await api.sensors().create(
        new CreateSensorBody({
          name: form.name.trim(),
          kind: form.kind,
          description: form.description.trim() || undefined,
          sources: form.sources.trim() ? splitList(form.sources) : undefined,
        }),
      );
      setForm({ name: "", kind: SensorKind.Ids, description: "", sources: "" });
      rows.open(sensor.id);
      await queryClient.invalidateQueries({ queryKey: ["sensors"] });
    } catch (err) {
      setError(problemText(err));
    }
  };

  return (
    <section aria-labelledby="sensors-title">
      <h1 id="sensors-title">Sensors</h1>
      <form className="card inline-form" onSubmit={create} aria-labelledby="new-sensor">
        <h2 id="new-sensor">New sensor</h2>
        <label>
          Name
          <input required maxLength={100} value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} />
        </label>
        <label>
          Kind
          <select value={form.kind} onChange={(e) => setForm({ ...form, kind: e.target.value as SensorKind })}>
            {kinds.map((k) => (
              <option key={k}>{k}</option>
            ))}
          </select>
        </label>
        <label>
          Sources it owns (comma-separated; default: its name)
          <input value={form.sources} onChange={(e) => setForm({ ...form, sources: e.target.value })} />
        </label>
        <label>
          Description
          <input value={form.description} onChange={(e) => setForm({ ...form, description: e.target.value })} />
        </label>
        <button type="submit">Create sensor</button>
      </form>
      <ErrorNote error={error ?? (sensors.error ? problemText(sensors.error) : null)} />

      <table className="list">
        <ListHead columns={sensorColumns} />
        <tbody>
          {sensors.data?.results.map((s) => (
            <SensorRow key={s.id} sensor={s} {...rows.row(s.id)} />
          ))}
        </tbody>
      </table>
    </section>
  );
}

const sensorColumns = ["Name", "Kind", "Sources", "Active", "Events", "Last seen"];

function SensorRow({ sensor, open, toggle }: { sensor: SensorDto; open: boolean; toggle: () => void }) {
  return (
    <ManagedRow
      name={sensor.name}
      data={{ "data-sensor": sensor.name }}
      open={open}
      toggle={toggle}
      columns={sensorColumns.length}
      cells={
        <>
          <td>{sensor.kind}</td>
          <td>{sensor.sources.join(", ")}</td>
          <td>{sensor.is_active ? "yes" : <span className="badge breach">deactivated</span>}</td>
          <td className="num">{fmtNumber(sensor.events_ingested)}</td>
          <td>{fmtAgo(sensor.last_seen_at)}</td>
        </>
      }
    >
      <SensorEditor sensor={sensor} />
    </ManagedRow>
  );
}

function SensorEditor({ sensor }: { sensor: SensorDto }) {
  const [sources, setSources] = useState(sensor.sources.join(", "));
  const [description, setDescription] = useState(sensor.description);
  const { note, error, run } = useChange(["sensors"], ["sensor", sensor.id, "keys"]);
  const [keyName, setKeyName] = useState("");
  const [created, setCreated] = useState<CreatedApiKeyDto | null>(null);
  const [copied, setCopied] = useState(false);
  const keys = useQuery({ queryKey: ["sensor", sensor.id, "keys"], queryFn: ({ signal }) => api.sensors().listKeys(sensor.id, signal) });

  return (
    <div className="editor">
      <form
        className="inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          void run(() => api.sensors().update(sensor.id, new UpdateSensorBody({ sources: splitList(sources), description })), "Sensor saved.");
        }}
      >
        <label>
          Owned sources
          <input value={sources} onChange={(e) => setSources(e.target.value)} />
        </label>
        <label>
          Description
          <input value={description} onChange={(e) => setDescription(e.target.value)} />
        </label>
        <button type="submit">Save</button>
        <button
          type="button"
          className={sensor.is_active ? "danger" : "secondary"}
          onClick={() =>
            void run(() => api.sensors().update(sensor.id, new UpdateSensorBody({ is_active: !sensor.is_active })), sensor.is_active ? "Sensor deactivated: its keys stop working." : "Sensor activated.")
          }
        >
          {sensor.is_active ? "Deactivate" : "Activate"}
        </button>
      </form>

      <h3>API keys</h3>
      {created && (
        <div className="secret" role="alert" data-testid="new-key">
          <p>
            <strong>Copy this key now: it is shown only once</strong> and cannot be recovered (only its hash is stored). Anyone with it can
            ingest events as {sensor.name}.
          </p>
          <code data-testid="new-key-value">{created.key}</code>
          <button
            type="button"
            onClick={() =>
              void navigator.clipboard.writeText(created.key).then(
                () => setCopied(true),
                () => setCopied(false),
              )
            }
          >
            {copied ? "Copied" : "Copy key"}
          </button>
          <button type="button" className="secondary" onClick={() => setCreated(null)}>
            I have stored it
          </button>
        </div>
      )}
      <table className="compact">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Prefix</th>
            <th scope="col">Created</th>
            <th scope="col">Last used</th>
            <th scope="col">State</th>
            <th scope="col">
              <span className="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {keys.data?.map((k) => (
            <tr key={k.id} data-key-prefix={k.prefix}>
              <td>{k.name || "—"}</td>
              <td>
                <code>tp_{k.prefix}_…</code>
              </td>
              <td>{fmtDate(k.created_at)}</td>
              <td>{fmtAgo(k.last_used_at)}</td>
              <td>{k.revoked_at ? `revoked ${fmtAgo(k.revoked_at)}` : k.expires_at && k.expires_at < new Date() ? "expired" : "active"}</td>
              <td>
                {!k.revoked_at && (
                  <button type="button" className="danger" onClick={() => void run(() => api.sensors().revokeKey(sensor.id, k.id), `Key tp_${k.prefix} revoked.`)}>
                    Revoke<span className="sr-only"> key {k.prefix}</span>
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <form
        className="inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          void run(async () => {
            setCopied(false);
            setCreated(await api.sensors().createKey(sensor.id, new CreateApiKeyBody({ name: keyName.trim() || undefined })));
            setKeyName("");
          }, "Key created.");
        }}
      >
        <label>
          Key name
          <input value={keyName} onChange={(e) => setKeyName(e.target.value)} placeholder="e.g. vector-1" />
        </label>
        <button type="submit">Create key</button>
      </form>
      <ChangeNotes note={note} error={error} />
    </div>
  );
}
