/*
 * aiflow's Cockpit plugin (Camunda 7.14+ frontend plugin format): a "Campaigns" navigation item
 * and dashboard entry, routes for the campaign list, a campaign's detail and the audit of any
 * process instance (running or finished), and an "Audit" tab on running process instances.
 *
 * Plain DOM, no build step. Everything shown comes from the plugin's own REST resources
 * (/camunda/api/cockpit/plugin/aiflow/<engine>/...), which run as the signed-in user and check
 * their Camunda authorizations; text is always set as text, never parsed as HTML.
 * See docs/operator-guide.md.
 */

const PLUGIN = 'aiflow';

// ------------------------------------------------------------------ small DOM helpers

/** An element with attributes (on* keys become listeners) and children (strings become text). */
function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') {
      el.addEventListener(key.slice(2).toLowerCase(), value);
    } else if (key === 'className') {
      el.className = value;
    } else {
      el.setAttribute(key, value === true ? '' : String(value));
    }
  }
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

function clear(node) {
  while (node.firstChild) node.removeChild(node.firstChild);
}

function when(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ` +
    `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

function duration(ms) {
  if (ms === null || ms === undefined) return '';
  if (ms < 1000) return `${ms} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  return `${m} min ${Math.round(s - m * 60)} s`;
}

function shortHash(hash) {
  return hash ? hash.slice(0, 12) : '';
}

function badge(ok, text, testId, title) {
  return h('span', {
    className: `aiflow-badge ${ok ? 'aiflow-ok' : 'aiflow-bad'}`,
    'data-aiflow': testId,
    'data-state': ok ? 'ok' : 'bad',
    title: title || text,
  }, text);
}

function stateLabel(state, endReason) {
  const s = String(state || '').toLowerCase();
  const cls = s === 'running' || s === 'active' ? 'aiflow-running'
    : s === 'completed' && (!endReason || endReason === 'queue_drained') ? 'aiflow-done'
      : 'aiflow-other';
  return h('span', { className: `aiflow-state ${cls}` }, s || '?');
}

function table(headers, rows, attrs) {
  return h('table', Object.assign({ className: 'table table-bordered table-condensed aiflow-table' }, attrs || {}),
    h('thead', {}, h('tr', {}, headers.map((x) => h('th', {}, x)))),
    h('tbody', {}, rows));
}

function facts(pairs) {
  return h('dl', { className: 'aiflow-facts' },
    pairs.filter(([, v]) => v !== undefined && v !== null && v !== '')
      .map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
}

// ------------------------------------------------------------------ the plugin's REST API

function apiBase(api) {
  return `${api.cockpitApi}/plugin/${PLUGIN}/${encodeURIComponent(api.engine || 'default')}`;
}

async function getJson(api, path) {
  const response = await fetch(`${apiBase(api)}/${path}`, {
    credentials: 'same-origin',
    headers: { Accept: 'application/json', 'X-XSRF-TOKEN': api.CSRFToken || '' },
  });
  if (!response.ok) {
    let message = `${response.status} ${response.statusText}`;
    try {
      const body = await response.json();
      if (body && body.message) message = `${response.status}: ${body.message}`;
    } catch (e) {
      // not JSON: keep the status line
    }
    const error = new Error(message);
    error.status = response.status;
    throw error;
  }
  return response.json();
}

/** Renders into node what load() resolves to; shows a readable error instead of a blank page. */
async function show(node, load, render) {
  clear(node);
  node.appendChild(h('p', { className: 'aiflow-loading' }, 'Loading…'));
  try {
    const data = await load();
    clear(node);
    render(data);
  } catch (error) {
    clear(node);
    node.appendChild(h('div', { className: 'alert alert-danger', 'data-aiflow': 'error' },
      `aiflow could not load this view: ${error.message}`));
  }
}

function routeParam() {
  // #/aiflow/campaigns/<id> or #/aiflow/audit/<id>, possibly followed by ?query
  const parts = window.location.hash.split('?')[0].split('/');
  return decodeURIComponent(parts[3] || '');
}

function page(node, title, ...crumbs) {
  clear(node);
  const body = h('div', { className: 'aiflow-body' });
  node.appendChild(h('div', { className: 'aiflow-page' },
    h('div', { className: 'aiflow-crumbs' },
      h('a', { href: '#/dashboard' }, 'Dashboard'), ' » ',
      h('a', { href: '#/aiflow/campaigns' }, 'Campaigns'),
      crumbs.map((c) => [' » ', c])),
    h('h1', { className: 'aiflow-title' }, title),
    body));
  return body;
}

// ------------------------------------------------------------------ views

function campaignRows(campaigns) {
  return campaigns.map((c) => h('tr', { 'data-aiflow': 'campaign-row', 'data-campaign-id': c.id, 'data-business-key': c.businessKey || '' },
    h('td', {}, h('a', { href: `#/aiflow/campaigns/${encodeURIComponent(c.id)}`, 'data-aiflow': 'campaign-link' },
      c.businessKey || c.id.slice(0, 8))),
    h('td', {}, c.projectId || ''),
    h('td', {}, stateLabel(c.state, c.endReason)),
    h('td', {}, c.endReason || ''),
    h('td', { className: 'aiflow-num' }, c.cyclesDone),
    h('td', { className: 'aiflow-num' }, c.tasksCompleted ?? ''),
    h('td', { className: 'aiflow-num' }, c.tasksFailed ?? ''),
    h('td', {}, c.startedBy || 'system'),
    h('td', {}, when(c.startedAt))));
}

