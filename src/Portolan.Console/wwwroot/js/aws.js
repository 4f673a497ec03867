// The console's only way to data: the same AWS APIs the aws CLI calls, posted to the same port — JSON 1.1 with
// X-Amz-Target for Cloud Map and ECS, the Query protocol (form in, XML out) for ELBv2 — signed with SigV4 when
// the user has given an access key (required when the server runs with --auth).
import { signRequest, presignGet } from './sigv4.js';

export const CloudMap = { signingName: 'servicediscovery', targetPrefix: 'Route53AutoNaming_v20170314' };
export const Ecs = { signingName: 'ecs', targetPrefix: 'AmazonEC2ContainerServiceV20141113' };
export const Elbv2 = { signingName: 'elasticloadbalancing', version: '2015-12-01' };

/** An error as the service returned it: code (e.g. NamespaceNotFound) and message. */
export class AwsError extends Error {
  constructor(code, message, status) {
    super(message || code);
    this.code = code;
    this.status = status;
  }
}

const CredentialsKey = 'portolan.credentials';

export class AwsClient {
  /** @param {{region: string, auth: boolean}} server what GET / says about the server */
  constructor(server) {
    this.region = server.region;
    this.authRequired = server.auth;
    this.credentials = JSON.parse(sessionStorage.getItem(CredentialsKey) || 'null');
  }

  /** Kept for this browser tab only (sessionStorage), never sent anywhere but in signatures. */
  setCredentials(credentials) {
    this.credentials = credentials;
    if (credentials) sessionStorage.setItem(CredentialsKey, JSON.stringify(credentials));
    else sessionStorage.removeItem(CredentialsKey);
  }

  /** True when calls would fail for want of a key. */
  get needsCredentials() {
    return this.authRequired && !this.credentials;
  }

  /** A JSON 1.1 call: returns the parsed response object. */
  async json(service, operation, input = {}) {
    const body = JSON.stringify(input);
    const headers = await this.#sign('POST', '/', [], {
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': `${service.targetPrefix}.${operation}`,
    }, body, service.signingName);
    const response = await fetch('/', { method: 'POST', headers, body });
    const text = await response.text();
    const parsed = text ? JSON.parse(text) : {};
    if (!response.ok) {
      const type = String(parsed.__type ?? 'UnknownError');
      throw new AwsError(type.slice(type.lastIndexOf('#') + 1), parsed.Message ?? parsed.message, response.status);
    }
    return parsed;
  }

  /** A Query call: params are flattened (lists as Name.member.N); returns the <ActionResult> element. */
  async query(service, action, params = {}) {
    const form = new URLSearchParams([['Action', action], ['Version', service.version], ...flatten(params)]);
    const body = form.toString();
    const headers = await this.#sign('POST', '/', [], { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }, body, service.signingName);
    const response = await fetch('/', { method: 'POST', headers, body });
    const xml = new DOMParser().parseFromString(await response.text(), 'application/xml');
    if (!response.ok) {
      throw new AwsError(xml.querySelector('Error > Code')?.textContent ?? 'UnknownError', xml.querySelector('Error > Message')?.textContent, response.status);
    }
    return xml.getElementsByTagName(`${action}Result`)[0] ?? xml.documentElement;
  }

  /** Follows NextToken until the end; returns every item of listMember. */
  async jsonAll(service, operation, input, listMember) {
    const items = [];
    let token;
    do {
      const page = await this.json(service, operation, token ? { ...input, NextToken: token } : input);
      items.push(...(page[listMember] ?? []));
      token = page.NextToken;
    } while (token);
    return items;
  }

  /** A console view (GET /console/api/NAME): read-only, for what no AWS API shows. */
  async view(name, query = []) {
    const path = `/console/api/${name}`;
    const headers = await this.#sign('GET', path, query, {}, '', 'portolan');
    const search = query.length ? '?' + new URLSearchParams(query).toString() : '';
    const response = await fetch(path + search, { headers });
    const parsed = await response.json();
    if (!response.ok) throw new AwsError(parsed.code, parsed.message, response.status);
    return parsed;
  }

  /** The event stream's URL, presigned when there is a key (EventSource cannot send headers). */
  async eventsUrl() {
    const path = '/console/api/events';
    if (!this.credentials) return path;
    return presignGet(this.credentials, { path, region: this.region, service: 'portolan', host: location.host });
  }

  async #sign(method, path, query, headers, body, signingName) {
    if (!this.credentials) return headers;
    return signRequest(this.credentials, { method, path, query, headers, body, region: this.region, service: signingName, host: location.host });
  }
}

/** Query-protocol parameters from an object: {Names: ['a']} → Names.member.1=a; nested objects with dots. */
export function flatten(value, prefix = '', out = []) {
  if (value === undefined || value === null || value === '') return out;
  if (Array.isArray(value)) {
    value.forEach((item, i) => flatten(item, `${prefix}.member.${i + 1}`, out));
  } else if (typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) flatten(item, prefix ? `${prefix}.${key}` : key, out);
  } else {
    out.push([prefix, String(value)]);
  }
  return out;
}

/** Text of the first descendant element with this tag name (Query XML), or undefined. */
export function xmlText(element, tag) {
  return element?.getElementsByTagName(tag)[0]?.textContent ?? undefined;
}

/** The <member> children of the first descendant <tag> (a Query list). */
export function xmlMembers(element, tag) {
  const list = element?.getElementsByTagName(tag)[0];
  return list ? Array.from(list.children).filter((c) => c.tagName === 'member') : [];
}
