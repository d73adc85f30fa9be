// Parses a Mermaid gantt chart with Mermaid's own gantt parser and returns its tasks, so tests
// check that the postmortem's chart is valid Mermaid and says what it should.
import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export interface GanttTask {
  name: string;
  start: Date;
  end: Date;
  milestone: boolean;
}

interface GanttDiagram {
  parser: { yy: unknown; parse(text: string): void };
  db: { clear(): void; getTasks(): { task: string; startTime: Date; endTime: Date; milestone?: boolean }[] };
}

let diagram: GanttDiagram | undefined;

async function ganttDiagram(): Promise<GanttDiagram> {
  if (diagram) return diagram;
  const require = createRequire(import.meta.url);
  const chunks = join(dirname(require.resolve('mermaid/package.json')), 'dist/chunks/mermaid.core');
  const file = readdirSync(chunks).find((name) => name.startsWith('ganttDiagram-') && name.endsWith('.mjs'));
  if (!file) throw new Error(`no gantt diagram in ${chunks}`);
  diagram = ((await import(join(chunks, file))) as { diagram: GanttDiagram }).diagram;
  return diagram;
}

/** Throws Mermaid's own error when the chart does not parse or a date is invalid. */
export async function parseGantt(text: string): Promise<GanttTask[]> {
  const { parser, db } = await ganttDiagram();
  parser.yy = db;
  db.clear();
  parser.parse(text);
  return db.getTasks().map((task) => ({
    name: task.task.trim(),
    start: task.startTime,
    end: task.endTime,
    milestone: task.milestone === true,
  }));
}