const CAMPAIGN_HEADERS = ['Campaign', 'Project', 'State', 'End reason', 'Cycles', 'Tasks completed',
  'Tasks failed', 'Started by', 'Started at'];

function renderCampaignList(node, api) {
  const body = page(node, 'Campaigns');
  const content = h('div', {});
  body.appendChild(h('p', { className: 'aiflow-lead' },
    'Every campaign you may read, running and finished, newest first. ',
    h('button', { className: 'btn btn-default btn-xs', onClick: () => load() }, 'Refresh')));
  body.appendChild(content);
  const load = () => show(content, () => getJson(api, 'campaigns'), (campaigns) => {
    if (!campaigns.length) {
      content.appendChild(h('p', { 'data-aiflow': 'no-campaigns' },
        'No campaigns you may read. Start one with POST /api/campaigns or aiflow run-campaign.'));
      return;
    }
    content.appendChild(table(CAMPAIGN_HEADERS, campaignRows(campaigns), { 'data-aiflow': 'campaigns' }));
  });
  load();
}

function scoreboardView(sb) {
  if (!sb) return h('p', {}, 'No scoreboard yet.');
  const counters = ['cycles', 'completed', 'failed', 'requeued', 'skipped', 'rework_rounds'];
  const verdicts = Object.entries(sb.qa_verdicts || {}).map(([k, v]) => `${k} ${v}`).join(', ');
  const reasons = Object.entries(sb.qa_reasons || {}).map(([k, v]) => `${k} ${v}`).join(', ');
  return h('div', { 'data-aiflow': 'scoreboard' },
    table(counters.map((c) => c.replace('_', ' ')),
      [h('tr', {}, counters.map((c) => h('td', { className: 'aiflow-num' }, sb[c] ?? 0)))]),
    facts([['QA verdicts', verdicts], ['QA reasons', reasons],
      ['Cost', sb.spend && sb.spend.total ? `${sb.spend.total.cost_usd} USD, ${sb.spend.total.tokens} tokens` : ''],
      ['Updated', when(sb.updated_at)]]));
}

