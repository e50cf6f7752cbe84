/**
 * How `pnpm start` learns it must stop, however it was started:
 * - SIGINT (Ctrl+C: the terminal signals the script's process group), SIGTERM (`kill <pnpm pid>`:
 *   pnpm 12 passes it to the script's group) and SIGHUP (the terminal closed);
 * - its parent going away without a signal reaching us (the tsx wrapper or pnpm killed with
 *   SIGKILL): we are re-parented, and stop rather than leave the services running unowned.
 * A script started in the background by a non-interactive shell (`pnpm start &` in a script)
 * inherits SIGINT ignored from that shell (POSIX), in pnpm itself: nothing reaches us then, and
 * `kill <pid>` (SIGTERM) is the way to stop it (README "Stopping").
 */
export function onStopRequest(stop: (why: string) => void): void {
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => stop(signal));
  const parent = process.ppid;
  const watch = setInterval(() => {
    if (process.ppid !== parent) stop('its parent process exited');
  }, 1000);
  watch.unref();
}
