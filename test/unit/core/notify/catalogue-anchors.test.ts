import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FINDING_CODES } from '../../../../lambdas/core/detect/codes';
import { catalogueAnchor, WATCHER_ALARM_CODE } from '../../../../lambdas/core/notify/links';
import { TEST_ALERT_CODE } from '../../../../lambdas/core/test-alert';

describe('docs/alert-catalogue.md as the runbook', () => {
  it('has the anchor every alert links to, for every code, the watcher alarms and the test alert', () => {
    // Prepare
    const catalogue = readFileSync(join(__dirname, '../../../../docs/alert-catalogue.md'), 'utf8');

    // Act
    const missing = [...FINDING_CODES, WATCHER_ALARM_CODE, TEST_ALERT_CODE].filter(
      (code) => !catalogue.includes(`<a id="${catalogueAnchor(code)}"></a>`),
    );

    // Assess
    expect(missing).toEqual([]);
  });
});
