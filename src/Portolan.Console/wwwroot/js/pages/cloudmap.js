// Cloud Map: namespaces → services → instances with attributes and health, and the DNS records a service answers.
import { CloudMap } from '../aws.js';
import { h, fill, table, badge, when, facts, report, values, field } from '../dom.js';
import { renderCheck, renderTimeline } from '../health.js';

const Reserved = ['AWS_INSTANCE_IPV4', 'AWS_INSTANCE_IPV6', 'AWS_INSTANCE_PORT', 'AWS_INSTANCE_CNAME'];

function errorLine() {
  const line = h('div', { class: 'page-error' });
  return { line, show: (error) => (error ? report(line, error) : fill(line)) };
}

/** Waits for an asynchronous Cloud Map operation (namespaces are created through one) to finish. */
async function waitForOperation(aws, operationId) {
  for (let i = 0; i < 50; i++) {
    const { Operation } = await aws.json(CloudMap, 'GetOperation', { OperationId: operationId });
    if (Operation.Status === 'SUCCESS') return Operation;
    if (Operation.Status === 'FAIL') throw { code: Operation.ErrorCode, message: Operation.ErrorMessage };
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`Operation ${operationId} is still running.`);
}

function namespaceType(type) {
  return { HTTP: 'API calls only', DNS_PRIVATE: 'API and private DNS', DNS_PUBLIC: 'API and public DNS' }[type] ?? type;
}

// ── Namespaces ──────────────────────────────────────────────────────────────────────────────────────────────

export function namespacesPage({ aws, navigate }) {
  const list = h('div', { id: 'namespaces' });
  const error = errorLine();
  const status = h('p', { class: 'status' });
  const vpcField = field('VPC', h('input', { name: 'vpc', value: 'vpc-portolan' }), 'Private DNS namespaces name a VPC, as on AWS; Portolan records it.');
  const form = h('form', { id: 'create-namespace', class: 'card' },
    h('h2', {}, 'Create namespace'),
    field('Name', h('input', { name: 'name', required: true, placeholder: 'example.local' })),
    field('Type', h('select', {
      name: 'type',
      onchange: (e) => { vpcField.hidden = e.target.value !== 'DNS_PRIVATE'; },
    }, h('option', { value: 'DNS_PRIVATE' }, 'DNS (private): API calls and DNS queries'), h('option', { value: 'HTTP' }, 'HTTP: API calls only'), h('option', { value: 'DNS_PUBLIC' }, 'DNS (public)'))),
    vpcField,
    field('Description', h('input', { name: 'description' })),
    field('SOA TTL (seconds)', h('input', { name: 'soaTtl', type: 'number', min: 0, placeholder: '15' }), 'How long resolvers cache "no such name".'),
    h('button', { type: 'submit' }, 'Create namespace'),
    status);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const v = values(form);
    const input = { Name: v.name, CreatorRequestId: crypto.randomUUID?.() ?? String(Date.now()), Description: v.description || undefined };
    if (v.type !== 'HTTP' && v.soaTtl) input.Properties = { DnsProperties: { SOA: { TTL: Number(v.soaTtl) } } };
    if (v.type === 'DNS_PRIVATE') input.Vpc = v.vpc;
    const operation = { HTTP: 'CreateHttpNamespace', DNS_PRIVATE: 'CreatePrivateDnsNamespace', DNS_PUBLIC: 'CreatePublicDnsNamespace' }[v.type];
    try {
      const { OperationId } = await aws.json(CloudMap, operation, input);
      const done = await waitForOperation(aws, OperationId);
      form.reset();
      report(status, null, `Namespace ${done.Targets?.NAMESPACE ?? ''} created.`);
      navigate(`#/cloudmap/namespaces/${done.Targets.NAMESPACE}`);
    } catch (e) {
      report(status, e);
    }
  });

  const node = h('section', {}, h('h1', {}, 'Namespaces'), error.line, list, form);
  return {
    node,
    showError: error.show,
    async refresh() {
      const namespaces = await aws.jsonAll(CloudMap, 'ListNamespaces', {}, 'Namespaces');
      namespaces.sort((a, b) => a.Name.localeCompare(b.Name));
      fill(list, table([
        ['Name', (n) => h('a', { href: `#/cloudmap/namespaces/${n.Id}` }, n.Name)],
        ['Type', (n) => namespaceType(n.Type)],
        ['Id', (n) => h('code', {}, n.Id)],
        ['Services', (n) => String(n.ServiceCount ?? 0)],
        ['Description', (n) => n.Description ?? ''],
        ['Created', (n) => when(n.CreateDate)],
      ], namespaces, { empty: 'No namespaces yet: create one below.', rowId: (n) => n.Id }));
    },
  };
}

