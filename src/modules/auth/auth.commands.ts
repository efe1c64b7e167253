// Requests and replies of sign-in and user management.
import { z } from 'zod';
import { roles } from '../../../db/schema.js';
import { entityId, name, timestamp } from '../shared/schemas.js';

export const loginBody = z.strictObject({
  username: z.string().trim().min(1, 'must not be empty').max(64),
  password: z.string().min(1, 'must not be empty').max(200),
});

/** A password a user is given or chooses: what sign-in will ask for. */
const newPassword = z
  .string()
  .min(8, 'must be at least 8 characters')
  .max(200, 'must be at most 200 characters')
  .refine((password) => password.trim() !== '', 'must not be only spaces');

export const createUserBody = z.strictObject({
  username: z
    .string()
    .trim()
    .min(3, 'must be at least 3 characters')
    .max(32, 'must be at most 32 characters')
    .regex(/^[a-z0-9._-]+$/, 'may use only lower-case letters without accents, digits, dot, dash and underscore'),
  password: newPassword,
  fullName: name,
  role: z.enum(roles),
  areaIds: z.array(entityId).max(100).optional().meta({ description: 'An officer’s areas; the officer reaches each subtree' }),
  groupId: entityId.optional().meta({ description: 'A leader’s group' }),
});

export type CreateUserInput = z.infer<typeof createUserBody>;

/**
 * What the admin may change of a user. A role that needs no scope drops the one the user had; a role that needs one
 * (an officer's areas, a leader's group) must be given it unless the user already has it.
 */
export const updateUserBody = z
  .strictObject({
    fullName: name.optional(),
    role: z.enum(roles).optional(),
    areaIds: z.array(entityId).max(100).optional().meta({ description: 'An officer’s areas, replacing the ones she had' }),
    groupId: entityId.optional().meta({ description: 'A leader’s group' }),
    status: z.enum(['active', 'disabled']).optional().meta({ description: 'A disabled user cannot sign in, and her sign-ins end' }),
  })
  .refine((body) => Object.keys(body).length > 0, { message: 'give at least one field to change' });

export type UpdateUserInput = z.infer<typeof updateUserBody>;

/** The admin sets a user's password (she forgot it): every sign-in of the user ends. */
export const setPasswordBody = z.strictObject({ password: newPassword });

/** A signed-in user changes her own password: her other sign-ins end. */
export const changeOwnPasswordBody = z.strictObject({
  currentPassword: z.string().min(1, 'must not be empty').max(200),
  newPassword,
});

export const userReply = z
  .object({
    id: z.string(),
    username: z.string(),
    fullName: z.string(),
    role: z.enum(roles),
    areaIds: z.array(z.string()),
    groupId: z.string().nullable(),
    status: z.enum(['active', 'disabled']),
    createdAt: timestamp,
  })
  .meta({ id: 'User' });

export type UserReply = z.infer<typeof userReply>;

export const loginReply = z.object({ token: z.string(), expiresAt: timestamp, user: userReply });

export const listUsersQuery = z.strictObject({
  role: z.enum(roles).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(500).optional(),
});
