/** `tswasi --version`'s line, from the package's own package.json. */
import { readFileSync } from 'node:fs';

export function versionLine(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
  return `tswasi ${pkg.version}`;
}
