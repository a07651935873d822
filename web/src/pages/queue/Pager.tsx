import { fmtNumber } from "../../format";
import { PAGE_SIZE } from "./filters";

/**
 * Paging: by key (Newer/Older) once the API hands out a cursor, else by number. `exact` says whether `count` is exact
 * (the capped "10,000+" has no last page to name).
 */
export function Pager({
  page,
  cursor,
  nextCursor,
  hasPrevious,
  hasNext,
  count,
  exact,
  older,
  newer,
  toPage,
}: {
  page: number;
  cursor: string;
  nextCursor: string | undefined;
  hasPrevious: boolean;
  hasNext: boolean;
  count: number | undefined;
  exact: boolean;
  older: (next: string) => void;
  newer: () => void;
  toPage: (page: number) => void;
}) {
  return (
    <nav className="pager" aria-label="Pages">
      {nextCursor !== undefined || cursor ? (
        <>
          <button type="button" className="secondary" disabled={!cursor} onClick={newer}>
            ← Newer
          </button>
          <button type="button" className="secondary" disabled={!nextCursor} onClick={() => nextCursor && older(nextCursor)}>
            Older →
          </button>
        </>
      ) : (
        <>
          <button type="button" className="secondary" disabled={!hasPrevious} onClick={() => toPage(page - 1)}>
            ← Previous
          </button>
          <span>
            Page {page}
            {count !== undefined && exact ? ` of ${fmtNumber(Math.max(1, Math.ceil(count / PAGE_SIZE)))}` : ""}
          </span>
          <button type="button" className="secondary" disabled={!hasNext} onClick={() => toPage(page + 1)}>
            Next →
          </button>
        </>
      )}
    </nav>
  );
}
