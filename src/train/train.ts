// The training loop of `karakuri train`: DataLoader batches (seeded order; batch b feeds step b) -> augmentation ->
// tokenizer -> model.loss -> backward -> gradient clipping -> AdamW with warm-up + cosine -> EMA of the weights.
// Periodic checkpoints (model + optimizer + EMA + step + loader position; the RNG is reseeded from (seed, step) every
// step) are written atomically, and a run started again on the same out folder resumes from its checkpoint: on CPU
// the resumed weights equal an uninterrupted run's bit for bit. Metrics go to metrics.jsonl, the loss curve to
// loss.png/.html, and the end of the run writes the model version directory <out>/model (src/train/version.ts).
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import cliProgress from 'cli-progress';
import * as torch from '../torch/index.ts';
import { DataLoader, type Batch, type BatchSpec } from '../data/loader/loader.ts';
import { toTensors, type TensorBatch } from '../data/loader/tensors.ts';
import { Dataset } from '../data/lerobot/dataset.ts';
import { parseInfo } from '../data/lerobot/meta.ts';
import { seededRandom } from '../sim/random.ts';
import { parseModelConfig, stateDim, STATE_KEYS, WRIST_CAMERA, type ModelConfig } from '../model/config.ts';
import { writeChart } from '../report/chart.ts';
import { writeFileDurable } from '../files.ts';
import { parseTrainConfig, withVocab, type TrainConfig, type TrainConfigInput } from './config.ts';
import { modelComponents, type ModelComponents, type TextTokenizer, type TrainableModel, type VLAInput } from './components.ts';
import { augmentImages, type ImageGeometry, augmentInstructions, dropHistory, mixSeed, STREAM } from './augment.ts';
import { RoomPixels } from './room-pixels.ts';
import { beforeGraspWeights } from './sampling.ts';
import { carryNormalization, readInitVersion, type InitLineage, type InitVersion } from './init.ts';
import { configHash, Ema, loadCheckpoint, saveCheckpoint } from './checkpoint.ts';
import { datasetLineage, gitInfo, normalization, writeModelVersion, type Lineage } from './version.ts';

const { optim } = torch;
type Tensor = torch.Tensor;

export interface TrainProgress {
  /** Steps done. */
  step: number;
  steps: number;
  loss: number;
  actionLoss: number;
  roomLoss: number;
  lr: number;
  gradNorm: number;
  samplesPerSec: number;
  etaSeconds: number;
  elapsedSeconds: number;
  evalLoss?: number;
}

export interface TrainOptions {
  onProgress?: (p: TrainProgress) => void;
  /** Model, tokenizer and augmentation (default: src/model via modelComponents()). */
  components?: ModelComponents;
  /** cli-progress bar on stderr (default: when stderr is a terminal). */
  progressBar?: boolean;
  /** Resume from <out>/checkpoint.safetensors when it is there (default true; false starts over and overwrites). */
  resume?: boolean;
  /** Notes for people (resuming, warnings); default: none. */
  log?: (line: string) => void;
}

export interface TrainResult {
  versionDir: string;
  runDir: string;
  steps: number;
  /** Step the run resumed from (null: started fresh). */
  resumedFrom: number | null;
  finalLoss: number | null;
  seconds: number;
  metricsPath: string;
}

/** The loader's view of a model config: cameras, history offsets, the state features in the model's order. */
export function batchSpecOf(cfg: ModelConfig): BatchSpec {
  return {
    cameras: cfg.cameras.map((c) => `observation.images.${c}`),
    imageHistory: Array.from({ length: cfg.history }, (_, i) => i - (cfg.history - 1)),
    state: [...STATE_KEYS], action: 'action', horizon: cfg.horizon,
    extras: roomKeys(cfg),
  };
}

