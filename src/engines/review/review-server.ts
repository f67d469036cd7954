import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import Fastify, { type FastifyError, type FastifyReply } from 'fastify';
import { DicentraError } from '../../formats/dicentra-error.js';
import { CLASS_COLOURS } from '../../imaging/detection-overlay.js';
import { displayImage, reviewTile } from '../../imaging/review-tile.js';
import { caseFile } from './case-path.js';
import { REVIEW_PAGE_HTML } from './page/page-html.js';
import { readReviewCase, type ReviewCase } from './review-case.js';
import { reviewPanel } from './review-panel.js';
import { ReviewStore, type Decision } from './review-store.js';

export interface ReviewServerOptions {
  readonly caseDir: string;
  readonly host: string;
  /** 0: any free port. */
  readonly port: number;
  readonly reviewer: string;
  /** Side of a queue tile in image pixels. */
  readonly tileSide?: number;
  /** Told about cells whose image the server will not serve (outside the case folder, missing). */
  warn?(message: string): void;
}

export interface ReviewServer {
  /** The page's address, with the session token. */
  readonly url: string;
  readonly token: string;
  close(): Promise<void>;
}

/** The header every API request carries the session token in. */
export const TOKEN_HEADER = 'x-dicentra-token';

const PAGE_SCRIPT = new URL('./page/review-page.js', import.meta.url);
const PUBLIC_ROUTES = new Set(['/', '/review-page.js']);

const idParams = {
  type: 'object',
  required: ['id'],
  additionalProperties: false,
  properties: { id: { type: 'string', minLength: 1, maxLength: 1000 } },
} as const;
const message = { type: 'object', properties: { error: { type: 'string' } } } as const;

/** 4xx status of an error a request can cause; anything else is the server's fault. */
function statusOf(error: unknown): number {
  if (error instanceof DicentraError) {
    if (error.code === 'DCN_E_CASE_PATH') return 403;
    if (error.code === 'DCN_E_IMAGE_MISSING' || error.code === 'DCN_E_FILE_NOT_FOUND') return 404;
    if (error.code === 'DCN_E_IMAGE_DECODE' || error.code === 'DCN_E_IMAGE_TOO_LARGE') return 422;
    return 500;
  }
  const status = (error as FastifyError).statusCode;
  return typeof status === 'number' && status >= 400 && status < 500 ? status : 500;
}

function sameToken(given: unknown, token: Buffer): boolean {
  if (typeof given !== 'string') return false;
  const bytes = Buffer.from(given);
  return bytes.length === token.length && timingSafeEqual(bytes, token);
}

/** The case's state for the page: classes, cells, the queue in doubt order, added points, panel. */
function caseState(reviewCase: ReviewCase, store: ReviewStore, reviewer: string) {
  const review = store.snapshot();
  return {
    reviewer,
    classes: reviewCase.detections.classes,
    colours: reviewCase.detections.classes.map(
      (_, index) => CLASS_COLOURS[index % CLASS_COLOURS.length]!,
    ),
    curve: reviewCase.curve !== null,
    images: reviewCase.detections.images.map((image) => ({
      id: image.id,
      caseId: image.sampleId ?? null,
      width: image.width,
      height: image.height,
      scaleFactor: image.scaleFactor ?? 1,
      included: review.cells.get(image.id)?.included ?? true,
      reason: review.cells.get(image.id)?.reason ?? null,
    })),
    candidates: reviewCase.candidates.map((candidate) => ({
      ...candidate,
      decision: review.decisions.get(candidate.id) ?? 'unreviewed',
    })),
    added: review.added,
    panel: reviewPanel(reviewCase, review),
  };
}

/**
 * `dicentra review`: the case's review page and its API on `host:port`. Every
 * request but the page's own two must carry the session token; images and tiles come only from
 * the case folder; each change is committed to review.sqlite before the reply.
 */
