// ECS: clusters → services → tasks; each task's container port → host port → target group → listener as one
// picture; service events and deployments; a create-service form that maps several container ports to several
// target groups at once (the loadBalancers list with several entries, which AWS's console can't make).
import { Ecs, Elbv2, xmlText, xmlMembers } from '../aws.js';
import { h, fill, table, badge, when, facts, report, values, field } from '../dom.js';

const short = (arn) => String(arn ?? '').split('/').pop();
/** arn:…:targetgroup/NAME/ID → NAME */
const groupName = (arn) => String(arn ?? '').split('/').at(-2) ?? String(arn);

function errorLine() {
  const line = h('div', { class: 'page-error' });
  return { line, show: (error) => (error ? report(line, error) : fill(line)) };
}

async function all(aws, operation, input, member) {
  const items = [];
  let nextToken;
  do {
    const page = await aws.json(Ecs, operation, nextToken ? { ...input, nextToken } : input);
    items.push(...(page[member] ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return items;
}

/** DescribeX takes at most 100 names or ARNs per call (10 for services). */
async function describe(aws, operation, input, key, arns, member, batch = 100) {
  const out = [];
  for (let i = 0; i < arns.length; i += batch) {
    out.push(...((await aws.json(Ecs, operation, { ...input, [key]: arns.slice(i, i + batch) }))[member] ?? []));
  }
  return out;
}

// ── Clusters ────────────────────────────────────────────────────────────────────────────────────────────────

export function clustersPage({ aws, navigate }) {
  const list = h('div', { id: 'clusters' });
  const definitions = h('div', { id: 'task-definitions' });
  const error = errorLine();
  const status = h('p', { class: 'status' });
  const form = h('form', { id: 'create-cluster', class: 'card' },
    h('h2', {}, 'Create cluster'),
    field('Name', h('input', { name: 'clusterName', required: true, placeholder: 'default' })),
    h('button', { type: 'submit' }, 'Create cluster'), status);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      const { cluster } = await aws.json(Ecs, 'CreateCluster', { clusterName: values(form).clusterName });
      navigate(`#/ecs/clusters/${encodeURIComponent(cluster.clusterName)}`);
    } catch (e) {
      report(status, e);
    }
  });
  return {
    node: h('section', {}, h('h1', {}, 'ECS clusters'), error.line, list, form, h('h2', {}, 'Task definitions'), definitions),
    showError: error.show,
    async refresh() {
      const arns = await all(aws, 'ListClusters', {}, 'clusterArns');
      const clusters = arns.length ? await describe(aws, 'DescribeClusters', {}, 'clusters', arns, 'clusters') : [];
      fill(list, table([
        ['Name', (c) => h('a', { href: `#/ecs/clusters/${encodeURIComponent(c.clusterName)}` }, c.clusterName)],
        ['Status', (c) => badge(c.status)],
        ['Services', (c) => String(c.activeServicesCount ?? 0)],
        ['Running tasks', (c) => String(c.runningTasksCount ?? 0)],
        ['Pending tasks', (c) => String(c.pendingTasksCount ?? 0)],
      ], clusters, { empty: 'No clusters yet.', rowId: (c) => c.clusterName }));
      const taskDefinitions = await all(aws, 'ListTaskDefinitions', {}, 'taskDefinitionArns');
      fill(definitions, table([
        ['Task definition', (arn) => h('code', {}, short(arn))],
      ], taskDefinitions, { empty: 'No task definitions (aws ecs register-task-definition).' }));
    },
  };
}

// ── One cluster: services, a create-service form, tasks ────────────────────────────────────────────────────

