import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import ipaddr from 'ipaddr.js';

/**
 * Keeps webhooks off the gateway's own network: a webhook URL is chosen by whoever holds the API
 * key (or, before CSRF was closed, any web page), and the gateway POSTs to it from inside.
 *
 * Only ordinary public unicast addresses pass. Loopback, private (RFC 1918), link-local (cloud
 * metadata at 169.254.169.254), carrier-grade NAT (100.64/10, Alibaba's metadata), unique-local
 * (fd00:ec2::254, AWS's IPv6 metadata), unspecified, multicast, reserved and the IPv6 ranges that
 * embed an IPv4 address (mapped, 6to4, Teredo, NAT64) are refused. The check runs on the addresses
 * the connection is made to (a `lookup` for `net.connect`), so a name that resolves to a public
 * address when submitted and to 127.0.0.1 when delivered (DNS rebinding) is refused too.
 */
export function forbiddenRange(address: string): string | undefined {
  if (!ipaddr.isValid(address)) return 'not an IP address';
  const range = ipaddr.process(address).range();
  return range === 'unicast' ? undefined : range;
}

/** The URL's host when it is an IP literal that is refused (`http://127.0.0.1/`, `http://[::1]/`), with its range. */
export function forbiddenLiteral(url: URL): string | undefined {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return ipaddr.isValid(host) ? forbiddenRange(host) : undefined;
}

/** A webhook the address guard refused: retrying cannot help. */
export class WebhookRefusedError extends Error {
  readonly code = 'EWEBHOOKREFUSED';
}

/** What `dns.lookup` does, as a function a test can replace (never real traffic to private addresses). */
export type Resolver = (hostname: string, callback: (err: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void) => void;

export const systemResolver: Resolver = (hostname, callback) => dnsLookup(hostname, { all: true }, callback);

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A `lookup` option for `http.request` / `net.connect`: resolves with `resolve` and refuses the
 * connection, before any socket connects, when any address the name has is refused (Node may try
 * several of them). With `allowPrivate` every address passes (NOTIFY_ALLOW_PRIVATE=true).
 */
export function guardedLookup(options: { allowPrivate: boolean; resolve?: Resolver }) {
  const resolve = options.resolve ?? systemResolver;
  return (hostname: string, lookupOptions: { all?: boolean }, callback: LookupCallback): void => {
    resolve(hostname, (err, addresses) => {
      if (err) return callback(err, []);
      if (addresses.length === 0) return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), []);
      if (!options.allowPrivate) {
        for (const a of addresses) {
          const range = forbiddenRange(a.address);
          if (range)
            return callback(
              new WebhookRefusedError(`${hostname} resolves to a ${range} address, refused (NOTIFY_ALLOW_PRIVATE is not set)`),
              [],
            );
        }
      }
      if (lookupOptions.all) callback(null, addresses);
      else callback(null, addresses[0]!.address, addresses[0]!.family);
    });
  };
}
