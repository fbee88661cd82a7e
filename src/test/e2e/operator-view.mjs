// The operator's view, tested in a real browser (issue 13): sign in to Cockpit, Tasklist and
// Admin through their own login forms and stay signed in; open the aiflow Campaigns view, the
// demo campaign, one of its cycles and that cycle's Audit view with green verify and reconcile
// badges; decide the rework escalation the demo leaves waiting and approve requirements in
// Tasklist; a screenshot of each page.
//
//   node src/test/e2e/operator-view.mjs <baseUrl> <adminPassword> <outDir>
//
// Run by dev.aiflow.it.OperatorViewE2EIT against a freshly started server (demo on). One function
// per step: add a step by writing `async function name(t) {...}` and listing it in STEPS.

import { args, loginThroughForm, openSignedIn, run, signedIn } from './harness.mjs';

/** How long the demo campaign may take to finish on a slow machine. */
const DEMO_TIMEOUT_MS = 180_000;

// ------------------------------------------------------------------ (a) sign in, stay signed in

async function cockpitLogin(t) {
  await t.signOut();
  await t.page.goto(`${t.baseUrl}/camunda/app/cockpit/default/`);
  await t.page.locator('form[name="signinForm"]').waitFor({ state: 'visible' });
  await t.shot('01-cockpit-login');
  await loginThroughForm(t, 'cockpit');
  await t.page.locator('.dashboard').first().waitFor({ state: 'visible' });
  await t.shot('02-cockpit-dashboard');
  // navigate inside Cockpit: every page keeps the session
  await openSignedIn(t, 'cockpit', '#/processes');
  await t.page.getByText('stepCycle').first().waitFor({ state: 'visible' });
  await t.shot('03-cockpit-processes');
  await openSignedIn(t, 'cockpit', '#/decisions');
  await openSignedIn(t, 'cockpit', '#/dashboard');
}

async function tasklistLogin(t) {
  await t.signOut();
  await loginThroughForm(t, 'tasklist');
  await t.page.getByText("aiflow: my groups' tasks").first().waitFor({ state: 'visible' });
  // the task list and the filters' counts load after the page: wait until nothing says Loading
  await t.page.waitForFunction(() => !/Loading/.test(document.body.innerText));
  await t.shot('04-tasklist');
}

async function adminLogin(t) {
  await t.signOut();
  await loginThroughForm(t, 'admin');
  await openSignedIn(t, 'admin', '#/users');
  await t.page.getByText('admin', { exact: true }).first().waitFor({ state: 'visible' });
  await t.shot('05-admin-users');
  await openSignedIn(t, 'admin', '#/groups');
  await t.page.getByText('aiflow-operators').first().waitFor({ state: 'visible' });
}

/** One sign-in (the Admin one, the last) holds in every app, across full page loads. */
async function staysSignedInAcrossApps(t) {
  for (const [app, hash] of [['cockpit', '#/dashboard'], ['tasklist', ''], ['admin', '#/'],
    ['cockpit', '#/processes'], ['tasklist', '']]) {
    await openSignedIn(t, app, hash);
    await t.page.waitForLoadState('networkidle');
  }
}

// ------------------------------------------------------------------ (b) campaigns and audit

