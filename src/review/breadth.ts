// Data breadth of a model version, from its lineage.json (the datasets it was trained on, with content hashes) and,
// where the datasets are still on disk, their meta/info.json provenance ("karakuri": contributor, sectors, embodiment;
// written by src/data/collect.ts). Contributors are the provenance's contributor names; a dataset without provenance
// counts as its own source (by content hash), and the notes say so. Embodiments are the datasets' robot types.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SECTORS } from '../sim/tasks/types.ts';

export interface DatasetBreadth { dir: string; contentHash: string; robotType: string; contributor: string | null; sectors: string[]; onDisk: boolean }
export interface Breadth { contributors: string[]; embodiments: string[]; sectors: string[]; notes: string[]; datasets: DatasetBreadth[] }

export function dataBreadth(modelDir: string): Breadth {
  const path = join(modelDir, 'lineage.json');
  if (!existsSync(path)) return { contributors: [], embodiments: [], sectors: [], notes: ['the model has no lineage.json: its training data is unknown'], datasets: [] };
  let lineage: { datasets?: { dir?: string; robotType?: string; contentHash?: string }[] };
  try { lineage = JSON.parse(readFileSync(path, 'utf8')); } catch (e) { throw new Error(`${path}: not valid JSON (${(e as Error).message})`); }
  const notes: string[] = [];
  const datasets: DatasetBreadth[] = (lineage.datasets ?? []).map((d, i) => {
    const dir = d.dir ?? `dataset ${i}`, info = join(dir, 'meta/info.json');
    let prov: Record<string, unknown> = {}, robotType = d.robotType ?? 'unknown', onDisk = false;
    if (d.dir && existsSync(info)) {
      onDisk = true;
      try {
        const j = JSON.parse(readFileSync(info, 'utf8')) as { robot_type?: string; karakuri?: Record<string, unknown> };
        prov = j.karakuri ?? {};
        robotType = d.robotType ?? j.robot_type ?? robotType;
      } catch { notes.push(`${info}: not valid JSON; provenance not read`); }
    }
    const contributor = typeof prov.contributor === 'string' && prov.contributor ? prov.contributor : null;
    const sectors = typeof prov.sectors === 'string' ? prov.sectors.split(',').map((s) => s.trim()).filter((s) => (SECTORS as readonly string[]).includes(s)) : [];
    if (!onDisk) notes.push(`dataset ${dir} is not on disk: contributor and sectors unknown (counted as one source by its content hash)`);
    else if (!contributor) notes.push(`dataset ${dir} has no contributor in its provenance: counted as one source by its content hash`);
    return { dir, contentHash: d.contentHash ?? '', robotType, contributor, sectors, onDisk };
  });
  if (!datasets.length) notes.push('lineage.json lists no datasets');
  const contributors = [...new Set(datasets.map((d) => d.contributor ?? `source ${d.contentHash.slice(0, 12) || d.dir}`))].sort();
  return {
    contributors,
    embodiments: [...new Set(datasets.map((d) => d.robotType).filter((r) => r !== 'unknown'))].sort(),
    sectors: [...new Set(datasets.flatMap((d) => d.sectors))].sort(),
    notes, datasets,
  };
}
