/**
 * Docker engine helpers for `pnpm test:docker`: run the CLIs, start `dockerd` when none answers,
 * and make sure the base images the project's Dockerfile and compose file name exist, standing
 * them in locally when no registry can be reached (see docker/standin/README.md).
 */
import { execFileSync, spawn, spawnSync, type SpawnSyncOptions } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const root = path.resolve(import.meta.dirname, '../..');
export const standinDir = path.join(root, 'docker/standin');
/** The machine's CA bundle: stand-ins and the build trust it (a TLS-intercepting egress proxy). */
export const hostCaBundle = '/etc/ssl/certs/ca-certificates.crt';

export function log(msg: string): void {
  console.log(`[test:docker ${new Date().toISOString().slice(11, 19)}] ${msg}`);
}

/** Runs a command, output captured; throws with its output when it fails. */
export function run(cmd: string, args: string[], opts: SpawnSyncOptions = {}): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, ...opts });
  if (r.error) throw r.error;
  if (r.status !== 0) {
    const out = `${String(r.stdout ?? '')}${String(r.stderr ?? '')}`.trim().split('\n').slice(-40).join('\n');
    throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}:\n${out}`);
  }
  return String(r.stdout ?? '');
}

/** Like run, but streams the output into a log file (long builds) and throws with its tail. */
export function runLogged(cmd: string, args: string[], logFile: string, opts: SpawnSyncOptions = {}): void {
  const fd = fs.openSync(logFile, 'a');
  try {
    fs.writeSync(fd, `\n$ ${cmd} ${args.join(' ')}\n`);
    const r = spawnSync(cmd, args, { stdio: ['ignore', fd, fd], ...opts });
    if (r.error) throw r.error;
    if (r.status !== 0) {
      const tail = fs.readFileSync(logFile, 'utf8').trim().split('\n').slice(-40).join('\n');
      throw new Error(`${cmd} ${args.join(' ')} exited ${r.status} (log: ${logFile}):\n${tail}`);
    }
  } finally {
    fs.closeSync(fd);
  }
}

const ok = (cmd: string, args: string[], timeout = 30_000) => spawnSync(cmd, args, { stdio: 'ignore', timeout }).status === 0;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export const engineAnswers = () => ok('docker', ['info'], 20_000);

/** Docker engine reachable, starting `dockerd` in the background (as root) when none answers. */
export async function ensureEngine(): Promise<void> {
  if (engineAnswers()) return;
  if (!ok('sh', ['-c', 'command -v dockerd']))
    throw new Error('no Docker engine answers and dockerd is not installed (apt-get install docker.io)');
  if (process.getuid?.() !== 0) throw new Error('no Docker engine answers and only root can start dockerd');
  const logFile = path.join(os.tmpdir(), 'datasync-dockerd.log');
  log(`starting dockerd (log: ${logFile})`);
  const out = fs.openSync(logFile, 'a');
  spawn('dockerd', [], { detached: true, stdio: ['ignore', out, out] }).unref();
  fs.closeSync(out);
  for (let i = 0; i < 60; i++) {
    await sleep(1000);
    if (engineAnswers()) return;
  }
  throw new Error(`dockerd did not answer within 60 s; see ${logFile}`);
}

const imageExists = (name: string) => ok('docker', ['image', 'inspect', name]);
const pulled = (name: string) => ok('docker', ['pull', '-q', name], 120_000);

/** Image present, pulled, or built by `standIn`; says which. */
async function ensureImage(name: string, standIn: () => void | Promise<void>): Promise<void> {
  if (imageExists(name)) return log(`${name}: present`);
  if (pulled(name)) return log(`${name}: pulled`);
  log(`${name}: cannot be pulled, building a local stand-in`);
  await standIn();
  if (!imageExists(name)) throw new Error(`stand-in ${name} was not built`);
}

function buildStandin(name: string, dockerfile: string, context: string, logFile: string): void {
  runLogged('docker', ['build', '-f', dockerfile, '-t', name, context], logFile, { env: { ...process.env, DOCKER_BUILDKIT: '0' } });
}

/** debian:bookworm-slim from a debootstrap (minbase) of the machine's Debian mirror, imported. */
function standInDebian(name: string, logFile: string): void {
  if (!ok('sh', ['-c', 'command -v debootstrap'])) {
    log('installing debootstrap (apt-get)');
    runLogged('apt-get', ['install', '-y', '-q', 'debootstrap'], logFile, { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  }
  const mirror = debianMirror();
  const rootfs = fs.mkdtempSync(path.join(os.tmpdir(), 'datasync-rootfs-'));
  try {
    log(`debootstrap --variant=minbase bookworm from ${mirror}`);
    runLogged('debootstrap', ['--variant=minbase', 'bookworm', rootfs, mirror], logFile);
    fs.rmSync(path.join(rootfs, 'var/lib/apt/lists'), { recursive: true, force: true });
    fs.mkdirSync(path.join(rootfs, 'var/lib/apt/lists/partial'), { recursive: true });
    run('sh', [
      '-c',
      `rm -f "${rootfs}"/var/cache/apt/archives/*.deb && tar -C "${rootfs}" -c . | docker import -c 'CMD ["bash"]' - "${name}"`,
    ]);
  } finally {
    fs.rmSync(rootfs, { recursive: true, force: true });
  }
}

/** The first Debian (not security) mirror in the machine's apt sources; deb.debian.org otherwise. */
function debianMirror(): string {
  const dir = '/etc/apt/sources.list.d';
  const files = ['/etc/apt/sources.list', ...(fs.existsSync(dir) ? fs.readdirSync(dir).map((f) => path.join(dir, f)) : [])];
  for (const file of files.filter((f) => fs.existsSync(f))) {
    const text = fs.readFileSync(file, 'utf8');
    const uris = [...text.matchAll(/^(?:URIs:\s*|deb\s+(?:\[[^\]]*\]\s+)?)(\S+\/debian)\/?\s*(?:bookworm\b|$)/gm)].map((m) => m[1]);
    if (uris[0]) return uris[0];
  }
  return 'http://deb.debian.org/debian';
}

