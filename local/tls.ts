// A certificate for loopback, new at every start, so the CloudFront site is served over HTTPS as
// on AWS: the page's origin (`https://127.0.0.1:<port>`) is then the one the program computed
// for CORS. Browsers warn about it (nobody vouches for it); tests tell Chromium to accept it.
// selfsigned (npm) builds the X.509 certificate; Node.js has no API for that.
import { generate } from "selfsigned";

export async function loopbackCertificate(host: string): Promise<{ key: string; cert: string }> {
  const day = 24 * 60 * 60 * 1000;
  const isIp = /^[\d.]+$|:/.test(host);
  const pems = await generate([{ name: "commonName", value: host }], {
    keyType: "ec",
    algorithm: "sha256",
    notAfterDate: new Date(Date.now() + day),
    extensions: [
      { name: "basicConstraints", cA: false },
      { name: "keyUsage", digitalSignature: true },
      { name: "extKeyUsage", serverAuth: true },
      {
        name: "subjectAltName",
        altNames: [isIp ? { type: 7, ip: host } : { type: 2, value: host }],
      },
    ],
  });
  return { key: pems.private, cert: pems.cert };
}