// ── One namespace and its services ──────────────────────────────────────────────────────────────────────────

export function namespacePage({ aws, params: [namespaceId], navigate }) {
  const title = h('h1', {}, 'Namespace');
  const about = h('div', { class: 'card' });
  const services = h('div', { id: 'services' });
  const error = errorLine();
  const status = h('p', { class: 'status' });
  let namespace;

  const dnsSection = h('fieldset', { class: 'dns-config' },
    h('legend', {}, 'DNS records'),
    field('Routing policy', h('select', { name: 'routingPolicy' }, h('option', { value: 'MULTIVALUE' }, 'MULTIVALUE: up to 8 healthy records'), h('option', { value: 'WEIGHTED' }, 'WEIGHTED: one record at random'))),
    h('div', { class: 'record-types' }, ['A', 'AAAA', 'SRV', 'CNAME'].map((type) =>
      h('label', { class: 'inline' }, h('input', { type: 'checkbox', name: `record${type}`, checked: type === 'A' }), ` ${type}`))),
    field('TTL (seconds)', h('input', { name: 'ttl', type: 'number', min: 0, value: '60' })));
  const healthThreshold = field('Failure threshold', h('input', { name: 'failureThreshold', type: 'number', min: 1, max: 10, value: '1' }));
  const healthPath = field('Resource path', h('input', { name: 'resourcePath', value: '/' }));
  const healthType = h('select', { name: 'health', onchange: () => showHealth() },
    h('option', { value: 'none' }, 'None: every instance counts as healthy'),
    h('option', { value: 'custom' }, 'Custom: you report health (UpdateInstanceCustomHealthStatus)'),
    h('option', { value: 'HTTP' }, 'HTTP check'),
    h('option', { value: 'HTTPS' }, 'HTTPS check'),
    h('option', { value: 'TCP' }, 'TCP check'));
  const showHealth = () => {
    healthThreshold.hidden = healthType.value === 'none';
    healthPath.hidden = !['HTTP', 'HTTPS'].includes(healthType.value);
  };
  const form = h('form', { id: 'create-service', class: 'card' },
    h('h2', {}, 'Create service'),
    field('Name', h('input', { name: 'name', required: true, placeholder: 'web' })),
    field('Description', h('input', { name: 'description' })),
    dnsSection,
    field('Health check', healthType),
    healthThreshold, healthPath,
    h('button', { type: 'submit' }, 'Create service'),
    status);
  showHealth();
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const v = values(form);
    const input = { Name: v.name, NamespaceId: namespaceId, CreatorRequestId: crypto.randomUUID?.() ?? String(Date.now()), Description: v.description || undefined };
    if (namespace?.Type !== 'HTTP') {
      const records = ['A', 'AAAA', 'SRV', 'CNAME'].filter((t) => v[`record${t}`]).map((Type) => ({ Type, TTL: Number(v.ttl || 60) }));
      if (records.length) input.DnsConfig = { RoutingPolicy: v.routingPolicy, DnsRecords: records };
    }
    if (v.health === 'custom') input.HealthCheckCustomConfig = { FailureThreshold: Number(v.failureThreshold || 1) };
    else if (v.health !== 'none') {
      input.HealthCheckConfig = { Type: v.health, FailureThreshold: Number(v.failureThreshold || 1) };
      if (v.health !== 'TCP') input.HealthCheckConfig.ResourcePath = v.resourcePath || '/';
    }
    try {
      const { Service } = await aws.json(CloudMap, 'CreateService', input);
      form.reset();
      showHealth();
      report(status, null, `Service ${Service.Id} created.`);
      navigate(`#/cloudmap/services/${Service.Id}`);
    } catch (e) {
      report(status, e);
    }
  });

  const deleteStatus = h('span', { class: 'status' });
  const deleteButton = h('button', {
    class: 'danger',
    onclick: async () => {
      if (!confirm(`Delete namespace ${namespace?.Name ?? namespaceId}?`)) return;
      try {
        const { OperationId } = await aws.json(CloudMap, 'DeleteNamespace', { Id: namespaceId });
        await waitForOperation(aws, OperationId);
        navigate('#/cloudmap');
      } catch (e) {
        report(deleteStatus, e);
      }
    },
  }, 'Delete namespace');

  const node = h('section', {},
    h('nav', { class: 'crumbs' }, h('a', { href: '#/cloudmap' }, 'Namespaces'), ' / ', namespaceId),
    title, error.line, about, h('h2', {}, 'Services'), services, form, h('p', {}, deleteButton, ' ', deleteStatus));
  return {
    node,
    showError: error.show,
    async refresh() {
      const [ns, list] = await Promise.all([
        aws.json(CloudMap, 'GetNamespace', { Id: namespaceId }),
        aws.jsonAll(CloudMap, 'ListServices', { Filters: [{ Name: 'NAMESPACE_ID', Values: [namespaceId], Condition: 'EQ' }] }, 'Services'),
      ]);
      namespace = ns.Namespace;
      fill(title, namespace.Name);
      dnsSection.hidden = namespace.Type === 'HTTP';
      const dns = namespace.Properties?.DnsProperties;
      fill(about, facts([
        ['Id', h('code', {}, namespace.Id)],
        ['ARN', h('code', {}, namespace.Arn)],
        ['Type', `${namespace.Type} (${namespaceType(namespace.Type)})`],
        ['HTTP name', namespace.Properties?.HttpProperties?.HttpName],
        ['Hosted zone', dns?.HostedZoneId],
        ['SOA TTL', dns?.SOA?.TTL === undefined ? undefined : `${dns.SOA.TTL} s`],
        ['Description', namespace.Description],
        ['Created', when(namespace.CreateDate)],
      ]));
      list.sort((a, b) => a.Name.localeCompare(b.Name));
      fill(services, table([
        ['Name', (s) => h('a', { href: `#/cloudmap/services/${s.Id}` }, s.Name)],
        ['Id', (s) => h('code', {}, s.Id)],
        ['DNS', (s) => s.DnsConfig ? `${s.DnsConfig.RoutingPolicy} ${s.DnsConfig.DnsRecords.map((r) => `${r.Type} ${r.TTL}s`).join(', ')}` : 'API only'],
        ['Health check', (s) => s.HealthCheckConfig ? `${s.HealthCheckConfig.Type} ${s.HealthCheckConfig.ResourcePath ?? ''}` : s.HealthCheckCustomConfig ? 'custom' : 'none'],
        ['Instances', (s) => String(s.InstanceCount ?? 0)],
        ['Created', (s) => when(s.CreateDate)],
      ], list, { empty: 'No services in this namespace yet.', rowId: (s) => s.Id }));
    },
  };
}

