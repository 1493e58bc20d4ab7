// multipart/form-data bodies (REST deploy, Package2VersionCreateRequest). Binary-safe: parts stay Buffers.
import type { FakeRequest, MultipartPart } from './types.ts';

export function parseMultipart(req: Pick<FakeRequest, 'headers' | 'body'>): MultipartPart[] {
  const type = String(req.headers['content-type'] ?? '');
  const boundary = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(type);
  if (!/^multipart\/form-data/i.test(type) || !boundary)
    throw new Error(`expected multipart/form-data with a boundary, got '${type}'`);
  const delimiter = Buffer.from(`--${boundary[1] ?? boundary[2]}`);
  const body = req.body;
  const parts: MultipartPart[] = [];
  let pos = body.indexOf(delimiter);
  if (pos < 0) throw new Error('multipart body has no boundary line');
  for (;;) {
    pos += delimiter.length;
    if (body.subarray(pos, pos + 2).toString() === '--') break; // closing delimiter
    pos = skipCrlf(body, pos);
    const next = body.indexOf(delimiter, pos);
    if (next < 0) throw new Error('multipart body is not terminated');
    const headerEnd = body.indexOf('\r\n\r\n', pos);
    if (headerEnd < 0 || headerEnd > next) throw new Error('multipart part has no header block');
    const headers = body.subarray(pos, headerEnd).toString('utf8').split('\r\n');
    let end = next;
    if (body[end - 2] === 0x0d && body[end - 1] === 0x0a) end -= 2; // the CRLF before the delimiter belongs to it
    const data = body.subarray(headerEnd + 4, end);
    const disposition = headers.find((h) => /^content-disposition:/i.test(h)) ?? '';
    const name = /\bname="([^"]*)"/i.exec(disposition)?.[1];
    if (name === undefined) throw new Error('multipart part without a name');
    const filename = /\bfilename="([^"]*)"/i.exec(disposition)?.[1];
    const contentType = headers.find((h) => /^content-type:/i.test(h))?.replace(/^content-type:\s*/i, '');
    parts.push({
      name,
      data,
      ...(filename !== undefined ? { filename } : {}),
      ...(contentType ? { contentType } : {}),
    });
    pos = next;
  }
  return parts;
}

function skipCrlf(body: Buffer, pos: number): number {
  return body[pos] === 0x0d && body[pos + 1] === 0x0a ? pos + 2 : pos;
}
