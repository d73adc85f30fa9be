/**
 * What the Actions runner does with a step's output: it executes the workflow commands it finds
 * in it, line by line, the way actions/runner's ActionCommandManager does. A line is a command
 * when, after leading blanks, it starts with `::name …::` (v2), or when it holds `##[name …]`
 * anywhere (v1), for a registered command name. `::stop-commands::TOKEN` turns that off until a
 * line `::TOKEN::`. Tests read the action's stdout through this to prove which commands the runner
 * would have executed, and so that text from hosts and comments never reaches it as a command.
 */
export interface RunnerCommand {
  name: string;
  properties: Record<string, string>;
  data: string;
  line: number;
}

export interface InterpretedLog {
  /** Commands the runner would execute, in order (stop-commands and its resume included). */
  commands: RunnerCommand[];
  /** Values registered with add-mask. */
  masks: string[];
}

const REGISTERED = new Set([
  'add-mask',
  'add-matcher',
  'add-path',
  'debug',
  'echo',
  'endgroup',
  'error',
  'group',
  'notice',
  'remove-matcher',
  'save-state',
  'set-env',
  'set-output',
  'stop-commands',
  'warning',
]);

function unescapeData(value: string): string {
  return value.replace(/%0D/gi, '\r').replace(/%0A/gi, '\n').replace(/%25/g, '%');
}

function unescapeProperty(value: string): string {
  return unescapeData(value).replace(/%3A/gi, ':').replace(/%2C/gi, ',');
}

function parseV2(line: string, registered: Set<string>): Omit<RunnerCommand, 'line'> | undefined {
  const message = line.trimStart();
  if (!message.startsWith('::')) return undefined;
  const end = message.indexOf('::', 2);
  if (end < 0) return undefined;
  const info = message.slice(2, end);
  const space = info.indexOf(' ');
  const name = space < 0 ? info : info.slice(0, space);
  if (!registered.has(name.toLowerCase())) return undefined;
  const properties: Record<string, string> = {};
  if (space > 0) {
    for (const pair of info.slice(space + 1).split(',')) {
      const equals = pair.indexOf('=');
      if (equals > 0) properties[pair.slice(0, equals)] = unescapeProperty(pair.slice(equals + 1));
    }
  }
  return { name: name.toLowerCase(), properties, data: unescapeData(message.slice(end + 2)) };
}

function parseV1(line: string, registered: Set<string>): Omit<RunnerCommand, 'line'> | undefined {
  const prefix = line.indexOf('##[');
  if (prefix < 0) return undefined;
  const close = line.indexOf(']', prefix);
  if (close < 0) return undefined;
  const info = line.slice(prefix + 3, close);
  const space = info.indexOf(' ');
  const name = space < 0 ? info : info.slice(0, space);
  if (!registered.has(name.toLowerCase())) return undefined;
  const properties: Record<string, string> = {};
  if (space > 0) {
    for (const pair of info.slice(space + 1).split(';')) {
      const equals = pair.indexOf('=');
      if (equals > 0) properties[pair.slice(0, equals)] = unescapeData(pair.slice(equals + 1));
    }
  }
  return { name: name.toLowerCase(), properties, data: unescapeData(line.slice(close + 1)) };
}

export function interpretRunnerLog(stdout: string): InterpretedLog {
  const registered = new Set(REGISTERED);
  const commands: RunnerCommand[] = [];
  const masks: string[] = [];
  let stopToken: string | undefined;
  stdout.split(/\r?\n/).forEach((text, index) => {
    const parsed = parseV2(text, registered) ?? parseV1(text, registered);
    if (!parsed) return;
    if (stopToken !== undefined) {
      if (parsed.name === stopToken.toLowerCase()) {
        registered.delete(stopToken.toLowerCase());
        stopToken = undefined;
        commands.push({ ...parsed, line: index + 1 });
      }
      return;
    }
    commands.push({ ...parsed, line: index + 1 });
    if (parsed.name === 'stop-commands') {
      stopToken = parsed.data;
      registered.add(parsed.data.toLowerCase());
    } else if (parsed.name === 'add-mask') {
      masks.push(parsed.data);
    }
  });
  return { commands, masks };
}
