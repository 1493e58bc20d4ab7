// Org state for metadata: stores components in the form a retrieve returns them, and generates what the org
// generates on deploy — component ids, the OAuth consumer (key, secret) of an app's global OAuth settings, the
// oauthLink and the orgScopedExternalApp — and the default OAuth policy of a new app.
import type { AppliedComponent, ComponentSource, Consumer, OrgState } from './types.ts';
import { fieldsOf, filePath, TYPE_BY_NAME } from './schema.ts';
import { newConsumerKey, newConsumerSecret } from './ids.ts';
import { parseXml, renderMetadata, toOutNodes, type OutNode } from './xml.ts';
import { sameId } from './rules.ts';

/** Apply order: what others point at first. */
const ORDER = [
  'ExternalClientApplication',
  'PermissionSet',
  'ExtlClntAppGlobalOauthSettings',
  'ExtlClntAppOauthSettings',
  'ExtlClntAppOauthConfigurablePolicies',
  'ExtlClntAppConfigurablePolicies',
  'ExtlClntAppOauthSecuritySettings',
];

export function createStore(newId: (prefix: string) => string, orgs: () => readonly OrgState[]) {
  const idOf = (org: OrgState, type: string, fullName: string): { id: string; created: boolean } => {
    const key = `${type}:${fullName}`;
    const existing = org.componentIds.get(key);
    if (existing) return { id: existing, created: false };
    const id = newId(TYPE_BY_NAME.get(type)!.keyPrefix);
    org.componentIds.set(key, id);
    return { id, created: true };
  };

  const put = (org: OrgState, type: string, fullName: string, xml: string): boolean => {
    let byName = org.metadata.get(type);
    if (!byName) {
      byName = new Map();
      org.metadata.set(type, byName);
    }
    const changed = byName.get(fullName) !== xml;
    byName.set(fullName, xml);
    return changed;
  };

  /** The consumer an oauthLink names, wherever it lives (the Dev Hub, for an app installed from a package). */
  const linkedConsumer = (link: string): Consumer | undefined => {
    const [orgPart, consumerPart] = link.split(':');
    for (const org of orgs()) {
      if (!orgPart || !consumerPart || !sameId(org.orgId, orgPart)) continue;
      for (const c of org.consumers.values()) if (sameId(c.consumerId, consumerPart)) return c;
    }
    return undefined;
  };

  function apply(org: OrgState, components: readonly ComponentSource[]): AppliedComponent[] {
    const sorted = [...components].sort((a, b) => ORDER.indexOf(a.type) - ORDER.indexOf(b.type));
    const applied: AppliedComponent[] = [];
    for (const source of sorted) {
      const nodes = normalizedNodes(source.type, source.xml);
      const { id, created } = idOf(org, source.type, source.fullName);
      const app = textOf(nodes, 'externalClientApplication');
      switch (source.type) {
        case 'ExternalClientApplication':
          if (!textOf(nodes, 'orgScopedExternalApp'))
            setField(nodes, source.type, 'orgScopedExternalApp', `${org.orgId}:${source.fullName}`);
          break;
        case 'ExtlClntAppGlobalOauthSettings': {
          const consumer = ensureConsumer(org, app!, nodes);
          setField(nodes, source.type, 'consumerKey', consumer.consumerKey);
          // The secret lives in the consumer; a retrieve adds it only when the org allows (see retrieve).
          setField(nodes, source.type, 'consumerSecret', undefined);
          for (const flag of ['shouldRotateConsumerKey', 'shouldRotateConsumerSecret']) {
            if (textOf(nodes, flag) !== undefined) setField(nodes, source.type, flag, 'false');
          }
          break;
        }
        case 'ExtlClntAppOauthSettings': {
          const link = textOf(nodes, 'oauthLink');
          const own = org.consumers.get(app!);
          if (!link && own) setField(nodes, source.type, 'oauthLink', own.oauthLink);
          if (link && !own) {
            // Association: the app uses a consumer of another org (e.g. installed from the Dev Hub's package).
            const linked = linkedConsumer(link);
            const appId = org.componentIds.get(`ExternalClientApplication:${app}`);
            // Known in this org from now on, whatever the Dev Hub's copy: the availability delay starts again here.
            if (linked && appId) org.consumers.set(app!, { ...linked, appName: app!, appId, createdAt: Date.now() });
          }
          break;
        }
      }
      const changed = put(org, source.type, source.fullName, renderMetadata(source.type, nodes));
      applied.push({ type: source.type, fullName: source.fullName, fileName: source.fileName, id, created, changed });
      if (source.type === 'ExtlClntAppOauthSettings' && created) {
        for (const policy of defaultPolicies(org, app!, source.fullName, components)) {
          idOf(org, policy.type, policy.fullName);
          put(org, policy.type, policy.fullName, policy.xml);
        }
      }
    }
    return applied;
  }

  function ensureConsumer(org: OrgState, app: string, nodes: OutNode[]): Consumer {
    let consumer = org.consumers.get(app);
    const appId = org.componentIds.get(`ExternalClientApplication:${app}`)!;
    if (!consumer) {
      const consumerId = newId('888');
      consumer = {
        appName: app,
        appId,
        consumerId,
        consumerKey: textOf(nodes, 'consumerKey') || newConsumerKey(),
        consumerSecret: textOf(nodes, 'consumerSecret') || newConsumerSecret(),
        oauthLink: `${org.orgId}:${consumerId}`,
        createdAt: Date.now(),
      };
      org.consumers.set(app, consumer);
      return consumer;
    }
    if (textOf(nodes, 'shouldRotateConsumerKey') === 'true') consumer.consumerKey = newConsumerKey();
    if (textOf(nodes, 'shouldRotateConsumerSecret') === 'true') consumer.consumerSecret = newConsumerSecret();
    return consumer;
  }

  return { apply };
}

