// A browser for app.inject: it keeps cookies, reads the CSRF token from the last page, and posts forms as a browser
// does (application/x-www-form-urlencoded), so the web app's tests run without a real browser.
import type { LightMyRequestResponse } from 'fastify';
import type { App } from '../../src/http/app.js';

export class Browser {
  readonly cookies = new Map<string, string>();
  csrf = '';

  constructor(readonly app: App) {}

  private remember(response: LightMyRequestResponse): LightMyRequestResponse {
    const header = response.headers['set-cookie'];
    for (const cookie of header === undefined ? [] : Array.isArray(header) ? header : [header]) {
      const [pair = ''] = cookie.split(';');
      const separator = pair.indexOf('=');
      const name = pair.slice(0, separator);
      const value = decodeURIComponent(pair.slice(separator + 1));
      if (/max-age=0/i.test(cookie)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    const token = /<meta name="csrf-token" content="([^"]*)">/.exec(response.body)?.[1];
    if (token) this.csrf = token;
    return response;
  }

  private cookieHeader(): Record<string, string> {
    return this.cookies.size === 0 ? {} : { cookie: [...this.cookies].map(([name, value]) => `${name}=${encodeURIComponent(value)}`).join('; ') };
  }

  async get(url: string, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
    return this.remember(await this.app.inject({ method: 'GET', url, headers: { ...this.cookieHeader(), ...headers } }));
  }

  /** Posts a form; the CSRF token of the last page goes with it unless the fields carry their own. */
  async post(url: string, fields: Record<string, string | string[]>, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
    const body = new URLSearchParams();
    if (!('_csrf' in fields)) body.append('_csrf', this.csrf);
    for (const [name, value] of Object.entries(fields)) for (const each of Array.isArray(value) ? value : [value]) body.append(name, each);
    return this.remember(
      await this.app.inject({ method: 'POST', url, payload: body.toString(), headers: { 'content-type': 'application/x-www-form-urlencoded', ...this.cookieHeader(), ...headers } }),
    );
  }

  async postJson(url: string, payload: unknown, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
    return this.remember(await this.app.inject({ method: 'POST', url, payload: payload as object, headers: { 'x-csrf-token': this.csrf, ...this.cookieHeader(), ...headers } }));
  }

  async signIn(username: string, password: string): Promise<LightMyRequestResponse> {
    await this.get('/app/login');
    return this.post('/app/login', { username, password });
  }
}

/** The value of a named input in a page (the first one). */
export function inputValue(html: string, name: string): string | undefined {
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`name="${escaped}"[^>]*value="([^"]*)"`).exec(html)?.[1];
}
