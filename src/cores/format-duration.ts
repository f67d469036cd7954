/**
 * A duration for people: `4.2s`, `42s`, `12m34s`, `3h05m`. The value is rounded
 * to the shown unit before it is split, so 119.6 s reads `2m00s`, never `1m60s`.
 */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const tenths = Math.round(Math.max(seconds, 0) * 10) / 10;
  if (tenths < 10) return `${tenths.toFixed(1)}s`;
  const whole = Math.round(seconds);
  if (whole < 60) return `${whole}s`;
  if (whole < 3600) return `${Math.floor(whole / 60)}m${pad(whole % 60)}s`;
  const minutes = Math.round(seconds / 60);
  return `${Math.floor(minutes / 60)}h${pad(minutes % 60)}m`;
}

function pad(value: number): string {
  return String(value).padStart(2, '0');
}
