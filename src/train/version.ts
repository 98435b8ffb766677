// A model version directory, what `karakuri train` produces and `karakuri eval` / the policy server read:
//   weights.safetensors  the (EMA, when on) weights        config.json     { model: ModelConfig, train: TrainConfig, data }
//   normalization.json   per-embodiment state/action mean/std (the loader's convention: datasets' stats.json, std >= 1e-2)
//   tokenizer.json       the tokenizer trained on the datasets' instructions
//   lineage.json         datasets with content hashes, git commit, training config, seed, software
//   MODEL_CARD.md        what it was trained on, how, its evaluations when present, its limits
//   evaluations.json     the evaluations the card shows, one per kind (written by karakuri eval: card-evaluations.ts)
// The directory is written beside its final place and renamed into it, so a reader never sees half a version.
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { createReadStream, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, copyFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as torch from '../torch/index.ts';
import type { ModelConfig } from '../model/config.ts';
import type { SourceInfo } from '../data/loader/source.ts';
import type { BatchSpec } from '../data/loader/assemble.ts';
import type { TrainConfig } from './config.ts';
import type { ModelComponents, TextTokenizer, TrainableModel } from './components.ts';
import { evaluationSection, type CardEvaluation } from './card-evaluations.ts';
import type { InitLineage } from './init.ts';

export const VERSION_FORMAT = 'karakuri-model/1';
const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

// ---------- normalization ----------

export interface NormStats { mean: number[]; std: number[] }
/** normalization.json as src/model/checkpoint.ts reads it (strict: nothing else in it). */
export interface Normalization {
  /** Features concatenated into the state vector, in order. */
  stateKeys: string[];
  embodiments: Record<string, { state: NormStats; action: NormStats }>;
}

const STD_FLOOR = 1e-2;

/** Per embodiment, the count-weighted merge of its datasets' stats (one dataset: exactly the loader's numbers). */
export function normalization(sources: readonly SourceInfo[], spec: BatchSpec): Normalization {
  const byEmb = new Map<string, SourceInfo[]>();
  for (const s of sources) byEmb.set(s.robotType, [...(byEmb.get(s.robotType) ?? []), s]);
  const merged = (group: SourceInfo[], keys: string[]): NormStats => {
    const mean: number[] = [], std: number[] = [];
    for (const k of keys) {
      const st = group.map((s) => {
        const f = s.stats[k];
        if (!f?.mean || !f.std) throw new Error(`dataset ${s.dir}: meta/stats.json has no mean/std for '${k}'`);
        return f;
      });
      const dim = st[0]!.mean.length;
      for (let j = 0; j < dim; j++) {
        const n = st.map((f) => f.count?.[j] ?? f.count?.[0] ?? 1);
        const N = n.reduce((a, v) => a + v, 0);
        const m = st.reduce((a, f, i) => a + n[i]! * f.mean[j]!, 0) / N;
        const v = st.reduce((a, f, i) => a + n[i]! * (f.std[j]! ** 2 + (f.mean[j]! - m) ** 2), 0) / N;
        mean.push(m); std.push(Math.max(Math.sqrt(v), STD_FLOOR));
      }
    }
    return { mean, std };
  };
  const embodiments: Normalization['embodiments'] = {};
  for (const [e, group] of byEmb) embodiments[e] = { state: merged(group, spec.state), action: merged(group, [spec.action]) };
  return { stateKeys: spec.state, embodiments };
}

// ---------- lineage ----------

export interface DatasetLineage {
  dir: string;
  robotType: string;
  frames: number;
  /** sha256 over every file's relative path, size and sha256 (below). */
  contentHash: string;
  files: { path: string; bytes: number; sha256: string }[];
}

/** sha256 of a file's bytes, streamed (datasets' files, a fine-tune's parent weights). */
export function sha256File(path: string): Promise<string> {
  return new Promise((resolveHash, reject) => {
    const h = createHash('sha256');
    createReadStream(path).on('data', (d) => h.update(d)).on('error', reject).on('end', () => resolveHash(h.digest('hex')));
  });
}

function listFiles(root: string, sub: string): string[] {
  const dir = join(root, sub);
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? listFiles(root, join(sub, d.name)) : [join(sub, d.name)]));
}

/** The files that make a dataset's content: meta/info.json, meta/stats.json, every parquet file under meta/ and data/, every video. */
export async function datasetLineage(dir: string, source?: Pick<SourceInfo, 'robotType' | 'numFrames'>): Promise<DatasetLineage> {
  const rels = [
    ...['meta/info.json', 'meta/stats.json'].filter((p) => existsSync(join(dir, p))),
    ...listFiles(dir, 'meta').filter((p) => p.endsWith('.parquet')),
    ...listFiles(dir, 'data').filter((p) => p.endsWith('.parquet')),
    ...listFiles(dir, 'videos'),
  ].map((p) => p.split('\\').join('/')).sort();
  if (!rels.includes('meta/info.json')) throw new Error(`dataset ${dir}: meta/info.json is missing (not a LeRobot dataset)`);
  const files = await Promise.all(rels.map(async (p) => ({ path: p, bytes: statSync(join(dir, p)).size, sha256: await sha256File(join(dir, p)) })));
  const contentHash = createHash('sha256').update(files.map((f) => `${f.path}\t${f.bytes}\t${f.sha256}\n`).join('')).digest('hex');
  const info = JSON.parse(readFileSync(join(dir, 'meta/info.json'), 'utf8')) as { robot_type?: string; total_frames?: number };
  return { dir: resolve(dir), robotType: source?.robotType ?? info.robot_type ?? 'unknown', frames: source?.numFrames ?? info.total_frames ?? 0, contentHash, files };
}

