import type { Http } from "./auth.js";
import { AlertDto } from "./client.js";

/** One message of GET /api/alerts/stream/: its position in the change log, what happened, and the alert as listed. */
export interface AlertStreamEvent {
  /** The change log position; pass the last one seen as `lastEventId` to resume after a disconnect. */
  id: string;
  /** `alert.created` or `alert.updated`. */
  type: string;
  alert: AlertDto;
}

export interface AlertStreamOptions {
  /** Resume after this position (the `id` of the last event seen): everything since is sent first. */
  lastEventId?: string;
  /** Aborting it ends the stream. */
  signal?: AbortSignal;
  /** Called once the API has answered and is listening: changes from then on are delivered. */
  onOpen?: () => void;
}

/**
 * The live alert stream as an async iterator, through `http` (a `Session`'s, so the access token is sent as a header
 * and refreshed like any other call). A browser's EventSource cannot send headers; this reads the same Server-Sent
 * Events with fetch instead.
 *
 * ```ts
 * for await (const change of streamAlerts(baseUrl, session.http, { signal })) {
 *   console.log(change.type, change.alert.id, change.alert.occurrences);
 * }
 * ```
 */
export async function* streamAlerts(baseUrl: string, http: Http, options: AlertStreamOptions = {}): AsyncGenerator<AlertStreamEvent> {
  const headers: Record<string, string> = { Accept: "text/event-stream" };
  if (options.lastEventId) {
    headers["Last-Event-ID"] = options.lastEventId;
  }

  const response = await http.fetch(`${baseUrl}/api/alerts/stream/`, { method: "GET", headers, signal: options.signal });
  if (!response.ok || !response.body) {
    throw new Error(`The alert stream answered ${response.status}.`);
  }

  options.onOpen?.();

  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) {
        return;
      }

      buffer += value.replace(/\r\n?/g, "\n");
      let end: number;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event = parse(block);
        if (event) {
          yield event;
        }
      }
    }
  } finally {
    reader.releaseLock();
  }
}

/** One SSE block to an event; null for a comment (the keep-alive) or a block without data. */
function parse(block: string): AlertStreamEvent | null {
  let id = "";
  let type = "message";
  const data: string[] = [];
  for (const line of block.split("\n")) {
    if (line === "" || line.startsWith(":")) {
      continue;
    }

    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
    if (field === "id") {
      id = value;
    } else if (field === "event") {
      type = value;
    } else if (field === "data") {
      data.push(value);
    }
  }

  return data.length === 0 ? null : { id, type, alert: AlertDto.fromJS(JSON.parse(data.join("\n"))) };
}
