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
    run: z
      .string()
      .min(1)
      .optional()
      .describe('Remote shell script; {{ arg }} expands to the quoted argument value'),
    metrics: z
      .literal('verification')
      .optional()
      .describe(
        "Instead of run: evaluates the verification's metrics section (PromQL through its Prometheus, or one scrape) and shows each value against its threshold",
      ),
    when: z
      .record(z.string(), z.union([z.string(), z.array(z.string())]))
      .optional()
      .describe('Run only when these arguments have these values'),
    destructive: z.boolean().default(false),
    'continue-on-error': z.boolean().default(false),
  })
  .strict()
  .refine((step) => (step.run === undefined) !== (step.metrics === undefined), {
    message: 'give the step either run (a script) or metrics: verification, not both or neither',
  });

/** A step that must be a script: a command's check, a verification step. */
const scriptStepSchema = stepSchema.refine((step) => step.metrics === undefined, {
  message: 'only a command step may evaluate the metrics: give this one a run script',
  path: ['metrics'],
});

export const commandSchema = z
  .object({
    description: z.string().min(1),
    permission: permissionSchema.default('write'),
    destructive: z.boolean().default(false).describe('Needs a confirmation before it runs'),
    diagnostic: z
      .boolean()
      .default(false)
      .describe(
        'Only looks: a step that exits non-zero, or output with ERROR lines, is a finding to report, not a failure',
      ),
    target: identifier.default('default'),
    timeout: durationSchema.optional().describe('Defaults to the command-timeout input'),
    args: z.array(argumentSchema).default([]),
    steps: z.array(stepSchema).min(1),
    check: scriptStepSchema.optional().describe('Runs after the steps to verify the outcome'),
  })
  .strict();

const thresholdSchema = z
  .object({
    name: z.string().min(1),
    query: z
      .string()
      .min(1)
      .max(1024)
      .optional()
      .describe('A PromQL expression, evaluated by the Prometheus the metrics section names'),
    metric: z.string().min(1).optional().describe('A gauge compared as it is'),
    histogram: z.string().min(1).optional().describe('A histogram; `quantile` of its buckets is compared'),
    quantile: z.number().gt(0).lt(1).optional(),
    ratio: z
      .tuple([z.string().min(1), z.string().min(1)])
      .optional()
      .describe('[numerator, denominator] metrics'),
    max: z.number().optional().describe('Healthy when the value is at most this'),
    min: z.number().optional().describe('Healthy when the value is at least this'),
    unit: z
      .string()
      .default('')
      .describe('Shown after the value; `ratio` means a fraction of 1, shown as a percentage (0.12 → 12 %)'),
  })
  .strict()
  .refine(
    (threshold) =>
      [threshold.query, threshold.metric, threshold.histogram, threshold.ratio].filter(
        (value) => value !== undefined,
      ).length === 1,
    {
      message: 'give exactly one of query, metric, histogram or ratio',
    },
  )
  .refine((threshold) => threshold.histogram === undefined || threshold.quantile !== undefined, {
    message: 'a histogram threshold needs a quantile, e.g. 0.95',
  })
  .refine((threshold) => threshold.max !== undefined || threshold.min !== undefined, {
    message: 'give max (healthy at most), min (healthy at least), or both',
  });

/** Where Prometheus is, as the target host reaches it: a URL, or a variable the target sets. */
export const PROMETHEUS_LOCATION =
  /^(\$\{?[A-Z_][A-Z0-9_]*\}?|https?:\/\/[A-Za-z0-9.:_[\]-]+(\/[A-Za-z0-9._~/-]*)?)$/;

