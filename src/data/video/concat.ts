// Concatenating episode segments into one MP4 by stream copy (ffmpeg's concat demuxer, no re-encoding), and the
// exact [from, to) seconds of each segment inside the result, read back from the packets' timestamps.
// The concat demuxer places each file after the previous one's duration; an MP4's own duration is rounded to the
// millisecond, which drifts frames away from frame_index / fps. So each file gets an explicit `duration`, chosen so
// that the microsecond-rounded sums telescope: segment i starts at round_us(frames_before_i / fps) exactly.
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { run } from './ffmpeg.ts';
import { probePackets, probeVideo } from './probe.ts';

export interface Span { from: number; to: number }

const quote = (p: string) => `'${resolve(p).replaceAll("'", "'\\''")}'`;

/**
 * Concatenates segments (same codec, size and fps) into `out`; returns each segment's [from, to) in seconds.
 * `frames`: the segments' frame counts when the caller knows them (the dataset writer encoded them itself, with one
 * set of settings): only the first and last segments are probed then, instead of one ffprobe per segment (1,800 for
 * a 900-episode, two-camera dataset: minutes); the packet check of the result still catches a wrong count.
 */
export async function concatVideos(segments: string[], out: string, known: { frames?: readonly number[] } = {}): Promise<Span[]> {
  if (segments.length === 0) throw new RangeError(`concatVideos ${out}: no segments`);
  if (known.frames && known.frames.length !== segments.length) throw new RangeError(`concatVideos ${out}: ${known.frames.length} frame counts for ${segments.length} segments`);
  const probed = known.frames ? [...new Set([0, segments.length - 1])] : segments.map((_, i) => i);
  const probes = await Promise.all(probed.map((i) => probeVideo(segments[i]!)));
  const first = probes[0]!;
  probes.forEach((p, k) => {
    const i = probed[k]!;
    if (p.codec !== first.codec || p.width !== first.width || p.height !== first.height || p.fps !== first.fps || p.pixFmt !== first.pixFmt)
      throw new Error(`concatVideos ${out}: segment ${segments[i]} is ${p.codec} ${p.width}x${p.height} ${p.pixFmt} at ${p.fps} fps, but ${segments[0]} is ${first.codec} ${first.width}x${first.height} ${first.pixFmt} at ${first.fps} fps`);
    if (known.frames && p.frames !== known.frames[i]) throw new Error(`concatVideos ${out}: segment ${segments[i]} has ${p.frames} frames, the caller said ${known.frames[i]}`);
  });
  const counts = known.frames ?? probes.map((p) => p.frames);
  counts.forEach((n, i) => { if (!(n > 0)) throw new Error(`concatVideos ${out}: segment ${segments[i]} has no frames`); });
  const fps = first.fps;
  const starts = [0];
  for (const n of counts) starts.push(starts[starts.length - 1]! + n);
  const us = (frames: number) => Math.round((frames / fps) * 1e6);
  const list = segments.map((s, i) => `file ${quote(s)}\nduration ${((us(starts[i + 1]!) - us(starts[i]!)) / 1e6).toFixed(6)}\n`).join('');
  const tag = `${process.pid}-${Math.random().toString(36).slice(2, 8)}`, listFile = `${out}.concat-${tag}.txt`, tmp = `${out}.partial-${tag}`;
  try {
    writeFileSync(listFile, list);
    await run('ffmpeg', ['-hide_banner', '-nostats', '-loglevel', 'error', '-y', '-f', 'concat', '-safe', '0', '-i', listFile,
      '-map', '0:v:0', '-c', 'copy', '-f', 'mp4', tmp], `concatVideos ${out}`);
    // Check the result frame by frame: every segment's frames must sit at from + j / fps.
    const { timeBase, pts, end } = await probePackets(tmp);
    const total = starts[starts.length - 1]!;
    if (pts.length !== total) throw new Error(`concatVideos ${out}: expected ${total} frames from the segments, the result has ${pts.length}`);
    const spans = segments.map((s, i): Span => {
      const from = pts[starts[i]!]! * timeBase;
      const to = (i + 1 < segments.length ? pts[starts[i + 1]!]! : end) * timeBase;
      for (let k = starts[i]!; k < starts[i + 1]!; k++) {
        const t = pts[k]! * timeBase, want = from + (k - starts[i]!) / fps;
        if (Math.abs(t - want) > 1e-6) throw new Error(`concatVideos ${out}: frame ${k - starts[i]!} of segment ${s} lands at ${t} s, expected ${want} s`);
      }
      return { from, to };
    });
    renameSync(tmp, out);
    return spans;
  } finally {
    rmSync(listFile, { force: true });
    rmSync(tmp, { force: true });
  }
}
