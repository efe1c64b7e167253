// The layers of DESIGN.md §8 only import downwards: a change that breaks the direction fails here.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve, dirname } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '..');

function sourceFiles(folder: string): string[] {
  return readdirSync(folder).flatMap((entry) => {
    const path = join(folder, entry);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/^\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]/gm), ...text.matchAll(/import\(\s*['"]([^'"]+)['"]\s*\)/g)].map((match) => match[1] as string);
}

/** Where an import lands: a project folder (src/domain, db, ...) or the package name. */
function target(file: string, specifier: string): string {
  if (!specifier.startsWith('.')) return specifier.startsWith('node:') ? 'node' : specifier.split('/')[0] === '' ? specifier : specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : (specifier.split('/')[0] as string);
  const path = relative(root, resolve(dirname(file), specifier));
  const [top, second] = path.split('/');
  return top === 'src' && second && !second.includes('.') ? `src/${second}` : (top ?? path);
}

const layers: { folder: string; may: (target: string) => boolean; rule: string }[] = [
  { folder: 'src/domain', may: (t) => t === 'src/domain' || t === 'decimal.js', rule: 'imports decimal.js only' },
  { folder: 'src/ledger', may: (t) => ['src/ledger', 'src/domain', 'decimal.js'].includes(t), rule: 'imports domain only' },
  {
    folder: 'src/modules',
    may: (t) => !['fastify', 'src/http', 'src/web', '@fastify/swagger', '@fastify/swagger-ui', '@fastify/multipart', 'fastify-type-provider-zod', 'better-sqlite3'].includes(t) && t !== 'src/server.ts',
    rule: 'never imports fastify, http, the web app or the SQLite driver',
  },
  { folder: 'src/http', may: (t) => t !== 'db' && t !== 'drizzle-orm' && t !== 'better-sqlite3', rule: 'never touches db directly' },
  // The web app renders pages on top of the same services as the API: it reads and writes only through src/modules.
  { folder: 'src/web', may: (t) => !['db', 'drizzle-orm', 'better-sqlite3', 'src/server.ts', 'src/config.ts'].includes(t), rule: 'never touches db directly' },
];

describe('architecture', () => {
  for (const layer of layers) {
    it(`${layer.folder} ${layer.rule}`, () => {
      const folder = join(root, layer.folder);
      let files: string[] = [];
      try {
        files = sourceFiles(folder);
      } catch {
        return;
      }
      const broken = files.flatMap((file) =>
        importsOf(file)
          .filter((specifier) => !layer.may(target(file, specifier)))
          .map((specifier) => `${relative(root, file)} imports ${specifier}`),
      );
      expect(broken).toEqual([]);
    });
  }

  it('process.env is read only in src/config.ts and process-level calls only in src/server.ts', () => {
    const offenders = sourceFiles(join(root, 'src')).filter((file) => {
      const text = readFileSync(file, 'utf8');
      const name = relative(root, file);
      return (name !== 'src/config.ts' && /process\.env/.test(text)) || (name !== 'src/server.ts' && /process\.(exit|on|once)\(/.test(text));
    });
    expect(offenders.map((file) => relative(root, file))).toEqual([]);
  });
});
