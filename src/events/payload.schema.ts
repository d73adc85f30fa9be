import { z } from 'zod';

const userSchema = z.object({
  login: z.string(),
  id: z.number(),
  type: z.string(),
});

const labelSchema = z.object({ name: z.string() });

const issueSchema = z.object({
  number: z.number().int().positive(),
  title: z.string(),
  state: z.enum(['open', 'closed']),
  html_url: z.string(),
  user: userSchema,
  labels: z.array(labelSchema).default([]),
  pull_request: z.unknown().optional(),
  created_at: z.string(),
});

const repositorySchema = z.object({
  name: z.string(),
  full_name: z.string(),
  owner: z.object({ login: z.string() }),
});

export const issuesEventSchema = z.object({
  action: z.string(),
  issue: issueSchema,
  label: labelSchema.optional(),
  sender: userSchema,
  repository: repositorySchema,
});

export const issueCommentEventSchema = z.object({
  action: z.string(),
  issue: issueSchema,
  comment: z.object({
    id: z.number().int().positive(),
    body: z
      .string()
      .nullable()
      .transform((body) => body ?? ''),
    html_url: z.string(),
    created_at: z.string(),
    updated_at: z.string().optional(),
    user: userSchema,
  }),
  sender: userSchema,
  repository: repositorySchema,
});

export const scheduleEventSchema = z.object({ schedule: z.string().optional() });

/** `repository_dispatch`: `action` is the sender's event_type, `client_payload` its JSON. */
export const repositoryDispatchEventSchema = z.object({
  action: z.string(),
  client_payload: z.unknown(),
  sender: userSchema,
  repository: repositorySchema,
});

export type IssuesEvent = z.infer<typeof issuesEventSchema>;
export type RepositoryDispatchEvent = z.infer<typeof repositoryDispatchEventSchema>;
export type IssueCommentEvent = z.infer<typeof issueCommentEventSchema>;
export type IssuePayload = z.infer<typeof issueSchema>;
