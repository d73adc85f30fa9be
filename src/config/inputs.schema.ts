import { z } from 'zod';
import { durationSchema } from './duration.ts';
import { permissionSchema } from './runbook.schema.ts';

/** Host and user names never start with "-", so they cannot be read as ssh options. */
export const HOST = /^$|^[A-Za-z0-9_][A-Za-z0-9_.:-]{0,252}$|^\[[0-9A-Fa-f:.]+\]$/;
export const USER = /^$|^[A-Za-z0-9_][A-Za-z0-9_.-]{0,31}$/;
export const JUMP_HOST =
  /^$|^(?:[A-Za-z0-9_][A-Za-z0-9_.-]{0,31}@)?[A-Za-z0-9_][A-Za-z0-9_.-]{0,252}(?::\d{1,5})?$/;

const booleanInput = (name: string) =>
  z
    .string()
    .trim()
    .toLowerCase()
    .pipe(z.enum(['true', 'false', ''], { error: `${name} must be "true" or "false"` }))
    .transform((value) => value === 'true');

const integerInput = (name: string, min: number, max: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, `${name} must be a whole number`)
    .transform(Number)
    .pipe(z.number().min(min, `${name} must be at least ${min}`).max(max, `${name} must be at most ${max}`));

const listInput = z.string().transform((value) =>
  value
    .split(/[,\n]/)
    .map((entry) => entry.trim().replace(/^@/, ''))
    .filter((entry) => entry.length > 0),
);

const teamList = listInput.pipe(
  z.array(z.string().regex(/^[\w.-]+\/[\w.-]+$/, 'allowed-teams entries are written org/team-slug')),
);

/** The raw inputs, exactly as action.yml names them. */
export const inputsSchema = z.object({
  'github-token': z.string().min(1, 'github-token is empty; pass ${{ github.token }} or a token'),
  runbook: z.string().trim().min(1),
  'ssh-host': z.string().trim().regex(HOST, 'ssh-host must be a host name or IP address'),
  'ssh-port': integerInput('ssh-port', 1, 65535),
  'ssh-user': z
    .string()
    .trim()
    .regex(USER, 'ssh-user must be an account name (letters, digits, ".", "_", "-")'),
  'ssh-private-key': z.string(),
  'ssh-known-hosts': z.string(),
  'ssh-jump-host': z.string().trim().regex(JUMP_HOST, 'ssh-jump-host must be written [user@]host[:port]'),
  'ssh-insecure-skip-host-key-check': booleanInput('ssh-insecure-skip-host-key-check'),
  permission: z.string().trim().pipe(permissionSchema),
  'allowed-users': listInput,
  'allowed-teams': teamList,
  'command-timeout': integerInput('command-timeout', 1, 6 * 3600),
  'max-commands': integerInput('max-commands', 1, 50),
  'claim-timeout': durationSchema.pipe(
    z
      .number()
      .min(60, 'claim-timeout must be at least 1m')
      .max(24 * 3600, 'claim-timeout must be at most 24h; set it to the job timeout-minutes'),
  ),
  'dry-run': booleanInput('dry-run'),
  'label-prefix': z.string().trim().min(1),
  escalation: listInput.pipe(
    z.array(z.string().regex(/^[\w.-]+(?:\/[\w.-]+)?$/, 'escalation entries are users or org/team-slug')),
  ),
  'initial-assessment': booleanInput('initial-assessment'),
  'bot-login': z.string().trim().min(1, 'bot-login is empty; the default is github-actions[bot]'),
  'slack-webhook-url': z
    .string()
    .trim()
    .refine((value) => value === '' || slackUrl(value), {
      // The value is a secret: the message never repeats it.
      error:
        "slack-webhook-url must be an https:// URL (Slack's Incoming Webhook URL, from a secret), or empty",
    }),
  'record-secret': z.string().refine((value) => value.trim() === '' || value.trim().length >= 32, {
    error: 'record-secret must be at least 32 characters (for example `openssl rand -hex 32`), or empty',
  }),
});

/** https anywhere; plain http only to this machine (a local relay or a test server). */
function slackUrl(value: string): boolean {
  try {
    const url = new URL(value);
    if (url.username || url.password) return false;
    if (url.protocol === 'https:') return true;
    return url.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
  } catch {
    return false;
  }
}

export type Inputs = z.output<typeof inputsSchema>;
export const INPUT_NAMES = Object.keys(inputsSchema.shape) as (keyof typeof inputsSchema.shape)[];
