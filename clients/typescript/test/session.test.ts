// The Session's token handling against a scripted fetch: no server needed.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { AuthClient, LoginBody, ProblemDetails, Session } from "../src/index.js";

const baseUrl = "http://api.test";

interface Call {
  url: string;
  authorization: string | null;
  requestedWith: string | null;
  body: string | null;
}

/** A fake API: access tokens in `valid` pass, refresh rotates `r<n>` → `r<n+1>` and answers access `a<n+1>`. */
function fakeApi(valid: Set<string>, options: { refreshWorks: boolean; loginWorks?: boolean } = { refreshWorks: true }) {
  const calls: Call[] = [];
  let rotation = 1;
  const fetch = async (url: RequestInfo, init?: RequestInit): Promise<Response> => {
    const href = typeof url === "string" ? url : url.url;
    const headers = new Headers(init?.headers);
    const body = typeof init?.body === "string" ? init.body : null;
    calls.push({ url: href, authorization: headers.get("Authorization"), requestedWith: headers.get("X-Requested-With"), body });
    await new Promise((r) => setTimeout(r, 5));
    if (href.endsWith("/api/auth/refresh/")) {
      if (!options.refreshWorks) {
        return problem(401);
      }
      rotation += 1;
      valid.add(`a${rotation}`);
      // A cookie client's refresh token stays in the (here imaginary) cookie jar.
      return json(JSON.parse(body ?? "{}").cookie === true ? { access: `a${rotation}` } : { access: `a${rotation}`, refresh: `r${rotation}` });
    }
    if (href.endsWith("/api/auth/logout/")) {
      return new Response(null, { status: 204 });
    }
    if (href.endsWith("/api/auth/login/")) {
      if (options.loginWorks) {
        valid.add("a1");
        return json(JSON.parse(body ?? "{}").cookie === true ? { access: "a1" } : { access: "a1", refresh: "r1" });
      }
      return problem(401);
    }
    const token = headers.get("Authorization")?.replace("Bearer ", "") ?? "";
    return valid.has(token) ? json({ id: 1, username: "alice", email: "a@example.org", role: "ANALYST" }) : problem(401);
  };
  return { calls, fetch };
}

describe("Session", () => {
  it("attaches the access token", async () => {
    const api = fakeApi(new Set(["a1"]));
    const session = new Session({ baseUrl, fetch: api.fetch, tokens: { access: "a1", refresh: "r1" } });

    await new AuthClient(baseUrl, session.http).me();

    assert.equal(api.calls[0]?.authorization, "Bearer a1");
  });

  it("shares one refresh between concurrent 401s, then retries each request once", async () => {
    const api = fakeApi(new Set());
    const session = new Session({ baseUrl, fetch: api.fetch, tokens: { access: "expired", refresh: "r1" } });
    const auth = new AuthClient(baseUrl, session.http);

    const results = await Promise.all([auth.me(), auth.me(), auth.me()]);

    assert.equal(results.length, 3);
    assert.equal(api.calls.filter((c) => c.url.endsWith("/refresh/")).length, 1, "one refresh for all three");
    assert.equal(JSON.parse(api.calls.find((c) => c.url.endsWith("/refresh/"))?.body ?? "{}").refresh, "r1");
    assert.deepEqual(session.current, { access: "a2", refresh: "r2" });
    assert.equal(api.calls.filter((c) => c.authorization === "Bearer a2").length, 3);
  });

  it("gives up when the refresh is refused: the caller gets the 401 and the session is cleared", async () => {
    const api = fakeApi(new Set(), { refreshWorks: false });
    const changes: unknown[] = [];
    const session = new Session({ baseUrl, fetch: api.fetch, tokens: { access: "expired", refresh: "revoked" }, onTokensChanged: (t) => changes.push(t) });

    await assert.rejects(new AuthClient(baseUrl, session.http).me(), (e: unknown) => e instanceof ProblemDetails && e.status === 401);
    assert.equal(session.current, null);
    assert.deepEqual(changes, [null]);
    assert.equal(api.calls.length, 2, "the request and one refresh, no retry");
  });

  it("does not refresh when the retried request is refused again", async () => {
    const api = fakeApi(new Set());
    // The refreshed token is not accepted either (say, the user was deactivated).
    const stubborn = async (url: RequestInfo, init?: RequestInit) => {
      const response = await api.fetch(url, init);
      return String(url).endsWith("/me/") ? problem(401) : response;
    };
    const strict = new Session({ baseUrl, fetch: stubborn, tokens: { access: "expired", refresh: "r1" } });

    await assert.rejects(new AuthClient(baseUrl, strict.http).me(), (e: unknown) => e instanceof ProblemDetails && e.status === 401);
    assert.equal(api.calls.filter((c) => c.url.endsWith("/refresh/")).length, 1);
    assert.equal(api.calls.filter((c) => c.url.endsWith("/me/")).length, 2);
  });

  it("with the refresh cookie, holds only the access token and refreshes, resumes and signs out by the cookie", async () => {
    const api = fakeApi(new Set(), { refreshWorks: true, loginWorks: true });
    const changes: unknown[] = [];
    const session = new Session({ baseUrl, fetch: api.fetch, refreshCookie: true, onTokensChanged: (t) => changes.push(t) });

    await session.login("alice", "a sound passphrase");
    const afterLogin = session.current;
    const resumed = await session.resume();
    await session.logout();

    assert.deepEqual(afterLogin, { access: "a1" });
    assert.equal(resumed, true);
    assert.deepEqual(changes, [{ access: "a1" }, { access: "a2" }, null]);
    const [login, refresh, logout] = api.calls;
    assert.equal(JSON.parse(login?.body ?? "{}").cookie, true);
    assert.deepEqual(
      { cookie: JSON.parse(refresh?.body ?? "{}").cookie, refresh: JSON.parse(refresh?.body ?? "{}").refresh },
      { cookie: true, refresh: null },
      "no token in the body: the API reads the cookie",
    );
    assert.equal(JSON.parse(logout?.body ?? "{}").refresh, null);
    assert.equal(logout?.authorization, "Bearer a2");
    assert.ok(api.calls.every((c) => c.requestedWith === "XMLHttpRequest"), "every call carries the header the cookie needs");
  });

  it("a page with no refresh cookie does not resume", async () => {
    const api = fakeApi(new Set(), { refreshWorks: false });
    const session = new Session({ baseUrl, fetch: api.fetch, refreshCookie: true });

    assert.equal(await session.resume(), false);
    assert.equal(session.current, null);
  });

  it("never refreshes on a sign-in 401 (wrong password)", async () => {
    const api = fakeApi(new Set());
    const session = new Session({ baseUrl, fetch: api.fetch, tokens: { access: "a1", refresh: "r1" } });

    await assert.rejects(new AuthClient(baseUrl, session.http).login(new LoginBody({ username: "alice", password: "wrong" })));
    assert.equal(api.calls.filter((c) => c.url.endsWith("/refresh/")).length, 0);
  });
});

function json(body: unknown): Response {
  return new Response(JSON.stringify(body), { status: 200, headers: { "Content-Type": "application/json" } });
}

function problem(status: number): Response {
  return new Response(JSON.stringify({ type: "about:blank", title: "Unauthorized", status }), {
    status,
    headers: { "Content-Type": "application/problem+json" },
  });
}
