import { useQuery } from "@tanstack/react-query";
import { api, problemText } from "../api";
import { ErrorNote } from "../components";
import { ListHead } from "../lists";

/** GET /api/audit/: the latest 100 entries of the security audit log, newest first. */
export default function AuditPage() {
  const entries = useQuery({
    queryKey: ["audit"],
    queryFn: () => api.audit().list(1, 100),
  });
  return (
    <section aria-labelledby="audit-title">
      <h1 id="audit-title">Audit trail</h1>
      <ErrorNote error={entries.error ? problemText(entries.error) : null} />
      {entries.data && (
        <table className="list">
          <ListHead actions={false} columns={["At", "Actor", "IP", "Action", "Target", "Hash"]} />
          <tbody>
            {entries.data.results.map((e) => (
              <tr key={e.id}>
                <td>{e.at.toISOString()}</td>
                <td>{e.actor ?? ""}</td>
                <td>{e.ip}</td>
                <td>{e.action}</td>
                <td>{e.target}</td>
                <td>
                  <code>{e.hash.slice(0, 12)}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
