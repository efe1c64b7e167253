// Password hashing with scrypt (node:crypto): a random salt per password, parameters stored beside the hash.
import { randomBytes, scrypt, scryptSync, timingSafeEqual } from 'node:crypto';

const cost = 16384;
const blockSize = 8;
const parallelization = 1;
const keyLength = 32;

export function hashPassword(password: string): string {
  const salt = randomBytes(16);
  const hash = scryptSync(password.normalize('NFC'), salt, keyLength, { N: cost, r: blockSize, p: parallelization });
  return ['scrypt', cost, blockSize, parallelization, salt.toString('base64'), hash.toString('base64')].join('$');
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, saltText, hashText] = stored.split('$');
  if (scheme !== 'scrypt' || !saltText || !hashText) return false;
  const expected = Buffer.from(hashText, 'base64');
  const actual = await new Promise<Buffer>((resolve, reject) => {
    scrypt(password.normalize('NFC'), Buffer.from(saltText, 'base64'), expected.length, { N: Number(n), r: Number(r), p: Number(p) }, (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** A hash of nothing anyone knows, so an unknown username costs a login the same time as a wrong password. */
export const decoyPasswordHash = hashPassword(randomBytes(16).toString('hex'));

export function generatePassword(): string {
  return randomBytes(12).toString('base64url');
}
