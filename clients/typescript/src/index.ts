export * from "./client.js";
export { Session } from "./auth.js";
export type { Http, SessionOptions, Tokens } from "./auth.js";
export { streamAlerts } from "./stream.js";
export type { AlertStreamEvent, AlertStreamOptions } from "./stream.js";
