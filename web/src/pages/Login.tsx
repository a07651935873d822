import { useState, type FormEvent } from "react";
import { useNavigate, useSearchParams } from "react-router";
import { ProblemDetails } from "@threatplatform/client";
import { problemText, signIn } from "../api";

/** What a person should read for each refusal the login endpoint gives. */
function signInMessage(error: unknown): string {
  if (error instanceof ProblemDetails) {
    switch (error.status) {
      case 401:
        return "Wrong username or password.";
      case 403:
        return `Your account is awaiting approval: an admin has to activate it before you can sign in. ${error.detail ?? ""}`.trim();
      case 429:
        // Failed sign-ins are throttled per username and address with growing waits (no account is ever locked).
        return `Too many failed sign-ins: wait a little and try again. ${error.detail ?? ""}`.trim();
    }
  }
  return `Sign-in failed: ${problemText(error)}`;
}

export function LoginPage() {
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const navigate = useNavigate();
  const [params] = useSearchParams();

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await signIn(username, password);
      const next = params.get("next");
      void navigate(next && next.startsWith("/") && !next.startsWith("//") ? next : "/", { replace: true });
    } catch (err) {
      setError(signInMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main id="main" className="login">
      <form onSubmit={submit} aria-labelledby="login-title" className="card">
        <h1 id="login-title">◆ ThreatPlatform</h1>
        <p className="muted">Sign in to the SOC console</p>
        <label>
          Username
          <input name="username" autoComplete="username" required value={username} onChange={(e) => setUsername(e.target.value)} />
        </label>
        <label>
          Password
          <input name="password" type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
        </label>
        {error && (
          <p className="error" role="alert" data-testid="login-error">
            {error}
          </p>
        )}
        <button type="submit" disabled={busy}>
          {busy ? "Signing in…" : "Sign in"}
        </button>
        <p className="muted small">
          API documentation: <a href="/redoc/">ReDoc</a> · <a href="/swagger/">Swagger UI</a>
        </p>
      </form>
    </main>
  );
}
