// CSV imports of groups and members (body text/csv): no row of a file with a bad row; a good file a thousand rows a
// transaction, each through the group commit.
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { importGroups, importMembers } from '../../modules/registry/import.service.js';
import type { ServiceContext } from '../../modules/shared/context.js';
import type { GroupCommit } from '../../modules/shared/group-commit.js';
import { actorOf } from '../actor.js';
import { replies } from '../replies.js';

const importReply = z.object({ imported: z.number().int(), ids: z.array(z.string()) }).meta({ id: 'ImportResult' });
const csvBody = z.string().max(20 * 1024 * 1024).meta({ description: 'UTF-8 CSV with a header row (a BOM is fine)' });
const importFailures = replies({ 201: importReply }, ['role_forbidden', 'import_rows_invalid', 'import_interrupted', 'unsupported_media_type', 'body_too_large']);

export function importRoutes(context: ServiceContext, writes: GroupCommit): FastifyPluginAsync {
  return async (plugin) => {
    const app = plugin.withTypeProvider<ZodTypeProvider>();
    app.post(
      '/imports/groups',
      {
        bodyLimit: 20 * 1024 * 1024,
        schema: { tags: ['imports'], summary: 'Import groups: code, name, areaCode, formedOn, meetingDay', body: csvBody, response: importFailures },
      },
      async (request, reply) => reply.status(201).send(await importGroups(context, actorOf(request), request.body, (write) => writes.run(write))),
    );
    app.post(
      '/imports/members',
      {
        bodyLimit: 20 * 1024 * 1024,
        schema: {
          tags: ['imports'],
          summary: 'Import members: fullName, sex, dateOfBirth, nationalId, ethnicity, povertyStatus, groupCode, joinedOn, phone',
          body: csvBody,
          response: importFailures,
        },
      },
      async (request, reply) => reply.status(201).send(await importMembers(context, actorOf(request), request.body, (write) => writes.run(write))),
    );
  };
}
