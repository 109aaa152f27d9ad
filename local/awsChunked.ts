// S3's `aws-chunked` content encoding, which s3rver would otherwise store as the object's bytes:
// the body is a run of `<hex size>[;chunk-signature=<sig>]\r\n<data>\r\n` chunks ending with an
// empty one, then (for the -TRAILER payloads) trailing headers such as a checksum, then a blank
// line. Amazon S3 API Reference, "Signature Calculations for the Authorization Header:
// Transferring Payload in Multiple Chunks" and "Signature calculations for trailing headers".
// The AWS SDK for JavaScript v3 sends its streamed uploads this way, signed or not
// (STREAMING-UNSIGNED-PAYLOAD-TRAILER, @aws-sdk/checksums' flexibleChecksumsMiddleware).

export interface Chunk {
  data: Buffer;
  /** `chunk-signature`, when the chunks are signed. */
  signature?: string;
}

export interface DecodedBody {
  /** Every chunk, the final empty one included. */
  chunks: Chunk[];
  /** The payload: every chunk's data, in order. */
  data: Buffer;
  /** Trailing headers (names lowercased), `x-amz-trailer-signature` excepted. */
  trailer: [string, string][];
  trailerSignature?: string;
}

/** A body that is not well-formed aws-chunked: S3 answers it with 400 IncompleteBody. */
export class MalformedChunks extends Error {}

const CRLF = Buffer.from("\r\n");

/** Decodes a whole aws-chunked body; throws MalformedChunks when it is not one. */
export function decodeAwsChunked(body: Buffer): DecodedBody {
  const chunks: Chunk[] = [];
  let at = 0;
  const line = (): string => {
    const end = body.indexOf(CRLF, at);
    if (end < 0) throw new MalformedChunks(`no line end after byte ${at}`);
    const text = body.subarray(at, end).toString("latin1");
    at = end + 2;
    return text;
  };
  for (;;) {
    const header = line();
    const match = /^([0-9a-fA-F]+)(?:;chunk-signature=([0-9a-f]{64}))?$/.exec(header);
    if (!match) throw new MalformedChunks(`not a chunk header: ${JSON.stringify(header)}`);
    const size = parseInt(match[1], 16);
    if (at + size > body.length)
      throw new MalformedChunks(`a chunk of ${size} bytes runs past the body`);
    const data = body.subarray(at, at + size);
    chunks.push(match[2] ? { data, signature: match[2] } : { data });
    at += size;
    if (size === 0) break;
    if (!body.subarray(at, at + 2).equals(CRLF)) {
      throw new MalformedChunks(`a chunk of ${size} bytes does not end with CRLF`);
    }
    at += 2;
  }
  // After the final chunk: trailing headers, if any, up to a blank line (or the body's end).
  const trailer: [string, string][] = [];
  let trailerSignature: string | undefined;
  while (at < body.length) {
    const text = line();
    if (text === "") break;
    const colon = text.indexOf(":");
    if (colon < 1) throw new MalformedChunks(`not a trailing header: ${JSON.stringify(text)}`);
    const name = text.slice(0, colon).trim().toLowerCase();
    const value = text.slice(colon + 1).trim();
    if (name === "x-amz-trailer-signature") trailerSignature = value;
    else trailer.push([name, value]);
  }
  if (at < body.length) throw new MalformedChunks(`${body.length - at} bytes after the last chunk`);
  return {
    chunks,
    data: Buffer.concat(chunks.map((c) => c.data)),
    trailer,
    trailerSignature,
  };
}
