/** The part of better-sqlite3's API the review store uses (the package ships no types). */
declare module 'better-sqlite3' {
  interface RunResult {
    readonly changes: number;
    readonly lastInsertRowid: number | bigint;
  }
  interface Statement {
    run(...params: unknown[]): RunResult;
    get(...params: unknown[]): unknown;
    all(...params: unknown[]): unknown[];
  }
  interface Options {
    readonly?: boolean;
    fileMustExist?: boolean;
    timeout?: number;
  }
  interface Connection {
    prepare(sql: string): Statement;
    exec(sql: string): Connection;
    pragma(source: string, options?: { simple?: boolean }): unknown;
    transaction<A extends unknown[], R>(
      fn: (...args: A) => R,
    ): ((...args: A) => R) & {
      immediate(...args: A): R;
    };
    close(): void;
  }
  const Database: new (file: string, options?: Options) => Connection;
  export type { Connection, Statement };
  export default Database;
}
