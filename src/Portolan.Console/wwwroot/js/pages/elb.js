// Load balancing: load balancers → listeners → rules → target groups → targets with state and reason, each target's
// health timeline, and forms to create load balancers, target groups and listeners and to register targets. Every
// call is the ELBv2 Query API the aws CLI uses (form in, XML out).
import { Elbv2 } from '../aws.js';
import { h, fill, table, badge, when, facts, report, values, field } from '../dom.js';
import { renderCheck, renderTimeline } from '../health.js';

function errorLine() {
  const line = h('div', { class: 'page-error' });
  return { line, show: (error) => (error ? report(line, error) : fill(line)) };
}

/** Text of a direct child element (Query XML nests same-named tags, e.g. a redirect action's Port in a listener). */
function own(element, tag) {
  return Array.from(element?.children ?? []).find((c) => c.tagName === tag)?.textContent ?? undefined;
}

/** The <member> elements of a direct child list. */
function ownMembers(element, tag) {
  const list = Array.from(element?.children ?? []).find((c) => c.tagName === tag);
  return list ? Array.from(list.children).filter((c) => c.tagName === 'member') : [];
}

/** Follows NextMarker; returns every <member> of the result's list. */
async function all(aws, action, params, listTag) {
  const items = [];
  let marker;
  do {
    const result = await aws.query(Elbv2, action, marker ? { ...params, Marker: marker } : params);
    items.push(...ownMembers(result, listTag));
    marker = own(result, 'NextMarker');
  } while (marker);
  return items;
}

const lbLink = (arn, name) => h('a', { href: `#/elb/load-balancers/${encodeURIComponent(arn)}` }, name ?? nameOf(arn));
const tgLink = (arn, name) => h('a', { href: `#/elb/target-groups/${encodeURIComponent(arn)}` }, name ?? nameOf(arn));
/** arn:…:targetgroup/NAME/ID and arn:…:loadbalancer/app/NAME/ID → NAME */
const nameOf = (arn) => String(arn ?? '').split('/').at(-2) ?? String(arn);

function loadBalancerOf(m) {
  return {
    arn: own(m, 'LoadBalancerArn'), name: own(m, 'LoadBalancerName'), dnsName: own(m, 'DNSName'), scheme: own(m, 'Scheme'),
    type: own(m, 'Type'), state: own(m.getElementsByTagName('State')[0], 'Code'), reason: own(m.getElementsByTagName('State')[0], 'Reason'),
    created: own(m, 'CreatedTime'), vpc: own(m, 'VpcId'),
  };
}

function targetGroupOf(m) {
  const matcher = Array.from(m.children).find((c) => c.tagName === 'Matcher');
  return {
    arn: own(m, 'TargetGroupArn'), name: own(m, 'TargetGroupName'), protocol: own(m, 'Protocol'), port: own(m, 'Port'),
    version: own(m, 'ProtocolVersion'), targetType: own(m, 'TargetType'), vpc: own(m, 'VpcId'),
    check: {
      enabled: own(m, 'HealthCheckEnabled') !== 'false', protocol: own(m, 'HealthCheckProtocol'), port: own(m, 'HealthCheckPort'),
      path: own(m, 'HealthCheckPath'), interval: own(m, 'HealthCheckIntervalSeconds'), timeout: own(m, 'HealthCheckTimeoutSeconds'),
      healthy: own(m, 'HealthyThresholdCount'), unhealthy: own(m, 'UnhealthyThresholdCount'),
      matcher: matcher ? (own(matcher, 'HttpCode') ? `HTTP ${own(matcher, 'HttpCode')}` : `gRPC ${own(matcher, 'GrpcCode')}`) : undefined,
    },
    loadBalancers: ownMembers(m, 'LoadBalancerArns').map((e) => e.textContent),
  };
}

function targetHealthOf(m) {
  const target = Array.from(m.children).find((c) => c.tagName === 'Target');
  const health = Array.from(m.children).find((c) => c.tagName === 'TargetHealth');
  return {
    id: own(target, 'Id'), port: own(target, 'Port'), zone: own(target, 'AvailabilityZone'),
    state: own(health, 'State'), reason: own(health, 'Reason'), description: own(health, 'Description'),
  };
}

