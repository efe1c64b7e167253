// Sign-in, sign-out and a user's own password: auth.service's token goes into an HttpOnly, SameSite=Strict cookie; each
// role then lands on its own home.
import type { FastifyPluginAsync } from 'fastify';
import * as auth from '../../modules/auth/auth.service.js';
import { nowTimestamp, type ServiceContext } from '../../modules/shared/context.js';
import { changeOwnPasswordBody } from '../../modules/auth/auth.commands.js';
import { attemptAsync, type FormErrors, parseWith, postedForm, value } from '../forms.js';
import { type Html, html } from '../html.js';
import { type Page, type SignedInPage, localPath, pageOf, roleHomes, sendPage, seeOther, signedIn } from '../page.js';
import { clearCookie, cookieOf, csrfTokenOf, loginCookie, newLoginToken, sameToken, sessionCookie, setCookie } from '../session.js';
import { csrfField, errorSummary, facts, inputField, notice } from '../views/components.js';
import { layout } from '../views/layout.js';
import type { Write } from '../writes.js';

/** A form to send again after signing in: where it was posted and its fields. */
export interface FormToResend {
  action: string;
  fields: Record<string, string[]>;
}

/** The form a sign-in carries to send again, if it is one: a page of this app (not the sign-in) and fields of text. */
function formToResend(text: string): FormToResend | null {
  if (text === '') return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return null;
  }
  const { action, fields } = (parsed ?? {}) as { action?: unknown; fields?: unknown };
  const target = localPath(action, '');
  if (target === '' || target.startsWith('/app/login') || target.startsWith('/app/logout') || !fields || typeof fields !== 'object' || Array.isArray(fields)) return null;
  const entries = Object.entries(fields as Record<string, unknown>);
  if (!entries.every(([name, values]) => name !== '_csrf' && Array.isArray(values) && values.every((each) => typeof each === 'string'))) return null;
  return { action: target, fields: Object.fromEntries(entries) as Record<string, string[]> };
}

/** After signing in again: the form that was posted when the sign-in had ended, ready to send with the new one's token. */
function resendPage(page: Page, form: FormToResend, csrf: string, home: string): Html {
  const t = page.t.login;
  const inputs = Object.entries(form.fields).flatMap(([name, values]) => values.map((each) => html`<input type="hidden" name="${name}" value="${each}">`));
  // What will be sent is shown before it is: she sends only what she recognises as her own.
  const shown = Object.entries(form.fields).filter(([, values]) => values.some((each) => each.trim() !== ''));
  return layout(
    page,
    t.resendTitle,
    html`<p class="lead">${t.resendLead}</p>
<p>${t.resendTo} <code>${form.action}</code></p>
${facts(shown.map(([name, values]): [string, string] => [name, values.join(', ')]))}
<form method="post" action="${form.action}" class="narrow">
<input type="hidden" name="_csrf" value="${csrf}">
${inputs}
<div class="actions"><button type="submit" class="primary">${t.resend}</button><a href="${home}">${page.t.common.cancel}</a></div>
</form>`,
  );
}

export function loginPage(page: Page, options: { username?: string; next: string; errors?: FormErrors | null; message?: string | null; resend?: FormToResend | null }): Html {
  const t = page.t.login;
  return layout(
    page,
    t.title,
    html`<p class="lead">${page.t.app.fund}</p>
${notice(options.message)}
${errorSummary(page, options.errors, { username: t.username, password: t.password })}
<form method="post" action="/app/login" class="narrow">
<input type="hidden" name="_csrf" value="${page.csrf}">
<input type="hidden" name="next" value="${options.next}">
${options.resend ? html`<input type="hidden" name="resend" value="${JSON.stringify(options.resend)}">` : ''}
${inputField(page, { name: 'username', label: t.username, value: options.username, errors: options.errors, required: true, autocomplete: 'username' })}
${inputField(page, { name: 'password', label: t.password, type: 'password', errors: options.errors, required: true, autocomplete: 'current-password' })}
<button type="submit" class="primary">${t.submit}</button>
</form>`,
  );
}