export function clusterPage({ aws, server, params: [clusterName], navigate }) {
  const services = h('div', { id: 'ecs-services' });
  const tasks = h('div', { id: 'ecs-tasks' });
  const error = errorLine();
  const form = serviceForm({ aws, server, clusterName, navigate });
  return {
    node: h('section', {},
      h('nav', { class: 'crumbs' }, h('a', { href: '#/ecs' }, 'Clusters'), ' / ', clusterName),
      h('h1', {}, clusterName), error.line, h('h2', {}, 'Services'), services, form.node, h('h2', {}, 'Tasks'), tasks),
    showError: error.show,
    async refresh() {
      const serviceArns = await all(aws, 'ListServices', { cluster: clusterName }, 'serviceArns');
      const described = serviceArns.length ? await describe(aws, 'DescribeServices', { cluster: clusterName }, 'services', serviceArns, 'services', 10) : [];
      fill(services, table([
        ['Service', (s) => h('a', { href: `#/ecs/clusters/${encodeURIComponent(clusterName)}/services/${encodeURIComponent(s.serviceName)}` }, s.serviceName)],
        ['Status', (s) => badge(s.status)],
        ['Tasks', (s) => `${s.runningCount} running, ${s.pendingCount} pending of ${s.desiredCount}`],
        ['Task definition', (s) => h('code', {}, short(s.taskDefinition))],
        ['Load balancers', (s) => (s.loadBalancers ?? []).map((lb) => `${lb.containerName}:${lb.containerPort} → ${groupName(lb.targetGroupArn)}`).join(', ')],
      ], described, { empty: 'No services in this cluster.', rowId: (s) => s.serviceName }));
      fill(tasks, await tasksTable(aws, clusterName, {}));
      await form.refresh();
    },
  };
}

/** The form: a task definition's port mappings, each with its own target group, become one loadBalancers list. */
function serviceForm({ aws, server, clusterName, navigate }) {
  const status = h('p', { class: 'status' });
  const mappings = h('div', { id: 'port-mappings' });
  const taskDefinition = h('select', { name: 'taskDefinition', required: true, onchange: () => showMappings() });
  let targetGroups = [];
  let shownFor;
  const form = h('form', { id: 'create-ecs-service', class: 'card' },
    h('h2', {}, 'Create service'),
    field('Name', h('input', { name: 'serviceName', required: true, placeholder: 'web' })),
    field('Task definition', taskDefinition),
    field('Desired tasks', h('input', { name: 'desiredCount', type: 'number', min: 0, value: '1' })),
    h('fieldset', {}, h('legend', {}, 'Load balancing: each container port to its own target group'), mappings),
    field('Cloud Map service (registry ARN)', h('input', { name: 'registryArn', placeholder: 'arn:aws:servicediscovery:…:service/srv-…' }), 'Optional: tasks are registered as its instances.'),
    h('button', { type: 'submit' }, 'Create service'), status);

  async function showMappings() {
    const arn = taskDefinition.value;
    if (!arn || arn === shownFor) return;
    shownFor = arn;
    const { taskDefinition: definition } = await aws.json(Ecs, 'DescribeTaskDefinition', { taskDefinition: arn });
    const ports = definition.containerDefinitions.flatMap((c) => (c.portMappings ?? []).map((p) => ({ container: c.name, port: p.containerPort, protocol: p.appProtocol ?? p.protocol ?? 'tcp' })));
    fill(mappings, ports.length === 0 ? h('p', { class: 'empty' }, 'This task definition maps no container ports.') : ports.map((p, i) =>
      h('div', { class: 'mapping', dataset: { container: p.container, port: String(p.port) } },
        h('label', { class: 'field' }, h('span', {}, `${p.container} : ${p.port} (${p.protocol}) → target group`),
          targetGroups.length
            ? h('select', { name: `targetGroup${i}` }, h('option', { value: '' }, '(not load balanced)'), targetGroups.map((tg) => h('option', { value: tg.arn }, `${tg.name} (${tg.protocol}:${tg.port})`)))
            : h('input', { name: `targetGroup${i}`, placeholder: 'target group ARN (empty: not load balanced)' })))));
  }

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const v = values(form);
    const loadBalancers = Array.from(mappings.querySelectorAll('.mapping')).map((row, i) => ({
      targetGroupArn: v[`targetGroup${i}`], containerName: row.dataset.container, containerPort: Number(row.dataset.port),
    })).filter((lb) => lb.targetGroupArn);
    const input = { cluster: clusterName, serviceName: v.serviceName, taskDefinition: v.taskDefinition, desiredCount: Number(v.desiredCount || 0) };
    if (loadBalancers.length) input.loadBalancers = loadBalancers;
    if (v.registryArn) input.serviceRegistries = [{ registryArn: v.registryArn }];
    try {
      const { service } = await aws.json(Ecs, 'CreateService', input);
      navigate(`#/ecs/clusters/${encodeURIComponent(clusterName)}/services/${encodeURIComponent(service.serviceName)}`);
    } catch (e) {
      report(status, e);
    }
  });

  return {
    node: form,
    async refresh() {
      if (server.services.includes(Elbv2.signingName)) {
        const result = await aws.query(Elbv2, 'DescribeTargetGroups');
        targetGroups = xmlMembers(result, 'TargetGroups').map((tg) => ({
          arn: xmlText(tg, 'TargetGroupArn'), name: xmlText(tg, 'TargetGroupName'), protocol: xmlText(tg, 'Protocol'), port: xmlText(tg, 'Port'),
        }));
      }
      const arns = await all(aws, 'ListTaskDefinitions', { status: 'ACTIVE' }, 'taskDefinitionArns');
      const selected = taskDefinition.value;
      fill(taskDefinition, h('option', { value: '' }, '(choose)'), arns.map((arn) => h('option', { value: arn }, short(arn))));
      taskDefinition.value = arns.includes(selected) ? selected : '';
    },
  };
}

