// This machine, as a host is written: the forms a local run, the fake org and the tests use, and nothing else.
// Parsers turn `127.1`, `0x7f.1` or `2130706433` into 127.0.0.1; hosts are judged as given so that no form
// nobody means is trusted with a credential or an http URL (docs/platform-notes.md §14).

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '::1', '[::1]']);

/** Whether `host` (a URL's hostname, an authority's host; `::1` with or without brackets) is this machine. */
export function isLoopback(host: string): boolean {
  return LOOPBACK_HOSTS.has(host.toLowerCase());
}
