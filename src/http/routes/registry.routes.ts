// Areas, groups and members: thin routes over the registry service.
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  areaReply,
  createAreaBody,
  createGroupBody,
  createMemberBody,
  dissolveGroupBody,
  exitMemberBody,
  groupReply,
  listAreasQuery,
  listGroupsQuery,
  listMembersQuery,
  memberDetailReply,
  memberReply,
  moveMemberBody,
  updateGroupBody,
  updateMemberBody,
} from '../../modules/registry/registry.commands.js';
import * as registry from '../../modules/registry/registry.service.js';
import type { ServiceContext } from '../../modules/shared/context.js';
import type { GroupCommit } from '../../modules/shared/group-commit.js';
import { byId, keyableHeaders } from '../../modules/shared/schemas.js';
import { actorOf } from '../actor.js';
import { keyIfSent } from '../idempotency.js';
import { replies } from '../replies.js';

const pageOf = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item), nextCursor: z.string().nullable() });

export function registryRoutes(context: ServiceContext, writes: GroupCommit): FastifyPluginAsync {
  return async (plugin) => {
    const app = plugin.withTypeProvider<ZodTypeProvider>();

    app.post(
      '/areas',
      {
        schema: {
          tags: ['areas'],
          summary: 'Create a province, commune or village (admin)',
          body: createAreaBody,
          response: replies({ 201: areaReply }, ['role_forbidden', 'area_not_found', 'area_parent_invalid', 'duplicate_code', 'malformed_json']),
        },
      },
      async (request, reply) => reply.status(201).send(await writes.run(() => registry.createArea(context, actorOf(request), request.body))),
    );
    app.get(
      '/areas',
      { schema: { tags: ['areas'], summary: 'List areas', querystring: listAreasQuery, response: replies({ 200: pageOf(areaReply) }, []) } },
      async (request) => registry.listAreas(context, request.query),
    );
    app.get(
      '/areas/:id',
      { schema: { tags: ['areas'], summary: 'One area', params: byId, response: replies({ 200: areaReply }, ['area_not_found']) } },
      async (request) => registry.getArea(context, request.params.id),
    );

    app.post(
      '/groups',
      {
        schema: {
          tags: ['groups'],
          summary: 'Form a group in a village',
          headers: keyableHeaders,
          body: createGroupBody,
          response: replies({ 201: groupReply }, [
            'idempotency_key_reused',
            'role_forbidden',
            'scope_forbidden',
            'area_not_found',
            'group_area_not_village',
            'duplicate_code',
            'date_in_future',
            'period_closed',
            'group_officer_invalid',
            'group_leader_not_member',
            'malformed_json',
          ]),
        },
      },
      async (request, reply) => reply.status(201).send(await writes.run(() => registry.createGroup(context, actorOf(request), request.body, keyIfSent(request)))),
    );
    app.get(
      '/groups',
      {
        schema: { tags: ['groups'], summary: 'List groups you can see', querystring: listGroupsQuery, response: replies({ 200: pageOf(groupReply) }, ['area_not_found']) },
      },
      async (request) => registry.listGroups(context, actorOf(request), request.query),
    );
    app.get(
      '/groups/:id',
      { schema: { tags: ['groups'], summary: 'One group', params: byId, response: replies({ 200: groupReply }, ['group_not_found', 'scope_forbidden']) } },
      async (request) => registry.getGroup(context, actorOf(request), request.params.id),
    );
    app.patch(
      '/groups/:id',
      {
        schema: {
          tags: ['groups'],
          summary: 'Change a group’s name, meeting day, officer or leader',
          params: byId,
          body: updateGroupBody,
          response: replies({ 200: groupReply }, [
            'role_forbidden',
            'scope_forbidden',
            'group_not_found',
            'group_dissolved',
            'group_officer_invalid',
            'group_leader_not_member',
            'malformed_json',
          ]),
        },
      },
      async (request) => writes.run(() => registry.updateGroup(context, actorOf(request), request.params.id, request.body)),
    );
    app.post(
      '/groups/:id/dissolve',
      {
        schema: {
          tags: ['groups'],
          summary: 'Dissolve a group that has no active members',
          params: byId,
          body: dissolveGroupBody,
          response: replies({ 200: groupReply }, [
            'role_forbidden',
            'scope_forbidden',
            'group_not_found',
            'group_dissolved',
            'group_has_active_members',
            'date_before_group_formed',
            'date_before_member_activity',
            'date_in_future',
            'period_closed',
            'malformed_json',
          ]),
        },
      },
      async (request) => writes.run(() => registry.dissolveGroup(context, actorOf(request), request.params.id, request.body)),
    );

    app.post(
      '/members',
      {
        schema: {
          tags: ['members'],
          summary: 'Register a member in a group',
          headers: keyableHeaders,
          body: createMemberBody,
          response: replies({ 201: memberDetailReply }, [
            'idempotency_key_reused',
            'role_forbidden',
            'scope_forbidden',
            'group_not_found',
            'group_dissolved',
            'group_full',
            'duplicate_national_id',
            'date_in_future',
            'period_closed',
            'date_before_group_formed',
            'member_under_age',
            'malformed_json',
          ]),
        },
      },
      async (request, reply) => reply.status(201).send(await writes.run(() => registry.createMember(context, actorOf(request), request.body, keyIfSent(request)))),
    );
    app.get(
      '/members',
      {
        schema: {
          tags: ['members'],
          summary: 'List members you can see; q finds names without accents or case, or a CCCD',
          querystring: listMembersQuery,
          response: replies({ 200: pageOf(memberReply) }, ['area_not_found', 'group_not_found']),
        },
      },
      async (request) => registry.listMembers(context, actorOf(request), request.query),
    );
    app.get(
      '/members/:id',
      {
        schema: {
          tags: ['members'],
          summary: 'One member, with her memberships and household poverty history',
          params: byId,
          response: replies({ 200: memberDetailReply }, ['member_not_found', 'scope_forbidden']),
        },
      },
      async (request) => registry.getMember(context, actorOf(request), request.params.id),
    );
    app.patch(
      '/members/:id',
      {
        schema: {
          tags: ['members'],
          summary: 'Correct a member’s details or record a change of household poverty status',
          params: byId,
          body: updateMemberBody,
          response: replies({ 200: memberDetailReply }, [
            'role_forbidden',
            'scope_forbidden',
            'member_not_found',
            'duplicate_national_id',
            'member_under_age',
            'date_in_future',
            'period_closed',
            'date_before_joined',
            'date_before_status_change',
            'malformed_json',
          ]),
        },
      },
      async (request) => writes.run(() => registry.updateMember(context, actorOf(request), request.params.id, request.body)),
    );
    app.post(
      '/members/:id/move',
      {
        schema: {
          tags: ['members'],
          summary: 'Move a member to another group (her history is kept)',
          params: byId,
          body: moveMemberBody,
          response: replies({ 200: memberDetailReply }, [
            'role_forbidden',
            'scope_forbidden',
            'member_not_found',
            'member_not_active',
            'group_not_found',
            'group_dissolved',
            'group_full',
            'member_already_in_group',
            'date_before_joined',
            'date_before_member_activity',
            'date_before_group_formed',
            'date_in_future',
            'period_closed',
            'malformed_json',
          ]),
        },
      },
      async (request) => writes.run(() => registry.moveMember(context, actorOf(request), request.params.id, request.body)),
    );
    app.post(
      '/members/:id/exit',
      {
        schema: {
          tags: ['members'],
          summary: 'Record that a member left the fund',
          params: byId,
          body: exitMemberBody,
          response: replies({ 200: memberDetailReply }, [
            'role_forbidden',
            'scope_forbidden',
            'member_not_found',
            'member_not_active',
            'member_has_open_loans',
            'date_before_joined',
            'date_before_member_activity',
            'date_in_future',
            'period_closed',
            'malformed_json',
          ]),
        },
      },
      async (request) => writes.run(() => registry.exitMember(context, actorOf(request), request.params.id, request.body)),
    );
  };
}