/**
 * A deploy that creates an app's OAuth settings creates both default policies the app lacks: the OAuth policy
 * `<OAuthSettingsName>_defaultPolicy` and the app policy (docs/platform-notes.md §3), unless the deployment brings
 * one of that type for the app or one exists. The app policy's name `<App>_defaultPolicy` is our choice by analogy.
 */
function defaultPolicies(
  org: OrgState,
  app: string,
  oauthName: string,
  batch: readonly ComponentSource[],
): ComponentSource[] {
  const lacks = (type: string): boolean => {
    if (batch.some((c) => c.type === type && textOf(normalizedNodes(type, c.xml), 'externalClientApplication') === app))
      return false;
    for (const xml of org.metadata.get(type)?.values() ?? []) {
      if (textOf(normalizedNodes(type, xml), 'externalClientApplication') === app) return false;
    }
    return true;
  };
  const make = (type: string, fullName: string, nodes: OutNode[]): ComponentSource => ({
    type,
    fullName,
    fileName: filePath(TYPE_BY_NAME.get(type)!, fullName),
    xml: renderMetadata(type, nodes),
  });
  const out: ComponentSource[] = [];
  if (lacks('ExtlClntAppOauthConfigurablePolicies')) {
    const fullName = `${oauthName}_defaultPolicy`;
    out.push(
      make('ExtlClntAppOauthConfigurablePolicies', fullName, [
        { name: 'externalClientApplication', value: app },
        { name: 'ipRelaxationPolicyType', value: 'Enforce' },
        { name: 'isClientCredentialsFlowEnabled', value: 'false' },
        { name: 'isGuestCodeCredFlowEnabled', value: 'false' },
        { name: 'isTokenExchangeFlowEnabled', value: 'false' },
        { name: 'label', value: fullName },
        { name: 'permittedUsersPolicyType', value: 'AllSelfAuthorized' },
        { name: 'refreshTokenPolicyType', value: 'SpecificLifetime' },
        { name: 'refreshTokenValidityPeriod', value: '365' },
        { name: 'refreshTokenValidityUnit', value: 'Days' },
        { name: 'requiredSessionLevel', value: 'STANDARD' },
      ]),
    );
  }
  if (lacks('ExtlClntAppConfigurablePolicies')) {
    const fullName = `${app}_defaultPolicy`;
    out.push(
      make('ExtlClntAppConfigurablePolicies', fullName, [
        { name: 'externalClientApplication', value: app },
        { name: 'isEnabled', value: 'true' },
        { name: 'isOauthPluginEnabled', value: 'true' },
        { name: 'label', value: fullName },
      ]),
    );
  }
  return out;
}

/** A component's elements in WSDL order (how a retrieve writes them), nested types too. */
export function normalizedNodes(type: string, xml: string): OutNode[] {
  const parsed = parseXml(xml);
  if ('error' in parsed) throw new Error(`stored component ${type} is not XML: ${parsed.error.message}`);
  return sortNodes(type, toOutNodes(parsed.root));
}

function sortNodes(type: string, nodes: OutNode[]): OutNode[] {
  const fields = fieldsOf(type) ?? [];
  const rank = (name: string): number => {
    const i = fields.findIndex((f) => f.name === name);
    return i < 0 ? fields.length : i;
  };
  return nodes
    .map((node) => {
      const field = fields.find((f) => f.name === node.name);
      return field?.kind === 'complex' && Array.isArray(node.value)
        ? { ...node, value: sortNodes(field.type, node.value) }
        : node;
    })
    .sort((a, b) => rank(a.name) - rank(b.name)); // stable: repeated elements keep their order
}

export function textOf(nodes: OutNode[], name: string): string | undefined {
  const node = nodes.find((n) => n.name === name);
  return typeof node?.value === 'string' ? node.value : undefined;
}

/** Set (or with undefined remove) a top-level simple field, keeping WSDL order. */
export function setField(nodes: OutNode[], type: string, name: string, value: string | undefined): void {
  const index = nodes.findIndex((n) => n.name === name);
  if (index >= 0) nodes.splice(index, 1);
  if (value === undefined) return;
  nodes.push({ name, value });
  const sorted = sortNodes(type, nodes);
  nodes.splice(0, nodes.length, ...sorted);
}
