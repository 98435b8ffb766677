// Writing RGB frames to a video file through ffmpeg (Debian's package): raw rgb24 frames go to ffmpeg's stdin and it
// encodes them. H.264 (yuv420p, plays everywhere) for videos people look at; AV1 (libsvtav1) is LeRobot's dataset
// codec. Errors name the file and carry ffmpeg's own last lines.
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

export interface VideoOptions {
  width: number;
  height: number;
  fps: number;
  /** 'h264' (libx264, default) or 'av1' (libsvtav1, as LeRobot encodes datasets). */
  codec?: 'h264' | 'av1';
  /** Constant rate factor (default 23 for H.264, 30 for AV1). */
  crf?: number;
}

/** A video being written: push() frames (H x W x 3 uint8, top row first), then close(). */
export interface VideoWriter {
  push(rgb: Uint8Array): Promise<void>;
  close(): Promise<{ frames: number }>;
}

export function openVideo(path: string, o: VideoOptions): VideoWriter {
  if (!(Number.isInteger(o.width) && Number.isInteger(o.height) && o.width > 0 && o.height > 0)) throw new RangeError(`video ${path}: width and height must be positive integers, got ${o.width}x${o.height}`);
  if (o.width % 2 || o.height % 2) throw new RangeError(`video ${path}: yuv420p needs even width and height, got ${o.width}x${o.height}`);
  if (!(o.fps > 0)) throw new RangeError(`video ${path}: fps must be positive, got ${o.fps}`);
  const codec = o.codec ?? 'h264';
  if (codec === 'av1' && (o.width < 64 || o.height < 64)) throw new RangeError(`video ${path}: the AV1 encoder (SVT-AV1) needs at least 64x64, got ${o.width}x${o.height}`);
  mkdirSync(dirname(path), { recursive: true });
  const enc = codec === 'h264'
    ? ['-c:v', 'libx264', '-preset', 'veryfast', '-crf', String(o.crf ?? 23)]
    : ['-c:v', 'libsvtav1', '-g', '2', '-crf', String(o.crf ?? 30), '-preset', '8'];
  const ff = spawn('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', `${o.width}x${o.height}`,
    '-r', String(o.fps), '-i', 'pipe:0', ...enc, '-pix_fmt', 'yuv420p', '-movflags', '+faststart', path], { stdio: ['pipe', 'ignore', 'pipe'] });
  let stderr = '';
  // SVT-AV1 prints its banner as Svt[info] lines whatever the log level: keep only what says something went wrong
  ff.stderr.on('data', (d: Buffer) => { stderr = (stderr + d.toString().split('\n').filter((l) => !l.startsWith('Svt[info]')).join('\n')).slice(-2000); });
  ff.stdin.on('error', () => {}); // EPIPE when ffmpeg quits early: reported by push/close with ffmpeg's message
  const exited = new Promise<number>((resolve, reject) => {
    ff.on('error', (e) => reject(new Error(`video ${path}: could not run ffmpeg (${e.message}); install the Debian package ffmpeg`)));
    ff.on('close', (code) => resolve(code ?? -1));
  });
  exited.catch(() => {}); // reported by push/close
  let frames = 0;
  const size = o.width * o.height * 3;
  return {
    async push(rgb) {
      if (rgb.length !== size) throw new RangeError(`video ${path}: frame ${frames} has ${rgb.length} bytes, expected ${o.width}x${o.height}x3 = ${size}`);
      frames++;
      if (!ff.stdin.write(rgb)) await new Promise<void>((resolve, reject) => {
        ff.stdin.once('drain', resolve);
        exited.then(() => reject(new Error(`video ${path}: ffmpeg stopped: ${stderr.trim()}`)), reject);
      });
    },
    async close() {
      ff.stdin.end();
      const code = await exited;
      if (code !== 0) throw new Error(`video ${path}: ffmpeg exited with code ${code}: ${stderr.trim()}`);
      return { frames };
    },
  };
}