// ── One service: instances, health, DNS records ─────────────────────────────────────────────────────────────

export function servicePage({ aws, params: [serviceId], navigate }) {
  const title = h('h1', {}, 'Service');
  const crumbs = h('nav', { class: 'crumbs' }, h('a', { href: '#/cloudmap' }, 'Namespaces'));
  const about = h('div', { class: 'card' });
  const instances = h('div', { id: 'instances' });
  const records = h('div', { id: 'dns-records' });
  const error = errorLine();
  const status = h('p', { class: 'status' });
  const rowStatus = h('p', { class: 'status' });
  let service;

  const form = h('form', { id: 'register-instance', class: 'card' },
    h('h2', {}, 'Register instance'),
    field('Instance id', h('input', { name: 'instanceId', required: true, placeholder: 'web-1' })),
    field('IPv4', h('input', { name: 'AWS_INSTANCE_IPV4', placeholder: '127.0.0.1' })),
    field('IPv6', h('input', { name: 'AWS_INSTANCE_IPV6' })),
    field('Port', h('input', { name: 'AWS_INSTANCE_PORT', placeholder: '8080' })),
    field('CNAME', h('input', { name: 'AWS_INSTANCE_CNAME' })),
    field('Other attributes', h('textarea', { name: 'attributes', rows: 3, placeholder: 'stage=blue\nversion=1.4' }), 'One key=value per line.'),
    h('button', { type: 'submit' }, 'Register instance'),
    status);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const v = values(form);
    const attributes = {};
    for (const key of Reserved) if (v[key]) attributes[key] = v[key];
    for (const line of v.attributes.split('\n')) {
      const eq = line.indexOf('=');
      if (eq > 0) attributes[line.slice(0, eq).trim()] = line.slice(eq + 1).trim();
    }
    try {
      const { OperationId } = await aws.json(CloudMap, 'RegisterInstance', { ServiceId: serviceId, InstanceId: v.instanceId, Attributes: attributes, CreatorRequestId: crypto.randomUUID?.() ?? String(Date.now()) });
      await waitForOperation(aws, OperationId);
      form.reset();
      report(status, null, `Instance ${v.instanceId} registered.`);
    } catch (e) {
      report(status, e);
    }
  });

  const act = async (work) => {
    try {
      await work();
      fill(rowStatus);
    } catch (e) {
      report(rowStatus, e);
    }
  };

  const deleteStatus = h('span', { class: 'status' });
  const deleteButton = h('button', {
    class: 'danger',
    onclick: () => confirm(`Delete service ${service?.Name ?? serviceId}?`) && aws.json(CloudMap, 'DeleteService', { Id: serviceId })
      .then(() => navigate(`#/cloudmap/namespaces/${service.NamespaceId}`), (e) => report(deleteStatus, e)),
  }, 'Delete service');

  const node = h('section', {}, crumbs, title, error.line, about,
    h('h2', {}, 'Instances'), instances, rowStatus,
    h('h2', {}, 'DNS records'), records,
    form, h('p', {}, deleteButton, ' ', deleteStatus));

  return {
    node,
    showError: error.show,
    async refresh() {
      const [svc, list, health, dns] = await Promise.all([
        aws.json(CloudMap, 'GetService', { Id: serviceId }),
        aws.jsonAll(CloudMap, 'ListInstances', { ServiceId: serviceId }, 'Instances'),
        healthOf(aws, serviceId),
        aws.view('dns-records', [['service', serviceId]]),
      ]);
      service = svc.Service;
      const ns = (await aws.json(CloudMap, 'GetNamespace', { Id: service.NamespaceId })).Namespace;
      fill(title, service.Name, h('small', {}, ` .${ns.Name}`));
      fill(crumbs, h('a', { href: '#/cloudmap' }, 'Namespaces'), ' / ', h('a', { href: `#/cloudmap/namespaces/${ns.Id}` }, ns.Name), ' / ', service.Name);
      const custom = Boolean(service.HealthCheckCustomConfig);
      fill(about, facts([
        ['Id', h('code', {}, service.Id)],
        ['ARN', h('code', {}, service.Arn)],
        ['Namespace', h('a', { href: `#/cloudmap/namespaces/${ns.Id}` }, `${ns.Name} (${ns.Id})`)],
        ['DNS', service.DnsConfig ? `${service.DnsConfig.RoutingPolicy}: ${service.DnsConfig.DnsRecords.map((r) => `${r.Type} (TTL ${r.TTL}s)`).join(', ')}` : 'none (API calls only)'],
        ['Health check', service.HealthCheckConfig ? `${service.HealthCheckConfig.Type} ${service.HealthCheckConfig.ResourcePath ?? ''}, threshold ${service.HealthCheckConfig.FailureThreshold}`
          : custom ? 'custom (reported through UpdateInstanceCustomHealthStatus)' : 'none: every instance counts as healthy'],
        ['Description', service.Description],
        ['Created', when(service.CreateDate)],
      ]));
      list.sort((a, b) => a.Id.localeCompare(b.Id));
      fill(instances, table([
        ['Instance', (i) => h('a', { href: `#/cloudmap/services/${serviceId}/instances/${encodeURIComponent(i.Id)}` }, h('code', {}, i.Id))],
        ['Address', (i) => [i.Attributes.AWS_INSTANCE_IPV4, i.Attributes.AWS_INSTANCE_IPV6 && `[${i.Attributes.AWS_INSTANCE_IPV6}]`, i.Attributes.AWS_INSTANCE_CNAME].filter(Boolean).join(' ')
          + (i.Attributes.AWS_INSTANCE_PORT ? `:${i.Attributes.AWS_INSTANCE_PORT}` : '')],
        ['Attributes', (i) => h('ul', { class: 'attributes' }, Object.entries(i.Attributes).filter(([k]) => !Reserved.includes(k)).map(([k, val]) => h('li', {}, h('code', {}, k), '=', val)))],
        ['Health', (i) => badge(health[i.Id] ?? 'UNKNOWN')],
        ['', (i) => h('span', { class: 'actions' },
          custom ? [
            h('button', { class: 'small', dataset: { action: 'healthy' }, onclick: () => act(() => aws.json(CloudMap, 'UpdateInstanceCustomHealthStatus', { ServiceId: serviceId, InstanceId: i.Id, Status: 'HEALTHY' })) }, 'Mark healthy'),
            h('button', { class: 'small', dataset: { action: 'unhealthy' }, onclick: () => act(() => aws.json(CloudMap, 'UpdateInstanceCustomHealthStatus', { ServiceId: serviceId, InstanceId: i.Id, Status: 'UNHEALTHY' })) }, 'Mark unhealthy'),
          ] : null,
          h('button', { class: 'small danger', dataset: { action: 'deregister' }, onclick: () => act(async () => waitForOperation(aws, (await aws.json(CloudMap, 'DeregisterInstance', { ServiceId: serviceId, InstanceId: i.Id })).OperationId)) }, 'Deregister'))],
      ], list, { empty: 'No instances registered.', rowId: (i) => i.Id }));
      renderRecords(records, dns);
    },
  };
}

