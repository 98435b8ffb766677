// The progress bars of long CLI jobs (episodes, steps): cli-progress with our defaults. Without a terminal (CI,
// logs) the bar is still printed, every 5 s, so long runs show their rate and ETA in logs too.
import cliProgress from 'cli-progress';

/** A bar with `format` (cli-progress tokens); `etaBuffer`: how many recent updates the ETA averages over. */
export function progressBar(format: string, etaBuffer = 50): cliProgress.SingleBar {
  return new cliProgress.SingleBar({ format, noTTYOutput: true, notTTYSchedule: 5000, etaBuffer }, cliProgress.Presets.shades_classic);
}
