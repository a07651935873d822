import { keepPreviousData, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { Link, useSearchParams } from "react-router";
import { ChannelConfigBody, ChannelKind, CreateChannelBody, DeliveryStatus, UpdateChannelBody, type ChannelDto } from "@threatplatform/client";
import { api, problemText } from "../../api";
import { ErrorNote } from "../../components";
import { fmtAgo, fmtDate } from "../../format";
import { ConfirmButton, ListHead, ManagedRow, pageOf, Pager, useOpenRow } from "../../lists";
import { DeliveryBadge, FieldError, formProblem, invalidProps, noProblem, NotificationTabs, splitList, type FormProblem } from "./shared";

const PAGE_SIZE = 20;
const kinds = Object.values(ChannelKind);
const createFields = ["name", "kind", "config.to", "config.cc", "config.url", "config.secret", "config"] as const;
const kindHelp: Record<ChannelKind, string> = {
  [ChannelKind.Email]: "Mail through the SMTP server in the Smtp__* settings.",
  [ChannelKind.Webhook]: "An HTTPS POST signed per the Standard Webhooks specification.",
  [ChannelKind.Slack]: "A Slack-compatible incoming webhook (Mattermost and Rocket.Chat take the same).",
};

/** What a channel sends to, in a few words (secrets are never shown after creation). */
export function channelTarget(c: ChannelDto): string {
  if (c.kind === ChannelKind.Email) {
    const to = c.config.to ?? [];
    const cc = c.config.cc ?? [];
    return `${to.join(", ")}${cc.length ? ` (cc ${cc.join(", ")})` : ""}`;
  }
  return c.config.url ?? "—";
}

export default function ChannelsPage() {
  const queryClient = useQueryClient();
  const [params, setParams] = useSearchParams();
  const page = pageOf(params);
  const channels = useQuery({
    queryKey: ["notification-channels", page],
    placeholderData: keepPreviousData,
    queryFn: ({ signal }) => api.notifications().listChannels(page, PAGE_SIZE, undefined, undefined, "-id", undefined, true, signal),
  });
  const rows = useOpenRow();
  const [created, setCreated] = useState<ChannelDto | null>(null);

  return (
    <section aria-labelledby="channels-title">
      <h1 id="channels-title">Notification channels</h1>
      <NotificationTabs />
      <p className="muted">Where notifications go. Rules decide which alerts reach which channels.</p>
      <NewChannelForm
        onCreated={async (channel) => {
          // A secret stays on screen until dismissed, even while more channels are added.
          if (channel.config.secret) setCreated(channel);
          rows.open(channel.id);
          await queryClient.invalidateQueries({ queryKey: ["notification-channels"] });
        }}
      />
      {created?.config.secret && <SecretOnce channel={created} dismiss={() => setCreated(null)} />}
      <ErrorNote error={channels.error ? problemText(channels.error) : null} />

      <table className="list">
        <ListHead columns={channelColumns} />
        <tbody>
          {channels.data?.results.map((c) => (
            <ChannelRow key={c.id} channel={c} {...rows.row(c.id)} />
          ))}
        </tbody>
      </table>
      {channels.data && channels.data.results.length === 0 && <p className="empty">No channel yet: add one above.</p>}
      <Pager
        page={page}
        list={channels.data}
        pageSize={PAGE_SIZE}
        go={(p) => setParams(p > 1 ? { page: String(p) } : {})}
      />
    </section>
  );
}

function NewChannelForm({ onCreated }: { onCreated: (channel: ChannelDto) => Promise<void> }) {
  const empty = { name: "", kind: ChannelKind.Email as ChannelKind, to: "", cc: "", url: "", secret: "" };
  const [form, setForm] = useState(empty);
  const [problem, setProblem] = useState<FormProblem>(noProblem);
  const [busy, setBusy] = useState(false);
  const f = "new-channel";

  const configOf = (): ChannelConfigBody => {
    switch (form.kind) {
      case ChannelKind.Email:
        return new ChannelConfigBody({ to: splitList(form.to), cc: form.cc.trim() ? splitList(form.cc) : undefined });
      case ChannelKind.Webhook:
        return new ChannelConfigBody({ url: form.url.trim(), secret: form.secret.trim() || undefined });
      default:
        return new ChannelConfigBody({ url: form.url.trim() });
    }
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setProblem(noProblem);
    setBusy(true);
    try {
      const channel = await api.notifications().createChannel(new CreateChannelBody({ name: form.name.trim(), kind: form.kind, config: configOf() }));
      setForm({ ...empty, kind: form.kind });
      await onCreated(channel);
    } catch (err) {
      setProblem(formProblem(err, createFields));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="card stacked-form" onSubmit={submit} aria-labelledby="new-channel-title" noValidate>
      <h2 id="new-channel-title">New channel</h2>
      <div className="form-row">
        <label>
          Name
          <input required maxLength={100} value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} {...invalidProps(problem, f, "name")} />
          <FieldError problem={problem} form={f} field="name" />
        </label>
        <label>
          Kind
          <select value={form.kind} onChange={(e) => setForm({ ...form, kind: e.target.value as ChannelKind })} {...invalidProps(problem, f, "kind")}>
            {kinds.map((k) => (
              <option key={k}>{k}</option>
            ))}
          </select>
          <FieldError problem={problem} form={f} field="kind" />
        </label>
      </div>
      <p className="small muted">{kindHelp[form.kind]}</p>
      {form.kind === ChannelKind.Email ? (
        <div className="form-row">
          <label className="grow">
            To (addresses, comma-separated)
            <input value={form.to} onChange={(e) => setForm({ ...form, to: e.target.value })} placeholder="soc@example.org, oncall@example.org" {...invalidProps(problem, f, "config.to")} />
            <FieldError problem={problem} form={f} field="config.to" />
          </label>
          <label className="grow">
            Cc (optional)
            <input value={form.cc} onChange={(e) => setForm({ ...form, cc: e.target.value })} {...invalidProps(problem, f, "config.cc")} />
            <FieldError problem={problem} form={f} field="config.cc" />
          </label>
        </div>
      ) : (
        <div className="form-row">
          <label className="grow">
            URL
            <input
              type="url"
              value={form.url}
              onChange={(e) => setForm({ ...form, url: e.target.value })}
              placeholder={form.kind === ChannelKind.Slack ? "https://hooks.slack.com/services/…" : "https://receiver.example.org/hooks/soc"}
              {...invalidProps(problem, f, "config.url")}
            />
            <FieldError problem={problem} form={f} field="config.url" />
          </label>
          {form.kind === ChannelKind.Webhook && (
            <label className="grow">
              Secret (optional: one is made for you)
              <input value={form.secret} onChange={(e) => setForm({ ...form, secret: e.target.value })} placeholder="whsec_…" autoComplete="off" {...invalidProps(problem, f, "config.secret")} />
              <FieldError problem={problem} form={f} field="config.secret" />
            </label>
          )}
        </div>
      )}
      <FieldError problem={problem} form={f} field="config" />
      <div className="buttons">
        <button type="submit" disabled={busy}>
          Create channel
        </button>
      </div>
      <ErrorNote error={problem.general} />
    </form>
  );
}

/** The webhook secret from the creating answer: the API never returns it again, so neither does this page. */
function SecretOnce({ channel, dismiss }: { channel: ChannelDto; dismiss: () => void }) {
  const [copied, setCopied] = useState(false);
  const secret = channel.config.secret!;
  return (
    <div className="secret" role="alert" data-testid="new-secret">
      <p>
        <strong>Copy the signing secret of {channel.name} now: you will not see it again.</strong> The receiver verifies each webhook with it
        (Standard Webhooks); the API never shows it after this answer. If it is lost, set a new one.
      </p>
      <code data-testid="new-secret-value">{secret}</code>
      <button
        type="button"
        onClick={() =>
          void navigator.clipboard.writeText(secret).then(
            () => setCopied(true),
            () => setCopied(false),
          )
        }
      >
        {copied ? "Copied" : "Copy secret"}
      </button>
      <button type="button" className="secondary" onClick={dismiss}>
        I have stored it
      </button>
    </div>
  );
}

const channelColumns = ["Name", "Kind", "Sends to", "State", "Created"];

function ChannelRow({ channel, open, toggle }: { channel: ChannelDto; open: boolean; toggle: () => void }) {
  return (
    <ManagedRow
      name={channel.name}
      data={{ "data-channel": channel.name }}
      open={open}
      toggle={toggle}
      columns={channelColumns.length}
      cells={
        <>
          <td>{channel.kind}</td>
          <td className="target">{channelTarget(channel)}</td>
          <td>{channel.is_active ? "enabled" : <span className="badge pending">disabled</span>}</td>
          <td title={fmtDate(channel.created_at)}>{fmtAgo(channel.created_at)}</td>
        </>
      }
    >
      <ChannelEditor channel={channel} />
    </ManagedRow>
  );
}

function ChannelEditor({ channel }: { channel: ChannelDto }) {
  const queryClient = useQueryClient();
  const [name, setName] = useState(channel.name);
  const [problem, setProblem] = useState<FormProblem>(noProblem);
  const [done, setDone] = useState<string | null>(null);
  const [testId, setTestId] = useState<number | null>(null);
  const f = `channel-${channel.id}`;

  const run = async (work: () => Promise<unknown>, message: string) => {
    setProblem(noProblem);
    setDone(null);
    try {
      await work();
      setDone(message);
      await queryClient.invalidateQueries({ queryKey: ["notification-channels"] });
    } catch (e) {
      setProblem(formProblem(e, ["name"]));
    }
  };

  return (
    <div className="editor">
      <form
        className="inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          void run(() => api.notifications().updateChannel(channel.id, new UpdateChannelBody({ name: name.trim() })), `Renamed to ${name.trim()}.`);
        }}
      >
        <label>
          Name
          <input value={name} maxLength={100} onChange={(e) => setName(e.target.value)} {...invalidProps(problem, f, "name")} />
          <FieldError problem={problem} form={f} field="name" />
        </label>
        <button type="submit">Rename</button>
        <button
          type="button"
          className={channel.is_active ? "danger" : "secondary"}
          onClick={() =>
            void run(
              () => api.notifications().updateChannel(channel.id, new UpdateChannelBody({ is_active: !channel.is_active })),
              channel.is_active ? `${channel.name} disabled: nothing is sent through it.` : `${channel.name} enabled.`,
            )
          }
        >
          {channel.is_active ? "Disable" : "Enable"}
        </button>
        <button
          type="button"
          className="secondary"
          onClick={() =>
            void run(async () => {
              setTestId((await api.notifications().testChannel(channel.id)).delivery_id);
            }, "Test message queued.")
          }
        >
          Send a test message
        </button>
        <ConfirmButton
          label="Delete"
          question={`Delete ${channel.name}? Its deliveries stay in the log.`}
          onConfirm={() => void run(() => api.notifications().deleteChannel(channel.id), `${channel.name} deleted.`)}
        />
      </form>
      {testId !== null && <TestDelivery channelId={channel.id} deliveryId={testId} />}
      {done && (
        <p className="note" role="status">
          {done}
        </p>
      )}
      <ErrorNote error={problem.general} />
    </div>
  );
}