export const ROOM_KEY = 'privileged.target_position';
const GOAL_KEY = 'privileged.goal_position';
/** The recorded positions the room head learns: the target's, then with roomGoal the goal's. */
const roomKeys = (cfg: ModelConfig): string[] => (!cfg.roomHead ? [] : cfg.roomGoal ? [ROOM_KEY, GOAL_KEY] : [ROOM_KEY]);

/** Per sample, the rows of `parts` ([B * width] each) side by side: [B * width * parts.length]. */
function sideBySideRows(parts: Float32Array[], B: number, width: number): Float32Array {
  const out = new Float32Array(B * width * parts.length);
  for (let i = 0; i < B; i++) parts.forEach((p, j) => out.set(p.subarray(i * width, (i + 1) * width), (i * parts.length + j) * width));
  return out;
}

/** Pads the batch's state (and mask) to the model's width. */
function padState(b: Batch, width: number): { state: Float32Array; mask: Uint8Array } {
  if (b.stateDim > width) throw new Error(`the datasets' state has ${b.stateDim} components, more than the model's ${width} (wrench + touch + stateLayout.proprioMax)`);
  if (b.stateDim === width) return { state: b.state, mask: b.stateMask };
  const state = new Float32Array(b.size * width), mask = new Uint8Array(b.size * width);
  for (let i = 0; i < b.size; i++) {
    state.set(b.state.subarray(i * b.stateDim, (i + 1) * b.stateDim), i * width);
    mask.set(b.stateMask.subarray(i * b.stateDim, (i + 1) * b.stateDim), i * width);
  }
  return { state, mask };
}

export interface Prepared { tb: TensorBatch; inp: VLAInput; room: Tensor | undefined; roomPixel: Tensor | undefined; wristPixel: Tensor | undefined }

/** The provenance's policy of a dataset (info.json "karakuri".policy; undefined: demonstrations). */
function recordedPolicy(dir: string): string | undefined {
  try {
    const f = join(dir, 'meta', 'info.json');
    return (parseInfo(readFileSync(f, 'utf8'), f) as { karakuri?: { policy?: string } }).karakuri?.policy;
  } catch {
    return undefined; // an unreadable info.json is the loader's to report
  }
}

/**
 * Which datasets train the room head only (use: 'room'); refuses wander recordings meant to train actions and
 * room-only data for a model without a room head.
 */
export function roomOnlyDatasets(datasets: TrainConfig['datasets'], roomHead: boolean): Set<number> {
  const out = new Set<number>();
  datasets.forEach((d, i) => {
    const policy = recordedPolicy(d.dir);
    if (policy === 'wander' && d.use !== 'room') throw new Error(`dataset ${d.dir} holds random arm motion (provenance policy '${policy}'), not demonstrations: give it use: 'room' so that only the room head learns from it`);
    if (d.use === 'room') {
      if (!roomHead) throw new Error(`dataset ${d.dir} has use: 'room' but the model has no room head (model.roomHead is false)`);
      out.add(i);
    }
  });
  if (out.size === datasets.length) throw new Error(`every dataset has use: 'room': at least one must hold demonstrations (use: 'all') to train the actions`);
  return out;
}

/**
 * A loader batch as model input tensors (caller disposes via tidy or freeBatch); room-only samples get no action loss.
 * Exported for the benches that read a model on recorded frames (bench/model/pointers.ts).
 */
