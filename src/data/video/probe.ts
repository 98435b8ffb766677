// What a video file holds, as ffprobe sees it: frame count, duration, size, codec, rate and pixel format of the
// first video stream, and the presentation timestamps of its packets (one per shown frame for our codecs).
// Errors name the file.
import { existsSync, statSync } from 'node:fs';
import { ratio, run } from './ffmpeg.ts';

export interface VideoProbe {
  /** Frames in the stream (its packets, counted by demuxing; with countFrames, decoded frames). */
  frames: number;
  /** Seconds: the stream's duration (falls back to the container's). */
  duration: number;
  width: number;
  height: number;
  /** ffprobe's codec name: 'av1', 'hevc', 'h264'. */
  codec: string;
  /** Frames per second (r_frame_rate). */
  fps: number;
  pixFmt: string;
}

function mustExist(path: string, what: string): void {
  if (!existsSync(path)) throw new Error(`${what} ${path}: no such file`);
  if (!statSync(path).isFile()) throw new Error(`${what} ${path}: not a file`);
}

/** Probes the first video stream. countFrames decodes the whole stream to count frames (slow, exact). */
export async function probeVideo(path: string, o: { countFrames?: boolean } = {}): Promise<VideoProbe> {
  mustExist(path, 'probeVideo');
  const { stdout } = await run('ffprobe', ['-v', 'error', '-select_streams', 'v:0', o.countFrames ? '-count_frames' : '-count_packets',
    '-show_entries', 'stream=codec_name,width,height,pix_fmt,r_frame_rate,duration,nb_read_packets,nb_read_frames:format=duration',
    '-of', 'json', path], `probeVideo ${path}`);
  const j = JSON.parse(stdout.toString()) as { streams?: Record<string, string | number>[]; format?: { duration?: string } };
  const s = j.streams?.[0];
  if (!s) throw new Error(`probeVideo ${path}: no video stream`);
  const duration = Number(s.duration ?? j.format?.duration);
  return {
    frames: Number(o.countFrames ? s.nb_read_frames : s.nb_read_packets),
    duration,
    width: Number(s.width), height: Number(s.height),
    codec: String(s.codec_name), fps: ratio(String(s.r_frame_rate)), pixFmt: String(s.pix_fmt),
  };
}

export interface PacketTimes {
  /** Seconds per tick of the stream's time base. */
  timeBase: number;
  /** Presentation timestamps in ticks, sorted. */
  pts: number[];
  /** End of the last frame in ticks (last pts + its duration). */
  end: number;
}

/** Presentation timestamps of every packet of the first video stream, from demuxing only (fast). */
export async function probePackets(path: string): Promise<PacketTimes> {
  mustExist(path, 'probePackets');
  const { stdout } = await run('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=time_base:packet=pts,duration',
    '-of', 'compact=p=0:nk=1', path], `probePackets ${path}`);
  const lines = stdout.toString().trim().split('\n');
  let timeBase = NaN;
  const rows: [number, number][] = [];
  for (const l of lines) {
    if (l.includes('/')) { timeBase = ratio(l.trim()); continue; }
    const [p, d] = l.split('|').map(Number);
    if (Number.isFinite(p)) rows.push([p!, Number.isFinite(d) ? d! : 0]);
  }
  if (!(timeBase > 0)) throw new Error(`probePackets ${path}: no video stream`);
  rows.sort((a, b) => a[0] - b[0]);
  const last = rows[rows.length - 1];
  return { timeBase, pts: rows.map((r) => r[0]), end: last ? last[0] + last[1] : 0 };
}
