import { useQueryClient, type QueryClient } from "@tanstack/react-query";
import { AlertDto, PageEnvelopeOfAlertDto, type MeDto } from "@threatplatform/client";
import { useCallback, useEffect, useEffectEvent, useMemo, useState } from "react";
import { followAlerts, type StreamState } from "../../api";
import { matches, type QueueFilters } from "./filters";

/** Puts a changed alert in place in every cached list page that shows it (rows never jump). */
export function replaceRow(queryClient: QueryClient, alert: AlertDto) {
  queryClient.setQueriesData<PageEnvelopeOfAlertDto>({ queryKey: ["alerts"] }, (page) => {
    if (!page || !page.results.some((r) => r.id === alert.id)) return page;
    const copy = new PageEnvelopeOfAlertDto(page);
    copy.results = page.results.map((r) => (r.id === alert.id ? alert : r));
    return copy;
  });
}

/**
 * The live stream for the queue: new alerts that match the filters are announced (`newCount`), not inserted; changes
 * to visible rows apply in place. `forget` clears the announcement once the list is reloaded.
 */
export function useAlertFeed(filters: QueueFilters, me: MeDto | undefined, rows: AlertDto[]) {
  const queryClient = useQueryClient();
  const [fresh, setFresh] = useState<Set<number>>(new Set());
  const [live, setLive] = useState<StreamState>("connecting");

  // Reads the filters and user of the latest render, without restarting the stream when they change.
  const onChange = useEffectEvent(({ type, alert }: { type: string; alert: AlertDto }) => {
    if (type === "alert.created" && matches(alert, filters, me)) {
      setFresh((s) => new Set(s).add(alert.id));
    } else if (type === "alert.updated") {
      replaceRow(queryClient, alert);
    }
  });
  useEffect(() => followAlerts((event) => onChange(event), setLive), []);

  const visibleIds = useMemo(() => new Set(rows.map((r) => r.id)), [rows]);
  const newCount = [...fresh].filter((id) => !visibleIds.has(id)).length;
  const forget = useCallback(() => setFresh(new Set()), []);
  return { live, newCount, forget };
}