export interface GitInfo { commit: string | null; dirty: boolean | null; note?: string }

/** `git rev-parse HEAD` (and whether the tree has uncommitted changes) of the checkout this code runs from. */
export function gitInfo(cwd = REPO): GitInfo {
  try {
    const commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
    let dirty: boolean | null = null;
    try { dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim() !== ''; } catch { /* unknown */ }
    return { commit, dirty };
  } catch (e) {
    const msg = (e as { stderr?: string }).stderr?.trim() || (e as Error).message;
    return { commit: null, dirty: null, note: `no git commit recorded: \`git rev-parse HEAD\` failed in ${cwd} (${msg.split('\n')[0]})` };
  }
}

export interface Lineage {
  format: string;
  datasets: DatasetLineage[];
  /** How the data was read: loader spec, frame size, sampling weights. */
  data: { spec: BatchSpec; imageSize: [number, number]; weights: (number | null)[]; /** What each dataset trains ('all', or 'room': the room head only). */ uses?: ('all' | 'room')[] };
  git: GitInfo;
  seed: number;
  training: TrainConfig;
  /** The version a fine-tuning run started from (train config init). */
  init?: InitLineage;
  components: string;
  node: string;
  createdAt: string;
}

// ---------- the version directory ----------

export interface TrainingSummary { steps: number; finalLoss: number | null; seconds: number; ema: boolean; resumedAt: number[] }

export interface VersionInput {
  /** The trained model, holding the weights to ship (the EMA average when EMA is on). */
  net: TrainableModel;
  model: ModelConfig;
  train: TrainConfig;
  spec: BatchSpec;
  imageSize: [number, number];
  tokenizer: TextTokenizer;
  normalization: Normalization;
  lineage: Lineage;
  summary: TrainingSummary;
  /** Extra files copied in (e.g. the loss curve's PNG/HTML). */
  attach?: string[];
  /** The model's own writer of the policy files (src/model/checkpoint.ts savePolicyFiles), when there is one. */
  saveFiles?: ModelComponents['saveFiles'];
}

/** Writes the version directory `dir` (replacing one that is there) and returns its absolute path. */
export function writeModelVersion(dir: string, v: VersionInput): string {
  dir = resolve(dir);
  mkdirSync(dirname(dir), { recursive: true });
  const tmp = join(dirname(dir), `.${basename(dir)}.${process.pid}.tmp`);
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp);
  try {
    const files = { model: Object.assign(v.net, { cfg: v.model }), normalization: v.normalization, tokenizer: v.tokenizer, train: v.train };
    if (v.saveFiles) v.saveFiles(tmp, files);
    else { // the same layout, for models without their own writer (the test stand-in)
      torch.saveSafetensors(join(tmp, 'weights.safetensors'), v.net.stateDict(), { format: 'pt', karakuri: VERSION_FORMAT });
      writeFileSync(join(tmp, 'config.json'), JSON.stringify({ model: v.model, train: v.train }, null, 1));
      writeFileSync(join(tmp, 'normalization.json'), JSON.stringify(v.normalization, null, 1));
      v.tokenizer.save(join(tmp, 'tokenizer.json'));
    }
    for (const f of ['weights.safetensors', 'config.json', 'normalization.json', 'tokenizer.json']) if (!existsSync(join(tmp, f))) throw new Error(`model version ${dir}: the writer left out ${f}`);
    writeFileSync(join(tmp, 'lineage.json'), JSON.stringify(v.lineage, null, 1));
    for (const f of v.attach ?? []) if (existsSync(f)) copyFileSync(f, join(tmp, basename(f)));
    const params = v.net.parameters().reduce((a, t) => a + t.numel, 0);
    writeFileSync(join(tmp, 'MODEL_CARD.md'), modelCard({ name: v.train.name ?? basename(dirname(dir)), params, ...v }, []));
    const old = existsSync(dir) ? `${tmp}.old` : null;
    if (old) { rmSync(old, { recursive: true, force: true }); renameSync(dir, old); }
    renameSync(tmp, dir);
    if (old) rmSync(old, { recursive: true, force: true });
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
  return dir;
}

// ---------- the model card ----------