export function prepare(b: Batch, texts: string[], cfg: ModelConfig, tok: TextTokenizer, roomOnly: ReadonlySet<number> = new Set(), pixels?: { source: RoomPixels; geometry?: ImageGeometry[] }): Prepared {
  const { state, mask } = padState(b, stateDim(cfg));
  let actionPad = b.actionPad;
  if (roomOnly.size && b.dataset.some((d) => roomOnly.has(d))) {
    const H = actionPad.length / b.size;
    actionPad = actionPad.slice();
    b.dataset.forEach((d, i) => { if (roomOnly.has(d)) actionPad.fill(1, i * H, (i + 1) * H); });
  }
  const tb = toTensors({ ...b, state, stateMask: mask, stateDim: stateDim(cfg), actionPad }, cfg.cameras.length, cfg.history);
  const enc = tok.encodeBatch(texts, cfg.text.maxTokens);
  const emb = BigInt64Array.from(b.robotType, (r) => {
    const i = cfg.embodiments.indexOf(r);
    if (i < 0) throw new Error(`a batch holds embodiment '${r}', which is not in the model's embodiments (${cfg.embodiments.join(', ')})`);
    return BigInt(i);
  });
  const inp: VLAInput = {
    images: tb.images, imagePad: tb.imagePad, state: tb.state, stateMask: tb.stateMask,
    tokens: torch.tensor(enc.ids, { shape: [b.size, cfg.text.maxTokens] }),
    tokenMask: torch.tensor(enc.mask, { shape: [b.size, cfg.text.maxTokens], dtype: 'bool' }),
    embodiment: torch.tensor(emb, { shape: [b.size] }),
  };
  const parts = roomKeys(cfg).map((k) => b.extras[k]?.data);
  // a frame without a target or goal (NaN) would poison the loss: such batches train the actions only
  const known = parts.length > 0 && parts.every((d) => d && d.every(Number.isFinite));
  const room = known ? torch.tensor(sideBySideRows(parts as Float32Array[], b.size, 3), { shape: [b.size, 3 * parts.length] }) : undefined;
  // camera c's augmentation of each sample (geometry is per sample and camera) moves a pixel with its image
  const geometryOf = (c: number) => pixels?.geometry?.filter((_, k) => k % cfg.cameras.length === c);
  // the first camera's: the target's (and goal's) pixel
  const roomPixel = room && pixels ? torch.tensor(sideBySideRows(parts.map((d) => pixels.source.pixels(b, d!, geometryOf(0))), b.size, 2), { shape: [b.size, 2 * parts.length] }) : undefined;
  // wristPointer: the target's pixel in the wrist camera, posed at each sample's frame
  const wristPixel = room && pixels && cfg.wristPointer ? torch.tensor(pixels.source.mountedPixels(b, parts[0]!, geometryOf(cfg.cameras.indexOf(WRIST_CAMERA))), { shape: [b.size, 2] }) : undefined;
  return { tb, inp, room, roomPixel, wristPixel };
}

export const freeBatch = (p: Prepared) => torch.dispose([p.tb.images, p.tb.imagePad, p.tb.state, p.tb.stateMask, p.tb.action, p.tb.actionPad, p.tb.dataset, ...Object.values(p.tb.extras), p.inp.tokens, p.inp.tokenMask, p.inp.embodiment, ...(p.room ? [p.room] : []), ...(p.roomPixel ? [p.roomPixel] : []), ...(p.wristPixel ? [p.wristPixel] : [])]);
const targetOf = (p: Prepared) => ({ action: p.tb.action, actionPad: p.tb.actionPad, room: p.room, ...(p.roomPixel ? { roomPixel: p.roomPixel } : {}), ...(p.wristPixel ? { wristPixel: p.wristPixel } : {}) });

interface MetricLine { step: number; loss: number; action: number; room: number; pointer?: number; lr: number; gradNorm: number; samplesPerSec: number; time: number; evalLoss?: number }

/** metrics.jsonl lines of steps <= upTo (a torn last line from a kill is dropped). */
function readMetrics(path: string, upTo: number): MetricLine[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8').split('\n').flatMap((l) => {
    try { const m = JSON.parse(l) as MetricLine; return m.step <= upTo ? [m] : []; } catch { return []; }
  });
}

