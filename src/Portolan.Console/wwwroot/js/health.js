// Health rendering shared by Cloud Map instances and load-balancer targets: the health engine's live view of a
// check (probe, policy, state, last probes) and a subject's health timeline, newest first.
import { h, fill, table, badge, when, facts } from './dom.js';

/** The health engine's live view of an active check: probe, policy, state, last probes. */
export function renderCheck(container, check) {
  if (!check) return fill(container);
  return fill(container,
    h('h2', {}, 'Health check'),
    h('div', { class: 'card' }, facts([
      ['Probe', h('code', {}, check.probe)],
      ['Every', `${check.intervalSeconds} s; healthy after ${check.healthyThreshold}, unhealthy after ${check.unhealthyThreshold} consecutive results`],
      ['State', [badge(check.state), check.stateSince ? ` since ${when(check.stateSince)}` : '']],
      ['Reason', check.reasonCode ? `${check.reasonCode}: ${check.reason}` : undefined],
      ['Streak', check.consecutiveFailures ? `${check.consecutiveFailures} failed in a row` : `${check.consecutiveSuccesses} passed in a row`],
    ])),
    h('h3', {}, 'Last probes'),
    table([
      ['When', (p) => h('time', { datetime: p.at }, when(p.at))],
      ['Result', (p) => badge(p.outcome, p.passed ? 'good' : 'bad')],
      ['Code', (p) => p.code ?? ''],
      ['Took', (p) => `${p.elapsedMs} ms`],
      ['Detail', (p) => p.detail ?? ''],
    ], check.recent, { empty: 'No probe yet.' }));
}

const KindNames = {
  registered: 'registered', 're-registered': 're-registered (attributes changed)', health: 'health',
  deregistered: 'deregistered', removed: 'removed',
};

/** A timeline (an ordered list) from a view's entries, oldest first as served, shown newest first. */
export function renderTimeline(list, entries) {
  return fill(list, [...entries].reverse().map((entry) => h('li', { dataset: { kind: entry.kind, status: entry.status ?? '' } },
    h('time', { datetime: entry.at }, when(entry.at)),
    KindNames[entry.kind] ?? entry.kind, ' ',
    entry.status ? badge(entry.status) : null,
    entry.reason ? h('span', { class: 'reason' }, ` ${entry.reason}`) : null,
    h('small', { class: 'empty' }, ` (revision ${entry.revision})`))));
}
