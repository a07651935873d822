import { describe, expect, it } from "vitest";
import { errorsByLine, parseEvents, parseSigmaErrors } from "./sigma";

describe("parseSigmaErrors", () => {
  it("reads the line and column each message starts with", () => {
    expect(parseSigmaErrors(["line 14, column 40: Condition: 'filter' is not a search identifier of this rule's detection."])).toEqual([
      { line: 14, column: 40, message: "Condition: 'filter' is not a search identifier of this rule's detection." },
    ]);
  });

  it("keeps a message that names no line, to list it", () => {
    expect(parseSigmaErrors(["The document is empty."])).toEqual([{ line: null, column: null, message: "The document is empty." }]);
  });

  it("groups the errors by line for the gutter", () => {
    const byLine = errorsByLine(parseSigmaErrors(["line 3, column 1: a", "line 3, column 9: b", "line 5, column 2: c", "no line"]));
    expect([...byLine.keys()]).toEqual([3, 5]);
    expect(byLine.get(3)!.map((e) => e.message)).toEqual(["a", "b"]);
  });
});

describe("parseEvents", () => {
  it("reads a JSON array of events", () => {
    expect(parseEvents('[{"source": "a"}, {"source": "b"}]')).toEqual({ events: [{ source: "a" }, { source: "b" }] });
  });

  it("reads one JSON object per line (NDJSON), skipping blank lines", () => {
    expect(parseEvents('{"source": "a"}\n\n{"source": "b"}\n')).toEqual({ events: [{ source: "a" }, { source: "b" }] });
  });

  it("reads a single object as one event", () => {
    expect(parseEvents('{"source": "a"}')).toEqual({ events: [{ source: "a" }] });
  });

  it("names the NDJSON line that is not JSON", () => {
    const result = parseEvents('{"source": "a"}\n{oops');
    expect("error" in result && result.error).toMatch(/^Line 2 is not JSON/);
  });

  it("refuses what is not an object, and an empty paste", () => {
    expect(parseEvents("[1]")).toEqual({ error: "Event 0 is not a JSON object." });
    expect("error" in parseEvents("  ")).toBe(true);
  });
});
