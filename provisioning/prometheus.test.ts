import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/** Prometheus and Alertmanager configuration, checked by the real tools (Debian's prometheus and prometheus-alertmanager). */
const HERE = dirname(fileURLToPath(import.meta.url));
const PROMETHEUS = join(HERE, 'prometheus');
const available = (tool: string) => spawnSync(tool, ['--version']).status === 0;
const hasPromtool = available('promtool');
const hasAmtool = available('amtool');
if (!hasPromtool) console.warn('promtool checks skipped: promtool (Debian package prometheus) is not installed');
if (!hasAmtool) console.warn('amtool check skipped: amtool (Debian package prometheus-alertmanager) is not installed');

function run(tool: string, args: string[], cwd = PROMETHEUS) {
  const result = spawnSync(tool, args, { cwd, encoding: 'utf8' });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

const ALERTS = ['LacunaChannelLatencyFailed', 'LacunaChannelLatencyDegraded', 'LacunaChannelAvailabilityLow', 'LacunaChannelNoData', 'LacunaStationDegraded', 'LacunaNetworkDegraded', 'LacunaCollectorScansStale', 'LacunaCollectorScansFailing', 'LacunaCollectorFilesFailing', 'LacunaStoreDown', 'LacunaExporterDown'];

describe.skipIf(!hasPromtool)('Prometheus rules and configuration (promtool)', () => {
  it('the configuration is valid', () => {
    const { status, output } = run('promtool', ['check', 'config', '--syntax-only', 'prometheus.yml']);
    expect(output).toContain('SUCCESS');
    expect(status).toBe(0);
  });

  it('every rule file is valid, and every alert has summary, description and runbook', () => {
    const files = readdirSync(join(PROMETHEUS, 'rules')).map((file) => join('rules', file));
    const { status, output } = run('promtool', ['check', 'rules', ...files]);
    expect(output, output).not.toMatch(/FAILED/);
    expect(status).toBe(0);
    const listed = run('promtool', ['check', 'rules', '--lint=all', '--lint-fatal', ...files]);
    expect(listed.status, listed.output).toBe(0);
  });

  it('the rule unit tests cover every alert, firing and not firing, and pass', () => {
    const tests = readdirSync(join(PROMETHEUS, 'tests')).map((file) => join('tests', file));
    const { status, output } = run('promtool', ['test', 'rules', ...tests]);
    expect(output, output).toContain('SUCCESS');
    expect(status).toBe(0);
    const text = tests.map((file) => readFileSync(join(PROMETHEUS, file), 'utf8')).join('\n');
    for (const alert of ALERTS) {
      expect(text, alert).toMatch(new RegExp(`alertname: ${alert}\\n\\s+exp_alerts:\\n\\s+- exp_labels`));
      expect(text, alert).toMatch(new RegExp(`alertname: ${alert}\\n\\s+exp_alerts: \\[\\]`));
    }
  });
});

describe.skipIf(!hasAmtool)('Alertmanager configuration (amtool)', () => {
  it('is valid and routes critical alerts to the on-call receiver', () => {
    const { status, output } = run('amtool', ['check-config', 'alertmanager.yml'], join(HERE, 'alertmanager'));
    expect(output).toContain('SUCCESS');
    expect(status).toBe(0);
    const routed = run('amtool', ['config', 'routes', 'test', '--config.file=alertmanager.yml', 'severity=critical', 'alertname=LacunaStoreDown'], join(HERE, 'alertmanager'));
    expect(routed.output.split('\n')[0].trim()).toBe('on-call');
    const warning = run('amtool', ['config', 'routes', 'test', '--config.file=alertmanager.yml', 'severity=warning', 'alertname=LacunaChannelAvailabilityLow'], join(HERE, 'alertmanager'));
    expect(warning.output.split('\n')[0].trim()).toBe('network-team');
  });
});
