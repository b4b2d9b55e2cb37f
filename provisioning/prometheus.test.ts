import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { freePort, stop, until } from './processes.ts';

/** Prometheus and Alertmanager configuration, checked by the real tools (Debian's prometheus and prometheus-alertmanager). */
const HERE = dirname(fileURLToPath(import.meta.url));
const PROMETHEUS = join(HERE, 'prometheus');
const ALERTMANAGER = join(HERE, 'alertmanager');
const available = (tool: string) => spawnSync(tool, ['--version']).status === 0;
const hasPromtool = available('promtool');
const hasAmtool = available('amtool');
const hasAlertmanager = available('prometheus-alertmanager');
if (!hasPromtool) console.warn('promtool checks skipped: promtool (Debian package prometheus) is not installed');
if (!hasAmtool) console.warn('amtool check skipped: amtool (Debian package prometheus-alertmanager) is not installed');
if (!hasAlertmanager) console.warn('Alertmanager inhibition check skipped: prometheus-alertmanager (Debian package prometheus-alertmanager) is not installed');

function run(tool: string, args: string[], cwd = PROMETHEUS) {
  const result = spawnSync(tool, args, { cwd, encoding: 'utf8' });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

interface Rule {
  alert?: string;
  record?: string;
  labels?: Record<string, string>;
}
interface ExpectedAlert {
  exp_labels: Record<string, string>;
}
interface AlertTest {
  eval_time: string;
  alertname: string;
  exp_alerts?: ExpectedAlert[];
}
interface RuleTestGroup {
  name: string;
  alert_rule_test?: AlertTest[];
}

const ruleFiles = readdirSync(join(PROMETHEUS, 'rules')).map((file) => join('rules', file));
const testFiles = readdirSync(join(PROMETHEUS, 'tests')).map((file) => join('tests', file));
const ruleGroups = ruleFiles.flatMap((file) => (parse(readFileSync(join(PROMETHEUS, file), 'utf8')) as { groups: { name: string; rules: Rule[] }[] }).groups);
const alertNames = ruleGroups.flatMap((group) => group.rules.flatMap((rule) => (rule.alert ? [rule.alert] : [])));
const testGroups = testFiles.flatMap((file) => (parse(readFileSync(join(PROMETHEUS, file), 'utf8')) as { tests: RuleTestGroup[] }).tests);

/** The channel, station and network alerts: one page per cause among them. */
const CAUSE_ALERTS = ruleGroups.find((group) => group.name === 'lacuna-channels')!.rules.flatMap((rule) => (rule.alert ? [rule.alert] : []));

/**
 * A test group's "page check": a time at which it lists every channel, station and network alert,
 * so what promtool confirms there is exactly what fires.
 */
function pageCheck(group: RuleTestGroup): { time: string; firing: Record<string, string>[] } | undefined {
  const byTime = new Map<string, AlertTest[]>();
  for (const test of group.alert_rule_test ?? []) byTime.set(test.eval_time, [...(byTime.get(test.eval_time) ?? []), test]);
  for (const [time, tests] of byTime) {
    const names = new Set(tests.map((test) => test.alertname));
    if (CAUSE_ALERTS.every((name) => names.has(name))) {
      return { time, firing: tests.flatMap((test) => (test.exp_alerts ?? []).map((alert) => ({ alertname: test.alertname, ...alert.exp_labels }))) };
    }
  }
  return undefined;
}

describe.skipIf(!hasPromtool)('Prometheus rules and configuration (promtool)', () => {
  it('the configuration is valid', () => {
    const { status, output } = run('promtool', ['check', 'config', '--syntax-only', 'prometheus.yml']);
    expect(output).toContain('SUCCESS');
    expect(status).toBe(0);
  });

  it('every rule file is valid, and every alert has summary, description and runbook', () => {
    const { status, output } = run('promtool', ['check', 'rules', ...ruleFiles]);
    expect(output, output).not.toMatch(/FAILED/);
    expect(status).toBe(0);
    const listed = run('promtool', ['check', 'rules', '--lint=all', '--lint-fatal', ...ruleFiles]);
    expect(listed.status, listed.output).toBe(0);
  });

  it('the rule unit tests cover every alert, firing and not firing, and pass', () => {
    const { status, output } = run('promtool', ['test', 'rules', ...testFiles]);
    expect(output, output).toContain('SUCCESS');
    expect(status).toBe(0);
    expect(alertNames.length).toBeGreaterThan(15);
    const tests = testGroups.flatMap((group) => group.alert_rule_test ?? []);
    for (const alert of alertNames) {
      expect(tests.some((test) => test.alertname === alert && (test.exp_alerts ?? []).length > 0), `${alert} firing`).toBe(true);
      expect(tests.some((test) => test.alertname === alert && (test.exp_alerts ?? []).length === 0), `${alert} not firing`).toBe(true);
    }
  });

  it('check one page per cause for a dead channel, an untracked channel, a station and a network', () => {
    const checked = testGroups.filter((group) => pageCheck(group) !== undefined).map((group) => group.name);
    for (const cause of ['one dead channel', 'a dead channel without warn/fail intervals', 'a dead station', 'a slow station', 'a dead network']) {
      expect(checked.some((name) => name.startsWith(cause)), cause).toBe(true);
    }
  });
});

describe.skipIf(!hasAmtool)('Alertmanager configuration (amtool)', () => {
  it('is valid and routes critical alerts to the on-call receiver', () => {
    const { status, output } = run('amtool', ['check-config', 'alertmanager.yml'], ALERTMANAGER);
    expect(output).toContain('SUCCESS');
    expect(status).toBe(0);
    const routed = run('amtool', ['config', 'routes', 'test', '--config.file=alertmanager.yml', 'severity=critical', 'alertname=LacunaStoreDown'], ALERTMANAGER);
    expect(routed.output.split('\n')[0].trim()).toBe('on-call');
    const warning = run('amtool', ['config', 'routes', 'test', '--config.file=alertmanager.yml', 'severity=warning', 'alertname=LacunaChannelAvailabilityLow'], ALERTMANAGER);
    expect(warning.output.split('\n')[0].trim()).toBe('network-team');
  });
});

interface AlertmanagerAlert {
  labels: Record<string, string>;
  status: { state: 'active' | 'suppressed' | 'unprocessed'; inhibitedBy: string[] };
}

/**
 * What pages: the alerts promtool shows firing together in each page check are posted to a real
 * Alertmanager running our alertmanager.yml, and its inhibit rules must leave one alert per cause.
 */
describe.skipIf(!hasAlertmanager)('Alertmanager inhibition (a real Alertmanager with alertmanager.yml)', () => {
  const temp = mkdtempSync(join(tmpdir(), 'lacuna-alertmanager-'));
  let alertmanager: ChildProcess | undefined;
  afterAll(async () => {
    await stop(alertmanager);
    rmSync(temp, { recursive: true, force: true });
  });

  /** What is left active per page check (a group may hold two causes). */
  const EXPECTED_ACTIVE: Record<string, string[]> = {
    'one dead channel': ['LacunaChannelLatencyFailed'],
    'a dead channel without warn/fail intervals': ['LacunaChannelNoData', 'LacunaChannelLatencyDegraded'],
    'a dead station': ['LacunaStationDown'],
    'a slow station': ['LacunaStationDegraded'],
    'a dead network': ['LacunaNetworkDown'],
  };

  it('leaves one alert per cause active, and each muted one inhibited by it', async () => {
    const port = await freePort();
    alertmanager = spawn(
      'prometheus-alertmanager',
      [`--config.file=${join(ALERTMANAGER, 'alertmanager.yml')}`, `--storage.path=${temp}`, `--web.listen-address=127.0.0.1:${port}`, '--cluster.listen-address='],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let log = '';
    alertmanager.stderr!.on('data', (chunk) => (log += chunk));
    const api = `http://127.0.0.1:${port}/api/v2`;
    await until('Alertmanager to answer', async () => ((await fetch(`${api}/status`)).ok ? true : undefined), 30).catch((error: Error) => {
      throw new Error(`${error.message}\n${log}`);
    });
    const post = (alerts: Record<string, string>[], endsAt: Date) =>
      fetch(`${api}/alerts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(alerts.map((labels) => ({ labels, startsAt: new Date(Date.now() - 60_000).toISOString(), endsAt: endsAt.toISOString() }))),
      });

    for (const [cause, expectedActive] of Object.entries(EXPECTED_ACTIVE)) {
      const group = testGroups.find((g) => g.name.startsWith(cause))!;
      const { firing } = pageCheck(group)!;
      expect((await post(firing, new Date(Date.now() + 3_600_000))).ok).toBe(true);
      // Alertmanager takes alerts in asynchronously: wait for the expected state (the failure
      // names what it held instead), then read again a second later, when it must still hold.
      const listAlerts = async () => (await (await fetch(`${api}/alerts`)).json()) as AlertmanagerAlert[];
      const activeNames = (listed: AlertmanagerAlert[]) => listed.filter((alert) => alert.status.state === 'active').map((alert) => alert.labels.alertname).sort();
      let held: AlertmanagerAlert[] = [];
      await until(
        `${cause}: ${expectedActive.join(', ')} left active of ${firing.length} alerts`,
        async () => {
          held = await listAlerts();
          return held.length === firing.length && JSON.stringify(activeNames(held)) === JSON.stringify([...expectedActive].sort()) ? true : undefined;
        },
        30,
      ).catch((error: Error) => {
        throw new Error(`${error.message}; it held ${JSON.stringify(held.map((alert) => [alert.labels.alertname, alert.status.state]))}`);
      });
      await new Promise((r) => setTimeout(r, 1_000));
      const alerts = await listAlerts();
      const active = alerts.filter((alert) => alert.status.state === 'active');
      expect(active.map((alert) => alert.labels.alertname).sort(), cause).toEqual([...expectedActive].sort());
      expect(active.filter((alert) => alert.labels.severity === 'critical').length, `${cause}: pages`).toBeLessThanOrEqual(1);
      for (const muted of alerts.filter((alert) => alert.status.state === 'suppressed')) expect(muted.status.inhibitedBy.length, `${cause}: ${JSON.stringify(muted.labels)}`).toBeGreaterThan(0);
      // Resolved, so that the next cause starts from nothing.
      expect((await post(firing, new Date(Date.now() - 1_000))).ok).toBe(true);
      await until(`${cause}: its alerts to resolve`, async () => (((await (await fetch(`${api}/alerts`)).json()) as unknown[]).length === 0 ? true : undefined), 30);
    }
  });
});