export async function startReviewServer(options: ReviewServerOptions): Promise<ReviewServer> {
  const reviewCase = await readReviewCase(options.caseDir);
  const store = ReviewStore.open(reviewCase.dir, reviewCase.detectionsSha256);
  const token = randomBytes(24).toString('base64url');
  const tokenBytes = Buffer.from(token);
  const { reviewer } = options;
  const tileSide = options.tileSide ?? 160;
  const candidates = new Map(reviewCase.candidates.map((candidate) => [candidate.id, candidate]));
  const images = new Map(reviewCase.detections.images.map((image) => [image.id, image]));
  const classes = reviewCase.detections.classes;
  const pageScript = await readFile(PAGE_SCRIPT, 'utf8');
  const unserved = (
    await Promise.all(
      reviewCase.detections.images.map((image) =>
        caseFile(reviewCase.dir, image.path).then(
          () => null,
          (error: unknown) => `${image.id}: ${(error as Error).message}`,
        ),
      ),
    )
  ).filter((problem) => problem !== null);
  if (unserved.length > 0) {
    options.warn?.(
      `${unserved.length} cell image(s) cannot be shown (first: ${unserved[0]}); ` +
        'a case keeps its images inside its folder (`dicentra review --init` copies them in)',
    );
  }

  const app = Fastify({
    logger: false,
    bodyLimit: 64 * 1024,
    // an unknown key is refused, not silently dropped (fastify's default)
    ajv: { customOptions: { removeAdditional: false } },
  });
  const fail = (reply: FastifyReply, status: number, text: string) =>
    reply.code(status).send({ error: text });

  app.setErrorHandler((error, _request, reply) => {
    const status = statusOf(error);
    if (status === 500) {
      process.stderr.write(`review server: ${(error as Error).stack ?? String(error)}\n`);
      return fail(reply, 500, 'internal error; the server log says more');
    }
    return fail(reply, status, (error as Error).message);
  });
  app.setNotFoundHandler((request, reply) => fail(reply, 404, `no route ${request.url}`));
  app.addHook('onRequest', async (request, reply) => {
    // only the page and its script are public; any other path, matched or not, needs the token
    if (PUBLIC_ROUTES.has(request.routeOptions.url ?? '')) return;
    if (!sameToken(request.headers[TOKEN_HEADER], tokenBytes)) {
      return fail(reply, 401, `missing or wrong ${TOKEN_HEADER} header`);
    }
  });

  app.get('/', { schema: { querystring: { type: 'object' } } }, async (_request, reply) =>
    reply
      .type('text/html; charset=utf-8')
      .header(
        'content-security-policy',
        "default-src 'self'; img-src 'self' blob:; style-src 'self' 'unsafe-inline'",
      )
      .send(REVIEW_PAGE_HTML),
  );
  app.get('/review-page.js', async (_request, reply) =>
    reply.type('text/javascript; charset=utf-8').send(pageScript),
  );

  app.get('/api/case', async () => caseState(reviewCase, store, reviewer));

  app.post<{ Body: { detection: string; decision: Decision } }>(
    '/api/decisions',
    {
      schema: {
        body: {
          type: 'object',
          required: ['detection', 'decision'],
          additionalProperties: false,
          properties: {
            detection: { type: 'string', minLength: 1, maxLength: 1000 },
            decision: { type: 'string', enum: ['accepted', 'rejected', 'unreviewed'] },
          },
        },
        response: { 404: message },
      },
    },
    async (request, reply) => {
      const { detection, decision } = request.body;
      if (!candidates.has(detection)) return fail(reply, 404, `no detection "${detection}"`);
      store.setDecision(detection, decision, reviewer);
      return { panel: reviewPanel(reviewCase, store.snapshot()) };
    },
  );

  app.post<{ Body: { image: string; included: boolean; reason?: string } }>(
    '/api/cells',
    {
      schema: {
        body: {
          type: 'object',
          required: ['image', 'included'],
          additionalProperties: false,
          properties: {
            image: { type: 'string', minLength: 1, maxLength: 1000 },
            included: { type: 'boolean' },
            reason: { type: 'string', maxLength: 500 },
          },
        },
      },
    },
    async (request, reply) => {
      const { image, included, reason } = request.body;
      if (!images.has(image)) return fail(reply, 404, `no cell "${image}"`);
      if (!included && !reason) return fail(reply, 400, 'excluding a cell needs a reason');
      store.setCell(image, { included, reason: included ? null : reason! }, reviewer);
      return { panel: reviewPanel(reviewCase, store.snapshot()) };
    },
  );

  app.post<{ Body: { image: string; class: string; x: number; y: number } }>(
    '/api/added',
    {
      schema: {
        body: {
          type: 'object',
          required: ['image', 'class', 'x', 'y'],
          additionalProperties: false,
          properties: {
            image: { type: 'string', minLength: 1, maxLength: 1000 },
            class: { type: 'string', minLength: 1, maxLength: 100 },
            x: { type: 'number' },
            y: { type: 'number' },
          },
        },
      },
    },
    async (request, reply) => {
      const { image, class: name, x, y } = request.body;
      const cell = images.get(image);
      if (!cell) return fail(reply, 404, `no cell "${image}"`);
      if (!classes.includes(name)) {
        return fail(reply, 400, `no class "${name}"; the classes are ${classes.join(', ')}`);
      }
      if (!(x >= 0 && x <= cell.width && y >= 0 && y <= cell.height)) {
        return fail(reply, 400, `(${x}, ${y}) lies outside the ${cell.width}×${cell.height} cell`);
      }
      const id = store.addPoint({ image, class: name, x, y, reviewer });
      return { id, panel: reviewPanel(reviewCase, store.snapshot()) };
    },
  );

  app.delete<{ Params: { id: string } }>(
    '/api/added/:id',
    {
      schema: {
        params: {
          type: 'object',
          required: ['id'],
          additionalProperties: false,
          properties: { id: { type: 'integer', minimum: 1 } },
        },
      },
    },
    async (request, reply) => {
      const id = Number(request.params.id);
      if (!store.removePoint(id, reviewer)) return fail(reply, 404, `no added point ${id}`);
      return { panel: reviewPanel(reviewCase, store.snapshot()) };
    },
  );

  app.get<{ Params: { id: string } }>(
    '/api/tiles/:id',
    { schema: { params: idParams } },
    async (request, reply) => {
      const candidate = candidates.get(request.params.id);
      if (!candidate) return fail(reply, 404, `no detection "${request.params.id}"`);
      const image = images.get(candidate.image)!;
      const png = await reviewTile({
        imagePath: await caseFile(reviewCase.dir, image.path),
        width: image.width,
        height: image.height,
        x: candidate.x,
        y: candidate.y,
        side: tileSide,
        colour: CLASS_COLOURS[classes.indexOf(candidate.class) % CLASS_COLOURS.length]!,
      });
      return reply.type('image/png').send(png);
    },
  );

  app.get<{ Params: { id: string } }>(
    '/api/images/:id',
    { schema: { params: idParams } },
    async (request, reply) => {
      const image = images.get(request.params.id);
      if (!image) return fail(reply, 404, `no cell "${request.params.id}"`);
      const png = await displayImage(await caseFile(reviewCase.dir, image.path));
      return reply.type('image/png').send(png);
    },
  );

  try {
    await app.listen({ host: options.host, port: options.port });
  } catch (error) {
    store.close();
    throw new DicentraError(
      'DCN_E_OPTION_INVALID',
      `cannot listen on ${options.host}:${options.port} (${(error as Error).message})`,
      { field: '--port', hint: 'choose another --port, or --port 0 for any free one' },
    );
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `http://${host}:${port}/?token=${token}`,
    token,
    close: async () => {
      await app.close();
      store.close();
    },
  };
}
