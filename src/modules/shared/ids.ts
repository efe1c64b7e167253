// Opaque, time-ordered ids (a prefix naming the kind, then a ULID-like body): ordering by id is ordering by creation,
// which keeps cursors stable. No underscore, so an id can stand in a SQL LIKE pattern as itself.
import { randomBytes } from 'node:crypto';

const alphabet = '0123456789abcdefghjkmnpqrstvwxyz';
let lastTime = 0;
let sequence = 0;
// One call to the system's random source fills many ids: a call per id costs more than the rest of the id.
const randomPool = Buffer.alloc(4096);
let randomOffset = randomPool.length;

function randomPart(length: number): string {
  if (randomOffset + length > randomPool.length) {
    randomBytes(randomPool.length).copy(randomPool);
    randomOffset = 0;
  }
  let part = '';
  for (let i = 0; i < length; i += 1) part += alphabet[(randomPool[randomOffset + i] ?? 0) % 32];
  randomOffset += length;
  return part;
}

export type IdPrefix = 'ar' | 'us' | 'gr' | 'mb' | 'ms' | 'ps' | 'se' | 'je' | 'pc' | 'lp' | 'ln' | 'tx' | 'sv' | 'cs' | 'pl' | 'pr' | 'au' | 'cp';

export function newId(prefix: IdPrefix, now: number = Date.now()): string {
  // Ids made in the same millisecond keep their order through a counter in the random part's place.
  if (now === lastTime) sequence += 1;
  else {
    lastTime = now;
    sequence = 0;
  }
  let time = '';
  let value = now;
  for (let i = 0; i < 10; i += 1) {
    time = alphabet[value % 32] + time;
    value = Math.floor(value / 32);
  }
  let counter = '';
  let rest = sequence;
  for (let i = 0; i < 4; i += 1) {
    counter = alphabet[rest % 32] + counter;
    rest = Math.floor(rest / 32);
  }
  return `${prefix}-${time}${counter}${randomPart(10)}`;
}
