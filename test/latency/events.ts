/** The request-lifecycle tests' short names for the shared event builders (test/helpers/events.ts). */
export { actionEvent as ev, batch, splitEvent as split } from "../helpers/events.js";
