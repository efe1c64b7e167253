// Starting a thread on one of the service's own modules, the same way from the TypeScript sources (npm run dev, the
// tests) as from the build (npm start).
import { Worker, type WorkerOptions } from 'node:worker_threads';

/** The module beside `from` named `name`, as the running code has it: `.ts` from the sources, `.js` once built. */
export function siblingModule(from: string, name: string): URL {
  return new URL(`./${name}.${from.endsWith('.ts') ? 'ts' : 'js'}`, from);
}

/**
 * A thread running a module. From the sources, a thread does not inherit tsx's loader for its first module, so it
 * registers tsx before importing the module, as the service itself runs under npm run dev.
 */
export function startModuleWorker(module: URL, options: WorkerOptions): Worker {
  if (!module.pathname.endsWith('.ts')) return new Worker(module, options);
  const tsx = JSON.stringify(import.meta.resolve('tsx/esm/api'));
  return new Worker(`import(${tsx}).then(({ register }) => { register(); return import(${JSON.stringify(module.href)}); });`, { ...options, eval: true });
}
