import type { GitHubPort, ReactionContent } from '../github/port.ts';

/**
 * The status board is the one comment several runs edit: the runs, the sweep and an alert's
 * run. GitHub has no conditional write for comments, so a run that read the board and writes it
 * later would drop what another run wrote in between (a lifecycle command's fact). The runs take
 * turns instead: a run holds the board while it reads and writes it, and the hold is the action's
 * 👀 on the board. GitHub keeps one reaction per user and kind, so of several runs adding it, one
 * gets 201 and holds the board; the others get 200 and wait. The holder removes it when done.
 *
 * A run killed while holding the board leaves its 👀 behind. A waiting run that has seen the same
 * hold (the same reaction id) for `staleMs` of its own clock removes that reaction, by id, and
 * tries again: only that hold can go, never a newer one, and no clock is compared with GitHub's.
 */
export interface BoardLock {
  /**
   * Runs `write` while this run holds the board; `held: false` when it could not in time
   * (`waitMs`, by default the timing's).
   */
  hold<T>(
    boardId: number,
    write: () => Promise<T>,
    options?: { waitMs?: number },
  ): Promise<{ held: true; value: T } | { held: false; reason: string }>;
}

export interface BoardLockTiming {
  /** How long a run waits for the board before it gives up on this write. */
  waitMs: number;
  /** How long one hold may stay while a run waits before it counts as left by a killed run. */
  staleMs: number;
  /** The waits between tries, the last repeated. */
  pollMs: readonly number[];
}

/**
 * A hold lasts one read and one write of the board: well under a second, but a write GitHub answers
 * with a secondary rate limit is retried after a minute, up to three times. So a hold counts as
 * left behind only after 4 minutes: taking over a live one would let its late write drop a fact.
 * A fact waits 20 s for the board and is then posted as a reply (recordOnBoard); a board update
 * waits past the 4 minutes, so that a killed run's hold is cleared.
 */
export const BOARD_LOCK_TIMING: BoardLockTiming = {
  waitMs: 270_000,
  staleMs: 240_000,
  pollMs: [250, 500, 1000, 2000, 5000],
};

/** The reaction that holds the board. */
export const BOARD_HOLD: ReactionContent = 'eyes';

export interface BoardLockDeps {
  github: Pick<GitHubPort, 'addReaction' | 'deleteReaction'>;
  sleep: (ms: number) => Promise<void>;
  /** A monotonic clock in milliseconds (this run's, never GitHub's). */
  elapsedMs: () => number;
  stopRequested: () => boolean;
  log: (message: string) => void;
}

export function createBoardLock(deps: BoardLockDeps, timing: BoardLockTiming = BOARD_LOCK_TIMING): BoardLock {
  const release = async (boardId: number, reactionId: number) => {
    try {
      await deps.github.deleteReaction(boardId, reactionId);
    } catch (error) {
      // Left on the board, it holds the next run up for `staleMs`, no longer.
      deps.log(`Could not let go of the status board (${messageOf(error)}); the next run takes it over.`);
    }
  };
  return {
    async hold(boardId, write, options = {}) {
      const waitMs = options.waitMs ?? timing.waitMs;
      const started = deps.elapsedMs();
      let seen: { id: number; since: number } | undefined;
      for (let attempt = 0; ; attempt += 1) {
        const { created, reaction } = await deps.github.addReaction(boardId, BOARD_HOLD);
        if (created) {
          // Not let go when the run is cancelled: its write may still land, and a hold left
          // behind costs the next runs only time (their facts go into replies meanwhile).
          try {
            return { held: true, value: await write() };
          } finally {
            await release(boardId, reaction.id);
          }
        }
        const now = deps.elapsedMs();
        if (seen?.id !== reaction.id) seen = { id: reaction.id, since: now };
        else if (now - seen.since >= timing.staleMs) {
          deps.log(
            `The status board was held for ${Math.round((now - seen.since) / 1000)} s by a run that did not let go: taking it over.`,
          );
          await release(boardId, reaction.id);
          seen = undefined;
          continue;
        }
        if (deps.stopRequested())
          return { held: false, reason: 'the run was asked to stop while another run held the status board' };
        if (now - started >= waitMs)
          return {
            held: false,
            reason: `another run held the status board for the ${Math.round(waitMs / 1000)} s this run waits`,
          };
        await deps.sleep(timing.pollMs[Math.min(attempt, timing.pollMs.length - 1)] ?? 1000);
      }
    },
  };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message.slice(0, 200) : String(error).slice(0, 200);
}
