// The few node-forge APIs certs.ts uses (the package ships no types and @types/node-forge is not installed).
declare module 'node-forge' {
  interface Attribute {
    name: string;
    value: string;
  }
  interface Certificate {
    publicKey: unknown;
    serialNumber: string;
    validity: { notBefore: Date; notAfter: Date };
    setSubject(attrs: Attribute[]): void;
    setIssuer(attrs: Attribute[]): void;
    setExtensions(extensions: Array<Record<string, unknown>>): void;
    sign(key: unknown, md: unknown): void;
  }
  const forge: {
    pki: {
      createCertificate(): Certificate;
      publicKeyFromPem(pem: string): unknown;
      privateKeyFromPem(pem: string): unknown;
      certificateToPem(cert: Certificate): string;
    };
    md: { sha256: { create(): unknown } };
  };
  export default forge;
}
