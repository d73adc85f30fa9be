import type { RunSignals } from '../flows/dependencies.ts';

export interface RunnerSignalOptions {
  warn: (message: string) => void;
  /** Runs synchronously as the process is about to exit on SIGTERM (cleanup that must not be skipped). */
  beforeExit: () => void;
  fail: (message: string) => void;
}

/**
 * The runner cancels a step with SIGINT, then SIGTERM 7.5 s later, then kills it 2.5 s after that.
 * On SIGINT the run finishes the command in progress and takes no new one; on SIGTERM it records
 * the command it could not finish, removes its SSH folders, then exits.
 */
export function runnerSignals(options: RunnerSignalOptions): {
  signals: RunSignals;
  sleep: (ms: number) => Promise<void>;
} {
  let stop = false;
  const wakers = new Set<() => void>();
  const handlers = new Set<() => Promise<void>>();
  const requestStop = (signal: string) => {
    if (!stop)
      options.warn(
        `${signal}: the run was cancelled; it finishes the command in progress and takes no new one.`,
      );
    stop = true;
    for (const wake of wakers) wake();
  };
  process.on('SIGINT', () => requestStop('SIGINT'));
  process.on('SIGTERM', () => {
    requestStop('SIGTERM');
    void (async () => {
      for (const handler of handlers) {
        try {
          await handler();
        } catch (error) {
          options.warn(`Could not record the interrupted command: ${String(error)}`);
        }
      }
      options.beforeExit();
      options.fail('The run was cancelled (SIGTERM).');
      process.exit(1);
    })();
  });
  return {
    signals: {
      stopRequested: () => stop,
      onTerminate(handler) {
        handlers.add(handler);
        return () => handlers.delete(handler);
      },
    },
    sleep: (ms) =>
      new Promise<void>((resolve) => {
        if (stop) return resolve();
        const done = () => {
          clearTimeout(timer);
          wakers.delete(done);
          resolve();
        };
        const timer = setTimeout(done, ms);
        wakers.add(done);
      }),
  };
}