function renderCampaign(node, api) {
  const id = routeParam();
  const body = page(node, 'Campaign', h('span', {}, id));
  show(body, () => getJson(api, `campaigns/${encodeURIComponent(id)}`), (c) => {
    node.querySelector('.aiflow-title').textContent = `Campaign ${c.businessKey || c.id}`;
    body.appendChild(facts([
      ['Id', c.id], ['Project', c.projectId], ['State', stateLabel(c.state, c.endReason)],
      ['End reason', c.endReason], ['Detail', c.endDetail], ['Cycles', String(c.cyclesDone)],
      ['Tasks', `${c.tasksCompleted ?? 0} completed, ${c.tasksFailed ?? 0} failed` +
        (c.tasksTotal ? ` of ${c.tasksTotal}` : '')],
      ['Started by', c.startedBy || 'system'], ['Started at', when(c.startedAt)],
      ['Ended at', when(c.endedAt)],
      ['Audit', h('a', { href: c.links.audit }, 'campaign instance audit')],
    ]));
    if (c.incidents && c.incidents.length) {
      body.appendChild(h('div', { className: 'alert alert-warning' },
        h('strong', {}, 'Open incidents: '), c.incidents.join('; ')));
    }
    body.appendChild(h('h2', {}, 'Cycles'));
    if (!c.cycles.length) {
      body.appendChild(h('p', {}, 'No cycle has started yet.'));
    } else {
      body.appendChild(table(
        ['#', 'Task', 'Tier', 'QA verdict', 'QA reason', 'Rework rounds', 'Agent outcome', 'Outcome', 'Duration', ''],
        c.cycles.map((y) => h('tr', { 'data-aiflow': 'cycle-row', 'data-task-id': y.taskId || '' },
          h('td', { className: 'aiflow-num' }, y.n),
          h('td', {}, y.taskId || ''),
          h('td', { title: y.tierReason || '' }, y.tier || ''),
          h('td', {}, y.qaVerdict || ''),
          h('td', {}, y.qaReasonCode || ''),
          h('td', { className: 'aiflow-num' }, y.reworkRounds),
          h('td', {}, y.dispatchOutcome || ''),
          h('td', {}, y.outcome || (y.state === 'ACTIVE' ? 'running' : String(y.state || '').toLowerCase())),
          h('td', { className: 'aiflow-num' }, duration(y.durationMs)),
          h('td', {}, h('a', { href: y.links.audit, 'data-aiflow': 'cycle-audit-link' }, 'Audit')))),
        { 'data-aiflow': 'cycles' }));
    }
    body.appendChild(h('h2', {}, 'Scoreboard'));
    body.appendChild(scoreboardView(c.scoreboard));
    if (c.chart) {
      body.appendChild(h('h2', {}, 'Trend'));
      body.appendChild(h('img', {
        className: 'aiflow-chart', 'data-aiflow': 'chart', alt: 'Queue after each cycle',
        src: `${apiBase(api)}/campaigns/${encodeURIComponent(c.id)}/summary.svg`,
      }));
    }
  });
}

function renderAudit(node, api, processInstanceId, embedded) {
  const body = embedded ? node : page(node, 'Audit', h('span', {}, processInstanceId));
  show(body, () => getJson(api, `audit/${encodeURIComponent(processInstanceId)}`), (a) => {
    if (!embedded) {
      node.querySelector('.aiflow-title').textContent =
        `Audit: ${a.processDefinitionName || a.processDefinitionKey} ${a.businessKey || a.processInstanceId}`;
    }
    const v = a.verify;
    const r = a.reconcile;
    body.appendChild(h('div', { className: 'aiflow-badges' },
      badge(v.ok, v.ok ? 'chain verified' : 'chain NOT verified', 'verify-badge', v.summary),
      badge(r.clean, r.clean ? 'history reconciled' : 'history NOT reconciled', 'reconcile-badge', r.summary)));
    const links = [];
    if (a.links.campaign) links.push(h('a', { href: a.links.campaign }, 'campaign'));
    if (a.links.runtime) links.push(h('a', { href: a.links.runtime }, 'running instance in Cockpit'));
    body.appendChild(facts([
      ['Process instance', a.processInstanceId], ['Process', a.processDefinitionName || a.processDefinitionKey],
      ['State', stateLabel(a.state)], ['Project', a.projectId], ['Task', a.taskId],
      ['Started by', a.startedBy || 'system'], ['Started at', when(a.startedAt)], ['Ended at', when(a.endedAt)],
      ['Chain', v.summary], ['Reconcile', r.summary],
      ['Links', links.length ? links.flatMap((l, i) => (i ? [' · ', l] : [l])) : ''],
    ]));
    for (const p of (v.problems || [])) body.appendChild(h('div', { className: 'alert alert-danger' }, p));
    for (const o of (r.orphans || [])) body.appendChild(h('div', { className: 'alert alert-danger' }, o));

    body.appendChild(h('h3', {}, a.taskId ? `Chain events of task ${a.taskId}` : 'Chain events of this instance'));
    if (!a.events.length) {
      body.appendChild(h('p', {}, 'No chain events.'));
    } else {
      body.appendChild(table(['Seq', 'Kind', 'R/S', 'Result', 'Reason', 'Hash', 'Recorded'],
        a.events.map((e) => h('tr', {
          'data-aiflow': 'event-row', className: e.thisInstance ? 'aiflow-mine' : 'aiflow-other-instance',
          title: e.thisInstance ? 'written by this process instance' : 'written by the campaign or another run of this task',
        },
        h('td', { className: 'aiflow-num' }, e.seq),
        h('td', {}, e.kind),
        h('td', {}, e.rs || ''),
        h('td', {}, e.result || ''),
        h('td', {}, e.reason || ''),
        h('td', { className: 'aiflow-hash', title: e.hash }, shortHash(e.hash)),
        h('td', {}, when(e.recordedAt)))),
        { 'data-aiflow': 'events' }));
    }
    body.appendChild(h('h3', {}, 'Evidence'));
    if (!a.evidence.length) {
      body.appendChild(h('p', {}, 'No evidence files were reviewed for this instance.'));
    } else {
      body.appendChild(table(['File', 'SHA-256', 'Bytes', 'Review'],
        a.evidence.map((f) => h('tr', { 'data-aiflow': 'evidence-row' },
          h('td', {}, f.path),
          h('td', { className: 'aiflow-hash', title: f.sha256 }, shortHash(f.sha256)),
          h('td', { className: 'aiflow-num' }, f.bytes),
          h('td', { className: 'aiflow-num' }, `#${f.reviewSeq}`))),
        { 'data-aiflow': 'evidence' }));
    }
  });
}