function lossChart(base: string, metrics: MetricLine[], name: string): void {
  if (metrics.length === 0) return;
  const series = [{ name: 'loss', x: metrics.map((m) => m.step), y: metrics.map((m) => m.loss) }];
  const ev = metrics.filter((m) => m.evalLoss !== undefined);
  if (ev.length) series.push({ name: 'eval loss', x: ev.map((m) => m.step), y: ev.map((m) => m.evalLoss!) });
  writeChart(base, { title: `training loss: ${name}`, xLabel: 'step', yLabel: 'loss', series, logY: metrics.every((m) => m.loss > 0) });
}

/** Trains a model on the config's datasets; returns where the model version went. */
export async function train(input: TrainConfigInput | TrainConfig, opts: TrainOptions = {}): Promise<TrainResult> {
  const config = parseTrainConfig(input);
  const log = opts.log ?? (() => {});
  const components = opts.components ?? await modelComponents();
  const out = config.out;
  mkdirSync(out, { recursive: true });
  const paths = { ckpt: join(out, 'checkpoint.safetensors'), tok: join(out, 'tokenizer.json'), cfg: join(out, 'model-config.json'), metrics: join(out, 'metrics.jsonl'), run: join(out, 'run.json') };
  const hash = configHash(config);
  const resume = (opts.resume ?? true) && existsSync(paths.ckpt);
  const t0 = performance.now();

  // tokenizer and model config: trained/decided once per run, reloaded on resume
  let tokenizer: TextTokenizer, cfg: ModelConfig, prevSeconds = 0, resumedAt: number[] = [];
  // fine-tuning: the version this run starts from (its weights are loaded into the fresh model below)
  let init: InitVersion | null = null, initLineage: InitLineage | undefined;
  if (resume) {
    const run = JSON.parse(readFileSync(paths.run, 'utf8')) as { configHash: string; seconds: number; resumedAt: number[]; init?: InitLineage };
    if (run.configHash !== hash) throw new Error(`${out} holds a checkpoint of another training config (hash ${run.configHash}, this config ${hash}): use another out folder, or start over with resume: false`);
    tokenizer = components.loadTokenizer(paths.tok);
    cfg = parseModelConfig(JSON.parse(readFileSync(paths.cfg, 'utf8')), `${paths.cfg}`);
    prevSeconds = run.seconds; resumedAt = run.resumedAt; initLineage = run.init;
  } else {
    if (config.init) {
      init = await readInitVersion(config.init, config.model, (p) => components.loadTokenizer(p));
      tokenizer = init.tokenizer; cfg = init.cfg; initLineage = init.lineage;
      log(`fine-tuning from ${init.lineage.dir}${init.lineage.name ? ` (${init.lineage.name})` : ''}: its weights, tokenizer and model config`);
    } else {
      const corpus: string[] = [];
      for (const d of config.datasets) for (const e of (await Dataset.open(d.dir)).episodes) corpus.push(...e.tasks);
      // the augmented phrasings the model will see belong in the tokenizer's corpus too
      const aug = components.augmentInstruction;
      if (config.augmentation.instruction !== 'off' && aug) {
        const rng = seededRandom(mixSeed(config.seed, 0, 0x70c));
        for (const t of [...new Set(corpus)]) for (let k = 0; k < 8; k++) corpus.push(aug(t, rng));
      }
      tokenizer = components.trainTokenizer(corpus);
      cfg = parseModelConfig(withVocab(config.model, tokenizer.vocabSize), 'train config: model');
    }
    tokenizer.save(paths.tok);
    writeFileDurable(paths.cfg, JSON.stringify(cfg, null, 1));
    writeFileDurable(paths.metrics, '');
  }

  const spec = batchSpecOf(cfg);
  const roomOnly = roomOnlyDatasets(config.datasets, cfg.roomHead);
  const { beforeGrasp } = config.sampling;
  const datasets = await Promise.all(config.datasets.map(async (d, i) => (beforeGrasp > 1 && !roomOnly.has(i) ? { ...d, frameWeights: await beforeGraspWeights(d.dir, beforeGrasp) } : d)));
  const loader = await DataLoader.create({ datasets, spec, batchSize: config.batchSize, seed: config.seed, workers: config.workers });
  // the pointer loss needs the target's pixel: from each simulated episode's task, arm and the simulator's camera
  const pixels = cfg.roomHead && cfg.vision.pointers > 0 && cfg.pointerWeight > 0 ? await RoomPixels.open(config.datasets.map((d) => d.dir), cfg.cameras[0]!, cfg.wristPointer ? { mounted: WRIST_CAMERA } : {}) : null;
  if (pixels?.unknownEpisodes) log(`pointer loss: ${pixels.unknownEpisodes} episodes carry no recorded camera pose (karakuri/camera_poses) and name no simulated task, arm and seed (karakuri/task_id, karakuri/embodiment, karakuri/seed); their samples train without it`);
  if (pixels?.unmountedEpisodes) log(`wrist pointer: ${pixels.unmountedEpisodes} episodes carry no wrist camera mount (karakuri/camera_mounts) or end-effector pose in observation.state, and name no simulated task and arm; their samples train without it`);
  let model: TrainableModel | null = null, opt: torch.optim.AdamW | null = null, ema: Ema | null = null;
  let bar: cliProgress.SingleBar | null = null;
  try {
    for (const s of loader.sources) {
      if (!cfg.embodiments.includes(s.robotType)) throw new Error(`dataset ${s.dir} is of embodiment '${s.robotType}', not one of the model's embodiments (${cfg.embodiments.join(', ')}): add it to model.embodiments`);
    }
    const first = await loader.batch(0);
    const [ih, iw] = first.imageShape;
    if (ih !== cfg.vision.imageSize[0] || iw !== cfg.vision.imageSize[1]) throw new Error(`the datasets' frames are ${ih}x${iw}, the model's vision.imageSize is ${cfg.vision.imageSize.join('x')}: set model.vision.imageSize to [${ih}, ${iw}]`);

    torch.manualSeed(config.seed);
    model = components.createModel(cfg);
    init?.loadWeights(model); // before the EMA copies the weights
    model.train(true);
    opt = new optim.AdamW(optim.weightDecayGroups(model.parameters(), config.weightDecay), { lr: config.lr, weightDecay: config.weightDecay });
    const cosine = optim.warmupCosine({ baseLr: config.lr, warmupSteps: config.warmupSteps, totalSteps: config.steps, minLr: config.minLr });
    const schedule = config.schedule === 'cosine' ? cosine : (s: number) => (s < config.warmupSteps ? cosine(s) : config.lr);
    ema = config.ema === 'off' ? null : new Ema(model.namedParameters(), config.ema);

    let start = 0;
    if (resume) {
      const ck = loadCheckpoint(paths.ckpt);
      try {
        if (ck.meta.configHash !== hash) throw new Error(`checkpoint ${paths.ckpt} belongs to another config (hash ${ck.meta.configHash}, this config ${hash})`);
        model.loadStateDict(ck.model);
        opt.loadStateDict(ck.optim);
        if (ema) ema.load(ck.ema, ck.meta.emaUpdates);
        start = ck.meta.step;
      } finally {
        ck.dispose();
      }
      resumedAt = [...resumedAt, start];
      log(`resuming ${out} at step ${start} of ${config.steps}`);
      writeFileDurable(paths.metrics, readMetrics(paths.metrics, start).map((m) => JSON.stringify(m) + '\n').join(''));
    }
    const sched = new optim.LRScheduler(opt, schedule, { lastStep: start });
    const writeRun = (seconds: number) => writeFileDurable(paths.run, JSON.stringify({ configHash: hash, seconds, resumedAt, components: components.source, ...(initLineage ? { init: initLineage } : {}) }, null, 1));
    writeRun(prevSeconds);

    const params = model.parameters();
    const instr = config.augmentation.instruction;
    if (instr !== 'off' && !components.augmentInstruction) log('instruction augmentation is on but augmentInstruction (src/model/language) is missing: instructions are used as they are');
    if (opts.progressBar ?? process.stderr.isTTY) {
      bar = new cliProgress.SingleBar({ format: ' {bar} {value}/{total} steps | loss {loss} | {sps} samples/s | ETA {eta_formatted}', stream: process.stderr, noTTYOutput: true, notTTYSchedule: 5000, etaBuffer: 50 });
      bar.start(config.steps, start, { loss: '-', sps: '-' });
    }

    const prefetch = new Map<number, Promise<Batch>>();
    const fetch = (b: number) => { if (!prefetch.has(b) && b < config.steps) prefetch.set(b, loader.batch(b)); };
    const checkpoint = (step: number) => {
      saveCheckpoint(paths.ckpt, { model: model!.stateDict(), optim: opt!.stateDict(), ema: ema?.shadow }, {
        step, loaderBatch: step, seed: config.seed, configHash: hash, emaUpdates: ema?.updates ?? 0,
        rng: `libtorch reseeded with mixSeed(seed, s, ${STREAM.torch}) before step s; image augmentation seededRandom(mixSeed(seed, s, ${STREAM.image})); instructions seededRandom(mixSeed(seed, s, ${STREAM.instruction}))`,
      });
      writeRun(prevSeconds + (performance.now() - t0) / 1000);
      lossChart(join(out, 'loss'), readMetrics(paths.metrics, step), config.name ?? out);
    };
    const evalLoss = async (): Promise<number> => {
      model!.eval();
      let sum = 0;
      for (let i = 0; i < config.evalBatches; i++) {
        const b = await loader.batch(1_000_000_000 + i);
        const p = prepare(b, b.task, cfg, tokenizer, roomOnly, pixels ? { source: pixels } : undefined);
        try { sum += torch.noGrad(() => torch.tidy(() => model!.loss(p.inp, targetOf(p)).total.item())); } finally { freeBatch(p); }
      }
      model!.train(true);
      return sum / config.evalBatches;
    };

    let last: number | null = null;
    const tStart = performance.now();
    let smoothSps = 0;
    for (let s = start; s < config.steps; s++) {
      const ts = performance.now();
      for (let k = s; k <= s + 2; k++) fetch(k);
      const raw = await prefetch.get(s)!;
      prefetch.delete(s);
      const geometry = config.augmentation.image !== 'off' ? augmentImages(raw, cfg.cameras.length, cfg.history, config.augmentation.image, seededRandom(mixSeed(config.seed, s, STREAM.image))) : undefined;
      dropHistory(raw, cfg.history, config.augmentation.historyDrop, seededRandom(mixSeed(config.seed, s, STREAM.history)));
      const texts = instr !== 'off' && components.augmentInstruction
        ? augmentInstructions(raw.task, instr.prob, components.augmentInstruction, seededRandom(mixSeed(config.seed, s, STREAM.instruction))) : raw.task;
      const p = prepare(raw, texts, cfg, tokenizer, roomOnly, pixels ? { source: pixels, ...(geometry ? { geometry } : {}) } : undefined);
      torch.manualSeed(mixSeed(config.seed, s, STREAM.torch));
      let r: { loss: number; action: number; room: number; pointer: number | undefined; gradNorm: number };
      try {
        r = torch.tidy(() => {
          opt!.zeroGrad();
          const l = model!.loss(p.inp, targetOf(p));
          l.total.backward();
          const gradNorm = config.gradClip === 'off' ? NaN : optim.clipGradNorm(params, config.gradClip);
          opt!.step();
          return { loss: l.total.item(), action: l.action.item(), room: l.room.item(), pointer: pixels && l.pointer ? l.pointer.item() : undefined, gradNorm };
        });
      } finally {
        freeBatch(p);
      }
      if (!Number.isFinite(r.loss)) throw new Error(`training diverged at step ${s + 1}: loss ${r.loss} (lower lr, or check the data)`);
      const lr = opt.lr;
      sched.step();
      ema?.update();
      last = r.loss;
      const done = s + 1;
      const dt = (performance.now() - ts) / 1000;
      const sps = config.batchSize / dt;
      smoothSps = smoothSps ? 0.9 * smoothSps + 0.1 * sps : sps;
      const line: MetricLine = { step: done, loss: r.loss, action: r.action, room: r.room, ...(r.pointer === undefined ? {} : { pointer: r.pointer }), lr, gradNorm: r.gradNorm, samplesPerSec: sps, time: prevSeconds + (performance.now() - t0) / 1000 };
      if (config.evalEvery && done % config.evalEvery === 0) line.evalLoss = await evalLoss();
      appendFileSync(paths.metrics, JSON.stringify(line) + '\n');
      const elapsed = (performance.now() - tStart) / 1000;
      const progress: TrainProgress = {
        step: done, steps: config.steps, loss: r.loss, actionLoss: r.action, roomLoss: r.room, lr, gradNorm: r.gradNorm, samplesPerSec: smoothSps,
        elapsedSeconds: elapsed, etaSeconds: (elapsed / (done - start)) * (config.steps - done), evalLoss: line.evalLoss,
      };
      bar?.update(done, { loss: r.loss.toFixed(4), sps: smoothSps.toFixed(1) });
      opts.onProgress?.(progress);
      // training is synchronous work between awaits of ready batches (microtasks): give timers a turn so the
      // progress bar redraws
      if (bar && done % 5 === 0) await new Promise((resolve) => setImmediate(resolve));
      if (done % config.checkpointEvery === 0 || done === config.steps) checkpoint(done);
    }
    if (start === config.steps) last = readMetrics(paths.metrics, start).at(-1)?.loss ?? null;
    bar?.stop(); bar = null;

    // the model version
    const lineage: Lineage = {
      format: 'karakuri-lineage/1',
      datasets: await Promise.all(loader.sources.map((s) => datasetLineage(s.dir, s))),
      data: { spec, imageSize: [ih, iw], weights: config.datasets.map((d) => d.weight ?? null), uses: config.datasets.map((d) => d.use) },
      git: gitInfo(), seed: config.seed, training: config, ...(initLineage ? { init: initLineage } : {}), components: components.source, node: process.version, createdAt: new Date().toISOString(),
    };
    lossChart(join(out, 'loss'), readMetrics(paths.metrics, config.steps), config.name ?? out);
    if (ema) model.loadStateDict(ema.weights(model.stateDict())); // ship the average (the checkpoint keeps the raw weights)
    const seconds = prevSeconds + (performance.now() - t0) / 1000;
    writeRun(seconds);
    let norm = normalization(loader.sources.filter((_, i) => !roomOnly.has(i)), spec);
    if (initLineage) {
      const c = carryNormalization(initLineage.dir, norm, cfg.embodiments);
      norm = c.normalization;
      if (c.carried.length) log(`normalization of ${c.carried.join(', ')} kept from ${initLineage.dir} (no demonstrations of ${c.carried.length > 1 ? 'them' : 'it'} in this run)`);
    }
    const versionDir = writeModelVersion(join(out, 'model'), {
      net: model, model: cfg, train: config, spec, imageSize: [ih, iw], tokenizer, normalization: norm, lineage,
      summary: { steps: config.steps, finalLoss: last, seconds, ema: !!ema, resumedAt }, attach: [join(out, 'loss.png'), join(out, 'loss.html')],
      saveFiles: components.saveFiles,
    });
    return { versionDir, runDir: out, steps: config.steps, resumedFrom: resume ? resumedAt.at(-1)! : null, finalLoss: last, seconds, metricsPath: paths.metrics };
  } finally {
    bar?.stop();
    ema?.dispose();
    opt?.dispose();
    model?.dispose();
    await loader.close();
  }
}
