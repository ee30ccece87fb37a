/**
 * What the SSH, SLURM and SGE test beds share about their lifetime: an exit hook that
 * removes whatever is still up when the process exits, a teardown that tries every step
 * and reports all that failed, and a start that removes what it made when it fails.
 */
import { TestbedError, TestbedStartError } from './errors.js';

/**
 * The test beds of one kind not yet torn down; when the process exits, `teardownSync`
 * runs for each still here. The `exit` hook is installed with the first `add`.
 */
export class ExitHookSet<T> {
  readonly #live = new Set<T>();
  readonly #teardownSync: (bed: T) => void;
  #installed = false;

  /** @param teardownSync - synchronous, best effort, never throws (it runs in `exit`). */
  constructor(teardownSync: (bed: T) => void) {
    this.#teardownSync = teardownSync;
  }

  /** Tracks `bed` until {@link ExitHookSet.delete}. */
  add(bed: T): void {
    this.#live.add(bed);
    if (this.#installed) return;
    this.#installed = true;
    process.on('exit', () => {
      for (const each of this.#live) this.#teardownSync(each);
    });
  }

  /** Stops tracking `bed` (its teardown has run). */
  delete(bed: T): void {
    this.#live.delete(bed);
  }
}

/**
 * The steps of one teardown: each is tried even when an earlier one failed, and what
 * failed is reported at the end, all of it in one error.
 */
export class TeardownErrors {
  readonly #errors: unknown[] = [];

  /** Runs `step`; if it throws (or rejects), notes the error and goes on. */
  async attempt(step: () => unknown): Promise<void> {
    try {
      await step();
    } catch (error) {
      this.#errors.push(error);
    }
  }

  /** Notes a failure found without a step (a process that survived SIGKILL, say). */
  add(error: unknown): void {
    this.#errors.push(error);
  }

  /**
   * @param what - the teardown, e.g. `stopping SGE cell hostgrid3`.
   * @param cleanup - the command that removes what is left, e.g. `hostgrid-testbed sge cleanup`.
   * @throws TestbedError quoting every failure (the `cause` is an AggregateError of them), if any.
   */
  throwIfAny(what: string, cleanup: string): void {
    if (this.#errors.length === 0) return;
    const messages = this.#errors.map((error) => (error instanceof Error ? error.message : String(error)));
    throw new TestbedError(`[testbed] ${what} left something behind (\`${cleanup}\` removes it): ${messages.join('; ')}`, {
      cause: new AggregateError(this.#errors),
    });
  }
}

/** What a test bed had made when its start failed, for {@link TestbedStartError}. */
export interface MadeSoFar {
  bridge: string | undefined;
  namespaces: readonly string[];
  dir: string | undefined;
}

/**
 * Runs `start`; if it fails, tears `bed` down (its `Symbol.asyncDispose`) and throws.
 *
 * @param what - what was being started, e.g. `a SLURM cluster of 3 nodes`.
 * @param made - what the bed had made, read before it is torn down.
 * @throws TestbedStartError `[testbed] starting <what> failed (<whether removing what was
 *   made worked>): <why>`, with `made` and the start's error as `cause`.
 */
export async function startOrRemove<B extends AsyncDisposable>(bed: B, start: () => Promise<void>, what: string, made: () => MadeSoFar): Promise<B> {
  try {
    await start();
    return bed;
  } catch (error) {
    const madeSoFar = made();
    let cleanup = 'everything made so far was removed';
    try {
      await bed[Symbol.asyncDispose]();
    } catch (teardownError) {
      cleanup = `removing what was made failed too: ${teardownError instanceof Error ? teardownError.message : String(teardownError)}`;
    }
    const reason = error instanceof Error ? error.message : String(error);
    throw new TestbedStartError(`[testbed] starting ${what} failed (${cleanup}): ${reason}`, madeSoFar, { cause: error });
  }
}
