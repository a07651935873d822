import { useState, type FormEvent } from "react";
import { severities, statuses, statusLabel } from "../../format";
import { tagList, toggled, type FilterChanges, type QueueFilters } from "./filters";

const draftOf = (f: QueueFilters) => ({ q: f.q, source: f.source, tags: f.tags.join(", ") });

/**
 * The filter form. Checkboxes, selects and dates apply at once; the text fields on submit, so typing does not query on
 * every key. `filters` is the URL (the text fields start over from it whenever it changes), `controls` what was asked.
 */
export function FilterBar({
  filters,
  controls,
  update,
  clear,
}: {
  filters: QueueFilters;
  controls: QueueFilters;
  update: (changes: FilterChanges) => void;
  clear: () => void;
}) {
  const [draft, setDraft] = useState(() => draftOf(filters));
  const [draftOn, setDraftOn] = useState(filters);
  if (draftOn !== filters) {
    setDraftOn(filters);
    setDraft(draftOf(filters));
  }

  const applyText = (e: FormEvent) => {
    e.preventDefault();
    update({ q: draft.q.trim(), source: draft.source.trim(), tags: tagList(draft.tags) });
  };

  return (
    <form className="filters" onSubmit={applyText} aria-label="Filters">
      <fieldset>
        <legend>Status</legend>
        {statuses.map((s) => (
          <label key={s} className="chip">
            <input type="checkbox" checked={controls.status.includes(s)} onChange={() => update({ status: toggled(controls.status, s) })} />
            {statusLabel[s]}
          </label>
        ))}
      </fieldset>
      <fieldset>
        <legend>Severity</legend>
        {severities.map((s) => (
          <label key={s} className="chip">
            <input type="checkbox" checked={controls.severity.includes(s)} onChange={() => update({ severity: toggled(controls.severity, s) })} />
            {s}
          </label>
        ))}
      </fieldset>
      <div className="filter-row">
        <label>
          Search
          <input type="search" name="q" placeholder="source, type, description" value={draft.q} onChange={(e) => setDraft({ ...draft, q: e.target.value })} />
        </label>
        <label>
          Source
          <input name="source" value={draft.source} onChange={(e) => setDraft({ ...draft, source: e.target.value })} />
        </label>
        <label>
          Tags
          <input name="tags" placeholder="all of: a, b" value={draft.tags} onChange={(e) => setDraft({ ...draft, tags: e.target.value })} />
        </label>
        <button type="submit">Apply</button>
      </div>
      <div className="filter-row">
        <label>
          Assignee
          <select value={controls.assignee} onChange={(e) => update({ assignee: e.target.value })}>
            <option value="">anyone</option>
            <option value="me">me</option>
            <option value="none">nobody</option>
          </select>
        </label>
        <label>
          From
          <input type="date" value={controls.from} onChange={(e) => update({ from: e.target.value })} />
        </label>
        <label>
          To
          <input type="date" value={controls.to} onChange={(e) => update({ to: e.target.value })} />
        </label>
        <label className="chip">
          <input type="checkbox" checked={controls.sla} onChange={(e) => update({ sla: e.target.checked ? "true" : undefined })} />
          SLA breached
        </label>
        {controls.rule && (
          <span className="chip" data-testid="rule-filter">
            Raised by rule #{controls.rule}
            <button type="button" className="secondary" onClick={() => update({ rule: undefined })}>
              ×<span className="sr-only"> drop the rule filter</span>
            </button>
          </span>
        )}
        <button type="button" className="secondary" onClick={clear}>
          Clear filters
        </button>
      </div>
    </form>
  );
}