const verificationSchema = z
  .object({
    target: identifier.default('default'),
    timeout: durationSchema.default(120),
    steps: z.array(scriptStepSchema).default([]).describe('Checks that must succeed, e.g. the health check'),
    metrics: z
      .object({
        name: z.string().default('Check metrics return to normal'),
        prometheus: z
          .string()
          .regex(
            PROMETHEUS_LOCATION,
            'a URL such as http://127.0.0.1:9091, or a variable such as $PROMETHEUS_URL',
          )
          .optional()
          .describe(
            'Prometheus as the target host reaches it; thresholds are then PromQL `query`s over its stored series',
          ),
        run: z
          .string()
          .min(1)
          .optional()
          .describe('Without Prometheus: prints the metrics in Prometheus text format, read once'),
        thresholds: z.array(thresholdSchema).min(1),
      })
      .strict()
      .superRefine((metrics, ctx) => {
        if ((metrics.prometheus === undefined) === (metrics.run === undefined)) {
          ctx.addIssue({
            code: 'custom',
            message:
              'give either prometheus (queries over its stored series) or run (one scrape of the metrics), not both or neither',
          });
          return;
        }
        metrics.thresholds.forEach((threshold, index) => {
          const promql = threshold.query !== undefined;
          if (promql !== (metrics.prometheus !== undefined)) {
            ctx.addIssue({
              code: 'custom',
              path: ['thresholds', index],
              message: promql
                ? 'a query threshold needs the metrics section to name its prometheus'
                : 'with prometheus set, thresholds are PromQL: write query: instead of metric, histogram or ratio',
            });
          }
        });
      })
      .optional(),
  })
  .strict()
  .describe('What /resolve checks before it closes the incident');

/** Variables a target may not set: they would change how every step runs, not what it talks to. */
export const RESERVED_ENVIRONMENT =
  /^(PATH|HOME|SHELL|USER|LOGNAME|IFS|ENV|BASH_ENV|PS4|SHELLOPTS|BASHOPTS|LD_.*|SSH_.*)$/;

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
    env: z
      .record(
        z
          .string()
          .regex(/^[A-Z_][A-Z0-9_]{0,63}$/, 'variable names are uppercase letters, digits and "_"')
          .refine(
            (name) => !RESERVED_ENVIRONMENT.test(name),
            "this variable is the shell's own: pick another name",
          ),
        z.string().max(1024),
      )
      .default({})
      .describe(
        "Host settings the steps read, e.g. SLACK_KB_AGENT_URL. Defaults: a variable the account's session already sets keeps its value",
      ),
  })
  .strict();

/** Alertmanager label values a route matches: one value, or any of several. */
const labelMatch = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]);

export const alertsSchema = z
  .object({
    routes: z
      .array(
        z
          .object({
            match: z
              .record(z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, 'a Prometheus label name'), labelMatch)
              .refine((match) => Object.keys(match).length > 0, 'give at least one label, e.g. alertname')
              .describe('Labels the alert must carry, each with this value (or one of these values)'),
            severity: severityKeySchema,
          })
          .strict(),
      )
      .min(1)
      .describe('First match wins, per alert; a group takes the most severe of its alerts'),
    'default-severity': severityKeySchema
      .optional()
      .describe('For an alert no route matches; without it such an alert opens no incident'),
    silence: z
      .union([
        z.literal(false),
        z
          .object({
            for: durationSchema
              .default(43_200)
              .describe('How long a silence lasts at most (default 12h); /resolve expires it sooner'),
            target: identifier
              .default('default')
              .describe('The target whose host reaches Alertmanager at $ALERTMANAGER_URL (over SSH)'),
          })
          .strict(),
      ])
      .default({ for: 43_200, target: 'default' })
      .describe(
        "/ack silences the incident's alert group in Alertmanager (API v2) until /resolve expires it; false: never",
      ),
    'flap-window': durationSchema
      .default(1800)
      .describe(
        'A group firing again this soon after its incident was closed reopens it; later, a new incident links the old one',
      ),
  })
  .strict()
  .describe(
    'Alertmanager notifications (repository_dispatch "alertmanager"): which severity each alert opens',
  );

