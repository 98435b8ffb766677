// The stage-gate review's report: review.json (everything, for machines and re-runs), review.md and review.html (a
// self-contained page that opens offline: inline CSS and SVG charts, no scripts or links out). Both start with the
// executive summary (the decision, what passed, what failed and by how much), then the milestone table (value, 95%
// interval, rule, margin, status), the charts (success per task with Wilson intervals, per sector, per arm, train vs
// held-out phrasing, version vs baseline), the comparison with the baseline, and every input that fixes the result.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { barChartSvg, type Bar, type BarSpec } from '../report/bars.ts';
import { esc } from '../report/chart.ts';
import { wilson } from '../eval/stats.ts';
import type { CellCount, MilestoneResult, Unit } from './decide.ts';
import type { Review } from './run.ts';

const pct = (x: number) => (Number.isFinite(x) ? `${(100 * x).toFixed(1)}%` : 'n/a');

/** A value in its milestone's unit. */
export function fmtValue(v: number | null, unit: Unit): string {
  if (v === null || Number.isNaN(v)) return 'n/a';
  if (!Number.isFinite(v)) return v > 0 ? '+inf' : '-inf';
  switch (unit) {
    case 'rate': return pct(v);
    case 'points': return `${v.toFixed(1)} pts`;
    case 'cm': return `${v.toFixed(2)} cm`;
    case 'ms': return `${v.toFixed(2)} ms`;
    case 'per1000': return `${v.toFixed(1)} per 1,000`;
    case 'count': return String(Math.round(v));
  }
}
/** A margin (positive: clears) in the milestone's unit; rates in percentage points. */
export function fmtMargin(m: MilestoneResult): string {
  if (m.margin === null) return 'n/a';
  const s = m.margin >= 0 ? '+' : '-', a = Math.abs(m.margin);
  return m.unit === 'rate' ? `${s}${(100 * a).toFixed(1)} pts` : `${s}${fmtValue(a, m.unit)}`;
}
const ruleText = (m: MilestoneResult) => `${m.kind === 'min' ? '>=' : '<='} ${fmtValue(m.threshold, m.unit)} (${m.rule})`;
const STATUS = { pass: 'PASS', conditional: 'CONDITIONAL', fail: 'FAIL' } as const;

/** How the report names each test of a version against its baseline. */
const TEST_NAMES = { fisher: 'Fisher exact', z: 'two-proportion z', mcnemar: 'exact McNemar, paired by seed' } as const;

export interface Summary { headline: string; failed: string[]; conditional: string[]; passed: string[]; baseline: string | null }

/** The executive summary: the decision, then what failed, what was conditional and what passed, by how much. */
export function executiveSummary(r: Review): Summary {
  const d = r.decision, ms = d.milestones;
  const by = (s: MilestoneResult['status']) => ms.filter((m) => m.status === s);
  const judged = (m: MilestoneResult) => (m.rule === 'point' ? 'measured' : m.kind === 'min' ? 'lower bound' : 'upper bound');
  const why = (m: MilestoneResult) => m.value === null ? `${m.label}: ${m.detail}`
    : `${m.label}: ${judged(m)} ${fmtValue(m.deciding, m.unit)} against ${m.kind === 'min' ? 'a floor of' : 'a ceiling of'} ${fmtValue(m.threshold, m.unit)} (${m.margin === null ? 'no bound' : m.margin >= 0 ? 'clears by' : 'short by'} ${m.margin === null ? '' : fmtMargin(m).slice(1)}${m.rule === 'point' ? '' : `; point estimate ${fmtValue(m.value, m.unit)}`})`;
  let baseline: string | null = null;
  if (r.comparison) {
    const reg = r.comparison.tasks.filter((t) => t.regression), imp = r.comparison.tasks.filter((t) => t.improvement);
    baseline = `Against the baseline ${r.inputs.baseline!.name}: ${reg.length ? `${reg.length} significant regression${reg.length > 1 ? 's' : ''} (${reg.map((t) => `${t.task} ${pct(t.baseline.rate)} -> ${pct(t.version.rate)}`).join(', ')})` : 'no significant regression'}; ${imp.length ? `${imp.length} significant improvement${imp.length > 1 ? 's' : ''} (${imp.map((t) => t.task).join(', ')})` : 'no significant improvement'} (${TEST_NAMES[r.comparison.test]}, ${r.comparison.correction === 'holm' ? 'Holm-corrected' : 'uncorrected'}, alpha ${r.comparison.alpha}).`;
  }
  return {
    headline: `${d.overall} for ${r.inputs.model.name} at gate ${r.inputs.gate.id}: ${by('pass').length} of ${ms.length} milestones passed, ${by('conditional').length} conditional, ${by('fail').length} failed.${r.official ? '' : ` Indicative only, not an official review: ${r.unofficial.join('; ')}.`}`,
    failed: by('fail').map(why), conditional: by('conditional').map(why), passed: by('pass').map(why), baseline,
  };
}

