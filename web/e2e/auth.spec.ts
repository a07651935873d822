import { AuthClient, LoginBody, ProblemDetails } from "@threatplatform/client";
import { admin, analyst, auditPage, baseUrl, expect, registerPending, test } from "./support";

test.describe("sign-in", () => {
  test("a wrong password says so, and the sign-in page passes axe", async ({ page }) => {
    await page.goto("/");
    await expect(page).toHaveURL(/\/login/);
    await auditPage(page, "login");

    await page.getByLabel("Username").fill(analyst().username);
    await page.getByLabel("Password").fill("not the password");
    await page.getByRole("button", { name: "Sign in" }).click();

    await expect(page.getByTestId("login-error")).toHaveText("Wrong username or password.");
  });

  test("a throttled sign-in is told to wait", async ({ page }) => {
    const who = await registerPending("throttled");
    let retryAfter = 0;
    const auth = new AuthClient(baseUrl(), {
      fetch: async (url: RequestInfo, init?: RequestInit) => {
        const response = await fetch(url, init);
        retryAfter = Number(response.headers.get("Retry-After") ?? 0);
        return response;
      },
    });
    // The first three failures from one address cost nothing; after that each failure doubles the wait (429 +
    // Retry-After while it runs). Fail, waiting out each wait, until the wait outlasts the page's own sign-in.
    for (let i = 0; i < 20 && retryAfter < 8; i++) {
      if (retryAfter > 0) {
        await new Promise((resolve) => setTimeout(resolve, retryAfter * 1000));
      }
      await auth.login(new LoginBody({ username: who.username, password: "wrong" })).catch((e: unknown) => {
        expect(e).toBeInstanceOf(ProblemDetails);
      });
    }
    expect(retryAfter).toBeGreaterThanOrEqual(8);

    await page.goto("/login");
    await page.getByLabel("Username").fill(who.username);
    await page.getByLabel("Password").fill(who.password);
    await page.getByRole("button", { name: "Sign in" }).click();

    await expect(page.getByTestId("login-error")).toContainText("Too many failed sign-ins");
  });

  test("an account awaiting approval is told an admin must activate it", async ({ page }) => {
    const who = await registerPending("waiting");

    await page.goto("/login");
    await page.getByLabel("Username").fill(who.username);
    await page.getByLabel("Password").fill(who.password);
    await page.getByRole("button", { name: "Sign in" }).click();

    await expect(page.getByTestId("login-error")).toContainText("awaiting approval");
  });

  test("signing in lands on the queue, deep links survive sign-in, and signing out ends the session", async ({ page }) => {
    await page.goto("/dashboard");
    await expect(page).toHaveURL(/\/login\?next=%2Fdashboard/);
    await page.getByLabel("Username").fill(analyst().username);
    await page.getByLabel("Password").fill(analyst().password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByRole("heading", { name: "Dashboard" })).toBeVisible();

    const logout = page.waitForResponse((r) => r.url().endsWith("/api/auth/logout/") && r.status() === 204);
    await page.getByRole("button", { name: "Sign out" }).click();
    await logout;
    await expect(page).toHaveURL(/\/login/);
    await page.goto("/");
    await expect(page.getByRole("button", { name: "Sign in" })).toBeVisible();
  });

  test("an expired access token is refreshed silently through the client's Session", async ({ page }) => {
    // This API process issues access tokens that live 3 s (Jwt__AccessTokenSeconds=3, no clock skew).
    const short = process.env.TP_E2E_SHORT_URL!;
    await page.goto(`${short}/login`);
    await page.getByLabel("Username").fill(admin().username);
    await page.getByLabel("Password").fill(admin().password);
    // The access token lives in the page's memory only: read it off the wire.
    const login = page.waitForResponse((r) => r.url().endsWith("/api/auth/login/") && r.status() === 200);
    await page.getByRole("button", { name: "Sign in" }).click();
    const first = (await (await login).json()) as { access: string };
    await expect(page.getByTestId("whoami")).toContainText(admin().username);
    const expiry = (JSON.parse(Buffer.from(first.access.split(".")[1], "base64url").toString()) as { exp: number }).exp;
    expect(expiry - Date.now() / 1000).toBeLessThanOrEqual(4);

    // The first refresh after sign-in, whoever asks for it: the live stream ends when its token expires and its
    // reconnect may refresh before the click below does.
    const refreshed = page.waitForResponse((r) => r.url().endsWith("/api/auth/refresh/") && r.status() === 200);
    // Wait for the token's own expiry (a state of the clock, not a guess), then use the console.
    await page.waitForFunction((exp) => Date.now() / 1000 > exp + 1, expiry, { polling: 250, timeout: 10_000 });
    await page.getByRole("link", { name: "Dashboard" }).click();
    const second = (await (await refreshed).json()) as { access: string };

    await expect(page.getByRole("heading", { name: "Dashboard" })).toBeVisible();
    await expect(page.getByTestId("tile-sla")).toBeVisible();
    expect(second.access).not.toBe(first.access);
    await expect(page).not.toHaveURL(/\/login/);
  });

  test("no script can read the refresh token, and a reload keeps the analyst signed in where they were", async ({ page, context }) => {
    await page.goto("/dashboard");
    await page.getByLabel("Username").fill(analyst().username);
    await page.getByLabel("Password").fill(analyst().password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByTestId("whoami")).toContainText(analyst().username);

    const cookie = (await context.cookies()).find((c) => c.name === "tp_refresh");
    expect(cookie, "the API set the refresh cookie").toBeDefined();
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: "Strict" });
    expect(cookie!.value.length).toBeGreaterThan(20);
    const readable = await page.evaluate(() => ({
      cookies: document.cookie,
      session: Object.keys(sessionStorage).map((k) => `${k}=${sessionStorage.getItem(k)}`),
      local: Object.keys(localStorage).map((k) => `${k}=${localStorage.getItem(k)}`),
    }));
    expect(readable.cookies).not.toContain("tp_refresh");
    for (const entry of [readable.cookies, ...readable.session, ...readable.local]) {
      expect(entry).not.toContain(cookie!.value);
      expect(entry).not.toMatch(/refresh/i);
    }

    const resumed = page.waitForResponse((r) => r.url().endsWith("/api/auth/refresh/") && r.status() === 200);
    await page.reload();
    await resumed;

    await expect(page.getByTestId("whoami")).toContainText(analyst().username);
    await expect(page.getByRole("heading", { name: "Dashboard" })).toBeVisible();
    await expect(page).toHaveURL(/\/dashboard$/);
    const rotated = (await context.cookies()).find((c) => c.name === "tp_refresh");
    expect(rotated?.value).not.toBe(cookie!.value);
  });
});
