import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';

/** One `deb` source the machine's apt uses: where it fetches from and which suites it reads. */
export interface AptSource {
  uri: string;
  suites: string[];
  components: string[];
  file: string;
}

/** One-line format (`sources.list`, `*.list`): `deb [options] uri suite [component...]`. */
export function parseOneLineSources(text: string, file: string): AptSource[] {
  const sources: AptSource[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*/, '').trim();
    if (!line.startsWith('deb ')) continue;
    // Options sit in square brackets right after `deb` and may contain spaces.
    const rest = line
      .slice(4)
      .replace(/^\s*\[[^\]]*\]\s*/, '')
      .trim();
    const [uri, suite, ...components] = rest.split(/\s+/);
    if (uri && suite) sources.push({ uri, suites: [suite], components, file });
  }
  return sources;
}

/** deb822 format (`*.sources`): stanzas separated by blank lines, `Field: value` with continuation lines. */
export function parseDeb822Sources(text: string, file: string): AptSource[] {
  const sources: AptSource[] = [];
  for (const stanza of text.split(/\n\s*\n/)) {
    const fields = new Map<string, string>();
    let current: string | undefined;
    for (const line of stanza.split('\n')) {
      if (line.startsWith('#')) continue;
      const continuation = /^\s+\S/.test(line);
      if (continuation && current) {
        fields.set(current, `${fields.get(current) ?? ''} ${line.trim()}`);
        continue;
      }
      const match = /^([A-Za-z-]+):\s*(.*)$/.exec(line);
      if (match?.[1]) {
        current = match[1].toLowerCase();
        fields.set(current, match[2] ?? '');
      }
    }
    const words = (name: string) => (fields.get(name) ?? '').split(/\s+/).filter(Boolean);
    if (!words('types').includes('deb')) continue;
    if (fields.get('enabled')?.trim().toLowerCase() === 'no') continue;
    for (const uri of words('uris')) {
      sources.push({ uri, suites: words('suites'), components: words('components'), file });
    }
  }
  return sources;
}

/** Every `deb` source apt reads from `aptDir`: `sources.list` and `sources.list.d/*.list|*.sources`. */
export async function readAptSources(aptDir = '/etc/apt'): Promise<AptSource[]> {
  const files: string[] = [path.join(aptDir, 'sources.list')];
  const partsDir = path.join(aptDir, 'sources.list.d');
  try {
    for (const name of (await readdir(partsDir)).sort()) files.push(path.join(partsDir, name));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const sources: AptSource[] = [];
  for (const file of files) {
    // apt ignores every other extension (for example `.disabled`, `.save`), so do we.
    const parse = file.endsWith('.sources')
      ? parseDeb822Sources
      : file.endsWith('.list')
        ? parseOneLineSources
        : undefined;
    if (!parse) continue;
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw error;
    }
    sources.push(...parse(text, file));
  }
  return sources;
}

/**
 * The Debian archive the machine already trusts for `suite`: the first source that lists the
 * release suite itself (`bookworm`, not `bookworm-security` or `bookworm-updates`), so the image
 * is built from the same mirror the host installs from, with no host name written into the project.
 */
export function pickDebianMirror(sources: AptSource[], suite: string): string {
  const source = sources.find((candidate) => candidate.suites.includes(suite));
  if (!source) {
    throw new Error(
      `No apt source for the Debian suite "${suite}" was found under /etc/apt: add one (for example in /etc/apt/sources.list.d/debian.sources) or set DEBIAN_MIRROR to a Debian archive URL.`,
    );
  }
  return source.uri.replace(/\/+$/, '');
}