/** A forward action's target groups with weights (the legacy TargetGroupArn form or ForwardConfig). */
function forwardsOf(action) {
  const config = Array.from(action.children).find((c) => c.tagName === 'ForwardConfig');
  const groups = config ? ownMembers(config, 'TargetGroups').map((g) => ({ arn: own(g, 'TargetGroupArn'), weight: own(g, 'Weight') })) : [];
  if (!groups.length && own(action, 'TargetGroupArn')) groups.push({ arn: own(action, 'TargetGroupArn') });
  return groups;
}

/** One action as a picture: forward → groups (with their targets' states), redirect, fixed response. */
function actionView(action, healthByGroup) {
  const type = own(action, 'Type');
  if (type === 'forward') {
    const groups = forwardsOf(action);
    return h('span', { class: 'arrow' }, groups.map((g, i) => [i ? ', ' : '', tgLink(g.arn), g.weight && groups.length > 1 ? ` (weight ${g.weight})` : '', ' ',
      summary(healthByGroup.get(g.arn) ?? [])]));
  }
  if (type === 'redirect') {
    const c = action.getElementsByTagName('RedirectConfig')[0];
    return `redirect ${own(c, 'StatusCode') ?? ''} to ${own(c, 'Protocol') ?? '#{protocol}'}://${own(c, 'Host') ?? '#{host}'}:${own(c, 'Port') ?? '#{port}'}${own(c, 'Path') ?? '/#{path}'}`;
  }
  if (type === 'fixed-response') {
    const c = action.getElementsByTagName('FixedResponseConfig')[0];
    return `fixed response ${own(c, 'StatusCode') ?? ''}${own(c, 'ContentType') ? ` (${own(c, 'ContentType')})` : ''}`;
  }
  return type ?? '';
}

/** Targets by state: "1 healthy · 1 unhealthy" as badges. */
function summary(targets) {
  if (!targets.length) return h('small', { class: 'empty' }, 'no targets');
  const counts = new Map();
  for (const t of targets) counts.set(t.state, (counts.get(t.state) ?? 0) + 1);
  return h('span', { class: 'summary' }, [...counts].map(([state, n]) => [badge(state), ` ${n} `]));
}

/** A rule's conditions as "path-pattern /api/*, host-header a.example". */
function conditionsOf(rule) {
  const conditions = ownMembers(rule, 'Conditions');
  if (!conditions.length) return h('small', { class: 'empty' }, 'every request');
  return h('ul', { class: 'attributes' }, conditions.map((c) => {
    const leaves = Array.from(c.getElementsByTagName('member')).filter((m) => m.children.length === 0).map((m) => m.textContent);
    const pairs = Array.from(c.getElementsByTagName('member')).filter((m) => own(m, 'Value') !== undefined).map((m) => `${own(m, 'Key') ? `${own(m, 'Key')}=` : ''}${own(m, 'Value')}`);
    const header = own(c.getElementsByTagName('HttpHeaderConfig')[0], 'HttpHeaderName');
    return h('li', {}, h('code', {}, own(c, 'Field')), ' ', header ? `${header}: ` : '', [...new Set([...leaves, ...pairs])].join(', '));
  }));
}

async function healthOfGroups(aws, arns) {
  const out = new Map();
  for (const arn of new Set(arns)) {
    try {
      out.set(arn, ownMembers(await aws.query(Elbv2, 'DescribeTargetHealth', { TargetGroupArn: arn }), 'TargetHealthDescriptions').map(targetHealthOf));
    } catch {
      out.set(arn, []);
    }
  }
  return out;
}

async function targetGroupOptions(aws) {
  return (await all(aws, 'DescribeTargetGroups', {}, 'TargetGroups')).map(targetGroupOf);
}

// ── Load balancers and target groups ────────────────────────────────────────────────────────────────────────

