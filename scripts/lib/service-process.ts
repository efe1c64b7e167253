// The service as its own process, for the scripts that measure or attack it from outside: started on a free port,
// waited for until /health answers, and stopped (politely, or with SIGKILL as a power cut would).
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/** How the service runs: built (`npm start`, which builds then serves, or `npm run serve`), or from the TypeScript sources by tsx (`npm run dev`). */
export const serviceEntries = { built: ['--enable-source-maps', 'dist/src/server.js'], tsx: ['--import', 'tsx', 'src/server.ts'] } as const;
export type ServiceEntry = keyof typeof serviceEntries;

/** A process's resident memory now and at its peak (VmRSS, VmHWM), in bytes. */
export function residentMemory(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kilobytes = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0) * 1024;
  return { rss: kilobytes('VmRSS'), peak: kilobytes('VmHWM') };
}

export interface ServiceProcess {
  base: string;
  process: ChildProcess;
  /** From spawning the process to the first answer of /health. */
  startSeconds: number;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no free port'))));
    });
  });
}

/** Starts `node <entry>` (by default the TypeScript server through tsx) on the database file and waits for it. */
export async function startService(databasePath: string, options: { entry?: readonly string[]; env?: Record<string, string>; timeoutSeconds?: number } = {}): Promise<ServiceProcess> {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(process.execPath, [...(options.entry ?? serviceEntries.tsx)], {
    env: { ...process.env, DATABASE_PATH: databasePath, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...options.env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const base = `http://127.0.0.1:${port}`;
  const deadline = started + (options.timeoutSeconds ?? 60) * 1000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the service stopped (exit code ${child.exitCode}) before it answered`);
    try {
      if ((await fetch(`${base}/health`)).ok) return { base, process: child, startSeconds: (performance.now() - started) / 1000 };
    } catch {
      // not listening yet
    }
    if (performance.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the service on ${databasePath} did not answer /health within ${options.timeoutSeconds ?? 60} s`);
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Stops the process and waits for it to be gone. */
export function stopService(child: ChildProcess, signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM'): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill(signal);
  });
}
