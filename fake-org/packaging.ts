// Tooling API routes for 2GP packaging and package installs. Placeholder until written.
import type { FakeOrgContext, Route } from './types.ts';

export function packagingRoutes(_ctx: FakeOrgContext): Route[] {
  return [];
}
