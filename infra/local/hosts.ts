import { isIP } from 'node:net';
import { networkInterfaces } from 'node:os';

/**
 * Which `Host` names the local gateway answers. A page on any web site can make a browser send
 * requests to this server's port under the site's own name (DNS rebinding: the name first resolves
 * to the site, then to 127.0.0.1 or a LAN address), and the browser then treats our answers as that
 * site's. Refusing every Host that is not one of ours ends that before any handler runs.
 *
 * Allowed: loopback names (localhost, 127.0.0.0/8, ::1), the machine's own addresses, the host of
 * PUBLIC_BASE_URL and the names in ALLOWED_HOSTS (comma-separated, with or without a port). The port
 * in Host is ignored: behind a reverse proxy or a port forward it is not the listener's, and the
 * name alone is what a rebinding attacker cannot forge.
 */
export interface HostPolicyOptions {
  publicBaseUrl?: string | undefined;
  /** ALLOWED_HOSTS: "baocun.lan, 192.168.1.20:3000". */
  allowedHosts?: string | undefined;
  /** The machine's addresses (tests pass their own); default os.networkInterfaces(), re-read now and then. */
  interfaces?: () => string[];
}

export interface HostPolicy {
  allows(host: string | undefined): boolean;
  /** The names given by configuration (PUBLIC_BASE_URL, ALLOWED_HOSTS), for the startup banner. */
  configured: string[];
}

/** The name part of a Host header or authority, lower case, without brackets or port; undefined if malformed. */
export function hostName(authority: string): string | undefined {
  const value = authority.trim().toLowerCase();
  if (!value) return undefined;
  if (value.startsWith('[')) {
    const end = value.indexOf(']');
    if (end < 0) return undefined;
    const rest = value.slice(end + 1);
    if (rest && !/^:\d{1,5}$/.test(rest)) return undefined;
    return value.slice(1, end);
  }
  const colon = value.lastIndexOf(':');
  // More than one colon without brackets: a bare IPv6 address (not valid in Host, but harmless to read).
  if (colon >= 0 && value.indexOf(':') === colon) {
    if (!/^\d{1,5}$/.test(value.slice(colon + 1))) return undefined;
    return value.slice(0, colon).replace(/\.$/, '');
  }
  return value.replace(/\.$/, '');
}

function isLoopback(name: string): boolean {
  if (name === 'localhost' || name.endsWith('.localhost')) return true;
  if (isIP(name) === 4) return name.startsWith('127.');
  return name === '::1' || name === '0:0:0:0:0:0:0:1';
}

function machineAddresses(): string[] {
  const out: string[] = [];
  for (const list of Object.values(networkInterfaces())) {
    for (const entry of list ?? []) out.push(entry.address.toLowerCase().replace(/%.*$/, ''));
  }
  return out;
}

/** Interfaces change (DHCP, a VPN coming up): re-read them at most this often. */
const INTERFACES_TTL_MS = 30_000;

export function createHostPolicy(options: HostPolicyOptions = {}): HostPolicy {
  const configured = new Set<string>();
  if (options.publicBaseUrl) {
    try {
      configured.add(new URL(options.publicBaseUrl).hostname.toLowerCase().replace(/^\[|\]$/g, ''));
    } catch {
      // A malformed PUBLIC_BASE_URL is reported where it is used (email links); it allows nothing here.
    }
  }
  for (const entry of (options.allowedHosts ?? '').split(',')) {
    const name = entry.trim() ? hostName(entry) : undefined;
    if (name) configured.add(name);
  }
  const readInterfaces = options.interfaces ?? machineAddresses;
  let addresses = new Set<string>();
  let readAt = Number.NEGATIVE_INFINITY;
  const own = (name: string) => {
    if (Date.now() - readAt > INTERFACES_TTL_MS) {
      addresses = new Set(readInterfaces());
      readAt = Date.now();
    }
    return addresses.has(name);
  };
  return {
    configured: [...configured],
    allows(host) {
      if (!host) return false;
      const name = hostName(host);
      if (!name) return false;
      return isLoopback(name) || configured.has(name) || (isIP(name) !== 0 && own(name));
    },
  };
}
