import cluster from 'node:cluster';

/** How many API processes CANDOR_WORKERS asks for (parsed with the rest of the configuration). */
export { workerCount } from './config/config';

/**
 * The supervising process: it forks `count` API processes (with `execArgv` added to node's
 * arguments) sharing one listening port (node:cluster hands connections out in turn) and restarts
 * one that dies after it was serving; one that dies before it ever listened (bad configuration,
 * unreachable database) stops the whole API with its exit code, as a single process would. Every process runs the whole API against the same PostgreSQL; background work is safe
 * across processes (webhook deliveries are claimed with FOR UPDATE SKIP LOCKED and leases,
 * migrations run under an advisory lock, imports claim their job row).
 *
 * `env` is added to each API process's environment; `onStopped` runs once every API process has
 * exited, before this process does (the embedded database, which this process owns, stops there).
 */
export function supervise(count: number, execArgv: string[] = [], opts: { env?: Record<string, string>; onStopped?: () => Promise<void> } = {}): void {
  let stopping = false;
  const finish = (code: number) => {
    const done = () => process.exit(code);
    Promise.resolve(opts.onStopped?.()).then(done, (error) => {
      process.stderr.write(`${error?.stack ?? error}\n`);
      process.exit(code || 1);
    });
  };
  cluster.setupPrimary({ execArgv: [...process.execArgv, ...execArgv] });
  const fork = (first: boolean) => cluster.fork({ ...opts.env, CANDOR_WORKER_FIRST: first ? '1' : '0' });
  const serving = new WeakSet<object>();
  cluster.on('listening', (worker) => serving.add(worker));
  for (let i = 0; i < count; i++) fork(i === 0);
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) return;
    if (!serving.has(worker)) {
      stopping = true;
      for (const other of Object.values(cluster.workers ?? {})) other?.process.kill('SIGTERM');
      const exitCode = code || 1;
      const rest = () => Object.values(cluster.workers ?? {}).some((w) => w && !w.isDead());
      if (!rest()) return finish(exitCode);
      cluster.on('exit', () => rest() || finish(exitCode));
      return;
    }
    process.stderr.write(`API process ${worker.process.pid} stopped (${signal ?? `exit ${code}`}); starting another in 1 s\n`);
    setTimeout(() => stopping || fork(false), 1000).unref();
  });
  const stop = () => {
    stopping = true;
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM');
    const timer = setTimeout(() => finish(0), 10_000);
    timer.unref();
    if (!Object.values(cluster.workers ?? {}).some((w) => w && !w.isDead())) return finish(0);
    cluster.on('exit', () => {
      if (!Object.values(cluster.workers ?? {}).some((w) => w && !w.isDead())) finish(0);
    });
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

