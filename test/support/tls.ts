import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A self-signed certificate for the https tests, made with the openssl CLI the way
 * docs/county-server.md tells an administrator to (there with a small CA of their own).
 */
export interface Certificate {
  certPath: string;
  keyPath: string;
  cert: Buffer;
  key: Buffer;
}

export function selfSignedCertificate(dir: string, names: { dns: string[]; ips: string[] }): Certificate {
  const certPath = join(dir, 'server.crt');
  const keyPath = join(dir, 'server.key');
  const san = [...names.dns.map((n) => `DNS:${n}`), ...names.ips.map((ip) => `IP:${ip}`)].join(',');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '2',
      '-subj',
      `/CN=${names.dns[0] ?? names.ips[0]}`,
      '-addext',
      `subjectAltName=${san}`,
      '-keyout',
      keyPath,
      '-out',
      certPath,
    ],
    { stdio: 'ignore' },
  );
  return { certPath, keyPath, cert: readFileSync(certPath), key: readFileSync(keyPath) };
}
