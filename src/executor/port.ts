export type StepOutcome = 'ok' | 'failed' | 'timeout' | 'ssh-error';

export interface StepResult {
  outcome: StepOutcome;
  /** The remote exit code; 255 when ssh itself failed; undefined when the client was killed. */
  exitCode: number | undefined;
  output: string;
  totalBytes: number;
  omittedBytes: number;
  durationMs: number;
  /** For ssh-error: what went wrong, in our words (host key, authentication, refused …). */
  sshError?: string;
  /** For an ssh-error we cannot name: ssh's own last line. Foreign text: echo it, never render it. */
  sshSaid?: string;
}

/** Runs remote steps on one target. The SSH adapter implements it; tests of pure code pass a fake. */
export interface RemoteExecutor {
  run(script: string, timeoutSeconds: number): Promise<StepResult>;
  close(): Promise<void>;
}