function renderDashboard(node, api) {
  const box = h('section', { className: 'aiflow-dashboard', 'data-aiflow': 'dashboard' });
  node.appendChild(box);
  show(box, () => getJson(api, 'campaigns?max=50'), (campaigns) => {
    const running = campaigns.filter((c) => c.state === 'running').length;
    box.appendChild(h('h3', {}, h('a', { href: '#/aiflow/campaigns', 'data-aiflow': 'dashboard-link' }, 'Campaigns')));
    box.appendChild(h('p', {}, `${running} running, ${campaigns.length - running} finished` +
      (campaigns.length === 50 ? ' (newest 50)' : '') + '. Finished ones stay here, with their audit.'));
    if (campaigns.length) {
      box.appendChild(table(CAMPAIGN_HEADERS, campaignRows(campaigns.slice(0, 5))));
    }
  });
}

// ------------------------------------------------------------------ plugin points

export default [
  {
    id: 'aiflow.navigation',
    pluginPoint: 'cockpit.navigation',
    priority: 50,
    render: (node) => {
      node.appendChild(h('a', { href: '#/aiflow/campaigns', 'data-aiflow': 'nav-campaigns' }, 'Campaigns'));
    },
    properties: {
      pagePath: '#/aiflow/campaigns',
      checkActive: (url) => url.indexOf('#/aiflow/') > -1,
    },
  },
  {
    id: 'aiflow.dashboard',
    pluginPoint: 'cockpit.dashboard',
    priority: 20,
    render: (node, { api }) => renderDashboard(node, api),
    properties: { label: 'Campaigns' },
  },
  {
    id: 'aiflow.campaigns',
    pluginPoint: 'cockpit.route',
    priority: 0,
    render: (node, { api }) => renderCampaignList(node, api),
    properties: { path: '/aiflow/campaigns', label: 'Campaigns' },
  },
  {
    id: 'aiflow.campaign',
    pluginPoint: 'cockpit.route',
    priority: 0,
    render: (node, { api }) => renderCampaign(node, api),
    properties: { path: '/aiflow/campaigns/:id', label: 'Campaign' },
  },
  {
    id: 'aiflow.audit',
    pluginPoint: 'cockpit.route',
    priority: 0,
    render: (node, { api }) => renderAudit(node, api, routeParam(), false),
    properties: { path: '/aiflow/audit/:id', label: 'Audit' },
  },
  {
    id: 'aiflow.audit-tab',
    pluginPoint: 'cockpit.processInstance.runtime.tab',
    priority: 5,
    render: (node, { api, processInstanceId }) => {
      const box = h('div', { className: 'aiflow-tab' },
        h('p', {}, h('a', { href: `#/aiflow/audit/${encodeURIComponent(processInstanceId)}` }, 'Open as a page')));
      const content = h('div', {});
      box.appendChild(content);
      node.appendChild(box);
      renderAudit(content, api, processInstanceId, true);
    },
    properties: { label: 'Audit' },
  },
];