// ── One service: deployments, events, the port picture, tasks ──────────────────────────────────────────────

export function servicePage({ aws, server, params: [clusterName, serviceName] }) {
  const about = h('div', { class: 'card' });
  const deployments = h('div', { id: 'deployments' });
  const wiring = h('div', { id: 'wiring' });
  const events = h('div', { id: 'service-events' });
  const tasks = h('div', { id: 'ecs-tasks' });
  const error = errorLine();
  return {
    node: h('section', {},
      h('nav', { class: 'crumbs' }, h('a', { href: '#/ecs' }, 'Clusters'), ' / ', h('a', { href: `#/ecs/clusters/${encodeURIComponent(clusterName)}` }, clusterName), ' / ', serviceName),
      h('h1', {}, serviceName), error.line, about,
      h('h2', {}, 'Deployments'), deployments,
      h('h2', {}, 'Ports: container → host → target group → listener'), wiring,
      h('h2', {}, 'Tasks'), tasks,
      h('h2', {}, 'Events'), events),
    showError: error.show,
    async refresh() {
      const { services: [service], failures } = await aws.json(Ecs, 'DescribeServices', { cluster: clusterName, services: [serviceName] });
      if (!service) throw { code: failures?.[0]?.reason ?? 'MISSING', message: `Service ${serviceName} not found in cluster ${clusterName}.` };
      fill(about, facts([
        ['ARN', h('code', {}, service.serviceArn)],
        ['Status', badge(service.status)],
        ['Tasks', `${service.runningCount} running, ${service.pendingCount} pending, ${service.desiredCount} desired`],
        ['Task definition', h('code', {}, short(service.taskDefinition))],
        ['Cloud Map', (service.serviceRegistries ?? []).map((r) => short(r.registryArn)).join(', ')],
        ['Created', when(service.createdAt)],
      ]));
      fill(deployments, table([
        ['Deployment', (d) => h('code', {}, d.id)],
        ['Status', (d) => badge(d.status)],
        ['Rollout', (d) => [badge(d.rolloutState ?? ''), d.rolloutStateReason ? ` ${d.rolloutStateReason}` : '']],
        ['Progress', (d) => h('span', {}, h('progress', { max: Math.max(1, d.desiredCount), value: d.runningCount }), ` ${d.runningCount}/${d.desiredCount} running, ${d.pendingCount} pending`)],
        ['Task definition', (d) => h('code', {}, short(d.taskDefinition))],
        ['Updated', (d) => when(d.updatedAt)],
      ], service.deployments ?? []));
      fill(events, table([
        ['When', (e) => when(e.createdAt)],
        ['Message', (e) => e.message],
      ], (service.events ?? []).slice(0, 50), { empty: 'No events yet.' }));
      const taskList = await describeTasks(aws, clusterName, { serviceName });
      fill(tasks, tasksTableOf(taskList));
      fill(wiring, await wiringTable(aws, server, service, taskList));
    },
  };
}

async function describeTasks(aws, clusterName, filter) {
  const arns = [
    ...(await all(aws, 'ListTasks', { cluster: clusterName, ...filter }, 'taskArns')),
    ...(await all(aws, 'ListTasks', { cluster: clusterName, ...filter, desiredStatus: 'STOPPED' }, 'taskArns')),
  ];
  return arns.length ? describe(aws, 'DescribeTasks', { cluster: clusterName }, 'tasks', arns, 'tasks') : [];
}

async function tasksTable(aws, clusterName, filter) {
  return tasksTableOf(await describeTasks(aws, clusterName, filter));
}