/** The summary as lines of text (the CLI prints it; the Markdown report nests it). */
export function summaryLines(s: Summary, bullet = '- ', sub = '  - '): string[] {
  const group = (title: string, xs: string[]) => (xs.length ? [`${bullet}${title}`, ...xs.map((x) => `${sub}${x}`)] : []);
  return [`${bullet}Decision: ${s.headline}`, ...group('Failed:', s.failed), ...group('Conditional (the point estimate clears, the 95% bound does not: more episodes may settle it):', s.conditional),
    ...group('Passed:', s.passed), ...(s.baseline ? [`${bullet}${s.baseline}`] : [])];
}

const pool = (cells: CellCount[], key: (c: CellCount) => string) => {
  const m = new Map<string, { k: number; n: number }>();
  for (const c of cells) { const e = m.get(key(c)) ?? { k: 0, n: 0 }; e.k += c.successes; e.n += c.episodes; m.set(key(c), e); }
  return [...m].map(([label, { k, n }]) => ({ label, k, n, w: wilson(k, n) }));
};
const bar = (label: string, w: ReturnType<typeof wilson>, group: string): Bar | null => (w.n ? { label, value: w.rate, lo: w.lo, hi: w.hi, group } : null);

export function reviewCharts(r: Review): BarSpec[] {
  const name = r.inputs.model.name, base = r.inputs.baseline?.name ?? null;
  const train = r.cells.filter((c) => c.phrasing === 'train'), btrain = r.baselineCells?.filter((c) => c.phrasing === 'train') ?? [];
  const versus = (key: (c: CellCount) => string, title: string): BarSpec => {
    const a = pool(train, key), b = base ? pool(btrain, key) : [];
    const bars = a.flatMap((x) => [bar(x.label, x.w, name), ...(base ? [b.find((y) => y.label === x.label)].map((y) => (y ? bar(x.label, y.w, `${base} (baseline)`) : null)) : [])]).filter((x): x is Bar => x !== null);
    return { title, valueLabel: 'success rate', percent: true, bars };
  };
  const specs = [
    versus((c) => c.task, `success per task (train phrasing, arms pooled), 95% Wilson${base ? `: ${name} vs ${base}` : ''}`),
    versus((c) => c.sector, 'success per sector, 95% Wilson'),
    versus((c) => c.embodiment, 'success per embodiment, 95% Wilson'),
  ];
  if (r.cells.some((c) => c.phrasing === 'heldout')) {
    const a = pool(train, (c) => c.task), h = pool(r.cells.filter((c) => c.phrasing === 'heldout'), (c) => c.task);
    specs.push({ title: 'success per task: training vs held-out phrasings (same seeds)', valueLabel: 'success rate', percent: true,
      bars: a.flatMap((x) => [bar(x.label, x.w, 'train phrasing'), bar(x.label, h.find((y) => y.label === x.label)?.w ?? wilson(0, 0), 'held-out phrasing')]).filter((x): x is Bar => x !== null) });
  }
  return specs.filter((s) => s.bars.length);
}

