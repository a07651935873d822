import { useEffect, useEffectEvent } from "react";

export interface QueueKeyActions {
  /** j and k: the highlighted row's index moves by one. */
  move: (by: 1 | -1) => void;
  // The rest act on the highlighted row: each is absent when there is none (or, for a and m, when not allowed), and the
  // key is then left to the browser.
  /** Enter (outside a button or link). */
  open?: () => void;
  /** x */
  toggle?: () => void;
  /** a; for admins. */
  acknowledge?: () => void;
  /** m; once the signed-in user is known. */
  assignToMe?: () => void;
}

/** The queue's keyboard: j/k move, Enter opens, x selects, a acknowledges, m assigns to me (never while typing). */
export function useQueueKeys(actions: QueueKeyActions) {
  const onKey = useEffectEvent((e: KeyboardEvent) => {
    const target = e.target as HTMLElement;
    if (e.ctrlKey || e.metaKey || e.altKey || target.closest("input, textarea, select, [contenteditable]")) return;
    if (e.key === "j") actions.move(1);
    else if (e.key === "k") actions.move(-1);
    else if (e.key === "Enter" && actions.open && target.tagName !== "BUTTON" && target.tagName !== "A") actions.open();
    else if (e.key === "x" && actions.toggle) actions.toggle();
    else if (e.key === "a" && actions.acknowledge) actions.acknowledge();
    else if (e.key === "m" && actions.assignToMe) actions.assignToMe();
    else return;
    e.preventDefault();
  });
  useEffect(() => {
    const listener = (e: KeyboardEvent) => onKey(e);
    window.addEventListener("keydown", listener);
    return () => window.removeEventListener("keydown", listener);
  }, []);
}
