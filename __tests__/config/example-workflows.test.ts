// The example workflows agree with each other: the runbook the incident job reads is the file
// the pull-request check validates, with annotations, through the released terminal client.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

const workflow = (name: string) =>
  parse(readFileSync(new URL(`../../.github/workflows/${name}`, import.meta.url), 'utf8')) as {
    on: Record<string, { paths?: string[] }>;
    jobs: Record<string, { steps: { uses?: string; run?: string; with?: Record<string, string> }[] }>;
  };

test('the pull-request check validates the runbook file the incident job reads', () => {
  const incident = workflow('incident.yml');
  const check = workflow('runbook-check.yml');
  const runbook = incident.jobs.incident?.steps.find((step) => step.with?.runbook)?.with?.runbook;
  expect(runbook).toBe('.github/incident-runbook.yml');
  expect(check.on.pull_request?.paths).toEqual([runbook]);
  const run = check.jobs.validate?.steps.map((step) => step.run).find(Boolean);
  expect(run).toBe(`node .incident-issueops/dist/cli/index.js validate ${runbook} --format github`);
  // The client comes from the same release as the action.
  const action = incident.jobs.incident?.steps.find((step) => step.uses?.includes('incident-issueops'))?.uses;
  const client = check.jobs.validate?.steps.find((step) => step.with?.repository);
  expect(`${client?.with?.repository}@${client?.with?.ref}`).toBe(action);
});