function inputLines(r: Review): string[] {
  const i = r.inputs, s = i.suite;
  const model = (m: NonNullable<Review['inputs']['baseline']>) => `${m.name}${m.registered ? ' (registered, manifest verified)' : ' (NOT registered: hash computed from the directory)'}, content hash ${m.contentHash}, ${m.dir}`;
  return [
    `model: ${model(i.model)}`,
    ...(i.baseline ? [`baseline: ${model(i.baseline)}`] : []),
    `milestones: ${i.gate.path} (gate ${i.gate.id}, sha256 ${i.gate.sha256})`,
    `suite: ${s.tasks.length} task${s.tasks.length === 1 ? '' : 's'} x [${s.embodiments.join(', ')}], ${s.episodesPerCell} episodes per cell, seeds ${s.seeds[0]}..${s.seeds[1]} (disjoint from training), phrasings ${s.phrasings.join(' + ')}, chunk ${s.chunk === 'ensemble' ? 'temporal ensemble' : `execute ${s.chunk}`}, torch seed ${s.torchSeed}${s.maxSteps ? `, time limit overridden to ${s.maxSteps} steps` : ''}`,
    `overrides: ${Object.keys(i.overrides).length ? JSON.stringify(i.overrides) : 'none (the gate file\'s own suite)'}`,
    `code: ${i.code.commit ? `git ${i.code.commit}${i.code.dirty ? ' with uncommitted changes' : ''}` : i.code.note ?? 'unknown'}; node ${i.node}`,
    `shield: ${i.shield ? Object.entries(i.shield).map(([e, d]) => `${e} ${JSON.stringify(d)}`).join('; ') : 'none'}`,
    ...(r.latency ? [`latency: ${r.latency.samplesMs.length} calls, ${r.latency.threads} torch thread(s), OPENBLAS_NUM_THREADS=${r.latency.openblasThreads ?? 'unset'}, ${r.latency.observations} observations from ${r.latency.episodes} short episode${r.latency.episodes === 1 ? '' : 's'}`] : []),
    `data breadth: ${r.breadth.datasets.length} datasets${r.breadth.notes.length ? `; notes: ${r.breadth.notes.join('; ')}` : ''}`,
  ];
}

function milestoneRows(r: Review): string[][] {
  return r.decision.milestones.map((m) => [m.id, m.label, ruleText(m), fmtValue(m.value, m.unit), m.lo === null ? 'n/a' : `${fmtValue(m.lo, m.unit)} - ${fmtValue(m.hi, m.unit)}`, fmtValue(m.deciding, m.unit), fmtMargin(m), STATUS[m.status], m.detail]);
}
const MS_HEAD = ['id', 'milestone', 'threshold (rule)', 'estimate', '95% interval', 'judged value', 'margin', 'status', 'detail'];

function comparisonRows(r: Review): string[][] {
  return (r.comparison?.tasks ?? []).map((t) => [t.task, `${t.version.successes}/${t.version.episodes} (${pct(t.version.rate)})`, `${t.baseline.successes}/${t.baseline.episodes} (${pct(t.baseline.rate)})`,
    `${(100 * t.diff).toFixed(1)} pts [${(100 * t.lo).toFixed(1)}, ${(100 * t.hi).toFixed(1)}]`, t.p.toPrecision(3), t.pAdjusted.toPrecision(3), t.regression ? 'REGRESSION' : t.improvement ? 'improvement' : 'n.s.']);
}
const CMP_HEAD = ['task', 'version', 'baseline', 'difference (95% CI)', 'p', 'p adjusted', 'flag'];

function cellRows(r: Review): string[][] {
  return r.cells.map((c) => { const w = wilson(c.successes, c.episodes); return [c.task, c.sector, c.embodiment, c.phrasing, `${c.successes}/${c.episodes}`, pct(w.rate), `${pct(w.lo)} - ${pct(w.hi)}`, c.notRun ?? '']; });
}
const CELL_HEAD = ['task', 'sector', 'embodiment', 'phrasing', 'successes', 'rate', '95% Wilson', 'note'];

const mdTable = (head: string[], rows: string[][]) => [`| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`, ...rows.map((x) => `| ${x.map((v) => v.replace(/\|/g, '\\|')).join(' | ')} |`)];

export function reviewMarkdown(r: Review): string {
  return [
    `# Stage-gate review: ${r.inputs.model.name} at ${r.inputs.gate.id} — ${r.decision.overall}`, '',
    `${r.inputs.gate.title}. ${r.createdAt}, ${r.seconds.toFixed(0)} s.`, '',
    '## Executive summary', '', ...summaryLines(executiveSummary(r)), '',
    '## Milestones', '', ...mdTable(MS_HEAD, milestoneRows(r)), '',
    ...(r.comparison ? ['## Against the baseline', '', ...mdTable(CMP_HEAD, comparisonRows(r)), ''] : []),
    '## Cells', '', ...mdTable(CELL_HEAD, cellRows(r)), '',
    ...(r.shield ? [`Shield: ${r.shield.intervened} of ${r.shield.actions} actions changed${Object.keys(r.shield.reasons).length ? ` (${Object.entries(r.shield.reasons).map(([k, v]) => `${k}: ${v}`).join(', ')})` : ''}.`, ''] : []),
    ...(r.latency ? [`Latency (batch 1): p50 ${r.latency.p50.toFixed(2)} ms, p99 ${r.latency.p99.toFixed(2)} ms (95% interval ${fmtValue(r.latency.p99lo, 'ms')} - ${fmtValue(r.latency.p99hi, 'ms')}).`, ''] : []),
    '## Inputs', '', ...inputLines(r).map((l) => `- ${l}`), '',
    'Charts: review.html. Everything: review.json.', '',
  ].join('\n');
}

