// AWS Signature Version 4 in the browser: the console signs its API calls with the access key the user gives it,
// exactly as the aws CLI signs its own (WebCrypto where the page is a secure context, plain JS elsewhere).
import { sha256 as sha256Js, hmacSha256 as hmacJs } from './sha256.js';

const encoder = new TextEncoder();
const subtle = globalThis.crypto?.subtle;

const hex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');

async function sha256(bytes) {
  return subtle ? new Uint8Array(await subtle.digest('SHA-256', bytes)) : sha256Js(bytes);
}

async function hmac(key, text) {
  const message = encoder.encode(text);
  if (!subtle) return hmacJs(key, message);
  const imported = await subtle.importKey('raw', key, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  return new Uint8Array(await subtle.sign('HMAC', imported, message));
}

/** RFC 3986 encoding as SigV4 wants it: everything but A-Z a-z 0-9 - _ . ~ becomes %XX (upper case). */
export function uriEncode(text) {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
}

function amzDate(now) {
  return now.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

function canonicalQuery(params) {
  return params
    .map(([k, v]) => [uriEncode(k), uriEncode(v)])
    .sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
}

async function signature(credentials, scope, date, stringToSignParts) {
  const stringToSign = stringToSignParts.join('\n');
  let key = encoder.encode('AWS4' + credentials.secretAccessKey);
  for (const part of [date.slice(0, 8), scope.region, scope.service, 'aws4_request']) key = await hmac(key, part);
  return hex(await hmac(key, stringToSign));
}

/**
 * Signs a request with an Authorization header. Returns the headers to send (X-Amz-Date and Authorization added).
 * @param {{accessKeyId: string, secretAccessKey: string}} credentials
 * @param {{method: string, path: string, query?: [string, string][], headers: Record<string,string>, body: string, region: string, service: string, host: string}} request
 */
export async function signRequest(credentials, request, now = new Date()) {
  const date = amzDate(now);
  const headers = { ...request.headers, 'x-amz-date': date };
  const all = { ...headers, host: request.host };
  const names = Object.keys(all).map((n) => n.toLowerCase()).sort();
  const lower = Object.fromEntries(Object.entries(all).map(([k, v]) => [k.toLowerCase(), String(v).trim().replace(/\s+/g, ' ')]));
  const signedHeaders = names.join(';');
  const canonical = [
    request.method,
    request.path,
    canonicalQuery(request.query ?? []),
    names.map((n) => `${n}:${lower[n]}\n`).join(''),
    signedHeaders,
    hex(await sha256(encoder.encode(request.body ?? ''))),
  ].join('\n');
  const scope = `${date.slice(0, 8)}/${request.region}/${request.service}/aws4_request`;
  const sig = await signature(credentials, request, date, ['AWS4-HMAC-SHA256', date, scope, hex(await sha256(encoder.encode(canonical)))]);
  headers.authorization = `AWS4-HMAC-SHA256 Credential=${credentials.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${sig}`;
  return headers;
}

/**
 * A presigned GET URL (the credentials travel in the query string), for EventSource, which cannot send headers.
 * @returns {Promise<string>} path and query to request
 */
export async function presignGet(credentials, { path, query = [], region, service, host, expiresSeconds = 3600 }, now = new Date()) {
  const date = amzDate(now);
  const scope = `${date.slice(0, 8)}/${region}/${service}/aws4_request`;
  const params = [
    ...query,
    ['X-Amz-Algorithm', 'AWS4-HMAC-SHA256'],
    ['X-Amz-Credential', `${credentials.accessKeyId}/${scope}`],
    ['X-Amz-Date', date],
    ['X-Amz-Expires', String(expiresSeconds)],
    ['X-Amz-SignedHeaders', 'host'],
  ];
  const canonical = ['GET', path, canonicalQuery(params), `host:${host}\n`, 'host', hex(await sha256(new Uint8Array(0)))].join('\n');
  const sig = await signature(credentials, { region, service }, date, ['AWS4-HMAC-SHA256', date, scope, hex(await sha256(encoder.encode(canonical)))]);
  return `${path}?${canonicalQuery(params)}&X-Amz-Signature=${sig}`;
}
