import type { StatusPageConfig } from '../config/runbook.schema.ts';
import { FileConflict } from '../github/port.ts';
import {
  mergeStatus,
  renderStatusMarkdown,
  statusDocumentSchema,
  type StatusDocument,
  type StatusEntry,
} from '../report/status-page.ts';
import type { Dependencies } from './dependencies.ts';

/** Tries when another run wrote the page between our read and our write. */
const ATTEMPTS = 3;

/**
 * Writes this incident's public entry into the status page on its branch: `status.json` merged
 * with what is there (other incidents kept), then `index.md` rendered from it. Each write names
 * the blob it replaces, so two runs at once never lose an update: the later one reads again.
 */
export async function publishStatus(
  config: StatusPageConfig,
  entry: StatusEntry,
  deps: Dependencies,
): Promise<{ ok: true; url: string } | { ok: false; error: string }> {
  const jsonPath = `${config.path}/status.json`;
  const markdownPath = `${config.path}/index.md`;
  try {
    let document: StatusDocument | undefined;
    for (let attempt = 1; attempt <= ATTEMPTS && !document; attempt++) {
      const current = await deps.github.readBranchFile(jsonPath, config.branch);
      let previous: StatusDocument | undefined;
      if (current) {
        const parsed = statusDocumentSchema.safeParse(safeJson(current.text));
        if (!parsed.success)
          return {
            ok: false,
            error: `${jsonPath} on ${config.branch} is not a status document this action wrote: fix it or delete it`,
          };
        previous = parsed.data;
      }
      const next = mergeStatus(previous, config, entry, deps.now());
      try {
        await deps.github.writeBranchFile({
          path: jsonPath,
          branch: config.branch,
          text: `${JSON.stringify(next, null, 2)}\n`,
          message: `Status page: incident #${entry.id} ${entry.state}`,
          ...(current ? { sha: current.sha } : {}),
        });
        document = next;
      } catch (error) {
        if (!(error instanceof FileConflict) || attempt === ATTEMPTS) throw error;
      }
    }
    if (!document) return { ok: false, error: 'the status page kept changing under this run' };
    // The page is rendered from status.json as it is just before each write: a run that wrote
    // the JSON after ours renders (or, losing the race on index.md, re-renders) with both.
    for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
      const latest = await deps.github.readBranchFile(jsonPath, config.branch);
      const parsed = latest ? statusDocumentSchema.safeParse(safeJson(latest.text)) : undefined;
      const current = await deps.github.readBranchFile(markdownPath, config.branch);
      try {
        await deps.github.writeBranchFile({
          path: markdownPath,
          branch: config.branch,
          text: renderStatusMarkdown(parsed?.success ? parsed.data : document),
          message: `Status page: incident #${entry.id} ${entry.state}`,
          ...(current ? { sha: current.sha } : {}),
        });
        break;
      } catch (error) {
        if (!(error instanceof FileConflict) || attempt === ATTEMPTS) throw error;
      }
    }
    deps.log(`Status page: incident #${entry.id} ${entry.state} on ${config.branch}:${markdownPath}`);
    return { ok: true, url: `${deps.repoUrl}/blob/${config.branch}/${markdownPath}` };
  } catch (error) {
    return { ok: false, error: explain(error, config) };
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** What the person setting it up should do, from GitHub's answer. */
function explain(error: unknown, config: StatusPageConfig): string {
  const status = (error as { status?: unknown }).status;
  if (status === 403)
    return "the workflow's token may not write to the repository: give the job permissions: contents: write";
  if (status === 404)
    return `the branch ${config.branch} does not exist: create it (the one GitHub Pages serves)`;
  if (status === 422) return `GitHub refused the file (${config.path}): check status-page.path and branch`;
  return `GitHub answered ${typeof status === 'number' ? status : 'with an error'} while writing the status page`;
}