/**
 * The node binary for a `node:<major>-…` stand-in: the running one when it is that major, otherwise
 * the one scripts/node/ensure-node.sh installs from the npm registry (package node-linux-<arch>).
 */
function nodeBinaryFor(name: string): string {
  const major = /^node:(\d+)/.exec(name)?.[1];
  if (!major) throw new Error(`${name} names no Node major`);
  if (process.versions.node.split('.')[0] === major) return fs.realpathSync(process.execPath);
  const wanted = fs.readFileSync(path.join(root, '.node-version'), 'utf8').trim();
  if (wanted !== major) throw new Error(`${name} asks for Node ${major} but .node-version says ${wanted}`);
  const bin = execFileSync(path.join(root, 'scripts/node/ensure-node.sh'), { encoding: 'utf8' }).trim();
  return path.join(bin, 'node');
}

/**
 * node:<major>-… on the Debian stand-in: that major's node binary (nodeBinaryFor), this machine's
 * global npm and corepack (npm's own JavaScript, which runs on any supported Node), its CA bundle.
 */
function standInNode(name: string, logFile: string): void {
  const ctx = fs.mkdtempSync(path.join(os.tmpdir(), 'datasync-node-'));
  try {
    const nodeBin = nodeBinaryFor(name);
    const globalModules = globalNodeModules();
    fs.mkdirSync(path.join(ctx, 'node/bin'), { recursive: true });
    fs.mkdirSync(path.join(ctx, 'node/lib/node_modules'), { recursive: true });
    fs.copyFileSync(nodeBin, path.join(ctx, 'node/bin/node'));
    for (const pkg of ['npm', 'corepack']) {
      const from = path.join(globalModules, pkg);
      if (fs.existsSync(from)) fs.cpSync(from, path.join(ctx, 'node/lib/node_modules', pkg), { recursive: true, dereference: true });
    }
    if (!fs.existsSync(path.join(ctx, 'node/lib/node_modules/npm'))) throw new Error(`npm not found in ${globalModules}`);
    fs.copyFileSync(hostCaBundle, path.join(ctx, 'ca-certificates.crt'));
    buildStandin(name, path.join(standinDir, 'node.Dockerfile'), ctx, logFile);
  } finally {
    fs.rmSync(ctx, { recursive: true, force: true });
  }
}

/**
 * Where this machine's global npm (and corepack) live: next to the running node, else where the
 * `npm` on PATH is installed (a Node from scripts/node/ensure-node.sh has no npm of its own).
 */
function globalNodeModules(): string {
  const beside = path.resolve(path.dirname(fs.realpathSync(process.execPath)), '../lib/node_modules');
  if (fs.existsSync(path.join(beside, 'npm'))) return beside;
  const npm = fs.realpathSync(execFileSync('sh', ['-c', 'command -v npm'], { encoding: 'utf8' }).trim());
  // <global>/npm/bin/npm-cli.js
  return path.resolve(path.dirname(npm), '../..');
}

/**
 * The images the build and the compose file need: the Node base of docker/Dockerfile and the
 * postgres and redis images of docker/compose.yml, stood in when they can be neither found nor pulled.
 */
export async function ensureBaseImages(images: { node: string; postgres: string; redis: string }, logFile: string): Promise<void> {
  const debian = 'debian:bookworm-slim';
  const needDebian = () => ensureImage(debian, () => standInDebian(debian, logFile));
  await ensureImage(images.node, async () => {
    await needDebian();
    standInNode(images.node, logFile);
  });
  await ensureImage(images.postgres, async () => {
    await needDebian();
    buildStandin(images.postgres, path.join(standinDir, 'postgres.Dockerfile'), standinDir, logFile);
  });
  await ensureImage(images.redis, async () => {
    await needDebian();
    buildStandin(images.redis, path.join(standinDir, 'redis.Dockerfile'), standinDir, logFile);
  });
}