export function overviewPage({ aws, navigate }) {
  const balancers = h('div', { id: 'load-balancers' });
  const groups = h('div', { id: 'target-groups' });
  const error = errorLine();
  return {
    node: h('section', {}, h('h1', {}, 'Load balancers'), error.line, balancers, loadBalancerForm(aws, navigate),
      h('h2', {}, 'Target groups'), groups, targetGroupForm(aws, navigate)),
    showError: error.show,
    async refresh() {
      const lbs = (await all(aws, 'DescribeLoadBalancers', {}, 'LoadBalancers')).map(loadBalancerOf);
      const listeners = new Map();
      for (const lb of lbs) listeners.set(lb.arn, await all(aws, 'DescribeListeners', { LoadBalancerArn: lb.arn }, 'Listeners'));
      fill(balancers, table([
        ['Name', (lb) => lbLink(lb.arn, lb.name)],
        ['State', (lb) => [badge(lb.state), lb.reason ? ` ${lb.reason}` : '']],
        ['DNS name', (lb) => h('code', {}, lb.dnsName)],
        ['Scheme', (lb) => lb.scheme],
        ['Listeners', (lb) => listeners.get(lb.arn).map((l) => `${own(l, 'Protocol')}:${own(l, 'Port')}`).join(', ') || '—'],
      ], lbs, { empty: 'No load balancers yet.', rowId: (lb) => lb.name }));
      const tgs = await targetGroupOptions(aws);
      const health = await healthOfGroups(aws, tgs.map((tg) => tg.arn));
      fill(groups, table([
        ['Name', (tg) => tgLink(tg.arn, tg.name)],
        ['Protocol', (tg) => `${tg.protocol ?? ''}:${tg.port ?? ''}${tg.version ? ` (${tg.version})` : ''}`],
        ['Target type', (tg) => tg.targetType],
        ['Targets', (tg) => summary(health.get(tg.arn) ?? [])],
        ['Load balancers', (tg) => tg.loadBalancers.length ? tg.loadBalancers.map((arn, i) => [i ? ', ' : '', lbLink(arn)]) : h('small', { class: 'empty' }, 'none (targets unused)')],
      ], tgs, { empty: 'No target groups yet.', rowId: (tg) => tg.name }));
    },
  };
}

function loadBalancerForm(aws, navigate) {
  const status = h('p', { class: 'status' });
  const form = h('form', { id: 'create-load-balancer', class: 'card' },
    h('h2', {}, 'Create load balancer'),
    field('Name', h('input', { name: 'name', required: true, placeholder: 'web' })),
    field('Subnets', h('input', { name: 'subnets', value: 'subnet-1 subnet-2' }), 'At least two, separated by spaces.'),
    field('Scheme', h('select', { name: 'scheme' }, h('option', { value: 'internet-facing' }, 'internet-facing'), h('option', { value: 'internal' }, 'internal'))),
    h('button', { type: 'submit' }, 'Create load balancer'), status);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const v = values(form);
    try {
      const result = await aws.query(Elbv2, 'CreateLoadBalancer', { Name: v.name, Subnets: v.subnets.split(/[\s,]+/).filter(Boolean), Scheme: v.scheme });
      navigate(`#/elb/load-balancers/${encodeURIComponent(own(ownMembers(result, 'LoadBalancers')[0], 'LoadBalancerArn'))}`);
    } catch (e) {
      report(status, e);
    }
  });
  return form;
}

