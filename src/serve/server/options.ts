// The policy server's options (zod-validated; errors name the option): where to listen, who may connect (API keys),
// limits (message size, connections, per-connection backlog), micro-batching, the observation key map and the
// default embodiment.
import { z } from 'zod';
import { parseWith } from '../../validation.ts';
import { KeyMap } from '../observation/keys.ts';

export const ServerOptions = z.strictObject({
  port: z.number().int().min(0).max(65535).default(8000),
  host: z.string().min(1).default('0.0.0.0'),
  /** Accepted keys for `Authorization: Api-Key <key>`; empty: no authentication (openpi's behaviour). */
  apiKeys: z.array(z.string().min(8, 'an API key must have at least 8 characters')).default([]),
  /** Most observations in one forward pass. */
  maxBatch: z.number().int().min(1).max(1024).default(8),
  /** Longest a queued observation waits for others to join its batch (ms). */
  maxWaitMs: z.number().min(0).max(1000).default(2),
  /** Largest accepted WebSocket message (bytes); larger ones close the connection with 1009. */
  maxMessageBytes: z.number().int().min(1024).max(1 << 30).default(16 << 20),
  /** Most simultaneous connections; more are refused with HTTP 503 at the upgrade. */
  maxConnections: z.number().int().min(1).max(100_000).default(256),
  /** Observations a client may send ahead of its answers before it is dropped (openpi clients send none ahead). */
  maxBacklog: z.number().int().min(0).max(64).default(2),
  keyMap: KeyMap.default(KeyMap.parse({})),
  /** Embodiment for messages without an `embodiment` key (default: the model's only one, if it has one). */
  embodiment: z.string().min(1).optional(),
  /** Extra metadata entries sent on connect (next to the server's own). */
  metadata: z.record(z.string(), z.unknown()).default({}),
});
export type ServerOptions = z.output<typeof ServerOptions>;
export type ServerOptionsInput = z.input<typeof ServerOptions>;

export const parseServerOptions = (input: unknown): ServerOptions => parseWith(ServerOptions, input, 'startPolicyServer', 'options');
