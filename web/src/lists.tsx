import { useQueryClient, type QueryKey } from "@tanstack/react-query";
import { useState, type ReactNode } from "react";
import { problemText } from "./api";
import { ErrorNote } from "./components";
import { pageCount } from "./paging";

export { pageOf } from "./paging";

// The pieces every admin list shares: a change that reports what it did (or why it was refused) and refreshes the
// lists it touched, the note and error above the table, the table head, a row that opens its editor below it, a delete
// that asks again, and the pager.

/**
 * Runs one change at a time: clears the last note and error, awaits the work, then says `done` and refreshes the
 * queries under each of `refresh`'s keys; a refusal shows as the problem's text.
 */
export function useChange(...refresh: QueryKey[]) {
  const queryClient = useQueryClient();
  const [note, setNote] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const run = async (work: () => Promise<unknown>, done: string): Promise<boolean> => {
    setError(null);
    setNote(null);
    try {
      await work();
      setNote(done);
      for (const queryKey of refresh) await queryClient.invalidateQueries({ queryKey });
      return true;
    } catch (e) {
      setError(problemText(e));
      return false;
    }
  };
  return { note, error, setNote, setError, run };
}

/** What the last change said: a status note, or an error (also the list's own load error, when there is one). */
export function ChangeNotes({ note, error, loadError }: { note: string | null; error: string | null; loadError?: unknown }) {
  return (
    <>
      {note && (
        <p className="note" role="status">
          {note}
        </p>
      )}
      <ErrorNote error={error ?? (loadError ? problemText(loadError) : null)} />
    </>
  );
}

/** A column heading: its text, or its text and class (e.g. "num" for a right-aligned number). */
export type Column = string | { label: string; className: string };

/** The head of a list: the columns, then (unless `actions` is false) a screen-reader "Actions" column for the row's buttons. */
export function ListHead({ columns, actions = true }: { columns: readonly Column[]; actions?: boolean }) {
  return (
    <thead>
      <tr>
        {columns.map((c) =>
          typeof c === "string" ? (
            <th key={c} scope="col">
              {c}
            </th>
          ) : (
            <th key={c.label} scope="col" className={c.className}>
              {c.label}
            </th>
          ),
        )}
        {actions && (
          <th scope="col">
            <span className="sr-only">Actions</span>
          </th>
        )}
      </tr>
    </thead>
  );
}

/** Which row of a list has its editor open (one at a time): `row(id)` gives a `ManagedRow`'s `open` and `toggle`. */
export function useOpenRow() {
  const [openId, setOpenId] = useState<number | null>(null);
  return {
    open: (id: number) => setOpenId(id),
    row: (id: number) => ({ open: openId === id, toggle: () => setOpenId(openId === id ? null : id) }),
  };
}

/**
 * A list row whose Manage button opens its editor in a full-width row below it. `data` names the row for tests and
 * styles (`{ "data-sensor": name }`); the first cell is the row's heading (`name`).
 */
export function ManagedRow(props: {
  name: string;
  data: Record<`data-${string}`, string>;
  open: boolean;
  toggle: () => void;
  cells: ReactNode;
  columns: number;
  children: ReactNode;
}) {
  return (
    <>
      <tr {...props.data}>
        <th scope="row">{props.name}</th>
        {props.cells}
        <td>
          <button type="button" className="secondary" aria-expanded={props.open} onClick={props.toggle}>
            {props.open ? "Close" : "Manage"}
            <span className="sr-only"> {props.name}</span>
          </button>
        </td>
      </tr>
      {props.open && (
        <tr className="expanded">
          <td colSpan={props.columns + 1}>{props.children}</td>
        </tr>
      )}
    </>
  );
}

/** A button that asks again before doing something that cannot be undone. */
export function ConfirmButton({ label, question, onConfirm, children }: { label: string; question: string; onConfirm: () => void; children?: ReactNode }) {
  const [asking, setAsking] = useState(false);
  if (!asking)
    return (
      <button type="button" className="danger" onClick={() => setAsking(true)}>
        {children ?? label}
      </button>
    );
  return (
    <span className="confirm" role="group" aria-label={question}>
      <span>{question}</span>
      <button
        type="button"
        className="danger"
        onClick={() => {
          setAsking(false);
          onConfirm();
        }}
      >
        Yes, {label.toLowerCase()}
      </button>
      <button type="button" className="secondary" onClick={() => setAsking(false)}>
        Cancel
      </button>
    </span>
  );
}

/** What a paged list answered: links to its neighbours and the total. */
export interface PageOfResults {
  previous?: string | null;
  next?: string | null;
  count: number;
}

/** Previous/next for a paged list of `pageSize` rows (page n of m); nothing when everything fits on one page. */
export function Pager({ page, list, pageSize, go }: { page: number; list: PageOfResults | undefined; pageSize: number; go: (page: number) => void }) {
  if (!list?.previous && !list?.next) return null;
  return (
    <nav className="pager" aria-label="Pages">
      <button type="button" className="secondary" disabled={!list.previous} onClick={() => go(page - 1)}>
        ← Previous
      </button>
      <span>
        Page {page} of {pageCount(list.count, pageSize)}
      </span>
      <button type="button" className="secondary" disabled={!list.next} onClick={() => go(page + 1)}>
        Next →
      </button>
    </nav>
  );
}
