import { describe, expect, it } from "vitest";
import { fmtAgo, fmtDate, fmtDuration, fmtNumber, TAG_PATTERN } from "./format";

describe("fmtAgo", () => {
  const now = Date.parse("2026-03-01T12:00:00Z");
  const before = (seconds: number) => new Date(now - seconds * 1000);

  it("says how long ago in the largest whole unit", () => {
    expect(fmtAgo(before(5), now)).toBe("5 s ago");
    expect(fmtAgo(before(125), now)).toBe("2 min ago");
    expect(fmtAgo(before(3 * 3600 + 59), now)).toBe("3 h ago");
    expect(fmtAgo(before(2 * 86400 + 10), now)).toBe("2 d ago");
  });

  it("says 'in' for a time still to come (a due time)", () => {
    expect(fmtAgo(before(-300), now)).toBe("in 5 min");
  });

  it("shows a dash for no date", () => {
    expect(fmtAgo(null, now)).toBe("—");
    expect(fmtAgo(undefined, now)).toBe("—");
  });
});

describe("fmtDuration", () => {
  it("rounds seconds and minutes and gives hours and days one decimal", () => {
    expect(fmtDuration(42.4)).toBe("42 s");
    expect(fmtDuration(150)).toBe("3 min");
    expect(fmtDuration(5400)).toBe("1.5 h");
    expect(fmtDuration(3 * 86400)).toBe("3.0 d");
  });

  it("shows a dash for no duration, and 0 s for zero", () => {
    expect(fmtDuration(null)).toBe("—");
    expect(fmtDuration(undefined)).toBe("—");
    expect(fmtDuration(0)).toBe("0 s");
  });
});

describe("fmtNumber and fmtDate", () => {
  it("groups thousands with commas", () => {
    expect(fmtNumber(10000)).toBe("10,000");
  });

  it("writes dates in UTC, saying so, and a dash for none", () => {
    expect(fmtDate(new Date("2026-03-01T23:30:00Z"))).toBe("1 Mar 2026, 23:30:00 UTC");
    expect(fmtDate(null)).toBe("—");
  });
});

describe("TAG_PATTERN", () => {
  it("takes lower-case tags of up to 50 characters from the API's alphabet", () => {
    expect(TAG_PATTERN.test("mitre:t1059.001")).toBe(true);
    expect(TAG_PATTERN.test("a".repeat(50))).toBe(true);
    expect(TAG_PATTERN.test("a".repeat(51))).toBe(false);
    expect(TAG_PATTERN.test("Upper")).toBe(false);
    expect(TAG_PATTERN.test("")).toBe(false);
  });
});
