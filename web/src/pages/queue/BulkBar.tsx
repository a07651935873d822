import { AlertStatus, BulkAlertAction, BulkBody, type MeDto } from "@threatplatform/client";
import { useState } from "react";
import { TAG_PATTERN } from "../../format";

/** Actions on the selected alerts (POST /api/alerts/bulk/), and the keyboard's legend. */
export function BulkBar({
  selected,
  me,
  isAdmin,
  bulk,
}: {
  selected: ReadonlySet<number>;
  me: MeDto | undefined;
  isAdmin: boolean;
  bulk: (body: BulkBody, what: string) => Promise<void>;
}) {
  const [bulkTag, setBulkTag] = useState("");
  const ids = () => [...selected];
  return (
    <div className="bulk" role="region" aria-label="Bulk actions">
      <span>{selected.size} selected</span>
      {isAdmin && (
        <button
          type="button"
          disabled={selected.size === 0}
          onClick={() => void bulk(new BulkBody({ ids: ids(), action: BulkAlertAction.Status, status: AlertStatus.Acknowledged }), "Acknowledge")}
        >
          Acknowledge selected
        </button>
      )}
      <button
        type="button"
        disabled={selected.size === 0 || !me}
        onClick={() => me && void bulk(new BulkBody({ ids: ids(), action: BulkAlertAction.Assign, assignee: me.id } as BulkBody), "Assign to me")}
      >
        Assign selected to me
      </button>
      <label className="inline">
        <span className="sr-only">Tag to add to the selected alerts</span>
        <input placeholder="tag" value={bulkTag} onChange={(e) => setBulkTag(e.target.value.toLowerCase())} />
      </label>
      <button
        type="button"
        disabled={selected.size === 0 || !TAG_PATTERN.test(bulkTag)}
        onClick={() => void bulk(new BulkBody({ ids: ids(), action: BulkAlertAction.Tag, add_tags: [bulkTag] } as BulkBody), "Tag")}
      >
        Tag selected
      </button>
      <span className="muted small keys">Keys: j/k move · Enter open · x select · m assign to me{isAdmin ? " · a acknowledge" : ""}</span>
    </div>
  );
}