function passwordPage(page: SignedInPage, options: { errors?: FormErrors | null; message?: string | null }): Html {
  const t = page.t.account;
  return layout(
    page,
    t.title,
    html`${notice(options.message)}
${errorSummary(page, options.errors, { currentPassword: t.currentPassword, newPassword: t.newPassword })}
<form method="post" action="/app/password" class="narrow">
${csrfField(page)}
${inputField(page, { name: 'currentPassword', label: t.currentPassword, type: 'password', errors: options.errors, required: true, autocomplete: 'current-password' })}
${inputField(page, { name: 'newPassword', label: t.newPassword, type: 'password', errors: options.errors, required: true, hint: page.t.admin.passwordHint, autocomplete: 'new-password' })}
<div class="actions"><button type="submit" class="primary">${page.t.common.save}</button><a href="${roleHomes[page.actor.role]}">${page.t.common.cancel}</a></div>
</form>`,
  );
}

export function sessionRoutes(context: ServiceContext, write: Write, limits: { loginRateLimitPerMinute: number }): FastifyPluginAsync {
  return async (app) => {
    app.get('/login', async (request, reply) => {
      const page = pageOf(request);
      const query = request.query as { next?: string; done?: string };
      if (page.actor) return seeOther(reply, localPath(query.next, roleHomes[page.actor.role]));
      // The sign-in form's CSRF token lives in a cookie until there is a session to derive one from.
      if (!page.csrf) {
        page.csrf = newLoginToken();
        setCookie(request, reply, loginCookie, page.csrf);
      }
      const message = query.done === 'signedOut' ? page.t.login.signedOut : null;
      return sendPage(reply, loginPage(page, { next: localPath(query.next, ''), message }));
    });

    // Beyond the lockout per username, one address cannot try many usernames quickly: the API's limit, here too.
    app.post('/login', { config: { rateLimit: { max: limits.loginRateLimitPerMinute, timeWindow: 60_000 } } }, async (request, reply) => {
      const page = pageOf(request);
      const fields = (request.body ?? {}) as Record<string, string[]>;
      const next = localPath(value(fields, 'next'), '');
      const username = value(fields, 'username');
      const resend = formToResend(value(fields, 'resend'));
      if (!page.csrf || !sameToken(page.csrf, cookieOf(request, loginCookie)) || !sameToken(page.csrf, value(fields, '_csrf'))) {
        page.csrf = newLoginToken();
        setCookie(request, reply, loginCookie, page.csrf);
        return sendPage(reply, loginPage(page, { username, next, resend, errors: { summary: page.t.errors.formExpired, fields: {}, status: 403 } }), 403);
      }
      const result = await attemptAsync(page.lang, () => auth.login(context, { username, password: value(fields, 'password'), ip: request.ip, requestId: request.id }));
      if (!result.ok) return sendPage(reply, loginPage(page, { username, next, resend, errors: result.errors }), result.errors.status);
      const { token, expiresAt, user } = result.value;
      const seconds = Math.max(60, Math.floor((Date.parse(expiresAt) - Date.parse(nowTimestamp(context))) / 1000));
      setCookie(request, reply, sessionCookie, token, { maxAgeSeconds: seconds });
      clearCookie(request, reply, loginCookie);
      // The form posted when the sign-in had ended goes back to be sent, under the new sign-in's token.
      if (resend) return sendPage(reply, resendPage(page, resend, csrfTokenOf(token), roleHomes[user.role]));
      return seeOther(reply, next || roleHomes[user.role]);
    });

    app.get('/password', async (request, reply) => {
      const page = signedIn(request);
      return sendPage(reply, passwordPage(page, { message: (request.query as { done?: string }).done === 'changed' ? page.t.account.changed : null }));
    });

    app.post('/password', async (request, reply) => {
      const page = signedIn(request);
      const fields = postedForm(request, page);
      const result = await attemptAsync(page.lang, () =>
        auth.changeOwnPassword(
          context,
          page.actor,
          { ...parseWith(changeOwnPasswordBody, { currentPassword: value(fields, 'currentPassword'), newPassword: value(fields, 'newPassword') }), ip: request.ip, requestId: request.id },
          (change) => write(request, page.actor, 'POST /auth/password', page.actor.userId, change),
        ),
      );
      if (result.ok) return seeOther(reply, '/app/password?done=changed');
      return sendPage(reply, passwordPage(page, { errors: result.errors }), result.errors.status);
    });

    app.post('/logout', async (request, reply) => {
      const page = signedIn(request);
      postedForm(request, page);
      await write(request, page.actor, 'POST /auth/logout', null, () => auth.logout(context, page.actor.sessionId));
      clearCookie(request, reply, sessionCookie);
      return seeOther(reply, '/app/login?done=signedOut');
    });
  };
}
