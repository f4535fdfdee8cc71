export interface ProgressFigures {
  progress?: number;
  total?: number;
  message?: string;
}

function finite(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/**
 * The figures of a progress report: `3/10` for counts, `45%` for fractions or a total of 100,
 * the bare number without a total, `''` without a usable number. The message is not included.
 */
export function formatFigures(info: ProgressFigures | undefined): string {
  if (!info || !finite(info.progress)) return '';
  const { progress, total } = info;
  if (finite(total) && total > 0) {
    if (Number.isInteger(progress) && Number.isInteger(total) && total !== 100 && total !== 1) {
      return `${progress}/${total}`;
    }
    const percent = Math.floor((Math.min(Math.max(progress, 0), total) / total) * 100);
    return `${percent}%`;
  }
  return Number.isInteger(progress) ? String(progress) : progress.toFixed(1);
}

/** Figures and message together (`45% scanning src`), `''` when there is neither. */
export function formatProgress(info: ProgressFigures | undefined): string {
  const figures = formatFigures(info);
  const message = info?.message ?? '';
  return figures && message ? `${figures} ${message}` : figures || message;
}