/** The test message's delivery, followed until it is sent or fails. */
function TestDelivery({ channelId, deliveryId }: { channelId: number; deliveryId: number }) {
  const delivery = useQuery({
    queryKey: ["notification-test", deliveryId],
    queryFn: async ({ signal }) => {
      // The log has no single-delivery read: the test delivery is among its channel's newest.
      const page = await api.notifications().listDeliveries(1, 50, undefined, channelId, undefined, undefined, "-id", undefined, undefined, signal);
      return page.results.find((d) => d.id === deliveryId) ?? null;
    },
    refetchInterval: (query) => (query.state.data?.status === DeliveryStatus.Pending || !query.state.data ? 1000 : false),
  });
  const d = delivery.data;
  return (
    <p className="test-delivery" data-testid="test-delivery" aria-live="polite">
      Test delivery <Link to={`/admin/notifications/deliveries?channel=${channelId}`}>#{deliveryId}</Link>:{" "}
      {d ? (
        <>
          <DeliveryBadge status={d.status} /> {d.attempts} attempt{d.attempts === 1 ? "" : "s"}
          {d.sent_at && <> · sent {fmtAgo(d.sent_at)}</>}
          {d.last_error && <span className="last-error"> · {d.last_error}</span>}
        </>
      ) : (
        "queued"
      )}
    </p>
  );
}
