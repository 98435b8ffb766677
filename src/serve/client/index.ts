// The robot client SDK: PolicyClient (openpi WebSocket, reconnects), ActionExecutor (chunk execution), Watchdog,
// RobotClient (all of them and the client-side shield in one step function), and the observation message builder.
export { PolicyClient, ClientError, ClientOptions, actionRows, type ClientOptionsInput, type ClientEvent, type InferResult } from './policy-client.ts';
export { ActionExecutor, type ChunkMode } from './executor.ts';
export { Watchdog, type WatchdogEvent } from './watchdog.ts';
export { RobotClient, type RobotClientOptions, type StepDecision } from './robot-client.ts';
export { observationMessage } from './observation.ts';
