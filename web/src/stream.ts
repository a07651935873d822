// The live alert stream's wire format (Server-Sent Events), as pure functions: api.ts's followAlerts reads the response
// body and hands its text here. Kept apart from api.ts (which touches the browser's session at load) so it is unit-tested.
import { AlertDto } from "@threatplatform/client";

export type StreamState = "connecting" | "live" | "reconnecting";

export interface StreamEvent {
  type: string;
  id: string;
  alert: AlertDto;
}

/** Text received so far (line ends already "\n") cut into complete blocks, and the unfinished rest to keep. */
export function takeBlocks(buffer: string): { blocks: string[]; rest: string } {
  const blocks: string[] = [];
  let rest = buffer;
  let end: number;
  while ((end = rest.indexOf("\n\n")) >= 0) {
    blocks.push(rest.slice(0, end));
    rest = rest.slice(end + 2);
  }
  return { blocks, rest };
}

/**
 * One block to what it says: `id` when it carries one (a position to resume from, even without data), `event` when its
 * data is an alert. A comment (the keep-alive), a block without data or with malformed data has no event.
 */
export function parseBlock(block: string): { id?: string; event?: StreamEvent } {
  let type = "message";
  let id: string | undefined;
  const data: string[] = [];
  for (const line of block.split("\n")) {
    if (line.startsWith(":")) continue;
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
    if (field === "event") type = value;
    else if (field === "id") id = value;
    else if (field === "data") data.push(value);
  }
  if (data.length === 0) return { id };
  try {
    return { id, event: { type, id: id ?? "", alert: AlertDto.fromJS(JSON.parse(data.join("\n"))) } };
  } catch {
    // A malformed event is skipped; the next one carries on.
    return { id };
  }
}