/** A user (`dana`) or a team (`acme/dba`), as GitHub mentions them. */
export const mentionSchema = z
  .string()
  .regex(
    /^@?[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(?:\/[A-Za-z0-9][\w.-]{0,99})?$/,
    'a GitHub login or org/team-slug',
  )
  .transform((mention) => mention.replace(/^@/, ''));

const contactSchema = z
  .object({
    name: z.string().min(1).max(80).describe('The role as people say it, e.g. Database Administrator'),
    mention: z
      .array(mentionSchema)
      .max(20)
      .default([])
      .describe('Who is paged: GitHub users or org/team slugs (a team must be visible to the token)'),
    availability: z
      .string()
      .min(1)
      .max(80)
      .optional()
      .describe('When they answer, e.g. 24/7, business hours'),
    page: z
      .array(severityKeySchema)
      .default([])
      .describe('Severities whose declaration pages them at once, e.g. [p0, p1]'),
  })
  .strict();

export const contactsSchema = z
  .record(identifier, contactSchema)
  .describe(
    'Emergency contacts by role: `/page <role> [note]` mentions them; `page:` pages them at declaration',
  );

export const statusPageSchema = z
  .object({
    title: z.string().min(1).max(100).describe('The page heading, e.g. Slack KB Agent status'),
    branch: z
      .string()
      .regex(/^(?!.*\.\.)(?!\/)[A-Za-z0-9._/-]{1,100}(?<![./])$/, 'a branch name, e.g. gh-pages')
      .default('gh-pages')
      .describe('The branch GitHub Pages serves; it must exist'),
    path: z
      .string()
      .regex(
        /^(?!.*\.\.)[A-Za-z0-9_-][A-Za-z0-9._/-]{0,99}(?<!\/)$/,
        'a folder in the repository, e.g. status',
      )
      .default('status')
      .describe('The folder of the page: index.md and status.json are written there'),
  })
  .strict()
  .describe(
    '/status-page publishes public updates here, through the contents API (the workflow needs contents: write)',
  );

/** What can prove a checklist item done: a recorded fact of the incident, never a guess. */
export const PROOFS = ['metrics', 'ticket', 'stakeholders', 'status-page', 'review'] as const;

const checklistItemSchema = z.union([
  z.string().min(1).max(300),
  z
    .object({
      item: z.string().min(1).max(300),
      'ticked-by': z
        .union([
          z.enum(PROOFS),
          z.string().regex(/^verification: \S.*$/, 'name a verification step as "verification: <step name>"'),
        ])
        .describe(
          'The fact that ticks it: "verification: <step name>" (that step passed at /resolve), metrics (every threshold measured and within), ticket, stakeholders (the resolution reached the channel), status-page (the page says resolved), review (the review issue exists)',
        ),
    })
    .strict(),
]);

/** The runbook's post-incident checklists; an item without `ticked-by` is left for people to tick. */
const postIncidentSchema = z
  .object({
    resolution: z.array(checklistItemSchema).max(30).default([]),
    communication: z.array(checklistItemSchema).max(30).default([]),
    review: z.array(checklistItemSchema).max(30).default([]),
    documentation: z.array(checklistItemSchema).max(30).default([]),
  })
  .strict();

export const runbookSchema = z
  .object({
    version: z.literal(1),
    service: z.string().min(1),
    severities: z.record(severityKeySchema, severitySchema),
    targets: z.record(identifier, targetSchema).default({ default: { env: {} } }),
    commands: z.record(identifier, commandSchema),
    verification: verificationSchema.optional(),
    alerts: alertsSchema.optional(),
    contacts: contactsSchema.optional(),
    'status-page': statusPageSchema.optional(),
    'post-incident': postIncidentSchema
      .optional()
      .describe('Checklists the postmortem and the review issue carry (Post-Incident in the runbook)'),
  })
  .strict()
  .superRefine((runbook, context) => {
    const steps = new Set(runbook.verification?.steps.map((step) => step.name) ?? []);
    for (const [list, items] of Object.entries(runbook['post-incident'] ?? {})) {
      items.forEach((item, index) => {
        if (typeof item === 'string') return;
        const proof = item['ticked-by'];
        const step = proof.startsWith('verification: ') ? proof.slice('verification: '.length) : undefined;
        if (step !== undefined && !steps.has(step))
          context.addIssue({
            code: 'custom',
            path: ['post-incident', list, index, 'ticked-by'],
            message: `no verification step is named "${step}"${steps.size > 0 ? ` (the steps: ${[...steps].join(', ')})` : ' (the runbook has no verification steps)'}`,
          });
        if (proof === 'metrics' && !runbook.verification?.metrics)
          context.addIssue({
            code: 'custom',
            path: ['post-incident', list, index, 'ticked-by'],
            message: 'the runbook has no verification.metrics, so nothing can prove this item',
          });
      });
    }
  });

export type Runbook = z.output<typeof runbookSchema>;
export type RunbookCommand = Runbook['commands'][string];
export type CommandArgument = RunbookCommand['args'][number];
export type RunbookStep = RunbookCommand['steps'][number];
export type Severity = Runbook['severities'][string];
export type StatusPageConfig = NonNullable<Runbook['status-page']>;
export type PostIncident = NonNullable<Runbook['post-incident']>;
export type ChecklistItem = PostIncident['resolution'][number];
export type Contact = NonNullable<Runbook['contacts']>[string];
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
