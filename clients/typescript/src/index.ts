export * from "./client.js";
export { Session } from "./auth.js";
export type { Http, SessionOptions, Tokens } from "./auth.js";
