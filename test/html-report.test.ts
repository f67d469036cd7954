import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { writeFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import sharp from 'sharp';
import { renderHtmlReport } from '../src/engines/figures/html-report.js';
import { renderVegaLiteSvg } from '../src/engines/figures/render-plot.js';
import { launchChromium } from './support/browser.js';
import { makeTempDir } from './support/paths.js';

test('a report opens offline in Chromium with its tables, figures and images, and escapes text', async () => {
  const svg = await renderVegaLiteSvg({
    data: {
      values: [
        { d: 0, y: 0.001 },
        { d: 4, y: 1.05 },
      ],
    },
    mark: 'line',
    encoding: { x: { field: 'd', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' } },
  });
  const png = await sharp({ create: { width: 8, height: 6, channels: 3, background: 'purple' } })
    .png()
    .toBuffer();
  const html = renderHtmlReport({
    title: 'Dose report <test>',
    subtitle: 'synthetic',
    sections: [
      {
        id: 'doses',
        heading: 'Dose estimates',
        tables: [
          {
            caption: 'doses',
            header: ['person', 'dose (Gy)'],
            rows: [['P1', '0.52 [0.31, 0.80]']],
          },
        ],
        figures: [
          { caption: 'curve', svg },
          { caption: 'cell', png },
        ],
      },
    ],
    footer: 'made by a test',
  });
  const dir = await makeTempDir('report');
  const path = join(dir, 'report.html');
  await writeFile(path, html);
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    const failures: string[] = [];
    page.on('pageerror', (error) => failures.push(error.message));
    page.on('requestfailed', (request) => failures.push(request.url()));
    await page.goto(pathToFileURL(path).href);
    assert.equal(await page.title(), 'Dose report <test>');
    assert.equal(await page.locator('#doses td').nth(1).textContent(), '0.52 [0.31, 0.80]');
    assert.equal(await page.locator('figure svg').count(), 1);
    const imageWidth = await page
      .locator('figure img')
      .evaluate((img) => (img as { naturalWidth: number }).naturalWidth);
    assert.equal(imageWidth, 8, 'the inline PNG decodes');
    assert.deepEqual(failures, []);
  } finally {
    await browser.close();
  }
});