export function modelCard(v: Omit<VersionInput, 'net' | 'tokenizer' | 'saveFiles' | 'attach'> & { name: string; params: number }, evaluations: readonly CardEvaluation[]): string {
  const t = v.train, m = v.model;
  const aug = t.augmentation;
  const lines = [
    `# Model card: ${v.name}`,
    '',
    `A Karakuri VLA (${v.lineage.components}): ${(v.params / 1e6).toFixed(2)} M parameters, token width ${m.dim}, ${m.layers} trunk layers, ${m.heads} heads;`,
    `cameras ${m.cameras.join(' + ')} at ${v.imageSize[0]}x${v.imageSize[1]} with ${m.history} frames each; an action chunk of ${m.horizon} steps of the common ${m.actionDim}-D end-effector action (${m.head === 'l1' ? 'L1 regression' : 'flow matching'})${m.roomHead ? `; a "reads the room" head for the target position${m.roomGoal ? ' and the goal\'s' : ''} (reading ${m.roomReads === 'image' ? `the ${m.cameras[0]} camera's current frame directly, its estimate given to the action readouts` : 'its own trunk readout'})` : ''}${m.vision.pointers ? `; ${m.vision.pointers} instruction-conditioned pointers over block ${m.vision.pointerBlock ?? m.vision.channels.length - 1}'s feature map${m.pointerWeight > 0 && m.roomHead ? `, pointer 0 trained to look at the target${m.wristPointer ? ' (in the wrist camera too)' : ''}${m.roomGoal ? ' and pointer 1 at the goal' : ''}` : ''}` : ''}.`,
    `Embodiments it knows: ${m.embodiments.join(', ')}; trained on: ${Object.keys(v.normalization.embodiments).join(', ')}.`,
    '',
    '## Trained on',
    '',
    '| dataset | embodiment | frames | trains | content hash (sha256) |',
    '| --- | --- | --- | --- | --- |',
    ...v.lineage.datasets.map((d, i) => `| \`${d.dir}\` | ${d.robotType} | ${d.frames} | ${v.lineage.data.uses?.[i] === 'room' ? 'room head only (not demonstrations)' : 'actions + room head'} | \`${d.contentHash.slice(0, 16)}\` |`),
    '',
    `Code: ${v.lineage.git.commit ? `git \`${v.lineage.git.commit}\`${v.lineage.git.dirty ? ' (with uncommitted changes)' : ''}` : v.lineage.git.note ?? 'unknown'}. Seed ${t.seed}. Everything needed to retrace it is in \`lineage.json\`.`,
    '',
    '## Training',
    '',
    `${v.summary.steps} steps of batch ${t.batchSize}, AdamW (lr ${t.lr}, weight decay ${t.weightDecay}), ${t.warmupSteps} warm-up steps then ${t.schedule === 'cosine' ? `cosine decay to ${t.minLr}` : 'a constant rate'}, gradient clipping ${t.gradClip}, EMA ${t.ema === 'off' ? 'off' : `${t.ema} (these weights are the average)`}.`,
    `Augmentation: images ${aug.image === 'off' ? 'off' : `shift <= ${aug.image.shift} px, crop scale >= ${aug.image.cropScale}, brightness/contrast/saturation +-${aug.image.brightness}/${aug.image.contrast}/${aug.image.saturation}`}; instructions ${aug.instruction === 'off' ? 'off' : `synonym substitution with probability ${aug.instruction.prob}`}.`,
    ...(v.lineage.init ? [`Fine-tuned: started from the weights of \`${v.lineage.init.dir}\`${v.lineage.init.name ? ` (${v.lineage.init.name})` : ''}, weights sha256 \`${v.lineage.init.weightsSha256.slice(0, 16)}\`, with its tokenizer; the optimizer, schedule and EMA started afresh.${v.lineage.init.addedEmbodiments?.length ? ` Arms added by this fine-tune (each from a fresh embodiment token): ${v.lineage.init.addedEmbodiments.join(', ')}.` : ''}`] : []),
    ...(t.sampling.beforeGrasp > 1 ? [`Sampling: the frames up to each demonstration's first grasp drawn ${t.sampling.beforeGrasp}x as often as the others.`] : []),
    `Final training loss ${v.summary.finalLoss === null ? 'n/a' : v.summary.finalLoss.toPrecision(4)}; ${(v.summary.seconds / 60).toFixed(1)} min of training${v.summary.resumedAt.length ? `, resumed at step ${v.summary.resumedAt.join(', ')}` : ''}. Loss curve: \`loss.png\` / \`loss.html\`.`,
    '',
    '## Evaluation',
    '',
    ...evaluationSection(evaluations),
    '',
    '## Limits',
    '',
    '- Trained and judged in simulation only (MuJoCo, Karakuri\'s renderer); nothing here says how it does on a real arm.',
    `- Only the embodiments and tasks of its datasets; other arms get an embodiment token it has never trained with, and camera sizes other than ${v.imageSize[0]}x${v.imageSize[1]} are refused.`,
    '- Instructions: words outside the tokenizer\'s vocabulary fall back to its unknown handling; phrasings unlike the training templates may fail (see the held-out phrasing results when present).',
    '- Not a safety-rated controller: no collision or force limits beyond the simulator\'s.',
    '',
  ];
  return lines.join('\n');
}
