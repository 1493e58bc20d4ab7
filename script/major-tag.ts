// Whether release.yml may move a major tag (v1) to a release tag (v1.x.y): never backwards. Publishing v1.2.4 (a
// patch of an older minor) after v1.3.0 must leave v1 at v1.3.0, or every `uses: …@v1` would lose 1.3's changes.
//
//   node script/major-tag.ts <new tag> [<release tags at the major tag's commit, newline- or space-separated>]
//
// prints `MAJOR=vN` for $GITHUB_ENV and exits 0 when the move goes ahead (a first release, a newer version, or
// the same one again: a repair), or prints an ::error:: line and exits 1. The workflow passes the tags that point at
// the major tag's commit today (`git tag --points-at`); the highest of them is the version it stands for.
import { fileURLToPath } from 'node:url';

const RELEASE = /^v(\d+)\.(\d+)\.(\d+)$/;

export type Version = [number, number, number];

export function parseTag(tag: string): Version | undefined {
  const m = RELEASE.exec(tag.trim());
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : undefined;
}

export function compare(a: Version, b: Version): number {
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1;
  return 0;
}

export type Decision = { move: true; major: string; from?: string } | { move: false; reason: string };

export function decide(newTag: string, tagsAtMajor: string[]): Decision {
  const next = parseTag(newTag);
  if (!next)
    return { move: false, reason: `'${newTag}' is not a release tag vMAJOR.MINOR.PATCH; the major tag was not moved.` };
  const major = `v${next[0]}`;
  // Only release tags of the same major count; anything else at that commit (v1 itself, other names) says nothing.
  const current = tagsAtMajor
    .map((t) => t.trim())
    .filter((t) => parseTag(t)?.[0] === next[0])
    .sort((a, b) => compare(parseTag(b)!, parseTag(a)!))[0];
  if (current && compare(next, parseTag(current)!) < 0) {
    return {
      move: false,
      reason: `${major} points at ${current}, newer than ${newTag}: moving it to ${newTag} would take ${current}'s changes away from every workflow that uses @${major}. The major tag was not moved.`,
    };
  }
  return { move: true, major, ...(current ? { from: current } : {}) };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [newTag = '', ...rest] = process.argv.slice(2);
  const decision = decide(newTag, rest.join(' ').split(/\s+/).filter(Boolean));
  if (!decision.move) {
    console.log(`::error::${decision.reason}`);
    process.exit(1);
  }
  console.log(`MAJOR=${decision.major}`);
  console.error(
    decision.from ? `${decision.major}: ${decision.from} → ${newTag}` : `${decision.major}: first release, ${newTag}`,
  );
}
