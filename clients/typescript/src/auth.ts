import { AuthClient, LoginBody, RefreshBody, TokenPair } from "./client.js";

/** The shape the generated clients take as their `http` argument. */
export interface Http {
  fetch(url: RequestInfo, init?: RequestInit): Promise<Response>;
}

export interface Tokens {
  access: string;
  refresh: string;
}

export interface SessionOptions {
  /** Where the API lives, e.g. `https://threats.example.org` (no trailing slash). */
  baseUrl: string;
  /** Tokens from an earlier sign-in, to resume a session. */
  tokens?: Tokens | null;
  /** The fetch to send requests with (default: the global fetch). */
  fetch?: (url: RequestInfo, init?: RequestInit) => Promise<Response>;
  /** Told every time the tokens change (after sign-in and each refresh), and with null when the session ends. */
  onTokensChanged?: (tokens: Tokens | null) => void;
}

/** Endpoints whose 401 means "wrong credentials", not "access token expired": never refreshed and retried. */
const SIGN_IN_PATHS = ["/api/auth/login/", "/api/auth/register/", "/api/auth/refresh/"];

/**
 * Token handling for the generated clients: attaches `Authorization: Bearer <access>` to every request and, when the
 * API answers 401, refreshes the tokens once through POST /api/auth/refresh/ and retries the request once. If the
 * refresh fails, or the retry is refused again, the 401 goes back to the caller (the generated client throws it as a
 * `ProblemDetails`) and the session is cleared.
 *
 * Refresh tokens rotate and a reused one revokes its whole family, so concurrent 401s share one refresh call.
 *
 * ```ts
 * const session = new Session({ baseUrl });
 * await session.login("alice", "a sound passphrase");
 * const alerts = new AlertsClient(baseUrl, session.http);
 * ```
 */
export class Session {
  private tokens: Tokens | null;
  private refreshing: Promise<boolean> | null = null;
  private readonly baseUrl: string;
  private readonly send: (url: RequestInfo, init?: RequestInit) => Promise<Response>;
  private readonly onTokensChanged: ((tokens: Tokens | null) => void) | undefined;

  /** Pass this as the generated clients' `http` argument. */
  readonly http: Http = { fetch: (url, init) => this.fetch(url, init) };

  constructor(options: SessionOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, "");
    this.tokens = options.tokens ?? null;
    this.send = options.fetch ?? ((url, init) => globalThis.fetch(url, init));
    this.onTokensChanged = options.onTokensChanged;
  }

  get current(): Tokens | null {
    return this.tokens;
  }

  /** Signs in with a username and password; throws the API's ProblemDetails (401, 403, 429…) on refusal. */
  async login(username: string, password: string): Promise<Tokens> {
    const pair = await this.authClient().login(new LoginBody({ username, password }));
    return this.store(pair);
  }

  /** Revokes the refresh token on the server (best effort) and forgets both tokens. */
  async logout(): Promise<void> {
    const tokens = this.tokens;
    if (tokens !== null) {
      try {
        await new AuthClient(this.baseUrl, this.http).logout(new RefreshBody({ refresh: tokens.refresh }));
      } finally {
        this.clear();
      }
    }
  }

  /** Forgets the tokens without telling the server. */
  clear(): void {
    this.tokens = null;
    this.onTokensChanged?.(null);
  }

  private async fetch(url: RequestInfo, init?: RequestInit): Promise<Response> {
    const sentWith = this.tokens?.access;
    const response = await this.send(url, this.withToken(init, sentWith));
    if (response.status !== 401 || sentWith === undefined || isSignIn(url)) {
      return response;
    }

    // Another request may have refreshed already while this one was in flight.
    const refreshed = this.tokens !== null && this.tokens.access !== sentWith ? true : await this.refreshOnce();
    if (!refreshed || this.tokens === null) {
      return response;
    }

    await response.body?.cancel();
    return this.send(url, this.withToken(init, this.tokens.access));
  }

  private refreshOnce(): Promise<boolean> {
    this.refreshing ??= this.refresh().finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  private async refresh(): Promise<boolean> {
    const refresh = this.tokens?.refresh;
    if (refresh === undefined) {
      return false;
    }

    try {
      this.store(await this.authClient().refresh(new RefreshBody({ refresh })));
      return true;
    } catch {
      // Expired, revoked or reused: the session is over; the caller sees the original 401.
      this.clear();
      return false;
    }
  }

  /** A client that sends without the token wrapper, for sign-in and refresh. */
  private authClient(): AuthClient {
    return new AuthClient(this.baseUrl, { fetch: this.send });
  }

  private store(pair: TokenPair): Tokens {
    this.tokens = { access: pair.access, refresh: pair.refresh };
    this.onTokensChanged?.(this.tokens);
    return this.tokens;
  }

  private withToken(init: RequestInit | undefined, access: string | undefined): RequestInit | undefined {
    if (access === undefined) {
      return init;
    }

    const headers = new Headers(init?.headers);
    headers.set("Authorization", `Bearer ${access}`);
    return { ...init, headers };
  }
}

function isSignIn(url: RequestInfo): boolean {
  const href = typeof url === "string" ? url : url.url;
  const path = new URL(href, "http://localhost").pathname;
  return SIGN_IN_PATHS.some((p) => path.endsWith(p));
}
