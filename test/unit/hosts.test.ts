import { describe, expect, it } from 'vitest';
import { createHostPolicy, hostName } from '../../infra/local/hosts.ts';

/** The Host allow-list that keeps DNS-rebinding pages away from the local gateway. */
describe('hostName', () => {
  it('reads the name of a Host header, without port or brackets, lower case', () => {
    expect(hostName('Baocun.LAN:3000')).toBe('baocun.lan');
    expect(hostName('192.168.1.20')).toBe('192.168.1.20');
    expect(hostName('[::1]:3000')).toBe('::1');
    expect(hostName('[fe80::1]')).toBe('fe80::1');
    expect(hostName('example.cn.')).toBe('example.cn');
  });

  it('refuses malformed values', () => {
    expect(hostName('')).toBeUndefined();
    expect(hostName('a:b')).toBeUndefined();
    expect(hostName('[::1')).toBeUndefined();
    expect(hostName('[::1]x')).toBeUndefined();
  });
});

describe('createHostPolicy', () => {
  const policy = createHostPolicy({
    publicBaseUrl: 'https://baocun.example.cn:8443/app',
    allowedHosts: ' baocun.lan , 10.1.2.3:3000,',
    interfaces: () => ['192.168.1.20', 'fe80::abcd'],
  });

  it('allows loopback names, the machine’s addresses, PUBLIC_BASE_URL’s host and ALLOWED_HOSTS, any port', () => {
    for (const host of [
      'localhost',
      'localhost:3000',
      '127.0.0.1:3000',
      '127.1.2.3',
      '[::1]:3000',
      '192.168.1.20:3000',
      '[fe80::abcd]:3000',
      'baocun.example.cn',
      'BAOCUN.example.cn:443',
      'baocun.lan:80',
      '10.1.2.3',
    ]) {
      expect(policy.allows(host), host).toBe(true);
    }
    expect(policy.configured.sort()).toEqual(['10.1.2.3', 'baocun.example.cn', 'baocun.lan']);
  });

  it('refuses every other name: a rebinding attacker’s domain, another address, no Host at all', () => {
    for (const host of [
      undefined,
      '',
      'attacker.example',
      'localhost.attacker.example',
      '127.0.0.1.attacker.example',
      '192.168.1.21:3000',
      'baocun.lan.evil',
      '0.0.0.0',
      'a:b',
    ]) {
      expect(policy.allows(host), String(host)).toBe(false);
    }
  });

  it('allows a machine address that appeared after it started (DHCP), when it re-reads the interfaces', () => {
    let list = ['192.168.1.20'];
    const moving = createHostPolicy({ interfaces: () => list });
    expect(moving.allows('192.168.1.20')).toBe(true);
    list = ['192.168.1.99'];
    // Re-read at most every 30 s: not yet.
    expect(moving.allows('192.168.1.99')).toBe(false);
  });
});
