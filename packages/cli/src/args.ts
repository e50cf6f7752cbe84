/** `--key value` / `--key=value` / `--flag` arguments, split from the positional ones. */
export function parseArgs(argv: string[], flags: ReadonlySet<string>): { positional: string[]; options: Map<string, string | true> } {
  const positional: string[] = [];
  const options = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--') || arg === '--') {
      if (arg !== '--') positional.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const key = eq > 0 ? arg.slice(2, eq) : arg.slice(2);
    if (eq > 0) options.set(key, arg.slice(eq + 1));
    else if (flags.has(key) || i + 1 >= argv.length || argv[i + 1]!.startsWith('--')) options.set(key, true);
    else options.set(key, argv[++i]!);
  }
  return { positional, options };
}

/** A parameter's text as JSON would have it: whole numbers (up to 15 digits) and booleans typed, the rest text. */
export function paramValue(text: string | true): unknown {
  if (text === true || text === 'true') return true;
  if (text === 'false') return false;
  if (/^-?\d{1,15}$/.test(text)) return Number(text);
  return text;
}

/** `<source>.<verb>` → that source and job; `<source>` alone → the source (its only job). */
export function target(name: string): { source: string; job?: string } {
  const dot = name.indexOf('.');
  return dot > 0 ? { source: name.slice(0, dot), job: name } : { source: name };
}