async function healthOf(aws, serviceId) {
  const status = {};
  let token;
  try {
    do {
      const page = await aws.json(CloudMap, 'GetInstancesHealthStatus', token ? { ServiceId: serviceId, NextToken: token } : { ServiceId: serviceId });
      Object.assign(status, page.Status);
      token = page.NextToken;
    } while (token);
  } catch (e) {
    // A service without a health check has no health to report; every instance is UNKNOWN then.
    if (e.code !== 'InvalidInput') throw e;
  }
  return status;
}

function renderRecords(container, view) {
  if (!view.dnsServed) return fill(container, h('p', { class: 'empty' }, 'This server does not serve DNS (its DNS address could not be bound).'));
  if (!view.dns) return fill(container, h('p', { class: 'empty' }, 'This service has no DNS name: it is discovered through DiscoverInstances only.'));
  const { dns } = view;
  return fill(container,
    h('p', {}, h('code', {}, dns.name), ` answers ${dns.routingPolicy === 'WEIGHTED' ? 'one record picked at random' : `up to ${dns.answerLimit} records picked at random`} from those marked “in answers” (as of revision ${view.revision}).`),
    table([
      ['Name', (r) => h('code', {}, r.name)],
      ['TTL', (r) => String(r.ttl)],
      ['Type', (r) => r.type],
      ['Data', (r) => h('code', {}, r.data)],
      ['In answers', (r) => r.name !== dns.name ? `yes: the instance's own name${r.healthy ? '' : ' (instance unhealthy)'}`
        : r.inAnswers ? (r.healthy ? 'yes' : 'yes (none healthy: fail open)') : 'no (unhealthy)'],
    ], dns.records, { empty: 'No records: no instance has the attributes this service\'s record types need.' }));
}

