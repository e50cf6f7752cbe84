import { BlockList, isIP } from 'node:net';
import { z } from 'zod';

/** `10.0.0.1`, `10.0.0.0/8`, `2001:db8::/32`: one address or a CIDR range. */
const ipOrRange = z.string().refine((v) => {
  const [address = '', bits, extra] = v.split('/');
  const family = isIP(address);
  if (family === 0 || extra !== undefined) return false;
  if (bits === undefined) return true;
  const n = Number(bits);
  return /^\d{1,3}$/.test(bits) && n >= 0 && n <= (family === 4 ? 32 : 128);
}, 'must be an IP address or a CIDR range such as 195.34.21.0/24');

/**
 * Connection setting `pushAllowIps`: the addresses a marketplace may push from (Ozon documents
 * 195.34.21.0/24, 185.73.192.0/22, 91.223.93.0/24; YM 5.45.207.0/25, 141.8.142.0/25, 5.255.253.0/25);
 * unset: any address (the secret in the URL still applies).
 */
export const pushAllowIps = z.array(ipOrRange).min(1).max(100);

/** An IPv4 client seen on a dual-stack socket (`::ffff:10.0.0.1`) is that IPv4 address. */
const plain = (ip: string) => (ip.startsWith('::ffff:') && isIP(ip.slice(7)) === 4 ? ip.slice(7) : ip);

/** Whether `ip` is in `list` (undefined list: everyone is). */
export function ipAllowed(ip: string | undefined, list: readonly string[] | undefined): boolean {
  if (!list) return true;
  if (!ip) return false;
  const address = plain(ip);
  const family = isIP(address);
  if (family === 0) return false;
  const blocks = new BlockList();
  for (const entry of list) {
    const [a = '', bits] = entry.split('/');
    const type = isIP(a) === 4 ? 'ipv4' : 'ipv6';
    if (bits === undefined) blocks.addAddress(a, type);
    else blocks.addSubnet(a, Number(bits), type);
  }
  return blocks.check(address, family === 4 ? 'ipv4' : 'ipv6');
}
