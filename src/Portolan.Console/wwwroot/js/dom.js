// A few DOM helpers. Text always goes in as text nodes, never as HTML, so nothing a service returns can inject markup.

/** h('a', {href: '#/x', class: 'link', onclick: fn}, 'text', child, [more]) */
export function h(tag, props, ...children) {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(props ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on')) element.addEventListener(key.slice(2), value);
    else if (key === 'class') element.className = value;
    else if (key === 'dataset') Object.assign(element.dataset, value);
    else if (key === 'value') element.value = value;
    else if (key === 'checked') element.checked = Boolean(value);
    else element.setAttribute(key, value === true ? '' : String(value));
  }
  append(element, children);
  return element;
}

function append(element, children) {
  for (const child of children) {
    if (child === undefined || child === null || child === false) continue;
    if (Array.isArray(child)) append(element, child);
    else element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replaces an element's children. */
export function fill(element, ...children) {
  element.replaceChildren();
  append(element, children);
  return element;
}

/** A table: columns are [header, row => cell]; rows with an id get data-id for tests and links. */
export function table(columns, rows, { empty = 'None.', rowId } = {}) {
  if (!rows.length) return h('p', { class: 'empty' }, empty);
  return h('table', {},
    h('thead', {}, h('tr', {}, columns.map(([header]) => h('th', {}, header)))),
    h('tbody', {}, rows.map((row) => h('tr', { dataset: rowId ? { id: rowId(row) } : undefined }, columns.map(([, cell]) => h('td', {}, cell(row)))))));
}

/** A status word as a coloured badge: HEALTHY/healthy green, UNHEALTHY/unhealthy red, others grey. */
export function badge(status, forceKind) {
  const word = String(status ?? 'UNKNOWN');
  const kind = forceKind ?? (/^(healthy|active|running|success|completed|primary)$/i.test(word) ? 'good'
    : /^(unhealthy|failed|fail|stopped|inactive|draining)$/i.test(word) ? 'bad'
    : /^(initial|pending|provisioning|in_progress|activating|deactivating|stopping)$/i.test(word) ? 'busy' : 'neutral');
  return h('span', { class: `badge ${kind}`, dataset: { status: word } }, word);
}

/** Dates arrive as epoch seconds (JSON 1.1) or ISO text (Query XML). */
export function when(value) {
  if (value === undefined || value === null || value === '') return '';
  const date = typeof value === 'number' ? new Date(value * 1000) : new Date(value);
  return Number.isNaN(date.getTime()) ? String(value) : date.toLocaleString();
}

/** A definition list from [label, value] pairs, skipping empty values. */
export function facts(pairs) {
  return h('dl', { class: 'facts' }, pairs.filter(([, v]) => v !== undefined && v !== null && v !== '').map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
}

/** Shows a message in a form's status line; errors carry their AWS code. */
export function report(element, error, success) {
  if (error) fill(element, h('span', { class: 'error', role: 'alert' }, error.code ? `${error.code}: ${error.message}` : String(error.message ?? error)));
  else fill(element, h('span', { class: 'ok', role: 'status' }, success ?? 'Done.'));
}

/** Form fields by name as trimmed strings (checkboxes as booleans). */
export function values(form) {
  const out = {};
  for (const element of form.elements) {
    if (!element.name) continue;
    out[element.name] = element.type === 'checkbox' ? element.checked : element.value.trim();
  }
  return out;
}

/** A labelled form field. */
export function field(label, input, hint) {
  return h('label', { class: 'field' }, h('span', {}, label), input, hint ? h('small', {}, hint) : null);
}
