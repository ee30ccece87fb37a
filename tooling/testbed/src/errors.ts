/**
 * Errors thrown by the test bed. Callers test `err.name`, which survives duplicated
 * package copies where `instanceof` does not.
 */

/** Base class: something the test bed needed to do failed. */
export class TestbedError extends Error {
  override name = 'TestbedError';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** What a {@link MissingInfrastructureError} advises to install. */
export interface MissingInfrastructureOptions {
  /**
   * The script in `tooling/testbed/scripts` that installs what is missing.
   * @default 'provision.sh'
   */
  readonly script?: string;
  /** The Debian packages that provide what is missing, for the `apt-get install` line. */
  readonly packages?: readonly string[];
}

/**
 * A tool or privilege a test bed (SSH, SLURM or SGE) needs is missing. Never turned into
 * a skip: in CI and locally alike, missing infrastructure fails the test that needed it.
 * The message names what is missing, the provision script that installs it and the
 * `apt-get install` line that does the same.
 */
export class MissingInfrastructureError extends TestbedError {
  override name = 'MissingInfrastructureError';
  /** What is missing, e.g. `['/usr/sbin/sshd (openssh-server)', 'root (run the tests as root)']`. */
  readonly missing: readonly string[];
  /** The script in `tooling/testbed/scripts` that installs it, e.g. `provision-slurm.sh`. */
  readonly script: string;
  /** The Debian packages that provide what is missing (empty when only root is). */
  readonly packages: readonly string[];

  constructor(missing: readonly string[], options: MissingInfrastructureOptions = {}) {
    const script = options.script ?? 'provision.sh';
    const packages = options.packages ?? [];
    const install =
      packages.length > 0
        ? `Install it as root with tooling/testbed/scripts/${script} (it starts no daemon), or: ` +
          `apt-get install -y ${packages.join(' ')} (with a policy-rc.d that exits 101, so that no daemon starts); `
        : `Install it as root with tooling/testbed/scripts/${script}; `;
    super(`[testbed] missing infrastructure: ${missing.join(', ')}. ${install}run the tests as root.`);
    this.missing = missing;
    this.script = script;
    this.packages = packages;
  }
}

/**
 * Standing up a test bed failed half way. Everything it had made was removed before this
 * was thrown; `bridge`, `namespaces` and `dir` name what that was, so a test can check.
 */
export class TestbedStartError extends TestbedError {
  override name = 'TestbedStartError';
  /** The bridge it had claimed, if it got that far. */
  readonly bridge: string | undefined;
  /** The network namespaces it meant to make. */
  readonly namespaces: readonly string[];
  /** Its temp dir, if it got that far. */
  readonly dir: string | undefined;

  constructor(
    message: string,
    made: { bridge: string | undefined; namespaces: readonly string[]; dir: string | undefined },
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.bridge = made.bridge;
    this.namespaces = made.namespaces;
    this.dir = made.dir;
  }
}
