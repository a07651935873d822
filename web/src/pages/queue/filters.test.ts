import { AlertDto, AlertStatus, MeDto, Severity, UserRole } from "@threatplatform/client";
import { describe, expect, it } from "vitest";
import {
  apiParameter,
  matches,
  nextOrdering,
  PAGE_SIZE,
  readFilters,
  sortState,
  tagList,
  toggled,
  toListOptions,
  withChanges,
  type QueueFilters,
} from "./filters";

const url = (query: string) => readFilters(new URLSearchParams(query));

describe("readFilters", () => {
  it("reads every key of the queue's URL", () => {
    expect(url("status=OPEN,ACKNOWLEDGED&severity=HIGH&assignee=me&tags=a,b&sla=true&source=fw&rule=7&from=2026-01-01&to=2026-01-31&q=dns&ordering=status&page=3&cursor=abc")).toEqual({
      status: [AlertStatus.Open, AlertStatus.Acknowledged],
      severity: [Severity.High],
      assignee: "me",
      tags: ["a", "b"],
      sla: true,
      source: "fw",
      rule: "7",
      from: "2026-01-01",
      to: "2026-01-31",
      q: "dns",
      ordering: "status",
      page: 3,
      cursor: "abc",
    } satisfies QueueFilters);
  });

  it("defaults to everything, newest first, on page 1", () => {
    expect(url("")).toEqual({
      status: [],
      severity: [],
      assignee: "",
      tags: [],
      sla: false,
      source: "",
      rule: "",
      from: "",
      to: "",
      q: "",
      ordering: "-created_at",
      page: 1,
      cursor: "",
    } satisfies QueueFilters);
  });

  it("drops statuses and severities the API does not know, empty list items, and a page below 1 or not a number", () => {
    const f = url("status=OPEN,open,,CLOSED&severity=LOUD,LOW&tags=,x,&page=-2");
    expect(f.status).toEqual([AlertStatus.Open]);
    expect(f.severity).toEqual([Severity.Low]);
    expect(f.tags).toEqual(["x"]);
    expect(f.page).toBe(1);
    expect(url("page=two").page).toBe(1);
  });

  it("reads a rule that is not a number as no rule filter", () => {
    expect(url("rule=abc").rule).toBe("");
  });
});

describe("toListOptions", () => {
  it("names every filter by the API's own parameter", () => {
    expect(toListOptions(url("status=OPEN&severity=CRITICAL&assignee=none&tags=a,b&sla=true&source=fw&rule=7&q=dns&ordering=-event__severity&page=2"))).toEqual({
      page: 2,
      page_size: PAGE_SIZE,
      status: [AlertStatus.Open],
      event__severity: [Severity.Critical],
      assignee: "none",
      tags: ["a", "b"],
      sla_breached: true,
      event__source: "fw",
      rule: 7,
      search: "dns",
      ordering: "-event__severity",
    });
  });

  it("sends the From and To days as the first and last instant of each day in UTC", () => {
    const o = toListOptions(url("from=2026-01-01&to=2026-01-31"));
    expect(o.created_at__gte).toEqual(new Date("2026-01-01T00:00:00.000Z"));
    expect(o.created_at__lte).toEqual(new Date("2026-01-31T23:59:59.999Z"));
  });

  it("sends a cursor instead of the page number once paging by key", () => {
    const o = toListOptions(url("page=4&cursor=xyz"));
    expect(o.cursor).toBe("xyz");
    expect(o.page).toBeUndefined();
  });

  it("leaves out what is not filtered, and never asks for the exact count", () => {
    const o = toListOptions(url(""));
    for (const key of ["event__source", "rule", "search", "assignee", "sla_breached", "cursor", "created_at__gte", "created_at__lte", "exact_count"] as const) {
      expect(o[key], key).toBeUndefined();
    }
  });

  it("maps each URL key to a distinct API parameter", () => {
    const targets = Object.values(apiParameter);
    expect(new Set(targets).size).toBe(targets.length);
    expect(apiParameter.severity).toBe("event__severity");
    expect(apiParameter.q).toBe("search");
  });
});

describe("withChanges", () => {
  const current = new URLSearchParams("q=dns&page=3&cursor=abc&source=fw");

  it("sets what is given, drops what is emptied, and starts paging over", () => {
    expect(withChanges(current, { q: "smb", source: "", severity: "HIGH" }).toString()).toBe("q=smb&severity=HIGH");
  });

  it("keeps the page when asked (the pager's own moves)", () => {
    expect(withChanges(current, { page: "4" }, true).toString()).toBe("q=dns&page=4&cursor=abc&source=fw");
  });

  it("leaves the URL it was given untouched", () => {
    withChanges(current, { q: undefined });
    expect(current.get("q")).toBe("dns");
  });
});

