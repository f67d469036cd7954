import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { copyFile, readFile, rm, symlink, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { DicentraError } from '../src/formats/dicentra-error.js';
import { startReviewServer, type ReviewServer } from '../src/engines/review/review-server.js';
import { makeTempDir } from './support/paths.js';
import { writeReviewCase } from './support/review-case.js';
import { runCli } from './support/run-cli.js';

async function serve(caseDir: string): Promise<ReviewServer> {
  return startReviewServer({ caseDir, host: '127.0.0.1', port: 0, reviewer: 'tester' });
}

/** A request to the server with the session token unless `token` says otherwise. */
async function call(
  server: ReviewServer,
  method: string,
  path: string,
  options: { body?: string; token?: string | null; type?: string } = {},
): Promise<{ status: number; text: string }> {
  const token = options.token === undefined ? server.token : options.token;
  const response = await fetch(new URL(path, server.url), {
    method,
    headers: {
      ...(token === null ? {} : { 'x-dicentra-token': token }),
      ...(options.body === undefined ? {} : { 'content-type': options.type ?? 'application/json' }),
    },
    ...(options.body === undefined ? {} : { body: options.body }),
  });
  return { status: response.status, text: await response.text() };
}

/** A 4xx with a JSON `error` message and no stack trace. */
function assertClientError(
  reply: { status: number; text: string },
  status: number,
  pattern: RegExp,
) {
  assert.equal(reply.status, status, reply.text);
  const { error } = JSON.parse(reply.text) as { error: string };
  assert.match(error, pattern);
  assert.doesNotMatch(reply.text, /\n\s+at |\.js:\d+/);
}

test('every API request needs the session token; without it nothing is read or changed', async () => {
  const dir = await makeTempDir('review-token');
  await writeReviewCase(dir);
  const server = await serve(dir);
  try {
    assertClientError(await call(server, 'GET', '/api/case', { token: null }), 401, /token/);
    assertClientError(await call(server, 'GET', '/api/case', { token: 'guess' }), 401, /token/);
    assertClientError(await call(server, 'GET', '/api/images/c1', { token: null }), 401, /token/);
    assertClientError(await call(server, 'GET', '/x/../api/case', { token: null }), 401, /token/);
    assertClientError(await call(server, 'GET', '/nowhere', { token: null }), 401, /token/);
    const body = JSON.stringify({ detection: 'c2/dicentric/0', decision: 'rejected' });
    assertClientError(
      await call(server, 'POST', '/api/decisions', { body, token: null }),
      401,
      /token/,
    );
    const state = JSON.parse((await call(server, 'GET', '/api/case')).text) as {
      candidates: { decision: string }[];
    };
    assert.ok(state.candidates.every((candidate) => candidate.decision === 'unreviewed'));
    // the page itself carries no case data and is served without the token
    const page = await call(server, 'GET', '/', { token: null });
    assert.equal(page.status, 200);
    assert.doesNotMatch(page.text, /c2\/dicentric/);
  } finally {
    await server.close();
  }
});

test('images and tiles come only from the case folder: .., absolute paths and outside links are refused', async () => {
  const dir = await makeTempDir('review-paths');
  const outside = join(dir, 'outside.png');
  const caseDir = join(dir, 'case');
  await writeReviewCase(caseDir, {
    c2: '../outside.png',
    c3: outside,
    c4: 'images/link.png',
  });
  await copyFile(join(caseDir, 'images', 'c1.png'), outside);
  await symlink(outside, join(caseDir, 'images', 'link.png'));
  const warnings: string[] = [];
  const server = await startReviewServer({
    ...{ caseDir, host: '127.0.0.1', port: 0, reviewer: 'tester' },
    warn: (message) => warnings.push(message),
  });
  try {
    assert.equal(warnings.length, 1);
    assert.match(
      warnings[0]!,
      /^3 cell image\(s\) cannot be shown \(first: c2: \.\.\/outside\.png climbs/,
    );
    const ok = await fetch(new URL('/api/images/c1', server.url), {
      headers: { 'x-dicentra-token': server.token },
    });
    assert.equal(ok.status, 200);
    const png = Buffer.from(await ok.arrayBuffer());
    assert.deepEqual([...png.subarray(1, 4)], [0x50, 0x4e, 0x47]); // "PNG"
    assertClientError(await call(server, 'GET', '/api/images/c2'), 403, /climbs out/);
    assertClientError(await call(server, 'GET', '/api/tiles/c2%2Fdicentric%2F0'), 403, /climbs/);
    assertClientError(await call(server, 'GET', '/api/images/c3'), 403, /absolute/);
    assertClientError(await call(server, 'GET', '/api/images/c4'), 403, /link resolving outside/);
    assertClientError(await call(server, 'GET', '/api/tiles/c4%2Fdicentric%2F0'), 403, /link/);
    assertClientError(
      await call(server, 'GET', '/api/images/..%2F..%2Fetc%2Fpasswd'),
      404,
      /no cell/,
    );
    // a raw request line with .. (fetch would normalise it away)
    const raw = await new Promise<number>((resolve, reject) => {
      const url = new URL(server.url);
      request(
        {
          host: url.hostname,
          port: url.port,
          path: '/api/images/../../../etc/passwd',
          headers: { 'x-dicentra-token': server.token },
        },
        (response) => {
          response.resume();
          resolve(response.statusCode!);
        },
      )
        .on('error', reject)
        .end();
    });
    assert.equal(raw, 404);
  } finally {
    await server.close();
  }
});

test('malformed JSON, unknown ids and bad values get a 4xx with a message, never a 500 or a stack', async () => {
  const dir = await makeTempDir('review-input');
  await writeReviewCase(dir);
  const server = await serve(dir);
  const post = (path: string, body: string, type?: string) =>
    call(server, 'POST', path, { body, ...(type ? { type } : {}) });
  try {
    assertClientError(await post('/api/decisions', '{bad'), 400, /JSON/);
    assertClientError(
      await post(
        '/api/decisions',
        JSON.stringify({ detection: 'c9/dicentric/0', decision: 'accepted' }),
      ),
      404,
      /no detection "c9\/dicentric\/0"/,
    );
    assertClientError(
      await post(
        '/api/decisions',
        JSON.stringify({ detection: 'c1/dicentric/0', decision: 'maybe' }),
      ),
      400,
      /decision/,
    );
    assertClientError(
      await post(
        '/api/decisions',
        JSON.stringify({ detection: 'c1/dicentric/0', decision: 'accepted', extra: 1 }),
      ),
      400,
      /additional/,
    );
    assertClientError(await post('/api/decisions', '{}'), 400, /detection/);
    assertClientError(
      await post('/api/decisions', 'detection=x', 'text/plain'),
      400,
      /body must be object/,
    );
    assertClientError(
      await post('/api/added', JSON.stringify({ image: 'c1', class: 'dicentric', x: 40, y: 3 })),
      400,
      /outside the 32×32 cell/,
    );
    assertClientError(
      await post('/api/added', JSON.stringify({ image: 'c1', class: 'ring', x: 4, y: 3 })),
      400,
      /no class "ring"/,
    );
    assertClientError(
      await post('/api/added', JSON.stringify({ image: 'c7', class: 'dicentric', x: 4, y: 3 })),
      404,
      /no cell "c7"/,
    );
    assertClientError(
      await post('/api/cells', JSON.stringify({ image: 'c1', included: false })),
      400,
      /reason/,
    );
    assertClientError(await call(server, 'DELETE', '/api/added/abc'), 400, /integer/);
    assertClientError(await call(server, 'DELETE', '/api/added/999'), 404, /no added point 999/);
    assertClientError(await call(server, 'GET', '/api/tiles/nothing'), 404, /no detection/);
    assertClientError(await call(server, 'GET', '/api/nowhere'), 404, /no route/);
    assertClientError(await post('/api/decisions', 'x'.repeat(70_000)), 413, /large/);
  } finally {
    await server.close();
  }
});

test('one server per case: a second is refused while the first lives, in-process and from the CLI', async () => {
  const dir = await makeTempDir('review-lock');
  await writeReviewCase(dir);
  const server = await serve(dir);
  try {
    await assert.rejects(serve(dir), (error: unknown) => {
      assert.ok(error instanceof DicentraError);
      assert.equal(error.code, 'DCN_E_REVIEW_LOCKED');
      assert.match(error.message, new RegExp(`pid ${process.pid}`));
      return true;
    });
    const second = await runCli(['review', '--case', dir]);
    assert.equal(second.code, 2);
    assert.match(second.stderr, /DCN_E_REVIEW_LOCKED/);
    assert.equal(second.stdout, '');
  } finally {
    await server.close();
  }
  // closed: the lock is released
  await (await serve(dir)).close();
});

test('the audit trail records every change and refuses to be rewritten', async () => {
  const dir = await makeTempDir('review-audit');
  await writeReviewCase(dir);
  const server = await serve(dir);
  const post = (path: string, value: unknown) =>
    call(server, 'POST', path, { body: JSON.stringify(value) });
  let id: number;
  try {
    assert.equal(
      (await post('/api/decisions', { detection: 'c1/dicentric/0', decision: 'accepted' })).status,
      200,
    );
    assert.equal(
      (await post('/api/decisions', { detection: 'c1/dicentric/0', decision: 'rejected' })).status,
      200,
    );
    const added = await post('/api/added', { image: 'c3', class: 'fragment', x: 3, y: 4 });
    ({ id } = JSON.parse(added.text) as { id: number });
    assert.equal((await call(server, 'DELETE', `/api/added/${id}`)).status, 200);
    assert.equal(
      (await post('/api/cells', { image: 'c2', included: false, reason: 'blur' })).status,
      200,
    );
  } finally {
    await server.close();
  }
  const db = new Database(join(dir, 'review.sqlite'), { readonly: false });
  try {
    const rows = db
      .prepare('SELECT reviewer, action, target, before, after FROM audit ORDER BY seq')
      .all();
    assert.deepEqual(rows, [
      {
        reviewer: 'tester',
        action: 'decision',
        target: 'c1/dicentric/0',
        before: '"unreviewed"',
        after: '"accepted"',
      },
      {
        reviewer: 'tester',
        action: 'decision',
        target: 'c1/dicentric/0',
        before: '"accepted"',
        after: '"rejected"',
      },
      {
        reviewer: 'tester',
        action: 'add',
        target: `added/${id}`,
        before: null,
        after: '{"image":"c3","class":"fragment","x":3,"y":4}',
      },
      { reviewer: 'tester', action: 'remove', target: `added/${id}`, before: null, after: null },
      {
        reviewer: 'tester',
        action: 'cell',
        target: 'c2',
        before: '{"included":true}',
        after: '{"included":false,"reason":"blur"}',
      },
    ]);
    assert.throws(
      () => db.prepare("UPDATE audit SET reviewer = 'someone else'").run(),
      /append-only/,
    );
    assert.throws(() => db.prepare('DELETE FROM audit').run(), /append-only/);
  } finally {
    db.close();
  }
});

test('a corrupt review.sqlite gives a clear error and is left byte for byte as it was', async () => {
  const dir = await makeTempDir('review-corrupt');
  await writeReviewCase(dir);
  const store = join(dir, 'review.sqlite');
  const garbage = Buffer.from('this is not a SQLite database, just some bytes\n'.repeat(50));
  await writeFile(store, garbage);
  await assert.rejects(serve(dir), (error: unknown) => {
    assert.ok(error instanceof DicentraError);
    assert.equal(error.code, 'DCN_E_REVIEW_CORRUPT');
    assert.equal(error.file, store);
    return true;
  });
  const cli = await runCli(['review', '--case', dir]);
  assert.equal(cli.code, 3);
  assert.match(cli.stderr, /DCN_E_REVIEW_CORRUPT.*left untouched/);
  const counts = await runCli([
    ...['counts', '--detections', join(dir, 'detections.json'), '--review', dir],
  ]);
  assert.equal(counts.code, 3);
  assert.match(counts.stderr, /DCN_E_REVIEW_CORRUPT/);
  assert.deepEqual(await readFile(store), garbage);

  // a real store cut short
  await rm(store);
  await (await serve(dir)).close();
  const whole = await readFile(store);
  await truncate(store, Math.floor(whole.length / 2));
  const cut = await readFile(store);
  await assert.rejects(serve(dir), /DCN_E_REVIEW_CORRUPT|not a readable|integrity/);
  assert.deepEqual(await readFile(store), cut);
});

test('a review made on other detections is refused', async () => {
  const dir = await makeTempDir('review-mismatch');
  await writeReviewCase(dir);
  await (await serve(dir)).close();
  const path = join(dir, 'detections.json');
  await writeFile(path, `${await readFile(path, 'utf8')}\n`);
  await assert.rejects(serve(dir), (error: unknown) => {
    assert.ok(error instanceof DicentraError);
    assert.equal(error.code, 'DCN_E_REVIEW_MISMATCH');
    return true;
  });
});
