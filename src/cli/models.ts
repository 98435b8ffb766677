// `karakuri models list|show|register|promote`: the model registry (src/registry/): immutable, hash-verified model
// versions named by programme year and build (fy2026.1, ...), and which one is in service for each gate. Also
// registers `karakuri review` (src/cli/review.ts), the stage-gate review that judges those versions.
import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { parseOptions } from './options.ts';
import { registerReviewCommand } from './review.ts';

const registryFlag = ['--registry <dir>', 'registry root (default: $KARAKURI_REGISTRY, else ./registry)'] as const;

export function registerModelsCommands(program: Command): void {
  const models = program.command('models').description('the model registry: immutable, hash-verified model versions (fy2026.1, ...) and their promotions');

  models
    .command('list')
    .description('every registered version: content hash, verification, the gates it is in service for')
    .option(...registryFlag)
    .action(async (raw: unknown) => {
      const o = parseOptions(z.object({ registry: z.string().min(1).optional() }), raw, 'karakuri models list');
      const { listVersions, registryRoot } = await import('../registry/registry.ts');
      const root = registryRoot(o.registry), vs = listVersions(root);
      if (!vs.length) { console.log(`no model versions in ${root} (add one: karakuri models register DIR)`); return; }
      for (const v of vs) {
        console.log(`${v.name.padEnd(12)} ${v.manifest ? v.manifest.contentHash.slice(0, 16) : 'TAMPERED        '}  ${v.manifest ? v.manifest.registeredAt : ''}${v.inService.length ? `  in service: ${v.inService.join(', ')}` : ''}`);
        if (v.problem) console.log(`  ${v.problem}`);
      }
      if (vs.some((v) => v.problem)) process.exitCode = 1;
    });

  models
    .command('show <version>')
    .description('a version: manifest (verified), model card, lineage summary, promotion history')
    .option(...registryFlag)
    .action(async (version: string, raw: unknown) => {
      const o = parseOptions(z.object({ registry: z.string().min(1).optional() }), raw, 'karakuri models show');
      const { openVersion, promotions, registryRoot } = await import('../registry/registry.ts');
      const root = registryRoot(o.registry), v = openVersion(root, version), m = v.manifest;
      console.log(`${m.name}: content hash ${m.contentHash} (verified: ${m.files.length} files intact)`);
      console.log(`registered ${m.registeredAt} by ${m.registeredBy} from ${m.source}${m.note ? ` — ${m.note}` : ''}`);
      for (const f of m.files) console.log(`  ${f.path.padEnd(24)} ${String(f.bytes).padStart(10)} B  ${f.sha256}`);
      const lineage = JSON.parse(readFileSync(join(v.dir, 'lineage.json'), 'utf8')) as { datasets?: { dir: string; robotType: string; contentHash: string }[]; git?: { commit: string | null; dirty: boolean | null }; seed?: number };
      console.log(`lineage: code ${lineage.git?.commit ?? 'unknown'}${lineage.git?.dirty ? ' (dirty)' : ''}, seed ${lineage.seed ?? '?'}`);
      for (const d of lineage.datasets ?? []) console.log(`  dataset ${d.dir} (${d.robotType}) ${d.contentHash.slice(0, 16)}`);
      const hist = promotions(root).filter((p) => p.version === version);
      console.log(hist.length ? `promotions:\n${hist.map((p) => `  ${p.at} ${p.gate} by ${p.by}: ${p.why}`).join('\n')}` : 'promotions: none');
      console.log(`\n${readFileSync(join(v.dir, 'MODEL_CARD.md'), 'utf8')}`);
    });

  models
    .command('register <dir>')
    .description('copy a trained model version directory into the registry as the next build of the programme year (read-only, manifest of sha256s)')
    .option('--year <fy>', 'programme (fiscal) year, e.g. fy2026 (default: the current one, April to March)')
    .option('--note <text>', 'a note kept in the manifest')
    .option(...registryFlag)
    .action(async (dir: string, raw: unknown) => {
      const o = parseOptions(z.object({ year: z.string().regex(/^fy\d{4}$/, 'must look like fy2026').optional(), note: z.string().optional(), registry: z.string().min(1).optional() }), raw, 'karakuri models register');
      const { registerVersion, registryRoot } = await import('../registry/registry.ts');
      const v = registerVersion(registryRoot(o.registry), dir, { year: o.year, note: o.note });
      console.log(`registered ${v.name}: ${v.dir}\ncontent hash ${v.manifest.contentHash} (${v.manifest.files.length} files)`);
    });

  models
    .command('promote <version>')
    .description('mark a (verified) version as the one in service for a gate; appended to the promotion history')
    .requiredOption('--gate <id>', 'gate, e.g. fy2026')
    .requiredOption('--why <text>', 'the reason (e.g. the review that passed: out/review/review.json)')
    .option('--review <review.json>', 'the stage-gate review it rests on: must be an official GO review of this version at this gate')
    .option('--accept-conditional', 'with --review: accept a CONDITIONAL decision too')
    .option('--by <name>', 'who promotes it (default: $KARAKURI_USER or the user name)')
    .option(...registryFlag)
    .action(async (version: string, raw: unknown) => {
      const o = parseOptions(z.object({
        gate: z.string().min(1), why: z.string().min(1), review: z.string().min(1).optional(), acceptConditional: z.boolean().optional(), by: z.string().min(1).optional(), registry: z.string().min(1).optional(),
      }), raw, 'karakuri models promote');
      const { promote, registryRoot } = await import('../registry/registry.ts');
      const p = promote(registryRoot(o.registry), version, o.gate, { why: o.why, by: o.by, review: o.review, acceptConditional: o.acceptConditional });
      console.log(`${p.version} is in service for ${p.gate}${p.previous ? ` (was ${p.previous})` : ''}; recorded ${p.at} by ${p.by}${p.review ? `, on review ${p.review.path} (${p.review.decision})` : ''}`);
    });

  registerReviewCommand(program);
}
