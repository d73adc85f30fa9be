import { z } from 'zod';
import { durationSchema } from './duration.ts';

export const PERMISSION_LEVELS = ['read', 'triage', 'write', 'maintain', 'admin'] as const;
export const permissionSchema = z.enum(PERMISSION_LEVELS);
export type Permission = z.infer<typeof permissionSchema>;

export const severityKeySchema = z.string().regex(/^p[0-9]$/, 'severity keys are p0 … p9');

const severitySchema = z
  .object({
    name: z.string().min(1).describe('Human name, e.g. Critical'),
    description: z.string().min(1),
    'respond-within': durationSchema.describe('Response time target, e.g. 15m'),
    'acknowledge-within': durationSchema.default(300).describe('Acknowledgement target, e.g. 5m'),
    'update-every': durationSchema.optional().describe('Status update cadence, e.g. 30m'),
    examples: z.array(z.string()).default([]),
  })
  .strict();

export const identifier = z
  .string()
  .regex(/^[a-z][a-z0-9_-]*$/, 'use lowercase letters, digits, "-" and "_", starting with a letter');

const argumentSchema = z
  .object({
    name: z.string().regex(/^[a-z][a-z0-9_]*$/, 'argument names are lowercase letters, digits and "_"'),
    description: z.string().min(1),
    kind: z
      .enum(['positional', 'option', 'flag'])
      .default('positional')
      .describe('positional: `/cmd VALUE`; option: `--name VALUE` or `name=VALUE`; flag: `--name`'),
    type: z.enum(['string', 'integer']).default('string'),
    pattern: z
      .string()
      .min(1)
      .refine(isValidRegExp, 'not a valid regular expression')
      .optional()
      .describe('Anchored regular expression the value must match in full'),
    values: z.array(z.string().min(1)).min(1).optional().describe('The only accepted values'),
    min: z.number().int().optional(),
    max: z.number().int().optional(),
    'max-length': z.number().int().positive().max(1024).default(128),
    required: z.boolean().default(false),
    default: z.union([z.string(), z.number().int()]).optional(),
  })
  .strict()
  .superRefine((arg, ctx) => {
    if (
      arg.kind === 'flag' &&
      (arg.pattern !== undefined || arg.values !== undefined || arg.default !== undefined)
    ) {
      ctx.addIssue({ code: 'custom', message: 'a flag takes no value: drop pattern, values and default' });
    }
    if (
      arg.kind !== 'flag' &&
      arg.type === 'string' &&
      arg.pattern === undefined &&
      arg.values === undefined
    ) {
      ctx.addIssue({
        code: 'custom',
        message: `argument "${arg.name}" needs a "pattern" or "values" so that only expected text reaches the host`,
      });
    }
  });

const stepSchema = z
  .object({
    name: z.string().min(1),
    run: z.string().min(1).describe('Remote shell script; {{ arg }} expands to the quoted argument value'),
    when: z
      .record(z.string(), z.union([z.string(), z.array(z.string())]))
      .optional()
      .describe('Run only when these arguments have these values'),
    destructive: z.boolean().default(false),
    'continue-on-error': z.boolean().default(false),
  })
  .strict();

export const commandSchema = z
  .object({
    description: z.string().min(1),
    permission: permissionSchema.default('write'),
    destructive: z.boolean().default(false).describe('Needs a confirmation before it runs'),
    target: identifier.default('default'),
    timeout: durationSchema.optional().describe('Defaults to the command-timeout input'),
    args: z.array(argumentSchema).default([]),
    steps: z.array(stepSchema).min(1),
    check: stepSchema.optional().describe('Runs after the steps to verify the outcome'),
  })
  .strict();

const thresholdSchema = z
  .object({
    name: z.string().min(1),
    metric: z.string().min(1).optional().describe('A gauge compared as it is'),
    histogram: z.string().min(1).optional().describe('A histogram; `quantile` of its buckets is compared'),
    quantile: z.number().gt(0).lt(1).optional(),
    ratio: z
      .tuple([z.string().min(1), z.string().min(1)])
      .optional()
      .describe('[numerator, denominator] metrics'),
    max: z.number().describe('Healthy when the value is at most this'),
    unit: z.string().default(''),
  })
  .strict()
  .refine(
    (threshold) =>
      [threshold.metric, threshold.histogram, threshold.ratio].filter((value) => value !== undefined)
        .length === 1,
    {
      message: 'give exactly one of metric, histogram or ratio',
    },
  )
  .refine((threshold) => threshold.histogram === undefined || threshold.quantile !== undefined, {
    message: 'a histogram threshold needs a quantile, e.g. 0.95',
  });

const verificationSchema = z
  .object({
    target: identifier.default('default'),
    timeout: durationSchema.default(120),
    steps: z.array(stepSchema).default([]).describe('Checks that must succeed, e.g. the health check'),
    metrics: z
      .object({
        name: z.string().default('Check metrics return to normal'),
        run: z.string().min(1).describe('Prints the metrics in Prometheus text format'),
        thresholds: z.array(thresholdSchema).min(1),
      })
      .strict()
      .optional(),
  })
  .strict()
  .describe('What /resolve checks before it closes the incident');

export const targetSchema = z
  .object({
    description: z.string().optional(),
    host: z
      .string()
      .regex(/^[A-Za-z0-9_][A-Za-z0-9_.:-]{0,252}$/, 'a host name or IP address')
      .optional()
      .describe('Defaults to the ssh-host input'),
    port: z.number().int().min(1).max(65535).optional(),
    user: z
      .string()
      .regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,31}$/, 'an account name')
      .optional(),
  })
  .strict();

export const runbookSchema = z
  .object({
    version: z.literal(1),
    service: z.string().min(1),
    severities: z.record(severityKeySchema, severitySchema),
    targets: z.record(identifier, targetSchema).default({ default: {} }),
    commands: z.record(identifier, commandSchema),
    verification: verificationSchema.optional(),
  })
  .strict();

export type Runbook = z.output<typeof runbookSchema>;
export type RunbookCommand = Runbook['commands'][string];
export type CommandArgument = RunbookCommand['args'][number];
export type RunbookStep = RunbookCommand['steps'][number];
export type Severity = Runbook['severities'][string];
export type Verification = NonNullable<Runbook['verification']>;
export type Threshold = NonNullable<Verification['metrics']>['thresholds'][number];

function isValidRegExp(source: string): boolean {
  try {
    new RegExp(source, 'u');
    return true;
  } catch {
    return false;
  }
}
