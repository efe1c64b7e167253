// Charts drawn on the server as SVG: no chart library to download, nothing to run on the phone. Each chart has a text
// alternative and its numbers in a table beside it. Bar heights are scaled on bigints: an amount never becomes a float.
import { type Html, html } from '../html.js';

const width = 640;
const height = 220;
const left = 8;
const bottom = 28;
const top = 12;
const plotHeight = height - bottom - top;

/** The pixel height of `value` on a scale whose top is `max` (both whole numbers as bigints). */
function scaled(value: bigint, max: bigint): number {
  if (max <= 0n || value <= 0n) return 0;
  return Number((value * BigInt(plotHeight)) / max);
}

export interface BarSeries {
  label: string;
  swatch: 'a' | 'b';
  /** Whole minor units (or any whole quantity) per category. */
  values: bigint[];
}

/** Bars per category, one per series side by side (disbursed and repaid per month). */
export function barChart(options: { title: string; summary: string; categories: string[]; series: BarSeries[]; table: Html }): Html {
  const max = options.series.flatMap((series) => series.values).reduce((most, value) => (value > most ? value : most), 0n);
  const slot = (width - left) / Math.max(1, options.categories.length);
  const barWidth = Math.max(2, (slot * 0.8) / options.series.length);
  const colours = { a: '#0b5d4b', b: '#d97a00' } as const;
  const bars = options.series.flatMap((series, seriesIndex) =>
    series.values.map((value, index) => {
      const barHeight = scaled(value, max);
      const x = left + index * slot + slot * 0.1 + seriesIndex * barWidth;
      return html`<rect x="${x.toFixed(1)}" y="${(top + plotHeight - barHeight).toFixed(1)}" width="${barWidth.toFixed(1)}" height="${barHeight}" fill="${colours[series.swatch]}"></rect>`;
    }),
  );
  const labels = options.categories.map(
    (category, index) => html`<text x="${(left + index * slot + slot / 2).toFixed(1)}" y="${height - 6}" text-anchor="middle" font-size="15" fill="#333">${category}</text>`,
  );
  return html`<figure class="chart">
<figcaption>${options.title}</figcaption>
${options.series.length > 1 ? html`<ul class="legend">${options.series.map((series) => html`<li><span class="swatch ${series.swatch}"></span>${series.label}</li>`)}</ul>` : ''}
<svg viewBox="0 0 ${width} ${height}" role="img" aria-label="${options.summary}" focusable="false"><title>${options.summary}</title>
<line x1="${left}" y1="${top + plotHeight}" x2="${width}" y2="${top + plotHeight}" stroke="#999"></line>${bars}${labels}</svg>
${options.table}
</figure>`;
}

/** A line through points given in hundredths (a percentage "12.34" is 1234n), with a dot on each. */
export function lineChart(options: { title: string; summary: string; categories: string[]; values: (bigint | null)[]; table: Html }): Html {
  const max = options.values.reduce<bigint>((most, value) => (value !== null && value > most ? value : most), 0n);
  const ceiling = max === 0n ? 100n : max + max / 10n + 1n;
  const slot = (width - left) / Math.max(1, options.categories.length);
  const points = options.values.map((value, index) => (value === null ? null : { x: left + index * slot + slot / 2, y: top + plotHeight - scaled(value, ceiling) }));
  const path = points
    .filter((point): point is { x: number; y: number } => point !== null)
    .map((point, index) => `${index === 0 ? 'M' : 'L'}${point.x.toFixed(1)} ${point.y.toFixed(1)}`)
    .join(' ');
  const labels = options.categories.map(
    (category, index) => html`<text x="${(left + index * slot + slot / 2).toFixed(1)}" y="${height - 6}" text-anchor="middle" font-size="15" fill="#333">${category}</text>`,
  );
  return html`<figure class="chart">
<figcaption>${options.title}</figcaption>
<svg viewBox="0 0 ${width} ${height}" role="img" aria-label="${options.summary}" focusable="false"><title>${options.summary}</title>
<line x1="${left}" y1="${top + plotHeight}" x2="${width}" y2="${top + plotHeight}" stroke="#999"></line>
${path ? html`<path d="${path}" fill="none" stroke="#b00020" stroke-width="2"></path>` : ''}
${points.map((point) => (point ? html`<circle cx="${point.x.toFixed(1)}" cy="${point.y.toFixed(1)}" r="3" fill="#b00020"></circle>` : ''))}${labels}</svg>
${options.table}
</figure>`;
}

/** A percentage string ("12.34") in hundredths, for drawing. */
export function hundredths(percent: string | null): bigint | null {
  if (percent === null) return null;
  const [whole = '0', fraction = ''] = percent.split('.');
  return BigInt(whole) * 100n + BigInt((fraction + '00').slice(0, 2));
}
