// Prints "name@version" for each name given, with the exact version the root package.json pins, so
// the runtime image installs the same tsx, prisma and schema engine as the lockfile's root.
import fs from 'node:fs';
const pkg = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const all = { ...pkg.dependencies, ...pkg.devDependencies };
const specs = process.argv.slice(3).map((name) => {
  if (!all[name]) {
    console.error(`runtime tool ${name} is not in the root package.json`);
    process.exit(1);
  }
  return `${name}@${all[name]}`;
});
console.log(specs.join(' '));
