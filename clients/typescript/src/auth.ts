import { AuthClient, LoginBody, RefreshBody, TokenPair } from "./client.js";

/** The shape the generated clients take as their `http` argument. */
export interface Http {
  fetch(url: RequestInfo, init?: RequestInit): Promise<Response>;
}

export interface Tokens {
  access: string;
  /** Absent with `refreshCookie`: the refresh token is then the browser's HttpOnly cookie, out of any script's reach. */
  refresh?: string;
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
  /**
   * For a page served by the API's own origin (the console): the API keeps the refresh token in its HttpOnly,
   * SameSite=Strict `tp_refresh` cookie instead of answering it (`"cookie": true`), refresh and logout present the
   * cookie (with the `X-Requested-With` header the API asks for), and only the access token is held, in memory.
   * `resume()` signs a reloaded page back in through the cookie.
   */
  refreshCookie?: boolean;
}

/** The header the API needs before it takes a refresh token from the cookie (a cross-site form cannot send one). */
const CSRF_HEADER = "X-Requested-With";

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
  private readonly cookie: boolean;

  /** Pass this as the generated clients' `http` argument. */
  readonly http: Http = { fetch: (url, init) => this.fetch(url, init) };

  constructor(options: SessionOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, "");
    this.tokens = options.tokens ?? null;
    const send = options.fetch ?? ((url, init) => globalThis.fetch(url, init));
    this.cookie = options.refreshCookie === true;
    this.send = this.cookie ? (url, init) => send(url, withHeader(init, CSRF_HEADER, "XMLHttpRequest")) : send;
    this.onTokensChanged = options.onTokensChanged;
  }

  get current(): Tokens | null {
    return this.tokens;
  }

  /** Signs in with a username and password; throws the API's ProblemDetails (401, 403, 429…) on refusal. */
  async login(username: string, password: string): Promise<Tokens> {
    const pair = await this.authClient().login(new LoginBody(this.cookie ? { username, password, cookie: true } : { username, password }));
    return this.store(pair);
  }

  /**
   * With `refreshCookie`: signs back in through the refresh cookie (one silent refresh), as a reloaded page does; true
   * when that worked. Without it: whether the session holds tokens.
   */
  async resume(): Promise<boolean> {
    if (!this.cookie) {
      return this.tokens !== null;
    }

    return this.refreshOnce();
  }

  /** Revokes the refresh token on the server (best effort) and forgets both tokens. */
  async logout(): Promise<void> {
    const tokens = this.tokens;
    if (tokens !== null) {
      try {
        // With the cookie the body names no token: the API revokes the cookie's and clears it.
        await new AuthClient(this.baseUrl, this.http).logout(new RefreshBody(this.cookie ? {} : { refresh: tokens.refresh }));
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
    this.refreshing ??= this.refreshInTurn().finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  /**
   * Tabs of one browser share the cookie: two refreshing it at once would present one token twice, which the API
   * takes for theft (the whole family is revoked). So with the cookie, one tab at a time (Web Locks, where there are).
   */
  private async refreshInTurn(): Promise<boolean> {
    const locks = this.cookie ? (globalThis.navigator as { locks?: LockManager } | undefined)?.locks : undefined;
    if (!locks) {
      return this.refresh();
    }

    let refreshed = false;
    await locks.request(`tp-refresh ${this.baseUrl}`, async () => {
      refreshed = await this.refresh();
    });
    return refreshed;
  }

  private async refresh(): Promise<boolean> {
    const refresh = this.tokens?.refresh;
    if (!this.cookie && refresh === undefined) {
      return false;
    }

    try {
      this.store(await this.authClient().refresh(new RefreshBody(this.cookie ? { cookie: true } : { refresh })));
      return true;
    } catch {
      // Expired, revoked or reused (or no cookie at all): the session is over; the caller sees the original 401.
      this.clear();
      return false;
    }
  }

  /** A client that sends without the token wrapper, for sign-in and refresh. */
  private authClient(): AuthClient {
    return new AuthClient(this.baseUrl, { fetch: this.send });
  }

  private store(pair: TokenPair): Tokens {
    this.tokens = this.cookie || !pair.refresh ? { access: pair.access } : { access: pair.access, refresh: pair.refresh };
    this.onTokensChanged?.(this.tokens);
    return this.tokens;
  }

  private withToken(init: RequestInit | undefined, access: string | undefined): RequestInit | undefined {
    return access === undefined ? init : withHeader(init, "Authorization", `Bearer ${access}`);
  }
}

function withHeader(init: RequestInit | undefined, name: string, value: string): RequestInit {
  const headers = new Headers(init?.headers);
  headers.set(name, value);
  return { ...init, headers };
}

function isSignIn(url: RequestInfo): boolean {
  const href = typeof url === "string" ? url : url.url;
  const path = new URL(href, "http://localhost").pathname;
  return SIGN_IN_PATHS.some((p) => path.endsWith(p));
}
