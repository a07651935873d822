import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { UpdateUserBody, UserRole, type UserDto } from "@threatplatform/client";
import { api } from "../api";
import { useAuth } from "../auth";
import { fmtAgo, fmtDate } from "../format";
import { ChangeNotes, ListHead, useChange } from "../lists";

export default function UsersPage() {
  const { me } = useAuth();
  const [show, setShow] = useState<"all" | "pending">("all");
  const users = useQuery({
    queryKey: ["users", show],
    queryFn: ({ signal }) => api.users().list(1, 100, undefined, show === "pending" ? false : undefined, "username", undefined, undefined, signal),
  });
  const { note, error, run } = useChange(["users"]);
  const change = (user: UserDto, body: UpdateUserBody, done: string) => run(() => api.users().update(user.id, body), done);

  return (
    <section aria-labelledby="users-title">
      <div className="page-head">
        <h1 id="users-title">Users</h1>
        <label className="inline">
          Show
          <select value={show} onChange={(e) => setShow(e.target.value as "all" | "pending")}>
            <option value="all">everyone</option>
            <option value="pending">inactive (awaiting approval or deactivated)</option>
          </select>
        </label>
      </div>
      <ChangeNotes note={note} error={error} loadError={users.error} />
      <table className="list">
        <ListHead columns={["Username", "Email", "Role", "State", "Joined", "Last login"]} />
        <tbody>
          {users.data?.results.map((u) => (
            <tr key={u.id} data-user={u.username}>
              <th scope="row">
                {u.username}
                {u.id === me?.id && <span className="muted"> (you)</span>}
              </th>
              <td>{u.email}</td>
              <td>
                <label>
                  <span className="sr-only">Role of {u.username}</span>
                  <select
                    value={u.role}
                    onChange={(e) => void change(u, new UpdateUserBody({ role: e.target.value as UserRole }), `${u.username} is now ${e.target.value}.`)}
                  >
                    <option value={UserRole.Analyst}>ANALYST</option>
                    <option value={UserRole.Admin}>ADMIN</option>
                  </select>
                </label>
              </td>
              <td>{u.is_active ? "active" : <span className="badge pending">inactive</span>}</td>
              <td title={fmtDate(u.date_joined)}>{fmtAgo(u.date_joined)}</td>
              <td>{fmtAgo(u.last_login)}</td>
              <td>
                {u.is_active ? (
                  <button type="button" className="danger" onClick={() => void change(u, new UpdateUserBody({ is_active: false }), `${u.username} deactivated.`)}>
                    Deactivate<span className="sr-only"> {u.username}</span>
                  </button>
                ) : (
                  <button type="button" onClick={() => void change(u, new UpdateUserBody({ is_active: true }), `${u.username} activated.`)}>
                    Activate<span className="sr-only"> {u.username}</span>
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {users.data && users.data.results.length === 0 && <p className="empty">Nobody here.</p>}
    </section>
  );
}