function tasksTableOf(tasks) {
  return table([
    ['Task', (t) => h('code', {}, short(t.taskArn))],
    ['Status', (t) => [badge(t.lastStatus), t.desiredStatus !== t.lastStatus ? ` → ${t.desiredStatus}` : '']],
    ['Health', (t) => badge(t.healthStatus ?? 'UNKNOWN')],
    ['Containers', (t) => h('ul', { class: 'attributes' }, (t.containers ?? []).map((c) => h('li', {},
      `${c.name}: ${c.lastStatus ?? ''}${c.exitCode !== undefined && c.exitCode !== null ? ` (exit ${c.exitCode})` : ''} `,
      h('a', { href: `/portolan/ecs/tasks/${encodeURIComponent(short(t.taskArn))}/logs/${encodeURIComponent(c.name)}?tail=200`, target: '_blank', rel: 'noopener' }, 'logs'))))],
    ['Started by', (t) => t.startedBy ?? ''],
    ['Stopped', (t) => t.stoppedReason ?? ''],
  ], tasks, { empty: 'No tasks.', rowId: (t) => short(t.taskArn) });
}

/** One row per task port: container port → host port (network binding) → target group (service) → listener(s). */
async function wiringTable(aws, server, service, tasks) {
  const listenersByGroup = new Map();
  if (server.services.includes(Elbv2.signingName)) {
    for (const lb of service.loadBalancers ?? []) {
      if (listenersByGroup.has(lb.targetGroupArn)) continue;
      listenersByGroup.set(lb.targetGroupArn, await listenersOf(aws, lb.targetGroupArn));
    }
  }
  const rows = [];
  for (const task of tasks.filter((t) => t.lastStatus !== 'STOPPED')) {
    for (const container of task.containers ?? []) {
      for (const binding of container.networkBindings ?? []) {
        const lb = (service.loadBalancers ?? []).find((l) => l.containerName === container.name && l.containerPort === binding.containerPort);
        rows.push({ task, container, binding, lb, listeners: lb ? listenersByGroup.get(lb.targetGroupArn) ?? [] : [] });
      }
    }
  }
  // Before tasks run, the service's own mapping still shows where each port is meant to go.
  if (!rows.length) {
    for (const lb of service.loadBalancers ?? []) rows.push({ lb, container: { name: lb.containerName }, binding: { containerPort: lb.containerPort }, listeners: listenersByGroup.get(lb.targetGroupArn) ?? [] });
  }
  return table([
    ['Task', (r) => r.task ? h('code', {}, short(r.task.taskArn)) : '(no task yet)'],
    ['Container port', (r) => `${r.container.name}:${r.binding.containerPort}`],
    ['Host port', (r) => r.binding.hostPort ? h('span', { class: 'arrow' }, `${r.binding.bindIP ?? ''}:${r.binding.hostPort}`) : h('span', { class: 'arrow' }, '—')],
    ['Target group', (r) => h('span', { class: 'arrow' }, r.lb ? groupName(r.lb.targetGroupArn) : 'not load balanced')],
    ['Listener', (r) => h('span', { class: 'arrow' }, r.listeners.length ? r.listeners.join(', ') : '—')],
  ], rows, { empty: 'No container ports.' });
}

/** Listeners that forward to a target group, as PROTOCOL:PORT (default action or a rule). */
async function listenersOf(aws, targetGroupArn) {
  try {
    const groups = await aws.query(Elbv2, 'DescribeTargetGroups', { TargetGroupArns: [targetGroupArn] });
    const out = [];
    for (const lbArn of xmlMembers(groups, 'LoadBalancerArns').map((m) => m.textContent)) {
      const listeners = await aws.query(Elbv2, 'DescribeListeners', { LoadBalancerArn: lbArn });
      for (const listener of xmlMembers(listeners, 'Listeners')) {
        const rules = await aws.query(Elbv2, 'DescribeRules', { ListenerArn: xmlText(listener, 'ListenerArn') });
        const forwards = Array.from(rules.getElementsByTagName('TargetGroupArn')).some((e) => e.textContent === targetGroupArn)
          || Array.from(listener.getElementsByTagName('TargetGroupArn')).some((e) => e.textContent === targetGroupArn);
        if (forwards) out.push(`${xmlText(listener, 'Protocol')}:${xmlText(listener, 'Port')}`);
      }
    }
    return out;
  } catch {
    return [];
  }
}
