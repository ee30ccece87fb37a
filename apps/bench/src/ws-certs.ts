import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A throwaway CA and a certificate it signed for 127.0.0.1, made with the `openssl` command (removed on dispose). */
export interface BenchCertificates extends AsyncDisposable {
  readonly caFile: string;
  readonly cert: Buffer;
  readonly key: Buffer;
}

/** Makes the certificates (ECDSA P-256, one day) in a temp folder. */
export async function benchCertificates(): Promise<BenchCertificates> {
  const dir = await mkdtemp(join(tmpdir(), 'hostgrid-bench-certs-'));
  const openssl = (...args: string[]): void => void execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  try {
    openssl('ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', 'ca.key');
    openssl('req', '-x509', '-new', '-key', 'ca.key', '-sha256', '-days', '1', '-subj', '/CN=Hostgrid bench CA', '-out', 'ca.pem');
    openssl('ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', 'server.key');
    openssl('req', '-new', '-key', 'server.key', '-subj', '/CN=127.0.0.1', '-out', 'server.csr');
    await writeFile(join(dir, 'ext.cnf'), 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
    openssl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '1', '-sha256', '-extfile', 'ext.cnf', '-out', 'server.pem');
    return {
      caFile: join(dir, 'ca.pem'),
      cert: await readFile(join(dir, 'server.pem')),
      key: await readFile(join(dir, 'server.key')),
      [Symbol.asyncDispose]: () => rm(dir, { recursive: true, force: true }),
    };
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}
