// For the review's tests: a model version directory holding a random-init tiny Karakuri VLA (the six files a trained
// version has: weights, config, normalization, tokenizer, lineage, model card), fast enough to drive a few short
// closed-loop episodes; and a small gate file over one or two cells.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import YAML from 'yaml';
import * as torch from '../torch/index.ts';
import { KarakuriVLA } from '../model/vla.ts';
import { STATE_KEYS } from '../model/config.ts';
import { savePolicyFiles } from '../model/checkpoint.ts';
import { Tokenizer } from '../model/language/tokenizer.ts';
import { tinyConfig } from '../model/test-helpers.ts';
import { gitInfo } from '../train/version.ts';
import type { GateInput } from './milestones.ts';

/** Writes a random-init tiny version (kara6 and kara7 statistics; an action scale of 3 cm per step, enough for the shield to intervene) into dir. */
export function writeTinyVersion(dir: string, seed: number, lineage: { datasets: { dir: string; robotType: string; contentHash: string }[] }): string {
  torch.manualSeed(seed);
  const tokenizer = Tokenizer.train(['Press the red call button to call the nurse.', 'Load the yellow mug onto the tray.', 'push the button'], { vocabSize: 300, minFrequency: 1 });
  const cfg = tinyConfig({ text: { vocab: tokenizer.vocabSize, maxTokens: 8, layers: 1 } });
  const model = new KarakuriVLA(cfg);
  const norm = (e: string) => {
    const d = cfg.stateLayout.wrench + cfg.stateLayout.touch + cfg.stateLayout.proprio[e]!;
    return { state: { mean: Array(d).fill(0), std: Array(d).fill(1) }, action: { mean: [0, 0, -0.002, 0, 0, 0, 0.5], std: [0.03, 0.03, 0.03, 0.05, 0.05, 0.05, 0.5] } };
  };
  mkdirSync(dir, { recursive: true });
  savePolicyFiles(dir, { model, normalization: { stateKeys: [...STATE_KEYS], embodiments: { kara6: norm('kara6'), kara7: norm('kara7') } }, tokenizer, train: { seed } });
  model.dispose();
  writeFileSync(join(dir, 'lineage.json'), JSON.stringify({ format: 'karakuri-lineage/test', ...lineage, git: gitInfo(), seed }, null, 1));
  writeFileSync(join(dir, 'MODEL_CARD.md'), `# Model card: tiny-${seed}\n\nA random-init tiny Karakuri VLA for tests.\n\n## Evaluation\n\nNot evaluated yet.\n\n## Limits\n\n- random weights\n`);
  return dir;
}

/** A gate over few cells, small enough for a test (every milestone kind present). */
export function tinyGate(over: Partial<GateInput['suite']> = {}): GateInput {
  return {
    format: 'karakuri-gate/1', gate: 'test-gate', title: 'a test gate',
    suite: { tasks: ['nurse-call'], embodiments: ['kara6'], episodesPerCell: 2, seedStart: 100000, phrasings: ['train', 'heldout'], chunk: 5, ...over },
    latency: { observations: 6, warmup: 3, iterations: 40, threads: 1 },
    milestones: {
      meanSuccess: { min: 0.75 }, sectorFloors: { care: { min: 0.5 } }, embodimentFloors: { kara6: { min: 0.5 } },
      heldoutGap: { maxPoints: 10 }, roomError: { maxCm: 5 }, latencyP99: { maxMs: 5000, rule: 'point' }, shieldInterventions: { maxPer1000: 50 },
      dataBreadth: { minContributors: 1, minEmbodiments: 1, minSectors: 1 },
    },
  };
}

export const writeGate = (path: string, g: GateInput): string => { writeFileSync(path, YAML.stringify(g)); return path; };
