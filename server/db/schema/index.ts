export * from "./agents";
export * from "./audit";
export * from "./auth";
export * from "./questions";
export * from "./approvals";
export * from "./uptime";
export * from "./webhooks";
