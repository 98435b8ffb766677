// `karakuri serve`: serve a model version over openpi's WebSocket protocol (src/serve/server) with API keys, limits
// and micro-batching. Keys come from repeated --api-key flags and/or KARAKURI_API_KEYS (comma-separated); without
// any, the server is open (openpi's behaviour) and says so. OpenBLAS's spinning thread pool is switched off
// (OPENBLAS_NUM_THREADS=1) before libtorch loads, as the latency benchmarks run.
import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { parseOptions } from './options.ts';

const repeat = (v: string, prev: string[] = []) => [...prev, v];

export function registerServeCommands(program: Command): void {
  program
    .command('serve')
    .description('serve a model version to robots over the openpi WebSocket protocol (API keys, limits, micro-batching)')
    .requiredOption('--model <dir>', 'model version: a registry name (fy2026.1, verified against its manifest) or a directory (from karakuri train)')
    .option('--port <n>', 'TCP port (0: any free port)', '8000')
    .option('--host <addr>', 'address to listen on', '0.0.0.0')
    .option('--api-key <key>', 'accepted key for "Authorization: Api-Key <key>" (repeatable; also KARAKURI_API_KEYS=k1,k2)', repeat, [])
    .option('--max-batch <n>', 'most observations in one forward pass', '8')
    .option('--max-wait-ms <ms>', 'longest an observation waits for others to join its batch', '2')
    .option('--max-message-bytes <n>', 'largest accepted message (bytes)', String(16 << 20))
    .option('--max-connections <n>', 'most simultaneous connections', '256')
    .option('--embodiment <id>', 'embodiment for observations without an "embodiment" key')
    .option('--key-map <file>', 'JSON key map: which message keys feed which input (src/serve/observation/keys.ts)')
    .option('--shield-limits <file>', 'JSON overrides of the shield limits per embodiment: { "kara6": { "wrench": { "maxForce": 100 } } }')
    .option('--no-shield', 'send the model\'s chunks without the safety shield (not for real robots)')
    .option('--threads <n>', 'libtorch intra-op threads (default: libtorch\'s)')
    .action(async (raw: unknown) => {
      const o = parseOptions(z.object({
        model: z.string().min(1), port: z.coerce.number().int().min(0).max(65535), host: z.string().min(1),
        apiKey: z.array(z.string().min(8, 'an API key must have at least 8 characters')),
        maxBatch: z.coerce.number().int().min(1).max(1024), maxWaitMs: z.coerce.number().min(0).max(1000),
        maxMessageBytes: z.coerce.number().int().min(1024), maxConnections: z.coerce.number().int().min(1),
        embodiment: z.string().min(1).optional(), keyMap: z.string().min(1).optional(), threads: z.coerce.number().int().min(1).max(1024).optional(),
        shield: z.boolean(), shieldLimits: z.string().min(1).optional(),
      }), raw, 'karakuri serve');
      const envKeys = (process.env.KARAKURI_API_KEYS ?? '').split(',').map((k) => k.trim()).filter(Boolean);
      const apiKeys = [...o.apiKey, ...envKeys];
      let keyMap: unknown;
      if (o.keyMap) {
        try { keyMap = JSON.parse(readFileSync(o.keyMap, 'utf8')); } catch (e) { throw new Error(`karakuri serve: --key-map ${o.keyMap}: ${(e as Error).message}`); }
        const { parseKeyMap } = await import('../serve/observation/keys.ts');
        keyMap = parseKeyMap(keyMap, `--key-map ${o.keyMap}`);
      }
      if (!o.shield && o.shieldLimits) throw new Error('karakuri serve: --shield-limits and --no-shield contradict each other');
      let shieldOverrides: Record<string, object> = {};
      if (o.shieldLimits) {
        try { shieldOverrides = JSON.parse(readFileSync(o.shieldLimits, 'utf8')) as Record<string, object>; } catch (e) { throw new Error(`karakuri serve: --shield-limits ${o.shieldLimits}: ${(e as Error).message}`); }
        if (shieldOverrides === null || typeof shieldOverrides !== 'object' || Array.isArray(shieldOverrides)) throw new Error(`karakuri serve: --shield-limits ${o.shieldLimits}: expected a JSON object keyed by embodiment`);
      }
      process.env.OPENBLAS_NUM_THREADS ??= '1';
      const torch = await import('../torch/index.ts');
      if (o.threads) torch.setNumThreads(o.threads);
      const { startPolicyServer } = await import('../serve/server/server.ts');
      const { loadPolicyFiles } = await import('../model/checkpoint.ts');
      // a registry name (fy2026.1) or a directory; a registered version is verified against its manifest first
      const { resolveModel, registryRoot } = await import('../registry/registry.ts');
      const files = loadPolicyFiles(resolveModel(o.model, registryRoot()).dir);
      const embodiments = Object.keys(files.normalization.embodiments).filter((e) => files.model.cfg.embodiments.includes(e));
      const shield = o.shield ? await (await import('../serve/server/shield-hook.ts')).createShieldHook(embodiments, shieldOverrides) : undefined;
      const server = await startPolicyServer({
        shield, metadata: { shield: o.shield },
        model: files, port: o.port, host: o.host, apiKeys, maxBatch: o.maxBatch, maxWaitMs: o.maxWaitMs,
        maxMessageBytes: o.maxMessageBytes, maxConnections: o.maxConnections, embodiment: o.embodiment, ...(keyMap ? { keyMap } : {}),
      });
      console.log(`karakuri serve: ${o.model} on ws://${o.host}:${server.port} (openpi protocol; GET /healthz)`);
      console.log(`  ${apiKeys.length ? `${apiKeys.length} API key(s) required` : 'no API keys: anyone who can reach the port may connect'}; shield ${o.shield ? 'on' : 'OFF'}; max batch ${o.maxBatch}, max wait ${o.maxWaitMs} ms, ${torch.getNumThreads()} libtorch threads`);
      let last = '';
      const timer = setInterval(() => {
        const s = server.stats();
        const line = `  ${s.connections} connected, ${s.responses} answers, ${s.forwards} forwards, ${s.errors} errors, refused ${s.rejectedAuth} (key) + ${s.rejectedCapacity} (full)`;
        if (line !== last) console.log(line);
        last = line;
      }, 30_000);
      timer.unref();
      await new Promise<void>((resolve) => {
        const stop = () => { clearInterval(timer); void server.close().then(() => { files.model.dispose(); resolve(); }); };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      console.log('karakuri serve: stopped');
    });
}
