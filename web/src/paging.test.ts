import { describe, expect, it } from "vitest";
import { pageCount, pageOf } from "./paging";

describe("pageOf", () => {
  it("reads the page from the URL, 1 when absent", () => {
    expect(pageOf(new URLSearchParams("page=3"))).toBe(3);
    expect(pageOf(new URLSearchParams(""))).toBe(1);
  });

  it("answers 1 for a page that is not a whole number from 1", () => {
    for (const bad of ["0", "-2", "1.5", "abc", ""]) expect(pageOf(new URLSearchParams({ page: bad }))).toBe(1);
  });
});

describe("pageCount", () => {
  it("counts a partly filled last page, and one page for an empty list", () => {
    expect(pageCount(41, 20)).toBe(3);
    expect(pageCount(40, 20)).toBe(2);
    expect(pageCount(0, 20)).toBe(1);
  });
});