async function campaignsView(t) {
  const { page } = t;
  await openSignedIn(t, 'cockpit', '#/dashboard');
  await page.locator('[data-aiflow="dashboard"] [data-aiflow="dashboard-link"]').waitFor({ state: 'visible' });
  await page.locator('[data-aiflow="nav-campaigns"]').click();
  await page.waitForURL(/#\/aiflow\/campaigns$/);
  const demo = page.locator('[data-aiflow="campaign-row"][data-business-key="demo"]');
  const deadline = Date.now() + DEMO_TIMEOUT_MS;
  // the demo runs on first start; wait until it has finished (the list shows running ones too)
  for (;;) {
    await demo.waitFor({ state: 'visible', timeout: 60_000 });
    const state = (await demo.locator('.aiflow-state').innerText()).trim();
    if (state !== 'running') break;
    if (Date.now() > deadline) throw new Error('the demo campaign did not finish in time');
    await page.waitForTimeout(2000);
    await page.reload();
  }
  const cells = await demo.locator('td').allInnerTexts();
  // ended once the escalation step decided DEMO-3 (it runs before this one)
  if (!cells.includes('demo') || !cells.includes('queue_drained')) {
    throw new Error(`the demo campaign's row reads ${JSON.stringify(cells)}`);
  }
  await t.shot('06-campaigns');
  t.state.campaignId = await demo.getAttribute('data-campaign-id');

  await demo.locator('[data-aiflow="campaign-link"]').click();
  await page.waitForURL(new RegExp(`#/aiflow/campaigns/${t.state.campaignId}$`));
  const cycles = page.locator('[data-aiflow="cycle-row"]');
  await cycles.first().waitFor({ state: 'visible' });
  const count = await cycles.count();
  if (count !== 7) throw new Error(`the demo campaign shows ${count} cycles, not 7`);
  await page.locator('[data-aiflow="scoreboard"]').waitFor({ state: 'visible' });
  const chart = page.locator('[data-aiflow="chart"]');
  await chart.waitFor({ state: 'visible' });
  await page.waitForFunction((img) => img.complete && img.naturalWidth > 0, await chart.elementHandle());
  await t.shot('07-campaign-detail');
}

async function cycleAudit(t) {
  const { page } = t;
  // DEMO-2 passes after one rework round: attempts, reviews and evidence of two rounds
  const cycle = page.locator('[data-aiflow="cycle-row"][data-task-id="DEMO-2"]');
  await cycle.locator('[data-aiflow="cycle-audit-link"]').click();
  await page.waitForURL(/#\/aiflow\/audit\/[^/]+$/);
  const verify = page.locator('[data-aiflow="verify-badge"]');
  const reconcile = page.locator('[data-aiflow="reconcile-badge"]');
  await verify.waitFor({ state: 'visible' });
  for (const [what, badge] of [['verify', verify], ['reconcile', reconcile]]) {
    const state = await badge.getAttribute('data-state');
    if (state !== 'ok') {
      throw new Error(`the ${what} badge is ${state}: ${await badge.getAttribute('title')}`);
    }
  }
  const events = await page.locator('[data-aiflow="event-row"]').count();
  const evidence = await page.locator('[data-aiflow="evidence-row"]').count();
  if (events < 4 || evidence < 1) {
    throw new Error(`the audit lists ${events} chain event(s) and ${evidence} evidence file(s)`);
  }
  await t.shot('08-cycle-audit');
  await signedIn(t, 'cockpit');
}

/**
 * The Audit tab on a running instance (Cockpit's own process instance page): a campaign whose
 * only step stays silent for a while, started over the REST API like a lead would.
 */
async function runningCycleAuditTab(t) {
  const { page } = t;
  const api = (method, path, body) => rest(t, method, path, body);
  const campaign = await api('POST', '/api/campaigns', {
    projectId: 'e2e-running',
    queue: { max_attempts: 1, tasks: [{ key: 'WAIT-1', priority: 0 }] },
    stepPacks: { 'WAIT-1': silentPack('WAIT-1') },
    options: { maxReworkRounds: 0, workerShim: 'mock' },
  });
  let cycle;
  for (const deadline = Date.now() + 30_000; !cycle && Date.now() < deadline;) {
    const running = await api('GET',
      `/engine-rest/process-instance?processDefinitionKey=stepCycle&superProcessInstance=${campaign.id}`);
    cycle = running[0] && running[0].id;
    if (!cycle) await page.waitForTimeout(250);
  }
  if (!cycle) throw new Error(`campaign ${campaign.id} started no step cycle`);
  try {
    await openSignedIn(t, 'cockpit', `#/process-instance/${cycle}/runtime`);
    await page.getByRole('link', { name: 'Audit', exact: true }).click();
    const tab = page.locator('.aiflow-tab');
    await tab.locator('[data-aiflow="verify-badge"]').waitFor({ state: 'visible' });
    for (const what of ['verify', 'reconcile']) {
      const badge = tab.locator(`[data-aiflow="${what}-badge"]`);
      if ((await badge.getAttribute('data-state')) !== 'ok') {
        throw new Error(`the running cycle's ${what} badge is red: ${await badge.getAttribute('title')}`);
      }
    }
    await t.shot('09-running-cycle-audit-tab');
  } finally {
    await api('POST', `/api/campaigns/${campaign.id}/cancel`, {}).catch(() => {});
  }
}

/** The REST API as a lead calls it (HTTP Basic as the admin); the parsed answer. */
async function rest(t, method, path, body) {
  const basic = `Basic ${Buffer.from(`admin:${t.password}`).toString('base64')}`;
  const r = await fetch(`${t.baseUrl}${path}`, {
    method,
    headers: { Authorization: basic, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  if (!r.ok) throw new Error(`${method} ${path} answered ${r.status}: ${text.slice(0, 300)}`);
  return text ? JSON.parse(text) : null;
}

/** Polls `probe` until it returns something truthy; fails with `what` after `ms`. */
async function until(t, what, probe, ms = 60_000) {
  for (const deadline = Date.now() + ms; Date.now() < deadline;) {
    const found = await probe();
    if (found) return found;
    await t.page.waitForTimeout(500);
  }
  throw new Error(`${what} did not happen within ${ms / 1000} s`);
}

/** Opens a task in Tasklist and claims it (Tasklist completes only a task you hold). */
async function openAndClaim(t, taskId) {
  const { page } = t;
  // a full page load: Tasklist still tidying up after the last completed task may otherwise
  // deselect the task this opens
  await page.goto('about:blank');
  await openSignedIn(t, 'tasklist', `#/?task=${taskId}`);
  const claim = page.locator('button.claim');
  await claim.waitFor({ state: 'visible' });
  await claim.click();
  await page.locator('.assignee').first().waitFor({ state: 'visible' });
}

/** Clicks Tasklist's Complete (or `button`) and waits for the form's submission. */
async function submitTask(t, taskId, button) {
  const { page } = t;
  const [answer] = await Promise.all([
    page.waitForResponse((r) => r.url().includes(`/task/${taskId}/submit-form`)
      && r.request().method() === 'POST'),
    button.click(),
  ]);
  if (answer.status() !== 204) {
    throw new Error(`completing task ${taskId} answered ${answer.status()}: ${await answer.text()}`);
  }
}

// ------------------------------------------------------------------ (c) decisions in Tasklist

/**
 * The rework escalation the demo leaves for a fresh user: DEMO-3's rework ran out and its step
 * cycle waits for a person in UserTask_DecideEscalation while the demo campaign stays running; an
 * operator accepts the work in Tasklist with a reason, and the campaign goes on and ends.
 */
async function escalationInTasklist(t) {
  const { page } = t;
  const task = await until(t, 'the demo\'s escalation of DEMO-3', async () => {
    const open = await rest(t, 'GET', '/engine-rest/task?taskDefinitionKey=UserTask_DecideEscalation'
      + '&processVariables=taskId_eq_DEMO-3');
    return open.find((x) => x.processDefinitionId.startsWith('stepCycle')) || null;
  }, DEMO_TIMEOUT_MS);
  const running = await rest(t, 'GET', '/engine-rest/process-instance?processDefinitionKey=campaign&businessKey=demo');
  if (running.length !== 1) {
    throw new Error(`while DEMO-3 waits the demo campaign is not a running instance: ${JSON.stringify(running)}`);
  }
  await openAndClaim(t, task.id);
  const form = page.locator('form[name="decideEscalation"]');
  await form.waitFor({ state: 'visible' });
  const cause = form.locator('[cam-variable-name="escalationCause"]');
  await page.waitForFunction((el) => el.value.length > 0, await cause.elementHandle());
  if (!/rework/i.test(await cause.inputValue())) {
    throw new Error(`the escalation form says why: ${await cause.inputValue()}`);
  }
  await form.locator('select[name="escalationDecision"]').selectOption('accept');
  await form.locator('textarea[name="escalationReason"]').fill('e2e: the operator accepts the migration as it is');
  await t.shot('10-tasklist-escalation');
  await submitTask(t, task.id, page.locator('button[ng-click="complete()"]'));
  const ended = await until(t, 'the demo campaign going on after the decision', async () => {
    const list = await rest(t, 'GET', '/api/campaigns');
    const c = list.find((x) => x.businessKey === 'demo');
    return c && c.state !== 'running' ? c : null;
  }, 120_000);
  if (ended.endReason !== 'queue_drained' || ended.cyclesDone !== 7) {
    throw new Error(`after the decision the demo campaign ended ${ended.state}/${ended.endReason} after ${ended.cyclesDone} cycles`);
  }
}

/**
 * The requirements approval: a draft started over REST as a lead does; the approver opens it in
 * Tasklist, reads the brief's text, plan, diff and hash in the form, approves, and the freeze is in
 * force (GET /api/projects/{id}/requirements).
 */
async function approvalInTasklist(t) {
  const { page } = t;
  const project = `e2e-approval-${Date.now()}`;
  const dialogue = [
    'lead: title: Greeting command with a configurable name',
    'lead: Operators want to pass a name on the command line so that scripted runs say who they are.',
    'dev: Today src/greet.py prints a fixed greeting.',
    'lead: - Add a --name option to src/greet.py with tests in tests/test_greet.py',
    'lead: greet --name Ada must print exactly "Hello, Ada"; run `python -m pytest tests/test_greet.py -q`',
    'lead: without --name the output must stay "Hello, world".',
  ].join('\n');
  const started = await rest(t, 'POST', `/api/projects/${project}/requirements`, { dialogue });
  const task = await until(t, 'the approval task', async () => {
    const open = await rest(t, 'GET', `/engine-rest/task?processInstanceId=${started.processInstanceId}`);
    return open[0] || null;
  });
  const draftSha = (await rest(t, 'GET',
    `/engine-rest/process-instance/${started.processInstanceId}/variables/draftSha256`)).value;
  await openAndClaim(t, task.id);
  const form = page.locator('form[name="approveRequirements"]');
  await form.waitFor({ state: 'visible' });
  await page.locator('[data-aiflow-loaded]').waitFor({ state: 'attached' });
  const loaded = await page.locator('[data-aiflow-loaded]').getAttribute('data-aiflow-loaded');
  if (loaded !== 'true') {
    throw new Error(`the approval form could not read the draft: ${await form.locator('[data-aiflow="approval-title"]').innerText()}`);
  }
  const text = await form.locator('[data-aiflow="approval-text"]').innerText();
  const hash = (await form.locator('[data-aiflow="approval-hash"]').innerText()).trim();
  const planRows = await form.locator('[data-aiflow="approval-plan-row"]').count();
  const added = await form.locator('[data-aiflow="approval-diff"] [data-op="+"]').count();
  if (!text.includes('--name') || hash !== draftSha || planRows < 1 || added < 1) {
    throw new Error(`the form shows ${text.length} characters of text, hash ${hash} (draft ${draftSha}), `
      + `${planRows} planned task(s), ${added} added line(s)`);
  }
  if (/\/projects\//.test(await form.innerText())) {
    throw new Error('the approval form shows a server path');
  }
  await form.locator('#approvalComment').fill('e2e: read in the form, approved');
  await t.shot('11-tasklist-approval');
  await submitTask(t, task.id, form.locator('[data-aiflow="approve-button"]'));
  const frozen = await until(t, `the freeze of ${project}`, async () => {
    const r = await rest(t, 'GET', `/api/projects/${project}/requirements`);
    return r.approved ? r : null;
  });
  if (frozen.version !== 1 || frozen.sha256 !== draftSha || frozen.approver !== 'admin') {
    throw new Error(`the freeze reads ${JSON.stringify(frozen)}`);
  }
}

/** A step pack for the mock shim (registered as `mock` by OperatorViewE2EIT), acting out `scenario`. */
function pack(task, scenario) {
  return {
    schema: 'aiflow.step_pack.v1',
    run_id: `${task}_e2e`,
    task_id: task,
    step_id: 'S1',
    title: `Mock scenario ${scenario}`,
    objective: 'The scripted agent acts out its scenario.',
    instructions: [`mock-scenario: ${scenario}`, 'Change only src/report.txt.'],
    tier: 'tier2',
    allowed_paths: ['src/report.txt'],
    acceptance_criteria: [{ id: 'AC-1', description: 'The report exists.', verification: 'test -f src/report.txt' }],
    required_commands: ['test -f src/report.txt'],
    evidence_dir: `.artifacts/${task}/S1`,
    limits: { max_runtime_sec: 90, max_silence_sec: 45, max_memory_mb: 512 },
    worker: { backend: 'mock' },
  };
}

/** A step pack whose scripted agent (the mock shim) stays silent until its limit. */
function silentPack(task) {
  return pack(task, 'silent');
}

// ------------------------------------------------------------------ the suite

const STEPS = [
  { name: 'sign in to Cockpit through its login form and navigate', run: cockpitLogin },
  { name: 'sign in to Tasklist through its login form', run: tasklistLogin },
  { name: 'sign in to Admin through its login form', run: adminLogin },
  { name: 'stay signed in across Cockpit, Tasklist and Admin', run: staysSignedInAcrossApps },
  { name: "decide the demo's waiting rework escalation in Tasklist; the campaign goes on", run: escalationInTasklist },
  { name: 'open Campaigns, find the demo campaign and its detail', run: campaignsView },
  { name: "open a cycle's Audit view: verify and reconcile green", run: cycleAudit },
  { name: 'the Audit tab of a running step cycle in Cockpit', run: runningCycleAuditTab },
  { name: 'approve requirements in Tasklist, reading the brief in the form', run: approvalInTasklist },
];

await run(STEPS, args('src/test/e2e/operator-view.mjs'));
