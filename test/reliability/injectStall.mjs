// Preloaded with `node --import` into a blkrx process by test/cli/unsettled.test.ts: every
// fs.promises.stat never settles, as a bug that loses a promise would leave the CLI's main().
import { promises } from "node:fs";

promises.stat = () => new Promise(() => {});
