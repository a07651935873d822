import { lazy, Suspense, useEffect } from "react";
import { Navigate, NavLink, Route, Routes, useLocation } from "react-router";
import { useAuth } from "./auth";
import { LoginPage } from "./pages/Login";
import { QueuePage } from "./pages/Queue";

// The queue is the first page analysts see; everything else loads on first visit.
const AlertDetailPage = lazy(() => import("./pages/AlertDetail"));
const DashboardPage = lazy(() => import("./pages/Dashboard"));
const SensorsPage = lazy(() => import("./pages/Sensors"));
const UsersPage = lazy(() => import("./pages/Users"));
const AuditPage = lazy(() => import("./pages/Audit"));
const ChannelsPage = lazy(() => import("./pages/notifications/Channels"));
const RulesPage = lazy(() => import("./pages/notifications/Rules"));
const DeliveriesPage = lazy(() => import("./pages/notifications/Deliveries"));
const DetectionRulesPage = lazy(() => import("./pages/rules/DetectionRules"));

const titles: [RegExp, string][] = [
  [/^\/alerts\/\d+/, "Alert"],
  [/^\/dashboard/, "Dashboard"],
  [/^\/rules/, "Detection rules"],
  [/^\/admin\/sensors/, "Sensors"],
  [/^\/admin\/users/, "Users"],
  [/^\/admin\/audit/, "Audit trail"],
  [/^\/admin\/notifications\/channels/, "Notification channels"],
  [/^\/admin\/notifications\/rules/, "Notification rules"],
  [/^\/admin\/notifications\/deliveries/, "Delivery log"],
  [/^\/login/, "Sign in"],
  [/^\//, "Alert queue"],
];

export function App() {
  const { signedIn, resuming, loading, me, isAdmin, signOut } = useAuth();
  const location = useLocation();
  useEffect(() => {
    const title = titles.find(([re]) => re.test(location.pathname))?.[1] ?? "Console";
    document.title = `${title} · ThreatPlatform`;
  }, [location.pathname]);

  // A reload keeps its URL: nothing redirects to the sign-in page before the cookie has had its say.
  if (resuming) {
    return (
      <main id="main">
        <p role="status">Loading…</p>
      </main>
    );
  }

  if (!signedIn) {
    return (
      <Routes>
        <Route path="/login" element={<LoginPage />} />
        <Route path="*" element={<Navigate to={`/login?next=${encodeURIComponent(location.pathname + location.search)}`} replace />} />
      </Routes>
    );
  }

  return (
    <div className="shell">
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <span className="brand" aria-hidden="true">
          ◆ ThreatPlatform
        </span>
        <nav aria-label="Main">
          <NavLink to="/" end>
            Queue
          </NavLink>
          <NavLink to="/dashboard">Dashboard</NavLink>
          <NavLink to="/rules">Detection rules</NavLink>
          {isAdmin && <NavLink to="/admin/sensors">Sensors</NavLink>}
          {isAdmin && <NavLink to="/admin/users">Users</NavLink>}
          {isAdmin && <NavLink to="/admin/audit">Audit</NavLink>}
          {isAdmin && <NavLink to="/admin/notifications">Notifications</NavLink>}
        </nav>
        <div className="who">
          {me && (
            <span data-testid="whoami">
              {me.username} <span className="role">{me.role}</span>
            </span>
          )}
          <button type="button" className="secondary" onClick={() => void signOut()}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {loading ? (
          <p role="status">Loading…</p>
        ) : (
          <Suspense fallback={<p role="status">Loading…</p>}>
            <Routes>
              <Route path="/" element={<QueuePage />} />
              <Route path="/alerts/:id" element={<AlertDetailPage />} />
              <Route path="/dashboard" element={<DashboardPage />} />
              <Route path="/rules" element={<DetectionRulesPage />} />
              <Route path="/admin/sensors" element={isAdmin ? <SensorsPage /> : <Forbidden />} />
              <Route path="/admin/users" element={isAdmin ? <UsersPage /> : <Forbidden />} />
              <Route path="/admin/audit" element={isAdmin ? <AuditPage /> : <Forbidden />} />
              <Route path="/admin/notifications" element={<Navigate to="/admin/notifications/channels" replace />} />
              <Route path="/admin/notifications/channels" element={isAdmin ? <ChannelsPage /> : <Forbidden />} />
              <Route path="/admin/notifications/rules" element={isAdmin ? <RulesPage /> : <Forbidden />} />
              <Route path="/admin/notifications/deliveries" element={isAdmin ? <DeliveriesPage /> : <Forbidden />} />
              <Route path="/login" element={<Navigate to={new URLSearchParams(location.search).get("next") ?? "/"} replace />} />
              <Route path="*" element={<NotFound />} />
            </Routes>
          </Suspense>
        )}
      </main>
    </div>
  );
}

function Forbidden() {
  return (
    <section>
      <h1>Admins only</h1>
      <p>This page is for admins. Your role cannot see it.</p>
    </section>
  );
}

function NotFound() {
  return (
    <section>
      <h1>Not found</h1>
      <p>There is no page here.</p>
    </section>
  );
}
