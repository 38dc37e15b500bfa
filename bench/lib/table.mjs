// A plain text table: rows of cells, the first row the header.
export function table(rows) {
  const width = rows[0].map((_, c) => Math.max(...rows.map((r) => String(r[c] ?? '').length)));
  const line = (r) => r.map((cell, c) => String(cell ?? '').padEnd(width[c])).join('  ').trimEnd();
  return [line(rows[0]), width.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}

export const fmt = (v, digits = 1) => (v === null || v === undefined || Number.isNaN(v) ? '-' : Number(v).toFixed(digits));
export const verdict = (ok) => (ok === null || ok === undefined ? 'n/a' : ok ? 'met' : 'MISSED');
