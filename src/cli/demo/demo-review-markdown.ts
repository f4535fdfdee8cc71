import { type DemoFinding, reviewAreas } from './demo-findings.js';

/** The REVIEW.md the root agent writes: every finding by area, the fixed ones marked. */
export function reviewMarkdown(findings: readonly DemoFinding[]): string {
  const fixed = findings.filter((f) => f.fix);
  const lines = [
    '# Code review: orders-api',
    '',
    `${findings.length} findings from ${reviewAreas.length} reviewers; ${fixed.length} fixed in this review, the rest are open.`,
    '',
  ];
  for (const area of reviewAreas) {
    const mine = findings.filter((f) => f.area === area);
    if (mine.length === 0) continue;
    lines.push(`## ${area[0]?.toUpperCase()}${area.slice(1)}`, '');
    for (const f of mine) {
      lines.push(`- [${f.fix ? 'x' : ' '}] \`${f.file}:${f.line}\` ${f.summary}`);
    }
    lines.push('');
  }
  return lines.join('\n');
}
