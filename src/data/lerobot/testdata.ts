// Test helper: a small synthetic LeRobot v3.0 dataset written by our DatasetWriter (state/action vectors, a bool, a
// 64x64 AV1 camera whose frames encode their frame index in brightness), for the writer, reader, validation and
// DuckDB tests.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EpisodeData, Features } from '../features.ts';
import { DatasetWriter } from './writer.ts';

export const FPS = 10;
export const W = 64, H = 64;

export const testFeatures = (video = true): Features => ({
  'observation.state': { dtype: 'float32', shape: [6], names: ['a', 'b', 'c', 'd', 'e', 'f'] },
  action: { dtype: 'float32', shape: [7], names: null },
  'observation.contact': { dtype: 'bool', shape: [1], names: null },
  ...(video ? { 'observation.images.front': { dtype: 'video' as const, shape: [H, W, 3], names: ['height', 'width', 'channels'] } } : {}),
});

/** Frame value for (episode, frame): brightness steps of 12 so AV1 keeps them apart. */
export const shade = (e: number, i: number): number => (40 + 12 * i + 30 * e) % 250;

export function testEpisode(e: number, length: number, video = true): EpisodeData {
  const state = new Float32Array(length * 6), action = new Float32Array(length * 7), contact = new Uint8Array(length);
  for (let i = 0; i < length; i++) {
    for (let d = 0; d < 6; d++) state[i * 6 + d] = e * 100 + i + d / 10;
    for (let d = 0; d < 7; d++) action[i * 7 + d] = -(e * 100 + i) - d / 100;
    contact[i] = i % 2;
  }
  const frames = video ? Array.from({ length }, (_, i) => new Uint8Array(W * H * 3).fill(shade(e, i))) : [];
  return {
    length, task: e % 2 ? 'place the cup' : 'pick the cup',
    columns: { 'observation.state': state, action, 'observation.contact': contact },
    videos: video ? { 'observation.images.front': frames } : {},
    meta: { seed: 1000 + e, success: e % 3 !== 1, simulator: 'mujoco' },
  };
}

export const tmp = (name: string): string => mkdtempSync(join(tmpdir(), `karakuri-${name}-`));

/** Writes a finalized dataset of episodes with the given lengths. */
export async function writeTestDataset(dir: string, lengths: number[], o: { video?: boolean; dataFileMB?: number; videoFileMB?: number } = {}): Promise<void> {
  const w = await DatasetWriter.create(dir, {
    fps: FPS, robotType: 'kara6', features: testFeatures(o.video ?? true),
    provenance: { contributor: 'test', licence: 'CC-BY-4.0', sector: 'restaurant', embodiment: 'kara6' },
    ...(o.dataFileMB ? { dataFileMB: o.dataFileMB } : {}), ...(o.videoFileMB ? { videoFileMB: o.videoFileMB } : {}),
  });
  for (let e = 0; e < lengths.length; e++) await w.addEpisode(testEpisode(e, lengths[e]!, o.video ?? true));
  await w.finalize();
}
