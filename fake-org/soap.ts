// The Metadata API's SOAP binding at /services/Soap/m/NN.0: deploy, checkDeployStatus, retrieve,
// checkRetrieveStatus, listMetadata. jsforce's needs (docs/platform-notes.md, "Library wire notes"): text/xml, a prefixed Envelope and Body,
// faults as HTTP 500 with an unprefixed <faultcode>, INVALID_SESSION_ID as `sf:INVALID_SESSION_ID`.
import type { FakeResponse, OrgState } from './types.ts';
import type { DeployOptions, RetrieveRequest, createMetadataApi } from './metadata-api.ts';
import { MD_NS, child, childText, escapeXml, objectToXml, parseXml, type XmlElement } from './xml.ts';

const SOAP_NS = 'http://schemas.xmlsoap.org/soap/envelope/';
const XSI_NS = 'http://www.w3.org/2001/XMLSchema-instance';

export interface SoapCall {
  method: string;
  sessionId?: string;
  args: XmlElement;
}

export function soapFault(code: string, message: string, status = 500): FakeResponse {
  return {
    status,
    headers: { 'content-type': 'text/xml;charset=UTF-8' },
    body:
      `<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="${SOAP_NS}" xmlns:sf="${MD_NS}">` +
      `<soapenv:Body><soapenv:Fault><faultcode>${code}</faultcode><faultstring>${escapeXml(message)}</faultstring>` +
      '</soapenv:Fault></soapenv:Body></soapenv:Envelope>',
  };
}

export const INVALID_SESSION_FAULT = (): FakeResponse =>
  soapFault('sf:INVALID_SESSION_ID', 'INVALID_SESSION_ID: Invalid Session ID found in SessionHeader: Illegal Session');

function soapResponse(method: string, result: unknown): FakeResponse {
  return {
    status: 200,
    headers: { 'content-type': 'text/xml;charset=UTF-8' },
    body:
      `<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="${SOAP_NS}" xmlns="${MD_NS}" xmlns:xsi="${XSI_NS}">` +
      `<soapenv:Body><${method}Response>${objectToXml('result', result)}</${method}Response></soapenv:Body></soapenv:Envelope>`,
  };
}

/** Read the envelope: the operation, the SessionHeader's sessionId and the operation's element. */
export function parseSoapCall(
  body: string,
  headers: Record<string, string | string[] | undefined>,
): SoapCall | { fault: FakeResponse } {
  if (headers.soapaction === undefined) return { fault: soapFault('soapenv:Client', 'No SOAPAction header!') };
  if (!/^(text|application)\/xml/i.test(String(headers['content-type'] ?? ''))) {
    return {
      fault: soapFault(
        'soapenv:Client',
        `Content type '${String(headers['content-type'] ?? '')}' is not supported: use text/xml`,
      ),
    };
  }
  const parsed = parseXml(body);
  if ('error' in parsed)
    return { fault: soapFault('soapenv:Client', `Unable to parse the SOAP request: ${parsed.error.message}`) };
  const envelope = parsed.root;
  const body_ = child(envelope, 'Body');
  if (envelope.name !== 'Envelope' || !body_)
    return { fault: soapFault('soapenv:Client', 'Expected a SOAP Envelope with a Body') };
  const operation = body_.children[0];
  if (!operation) return { fault: soapFault('soapenv:Client', 'The SOAP Body names no operation') };
  const header = child(envelope, 'Header');
  const sessionHeader = header ? child(header, 'SessionHeader') : undefined;
  const sessionId = sessionHeader ? childText(sessionHeader, 'sessionId')?.trim() : undefined;
  return { method: operation.name, args: operation, ...(sessionId ? { sessionId } : {}) };
}

