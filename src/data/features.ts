// The vocabulary of a dataset, as LeRobot writes it in meta/info.json: features (dtype, shape, names, video info),
// the standard per-frame columns every dataset has, and an episode held in memory before it is written. Shared by
// the writer, the readers, validation, stats and the recorder; see ../../../shared/reference/lerobot-format.md.
import { z } from 'zod';

/** Columns every LeRobot dataset has per frame (the writer adds them; episodes do not carry them). */
export const STANDARD_COLUMNS = ['timestamp', 'frame_index', 'episode_index', 'index', 'task_index'] as const;

export const FeatureDtype = z.enum(['float32', 'float64', 'int64', 'int32', 'bool', 'string', 'image', 'video']);
export type FeatureDtype = z.infer<typeof FeatureDtype>;

export const Feature = z.object({
  dtype: FeatureDtype,
  shape: z.array(z.number().int().nonnegative()),
  names: z.union([z.array(z.any()), z.record(z.string(), z.any()), z.null()]).optional(),
  info: z.record(z.string(), z.any()).nullable().optional(),
}).passthrough();
export type Feature = z.infer<typeof Feature>;
export type Features = Record<string, Feature>;

/** Numeric per-frame values of one feature over an episode, row-major (length x prod(shape)). */
export type Column = Float32Array | Float64Array | BigInt64Array | Int32Array | Uint8Array;

/** One episode in memory, as recorded, before the writer gives it indices and timestamps. */
export interface EpisodeData {
  /** Number of frames. */
  length: number;
  /** The episode's language task (instruction). */
  task: string;
  /** Non-video features: key -> length x prod(shape) values (bool as 0/1 bytes). */
  columns: Record<string, Column>;
  /** RGB video features: key -> one H x W x 3 uint8 frame per row. */
  videos: Record<string, Uint8Array[]>;
  /** Depth video features: key -> one H x W float32 frame (metres) per row. */
  depth?: Record<string, Float32Array[]>;
  /** Per-episode facts kept beside LeRobot's own columns in meta/episodes (provenance, success, seed). */
  meta?: Record<string, string | number | boolean>;
}

/** Number of values per frame of a feature. */
export const featureSize = (f: Pick<Feature, 'shape'>): number => f.shape.reduce((a, b) => a * b, 1);
