// Text helpers of the HTML report: escaping and number formatting.

const entities: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/**
 * Escapes a value for HTML text and for quoted attribute values. Everything that comes from a
 * trace (ids, tool names, paths, limit names) can come from a model and goes through here.
 */
export function escapeHtml(value: unknown): string {
  let text: string;
  try {
    text = String(value);
  } catch {
    text = '';
  }
  return text.replace(/[&<>"']/g, (c) => entities[c] as string);
}

/**
 * A duration as precise as a reader needs: `0.4 ms`, `213 ms`, `2.13 s`, `21.3 s`, `2 min 13 s`;
 * `—` when not a finite number.
 */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return '—';
  const abs = Math.abs(ms);
  const sign = ms < 0 ? '-' : '';
  if (abs === 0) return '0 ms';
  if (abs < 0.1) return `${sign}<0.1 ms`;
  if (abs < 10) return `${sign}${abs.toFixed(1)} ms`;
  if (abs < 999.5) return `${sign}${Math.round(abs)} ms`;
  if (abs < 9995) return `${sign}${(abs / 1000).toFixed(2)} s`;
  if (abs < 59_950) return `${sign}${(abs / 1000).toFixed(1)} s`;
  const s = Math.round(abs / 1000);
  return `${sign}${Math.floor(s / 60)} min ${s % 60} s`;
}

/** `850`, `12.4k`, `1.2M` tokens. */
export function formatCount(n: number): string {
  if (!Number.isFinite(n)) return '—';
  if (n < 1000) return String(Math.round(n));
  if (n < 999_500) return `${(n / 1000).toFixed(n < 9950 ? 1 : 0)}k`;
  return `${(n / 1e6).toFixed(1)}M`;
}

/** `2.4×` */
export function formatRatio(ratio: number): string {
  return Number.isFinite(ratio) ? `${ratio.toFixed(1)}×` : '—';
}

/** `87%` */
export function formatPercent(fraction: number): string {
  return Number.isFinite(fraction) ? `${Math.round(fraction * 100)}%` : '—';
}

/** A limit's capacity: `∞` for unbounded. */
export function formatCapacity(capacity: number): string {
  return Number.isFinite(capacity) ? String(capacity) : '∞';
}

/** A number for a `data-*` attribute or a CSS length: finite, at most `digits` decimals. */
export function num(value: number, digits = 3): string {
  if (!Number.isFinite(value)) return '0';
  const rounded = Number(value.toFixed(digits));
  return String(Object.is(rounded, -0) ? 0 : rounded);
}

/** Ticks of a time axis over [0, span]: a 1-2-5 step giving about `target` intervals. */
export function axisTicks(spanMs: number, target = 8): { step: number; ticks: number[] } {
  if (!Number.isFinite(spanMs) || spanMs <= 0) return { step: 0, ticks: [0] };
  const raw = spanMs / target;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const residual = raw / magnitude;
  const step = (residual <= 1 ? 1 : residual <= 2 ? 2 : residual <= 5 ? 5 : 10) * magnitude;
  // Spans too small for a power of ten (subnormal doubles): the span itself is the one step.
  if (!(step > 0 && Number.isFinite(step))) return { step: spanMs, ticks: [0, spanMs] };
  const ticks: number[] = [];
  // Count the ticks first: near the largest double, `spanMs * (1 + 1e-9)` is Infinity and a
  // bound on `i * step` would never end. Multiply rather than accumulate: no drift.
  const last = Math.floor((spanMs / step) * (1 + 1e-9));
  for (let i = 0; i <= last; i++) ticks.push(i * step);
  return { step, ticks };
}

/** A tick label: milliseconds below 2 s of span, seconds above, with the decimals `step` needs. */
export function formatTick(ms: number, step: number, spanMs: number): string {
  const inSeconds = spanMs >= 2000;
  const value = inSeconds ? ms / 1000 : ms;
  const unitStep = inSeconds ? step / 1000 : step;
  const decimals = unitStep >= 1 ? 0 : Math.min(6, Math.ceil(-Math.log10(unitStep) - 1e-9));
  return `${value.toFixed(decimals)} ${inSeconds ? 's' : 'ms'}`;
}
