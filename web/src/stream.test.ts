import { AlertDto } from "@threatplatform/client";
import { describe, expect, it } from "vitest";
import { parseBlock, takeBlocks } from "./stream";

const alertJson = JSON.stringify({ id: 7, status: "OPEN", created_at: "2026-01-02T03:04:05Z", tags: ["dns"], source: "fw-1" });

describe("takeBlocks", () => {
  it("cuts complete blocks at blank lines and keeps the unfinished rest for the next chunk", () => {
    expect(takeBlocks("id: 1\ndata: a\n\nid: 2\nda")).toEqual({ blocks: ["id: 1\ndata: a"], rest: "id: 2\nda" });
  });

  it("returns every block a chunk completes, in order, and nothing when none is complete", () => {
    expect(takeBlocks(": ping\n\ndata: x\n\n")).toEqual({ blocks: [": ping", "data: x"], rest: "" });
    expect(takeBlocks("data: x\n")).toEqual({ blocks: [], rest: "data: x\n" });
  });
});

describe("parseBlock", () => {
  it("reads an alert event with its type and position", () => {
    const { id, event } = parseBlock(`id: 42\nevent: alert.created\ndata: ${alertJson}`);
    expect(id).toBe("42");
    expect(event?.type).toBe("alert.created");
    expect(event?.id).toBe("42");
    expect(event?.alert).toBeInstanceOf(AlertDto);
    expect(event?.alert.id).toBe(7);
    expect(event?.alert.created_at).toEqual(new Date("2026-01-02T03:04:05Z"));
  });

  it("joins multi-line data with newlines and takes a value without the space after the colon", () => {
    const cut = alertJson.indexOf(",") + 1;
    const [head, tail] = [alertJson.slice(0, cut), alertJson.slice(cut)];
    const { event } = parseBlock(`event:alert.updated\ndata:${head}\ndata: ${tail}`);
    expect(event?.type).toBe("alert.updated");
    expect(event?.alert.source).toBe("fw-1");
  });

  it("calls an event without an event field a message and one without an id position empty", () => {
    const { id, event } = parseBlock(`data: ${alertJson}`);
    expect(id).toBeUndefined();
    expect(event?.type).toBe("message");
    expect(event?.id).toBe("");
  });

  it("has no event for the keep-alive comment", () => {
    expect(parseBlock(": keep-alive")).toEqual({ id: undefined });
  });

  it("keeps the position of a block without data, so a reconnect resumes after it", () => {
    expect(parseBlock("id: 99")).toEqual({ id: "99" });
  });

  it("skips malformed data but keeps its position", () => {
    expect(parseBlock("id: 5\nevent: alert.created\ndata: {not json")).toEqual({ id: "5" });
  });
});