// ── One instance: attributes and its health history ────────────────────────────────────────────────────────

export function instancePage({ aws, params: [serviceId, instanceId] }) {
  const title = h('h1', {}, instanceId);
  const crumbs = h('nav', { class: 'crumbs' }, h('a', { href: '#/cloudmap' }, 'Namespaces'));
  const about = h('div', { class: 'card' });
  const timeline = h('ol', { id: 'health-timeline', class: 'timeline', reversed: true });
  const check = h('div', { id: 'health-check' });
  const error = errorLine();
  const node = h('section', {}, crumbs, title, error.line, about, check, h('h2', {}, 'Health timeline'),
    h('p', { class: 'empty' }, 'Registration, every change of health status or reason (health-check threshold crossings, custom health) and deregistration, newest first, as this server saw them since it started.'),
    timeline);
  return {
    node,
    showError: error.show,
    async refresh() {
      const [svc, history, health] = await Promise.all([
        aws.json(CloudMap, 'GetService', { Id: serviceId }),
        aws.view('health-timeline', [['service', serviceId], ['instance', instanceId]]),
        healthOf(aws, serviceId),
      ]);
      const service = svc.Service;
      const ns = (await aws.json(CloudMap, 'GetNamespace', { Id: service.NamespaceId })).Namespace;
      let attributes = {};
      if (history.registered) attributes = (await aws.json(CloudMap, 'GetInstance', { ServiceId: serviceId, InstanceId: instanceId })).Instance.Attributes;
      fill(crumbs, h('a', { href: '#/cloudmap' }, 'Namespaces'), ' / ', h('a', { href: `#/cloudmap/namespaces/${ns.Id}` }, ns.Name),
        ' / ', h('a', { href: `#/cloudmap/services/${serviceId}` }, service.Name), ' / ', instanceId);
      fill(about, facts([
        ['Health', history.registered ? badge(health[instanceId] ?? 'UNKNOWN') : 'deregistered'],
        ...Object.entries(attributes).map(([k, v]) => [h('code', {}, k), v]),
      ]));
      renderCheck(check, history.check);
      // Probes land between registry changes: follow them at the check's own pace (at least every 2 s).
      this.pollMs = history.check ? Math.max(2000, history.check.intervalSeconds * 1000) : 0;
      renderTimeline(timeline, history.entries);
    },
  };
}
