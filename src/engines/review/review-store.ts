import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import Database, { type Database as Connection } from 'better-sqlite3';
import { DicentraError } from '../../formats/dicentra-error.js';

/** A reviewer's decision on one detection; `unreviewed` is the automated call kept. */
export type Decision = 'accepted' | 'rejected' | 'unreviewed';

export interface CellState {
  readonly included: boolean;
  readonly reason: string | null;
}

/** An aberration the detector missed, added by the reviewer with a click. */
export interface AddedPoint {
  readonly id: number;
  readonly image: string;
  readonly class: string;
  readonly x: number;
  readonly y: number;
  readonly reviewer: string;
  readonly at: string;
}

/** Everything decided so far: what the exports and the live panel apply. */
export interface ReviewSnapshot {
  readonly decisions: ReadonlyMap<string, Decision>;
  readonly cells: ReadonlyMap<string, CellState>;
  readonly added: readonly AddedPoint[];
}

export const REVIEW_FILE = 'review.sqlite';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS decisions (
  detection TEXT PRIMARY KEY,
  decision TEXT NOT NULL CHECK (decision IN ('accepted', 'rejected', 'unreviewed')),
  reviewer TEXT NOT NULL, at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS cells (
  image TEXT PRIMARY KEY, included INTEGER NOT NULL CHECK (included IN (0, 1)), reason TEXT,
  reviewer TEXT NOT NULL, at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS added (
  id INTEGER PRIMARY KEY AUTOINCREMENT, image TEXT NOT NULL, class TEXT NOT NULL,
  x REAL NOT NULL, y REAL NOT NULL, reviewer TEXT NOT NULL, at TEXT NOT NULL,
  removed INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS audit (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, reviewer TEXT NOT NULL,
  action TEXT NOT NULL, target TEXT NOT NULL, before TEXT, after TEXT);
CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit
  BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit
  BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
CREATE TABLE IF NOT EXISTS lock (
  id INTEGER PRIMARY KEY CHECK (id = 1), pid INTEGER NOT NULL, host TEXT NOT NULL,
  since TEXT NOT NULL);
`;
const TABLES = ['meta', 'decisions', 'cells', 'added', 'audit', 'lock'];

const corrupt = (file: string, cause: unknown, why: string) =>
  new DicentraError('DCN_E_REVIEW_CORRUPT', `${file} ${why}; it was left untouched`, {
    file,
    hint: 'restore it from a backup, or move it away to start the review afresh (the audit trail in it is lost)',
    cause,
  });

/**
 * Opens an existing store read-only and checks it: a SQLite file that fails
 * its integrity check, or lacks the review tables, is refused before anything
 * could write to it.
 */
function checkExisting(file: string): void {
  let db: Connection | null = null;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
    const check = db.pragma('quick_check', { simple: true });
    if (check !== 'ok') throw corrupt(file, null, `fails SQLite's integrity check (${check})`);
    const names = (
      db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]
    ).map((row) => row.name);
    const missing = TABLES.filter((name) => !names.includes(name));
    if (missing.length > 0) {
      throw corrupt(
        file,
        null,
        `is a SQLite file without the review tables (${missing.join(', ')})`,
      );
    }
  } catch (error) {
    if (error instanceof DicentraError) throw error;
    throw corrupt(file, error, `is not a readable SQLite database (${(error as Error).message})`);
  } finally {
    db?.close();
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Reads the snapshot (decisions, cells, added points) of an open connection. */
function snapshotOf(db: Connection): ReviewSnapshot {
  const decisions = new Map(
    (
      db.prepare('SELECT detection, decision FROM decisions').all() as {
        detection: string;
        decision: Decision;
      }[]
    ).map((row) => [row.detection, row.decision]),
  );
  const cells = new Map(
    (
      db.prepare('SELECT image, included, reason FROM cells').all() as {
        image: string;
        included: number;
        reason: string | null;
      }[]
    ).map((row) => [row.image, { included: row.included === 1, reason: row.reason }]),
  );
  const added = db
    .prepare('SELECT id, image, class, x, y, reviewer, at FROM added WHERE removed = 0 ORDER BY id')
    .all() as AddedPoint[];
  return { decisions, cells, added };
}

function checkDetections(db: Connection, file: string, detectionsSha256: string): void {
  const row = db.prepare("SELECT value FROM meta WHERE key = 'detections_sha256'").get() as
    { value: string } | undefined;
  if (row && row.value !== detectionsSha256) {
    throw new DicentraError(
      'DCN_E_REVIEW_MISMATCH',
      `${file} records decisions on another detections.json (sha256 ${row.value.slice(0, 12)}…) than the case's (${detectionsSha256.slice(0, 12)}…)`,
      {
        file,
        hint: 'restore the detections.json the review was made on, or move review.sqlite away to review the new detections',
      },
    );
  }
}

/**
 * Reads a case's review without a server and without the lock (an export
 * reads the committed state, also while a server runs); no store yet is an
 * empty review.
 */
export function readReview(caseDir: string, detectionsSha256: string): ReviewSnapshot {
  const file = join(caseDir, REVIEW_FILE);
  if (!existsSync(file)) return { decisions: new Map(), cells: new Map(), added: [] };
  checkExisting(file);
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    checkDetections(db, file, detectionsSha256);
    return snapshotOf(db);
  } finally {
    db.close();
  }
}

/**
 * The review store of a case, `CASE_DIR/review.sqlite`: SQLite in WAL mode
 * with synchronous=FULL, so each change is on disk when its method returns.
 * One server at a time: a lock row holds the owner's pid and host, and a
 * second owner is refused while that process lives (a killed server's row is
 * taken over).
 */
export class ReviewStore {
  private constructor(
    private readonly db: Connection,
    readonly file: string,
  ) {}

  static open(caseDir: string, detectionsSha256: string): ReviewStore {
    const file = join(caseDir, REVIEW_FILE);
    if (existsSync(file)) checkExisting(file);
    const db = new Database(file, { timeout: 5000 });
    try {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
      db.exec(SCHEMA);
      db.transaction(() => {
        checkDetections(db, file, detectionsSha256);
        db.prepare(
          "INSERT OR IGNORE INTO meta (key, value) VALUES ('detections_sha256', ?), ('created_at', ?)",
        ).run(detectionsSha256, new Date().toISOString());
        const holder = db.prepare('SELECT pid, host, since FROM lock WHERE id = 1').get() as
          { pid: number; host: string; since: string } | undefined;
        if (holder && (holder.host !== hostname() || isAlive(holder.pid))) {
          throw new DicentraError(
            'DCN_E_REVIEW_LOCKED',
            `the case is open in another review server (pid ${holder.pid} on ${holder.host}, since ${holder.since})`,
            {
              file,
              hint: 'use that server’s page, or stop it (Ctrl-C) first; a server on another host must be stopped there',
            },
          );
        }
        db.prepare('INSERT OR REPLACE INTO lock (id, pid, host, since) VALUES (1, ?, ?, ?)').run(
          process.pid,
          hostname(),
          new Date().toISOString(),
        );
      }).immediate();
    } catch (error) {
      db.close();
      throw error;
    }
    return new ReviewStore(db, file);
  }

  snapshot(): ReviewSnapshot {
    return snapshotOf(this.db);
  }

  private audit(reviewer: string, action: string, target: string, before: unknown, after: unknown) {
    this.db
      .prepare(
        'INSERT INTO audit (at, reviewer, action, target, before, after) VALUES (?, ?, ?, ?, ?, ?)',
      )
      .run(
        new Date().toISOString(),
        reviewer,
        action,
        target,
        before === undefined ? null : JSON.stringify(before),
        after === undefined ? null : JSON.stringify(after),
      );
  }

  setDecision(detection: string, decision: Decision, reviewer: string): void {
    this.db.transaction(() => {
      const before = this.db
        .prepare('SELECT decision FROM decisions WHERE detection = ?')
        .get(detection) as { decision: Decision } | undefined;
      this.db
        .prepare(
          'INSERT OR REPLACE INTO decisions (detection, decision, reviewer, at) VALUES (?, ?, ?, ?)',
        )
        .run(detection, decision, reviewer, new Date().toISOString());
      this.audit(reviewer, 'decision', detection, before?.decision ?? 'unreviewed', decision);
    })();
  }

  setCell(image: string, state: CellState, reviewer: string): void {
    this.db.transaction(() => {
      const before = this.db
        .prepare('SELECT included, reason FROM cells WHERE image = ?')
        .get(image) as { included: number; reason: string | null } | undefined;
      this.db
        .prepare(
          'INSERT OR REPLACE INTO cells (image, included, reason, reviewer, at) VALUES (?, ?, ?, ?, ?)',
        )
        .run(image, state.included ? 1 : 0, state.reason, reviewer, new Date().toISOString());
      this.audit(
        reviewer,
        'cell',
        image,
        before ? { included: before.included === 1, reason: before.reason } : { included: true },
        state,
      );
    })();
  }

  addPoint(point: Omit<AddedPoint, 'id' | 'at'>): number {
    return this.db.transaction(() => {
      const at = new Date().toISOString();
      const { lastInsertRowid } = this.db
        .prepare('INSERT INTO added (image, class, x, y, reviewer, at) VALUES (?, ?, ?, ?, ?, ?)')
        .run(point.image, point.class, point.x, point.y, point.reviewer, at);
      const id = Number(lastInsertRowid);
      this.audit(point.reviewer, 'add', `added/${id}`, undefined, {
        image: point.image,
        class: point.class,
        x: point.x,
        y: point.y,
      });
      return id;
    })();
  }

  /** Withdraws an added point (kept in the table and the audit trail); false if there is none. */
  removePoint(id: number, reviewer: string): boolean {
    return this.db.transaction(() => {
      const { changes } = this.db
        .prepare('UPDATE added SET removed = 1 WHERE id = ? AND removed = 0')
        .run(id);
      if (changes === 1) this.audit(reviewer, 'remove', `added/${id}`, undefined, undefined);
      return changes === 1;
    })();
  }

  /** Releases the lock and closes the file. */
  close(): void {
    this.db.prepare('DELETE FROM lock WHERE id = 1 AND pid = ?').run(process.pid);
    this.db.close();
  }
}
