import { useCallback, useMemo, useState } from "react";
import { useSearchParams } from "react-router";
import { readFilters, toListOptions, withChanges, type FilterChanges } from "./filters";

/**
 * The queue's filters: the URL is the state. `filters` is what the list shows (the URL), `controls` what the filter
 * controls show, `listOptions` the API request for `filters`; `update` changes the URL (paging starts over unless kept).
 */
export function useQueueFilters() {
  const [params, setParams] = useSearchParams();
  const filters = useMemo(() => readFilters(params), [params]);
  const listOptions = useMemo(() => toListOptions(filters), [filters]);
  const [cursorTrail, setCursorTrail] = useState<string[]>([]);

  // The router applies a navigation later (a transition). Until it lands, the filter controls show, and the next change
  // builds on, the parameters last asked for: otherwise React resets a controlled checkbox, select or date to the old
  // URL's value for a moment, and a second change made meanwhile drops the first. The list itself follows the URL. Once
  // the URL moves (the navigation landed, or back/forward), what was asked is forgotten, so returning to the URL it was
  // asked on later shows that URL.
  const [asked, setAsked] = useState<{ on: string; next: URLSearchParams } | null>(null);
  const pending = asked && asked.on === params.toString() ? asked : null;
  if (asked && !pending) setAsked(null);
  const shown = pending?.next ?? params;
  const controls = useMemo(() => readFilters(shown), [shown]);

  const update = useCallback(
    (changes: FilterChanges, keepPage = false) => {
      const p = withChanges(shown, changes, keepPage);
      if (!keepPage) setCursorTrail([]);
      setAsked({ on: params.toString(), next: p });
      setParams(p);
    },
    [params, shown, setParams],
  );

  /** Back to the first page of the same filters (after "N new alerts — show"). */
  const firstPage = useCallback(() => {
    setCursorTrail([]);
    setParams(withChanges(params, {}));
  }, [params, setParams]);

  const clear = useCallback(() => setParams(new URLSearchParams()), [setParams]);

  /** Keyset paging: the next page's cursor, remembering this one to come back to. */
  const older = (next: string) => {
    setCursorTrail([...cursorTrail, filters.cursor]);
    update({ cursor: next }, true);
  };
  const newer = () => {
    const trail = [...cursorTrail];
    const previous = trail.pop();
    setCursorTrail(trail);
    update({ cursor: previous }, true);
  };
  const toPage = (page: number) => update({ page: String(page) }, true);

  return { params, filters, controls, listOptions, update, clear, firstPage, older, newer, toPage };
}
