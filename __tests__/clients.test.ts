// The client presets are declared once, in src/clients.ts. The lists a user reads (action.yml's input
// descriptions and the README's "Client presets" table) are prose, so this test holds them to the declaration:
// adding or changing a preset fails here until those two places say the same.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { CLIENT_IDS, CLIENTS, type ClientId } from '../src/clients.ts';
import { checkUrl } from '../src/checks.ts';

const root = new URL('../', import.meta.url);
const action = parse(readFileSync(new URL('action.yml', root), 'utf8')) as {
  inputs: Record<string, { description: string }>;
};
const readme = readFileSync(new URL('README.md', root), 'utf8');

const ids = (pick: (id: ClientId) => boolean): string[] => CLIENT_IDS.filter(pick);
/** 'a, b and c' or 'a, b, c' → ['a', 'b', 'c'] */
const words = (list: string): string[] =>
  list
    .split(/,\s*|\s+and\s+/)
    .map((s) => s.trim())
    .filter(Boolean);

describe('client presets', () => {
  it('have ids the clients input can name (it lower-cases what it reads) and, when they need callback-urls, a hint', () => {
    for (const id of CLIENT_IDS) {
      assert.match(
        id,
        /^[a-z][a-z0-9-]*$/,
        `${id}: the clients input lower-cases each name, so an id must be lower-case`,
      );
      if (CLIENTS[id].needsCallbackUrls)
        assert.ok(CLIENTS[id].callbackHint, `${id} needs callback-urls but has no callbackHint`);
    }
  });

  it('carry only callback URLs that the callback-urls input would accept', () => {
    for (const id of CLIENT_IDS) {
      for (const url of CLIENTS[id].callbackUrls) {
        assert.equal(
          checkUrl(url, { loopbackHttp: true, appScheme: true, httpHostLocalhostOnly: true }),
          undefined,
          `${id}: ${url}`,
        );
      }
    }
  });
});

describe('action.yml agrees with src/clients.ts', () => {
  const clients = action.inputs['clients']!.description.replace(/\s+/g, ' ');

  it('lists every preset, in order, in the clients description', () => {
    const m = /one or more of: ([^.]+)\./.exec(clients);
    assert.ok(m, `action.yml clients description has no "one or more of: …." list: ${clients}`);
    assert.deepEqual(words(m[1]!), CLIENT_IDS, 'action.yml inputs.clients.description: the list of presets');
  });

  it('names the presets that need callback-urls', () => {
    const m = /; ([a-z0-9, -]+?) needs? callback-urls/.exec(clients);
    assert.ok(m, `action.yml clients description does not say which presets need callback-urls: ${clients}`);
    assert.deepEqual(
      words(m[1]!),
      ids((id) => CLIENTS[id].needsCallbackUrls),
      'action.yml inputs.clients.description: "… need callback-urls"',
    );
  });

  it('names the desktop presets in the require-secret description', () => {
    const requireSecret = action.inputs['require-secret']!.description;
    const m = /desktop-only clients \(([^)]+)\)/.exec(requireSecret);
    assert.ok(m, `action.yml require-secret description does not list the desktop clients: ${requireSecret}`);
    assert.deepEqual(
      words(m[1]!),
      ids((id) => CLIENTS[id].desktop),
      'action.yml inputs.require-secret.description: the desktop clients',
    );
  });
});

describe("the README's client-presets table agrees with src/clients.ts", () => {
  /**
   * One row per preset, or `a` / `b` sharing a row with their URL lists separated by ' / ' in the same order.
   * A URL written `…/path` repeats the origin of the URL before it.
   */
  function readTable(): Map<string, { urls: string[]; notes: string }> {
    const section = /^## Client presets\n([\s\S]*?)(?=\n## )/m.exec(readme)?.[1];
    assert.ok(section, 'README.md has no "## Client presets" section');
    const rows = section
      .split('\n')
      .filter((line) => line.startsWith('| `'))
      .map((line) =>
        line
          .slice(1, -1)
          .split(' | ')
          .map((cell) => cell.trim()),
      );
    const table = new Map<string, { urls: string[]; notes: string }>();
    for (const [idCell = '', urlCell = '', notes = ''] of rows) {
      const rowIds = idCell.split(' / ').map((s) => s.replace(/`/g, ''));
      const groups = urlCell === 'none' ? rowIds.map(() => 'none') : urlCell.split(' / ');
      assert.equal(groups.length, rowIds.length, `README row ${idCell}: one URL list per client, separated by ' / '`);
      let last: string | undefined;
      rowIds.forEach((id, i) => {
        const urls =
          groups[i] === 'none'
            ? []
            : groups[i]!.split(', ').map((cell) => {
                const url = cell.replace(/`/g, '');
                if (!url.startsWith('…')) {
                  last = url;
                  return url;
                }
                assert.ok(last, `README row ${idCell}: ${url} has no earlier URL to shorten`);
                return new URL(last).origin + url.slice(1);
              });
        table.set(id, { urls, notes });
      });
    }
    return table;
  }

  it('has one row per preset, in order, with its callback URLs', () => {
    const table = readTable();
    assert.deepEqual([...table.keys()], CLIENT_IDS, 'README.md "## Client presets": the clients column');
    for (const id of CLIENT_IDS) {
      assert.deepEqual(
        table.get(id)!.urls,
        [...CLIENTS[id].callbackUrls],
        `README.md "## Client presets": callback URLs of ${id}`,
      );
      if (CLIENTS[id].needsCallbackUrls)
        assert.match(
          table.get(id)!.notes,
          /needs `callback-urls`/,
          `README.md "## Client presets": ${id} needs callback-urls`,
        );
    }
  });
});
