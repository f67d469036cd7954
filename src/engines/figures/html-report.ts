/**
 * A self-contained HTML report: inline CSS, inline SVG figures and images as
 * data URIs, no script and no external resource, so it opens offline and can
 * be archived or mailed as one file.
 */

export interface ReportTable {
  readonly caption: string;
  readonly header: readonly string[];
  readonly rows: readonly (readonly (string | number)[])[];
}

export interface ReportFigure {
  readonly caption: string;
  /** An SVG document (from renderVegaLiteSvg) or a PNG image. */
  readonly svg?: string;
  readonly png?: Uint8Array;
}

export interface ReportSection {
  readonly id: string;
  readonly heading: string;
  readonly paragraphs?: readonly string[];
  /** Verbatim text blocks (e.g. a Markdown table written by another command). */
  readonly preformatted?: readonly string[];
  readonly tables?: readonly ReportTable[];
  readonly figures?: readonly ReportFigure[];
}

export interface Report {
  readonly title: string;
  readonly subtitle: string;
  readonly sections: readonly ReportSection[];
  readonly footer: string;
}

function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );
}

function renderTable(table: ReportTable): string {
  const head = table.header.map((cell) => `<th>${escapeHtml(cell)}</th>`).join('');
  const body = table.rows
    .map((row) => `<tr>${row.map((cell) => `<td>${escapeHtml(String(cell))}</td>`).join('')}</tr>`)
    .join('\n');
  return `<table><caption>${escapeHtml(table.caption)}</caption><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
}

function renderFigure(figure: ReportFigure): string {
  const content = figure.svg
    ? figure.svg.replace(/^<\?xml[^>]*>/, '')
    : figure.png
      ? `<img alt="${escapeHtml(figure.caption)}" src="data:image/png;base64,${Buffer.from(figure.png).toString('base64')}">`
      : '';
  return `<figure>${content}<figcaption>${escapeHtml(figure.caption)}</figcaption></figure>`;
}

const STYLE = `
body{font:15px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:1100px;padding:0 1rem;color:#222}
h1{margin-bottom:.2rem}.subtitle{color:#555;margin-top:0}
section{margin:2rem 0;border-top:1px solid #ddd}
table{border-collapse:collapse;margin:1rem 0}caption{text-align:left;font-weight:600;padding:.3rem 0}
td,th{border:1px solid #ccc;padding:.25rem .6rem;text-align:right}th{background:#f3f3f3}
td:first-child,th:first-child{text-align:left}
figure{display:inline-block;margin:1rem 1rem 1rem 0;vertical-align:top}
figure img{max-width:520px;border:1px solid #ccc}figcaption{color:#555;font-size:13px;max-width:520px}
pre{background:#f7f7f7;padding:.6rem;overflow-x:auto;font-size:13px}
footer{color:#777;font-size:13px;border-top:1px solid #ddd;padding-top:1rem}`;

export function renderHtmlReport(report: Report): string {
  const nav = report.sections
    .map((s) => `<a href="#${s.id}">${escapeHtml(s.heading)}</a>`)
    .join(' · ');
  const sections = report.sections
    .map(
      (section) =>
        `<section id="${section.id}"><h2>${escapeHtml(section.heading)}</h2>` +
        (section.paragraphs ?? []).map((p) => `<p>${escapeHtml(p)}</p>`).join('') +
        (section.preformatted ?? []).map((text) => `<pre>${escapeHtml(text)}</pre>`).join('') +
        (section.tables ?? []).map(renderTable).join('') +
        (section.figures ?? []).map(renderFigure).join('') +
        `</section>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(report.title)}</title>
<meta name="viewport" content="width=device-width,initial-scale=1"><style>${STYLE}</style></head>
<body><h1>${escapeHtml(report.title)}</h1><p class="subtitle">${escapeHtml(report.subtitle)}</p>
<nav>${nav}</nav>
${sections}
<footer>${escapeHtml(report.footer)}</footer></body></html>
`;
}
