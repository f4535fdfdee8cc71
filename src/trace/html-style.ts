// The HTML report's stylesheet: inline, system fonts only, no images.

const stripes = (dark: string, light: string) =>
  `repeating-linear-gradient(135deg, ${dark} 0 3px, ${light} 3px 6px)`;

export const reportCss = `
:root {
  --label-w: 340px; --note-w: 88px; --row-h: 22px;
  --ink: #1f2937; --muted: #6b7280; --line: #e5e7eb; --bg: #ffffff; --panel: #f8fafc;
  --conflicts: #d99a06; --approval: #8b5cf6; --slot: #3b82f6; --model: #4f46e5; --other: #cbd5e1;
  --success: #16a34a; --error: #dc2626; --timeout: #ea580c; --denied: #9f1239;
  --cancelled: #6b7280; --unknown: #111827;
}
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body {
  margin: 0; padding: 20px 24px 48px; color: var(--ink); background: var(--bg);
  font: 13px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
}
code, .mono { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, "DejaVu Sans Mono", monospace; font-size: 12px; }
h1 { font-size: 20px; margin: 0 0 2px; }
h2 { font-size: 14px; margin: 22px 0 8px; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); }
.sub { color: var(--muted); margin: 0 0 14px; }
.sub .count { margin-right: 10px; white-space: nowrap; }
.cards { display: flex; flex-wrap: wrap; gap: 10px; margin: 0; }
.card { background: var(--panel); border: 1px solid var(--line); border-radius: 8px; padding: 8px 14px; min-width: 116px; }
.card dt { color: var(--muted); font-size: 11px; text-transform: uppercase; letter-spacing: .04em; }
.card dd { margin: 2px 0 0; font-size: 18px; font-weight: 600; font-variant-numeric: tabular-nums; }
.card.wait dd::before { content: ""; display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 6px; }
.card.w-conflicts dd::before { background: ${stripes('var(--conflicts)', '#fde68a')}; }
.card.w-approval dd::before { background: ${stripes('var(--approval)', '#ddd6fe')}; }
.card.w-slot dd::before { background: ${stripes('var(--slot)', '#bfdbfe')}; }
.card small { display: block; color: var(--muted); font-size: 11px; white-space: nowrap; }
.card dt, .card dd { white-space: nowrap; }
.cards.lost { margin-top: 10px; }
.cards.lost .card { padding: 6px 12px; }
.cards.lost .card dd { font-size: 15px; }
.card.c dd::before { content: ""; display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 6px; }
.k-model, .card.c-model dd::before { background: var(--model); }
.k-tools, .card.c-tools dd::before { background: var(--success); }
.k-waits, .card.c-waits dd::before { background: ${stripes('var(--approval)', '#ddd6fe')}; }
.k-other { background: var(--other); }
.headline { margin: 0 0 10px; font-size: 14px; font-weight: 600; }
.split { margin: 0 0 12px; max-width: 960px; }
.split-bar { display: flex; height: 12px; border-radius: 3px; overflow: hidden; background: var(--line); }
.split-bar span { display: block; height: 100%; min-width: 1px; }
.split-key { display: flex; flex-wrap: wrap; gap: 4px 16px; margin-top: 5px; color: var(--muted); font-size: 12px; }
.split-key span { display: inline-flex; align-items: center; gap: 6px; white-space: nowrap; font-variant-numeric: tabular-nums; }
.split-key i { display: inline-block; width: 10px; height: 10px; border-radius: 2px; }
.advice { margin: 12px 0 0; padding: 8px 12px; border-left: 4px solid var(--slot); background: #eff6ff; border-radius: 0 6px 6px 0; font-weight: 500; }
.details { display: flex; flex-wrap: wrap; gap: 8px 40px; margin-top: 10px; }
.details h3 { margin: 0 0 2px; font-size: 11px; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); }
.details ul { margin: 0; padding: 0; list-style: none; font-variant-numeric: tabular-nums; }
.details li { white-space: nowrap; max-width: 440px; overflow: hidden; text-overflow: ellipsis; }
.turns code { display: inline-block; max-width: 26ch; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; vertical-align: top; }
.limits { color: var(--muted); margin: 10px 0 0; }
.table-wrap { overflow-x: auto; }
table.turns { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
table.turns th, table.turns td { text-align: right; padding: 4px 8px; border-bottom: 1px solid var(--line); white-space: nowrap; }
table.turns th { font-size: 11px; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); font-weight: 600; }
table.turns th:nth-child(-n+2), table.turns td:nth-child(-n+2) { text-align: left; }
table.turns .path { white-space: normal; text-align: left; min-width: 12ch; }
table.turns td.path .who { display: inline-block; max-width: 24ch; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; vertical-align: top; }
.legend { display: flex; flex-wrap: wrap; gap: 6px 16px; margin: 18px 0 8px; color: var(--muted); }
.legend span { display: inline-flex; align-items: center; gap: 6px; white-space: nowrap; }
.legend i { display: inline-block; width: 22px; height: 10px; border-radius: 2px; position: relative; }
.legend i.crit-key { background: #e5e7eb; outline: 2px solid var(--ink); outline-offset: 1px; }
.gantt { border: 1px solid var(--line); border-radius: 8px; }
.axis, .row { display: grid; grid-template-columns: var(--label-w) minmax(0, 1fr) var(--note-w); }
.axis { position: sticky; top: 0; z-index: 3; background: var(--bg); border-bottom: 1px solid var(--line); height: 28px; border-radius: 8px 8px 0 0; }
.axis .head { padding: 6px 10px; font-weight: 600; color: var(--muted); font-size: 11px; text-transform: uppercase; letter-spacing: .04em; }
.track { position: relative; height: 100%; min-width: 0; }
.tick { position: absolute; bottom: 4px; transform: translateX(-50%); color: var(--muted); font-size: 11px; white-space: nowrap; font-variant-numeric: tabular-nums; }
.tick.first { transform: none; }
.tick.last { transform: translateX(-100%); }
.tick::after { content: ""; position: absolute; left: 50%; bottom: -5px; height: 4px; border-left: 1px solid #9ca3af; }
.tick.first::after { left: 0; }
.tick.last::after { left: auto; right: 0; }
.rows { position: relative; }
.grid { position: absolute; top: 0; bottom: 0; left: var(--label-w); right: var(--note-w); pointer-events: none; }
.grid i { position: absolute; top: 0; bottom: 0; border-left: 1px solid #eef0f3; }
.row { height: var(--row-h); align-items: center; }
.row .label { display: flex; align-items: center; gap: 6px; padding: 0 10px; overflow: hidden; white-space: nowrap; height: 100%; line-height: var(--row-h); border-right: 1px solid var(--line); min-width: 0; }
.label > * { flex: none; }
.label .name, .label .id, .label .agent { flex: 0 1 auto; min-width: 3ch; overflow: hidden; text-overflow: ellipsis; }
/* What matters most keeps its room: the tool and the agent; the id and the model give way first. */
.label .name, .label .agent { flex-shrink: 0; max-width: 72%; }
.row.call:hover { background: #f3f4f6; }
.row.turn { height: 28px; background: var(--panel); border-top: 1px solid var(--line); }
.row.turn:first-child { border-top: 0; }
.row.turn .label { line-height: 28px; font-weight: 600; }
.row.turn .label .kind { font-weight: 400; color: var(--muted); font-size: 11px; flex: 0 100 auto; min-width: 0; overflow: hidden; text-overflow: ellipsis; }
.row.turn.nested { background: #f5f3ff; }
.turn-span { position: absolute; top: 50%; height: 6px; margin-top: -3px; border: 1px solid #9ca3af; border-top: 0; min-width: 2px; }
.label .icon { display: inline-block; width: 14px; text-align: center; font-weight: 700; }
.label .id { color: var(--muted); }
.label .name { font-weight: 500; }
.row.crit .label .name { font-weight: 700; }
.badge { font-size: 10px; line-height: 14px; color: var(--bg); background: var(--ink); border-radius: 3px; padding: 0 4px; }
.nest { display: inline-block; color: #a78bfa; }
.muted { color: #9ca3af; font-weight: 400; }
.bar, .mbar { position: absolute; top: 4px; bottom: 4px; min-width: 2px; background: #e5e7eb; border-radius: 2px; cursor: default; }
.mbar { top: 7px; bottom: 7px; }
.bar:focus, .mbar:focus { outline: 2px solid var(--slot); outline-offset: 2px; }
.mbar.m-failed { box-shadow: inset -3px 0 0 var(--error); }
.bar.crit { outline: 2px solid var(--ink); outline-offset: 1px; }
.seg { position: absolute; top: 0; bottom: 0; min-width: 1px; }
.seg.upper { bottom: 50%; }
.seg.lower { top: 50%; }
.p-queued { background: ${stripes('#9ca3af', '#e5e7eb')}; }
.p-conflicts { background: ${stripes('var(--conflicts)', '#fde68a')}; }
.p-approval { background: ${stripes('var(--approval)', '#ddd6fe')}; }
.p-slot { background: ${stripes('var(--slot)', '#bfdbfe')}; }
.p-running { background: var(--status); }
.p-subagent { background: color-mix(in srgb, var(--status) 28%, white); box-shadow: inset 0 0 0 1px var(--status); }
.p-model-queued { background: ${stripes('var(--slot)', '#bfdbfe')}; }
.p-first-token { background: ${stripes('var(--model)', '#c7d2fe')}; }
.p-streaming { background: var(--model); }
.p-shared { background: transparent; border: 1px dashed var(--status); }
.s-success { --status: var(--success); }
.s-error { --status: var(--error); }
.s-timeout { --status: var(--timeout); }
.s-denied { --status: var(--denied); }
.s-cancelled { --status: var(--cancelled); }
.s-unknown { --status: var(--unknown); }
.bar.no-run::after { content: ""; position: absolute; top: -2px; bottom: -2px; right: -1px; width: 3px; border-radius: 1px; background: var(--status); }
.note { position: absolute; left: 100%; margin-left: 6px; top: 50%; transform: translateY(-50%); font-size: 11px; font-weight: 600; white-space: nowrap; color: var(--status); pointer-events: none; }
.icon { color: var(--status); }
.tip { display: none; position: absolute; top: calc(100% + 8px); left: 0; z-index: 10; min-width: 280px; max-width: 460px;
  background: #111827; color: #f9fafb; border-radius: 6px; padding: 8px 10px; font-size: 12px; line-height: 1.5;
  box-shadow: 0 6px 20px rgba(0,0,0,.25); pointer-events: none; white-space: normal; overflow-wrap: break-word; }
.tip-left .tip { left: auto; right: 0; }
.row.call:hover .tip, .row.turn:hover .tip, .bar:focus .tip, .mbar:focus .tip { display: block; }
.tip code { color: #fde68a; font-size: 11px; }
.tip-head { margin-bottom: 4px; }
.tip dl { display: grid; grid-template-columns: max-content 1fr; gap: 0 12px; margin: 0; }
.tip dt { color: #9ca3af; }
.tip dd { margin: 0; font-variant-numeric: tabular-nums; }
.tip-crit { margin-top: 4px; color: #fbbf24; font-weight: 600; }
.pill { display: inline-block; border-radius: 9px; padding: 0 7px; font-size: 11px; font-weight: 600; color: #fff; background: var(--status); }
.empty { padding: 24px; color: var(--muted); text-align: center; }
.foot { color: var(--muted); margin-top: 14px; font-size: 12px; }
@media print { .axis { position: static; } .tip { display: none !important; } }
`;
