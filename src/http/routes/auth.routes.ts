// Sign-in, sign-out, who am I, and user management.
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { changeOwnPasswordBody, createUserBody, listUsersQuery, loginBody, loginReply, setPasswordBody, updateUserBody, userReply } from '../../modules/auth/auth.commands.js';
import { byId } from '../../modules/shared/schemas.js';
import * as auth from '../../modules/auth/auth.service.js';
import type { ServiceContext } from '../../modules/shared/context.js';
import type { GroupCommit } from '../../modules/shared/group-commit.js';
import { actorOf } from '../actor.js';
import { replies } from '../replies.js';

export function authRoutes(context: ServiceContext, writes: GroupCommit, limits: { loginRateLimitPerMinute: number }): FastifyPluginAsync {
  return async (plugin) => {
    const app = plugin.withTypeProvider<ZodTypeProvider>();
    app.post(
      '/auth/login',
      {
        // Beyond the lockout per username: one address cannot try many usernames quickly.
        config: { rateLimit: { max: limits.loginRateLimitPerMinute, timeWindow: 60_000 } },
        schema: {
          tags: ['auth'],
          summary: 'Sign in; answers a bearer token',
          security: [],
          body: loginBody,
          response: replies({ 200: loginReply }, ['invalid_credentials', 'too_many_login_attempts', 'too_many_requests', 'malformed_json', 'json_too_deep'], { public: true }),
        },
      },
      async (request) => auth.login(context, { ...request.body, ip: request.ip, requestId: request.id }),
    );
    app.post(
      '/auth/logout',
      { schema: { tags: ['auth'], summary: 'Sign out: the token stops working', response: replies({ 204: z.null() }, []) } },
      async (request, reply) => {
        await writes.run(() => auth.logout(context, actorOf(request).sessionId));
        return reply.status(204).send(null);
      },
    );
    app.post(
      '/auth/password',
      {
        schema: {
          tags: ['auth'],
          summary: 'Change your own password, giving the current one; your other sign-ins end',
          body: changeOwnPasswordBody,
          response: replies({ 204: z.null() }, ['current_password_wrong', 'too_many_login_attempts', 'malformed_json']),
        },
      },
      async (request, reply) => {
        await auth.changeOwnPassword(context, actorOf(request), { ...request.body, ip: request.ip, requestId: request.id }, (write) => writes.run(write));
        return reply.status(204).send(null);
      },
    );
    app.get('/auth/me', { schema: { tags: ['auth'], summary: 'The signed-in user', response: replies({ 200: userReply }, ['user_not_found']) } }, async (request) =>
      auth.currentUser(context, actorOf(request)),
    );
    app.post(
      '/users',
      {
        schema: {
          tags: ['users'],
          summary: 'Create a user (admin)',
          body: createUserBody,
          response: replies({ 201: userReply }, ['role_forbidden', 'duplicate_username', 'user_scope_invalid', 'area_not_found', 'group_not_found', 'group_dissolved', 'malformed_json']),
        },
      },
      async (request, reply) => reply.status(201).send(await writes.run(() => auth.createUser(context, actorOf(request), request.body))),
    );
    app.get(
      '/users',
      {
        schema: {
          tags: ['users'],
          summary: 'List users (admin, auditor)',
          querystring: listUsersQuery,
          response: replies({ 200: z.object({ items: z.array(userReply), nextCursor: z.string().nullable() }) }, ['role_forbidden']),
        },
      },
      async (request) => auth.listUsers(context, actorOf(request), request.query),
    );
    app.get(
      '/users/:id',
      { schema: { tags: ['users'], summary: 'One user (admin, auditor)', params: byId, response: replies({ 200: userReply }, ['role_forbidden', 'user_not_found']) } },
      async (request) => auth.getUser(context, actorOf(request), request.params.id),
    );
    app.patch(
      '/users/:id',
      {
        schema: {
          tags: ['users'],
          summary: 'Change a user’s name, role, scope or status (admin); a user disabled or given another role is signed out',
          params: byId,
          body: updateUserBody,
          response: replies({ 200: userReply }, ['role_forbidden', 'user_not_found', 'user_scope_invalid', 'area_not_found', 'group_not_found', 'group_dissolved', 'last_admin', 'malformed_json']),
        },
      },
      async (request) => writes.run(() => auth.updateUser(context, actorOf(request), request.params.id, request.body)),
    );
    app.post(
      '/users/:id/password',
      {
        schema: {
          tags: ['users'],
          summary: 'Set a user’s password (admin); her sign-ins end',
          params: byId,
          body: setPasswordBody,
          response: replies({ 200: userReply }, ['role_forbidden', 'user_not_found', 'malformed_json']),
        },
      },
      async (request) => writes.run(() => auth.setUserPassword(context, actorOf(request), request.params.id, request.body.password)),
    );
  };
}
