// The page shell: head, the header with the role's menu, the language switch and sign-out, then the page's content.
// One stylesheet and one small script, both from this service; no font, no library from anywhere else.
import type { Role } from '../../modules/shared/access.js';
import { assetUrl, type AssetName } from '../assets.js';
import { type Html, html } from '../html.js';
import type { Messages } from '../i18n/index.js';
import { type Page, roleHomes } from '../page.js';
import { csrfField } from './components.js';

type NavKey = keyof Messages['nav'];

const menus: Record<Role, [NavKey, string][]> = {
  leader: [
    ['meeting', '/app/meeting'],
    ['members', '/app/members'],
  ],
  officer: [
    ['dashboard', '/app/dashboard'],
    ['arrears', '/app/arrears'],
    ['groups', '/app/groups'],
    ['members', '/app/members'],
    ['loans', '/app/loans'],
    ['reports', '/app/reports'],
    ['imports', '/app/imports'],
  ],
  auditor: [
    ['exports', '/app/audit'],
    ['verify', '/app/audit/verify'],
    ['auditLog', '/app/audit/log'],
    ['reports', '/app/reports'],
  ],
  admin: [
    ['home', '/app/admin'],
    ['dashboard', '/app/dashboard'],
    ['groups', '/app/groups'],
    ['members', '/app/members'],
    ['loans', '/app/loans'],
    ['reports', '/app/reports'],
    ['users', '/app/admin/users'],
    ['products', '/app/admin/products'],
    ['settings', '/app/admin/settings'],
  ],
};

function languageSwitch(page: Page): Html {
  const other = page.t.otherLanguage;
  return html`<a class="lang" href="/app/lang?to=${other.code}&amp;next=${encodeURIComponent(page.url)}" lang="${other.code}" hreflang="${other.code}">${other.label}</a>`;
}

function header(page: Page): Html {
  const actor = page.actor;
  if (!actor) {
    return html`<header class="top"><div class="bar"><span class="brand">${page.t.app.name}</span>${languageSwitch(page)}</div></header>`;
  }
  const path = page.url.split('?')[0] ?? '';
  // A group's meeting sheet and its receipts are the leader's "meeting" entry.
  const current = actor.role === 'leader' && (/\/meeting$/.test(path) || path.startsWith('/app/collection-sheets/')) ? '/app/meeting' : path;
  const items = menus[actor.role];
  // The longest matching entry is the current one, so /app/admin/users does not also mark /app/admin.
  const best = items.filter(([, href]) => current === href || current.startsWith(`${href}/`)).sort((a, b) => b[1].length - a[1].length)[0]?.[1];
  return html`<header class="top">
<div class="bar"><a class="brand" href="${roleHomes[actor.role]}">${page.t.app.name}</a>
<span class="who">${page.t.app.signedInAs(actor.fullName, page.t.roles[actor.role])}</span>
${languageSwitch(page)}
<a href="/app/password">${page.t.nav.password}</a>
<form method="post" action="/app/logout" class="inline">${csrfField(page)}<button type="submit" class="link">${page.t.nav.signOut}</button></form></div>
<nav aria-label="${page.t.app.menu}"><ul class="menu">${items.map(
    ([key, href]) => html`<li><a href="${href}"${href === best ? html` aria-current="page"` : ''}>${page.t.nav[key]}</a></li>`,
  )}</ul></nav>
</header>`;
}

export function layout(page: Page, title: string, content: Html, options: { scripts?: AssetName[] } = {}): Html {
  return html`<!doctype html>
<html lang="${page.lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="csrf-token" content="${page.csrf}">
<title>${title} · ${page.t.app.name}</title>
<link rel="icon" href="${assetUrl('favicon.svg')}" type="image/svg+xml">
<link rel="stylesheet" href="${assetUrl('app.css')}">
<script src="${assetUrl('app.js')}" defer></script>
${(options.scripts ?? []).map((name) => html`<script src="${assetUrl(name)}" defer></script>`)}
</head>
<body>
<a class="skip" href="#main">${page.t.app.skipToContent}</a>
${header(page)}
<main id="main" tabindex="-1">
<h1>${title}</h1>
${content}
</main>
</body>
</html>`;
}