function targetGroupForm(aws, navigate) {
  const status = h('p', { class: 'status' });
  const option = (value, label) => h('option', { value }, label ?? value);
  const form = h('form', { id: 'create-target-group', class: 'card' },
    h('h2', {}, 'Create target group'),
    field('Name', h('input', { name: 'Name', required: true, placeholder: 'web-targets' })),
    field('Target type', h('select', { name: 'TargetType' }, option('ip'), option('instance'))),
    field('Protocol', h('select', { name: 'Protocol' }, option('HTTP'), option('HTTPS'))),
    field('Protocol version', h('select', { name: 'ProtocolVersion' }, option('HTTP1'), option('HTTP2'), option('GRPC'))),
    field('Port', h('input', { name: 'Port', type: 'number', value: '80' })),
    field('VPC', h('input', { name: 'VpcId', value: 'vpc-1' })),
    h('fieldset', {}, h('legend', {}, 'Health check'),
      field('Path', h('input', { name: 'HealthCheckPath', placeholder: '/ (gRPC: /AWS.ALB/healthcheck)' })),
      field('Interval (seconds)', h('input', { name: 'HealthCheckIntervalSeconds', type: 'number', placeholder: '30' })),
      field('Timeout (seconds)', h('input', { name: 'HealthCheckTimeoutSeconds', type: 'number', placeholder: '5 (less than the interval)' })),
      field('Healthy after', h('input', { name: 'HealthyThresholdCount', type: 'number', placeholder: '5' })),
      field('Unhealthy after', h('input', { name: 'UnhealthyThresholdCount', type: 'number', placeholder: '2' })),
      field('Success codes', h('input', { name: 'Matcher', placeholder: '200 (gRPC: 12)' }))),
    h('button', { type: 'submit' }, 'Create target group'), status);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const { Matcher, ...v } = values(form);
    if (Matcher) v.Matcher = v.ProtocolVersion === 'GRPC' ? { GrpcCode: Matcher } : { HttpCode: Matcher };
    try {
      const result = await aws.query(Elbv2, 'CreateTargetGroup', v);
      navigate(`#/elb/target-groups/${encodeURIComponent(own(ownMembers(result, 'TargetGroups')[0], 'TargetGroupArn'))}`);
    } catch (e) {
      report(status, e);
    }
  });
  return form;
}

// ── One load balancer: listeners → rules → target groups → targets ─────────────────────────────────────────

export function loadBalancerPage({ aws, params: [arn] }) {
  const title = h('h1', {}, nameOf(arn));
  const about = h('div', { class: 'card' });
  const listeners = h('div', { id: 'listeners' });
  const error = errorLine();
  const form = listenerForm(aws, arn);
  return {
    node: h('section', {}, h('nav', { class: 'crumbs' }, h('a', { href: '#/elb' }, 'Load balancers'), ' / ', nameOf(arn)),
      title, error.line, about, h('h2', {}, 'Listeners → rules → target groups → targets'), listeners, form.node),
    showError: error.show,
    async refresh() {
      const [lbElement] = ownMembers(await aws.query(Elbv2, 'DescribeLoadBalancers', { LoadBalancerArns: [arn] }), 'LoadBalancers');
      const lb = loadBalancerOf(lbElement);
      fill(about, facts([
        ['ARN', h('code', {}, lb.arn)],
        ['State', [badge(lb.state), lb.reason ? ` ${lb.reason}` : '']],
        ['DNS name', h('code', {}, lb.dnsName)],
        ['Scheme', lb.scheme],
        ['Created', when(lb.created)],
      ]));
      const listenerElements = await all(aws, 'DescribeListeners', { LoadBalancerArn: arn }, 'Listeners');
      const rules = new Map();
      for (const l of listenerElements) rules.set(own(l, 'ListenerArn'), await all(aws, 'DescribeRules', { ListenerArn: own(l, 'ListenerArn') }, 'Rules'));
      const groupArns = [...rules.values()].flat().flatMap((r) => ownMembers(r, 'Actions')).filter((a) => own(a, 'Type') === 'forward').flatMap((a) => forwardsOf(a).map((g) => g.arn));
      const health = await healthOfGroups(aws, groupArns);
      fill(listeners, listenerElements.length === 0 ? h('p', { class: 'empty' }, 'No listeners yet.') : listenerElements.map((l) =>
        h('div', { class: 'card listener', dataset: { port: own(l, 'Port'), protocol: own(l, 'Protocol') } },
          h('h3', {}, `${own(l, 'Protocol')}:${own(l, 'Port')}`, ' ', h('small', { class: 'empty' }, h('code', {}, own(l, 'ListenerArn')))),
          table([
            ['Priority', (r) => own(r, 'IsDefault') === 'true' ? 'default' : own(r, 'Priority')],
            ['When', (r) => conditionsOf(r)],
            ['Then', (r) => ownMembers(r, 'Actions').map((a) => h('div', {}, actionView(a, health)))],
          ], sortRules(rules.get(own(l, 'ListenerArn')) ?? []), { rowId: (r) => (own(r, 'IsDefault') === 'true' ? 'default' : own(r, 'Priority')) }))));
      await form.refresh();
    },
  };
}

