import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

/** Unix socket paths longer than this do not fit in `sockaddr_un`; fall back to loopback TCP. */
const MAX_SOCKET_PATH = 100;

export interface EmbeddedPostgres {
  url: string;
  stop(): Promise<void>;
}

/**
 * Starts the embedded PostgreSQL (PGlite) kept in `<dataDir>/pgdata` and serves it on a local
 * socket, so the unchanged `pg` driver, TypeORM and the migrations talk to it as to any server.
 *
 * PGlite multiplexes every connection onto one backend session: a second connection waits while
 * a transaction is open on the first, so the pool that uses it must never hold one transaction
 * while waiting on another connection.
 */
export async function startEmbeddedPostgres(dataDir: string): Promise<EmbeddedPostgres> {
  const pgdata = join(dataDir, 'pgdata');
  mkdirSync(pgdata, { recursive: true });
  const db = await PGlite.create(pgdata);
  const socketPath = join(dataDir, '.s.PGSQL.5432');
  const useSocket = socketPath.length <= MAX_SOCKET_PATH;
  const server = useSocket
    ? new PGLiteSocketServer({ db, path: socketPath, maxConnections: 16 })
    : new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 16 });
  await server.start();
  let url: string;
  if (useSocket) {
    url = `postgresql://postgres@localhost/postgres?host=${encodeURIComponent(dataDir)}`;
  } else {
    const conn = server.getServerConn();
    url = `postgresql://postgres@${conn}/postgres`;
  }
  return {
    url,
    async stop() {
      await server.stop();
      await db.close();
    },
  };
}
