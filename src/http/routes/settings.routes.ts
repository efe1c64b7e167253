// The fund's settings and the reference lists every form uses.
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { listEthnicities } from '../../modules/registry/registry.service.js';
import type { ServiceContext } from '../../modules/shared/context.js';
import type { GroupCommit } from '../../modules/shared/group-commit.js';
import { fundSettingsSchema, getSettings, updateSettings, updateSettingsBody } from '../../modules/settings/settings.service.js';
import { actorOf } from '../actor.js';
import { replies } from '../replies.js';

export function settingsRoutes(context: ServiceContext, writes: GroupCommit): FastifyPluginAsync {
  return async (plugin) => {
    const app = plugin.withTypeProvider<ZodTypeProvider>();
    app.get('/settings', { schema: { tags: ['settings'], summary: 'The fund’s settings', response: replies({ 200: fundSettingsSchema }, []) } }, async () =>
      getSettings(context),
    );
    app.patch(
      '/settings',
      {
        schema: {
          tags: ['settings'],
          summary: 'Change the fund’s settings (admin)',
          body: updateSettingsBody,
          response: replies({ 200: fundSettingsSchema }, ['role_forbidden', 'settings_invalid', 'malformed_json']),
        },
      },
      async (request) => writes.run(() => updateSettings(context, actorOf(request), request.body)),
    );
    app.get(
      '/reference/ethnicities',
      {
        schema: {
          tags: ['reference'],
          summary: 'Vietnam’s 54 ethnic groups with their official codes',
          response: replies({ 200: z.array(z.object({ code: z.string(), name: z.string() })) }, []),
        },
      },
      async () => listEthnicities(),
    );
  };
}
