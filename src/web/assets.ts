// The few files the pages load (one stylesheet, two small scripts), read once at start, named by a hash of their
// content so a browser keeps them for a year and fetches again only after they change, and kept gzipped.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

export interface Asset {
  url: string;
  type: string;
  body: Buffer;
  gzipped: Buffer;
}

const types: Record<string, string> = { css: 'text/css; charset=utf-8', js: 'text/javascript; charset=utf-8', svg: 'image/svg+xml' };
const folder = new URL('./public/', import.meta.url);
export const assetNames = ['app.css', 'app.js', 'meeting.js', 'favicon.svg'] as const;
export type AssetName = (typeof assetNames)[number];

function load(name: AssetName): Asset {
  const body = readFileSync(new URL(name, folder));
  const hash = createHash('sha256').update(body).digest('hex').slice(0, 10);
  const dot = name.lastIndexOf('.');
  const extension = name.slice(dot + 1);
  return { url: `/app/static/${name.slice(0, dot)}.${hash}.${extension}`, type: types[extension] ?? 'application/octet-stream', body, gzipped: gzipSync(body, { level: 9 }) };
}

export const assets: Record<AssetName, Asset> = Object.fromEntries(assetNames.map((name) => [name, load(name)])) as Record<AssetName, Asset>;
export const assetsByUrl = new Map(Object.values(assets).map((asset) => [asset.url, asset]));

export function assetUrl(name: AssetName): string {
  return assets[name].url;
}
