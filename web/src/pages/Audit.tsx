import { useQuery } from "@tanstack/react-query";
import { AuditClientClass, auditClient, problemText } from "../api";
import { ErrorNote } from "../components";

interface AuditEntry {
  id: number;
  at?: Date;
  actor?: unknown;
  ip?: string;
  action?: string;
  target?: string;
  hash?: string;
}

/** GET /api/audit/ through the generated AuditClient, once the API (and so the client) has it. */
export default function AuditPage() {
  const entries = useQuery({
    queryKey: ["audit"],
    enabled: AuditClientClass !== undefined,
    queryFn: () => {
      const client = auditClient() as Record<string, (...args: unknown[]) => Promise<{ count: number; results: AuditEntry[] }>>;
      return client["list"]!(1, 100);
    },
  });
  return (
    <section aria-labelledby="audit-title">
      <h1 id="audit-title">Audit trail</h1>
      {!AuditClientClass && <p className="muted">This API does not serve an audit trail yet (GET /api/audit/); the page fills in when it does.</p>}
      <ErrorNote error={entries.error ? problemText(entries.error) : null} />
      {entries.data && (
        <table className="list">
          <thead>
            <tr>
              <th scope="col">At</th>
              <th scope="col">Actor</th>
              <th scope="col">IP</th>
              <th scope="col">Action</th>
              <th scope="col">Target</th>
              <th scope="col">Hash</th>
            </tr>
          </thead>
          <tbody>
            {entries.data.results.map((e) => (
              <tr key={e.id}>
                <td>{e.at instanceof Date ? e.at.toISOString() : String(e.at ?? "")}</td>
                <td>{typeof e.actor === "object" && e.actor ? String((e.actor as { username?: string }).username ?? JSON.stringify(e.actor)) : String(e.actor ?? "")}</td>
                <td>{e.ip}</td>
                <td>{e.action}</td>
                <td>{e.target}</td>
                <td>
                  <code>{e.hash?.slice(0, 12)}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
