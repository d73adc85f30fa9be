import { randomBytes } from 'node:crypto';

/**
 * A log line writer the runner cannot be made to obey. The runner executes workflow commands found
 * in a step's output: `::name::` at the start of a line (after blanks) and the older `##[name]`
 * anywhere in it. Text from hosts and comments reaches the log, so any message that could hold
 * one is written between `::stop-commands::TOKEN` and `::TOKEN::`, with a fresh random token
 * nobody can guess: in between, the runner treats every line as text.
 */
export function createRunnerLog(
  write: (text: string) => void,
  random: (bytes: number) => Buffer = randomBytes,
): (message: string) => void {
  return (message) => {
    if (!/::|##\[/.test(message)) {
      write(message);
      return;
    }
    const token = `incident-issueops-${random(16).toString('hex')}`;
    write(`::stop-commands::${token}`);
    write(message);
    write(`::${token}::`);
  };
}