describe("the filter controls' helpers", () => {
  it("toggled adds a value missing from the comma list and removes one present", () => {
    expect(toggled(["OPEN"], "RESOLVED")).toBe("OPEN,RESOLVED");
    expect(toggled(["OPEN", "RESOLVED"], "OPEN")).toBe("RESOLVED");
    expect(toggled([], "LOW")).toBe("LOW");
  });

  it("tagList trims the typed tags and drops empty ones", () => {
    expect(tagList(" a, b ,, c,")).toBe("a,b,c");
    expect(tagList("  ")).toBe("");
  });

  it("a column sorts descending first, then flips, and says which way it sorts", () => {
    expect(nextOrdering("-created_at", "status")).toBe("-status");
    expect(nextOrdering("-status", "status")).toBe("status");
    expect(nextOrdering("status", "status")).toBe("-status");
    expect(sortState("status", "status")).toBe("ascending");
    expect(sortState("-status", "status")).toBe("descending");
    expect(sortState("-created_at", "status")).toBe("none");
  });
});

describe("matches", () => {
  const me = new MeDto({ id: 5, username: "ana", email: "ana@example.org", role: UserRole.Analyst });
  const alert = (fields: Record<string, unknown> = {}) =>
    AlertDto.fromJS({
      id: 1,
      status: "OPEN",
      severity: "HIGH",
      created_at: "2026-01-15T10:00:00Z",
      updated_at: "2026-01-15T10:00:00Z",
      tags: ["dns", "c2"],
      sla_breached: false,
      source: "fw-edge",
      event_type: "dns_tunnel",
      description: "Long TXT answers",
      ...fields,
    });

  it("takes any alert when nothing is filtered", () => {
    expect(matches(alert(), url(""), me)).toBe(true);
  });

  it("checks status, severity, source and SLA", () => {
    expect(matches(alert(), url("status=OPEN,RESOLVED"), me)).toBe(true);
    expect(matches(alert(), url("status=RESOLVED"), me)).toBe(false);
    expect(matches(alert(), url("severity=HIGH"), me)).toBe(true);
    expect(matches(alert(), url("severity=LOW"), me)).toBe(false);
    expect(matches(alert(), url("source=fw-edge"), me)).toBe(true);
    expect(matches(alert(), url("source=fw"), me)).toBe(false);
    expect(matches(alert(), url("sla=true"), me)).toBe(false);
    expect(matches(alert({ sla_breached: true }), url("sla=true"), me)).toBe(true);
  });

  it("takes the severity of the alert's event when it still has one", () => {
    const escalated = alert({ event: { id: 9, severity: "CRITICAL", timestamp: "2026-01-15T10:00:00Z" } });
    expect(matches(escalated, url("severity=CRITICAL"), me)).toBe(true);
    expect(matches(escalated, url("severity=HIGH"), me)).toBe(false);
  });

  it("takes only the alerts the rule in the URL raised", () => {
    const raised = alert({ rule: { id: 7, title: "Dumping", level: "HIGH" } });
    expect(matches(raised, url("rule=7"), me)).toBe(true);
    expect(matches(raised, url("rule=8"), me)).toBe(false);
    expect(matches(alert(), url("rule=7"), me)).toBe(false);
  });

  it("needs every tag asked for", () => {
    expect(matches(alert(), url("tags=dns,c2"), me)).toBe(true);
    expect(matches(alert(), url("tags=dns,smb"), me)).toBe(false);
  });

  it("reads assignee=none as unassigned and assignee=me as the signed-in user", () => {
    const mine = alert({ assignee: { id: 5, username: "ana" } });
    const theirs = alert({ assignee: { id: 6, username: "bo" } });
    expect(matches(alert(), url("assignee=none"), me)).toBe(true);
    expect(matches(mine, url("assignee=none"), me)).toBe(false);
    expect(matches(mine, url("assignee=me"), me)).toBe(true);
    expect(matches(theirs, url("assignee=me"), me)).toBe(false);
  });

  it("searches source, type and description without regard to case", () => {
    expect(matches(alert(), url("q=TXT"), me)).toBe(true);
    expect(matches(alert(), url("q=EDGE"), me)).toBe(true);
    expect(matches(alert(), url("q=Tunnel"), me)).toBe(true);
    expect(matches(alert(), url("q=ransom"), me)).toBe(false);
  });

  it("counts the From and To days whole, in UTC", () => {
    expect(matches(alert(), url("from=2026-01-15&to=2026-01-15"), me)).toBe(true);
    expect(matches(alert({ created_at: "2026-01-15T23:59:59.999Z" }), url("to=2026-01-15"), me)).toBe(true);
    expect(matches(alert(), url("from=2026-01-16"), me)).toBe(false);
    expect(matches(alert(), url("to=2026-01-14"), me)).toBe(false);
  });
});
