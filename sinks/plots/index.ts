// Spec builders and the plot list are plain data (light); rendering (vega, resvg) is in render.ts, imported on its own.
export * from "./distributionSpecs.js";
export * from "./inputs.js";
export * from "./latencySpecs.js";
export * from "./names.js";
export * from "./offsetSpec.js";
export * from "./registry.js";
export * from "./timeSpecs.js";