function summaryHtml(s: Summary): string {
  const group = (title: string, cls: string, xs: string[]) => (xs.length ? `<li class="${cls}"><b>${esc(title)}</b><ul>${xs.map((x) => `<li>${esc(x)}</li>`).join('')}</ul></li>` : '');
  return `<p class="headline">${esc(s.headline)}</p><ul>${group(`Failed (${s.failed.length})`, 'failed', s.failed)}${group(`Conditional (${s.conditional.length}): the point estimate clears, the 95% bound does not`, 'conditional', s.conditional)}${group(`Passed (${s.passed.length})`, 'passed', s.passed)}${s.baseline ? `<li>${esc(s.baseline)}</li>` : ''}</ul>`;
}

export function reviewHtml(r: Review): string {
  const d = r.decision.overall, colour = d === 'GO' ? '#1a7f37' : d === 'NO-GO' ? '#cf222e' : '#9a6700';
  const statusCss = { pass: '#dafbe1', conditional: '#fff8c5', fail: '#ffebe9' } as const;
  const table = (head: string[], rows: string[][], rowStyle?: (i: number) => string) =>
    `<table><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr>\n${rows.map((x, i) => `<tr${rowStyle ? ` style="${rowStyle(i)}"` : ''}>${x.map((v) => `<td>${esc(v)}</td>`).join('')}</tr>`).join('\n')}</table>`;
  const charts = reviewCharts(r).map((s) => `<div class="chart">${barChartSvg(s)}</div>`).join('\n');
  return `<!doctype html><html><head><meta charset="utf-8"><title>Stage-gate review ${esc(r.inputs.model.name)} ${esc(r.inputs.gate.id)}: ${d}</title>
<style>body{font-family:sans-serif;margin:24px;max-width:1200px;color:#222}h1{font-size:22px}.decision{display:inline-block;padding:4px 14px;border-radius:6px;color:white;background:${colour};font-weight:bold}
.summary{border:2px solid ${colour};border-radius:8px;padding:8px 16px;margin:12px 0}.summary li{margin:3px 0}.headline{font-size:16px;font-weight:bold}.failed>b{color:#cf222e}.conditional>b{color:#9a6700}.passed>b{color:#1a7f37}table{border-collapse:collapse;font-size:13px;margin:8px 0}td,th{padding:3px 8px;border-bottom:1px solid #ddd;text-align:left;vertical-align:top}
th{background:#f3f3f3}.chart{margin:12px 0}.inputs{font-size:12px;color:#444}code{font-size:12px}</style></head><body>
<h1>Stage-gate review: ${esc(r.inputs.model.name)} at gate ${esc(r.inputs.gate.id)} <span class="decision">${d}</span></h1>
<p>${esc(r.inputs.gate.title)}. ${esc(r.createdAt)}, ${r.seconds.toFixed(0)} s.</p>
<div class="summary"><h2>Executive summary</h2>${summaryHtml(executiveSummary(r))}</div>
<h2>Milestones</h2>
${table(MS_HEAD, milestoneRows(r), (i) => `background:${statusCss[r.decision.milestones[i]!.status]}`)}
<h2>Charts</h2>
${charts}
${r.comparison ? `<h2>Against the baseline ${esc(r.inputs.baseline!.name)}</h2>\n${table(CMP_HEAD, comparisonRows(r), (i) => (r.comparison!.tasks[i]!.regression ? 'background:#ffebe9' : ''))}` : ''}
<h2>Cells</h2>
${table(CELL_HEAD, cellRows(r))}
<h2>Inputs</h2>
<ul class="inputs">${inputLines(r).map((l) => `<li>${esc(l)}</li>`).join('')}</ul>
</body></html>`;
}

export function writeReviewReport(out: string, r: Review): void {
  writeFileSync(join(out, 'review.json'), JSON.stringify(r, null, 1));
  writeFileSync(join(out, 'review.md'), reviewMarkdown(r));
  writeFileSync(join(out, 'review.html'), reviewHtml(r));
}