function sortRules(rules) {
  const order = (r) => (own(r, 'IsDefault') === 'true' ? Infinity : Number(own(r, 'Priority')));
  return [...rules].sort((a, b) => order(a) - order(b));
}

function listenerForm(aws, loadBalancerArn) {
  const status = h('p', { class: 'status' });
  const groups = h('select', { name: 'targetGroup', required: true });
  const form = h('form', { id: 'create-listener', class: 'card' },
    h('h2', {}, 'Create listener'),
    field('Protocol', h('select', { name: 'protocol' }, h('option', { value: 'HTTP' }, 'HTTP'), h('option', { value: 'HTTPS' }, 'HTTPS'))),
    field('Port', h('input', { name: 'port', type: 'number', required: true, placeholder: '8080' })),
    field('Forward to target group', groups),
    field('Certificate ARN', h('input', { name: 'certificate', placeholder: 'HTTPS only' })),
    h('button', { type: 'submit' }, 'Create listener'), status);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const v = values(form);
    try {
      await aws.query(Elbv2, 'CreateListener', {
        LoadBalancerArn: loadBalancerArn, Protocol: v.protocol, Port: v.port,
        DefaultActions: [{ Type: 'forward', TargetGroupArn: v.targetGroup }],
        Certificates: v.certificate ? [{ CertificateArn: v.certificate }] : undefined,
      });
      report(status, null, `Listener ${v.protocol}:${v.port} created.`);
    } catch (e) {
      report(status, e);
    }
  });
  return {
    node: form,
    async refresh() {
      const selected = groups.value;
      const options = await targetGroupOptions(aws);
      fill(groups, h('option', { value: '' }, '(choose)'), options.map((tg) => h('option', { value: tg.arn }, `${tg.name} (${tg.protocol}:${tg.port})`)));
      groups.value = options.some((tg) => tg.arn === selected) ? selected : '';
    },
  };
}

// ── One target group: settings, targets with state and reason ──────────────────────────────────────────────