export function createSoapHandler(api: ReturnType<typeof createMetadataApi>) {
  return async function handle(org: OrgState, call: SoapCall, apiVersion: string): Promise<FakeResponse> {
    const args = call.args;
    switch (call.method) {
      case 'deploy': {
        const zip = Buffer.from((childText(args, 'ZipFile') ?? '').replace(/\s+/g, ''), 'base64');
        const started = await api.startDeploy(org, zip, deployOptions(child(args, 'DeployOptions')), apiVersion);
        return soapResponse('deploy', { done: false, id: started.id, state: 'Queued' });
      }
      case 'checkDeployStatus': {
        const id = childText(args, 'asyncProcessId')?.trim() ?? '';
        const result = api.checkDeploy(org, id, childText(args, 'includeDetails')?.trim() === 'true');
        return result ? soapResponse('checkDeployStatus', result) : invalidId();
      }
      case 'retrieve': {
        const request = child(args, 'request');
        if (!request) return soapFault('soapenv:Client', "Element 'request' is required for retrieve");
        const started = api.startRetrieve(org, retrieveRequest(request, apiVersion));
        return soapResponse('retrieve', { done: false, id: started.id, state: 'Queued' });
      }
      case 'checkRetrieveStatus': {
        const id = childText(args, 'asyncProcessId')?.trim() ?? '';
        const result = await api.checkRetrieve(org, id, childText(args, 'includeZip')?.trim() !== 'false');
        return result ? soapResponse('checkRetrieveStatus', result) : invalidId();
      }
      case 'listMetadata': {
        const queries = args.children
          .filter((c) => c.name === 'queries')
          .map((q) => ({
            type: childText(q, 'type')?.trim() ?? '',
            ...(childText(q, 'folder') ? { folder: childText(q, 'folder')!.trim() } : {}),
          }));
        const asOf = childText(args, 'asOfVersion')?.trim() || apiVersion;
        const result = api.listMetadata(org, queries, asOf);
        return 'fault' in result ? soapFault(result.fault, result.message) : soapResponse('listMetadata', result);
      }
      default:
        return soapFault(
          'soapenv:Client',
          `No operation available for request {${MD_NS}}${call.method}, please check the WSDL for the service.`,
        );
    }
  };
}

function invalidId(): FakeResponse {
  return soapFault('sf:INVALID_CROSS_REFERENCE_KEY', 'INVALID_CROSS_REFERENCE_KEY: invalid cross reference id');
}

function deployOptions(el: XmlElement | undefined): Partial<DeployOptions> {
  if (!el) return {};
  const out: Partial<DeployOptions> = {};
  const flags = [
    'allowMissingFiles',
    'autoUpdatePackage',
    'checkOnly',
    'ignoreWarnings',
    'performRetrieve',
    'purgeOnDelete',
    'rollbackOnError',
    'singlePackage',
  ] as const;
  for (const flag of flags) {
    const value = childText(el, flag)?.trim();
    if (value !== undefined) out[flag] = value === 'true';
  }
  const runTests = el.children.filter((c) => c.name === 'runTests').map((c) => c.text.trim());
  if (runTests.length) out.runTests = runTests;
  const testLevel = childText(el, 'testLevel')?.trim();
  if (testLevel) out.testLevel = testLevel;
  return out;
}

function retrieveRequest(el: XmlElement, apiVersion: string): RetrieveRequest {
  const unpackaged = child(el, 'unpackaged');
  return {
    apiVersion: childText(el, 'apiVersion')?.trim() || apiVersion,
    singlePackage: childText(el, 'singlePackage')?.trim() === 'true',
    packageNames: el.children.filter((c) => c.name === 'packageNames').map((c) => c.text.trim()),
    ...(unpackaged
      ? {
          unpackaged: {
            types: unpackaged.children
              .filter((c) => c.name === 'types')
              .map((t) => ({
                name: childText(t, 'name')?.trim() ?? '',
                members: t.children.filter((m) => m.name === 'members').map((m) => m.text.trim()),
              })),
            ...(childText(unpackaged, 'version') ? { version: childText(unpackaged, 'version')!.trim() } : {}),
          },
        }
      : {}),
  };
}
