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

/**
 * A tool or privilege the test bed needs is missing. Never turned into a skip: in CI and
 * locally alike, missing infrastructure fails the test that needed it.
 */
export class MissingInfrastructureError extends TestbedError {
  override name = 'MissingInfrastructureError';
  /** What is missing, e.g. `['/usr/sbin/sshd (openssh-server)', 'root']`. */
  readonly missing: readonly string[];

  constructor(missing: readonly string[]) {
    super(
      `[testbed] missing infrastructure: ${missing.join(', ')}. ` +
        'Install it as root with tooling/testbed/scripts/provision.sh, or: ' +
        'apt-get install -y openssh-server openssh-client iproute2 util-linux ' +
        '(and run the tests as root: network namespaces need it)',
    );
    this.missing = missing;
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
