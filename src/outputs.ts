// The step's outputs (action.yml), one row each: when it is set, whether it is masked, and what the summary learns
// from it. Setting an output here is the only way a value reaches both the runner and the summary, so the two
// cannot disagree. `drift` is verify.ts's own (mode: verify writes no other output).
import * as core from '@actions/core';
import { setSecretOutput } from './mask.ts';
import { lastFour, type buildSummary } from './summary.ts';

export type SummaryOutputs = Parameters<typeof buildSummary>[0]['outputs'];

/** Each output's value as the steps hand it over. */
export interface OutputValues {
  'app-name': string;
  'callback-urls': string[];
  'metadata-dir': string;
  'consumer-key': string;
  'consumer-secret': string;
  'target-consumer-key': string;
  'package-id': string;
  'package-version-id': string;
  'package-version-number': string;
  'package-version-created': boolean;
  'install-url': string;
  usable: boolean;
}

interface OutputRow<V> {
  /** when a run sets it (for readers of this table; action.yml says the same to users) */
  when: string;
  /** a secret: masked before it is set anywhere */
  masked: boolean;
  /** the output's text, when it is not String(value) */
  text?: (value: V) => string;
  /** what the summary records of it (never a secret itself: the summary is not masked by the runner) */
  summary: (outputs: SummaryOutputs, value: V) => void;
}

export const OUTPUTS: { [K in keyof OutputValues]: OutputRow<OutputValues[K]> } = {
  'app-name': { when: 'every run, dry run included', masked: false, summary: () => {} },
  'callback-urls': {
    when: 'every run, dry run included',
    masked: false,
    text: (urls) => urls.join('\n'),
    summary: (o, urls) => {
      o.callbackUrls = urls;
    },
  },
  'metadata-dir': {
    when: 'every run, dry run included',
    masked: false,
    summary: (o, dir) => {
      o.metadataDir = dir;
    },
  },
  'consumer-key': {
    when: 'after the deploy',
    masked: true,
    summary: (o, key) => {
      o.consumerKeySet = true;
      o.consumerKeyLast4 = lastFour(key);
    },
  },
  'consumer-secret': {
    when: 'after the deploy, with require-secret',
    masked: true,
    summary: (o) => {
      o.consumerSecretSet = true;
    },
  },
  'target-consumer-key': {
    when: 'after the deploy into the install target (install-method: deploy)',
    masked: true,
    summary: (o, key) => {
      o.targetDeployed = true;
      o.targetKeyLast4 = lastFour(key);
    },
  },
  'package-id': {
    when: 'after the package is created or reused (install-method: package)',
    masked: false,
    summary: (o, id) => {
      o.packageId = id;
    },
  },
  'package-version-id': {
    when: 'after the version is built or reused',
    masked: false,
    summary: (o, id) => {
      o.packageVersionId = id;
    },
  },
  'package-version-number': {
    when: 'after the version is built or reused',
    masked: false,
    summary: (o, number) => {
      o.packageVersionNumber = number;
    },
  },
  'package-version-created': {
    when: 'after the version is built or reused',
    masked: false,
    summary: (o, created) => {
      o.packageVersionCreated = created;
    },
  },
  'install-url': {
    when: 'after the version is built or reused',
    masked: false,
    summary: (o, url) => {
      o.installUrl = url;
    },
  },
  usable: {
    when: 'with wait-until-usable, once the orgs accept the consumer key',
    masked: false,
    summary: (o, usable) => {
      o.usable = usable;
    },
  },
};

/** Sets each output (masked where the table says so) and records it for the summary. */
export function setOutputs(outputs: SummaryOutputs, values: Partial<OutputValues>): void {
  for (const name of Object.keys(values) as (keyof OutputValues)[]) {
    const value = values[name];
    if (value === undefined) continue;
    const row = OUTPUTS[name] as OutputRow<typeof value>;
    const text = row.text ? row.text(value) : String(value);
    if (row.masked) setSecretOutput(name, text);
    else core.setOutput(name, text);
    row.summary(outputs, value);
  }
}
