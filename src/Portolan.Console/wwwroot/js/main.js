// The console: a hash router over pages that each render once and then refresh their data in place (forms keep
// what the user typed), driven by the registry's event stream.
import { AwsClient } from './aws.js';
import { h, fill, values } from './dom.js';
import { LiveUpdates } from './live.js';
import * as cloudMap from './pages/cloudmap.js';
import * as ecs from './pages/ecs.js';
import * as elb from './pages/elb.js';

const main = document.getElementById('main');
const liveBadge = document.getElementById('live');
const keyButton = document.getElementById('credentials');
const dialog = document.getElementById('credentials-dialog');

const server = await (await fetch('/', { headers: { accept: 'application/json' } })).json();
const aws = new AwsClient(server);
const live = new LiveUpdates(aws, (state, revision) => {
  liveBadge.dataset.state = state;
  liveBadge.textContent = state === 'live' ? `live · revision ${revision ?? '…'}` : 'reconnecting…';
});

/** Routes: [pattern, page factory]. A page is ({aws, server, params}) => {node, refresh}. */
const routes = [
  [/^#?\/?$/, cloudMap.namespacesPage],
  [/^#\/cloudmap\/?$/, cloudMap.namespacesPage],
  [/^#\/cloudmap\/namespaces\/([^/]+)$/, cloudMap.namespacePage],
  [/^#\/cloudmap\/services\/([^/]+)$/, cloudMap.servicePage],
  [/^#\/cloudmap\/services\/([^/]+)\/instances\/([^/]+)$/, cloudMap.instancePage],
  [/^#\/elb\/?$/, elb.overviewPage],
  [/^#\/elb\/load-balancers\/([^/]+)$/, elb.loadBalancerPage],
  [/^#\/elb\/target-groups\/([^/]+)$/, elb.targetGroupPage],
  [/^#\/elb\/target-groups\/([^/]+)\/targets\/([^/]+)\/([0-9]+)$/, elb.targetPage],
  [/^#\/ecs\/?$/, ecs.clustersPage],
  [/^#\/ecs\/clusters\/([^/]+)$/, ecs.clusterPage],
  [/^#\/ecs\/clusters\/([^/]+)\/services\/([^/]+)$/, ecs.servicePage],
];

const sections = [
  ['Cloud Map', '#/cloudmap', 'servicediscovery'],
  ['Load balancers', '#/elb', 'elasticloadbalancing'],
  ['ECS', '#/ecs', 'ecs'],
];

function renderNav() {
  fill(document.getElementById('nav'), sections
    .filter(([, , signingName]) => server.services.includes(signingName))
    .map(([label, href]) => h('a', { href, class: location.hash.startsWith(href) ? 'current' : null }, label)),
  h('a', { href: '/metrics', target: '_blank', rel: 'noopener' }, 'Metrics'));
}

let generation = 0;
let pollTimer;
async function route() {
  const current = ++generation;
  renderNav();
  const hash = location.hash || '#/';
  const match = routes.map(([pattern, page]) => [hash.match(pattern), page]).find(([m]) => m);
  if (!match) {
    fill(main, h('h1', {}, 'Not found'), h('p', {}, 'No page at ', hash, '. ', h('a', { href: '#/' }, 'Namespaces')));
    live.follow(null);
    return;
  }
  const [m, factory] = match;
  const page = factory({ aws, server, params: m.slice(1).map(decodeURIComponent), navigate: (to) => { location.hash = to; } });
  fill(main, page.node);
  const refresh = async () => {
    if (current !== generation) return;
    if (aws.needsCredentials) {
      page.showError?.({ code: 'MissingAuthenticationToken', message: 'This server verifies signatures (--auth): give an access key (top right).' });
      return;
    }
    try {
      await page.refresh();
      page.showError?.(null);
    } catch (error) {
      page.showError?.(error);
    }
    // Some of what a page shows moves without a registry change (a health check's probes): it asks to be polled.
    if (page.pollMs && current === generation) {
      clearTimeout(pollTimer);
      pollTimer = setTimeout(() => live.refreshNow(), page.pollMs);
    }
  };
  live.follow(refresh);
  await refresh();
  main.dataset.loaded = hash;
}

function updateKeyButton() {
  keyButton.textContent = aws.credentials ? `Key ${aws.credentials.accessKeyId}` : server.auth ? 'Access key required' : 'Access key';
  keyButton.classList.toggle('warn', aws.needsCredentials);
}

keyButton.addEventListener('click', () => {
  const form = dialog.querySelector('form');
  form.accessKeyId.value = aws.credentials?.accessKeyId ?? '';
  form.secretAccessKey.value = '';
  dialog.showModal();
});
dialog.querySelector('form').addEventListener('submit', (event) => {
  const form = event.target;
  const submitter = event.submitter?.value;
  if (submitter === 'forget') aws.setCredentials(null);
  else if (submitter === 'save') {
    const { accessKeyId, secretAccessKey } = values(form);
    if (accessKeyId && secretAccessKey) aws.setCredentials({ accessKeyId, secretAccessKey });
  }
  updateKeyButton();
  live.start();
  route();
});

document.getElementById('server').textContent = `${server.region} · ${server.account}${server.auth ? ' · signed requests' : ''}`;
updateKeyButton();
window.addEventListener('hashchange', route);
if (aws.needsCredentials) keyButton.click();
live.start();
route();