export function targetGroupPage({ aws, params: [arn] }) {
  const about = h('div', { class: 'card' });
  const targets = h('div', { id: 'targets' });
  const error = errorLine();
  const status = h('p', { class: 'status' });
  const register = h('form', { id: 'register-targets', class: 'card' },
    h('h2', {}, 'Register target'),
    field('Target (IP address or instance id)', h('input', { name: 'Id', required: true, placeholder: '127.0.0.1' })),
    field('Port', h('input', { name: 'Port', type: 'number', placeholder: 'the group\'s port' })),
    h('button', { type: 'submit' }, 'Register target'), status);
  register.addEventListener('submit', async (event) => {
    event.preventDefault();
    const v = values(register);
    try {
      await aws.query(Elbv2, 'RegisterTargets', { TargetGroupArn: arn, Targets: [v] });
      report(status, null, `Registered ${v.Id}${v.Port ? `:${v.Port}` : ''}.`);
    } catch (e) {
      report(status, e);
    }
  });
  const deregister = async (t) => {
    try {
      await aws.query(Elbv2, 'DeregisterTargets', { TargetGroupArn: arn, Targets: [{ Id: t.id, Port: t.port }] });
    } catch (e) {
      error.show(e);
    }
  };
  return {
    node: h('section', {}, h('nav', { class: 'crumbs' }, h('a', { href: '#/elb' }, 'Load balancers'), ' / target group / ', nameOf(arn)),
      h('h1', {}, nameOf(arn)), error.line, about, h('h2', {}, 'Targets'), targets, register),
    showError: error.show,
    async refresh() {
      const [element] = ownMembers(await aws.query(Elbv2, 'DescribeTargetGroups', { TargetGroupArns: [arn] }), 'TargetGroups');
      const tg = targetGroupOf(element);
      const c = tg.check;
      fill(about, facts([
        ['ARN', h('code', {}, tg.arn)],
        ['Protocol', `${tg.protocol}:${tg.port}${tg.version ? ` (${tg.version})` : ''}`],
        ['Target type', tg.targetType],
        ['Health check', c.enabled ? `${c.protocol} ${c.path ?? ''} on port ${c.port}, every ${c.interval} s (timeout ${c.timeout} s); healthy after ${c.healthy}, unhealthy after ${c.unhealthy}${c.matcher ? `; success: ${c.matcher}` : ''}` : 'disabled'],
        ['Load balancers', tg.loadBalancers.length ? tg.loadBalancers.map((lb, i) => [i ? ', ' : '', lbLink(lb)]) : 'none: its targets are unused'],
      ]));
      const health = ownMembers(await aws.query(Elbv2, 'DescribeTargetHealth', { TargetGroupArn: arn }), 'TargetHealthDescriptions').map(targetHealthOf);
      fill(targets, table([
        ['Target', (t) => h('a', { href: `#/elb/target-groups/${encodeURIComponent(arn)}/targets/${encodeURIComponent(t.id)}/${t.port}` }, `${t.id}:${t.port}`)],
        ['State', (t) => badge(t.state)],
        ['Reason', (t) => (t.reason ? h('code', {}, t.reason) : '')],
        ['Description', (t) => t.description ?? ''],
        ['', (t) => (t.state === 'draining' ? '' : h('button', { type: 'button', class: 'danger small', onclick: () => deregister(t) }, 'Deregister'))],
      ], health, { empty: 'No targets registered.', rowId: (t) => `${t.id}:${t.port}` }));
    },
  };
}

// ── One target: its state now, the health engine's check, its timeline ────────────────────────────────────

export function targetPage({ aws, params: [arn, id, port] }) {
  const about = h('div', { class: 'card' });
  const check = h('div', { id: 'health-check' });
  const timeline = h('ol', { id: 'health-timeline', class: 'timeline', reversed: true });
  const error = errorLine();
  return {
    node: h('section', {},
      h('nav', { class: 'crumbs' }, h('a', { href: '#/elb' }, 'Load balancers'), ' / ', tgLink(arn), ' / ', `${id}:${port}`),
      h('h1', {}, `${id}:${port}`), error.line, about, check, h('h2', {}, 'Health timeline'),
      h('p', { class: 'empty' }, 'Registration, every change of the state and reason DescribeTargetHealth reports (health-check threshold crossings, draining, unused) and removal, newest first, as this server saw them since it started.'),
      timeline),
    showError: error.show,
    async refresh() {
      const history = await aws.view('target-health-timeline', [['targetGroup', arn], ['target', id], ['port', port]]);
      let now;
      if (history.registered) {
        const described = ownMembers(await aws.query(Elbv2, 'DescribeTargetHealth', { TargetGroupArn: arn, Targets: [{ Id: id, Port: port }] }), 'TargetHealthDescriptions');
        now = described.length ? targetHealthOf(described[0]) : undefined;
      }
      fill(about, facts([
        ['Target group', tgLink(arn)],
        ['State', now ? badge(now.state) : 'removed from the group'],
        ['Reason', now?.reason ? h('code', {}, now.reason) : undefined],
        ['Description', now?.description],
      ]));
      renderCheck(check, history.check);
      // Probes land between registry changes: follow them at the check's own pace (at least every 2 s).
      this.pollMs = history.check ? Math.max(2000, history.check.intervalSeconds * 1000) : 0;
      renderTimeline(timeline, history.entries);
    },
  };
}
