import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomic } from '../../formats/atomic-write.js';
import { DicentraError } from '../../formats/dicentra-error.js';

/** Debian's Chromium; DICENTRA_CHROMIUM names another. */
export const CHROMIUM = process.env['DICENTRA_CHROMIUM'] ?? '/usr/bin/chromium';

/** Headless, with no network chatter: the report is printed offline. */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Prints a self-contained HTML page to PDF (A4) with Chromium through
 * playwright-core, in a fresh profile removed afterwards; written atomically.
 */
export async function printPdf(html: string, out: string): Promise<void> {
  let chromium;
  try {
    ({ chromium } = await import('playwright-core'));
  } catch (error) {
    throw new DicentraError('DCN_E_PDF_UNAVAILABLE', 'playwright-core is not installed', {
      field: '--pdf',
      hint: 'install dicentra with its development dependencies (npm ci), or print report.html from a browser',
      cause: error,
    });
  }
  const profile = await mkdtemp(join(tmpdir(), 'dicentra-chromium-'));
  try {
    let context;
    try {
      context = await chromium.launchPersistentContext(profile, {
        executablePath: CHROMIUM,
        args: CHROMIUM_ARGS,
        headless: true,
      });
    } catch (error) {
      throw new DicentraError(
        'DCN_E_PDF_UNAVAILABLE',
        `Chromium (${CHROMIUM}) could not be started`,
        {
          field: '--pdf',
          hint: 'install Debian’s chromium (apt-get install chromium) or set DICENTRA_CHROMIUM to a Chromium binary',
          cause: error,
        },
      );
    }
    try {
      const page = await context.newPage();
      // no request leaves the page: the report is self-contained
      await page.route('**/*', (route) => route.abort());
      await page.setContent(html, { waitUntil: 'load' });
      const pdf = await page.pdf({
        format: 'A4',
        printBackground: true,
        margin: { top: '15mm', bottom: '15mm', left: '12mm', right: '12mm' },
      });
      await writeFileAtomic(out, pdf);
    } catch (error) {
      if (error instanceof DicentraError) throw error;
      throw new DicentraError(
        'DCN_E_PDF_FAILED',
        `printing ${out} failed: ${(error as Error).message}`,
        {
          file: out,
          field: '--pdf',
          hint: 'the HTML report is written; print it from a browser',
          cause: error,
        },
      );
    } finally {
      await context.close();
    }
  } finally {
    await rm(profile, { recursive: true, force: true });
  }
}
