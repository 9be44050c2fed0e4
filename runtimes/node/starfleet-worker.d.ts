// require("starfleet-worker") is the same SDK as require("worker").
export * from "./worker";
