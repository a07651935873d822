// Pure helpers of the detection rules page: the API's Sigma validation messages ("line N, column M: …") placed at
// their lines, and the Test panel's pasted events (a JSON array, one JSON object, or NDJSON) read into event bodies.

export interface SigmaError {
  /** 1-based; null when the message names no line (it is then listed, not placed). */
  line: number | null;
  column: number | null;
  message: string;
}

const located = /^line (\d+), column (\d+): ?(.*)$/is;

/** Each message of a 400's `errors.sigma`, with the line and column it starts with when it has them. */
export function parseSigmaErrors(messages: readonly string[] | undefined): SigmaError[] {
  return (messages ?? []).map((m) => {
    const hit = located.exec(m.trim());
    return hit ? { line: Number(hit[1]), column: Number(hit[2]), message: hit[3] } : { line: null, column: null, message: m };
  });
}

/** The errors grouped by line, for the editor's gutter. */
export function errorsByLine(errors: readonly SigmaError[]): Map<number, SigmaError[]> {
  const byLine = new Map<number, SigmaError[]>();
  for (const e of errors) {
    if (e.line == null) continue;
    byLine.set(e.line, [...(byLine.get(e.line) ?? []), e]);
  }
  return byLine;
}

export type PastedEvents = { events: Record<string, unknown>[] } | { error: string };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Pasted text to event bodies: a JSON array of objects, a single object, or one object per line (NDJSON). */
export function parseEvents(text: string): PastedEvents {
  const trimmed = text.trim();
  if (!trimmed) return { error: "Paste at least one event: a JSON array or one JSON object per line." };
  try {
    const whole: unknown = JSON.parse(trimmed);
    if (Array.isArray(whole)) {
      const bad = whole.findIndex((e) => !isObject(e));
      return bad >= 0 ? { error: `Event ${bad} is not a JSON object.` } : { events: whole as Record<string, unknown>[] };
    }
    if (isObject(whole)) return { events: [whole] };
    return { error: "Paste JSON objects: a JSON array of events, or one event per line." };
  } catch {
    // Not one JSON document: read it as NDJSON below.
  }
  const events: Record<string, unknown>[] = [];
  const lines = trimmed.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (!line) continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (e) {
      return { error: `Line ${i + 1} is not JSON: ${e instanceof Error ? e.message : String(e)}` };
    }
    if (!isObject(value)) return { error: `Line ${i + 1} is not a JSON object.` };
    events.push(value);
  }
  return { events };
}
