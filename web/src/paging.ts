// Page arithmetic of the admin lists (pure: unit-tested in Node).

/** The page number in the URL (?page=), from 1. */
export function pageOf(params: URLSearchParams): number {
  const page = Number(params.get("page") ?? "1");
  return Number.isInteger(page) && page > 0 ? page : 1;
}

/** How many pages of `pageSize` rows a list of `count` rows fills (at least one, even when empty). */
export const pageCount = (count: number, pageSize: number) => Math.max(1, Math.ceil(count / pageSize));
